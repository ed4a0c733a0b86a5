"""The syncer: keeps one lock's credential memory equal to the desired state.

:class:`LockSyncer` plans (:mod:`.planner`) what the community allows at a
door (:mod:`.desired`) against the slot table, and runs the plan through its
:class:`.channel.LockChannel` base.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from custom_components.community_access.core.carddesk import CardDesk
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.models import (
    CredentialKind,
    CredentialStatus,
)

from .channel import FailedCallback, GaveUp, LockChannel, UnmanagedCallback
from .desired import SLOT_KIND, DesiredCredential, async_desired_credentials
from .planner import Operation, OpKind, Plan, plan
from .port import (
    MAX_LOCKOUT_SECONDS,
    MAX_WRONG_CODE_LIMIT,
    CredentialSlotKind,
    LockCapacity,
    LockPort,
)
from .slots import SlotState

if TYPE_CHECKING:
    from custom_components.community_access.core.community import Community


@dataclass(frozen=True, slots=True)
class LockSyncStatus:
    """What a per-lock sensor shows."""

    state: str  # in_sync, syncing, pending, duplicate, failed
    pending: int = 0
    failed: int = 0
    unfitted: int = 0
    unmanaged: int = 0
    next_run_at: datetime | None = None
    #: slots the lock refused: it has the same code for another user
    duplicate: int = 0
    #: the lock does not tell its codes: a read only says a slot is occupied
    write_only: bool = False

    @property
    def text(self) -> str:
        """``in_sync``, ``syncing``, ``pending N``, ``duplicate N`` or ``failed N``."""
        if self.state == "pending":
            return f"pending {self.pending}"
        if self.state == "duplicate":
            return f"duplicate {self.duplicate}"
        if self.state == "failed":
            return f"failed {self.failed}"
        return self.state


@dataclass(frozen=True, slots=True)
class DuplicateSlot:
    """A slot whose code the lock refused: it has the code for another user."""

    user_id: int
    credential_id: int | None
    #: the slot known to hold the same code (None: not in the read-back)
    conflict_user_id: int | None
    #: whether that slot holds a code the community does not manage
    conflict_unmanaged: bool


@dataclass(frozen=True, slots=True)
class SyncReport:
    """The outcome of one sync run."""

    commands: int
    planned: Plan
    remaining: Plan
    #: The run stopped early: the lock did not answer (the rest waits).
    aborted: bool = False


class LockSyncer(LockChannel):
    """Keeps one lock's credential memory equal to what the community allows.

    Everything it knows is in the database (the slot table and the lock's
    facts), so a syncer rebuilt after a restart resumes: slots left pending
    are read back before anything is written again. Commands go one at a
    time, at least ``min_interval`` seconds apart.
    """

    def __init__(
        self,
        community: Community,
        lock_id: str,
        door_id: str,
        port: LockPort,
        *,
        clock: Callable[[], datetime] | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        min_interval: float = 0.2,
        max_attempts: int = 5,
        backoff_base: float = 2.0,
        backoff_cap: float = 60.0,
        slow_retry: timedelta = timedelta(minutes=15),
        lockout: Callable[[], tuple[int, int] | None] | None = None,
        on_failed: FailedCallback | None = None,
        on_unmanaged: UnmanagedCallback | None = None,
        release: bool = False,
    ) -> None:
        """Wire a lock; call :meth:`sync` to bring it in step.

        With ``release`` the lock should hold none of the community's codes
        any more (its door stopped keeping codes on it): a sync clears every
        code the integration wrote and leaves everything else alone.
        """
        super().__init__(
            community,
            lock_id,
            port,
            clock=clock or (lambda: datetime.now(UTC)),
            sleep=sleep,
            min_interval=min_interval,
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
            slow_retry=slow_retry,
            on_failed=on_failed,
            on_unmanaged=on_unmanaged,
        )
        self.door_id = door_id
        self.release = release
        self._lockout = lockout
        self.last_plan: Plan | None = None
        self._running = False
        self._replan = False
        self._lengths: dict[int, int] = {}
        self._mutex = asyncio.Lock()

    def request_replan(self) -> None:
        """Plan again before the next command of a run in progress.

        Call it when the community changed during a run: a card just
        reported lost is then cleared next, not after the rest of a long
        run (clears always come first in a plan).
        """
        if self._running:
            self._replan = True

    # ---- public operations
    async def sync(self, *, force: bool = False) -> SyncReport:
        """Send the difference (after a first full read-back on first contact).

        ``force`` also retries failed slots before their retry time.
        """
        async with self._mutex:
            await self._load()
            start = self.commands_sent
            self._running = True
            try:
                if self.capacity is None:
                    try:
                        await self._readback()
                    except GaveUp:
                        empty = Plan()
                        self.last_plan = None
                        return SyncReport(
                            self.commands_sent - start, empty, empty, True
                        )
                return await self._sync(start, force)
            finally:
                self._running = False

    async def full_readback(self) -> SyncReport:
        """Read capacity and every slot again, then sync (failed slots included)."""
        async with self._mutex:
            await self._load()
            start = self.commands_sent
            self._running = True
            try:
                try:
                    await self._readback()
                except GaveUp:
                    empty = Plan()
                    return SyncReport(self.commands_sent - start, empty, empty, True)
                return await self._sync(start, True)
            finally:
                self._running = False

    async def preview(self) -> Plan:
        """Plan without sending anything (for the sensor after a community change)."""
        async with self._mutex:
            await self._load()
            capacity = self.capacity
            if capacity is None:
                return Plan()
            self.last_plan = await self._plan(capacity, force=False)
            return self.last_plan

    async def adopt_unmanaged(self, user_id: int, person_id: int | None = None) -> int:
        """Make an unmanaged code ours; return its credential id.

        A code that is already a credential of the community (same keyed
        hash) is linked to it. Otherwise, with ``person_id``, the code is read
        from the lock and registered as that person's credential. If the
        credential is not allowed at this door, the next sync clears it.
        """
        async with self._mutex:
            await self._load()
            row = self.slots.get(user_id)
            if row is None or row.state != SlotState.UNMANAGED:
                raise CommunityError("lock_slot_not_unmanaged", user_id=str(user_id))
            kind = CredentialSlotKind(row.kind)
            index = self.community.index
            known = index.credential_by_digest(row.digest) if row.digest else None
            if (
                known is not None
                and known.status is CredentialStatus.ACTIVE
                and SLOT_KIND.get(known.kind) is kind
            ):
                credential_id = known.id
            elif person_id is not None:
                reading = await self._command(
                    lambda: self.port.read_slot(kind, user_id)
                )
                if reading.occupied and not reading.code:
                    # Write-only codes: the lock never tells what it holds.
                    raise CommunityError("lock_code_write_only", user_id=str(user_id))
                if not reading.occupied or not reading.code:
                    await self._persist(
                        replace(row, state=SlotState.EMPTY, digest=None)
                    )
                    raise CommunityError("lock_slot_empty", user_id=str(user_id))
                if kind is CredentialSlotKind.RFID:
                    # Cards go through the card desk (ID on record, quota); the
                    # card was handed out before: no deposit is charged now.
                    issued = await CardDesk(self.community).issue_card(
                        person_id=person_id, card_number=reading.code, deposit_cents=0
                    )
                    credential = issued.credential
                else:
                    credential = await self.community.add_credential(
                        person_id=person_id, kind=CredentialKind.PIN, value=reading.code
                    )
                credential_id = credential.id
                row = replace(row, digest=credential.digest)
            else:
                raise CommunityError("lock_code_not_known", user_id=str(user_id))
            await self._persist(
                replace(
                    row,
                    state=SlotState.SYNCED,
                    credential_id=credential_id,
                    schedule_fp=None,  # unknown: the next sync sets the user type
                    attempts=0,
                    last_error=None,
                    next_attempt_at=None,
                )
            )
            return credential_id

    async def clear_unmanaged(self, user_id: int) -> None:
        """Clear an unmanaged code from the lock (the repair's other choice)."""
        async with self._mutex:
            await self._load()
            row = self.slots.get(user_id)
            if row is None or row.state != SlotState.UNMANAGED:
                raise CommunityError("lock_slot_not_unmanaged", user_id=str(user_id))
            op = Operation(
                OpKind.CLEAR, user_id, CredentialSlotKind(row.kind), reason="unmanaged"
            )
            try:
                await self._clear(op)
            except GaveUp:
                return

    def duplicates(self) -> list[DuplicateSlot]:
        """Return the slots the lock refused as duplicates, and their conflicts."""
        out: list[DuplicateSlot] = []
        for uid, row in sorted(self.slots.items()):
            if row.state != SlotState.DUPLICATE:
                continue
            conflict = self.duplicate_conflict(uid)
            other = self.slots.get(conflict) if conflict is not None else None
            out.append(
                DuplicateSlot(
                    uid,
                    row.credential_id,
                    conflict,
                    other is not None and other.state == SlotState.UNMANAGED,
                )
            )
        return out

    async def retry_duplicate(self, user_id: int) -> None:
        """Let a slot refused as a duplicate try again at the next sync.

        For when the other code was removed at the lock itself, where the
        read-back does not see it.
        """
        async with self._mutex:
            await self._load()
            row = self.slots.get(user_id)
            if row is None or row.state != SlotState.DUPLICATE:
                raise CommunityError("lock_slot_not_duplicate", user_id=str(user_id))
            await self._persist(replace(row, next_attempt_at=self._clock()))

    def status(self) -> LockSyncStatus:
        """Sync state for a sensor (from the last plan and the slot table)."""
        failed = sum(1 for row in self.slots.values() if row.state == SlotState.FAILED)
        unmanaged = sum(
            1 for row in self.slots.values() if row.state == SlotState.UNMANAGED
        )
        duplicate = sum(
            1 for row in self.slots.values() if row.state == SlotState.DUPLICATE
        )
        plan_ = self.last_plan
        pending = len(plan_.operations) if plan_ is not None else 0
        if plan_ is None and self.capacity is None:
            pending = 1  # not contacted yet
        if self._running:
            state = "syncing"
        elif failed:
            state = "failed"
        elif duplicate:
            state = "duplicate"
        elif pending:
            state = "pending"
        else:
            state = "in_sync"
        return LockSyncStatus(
            state=state,
            pending=pending,
            failed=failed,
            unfitted=len(plan_.unfitted) if plan_ is not None else 0,
            unmanaged=unmanaged,
            next_run_at=plan_.next_run_at if plan_ is not None else None,
            duplicate=duplicate,
            write_only=self.write_only,
        )

    # ---- running a plan
    async def _sync(self, start: int, force: bool) -> SyncReport:
        capacity = self.capacity
        assert capacity is not None
        planned = current = await self._plan(capacity, force=force)
        aborted = False
        self._replan = False
        while True:
            replan = False
            for op in current.operations:
                if self._replan:
                    replan = True  # the community changed meanwhile
                    break
                try:
                    await self._run(op)
                except GaveUp as err:
                    if err.timeout:
                        aborted = True  # the lock is not answering: the rest waits
                        break
            if aborted or not replan:
                break
            self._replan = False
            current = await self._plan(capacity, force=force)
        remaining = (
            await self._plan(capacity, force=False) if planned.operations else planned
        )
        self.last_plan = remaining
        return SyncReport(self.commands_sent - start, planned, remaining, aborted)

    async def _plan(self, capacity: LockCapacity, *, force: bool) -> Plan:
        now = self._clock()
        desired = (
            []
            if self.release
            else await async_desired_credentials(self.community, self.door_id, now)
        )
        await self._learn_lengths(desired)
        meta = self.meta
        written = (
            (meta.lockout_limit, meta.lockout_seconds)
            if meta is not None
            and meta.lockout_limit is not None
            and meta.lockout_seconds is not None
            else None
        )
        return plan(
            desired,
            self.slots,
            capacity,
            now=now,
            lengths=self._lengths,
            lockout=None if self.release else self._desired_lockout(),
            lockout_written=written,
            force=force,
        )

    async def _learn_lengths(self, desired: Sequence[DesiredCredential]) -> None:
        """Learn the code length of new credentials (the values are not kept)."""
        missing = [
            d.credential_id for d in desired if d.credential_id not in self._lengths
        ]
        if not missing:
            return
        db = self.community.db
        tokens: dict[int, str | None] = await self.community.run(
            db.credential_secrets, missing
        )
        vault = self.community.vault
        for cid, token in tokens.items():
            if token is not None:
                self._lengths[cid] = len(vault.decrypt(token))

    def _desired_lockout(self) -> tuple[int, int] | None:
        if self._lockout is not None:
            return self._lockout()
        detector = self.community.detector
        if detector is None or detector.settings.pin_attempts <= 0:
            return None
        return lockout_attributes(
            detector.settings.pin_attempts,
            int(detector.settings.pin_lockout.total_seconds()),
        )


def lockout_attributes(attempts: int, seconds: int) -> tuple[int, int]:
    """ZCL values for a PIN lock-out: both attributes are one byte (1..255)."""
    return (
        max(1, min(attempts, MAX_WRONG_CODE_LIMIT)),
        max(1, min(seconds, MAX_LOCKOUT_SECONDS)),
    )
