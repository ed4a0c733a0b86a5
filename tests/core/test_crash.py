"""Access records survive ``kill -9``: a presentation that returned is on disk.

The access record is committed by a batching writer while the door is
already opening (issue 14). The guarantee kept: once ``present`` has
returned, its record is in the database, whatever happens to the process
next. A child process presents phone tags with 16 calls in flight and prints each
call that returned; it is killed with SIGKILL after a varying number of
returns, and every printed call must be found in the database with the
decision it returned. On PostgreSQL a second test stops the server under the
presenter: calls then return once their record is in the local spool, and
after the kill and the server's return every returned call is in the
database exactly once.
"""

from __future__ import annotations

import asyncio
from collections import Counter
import os
from pathlib import Path
import signal
import subprocess
import sys
import time

import pytest

from custom_components.community_access.core.models import CredentialKind, Role
from custom_components.community_access.core.spool import Spool
from custom_components.community_access.core.storage import AuditQuery, Database
from tests.pgserver import PgServer

from .common import make_vault, open_community
from .crash_presenter import tag

# On SQLite and on PostgreSQL (the child process connects to the same URL).
pytestmark = pytest.mark.both_databases

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 20


async def _populate(db_url: str) -> str:
    community = await open_community(db_url)
    await community.add_household("3-2-501")
    for n in range(PEOPLE):
        person = await community.add_person(
            name=f"Resident {n}", role=Role.FAMILY, unit="3-2-501"
        )
        await community.add_credential(
            person_id=person.id, kind=CredentialKind.PHONE_TAG, value=tag(n)
        )
    await community.async_close()
    return db_url


def _run_and_kill(url: str, after: int) -> dict[str, int]:
    """Start the presenter, SIGKILL it after ``after`` returned calls."""
    child = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "tests.core.crash_presenter", url, str(PEOPLE)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    returned: dict[str, int] = {}
    assert child.stdout is not None
    try:
        for line in child.stdout:
            n, granted = line.split()
            returned[f"n{n}"] = int(granted)
            if len(returned) >= after:
                break
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        assert child.stderr is not None
        errors = child.stderr.read()
        child.stdout.close()
        child.stderr.close()
    assert len(returned) >= after, errors
    assert child.returncode == -signal.SIGKILL
    return returned


@pytest.mark.parametrize("after", [1, 150, 700])
async def test_every_returned_presentation_survives_kill_9(
    db_url: str, after: int
) -> None:
    url = await _populate(db_url)
    returned = _run_and_kill(url, after)
    db = Database(url)
    try:
        rows = db.query_audit(AuditQuery(limit=1_000_000))
    finally:
        db.close()
    on_disk = {row.source: row for row in rows}
    missing = sorted(set(returned) - set(on_disk))
    assert not missing, f"{len(missing)} returned presentations lost: {missing[:5]}"
    for source, granted in returned.items():
        assert on_disk[source].granted == bool(granted)
    # The calls in flight when the process died may or may not be on disk;
    # there are at most 16 of them (plus the batch being written).
    assert len(on_disk) >= len(returned)
    assert {row.door_id for row in rows} == {"gate"}
    assert any(row.granted for row in rows)
    assert any(not row.granted for row in rows)


def _outage_and_kill(
    url: str, spool: Spool, server: PgServer
) -> tuple[dict[str, int], str]:
    """Start the presenter with ``spool``; stop the server after 50 returned
    calls; SIGKILL the presenter 300 calls and 100 spooled records later;
    start the server again."""
    child = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [
            sys.executable,
            "-m",
            "tests.core.crash_presenter",
            url,
            str(PEOPLE),
            str(spool.path),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    returned: dict[str, int] = {}
    stopped_at: int | None = None
    assert child.stdout is not None
    try:
        for line in child.stdout:
            n, granted = line.split()
            returned[f"n{n}"] = int(granted)
            if stopped_at is None and len(returned) >= 50:
                server.stop_only()
                stopped_at = len(returned)
            elif (
                stopped_at is not None
                and len(returned) >= stopped_at + 300
                and spool.count() >= 100
            ):
                break
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        assert child.stderr is not None
        errors = child.stderr.read()
        child.stdout.close()
        child.stderr.close()
        if stopped_at is not None:
            server.start_again()
    assert stopped_at is not None, errors
    assert child.returncode == -signal.SIGKILL, errors
    return returned, errors


async def test_presentations_spooled_while_the_database_is_away_survive_kill_9(
    pg_server: PgServer, pg_migrated_url: str, tmp_path: Path
) -> None:
    """The server stops under the presenter: calls return from the spool; kill -9.

    Every call that returned, before or during the outage, is in the
    database exactly once after the server is back and a new process has
    replayed the spool.
    """
    url = await _populate(pg_migrated_url)
    path = tmp_path / "records.spool"
    vault = make_vault()
    spool = Spool(path, vault.encrypt, vault.decrypt)
    returned, errors = await asyncio.to_thread(_outage_and_kill, url, spool, pg_server)
    assert spool.count() >= 100, errors

    # A new process starts: the spool is replayed into the database.
    community = await open_community(url)
    try:
        await community.writer.async_use_spool(
            Spool(path, vault.encrypt, vault.decrypt), community.db.add_audits_once
        )
        start = time.monotonic()
        while community.writer.waiting:
            assert time.monotonic() - start < 30, community.writer.waiting
            await asyncio.sleep(0.05)
        assert community.writer.stats.replayed >= 100
    finally:
        await community.async_close()
    assert not path.exists()
    db = Database(url)
    try:
        rows = db.query_audit(AuditQuery(limit=1_000_000))
    finally:
        db.close()
    counts = Counter(row.source for row in rows)
    twice = [source for source, count in counts.items() if count > 1]
    assert not twice, f"{len(twice)} records written twice: {twice[:5]}"
    missing = sorted(set(returned) - set(counts))
    assert not missing, f"{len(missing)} returned presentations lost: {missing[:5]}"
    on_disk = {row.source: row for row in rows}
    for source, granted in returned.items():
        assert on_disk[source].granted == bool(granted)
