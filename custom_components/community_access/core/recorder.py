"""One writer for the access record: batched commits, the door never waits.

Every access record goes through :class:`RecordWriter`. A presentation
queues its record and may open the door at once; its caller then awaits the
record's commit, so a call that has returned has its record in the database
(also after ``kill -9``). Records queued while a commit is under way are
written together in the next transaction: one thread hop and one commit for
a burst, not one each.

When the database cannot be reached and a :class:`Spool` is attached, a
batch whose commit failed is kept in the spool instead (its callers return
once it is on disk, with no record id), later records follow it there, and
a background task moves them into the database with back-off, exactly once
(see ``core/spool.py``). Without a spool the callers get the error.

Pure asyncio: the blocking write runs through the community's executor.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
import contextlib
from dataclasses import dataclass, replace
import logging
from typing import Any
import uuid

from .spool import Spool, database_unreachable
from .storage import AuditRecord

_LOGGER = logging.getLogger(__name__)

#: Writes records in one transaction and returns their ids, in order.
WriteBatch = Callable[[Sequence[AuditRecord]], list[int]]
#: Writes the records whose uid is not in the database yet (the replay).
WriteOnce = Callable[[Sequence[AuditRecord]], list[int | None]]
Executor = Callable[..., Awaitable[Any]]
#: Turns of the event loop a batch stays open after its first record.
COMMIT_TURNS = 2
#: Retrying the database while records wait: 1 s doubling to 30 s.
RETRY_FIRST = 1.0
RETRY_MAX = 30.0
#: Spooled records moved per transaction.
REPLAY_BATCH = 5000


@dataclass(slots=True)
class WriterStats:
    """What the writer has done since it started (diagnostics, benchmarks)."""

    records: int = 0
    batches: int = 0
    largest_batch: int = 0
    failed_batches: int = 0
    #: Records kept in the spool (database away) and moved on into the database.
    spooled: int = 0
    replayed: int = 0
    #: Spooled records found in the database already when moved (not written again).
    replay_skipped: int = 0
    #: Spooled records the database refused, set aside (``Spool.set_aside``).
    replay_refused: int = 0


def refusal_reason(err: BaseException) -> str:
    """Return the database's reason for refusing a write, without the values.

    Its first line only: PostgreSQL's DETAIL lines repeat the row (a name,
    a unit), which must not reach the log; the SQL's parameters are hidden
    by the engine.
    """
    cause = getattr(err, "orig", None) or err
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}".rstrip(": ")


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
        self._queue: list[tuple[AuditRecord, asyncio.Future[int | None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.stats = WriterStats()
        self.spool: Spool | None = None
        self._write_once: WriteOnce | None = None
        #: Records in the spool, waiting for the database.
        self.waiting = 0
        #: Told the number of records waiting whenever it changes.
        self.on_waiting: Callable[[int], None] | None = None
        #: Told the number of records set aside as refused when it grows.
        self.on_refused: Callable[[int], None] | None = None
        self._spool_lock = asyncio.Lock()
        self._replayer: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._closed = False

    async def async_use_spool(self, spool: Spool, write_once: WriteOnce) -> None:
        """Keep records in ``spool`` while the database is away; replay what it holds.

        ``write_once`` writes the records whose uid the database lacks (the
        replay). Records left by a previous run are moved in at once.
        """
        self.spool = spool
        self._write_once = write_once
        self.waiting = await self._run(spool.count)
        if self.waiting:
            _LOGGER.warning(
                "%d access records kept while the database was away: writing them",
                self.waiting,
            )
            self._notify()
            self._start_replay(at_once=True)

    def wake(self) -> None:
        """Retry the database now (it is back: the change feed reconnected)."""
        self._wake.set()

    async def async_stop(self, timeout: float = 10.0) -> None:
        """Stop retrying (what waits stays in the spool for the next start)."""
        self._closed = True
        self._wake.set()
        task = self._replayer
        if task is None or task.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def pending(self) -> int:
        """Records queued and not yet handed to a transaction."""
        return len(self._queue)

    def submit(self, record: AuditRecord) -> asyncio.Future[int | None]:
        """Queue a record; the future gives its id once committed.

        None: the database was away, the record is kept in the spool (it gets
        an id when it reaches the database). The record is written even if
        the caller stops waiting for it.
        """
        if record.uid is None:
            record = replace(record, uid=uuid.uuid4().hex)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int | None] = loop.create_future()
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
        self, batch: list[tuple[AuditRecord, asyncio.Future[int | None]]]
    ) -> None:
        if self.waiting and self.spool is not None:
            # Records wait for the database: this batch goes behind them.
            await self._to_spool(batch, None)
            return
        try:
            ids: list[int] = await self._run(
                self._write_batch, [record for record, _ in batch]
            )
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        except Exception as err:  # noqa: BLE001 - handed to every waiting caller
            if self.spool is not None and database_unreachable(err):
                _LOGGER.warning(
                    "Database unreachable (%s): access records kept in the spool",
                    type(err).__name__,
                )
                await self._to_spool(batch, err)
                return
            self._fail(batch, err)
            return
        self.stats.records += len(batch)
        self.stats.batches += 1
        self.stats.largest_batch = max(self.stats.largest_batch, len(batch))
        for (_, future), record_id in zip(batch, ids, strict=True):
            if not future.done():
                future.set_result(record_id)

    def _fail(
        self,
        batch: list[tuple[AuditRecord, asyncio.Future[int | None]]],
        err: BaseException,
    ) -> None:
        self.stats.failed_batches += 1
        for _, future in batch:
            if not future.done():
                future.set_exception(err)

    # ---- the spool (database away)
    async def _to_spool(
        self,
        batch: list[tuple[AuditRecord, asyncio.Future[int | None]]],
        cause: BaseException | None,
    ) -> None:
        spool = self.spool
        assert spool is not None
        records = [record for record, _ in batch]
        async with self._spool_lock:
            try:
                await self._run(spool.append, records)
            except asyncio.CancelledError:
                for _, future in batch:
                    future.cancel()
                raise
            except Exception as err:  # noqa: BLE001 - no disk either: the callers know
                _LOGGER.error("Access record spool not writable: %s", err)
                self._fail(batch, cause or err)
                return
            self.waiting += len(records)
        self.stats.spooled += len(records)
        for _, future in batch:
            if not future.done():
                future.set_result(None)
        self._notify()
        self._start_replay(at_once=False)

    def _notify(self) -> None:
        if self.on_waiting is not None:
            self.on_waiting(self.waiting)

    def _start_replay(self, *, at_once: bool) -> None:
        if self._closed or (self._replayer is not None and not self._replayer.done()):
            return
        self._replayer = asyncio.get_running_loop().create_task(
            self._replay(at_once), name="access record spool replay"
        )

    async def _replay(self, at_once: bool) -> None:
        """Move the spooled records into the database, retrying with back-off."""
        spool, write_once = self.spool, self._write_once
        assert spool is not None and write_once is not None
        delay = RETRY_FIRST
        if not at_once:
            await self._pause(delay)
        while self.waiting and not self._closed:
            try:
                async with self._spool_lock:
                    read = await self._run(spool.read, REPLAY_BATCH)
                refused: list[AuditRecord] = []
                ids = await self._write_accepted(write_once, read.records, refused)
                if refused:
                    await self._set_aside(spool, refused)
                # Written: a crash from here until the drop replays them again,
                # and the database skips them (their uids are there).
                async with self._spool_lock:
                    emptied = await self._run(spool.drop_through, read.end)
                    self.waiting = 0 if emptied else max(self.waiting - read.lines, 0)
            except Exception as err:  # noqa: BLE001 - still away, or the disk: later
                _LOGGER.debug("Spool replay failed (%s)", type(err).__name__)
                delay = min(delay * 2, RETRY_MAX)
                await self._pause(delay)
                continue
            written = sum(1 for i in ids if i is not None)
            self.stats.replayed += written
            self.stats.replay_skipped += len(ids) - written
            delay = RETRY_FIRST
            if not self.waiting:
                _LOGGER.info("Access records kept while the database was away: written")
            self._notify()

    async def _write_accepted(
        self,
        write_once: WriteOnce,
        records: Sequence[AuditRecord],
        refused: list[AuditRecord],
    ) -> list[int | None]:
        """Write spooled records; those the database refuses go to ``refused``.

        A refused batch is halved until each refused record stands alone
        (a few transactions for one bad record among thousands); the order
        of the others is kept. An unreachable database is raised as is.
        """
        if not records:
            return []
        try:
            ids: list[int | None] = await self._run(write_once, records)
        except Exception as err:
            if database_unreachable(err):
                raise
            if len(records) == 1:
                _LOGGER.warning(
                    "The database refused an access record kept while it was away: %s",
                    refusal_reason(err),
                )
                refused.append(records[0])
                return []
        else:
            return ids
        half = len(records) // 2
        first = await self._write_accepted(write_once, records[:half], refused)
        return first + await self._write_accepted(write_once, records[half:], refused)

    async def _set_aside(self, spool: Spool, refused: list[AuditRecord]) -> None:
        """Keep refused records apart (before they leave the spool).

        A crash between this and their drop from the spool sets them aside
        again at the next replay: kept twice there, never lost.
        """
        total = await self._run(spool.set_aside, refused)
        self.stats.replay_refused += len(refused)
        _LOGGER.error(
            "%d access records kept while the database was away were refused by"
            " it; they are kept apart in %s",
            len(refused),
            spool.refused_path.name,
        )
        if self.on_refused is not None:
            self.on_refused(total)

    async def _pause(self, delay: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), delay)
