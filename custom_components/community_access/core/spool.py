"""The local spool: access records kept on disk while the database is away.

When the commit of a batch of access records fails because the database
cannot be reached (:func:`database_unreachable`), the :class:`RecordWriter`
appends the batch here instead and its callers return once the file is
fsync'd: a call that has returned has its record on disk, in the database
or in the spool. The writer then retries the database with back-off and
moves the spooled records into it, oldest first; records arriving
meanwhile go to the spool behind them, so the order is kept.

* **Exactly once.** Every record carries a unique key (``uid``, a uuid):
  the replay writes, in one transaction, only the records whose key the
  database does not have yet (:meth:`Database.add_audits_once`), then drops
  them from the spool. A crash between that commit and the drop replays them
  again, and they are skipped; so is a batch whose commit went through but
  whose answer was lost with the connection.
* **Privacy.** A record names a person and a masked credential: each line
  is the record sealed with the community's AES-256-GCM key (the same key
  its ID numbers are encrypted with), base64. The file is created 0600.
* **Torn writes.** A line is one record; a line that does not unseal (the
  last one, cut by a crash before its fsync: its caller never returned) is
  skipped and counted, never guessed at. Before the first append the file
  is cut back to its last complete line.
* **Refusals.** A record the database refuses (not one it cannot reach:
  a constraint, a value it rejects) would hold up every record behind it
  for ever. The replay finds the refused ones by halving the batch, writes
  the rest, and keeps the refused ones in ``<spool>.refused`` (sealed
  alike, 0600) for the administrator: set aside, not lost.

Blocking file work: call the methods through the community's executor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
import json
import logging
import os
from pathlib import Path
from typing import Any

from .storage import AuditRecord

_LOGGER = logging.getLogger(__name__)

#: The format of a sealed line's JSON (changed only with a reader for the old).
FORMAT = 1


def database_unreachable(err: BaseException) -> bool:
    """Whether ``err`` says the database could not be reached (not that it refused).

    SQLAlchemy's ``OperationalError``/``InterfaceError``/pool time-out, any
    ``DBAPIError`` whose connection was invalidated, and psycopg2's own
    ``OperationalError``/``InterfaceError``. Integrity and other refusals of
    the statement are not: spooling them would only fail again later.
    """
    from sqlalchemy import exc  # noqa: PLC0415 - the pure part stays light

    if isinstance(err, exc.DBAPIError) and err.connection_invalidated:
        return True
    if isinstance(err, (exc.OperationalError, exc.InterfaceError, exc.TimeoutError)):
        return True
    cls = type(err)
    return cls.__module__.split(".")[0] == "psycopg2" and any(
        base.__name__ in ("OperationalError", "InterfaceError") for base in cls.__mro__
    )


@dataclass(slots=True)
class SpoolRead:
    """What :meth:`Spool.read` found."""

    records: list[AuditRecord]
    #: Complete lines read (records and unreadable lines): what to drop after.
    lines: int
    #: Complete lines that did not unseal or parse (skipped, counted).
    unreadable: int


def _encode(record: AuditRecord) -> str:
    values = asdict(record)
    values["at"] = record.at.isoformat()
    values["v"] = FORMAT
    values.pop("id", None)
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def _decode(text: str) -> AuditRecord:
    values: dict[str, Any] = json.loads(text)
    if values.pop("v", None) != FORMAT:
        raise ValueError("unknown spool format")
    values["at"] = datetime.fromisoformat(values["at"])
    return AuditRecord(**values)


class Spool:
    """An append-only file of sealed access records (one per line)."""

    def __init__(
        self, path: Path, seal: Callable[[str], str], unseal: Callable[[str], str]
    ) -> None:
        """Keep records in ``path``; ``seal``/``unseal`` encrypt a line's text."""
        self.path = path
        self._seal = seal
        self._unseal = unseal
        self._tidied = False
        #: Complete lines that could not be read, since this object was made.
        self.unreadable = 0

    # ---- writing
    def append(self, records: Sequence[AuditRecord]) -> None:
        """Append records and fsync: on disk when this returns. Blocking."""
        if not self._tidied:
            self._tidy()
        self._append_sealed(self.path, records)

    def _append_sealed(self, path: Path, records: Sequence[AuditRecord]) -> None:
        data = "".join(f"{self._seal(_encode(r))}\n" for r in records).encode()
        created = not path.exists()
        if created:
            path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
        if created:
            _fsync_dir(path.parent)

    def _tidy(self) -> None:
        """Cut a torn last line (a crash mid-append) before appending after it."""
        self._tidied = True
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        if not raw or raw.endswith(b"\n"):
            return
        keep = raw.rfind(b"\n") + 1
        with self.path.open("r+b") as file:
            file.truncate(keep)
            file.flush()
            os.fsync(file.fileno())
        _LOGGER.warning("Access record spool: a torn last line was dropped")

    # ---- reading
    def read(self, limit: int | None = None) -> SpoolRead:
        """Return the records kept (at most ``limit``), oldest first. Blocking.

        A last line without its newline is a torn write: left alone, not read.
        """
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return SpoolRead([], 0, 0)
        lines = raw.split(b"\n")[:-1]  # the part after the last newline is torn
        if limit is not None:
            lines = lines[:limit]
        records: list[AuditRecord] = []
        unreadable = 0
        for line in lines:
            try:
                records.append(_decode(self._unseal(line.decode("ascii"))))
            except (ValueError, TypeError, KeyError, UnicodeDecodeError):
                unreadable += 1
        if unreadable:
            self.unreadable += unreadable
            _LOGGER.error(
                "Access record spool: %d unreadable lines skipped", unreadable
            )
        return SpoolRead(records, len(lines), unreadable)

    def count(self) -> int:
        """Complete lines kept (records waiting). Blocking."""
        try:
            return self.path.read_bytes().count(b"\n")
        except FileNotFoundError:
            return 0

    # ---- records the database refuses
    @property
    def refused_path(self) -> Path:
        """The file of records the database refused (kept, sealed alike)."""
        return self.path.with_name(self.path.name + ".refused")

    def set_aside(self, records: Sequence[AuditRecord]) -> int:
        """Keep records the database refuses apart; records set aside in all. Blocking.

        Sealed like the spool and fsync'd, so none is lost: they no longer
        hold up the records behind them.
        """
        if records:
            self._append_sealed(self.refused_path, records)
        return self.refused()

    def refused(self) -> int:
        """Count the records set aside as refused (complete lines). Blocking."""
        try:
            return self.refused_path.read_bytes().count(b"\n")
        except FileNotFoundError:
            return 0

    # ---- dropping what reached the database
    def drop_first(self, lines: int) -> int:
        """Drop the first ``lines`` lines (written to the database); lines left. Blocking.

        Atomic: the rest is written to a new file, fsync'd and renamed over
        the spool (a crash leaves the old spool or the new one, never half).
        Nothing left: the file is removed.
        """
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return 0
        complete = raw[: raw.rfind(b"\n") + 1]
        rest = b"".join(line + b"\n" for line in complete.split(b"\n")[lines:-1])
        if not rest:
            self.path.unlink()
            _fsync_dir(self.path.parent)
            return 0
        temporary = self.path.with_name(self.path.name + ".new")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            _write_all(fd, rest)
        finally:
            os.close(fd)
        temporary.replace(self.path)
        _fsync_dir(self.path.parent)
        return rest.count(b"\n")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


__all__ = ["Spool", "SpoolRead", "database_unreachable"]
