"""The access-record writer: batched commits, one at a time, nothing dropped."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
import threading
from typing import Any

import pytest

from custom_components.community_access.core.community import Community
from custom_components.community_access.core.decision import Decision, Reason
from custom_components.community_access.core.models import CredentialKind
from custom_components.community_access.core.recorder import RecordWriter
from custom_components.community_access.core.storage import AuditQuery, AuditRecord

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def record(n: int) -> AuditRecord:
    """A denied presentation at the gate, told apart by its note."""
    return AuditRecord(
        at=T0, granted=False, reason="unknown", door_id="gate", note=str(n)
    )


class GatedStore:
    """Writes batches only when the test lets it; remembers each batch."""

    def __init__(self) -> None:
        self.batches: list[list[str | None]] = []
        self.gate = threading.Event()
        self.fail_next = False
        self._next_id = 1

    def write(self, records: Sequence[AuditRecord]) -> list[int]:
        assert self.gate.wait(5)
        if self.fail_next:
            self.fail_next = False
            raise OSError("disk full")
        self.batches.append([r.note for r in records])
        ids = list(range(self._next_id, self._next_id + len(records)))
        self._next_id += len(records)
        return ids


async def test_records_queued_during_a_commit_share_the_next_one() -> None:
    store = GatedStore()
    writer = RecordWriter(store.write, asyncio.to_thread)
    first = writer.submit(record(0))
    await asyncio.sleep(0.05)  # the first commit is under way, held by the gate
    rest = [writer.submit(record(n)) for n in range(1, 6)]
    assert writer.pending == 5
    store.gate.set()
    ids = await asyncio.gather(first, *rest)
    assert ids == [1, 2, 3, 4, 5, 6]
    assert store.batches == [["0"], ["1", "2", "3", "4", "5"]]
    assert writer.stats.batches == 2
    assert writer.stats.largest_batch == 5
    assert writer.stats.records == 6


async def test_a_failed_commit_fails_its_callers_and_the_writer_goes_on() -> None:
    store = GatedStore()
    store.fail_next = True
    store.gate.set()
    writer = RecordWriter(store.write, asyncio.to_thread)
    failed = [writer.submit(record(n)) for n in range(3)]
    for future in failed:
        with pytest.raises(OSError, match="disk full"):
            await future
    assert writer.stats.failed_batches == 1
    assert await writer.submit(record(9)) == 1
    assert store.batches == [["9"]]


async def test_a_caller_that_stops_waiting_still_gets_its_record_written() -> None:
    store = GatedStore()
    writer = RecordWriter(store.write, asyncio.to_thread)

    async def present() -> int:
        return await writer.submit(record(1))

    task = asyncio.create_task(present())
    await asyncio.sleep(0.05)
    task.cancel()
    store.gate.set()
    await writer.drain()
    assert store.batches == [["1"]]
    assert writer.pending == 0


async def test_drain_waits_for_everything_queued() -> None:
    store = GatedStore()
    writer = RecordWriter(store.write, asyncio.to_thread)
    futures = [writer.submit(record(n)) for n in range(4)]
    asyncio.get_running_loop().call_later(0.05, store.gate.set)
    await writer.drain()
    assert all(f.done() for f in futures)
    assert sum(len(b) for b in store.batches) == 4


async def test_community_batches_concurrent_presentations(community: Community) -> None:
    """Fifty presentations at once: all recorded, in fewer commits than records."""
    decided: list[Decision] = []
    results = await asyncio.gather(
        *(
            community.present(
                "gate",
                CredentialKind.CARD,
                str(9_000_000 + n),
                T0,
                on_decided=decided.append,
            )
            for n in range(50)
        )
    )
    assert all(r.reason is Reason.UNKNOWN_CREDENTIAL for r in results)
    assert decided == results
    rows = await community.query_access_log(AuditQuery(limit=100))
    assert len(rows) == 50
    stats: Any = community.writer.stats
    assert stats.records == 50
    assert stats.batches < 50


async def test_the_door_is_told_before_the_commit(community: Community) -> None:
    """``on_decided`` runs while the record is still queued, not yet written."""
    seen: list[int] = []
    await community.present(
        "gate",
        CredentialKind.CARD,
        "12345678",
        T0,
        on_decided=lambda _d: seen.append(community.writer.stats.records),
    )
    assert seen == [0]
    assert community.writer.stats.records == 1
