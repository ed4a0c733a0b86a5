"""One writer for the access record: batched commits, the door never waits.

Every access record goes through :class:`RecordWriter`. A presentation
queues its record and may open the door at once; its caller then awaits the
record's commit, so a call that has returned has its record in the database
(also after ``kill -9``). Records queued while a commit is under way are
written together in the next transaction: one thread hop and one commit for
a burst, not one each.

Pure asyncio: the blocking write runs through the community's executor.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .storage import AuditRecord

#: Writes records in one transaction and returns their ids, in order.
WriteBatch = Callable[[Sequence[AuditRecord]], list[int]]
Executor = Callable[..., Awaitable[Any]]
#: Turns of the event loop a batch stays open after its first record.
COMMIT_TURNS = 2


@dataclass(slots=True)
class WriterStats:
    """What the writer has done since it started (diagnostics, benchmarks)."""

    records: int = 0
    batches: int = 0
    largest_batch: int = 0
    failed_batches: int = 0


class RecordWriter:
    """Queue access records and commit them in batches, one batch at a time."""

    def __init__(
        self, write_batch: WriteBatch, run: Executor, turns: int = COMMIT_TURNS
    ) -> None:
        """Write with ``write_batch`` through ``run`` (a worker thread).

        ``turns``: turns of the event loop between a batch's first record and
        its hand-over to the worker thread.
        """
        self.turns = turns
        self._write_batch = write_batch
        self._run = run
        self._queue: list[tuple[AuditRecord, asyncio.Future[int]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.stats = WriterStats()

    @property
    def pending(self) -> int:
        """Records queued and not yet handed to a transaction."""
        return len(self._queue)

    def submit(self, record: AuditRecord) -> asyncio.Future[int]:
        """Queue a record; the future gives its id once committed.

        The record is written even if the caller stops waiting for it.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()
        self._queue.append((record, future))
        if self._flusher is None:
            self._flusher = loop.create_task(self._flush(), name="access record writer")
        return future

    async def drain(self) -> None:
        """Wait until everything queued so far is committed (or has failed)."""
        while self._flusher is not None:
            await asyncio.shield(self._flusher)

    async def _flush(self) -> None:
        try:
            # The group-commit window: the doors told of the first records
            # get the loop (and the GIL) before this write competes for it,
            # and what arrives meanwhile shares the commit.
            for _ in range(self.turns):
                await asyncio.sleep(0)
            while self._queue:
                batch, self._queue = self._queue, []
                await self._commit(batch)
        finally:
            self._flusher = None

    async def _commit(
        self, batch: list[tuple[AuditRecord, asyncio.Future[int]]]
    ) -> None:
        try:
            ids: list[int] = await self._run(
                self._write_batch, [record for record, _ in batch]
            )
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        except Exception as err:  # noqa: BLE001 - handed to every waiting caller
            self.stats.failed_batches += 1
            for _, future in batch:
                if not future.done():
                    future.set_exception(err)
            return
        self.stats.records += len(batch)
        self.stats.batches += 1
        self.stats.largest_batch = max(self.stats.largest_batch, len(batch))
        for (_, future), record_id in zip(batch, ids, strict=True):
            if not future.done():
                future.set_result(record_id)
