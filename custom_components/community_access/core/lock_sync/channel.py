"""The command side of a lock syncer: one lock's slot table and its commands.

:class:`LockChannel` is the base of :class:`.syncer.LockSyncer`. It keeps the
slot table and the lock's facts (in the database), runs planned operations,
reads the whole lock back, and sends every command one at a time, paced,
retried with back-off, each outcome recorded in the slot table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, replace
from datetime import datetime, timedelta
import functools
import logging
from typing import TYPE_CHECKING, Any, TypeVar

from custom_components.community_access.core.storage import (
    LockMetaRecord,
    LockSlotRecord,
)

from .desired import COMMUNITY_KIND
from .planner import Operation, OpKind
from .port import (
    USER_TYPE_UNRESTRICTED,
    USER_TYPE_WEEK_DAY,
    CredentialSlotKind,
    DuplicateCodeError,
    LockCapacity,
    LockCommandError,
    LockPort,
    LockTimeoutError,
    SlotReading,
)
from .slots import SlotState

if TYPE_CHECKING:
    from custom_components.community_access.core.community import Community

_LOGGER = logging.getLogger(__name__)
T = TypeVar("T")


class GaveUp(Exception):
    """A command failed ``max_attempts`` times."""

    def __init__(self, timeout: bool) -> None:
        """Note whether the last failure was a timeout (the lock is not answering)."""
        super().__init__("gave up")
        self.timeout = timeout


class DuplicateRefused(Exception):
    """The lock refused a code another of its users has (never retried as such)."""


FailedCallback = Callable[[str, int, int | None, str], None]
UnmanagedCallback = Callable[[str, int, CredentialSlotKind, int | None], None]


class LockChannel:
    """One lock's slot table and the commands that change the lock.

    Commands go one at a time, at least ``min_interval`` seconds apart; a
    failed one is read back, backed off and retried up to ``max_attempts``
    times before its slot is failed (retried after ``slow_retry``).
    """

    def __init__(
        self,
        community: Community,
        lock_id: str,
        port: LockPort,
        *,
        clock: Callable[[], datetime],
        sleep: Callable[[float], Awaitable[Any]],
        min_interval: float,
        max_attempts: int,
        backoff_base: float,
        backoff_cap: float,
        slow_retry: timedelta,
        on_failed: FailedCallback | None,
        on_unmanaged: UnmanagedCallback | None,
    ) -> None:
        """Wire a lock (nothing is read or sent yet)."""
        self.community = community
        self.lock_id = lock_id
        self.port = port
        self._clock = clock
        self._sleep = sleep
        self.min_interval = min_interval
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.slow_retry = slow_retry
        self.on_failed = on_failed
        self.on_unmanaged = on_unmanaged
        self.slots: dict[int, LockSlotRecord] = {}
        self.meta: LockMetaRecord | None = None
        self.commands_sent = 0
        #: A reading showed an occupied slot without its code (write-only).
        self.codes_hidden = False
        self._loaded = False
        self._last_command: datetime | None = None

    @property
    def capacity(self) -> LockCapacity | None:
        """The lock's capacity as last read (None before first contact)."""
        if self.meta is None or self.meta.capacity is None:
            return None
        facts = dict(self.meta.capacity)
        readable = bool(facts.pop("codes_readable", True))
        return LockCapacity(**facts, codes_readable=readable)

    @property
    def write_only(self) -> bool:
        """Whether the lock keeps its codes write-only (reads tell no code).

        Then a slot that reads occupied is taken to hold what the slot table
        says was written there; the value itself cannot be compared.
        """
        capacity = self.capacity
        return self.codes_hidden or (
            capacity is not None and not capacity.codes_readable
        )

    # ---- running one planned operation
    async def _run(self, op: Operation) -> None:
        if op.op is OpKind.CLEAR:
            await self._clear(op)
        elif op.op is OpKind.LOCKOUT:
            await self._write_lockout(op)
        elif op.op is OpKind.SCHEDULE:
            row = self.slots[op.user_id]
            await self._send_schedule(op, row)
            await self._persist(
                replace(
                    row,
                    schedule_fp=op.schedule.fingerprint,
                    attempts=0,
                    last_error=None,
                )
            )
        else:
            await self._write(op)

    async def _write(self, op: Operation) -> None:
        assert op.kind is not None and op.credential_id is not None
        kind, uid = op.kind, op.user_id
        previous = self.slots.get(uid)
        # Whether the slot held nothing else before this write: on a lock with
        # write-only codes, "occupied" then proves that the write landed.
        fresh = (
            previous is None
            or previous.state == SlotState.EMPTY
            or (
                previous.credential_id == op.credential_id
                and previous.digest == op.digest
            )
        )
        row = LockSlotRecord(
            lock_id=self.lock_id,
            user_id=uid,
            kind=kind.value,
            state=SlotState.PENDING,
            credential_id=op.credential_id,
            digest=op.digest,
            schedule_fp=op.schedule.fingerprint,
        )
        if op.op is OpKind.VERIFY and await self._landed(op, trust_hidden=fresh):
            # The write before a restart or a failure did land: no rewrite.
            # Its schedules may not have been sent: send them again.
            await self._send_schedule(replace(op, previous_week_days=None), row)
            await self._persist(replace(row, state=SlotState.SYNCED))
            return
        await self._persist(row)
        code = await self._secret(op.credential_id)
        if code is None:
            failed = replace(
                row,
                state=SlotState.FAILED,
                last_error="value_unavailable",
                next_attempt_at=self._clock() + self.slow_retry,
            )
            await self._persist(failed)
            self._report_failed(failed)
            return
        shape = op.schedule
        if not fresh and self.write_only:
            # A new code over another one cannot be told from it by a read:
            # empty the slot first, so that "occupied" confirms the write.
            await self._empty_slot(row, kind, uid)
            fresh = True

        async def send() -> None:
            await self.port.write_slot(kind, uid, code, user_type=shape.user_type)

        try:
            await self._attempt(row, send, lambda: self._landed(op, trust_hidden=fresh))
        except DuplicateRefused:
            await self._refused_as_duplicate(row)
            return
        await self._send_schedule(op, row)
        await self._persist(
            replace(row, state=SlotState.SYNCED, attempts=0, last_error=None)
        )

    async def _refused_as_duplicate(self, row: LockSlotRecord) -> None:
        """Keep a slot whose code the lock refused as a duplicate until a change.

        The lock holds the same code for another user; writing it again and
        again cannot help. The slot waits (see the planner) until the code
        changes, the other code is cleared or someone asks for a retry.
        """
        await self._persist(
            replace(
                row,
                state=SlotState.DUPLICATE,
                attempts=1,
                last_error="duplicate_code",
                next_attempt_at=None,
            )
        )
        conflict = self.duplicate_conflict(row.user_id)
        _LOGGER.warning(
            "Lock %s: slot %d refused credential %s: the lock has the same code "
            "in %s; not retried until that changes",
            self.lock_id,
            row.user_id + 1,
            row.credential_id,
            "a slot it did not report" if conflict is None else f"slot {conflict + 1}",
        )

    def duplicate_conflict(self, user_id: int) -> int | None:
        """Return the slot that holds the code a duplicate slot wants, if known.

        Known from the read-back (an unmanaged code with the same keyed hash)
        or one of our own confirmed slots; None when the lock holds it where
        the read-back did not see it.
        """
        row = self.slots.get(user_id)
        if row is None or row.digest is None:
            return None
        for uid, other in sorted(self.slots.items()):
            if (
                uid != user_id
                and other.digest == row.digest
                and other.state in (SlotState.UNMANAGED, SlotState.SYNCED)
            ):
                return uid
        return None

    async def _release_duplicates(self, digest: str | None) -> None:
        """Let slots refused for ``digest`` try again (a slot stopped holding it)."""
        if digest is None:
            return
        now = self._clock()
        for row in list(self.slots.values()):
            if row.state == SlotState.DUPLICATE and row.digest == digest:
                await self._persist(replace(row, next_attempt_at=now))

    async def _send_schedule(self, op: Operation, row: LockSlotRecord) -> None:
        uid = op.user_id
        shape = op.schedule
        capacity = self.capacity
        assert capacity is not None
        sends: list[Callable[[], Awaitable[None]]] = []
        if shape.year_day is not None:
            year_day = shape.year_day
            sends.append(lambda: self.port.set_year_day_schedule(uid, year_day))
        sends.extend(
            functools.partial(self.port.set_week_day_schedule, uid, entry)
            for entry in shape.week_days
        )
        if shape.user_type == USER_TYPE_WEEK_DAY:
            # Week-day ids an earlier occupant may have left would widen access.
            last = (
                op.previous_week_days
                if op.previous_week_days is not None
                else capacity.week_day_schedules_per_user
            )
            sends.extend(
                functools.partial(self.port.clear_week_day_schedule, uid, schedule_id)
                for schedule_id in range(len(shape.week_days), last)
            )
        if shape.user_type != USER_TYPE_UNRESTRICTED or op.op is OpKind.SCHEDULE:
            user_type = shape.user_type
            sends.append(lambda: self.port.set_user_type(uid, user_type))
        for send in sends:
            await self._attempt(row, send, None)

    async def _clear(self, op: Operation) -> None:
        assert op.kind is not None
        kind, uid = op.kind, op.user_id
        old = self.slots.get(uid)
        row = LockSlotRecord(
            lock_id=self.lock_id,
            user_id=uid,
            kind=kind.value,
            state=SlotState.PENDING,
            schedule_fp=old.schedule_fp if old is not None else None,
        )
        await self._persist(row)
        await self._empty_slot(row, kind, uid)
        await self._persist(
            replace(row, state=SlotState.EMPTY, attempts=0, last_error=None)
        )
        if old is not None and old.state != SlotState.DUPLICATE:
            await self._release_duplicates(old.digest)

    async def _empty_slot(
        self, row: LockSlotRecord, kind: CredentialSlotKind, uid: int
    ) -> None:
        """Clear one slot, read back on failure (raises GaveUp)."""

        async def empty() -> bool:
            reading = await self._command(lambda: self.port.read_slot(kind, uid))
            return not reading.occupied

        await self._attempt(row, lambda: self.port.clear_slot(kind, uid), empty)

    async def _write_lockout(self, op: Operation) -> None:
        assert op.lockout is not None
        limit, seconds = op.lockout
        try:
            await self._attempt(
                None, lambda: self.port.set_lockout(limit, seconds), None
            )
        except GaveUp as err:
            if err.timeout:
                raise
            # The lock refuses these attributes (read-only or unsupported on
            # some models): it keeps its own limit. Remember the settings as
            # handled, so that every run does not try again; a change of the
            # community's settings tries once more.
            _LOGGER.warning(
                "Lock %s refuses the wrong-code limit and lock-out time; "
                "it keeps its own",
                self.lock_id,
            )
        meta = self.meta or LockMetaRecord(self.lock_id)
        self.meta = replace(meta, lockout_limit=limit, lockout_seconds=seconds)
        await self.community.run(self.community.db.put_lock_meta, self.meta)

    async def _landed(self, op: Operation, *, trust_hidden: bool = False) -> bool:
        """Read a slot back and tell whether it holds the code being written.

        A slot that reads occupied without its code (write-only codes) counts
        as written when ``trust_hidden``: it held nothing else before.
        """
        assert op.kind is not None
        kind, uid = op.kind, op.user_id
        try:
            reading = await self._command(lambda: self.port.read_slot(kind, uid))
        except LockCommandError:
            return False
        if reading.occupied and not reading.code and not reading.code_readable:
            self.codes_hidden = True
            return trust_hidden
        return self._reading_digest(reading) == op.digest

    # ---- sending commands
    async def _attempt(
        self,
        row: LockSlotRecord | None,
        send: Callable[[], Awaitable[None]],
        verify: Callable[[], Awaitable[bool]] | None,
    ) -> None:
        """Send one command; on failure read back, back off and retry.

        After ``max_attempts`` the slot is failed (persisted, reported) and
        :class:`GaveUp` is raised.
        """
        attempts = 0
        while True:
            try:
                await self._command(send)
            except LockCommandError as err:
                error = err
            else:
                return
            if isinstance(error, DuplicateCodeError):
                # A definite answer, not a fault: nothing was stored, since
                # another user of the lock has the same code. No read-back,
                # no retry.
                raise DuplicateRefused from error
            if verify is not None:
                try:
                    if await verify():
                        return
                except LockCommandError:
                    pass
            attempts += 1
            described = _describe(error)
            timeout = isinstance(error, LockTimeoutError)
            if attempts >= self.max_attempts:
                if row is not None:
                    row = replace(
                        row,
                        state=SlotState.FAILED,
                        attempts=attempts,
                        last_error=described,
                        next_attempt_at=self._clock() + self.slow_retry,
                    )
                    await self._persist(row)
                    self._report_failed(row)
                _LOGGER.warning(
                    "Lock %s: giving up after %d attempts (%s)",
                    self.lock_id,
                    attempts,
                    described,
                )
                raise GaveUp(timeout)
            if row is not None:
                row = replace(row, attempts=attempts, last_error=described)
                await self._persist(row)
            await self._sleep(
                min(self.backoff_base * 2 ** (attempts - 1), self.backoff_cap)
            )

    async def _command(self, send: Callable[[], Awaitable[T]]) -> T:
        """Send one command, started at least ``min_interval`` after the last one."""
        if self._last_command is not None and self.min_interval > 0:
            elapsed = (self._clock() - self._last_command).total_seconds()
            if elapsed < self.min_interval:
                await self._sleep(self.min_interval - elapsed)
        self.commands_sent += 1
        self._last_command = self._clock()
        return await send()

    # ---- first contact and full read-back
    async def _readback(self) -> None:
        capacity: LockCapacity = await self._retrying(self.port.read_capacity)
        now = self._clock()
        meta = self.meta or LockMetaRecord(self.lock_id)
        meta = replace(meta, capacity=asdict(capacity), capacity_read_at=now)
        self.meta = meta
        await self.community.run(self.community.db.put_lock_meta, meta)
        total = max(capacity.pin_users, capacity.rfid_users)
        changed: list[LockSlotRecord] = []
        for uid in range(total):
            readings = []
            for kind in CredentialSlotKind:
                limit = (
                    capacity.pin_users
                    if kind is CredentialSlotKind.PIN
                    else capacity.rfid_users
                )
                if uid < limit:
                    readings.append(
                        await self._retrying(
                            functools.partial(self.port.read_slot, kind, uid)
                        )
                    )
            row = self._learn(uid, readings)
            if row is not None:
                changed.append(row)
                self.slots[uid] = row
        if changed:
            await self.community.run(self.community.db.put_lock_slots, changed)
        self.meta = replace(meta, last_readback_at=self._clock())
        await self.community.run(self.community.db.put_lock_meta, self.meta)

    def _learn(self, uid: int, readings: list[SlotReading]) -> LockSlotRecord | None:
        """Fold what a slot holds into its row; return the row if it changed."""
        old = self.slots.get(uid)
        # A code the lock does not tell (write-only) is found with digest None.
        found = [
            (r.kind, self._reading_digest(r))
            for r in readings
            if r.occupied and (r.code or not r.code_readable)
        ]
        if any(r.occupied and not r.code for r in readings if not r.code_readable):
            self.codes_hidden = True
        base = old or LockSlotRecord(
            self.lock_id, uid, CredentialSlotKind.PIN.value, SlotState.EMPTY
        )
        if (
            old is not None
            and old.credential_id is not None
            and old.state != SlotState.UNMANAGED
        ):
            if old.state == SlotState.DUPLICATE and not found:
                return None  # refused as a duplicate: still waiting for a change
            kind = CredentialSlotKind(old.kind)
            if len(found) == 1 and found[0] in ((kind, old.digest), (kind, None)):
                # Ours, or (write-only codes) occupied: the slot table says what.
                if old.state == SlotState.SYNCED:
                    return None
                # A write that landed (schedules unknown: sent again).
                return replace(
                    old,
                    state=SlotState.SYNCED,
                    schedule_fp=None,
                    attempts=0,
                    last_error=None,
                    next_attempt_at=None,
                )
            # Our slot holds something else: rewritten by the next sync.
            return replace(
                old, state=SlotState.PENDING, attempts=0, next_attempt_at=None
            )
        clearing = (
            old is not None
            and old.credential_id is None
            and old.state in (SlotState.PENDING, SlotState.FAILED)
        )
        if found and clearing:
            return None  # our clear has not landed yet: it is retried, not adopted
        if found:
            kind, digest = found[0]
            if (
                old is not None
                and old.state == SlotState.UNMANAGED
                and old.digest == digest
            ):
                return None
            row = replace(
                base,
                kind=kind.value,
                state=SlotState.UNMANAGED,
                credential_id=None,
                digest=digest,
                schedule_fp=None,
                attempts=0,
                last_error=None,
                next_attempt_at=None,
            )
            known = (
                self.community.index.credential_by_digest(digest) if digest else None
            )
            if self.on_unmanaged is not None:
                self.on_unmanaged(self.lock_id, uid, kind, known.id if known else None)
            return row
        if old is not None and old.state == SlotState.EMPTY:
            return None
        return replace(
            base,
            state=SlotState.EMPTY,
            credential_id=None,
            digest=None,
            schedule_fp=old.schedule_fp if old is not None else None,
            attempts=0,
            last_error=None,
            next_attempt_at=None,
        )

    async def _retrying(self, send: Callable[[], Awaitable[T]]) -> T:
        attempts = 0
        while True:
            try:
                return await self._command(send)
            except LockCommandError as err:
                attempts += 1
                if attempts >= self.max_attempts:
                    _LOGGER.warning(
                        "Lock %s: a read failed %d times (%s)",
                        self.lock_id,
                        attempts,
                        _describe(err),
                    )
                    raise GaveUp(isinstance(err, LockTimeoutError)) from err
                await self._sleep(
                    min(self.backoff_base * 2 ** (attempts - 1), self.backoff_cap)
                )

    # ---- helpers
    async def _load(self) -> None:
        if self._loaded:
            return
        db = self.community.db
        rows: list[LockSlotRecord] = await self.community.run(
            db.lock_slots, self.lock_id
        )
        self.slots = {row.user_id: row for row in rows}
        self.meta = await self.community.run(db.lock_meta, self.lock_id)
        self._loaded = True

    async def _persist(self, row: LockSlotRecord) -> None:
        row = replace(row, updated_at=self._clock())
        self.slots[row.user_id] = row
        await self.community.run(self.community.db.put_lock_slots, [row])

    async def _secret(self, credential_id: int) -> str | None:
        db = self.community.db
        token: str | None = await self.community.run(
            db.credential_secret, credential_id
        )
        return None if token is None else self.community.vault.decrypt(token)

    def _reading_digest(self, reading: SlotReading) -> str | None:
        if not reading.occupied or not reading.code:
            return None
        return self.community.vault.credential_digest(
            COMMUNITY_KIND[reading.kind], reading.code
        )

    def _report_failed(self, row: LockSlotRecord) -> None:
        if self.on_failed is not None:
            self.on_failed(
                self.lock_id, row.user_id, row.credential_id, row.last_error or ""
            )


def _describe(error: Exception) -> str:
    """Return a short error text for the slot table (adapters put no codes in errors)."""
    kind = "timeout" if isinstance(error, LockTimeoutError) else "failed"
    return f"{kind}: {error}"[:200]
