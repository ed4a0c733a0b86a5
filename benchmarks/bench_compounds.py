"""Several compounds on one PostgreSQL: how fast a change at A reaches B's index.

Two :class:`Community` instances (A and B: each its own memory, database
pool and change listener) in one process and one event loop, on a private
PostgreSQL server (``tests/pgserver.py``). For each change A commits a card
status (alternately ``lost`` and ``active``); the figure is the time from the
return of A's commit to the moment B's index holds the new status (B's
listener woken by ``NOTIFY``, the row read in a worker thread, applied on the
loop). Then the catch-up: B stops listening, the server is restarted (every
connection cut), A writes ``--outage`` changes, B starts listening again
from the last change it applied; the figure is the time from that start
until all are in B's index.

    .venv/bin/python benchmarks/bench_compounds.py [--changes 300] [--outage 200]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import statistics
import sys
import time

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from custom_components.community_access.core.carddesk import CardDesk  # noqa: E402
from custom_components.community_access.core.changefeed import (  # noqa: E402
    ChangeListener,
    last_change_id,
)
from custom_components.community_access.core.community import Community  # noqa: E402
from custom_components.community_access.core.models import CredentialStatus, Role  # noqa: E402
from custom_components.community_access.core.storage import Database  # noqa: E402
from tests.core.common import make_id_number, open_community  # noqa: E402
from tests.pgserver import start_server  # noqa: E402

LOST = CredentialStatus.LOST
ACTIVE = CredentialStatus.ACTIVE


async def _instance(url: str) -> tuple[Community, ChangeListener]:
    after = await asyncio.to_thread(last_change_id, Database(url))
    community = await open_community(url)
    listener = ChangeListener(community, after)
    await listener.async_start()
    return community, listener


async def _wait(check, budget: float = 30.0) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    while not check():
        if time.perf_counter() - start > budget:
            raise TimeoutError
        await asyncio.sleep(0)  # yield only: the listener runs on this loop
    return time.perf_counter()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def main(changes: int, outage: int) -> None:
    server = start_server()
    url = server.url(server.create_database("bench"))
    a, feed_a = await _instance(url)
    b, feed_b = await _instance(url)
    await a.add_household("3-2-501")
    owner = await a.add_person(
        name="张三", role=Role.OWNER, unit="3-2-501", id_number=make_id_number(7)
    )
    card = await CardDesk(a).issue_card(person_id=owner.id, card_number="4700517391")
    cid = card.credential.id
    await _wait(lambda: cid in b.index.credentials)

    latencies: list[float] = []
    for i in range(changes):
        status = LOST if i % 2 == 0 else ACTIVE
        await asyncio.to_thread(a.db.set_credential_status, cid, status)
        committed = time.perf_counter()
        seen = await _wait(lambda s=status: b.index.credentials[cid].status is s)
        latencies.append(seen - committed)
    ms = [x * 1000 for x in latencies]
    print(f"propagation A commit → B index over {changes} changes (ms):")
    print(
        f"  p50 {statistics.median(ms):.1f}  p99 {_pct(ms, 0.99):.1f}  "
        f"max {max(ms):.1f}  mean {statistics.fmean(ms):.1f}"
    )

    await feed_b.async_stop()
    await asyncio.to_thread(server.restart)
    for i in range(outage):
        status = LOST if i % 2 == 0 else ACTIVE
        for attempt in range(50):
            try:
                await asyncio.to_thread(a.db.set_credential_status, cid, status)
                break
            except Exception:  # noqa: BLE001 - A's pool after the restart
                if attempt == 49:
                    raise
                await asyncio.sleep(0.1)
    final = LOST if (outage - 1) % 2 == 0 else ACTIVE
    target = await asyncio.to_thread(last_change_id, a.db)
    start = time.perf_counter()
    feed_b = ChangeListener(b, feed_b.last_id)
    await feed_b.async_start()
    done = await _wait(lambda: feed_b.last_id >= target)
    assert b.index.credentials[cid].status is final
    print(
        f"catch-up after a server restart: {outage} changes applied "
        f"{(done - start) * 1000:.1f} ms after B's listener started"
    )
    for community, feed in ((a, feed_a), (b, feed_b)):
        await feed.async_stop()
        await community.async_close()
    server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=300)
    parser.add_argument("--outage", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.changes, args.outage))
