"""A private PostgreSQL server for the tests and the benchmarks.

Debian's ``postgresql`` package (``scripts/setup`` installs it where no
``initdb`` is found): ``initdb`` a data folder in a temporary directory and
``pg_ctl`` a server that listens on a unix socket in that directory only (no
TCP port, no system service), ``fsync`` off. Run as root (as in CI), the
server runs as the ``postgres`` user the package creates, through
``runuser``: ``initdb`` refuses root.

Importable without pytest: ``benchmarks/`` use :func:`start_server` too.
"""

from __future__ import annotations

import atexit
from dataclasses import dataclass, field
import glob
import itertools
import os
from pathlib import Path
import pwd
import shutil
import subprocess
import tempfile

#: The database user the tests connect as (trust authentication, socket only).
USER = "community"
_counter = itertools.count(1)


class PostgresUnavailable(RuntimeError):
    """PostgreSQL could not be started here (the message says why and what to do)."""


def find_bin_dir() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``: from PATH, else Debian's newest."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(candidates[-1]).parent if candidates else None


def _run_as() -> list[str]:
    """The prefix running a command as the unprivileged server user (root only)."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError as err:
        raise PostgresUnavailable(
            "running as root and there is no 'postgres' user to run the test "
            "server as (Debian's postgresql package creates it: apt-get install postgresql)"
        ) from err
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PostgresUnavailable("running as root and runuser is missing")
    return [runuser, "-u", "postgres", "--"]


@dataclass
class PgServer:
    """A running private server; :meth:`stop` ends it and removes its folder."""

    root: Path
    bin_dir: Path
    prefix: list[str]
    keep: bool = False
    _stopped: bool = field(default=False, repr=False)

    @property
    def data(self) -> Path:
        """The data folder."""
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        """The folder of the unix socket (the root itself: short paths)."""
        return self.root

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of one of the server's databases (psycopg2, socket)."""
        return f"postgresql+psycopg2://{USER}@/{database}?host={self.socket_dir}"

    def _pg_ctl(
        self, *args: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.prefix, str(self.bin_dir / "pg_ctl"), "-D", str(self.data), *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def admin(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE)."""
        import psycopg2  # noqa: PLC0415 - only where PostgreSQL is used

        conn = psycopg2.connect(dbname="postgres", user=USER, host=str(self.socket_dir))
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(sql)
        finally:
            conn.close()

    def create_database(self, prefix: str = "t", template: str = "template0") -> str:
        """Create a database (empty, or a copy of ``template``); return its name."""
        name = f"{prefix}_{os.getpid()}_{next(_counter)}"
        self.admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, ending its connections."""
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop_only(self) -> None:
        """Stop the server (fast: connections cut), keeping its data for :meth:`start_again`."""
        self._pg_ctl("stop", "-m", "fast")

    def start_again(self) -> None:
        """Start the server stopped by :meth:`stop_only`, as it was."""
        self._pg_ctl(
            "start",
            "-w",
            "-t",
            "60",
            "-l",
            str(self.root / "log"),
            "-o",
            _options(self),
        )

    def restart(self) -> None:
        """Stop and start the server: every connection is cut (an outage)."""
        self.stop_only()
        self.start_again()

    def stop(self) -> None:
        """Stop the server and, unless kept, remove its folder."""
        if self._stopped:
            return
        self._stopped = True
        self._pg_ctl("stop", "-m", "fast" if self.keep else "immediate", check=False)
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)


def _options(server: PgServer) -> str:
    """The server's options: socket in its folder only, no durability (tests)."""
    return (
        f"-k {server.socket_dir} -c listen_addresses='' -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )


def start_server(root: Path | None = None) -> PgServer:
    """Start a private server (in ``root`` if given and kept, else a new temp folder).

    A ``root`` that already holds a data folder is started again as it is
    (the benchmarks keep their large tables that way). Raises
    :class:`PostgresUnavailable` with the reason when it cannot start.
    """
    bin_dir = find_bin_dir()
    if bin_dir is None or not (bin_dir / "pg_ctl").exists():
        raise PostgresUnavailable(
            "initdb/pg_ctl not found in PATH or /usr/lib/postgresql/*/bin; "
            "run scripts/setup (it installs Debian's postgresql package)"
        )
    prefix = _run_as()
    keep = root is not None
    if root is None:
        # Short: the socket path must stay under ~107 bytes.
        root = Path(tempfile.mkdtemp(prefix="ca-pg-", dir="/tmp"))
    root.mkdir(parents=True, exist_ok=True)
    if prefix:
        entry = pwd.getpwnam("postgres")
        os.chown(root, entry.pw_uid, entry.pw_gid)
    root.chmod(0o700)
    server = PgServer(root=root, bin_dir=bin_dir, prefix=prefix, keep=keep)
    try:
        if not (server.data / "PG_VERSION").exists():
            subprocess.run(
                [
                    *prefix,
                    str(bin_dir / "initdb"),
                    "-D",
                    str(server.data),
                    "-U",
                    USER,
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                ],
                cwd=root,
                capture_output=True,
                text=True,
                check=True,
                timeout=120,
            )
        server._pg_ctl(  # noqa: SLF001
            "start", "-w", "-t", "60", "-l", str(root / "log"), "-o", _options(server)
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as err:
        log = root / "log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        out = getattr(err, "stderr", "") or ""
        server.stop()
        raise PostgresUnavailable(
            f"could not start a private PostgreSQL server: {err}\n{out}\n{tail}"
        ) from err
    atexit.register(server.stop)
    return server
