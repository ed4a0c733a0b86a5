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
  database does not have yet (:meth:`Database.add_audits_once`), then moves
  the spool's position past them (``<spool>.pos``, replaced atomically;
  nothing is rewritten). A crash between that commit and the move replays
  them again, and they are skipped; so is a batch whose commit went through
  but whose answer was lost with the connection. A long outage's spool is
  compacted (the rest copied to a new file) once more than 32 MiB and half
  of it are written: each record is copied once at most.
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
from typing import Any, BinaryIO

from .storage import AuditRecord

_LOGGER = logging.getLogger(__name__)

#: The format of a sealed line's JSON (changed only with a reader for the old).
FORMAT = 1
#: Written records kept at the spool's start before it is compacted (bytes).
COMPACT_AT = 32 << 20


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
    #: Offset just after the last line read (what :meth:`Spool.drop_through` takes).
    end: int = 0


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
        """Return the records not yet written (at most ``limit``), oldest first. Blocking.

        Read from the position (:meth:`drop_through`), not from the start.
        A last line without its newline is a torn write: left alone, not read.
        """
        try:
            file = self.path.open("rb")
        except FileNotFoundError:
            return SpoolRead([], 0, 0)
        lines: list[bytes] = []
        with file:
            end = self._position(os.fstat(file.fileno()))
            file.seek(end)
            for line in file:
                if not line.endswith(b"\n"):
                    break  # torn
                lines.append(line[:-1])
                end += len(line)
                if limit is not None and len(lines) >= limit:
                    break
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
        return SpoolRead(records, len(lines), unreadable, end)

    def count(self) -> int:
        """Complete lines not yet written (records waiting). Blocking."""
        try:
            file = self.path.open("rb")
        except FileNotFoundError:
            return 0
        with file:
            file.seek(self._position(os.fstat(file.fileno())))
            return sum(
                chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b"")
            )

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

    # ---- what reached the database
    @property
    def position_path(self) -> Path:
        """The file that says where the records not yet written start."""
        return self.path.with_name(self.path.name + ".pos")

    def _position(self, spool: os.stat_result) -> int:
        """Offset of the first record not yet written in the spool ``spool``.

        The position file names the spool file it is for (its inode): one
        written for a spool since replaced (compacted) does not apply, and
        the replaced spool starts with its first record not yet written.
        """
        try:
            inode, offset = map(int, self.position_path.read_text("ascii").split())
        except (FileNotFoundError, ValueError):
            return 0
        if inode != spool.st_ino or not 0 <= offset <= spool.st_size:
            return 0
        return offset

    def drop_through(self, end: int) -> bool:
        """Record that the lines before offset ``end`` are written. Blocking.

        Nothing is rewritten: the position moves (its file replaced
        atomically). True: nothing complete is left, and the spool is
        removed (the position first: a spool without one is read from its
        start, and its records already written are skipped by their key).
        Once more than :data:`COMPACT_AT` bytes and half the file are
        behind the position, the rest is copied to a new spool, so a long
        outage costs each record one copy at most, not one per batch.
        """
        try:
            file = self.path.open("rb")
        except FileNotFoundError:
            return True
        with file:
            spool = os.fstat(file.fileno())
            file.seek(end)
            left = spool.st_size - end
            empty = left <= 0 or (left < 1 << 16 and b"\n" not in file.read(left))
            if empty:
                self.position_path.unlink(missing_ok=True)
                self.path.unlink()
                _fsync_dir(self.path.parent)
                return True
            if end > COMPACT_AT and end > spool.st_size // 2:
                file.seek(end)
                self._compact(file)
                return False
        self._write_position(spool.st_ino, end)
        return False

    def _compact(self, rest: BinaryIO) -> None:
        """Copy what ``rest`` holds from its offset to a new spool, swapped in."""
        temporary = self.path.with_name(self.path.name + ".new")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            for chunk in iter(lambda: rest.read(1 << 20), b""):
                _write_fully(fd, chunk)
            os.fsync(fd)
        finally:
            os.close(fd)
        temporary.replace(self.path)
        _fsync_dir(self.path.parent)
        # The position names the former spool now: it no longer applies.
        self.position_path.unlink(missing_ok=True)

    def _write_position(self, inode: int, offset: int) -> None:
        temporary = self.path.with_name(self.path.name + ".pos.new")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            _write_all(fd, f"{inode} {offset}\n".encode("ascii"))
        finally:
            os.close(fd)
        temporary.replace(self.position_path)
        _fsync_dir(self.path.parent)


def discard(path: Path) -> int:
    """Remove a spool and every file that goes with it; records they held. Blocking.

    Records still waiting (an estimate when part was written: its lines
    are counted too) and records the database refused.
    """
    held = 0
    for kept in (path, path.with_name(path.name + ".refused")):
        try:
            held += kept.read_bytes().count(b"\n")
        except FileNotFoundError:
            continue
    for suffix in (".pos", ".pos.new", ".new", "", ".refused"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    return held


def _write_all(fd: int, data: bytes) -> None:
    _write_fully(fd, data)
    os.fsync(fd)


def _write_fully(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


__all__ = ["Spool", "SpoolRead", "database_unreachable", "discard"]
