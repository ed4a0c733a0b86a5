"""Access records while the PostgreSQL server is away: spool latency and replay rate.

Run from the repository root::

    .venv/bin/python -m pytest benchmarks/bench_outage.py -s -q \\
        -p no:cacheprovider --rootdir=.

One :class:`Community` on a private PostgreSQL server (``tests/pgserver.py``)
with its record writer's spool in a temporary folder. ``BENCH_CALLS``
presentations (2000) with ``BENCH_CONCURRENCY`` (16) callers in flight are
timed three times: with the server up (records committed), with the server
stopped (records sealed, appended and fsync'd to the spool), and then the
server is started again and the time until every spooled record is in the
database is measured (the writer woken as the change feed's reconnect would).
Checks that every record is in the database exactly once.

``test_record_key_cost``: what the records' unique key (``audit_log.uid``
and its unique index, schema v11) costs the plain commit path: 300 batches
of 16 records written with and without it, alternately, on both databases.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime
import itertools
import os
from pathlib import Path
import statistics
import time
import uuid

from sqlalchemy import text

from custom_components.community_access.core.community import Community
from custom_components.community_access.core.models import CredentialKind, Role
from custom_components.community_access.core.spool import Spool
from custom_components.community_access.core.storage import (
    AuditQuery,
    AuditRecord,
    Database,
)
from tests.core.common import DOORS, TZ, make_vault
from tests.pgserver import PgServer

CALLS = int(os.environ.get("BENCH_CALLS", "2000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
PEOPLE = 50


def _tag(n: int) -> str:
    return f"tag-{n:06d}"


async def _present(community: Community, label: str) -> list[float]:
    """``CALLS`` presentations, ``CONCURRENCY`` in flight; each call's seconds."""
    counter = itertools.count()
    latencies: list[float] = []

    async def caller() -> None:
        while (n := next(counter)) < CALLS:
            start = time.perf_counter()
            await community.present(
                "gate",
                CredentialKind.PHONE_TAG,
                _tag(n % PEOPLE),
                datetime.now(UTC),
                source=f"{label}{n}",
            )
            latencies.append(time.perf_counter() - start)

    await asyncio.gather(*(caller() for _ in range(CONCURRENCY)))
    return latencies


def _report(label: str, latencies: list[float], wall: float) -> None:
    ordered = sorted(latencies)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    print(
        f"{label}: {len(ordered)} calls in {wall:.2f} s ({len(ordered) / wall:.0f}/s), "
        f"p50 {statistics.median(ordered) * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms, "
        f"max {ordered[-1] * 1000:.2f} ms"
    )


async def test_outage(pg_server: PgServer, tmp_path: Path) -> None:
    name = pg_server.create_database("bench")
    url = pg_server.url(name)
    vault = make_vault()
    community = Community(Database(url), vault, TZ, asyncio.to_thread)
    community.set_doors(DOORS)
    try:
        await community.async_load()
        await community.add_household("3-2-501")
        for n in range(PEOPLE):
            person = await community.add_person(
                name=f"Resident {n}", role=Role.FAMILY, unit="3-2-501"
            )
            await community.add_credential(
                person_id=person.id, kind=CredentialKind.PHONE_TAG, value=_tag(n)
            )
        writer = community.writer
        path = tmp_path / "records.spool"
        await writer.async_use_spool(
            Spool(path, vault.encrypt, vault.decrypt), community.db.add_audits_once
        )
        print(f"\nPostgreSQL (private server, unix socket), {CONCURRENCY} in flight")
        start = time.perf_counter()
        up = await _present(community, "up")
        _report("server up, committed", up, time.perf_counter() - start)

        await asyncio.to_thread(pg_server.stop_only)
        start = time.perf_counter()
        away = await _present(community, "away")
        _report("server stopped, spooled", away, time.perf_counter() - start)
        waiting = writer.waiting
        size = path.stat().st_size
        print(f"waiting {waiting} records, spool {size / waiting:.0f} bytes a record")

        await asyncio.to_thread(pg_server.start_again)
        start = time.perf_counter()
        writer.wake()
        while writer.waiting:
            await asyncio.sleep(0.005)
        replay = time.perf_counter() - start
        print(
            f"replay after the server started: {waiting} records in {replay:.2f} s "
            f"(the first attempts meet the pool's cut connections)"
        )
        rows = await community.run(
            community.db.query_audit, AuditQuery(limit=10 * CALLS)
        )
        counts = Counter(r.source for r in rows)
        assert len(counts) == 2 * CALLS and max(counts.values()) == 1
        assert writer.stats.spooled == waiting == CALLS
    finally:
        await community.async_close()
        pg_server.drop_database(name)


def _key_cost(url: str, label: str) -> None:
    """Write 300 batches of 16 records, with and without the key, alternately."""
    for variant in ("without", "with", "without", "with"):
        db = Database(url)
        db.migrate()
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_log"))
            if variant == "without":
                conn.execute(text("DROP INDEX IF EXISTS ix_audit_uid"))
            else:
                conn.execute(
                    text(
                        "CREATE UNIQUE INDEX IF NOT EXISTS ix_audit_uid "
                        "ON audit_log (uid)"
                    )
                )
        best = float("inf")
        for _ in range(3):
            batches = [
                [
                    AuditRecord(
                        at=datetime.now(UTC).replace(microsecond=0),
                        granted=True,
                        reason="granted",
                        door_id="gate",
                        person_name="Resident",
                        masked="****1234",
                        source=f"n{n}",
                        uid=uuid.uuid4().hex if variant == "with" else None,
                    )
                    for n in range(16)
                ]
                for _ in range(300)
            ]
            start = time.perf_counter()
            for batch in batches:
                db.add_audits(batch)
            best = min(best, time.perf_counter() - start)
        db.close()
        print(
            f"{label}, {variant} the key: 300 batches of 16 in {best:.3f} s "
            f"(best of 3, {4800 / best:.0f} records/s)"
        )


def test_record_key_cost(pg_server: PgServer, tmp_path: Path) -> None:
    name = pg_server.create_database("bench")
    print()
    try:
        _key_cost(pg_server.url(name), "PostgreSQL")
    finally:
        pg_server.drop_database(name)
    _key_cost(f"sqlite:///{tmp_path}/x.db", "SQLite")
