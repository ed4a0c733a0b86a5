"""The access-record spool: records kept on disk while the database is away.

The file itself (order, 0600, sealed, torn and corrupt lines) and the
writer around it on a real SQLite database: a database that cannot be
reached is the real database behind a switch raising the error SQLAlchemy
raises for a lost connection (the HA test stops a real PostgreSQL server).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
import stat

import psycopg2
import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from custom_components.community_access.core import spool as spool_module
from custom_components.community_access.core.recorder import (
    RecordWriter,
    refusal_reason,
)
from custom_components.community_access.core.spool import (
    Spool,
    database_unreachable,
    discard,
)
from custom_components.community_access.core.storage import (
    AuditQuery,
    AuditRecord,
    Database,
)

from .common import make_vault

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
NAME = "张三丰"


def record(n: int) -> AuditRecord:
    """A grant at the gate for a named person, told apart by its source."""
    return AuditRecord(
        at=T0,
        granted=True,
        reason="granted",
        door_id="gate",
        kind="card",
        masked="****5678",
        person_id=7,
        person_name=NAME,
        unit="3-2-501",
        source=f"n{n}",
        uid=f"{n:032x}",
    )


def make_spool(tmp_path: Path) -> Spool:
    vault = make_vault()
    return Spool(tmp_path / ".storage" / "x.spool", vault.encrypt, vault.decrypt)


def lost_connection() -> OperationalError:
    return OperationalError(
        "INSERT", {}, ConnectionError("server closed the connection")
    )


class Switch:
    """A real database that can be made unreachable (or to lose a commit's answer)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.away = False
        #: Commit, then fail as if the answer was lost with the connection.
        self.lose_answer = False
        self.calls = 0

    def write(self, records: Sequence[AuditRecord]) -> list[int]:
        self.calls += 1
        if self.away:
            raise lost_connection()
        ids = self.db.add_audits(records)
        if self.lose_answer:
            raise lost_connection()
        return ids

    def write_once(self, records: Sequence[AuditRecord]) -> list[int | None]:
        if self.away:
            raise lost_connection()
        return self.db.add_audits_once(records)


def sources(db: Database) -> list[str | None]:
    rows = db.query_audit(AuditQuery(limit=100_000))
    return [r.source for r in sorted(rows, key=lambda r: r.id or 0)]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/x.db")
    database.migrate()
    yield database
    database.close()


# ---- the file


def test_spool_keeps_order_sealed_and_private(tmp_path: Path) -> None:
    spool = make_spool(tmp_path)
    spool.append([record(0), record(1)])
    spool.append([record(2)])
    assert stat.S_IMODE(spool.path.stat().st_mode) == 0o600
    raw = spool.path.read_bytes()
    # (texts with a character base64 never writes: no chance match)
    for secret in (NAME.encode(), b"****5678", b"3-2-501", b'"source"'):
        assert secret not in raw
    read = spool.read()
    assert [r.source for r in read.records] == ["n0", "n1", "n2"]
    assert read.records[0] == record(0)
    assert (read.lines, read.unreadable) == (3, 0)
    assert spool.count() == 3
    first_two = spool.read(limit=2)
    assert spool.drop_through(first_two.end) is False
    assert [r.source for r in spool.read().records] == ["n2"]
    assert spool.count() == 1
    assert stat.S_IMODE(spool.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(spool.position_path.stat().st_mode) == 0o600
    assert spool.drop_through(spool.read().end) is True
    assert not spool.path.exists()
    assert not spool.position_path.exists()
    assert spool.read().records == []


def test_other_keys_cannot_read_the_spool(tmp_path: Path) -> None:
    spool = make_spool(tmp_path)
    spool.append([record(0)])
    from custom_components.community_access.core.privacy import Vault  # noqa: PLC0415

    other = Vault(bytes(range(1, 33)), bytes(range(33, 65)))
    read = Spool(spool.path, other.encrypt, other.decrypt).read()
    assert read.records == []
    assert read.unreadable == 1


def test_torn_last_line_is_left_and_cut_before_the_next_append(tmp_path: Path) -> None:
    spool = make_spool(tmp_path)
    spool.append([record(0), record(1), record(2)])
    raw = spool.path.read_bytes()
    spool.path.write_bytes(raw[:-20])  # the crash came before the last fsync ended
    again = make_spool(tmp_path)  # a new process
    read = again.read()
    assert [r.source for r in read.records] == ["n0", "n1"]
    assert read.unreadable == 0
    again.append([record(3)])
    assert [r.source for r in again.read().records] == ["n0", "n1", "n3"]
    assert again.count() == 3


def test_corrupt_line_is_skipped_and_counted(tmp_path: Path) -> None:
    spool = make_spool(tmp_path)
    spool.append([record(0), record(1), record(2)])
    lines = spool.path.read_bytes().split(b"\n")
    lines[1] = (
        lines[1][:10] + (b"A" if lines[1][10:11] != b"A" else b"B") + lines[1][11:]
    )
    spool.path.write_bytes(b"\n".join(lines))
    read = spool.read()
    assert [r.source for r in read.records] == ["n0", "n2"]
    assert (read.lines, read.unreadable) == (3, 1)
    assert spool.drop_through(read.end) is True


def test_written_records_move_the_position_without_rewriting(tmp_path: Path) -> None:
    """Dropping what was written moves a position; the spool is not rewritten."""
    spool = make_spool(tmp_path)
    spool.append([record(n) for n in range(6)])
    inode = spool.path.stat().st_ino
    size = spool.path.stat().st_size
    read = spool.read(limit=2)
    assert spool.drop_through(read.end) is False
    spool.append([record(6)])  # appended behind, as while the database is away
    assert spool.path.stat().st_ino == inode
    assert spool.path.stat().st_size > size  # the written lines are still there
    # A new process (a restart) reads from the position.
    again = make_spool(tmp_path)
    assert [r.source for r in again.read().records] == [f"n{n}" for n in range(2, 7)]
    assert again.count() == 5
    # A torn tail is not a record: with only it left, the spool is done.
    everything = again.read()
    with spool.path.open("ab") as file:
        file.write(b"torn")
    assert again.drop_through(everything.end) is True
    assert not spool.path.exists() and not spool.position_path.exists()


def test_a_stale_position_does_not_apply(tmp_path: Path) -> None:
    """A crash between swapping a compacted spool in and dropping the position.

    The position names the former spool (its inode): the new one is read
    from its start, which holds only records not yet written.
    """
    spool = make_spool(tmp_path)
    rest_sources = [f"n{n}" for n in range(3, 9)]  # longer than what was written
    spool.append([record(n) for n in range(9)])
    written = spool.read(limit=3)
    rest = spool.path.read_bytes()[written.end :]
    assert spool.drop_through(written.end) is False
    # The compaction's swap, then the crash: the position file is left.
    swapped = spool.path.with_name(spool.path.name + ".new")
    swapped.write_bytes(rest)
    swapped.replace(spool.path)
    assert [r.source for r in make_spool(tmp_path).read().records] == rest_sources
    # A position past the end, or unreadable, does not apply either.
    spool.position_path.write_text(f"{spool.path.stat().st_ino} 999999\n")
    assert [r.source for r in make_spool(tmp_path).read().records] == rest_sources
    spool.position_path.write_text("garbage")
    assert [r.source for r in make_spool(tmp_path).read().records] == rest_sources


def test_a_long_outage_compacts_once_half_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the threshold and half the file, the rest is copied to a new spool."""
    monkeypatch.setattr(spool_module, "COMPACT_AT", 1000)
    spool = make_spool(tmp_path)
    spool.append([record(n) for n in range(20)])
    inode = spool.path.stat().st_ino
    read = spool.read(limit=5)  # a quarter: kept, the position moves
    assert read.end > 1000
    assert spool.drop_through(read.end) is False
    assert spool.path.stat().st_ino == inode
    read = spool.read(limit=6)  # past half: compacted
    assert spool.drop_through(read.end) is False
    assert spool.path.stat().st_ino != inode
    assert not spool.position_path.exists()
    assert not spool.path.with_name(spool.path.name + ".new").exists()
    assert stat.S_IMODE(spool.path.stat().st_mode) == 0o600
    assert [r.source for r in make_spool(tmp_path).read().records] == [
        f"n{n}" for n in range(11, 20)
    ]
    assert spool.count() == 9


def test_discard_removes_every_file(tmp_path: Path) -> None:
    spool = make_spool(tmp_path)
    spool.append([record(n) for n in range(3)])
    spool.drop_through(spool.read(limit=1).end)
    spool.set_aside([record(9)])
    assert discard(spool.path) == 4  # the lines of the spool and the refused file
    assert list(spool.path.parent.iterdir()) == []


def test_unreachable_means_the_connection_not_a_refusal() -> None:
    assert database_unreachable(lost_connection())
    assert not database_unreachable(IntegrityError("INSERT", {}, ValueError("dup")))
    assert not database_unreachable(ValueError("x"))
    assert database_unreachable(psycopg2.OperationalError("server closed"))
    assert database_unreachable(psycopg2.InterfaceError("connection already closed"))
    assert not database_unreachable(psycopg2.IntegrityError("dup"))


# ---- the writer around it


async def test_records_wait_in_order_and_land_once(
    tmp_path: Path, db: Database
) -> None:
    switch = Switch(db)
    writer = RecordWriter(switch.write, asyncio.to_thread)
    seen: list[int] = []
    writer.on_waiting = seen.append
    spool = make_spool(tmp_path)
    await writer.async_use_spool(spool, switch.write_once)
    assert await writer.submit(record(0)) is not None  # the database is there
    switch.away = True
    # Away: the callers return once their records are on disk, with no id.
    assert await asyncio.gather(*(writer.submit(record(n)) for n in (1, 2, 3))) == [
        None,
        None,
        None,
    ]
    assert spool.count() == 3 == writer.waiting
    # Waiting records come first: a new one goes behind them, not to the database.
    calls = switch.calls
    assert await writer.submit(record(4)) is None
    assert switch.calls == calls
    assert writer.waiting == 4
    switch.away = False
    writer.wake()
    while writer.waiting:
        await asyncio.sleep(0.01)
    assert sources(db) == ["n0", "n1", "n2", "n3", "n4"]
    assert not spool.path.exists()
    assert seen[0] >= 1 and seen[-1] == 0
    assert writer.stats.spooled == 4 and writer.stats.replayed == 4
    # Back to direct commits.
    assert await writer.submit(record(5)) is not None
    assert sources(db)[-1] == "n5"
    await writer.async_stop()


async def test_crash_between_commit_and_drop_does_not_duplicate(
    tmp_path: Path, db: Database
) -> None:
    spool = make_spool(tmp_path)
    spool.append([record(n) for n in range(5)])
    # The replay of a process that died after its commit, before the drop:
    db.add_audits_once(spool.read().records[:3])
    assert spool.count() == 5
    # The next start replays the spool: only the two records not written.
    switch = Switch(db)
    writer = RecordWriter(switch.write, asyncio.to_thread)
    await writer.async_use_spool(make_spool(tmp_path), switch.write_once)
    while writer.waiting:
        await asyncio.sleep(0.01)
    assert sources(db) == ["n0", "n1", "n2", "n3", "n4"]
    assert writer.stats.replayed == 2 and writer.stats.replay_skipped == 3
    assert not spool.path.exists()
    await writer.async_stop()


async def test_commit_whose_answer_was_lost_is_not_written_twice(
    tmp_path: Path, db: Database
) -> None:
    switch = Switch(db)
    writer = RecordWriter(switch.write, asyncio.to_thread)
    await writer.async_use_spool(make_spool(tmp_path), switch.write_once)
    switch.lose_answer = True
    assert await asyncio.gather(writer.submit(record(0)), writer.submit(record(1))) == [
        None,
        None,
    ]
    switch.lose_answer = False
    writer.wake()
    while writer.waiting:
        await asyncio.sleep(0.01)
    assert sources(db) == ["n0", "n1"]
    assert writer.stats.replay_skipped == 2
    await writer.async_stop()


async def test_without_a_spool_or_for_a_refusal_the_callers_get_the_error(
    tmp_path: Path, db: Database
) -> None:
    switch = Switch(db)
    writer = RecordWriter(switch.write, asyncio.to_thread)
    switch.away = True
    with pytest.raises(OperationalError):
        await writer.submit(record(0))
    switch.away = False
    await writer.async_use_spool(make_spool(tmp_path), switch.write_once)
    assert await writer.submit(record(1)) is not None
    # A record refused by the database (its key is there already) is not spooled.
    with pytest.raises(IntegrityError):
        await writer.submit(record(1))
    assert writer.waiting == 0
    await writer.async_stop()


async def test_records_wait_across_a_restart(tmp_path: Path, db: Database) -> None:
    switch = Switch(db)
    switch.away = True
    writer = RecordWriter(switch.write, asyncio.to_thread)
    await writer.async_use_spool(make_spool(tmp_path), switch.write_once)
    assert await writer.submit(record(0)) is None
    await writer.async_stop()  # shut down while the database is away
    assert sources(db) == []
    switch.away = False
    restarted = RecordWriter(switch.write, asyncio.to_thread)
    await restarted.async_use_spool(make_spool(tmp_path), switch.write_once)
    assert restarted.waiting == 1
    while restarted.waiting:
        await asyncio.sleep(0.01)
    assert sources(db) == ["n0"]
    await restarted.async_stop()


@pytest.mark.both_databases
async def test_a_refused_record_is_set_aside_and_holds_up_nothing(
    tmp_path: Path, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """One record the database refuses among many: the rest are written in order.

    The refused one (here a record without its reason, which the column
    does not allow) is kept sealed in ``<spool>.refused``, not dropped; the
    log gives the database's reason and no name (PostgreSQL's DETAIL line
    would repeat the row).
    """
    db = Database(db_url)
    db.migrate()
    spool = make_spool(tmp_path)
    refused = replace(record(4), reason=None)  # type: ignore[arg-type]
    spool.append([record(n) for n in range(4)] + [refused])
    spool.append([record(n) for n in range(5, 10)])
    switch = Switch(db)
    writer = RecordWriter(switch.write, asyncio.to_thread)
    told: list[int] = []
    writer.on_refused = told.append
    await writer.async_use_spool(make_spool(tmp_path), switch.write_once)
    async with asyncio.timeout(10):
        while writer.waiting:
            await asyncio.sleep(0.01)
    assert sources(db) == [f"n{n}" for n in range(10) if n != 4]
    assert not spool.path.exists()
    assert spool.refused() == 1 and told == [1]
    vault = make_vault()
    kept = Spool(spool.refused_path, vault.encrypt, vault.decrypt).read().records
    assert [(r.source, r.reason) for r in kept] == [("n4", None)]
    assert stat.S_IMODE(spool.refused_path.stat().st_mode) == 0o600
    assert NAME.encode() not in spool.refused_path.read_bytes()
    assert writer.stats.replayed == 9 and writer.stats.replay_refused == 1
    assert "refused an access record" in caplog.text
    assert "NOT NULL" in caplog.text or "not-null" in caplog.text
    assert NAME not in caplog.text
    # New records go straight to the database again.
    assert await writer.submit(record(10)) is not None
    await writer.async_stop()
    db.close()


def test_the_refusal_reason_leaves_the_row_out() -> None:
    """PostgreSQL's DETAIL line repeats the refused row: only the first line is kept."""
    err = IntegrityError(
        "INSERT",
        {},
        ValueError(
            'null value in column "reason" violates not-null constraint\n'
            f"DETAIL:  Failing row contains (1, {NAME}, 3-2-501)."
        ),
    )
    reason = refusal_reason(err)
    assert reason == (
        'ValueError: null value in column "reason" violates not-null constraint'
    )
    assert NAME not in reason
