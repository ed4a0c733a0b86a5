"""The planner: the commands that bring a lock's memory to the desired state.

Pure: it reads the desired credentials, the slot table and the lock's
capacity, and returns a :class:`Plan`; nothing is sent from here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
import itertools

from custom_components.community_access.core.storage import LockSlotRecord

from .desired import DesiredCredential
from .port import (
    USER_TYPE_WEEK_DAY,
    USER_TYPE_YEAR_DAY,
    CredentialSlotKind,
    LockCapacity,
    YearDaySchedule,
)
from .slots import (
    OPEN_END,
    OPEN_START,
    SlotSchedule,
    SlotState,
    week_day_count,
    week_day_schedules,
)


class OpKind(StrEnum):
    """What one planned operation does."""

    CLEAR = "clear"  # clear a slot (a credential that must go, or a clear to finish)
    WRITE = "write"  # write a code (and its schedules)
    VERIFY = "verify"  # read a slot back first; write only if the code is not there
    SCHEDULE = "schedule"  # the code is right, only its user type / schedules change
    LOCKOUT = "lockout"  # wrong-code limit and lock-out time


@dataclass(frozen=True, slots=True)
class Operation:
    """One planned change to a lock."""

    op: OpKind
    user_id: int = -1
    kind: CredentialSlotKind | None = None
    credential_id: int | None = None
    digest: str | None = field(default=None, repr=False)
    schedule: SlotSchedule = field(default_factory=SlotSchedule)
    #: Week-day schedule ids that may still be set on the lock (to clear).
    previous_week_days: int | None = 0
    reason: str = ""
    lockout: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Unfitted:
    """A credential that should be on the lock but cannot be."""

    credential_id: int
    kind: CredentialSlotKind
    reason: str  # no_free_slot, kind_unsupported, pin_length, rfid_length


@dataclass(frozen=True, slots=True)
class Plan:
    """The difference between the desired state and the slot table."""

    operations: tuple[Operation, ...] = ()
    unfitted: tuple[Unfitted, ...] = ()
    #: (credential id, note): schedules the lock cannot keep itself.
    notes: tuple[tuple[int, str], ...] = ()
    #: The next moment the plan changes by itself (a pass ends or starts, a retry is due).
    next_run_at: datetime | None = None
    #: Failed slots waiting for their retry time.
    waiting: int = 0
    #: The user id each placed credential has (or will have).
    placement: Mapping[int, int] = field(default_factory=dict)


def plan(
    desired: Sequence[DesiredCredential],
    slots: Mapping[int, LockSlotRecord],
    capacity: LockCapacity,
    *,
    now: datetime,
    lengths: Mapping[int, int] | None = None,
    lockout: tuple[int, int] | None = None,
    lockout_written: tuple[int, int] | None = None,
    force: bool = False,
) -> Plan:
    """Plan the commands that bring a lock from ``slots`` to ``desired``.

    ``desired`` is best first (see :func:`desired_credentials`); ``slots``
    maps user ids to the slot table's rows; ``lengths`` gives the code length
    of credentials whose length is known (the others are assumed to fit).
    Clears come first, then the lock-out settings, then writes (best first),
    then schedule-only changes. ``force`` retries failed slots, and slots
    the lock refused as duplicates, now.
    """
    work = _Planning(slots, capacity, now, force)
    placeable = work.shape(desired, lengths or {})
    accepted = work.select(placeable)
    accepted = work.place(accepted)
    ops = work.clears({item.credential_id for item in accepted})
    if lockout is not None and lockout != lockout_written:
        ops.append(Operation(OpKind.LOCKOUT, lockout=lockout, reason="lockout_changed"))
    writes, schedules = work.writes(accepted)
    ops += writes + schedules
    future = [moment for moment in work.wake if moment > now]
    return Plan(
        operations=tuple(ops),
        unfitted=tuple(work.unfitted),
        notes=tuple(work.notes),
        next_run_at=min(future) if future else None,
        waiting=work.waiting,
        placement=work.placement,
    )


class _Planning:
    """The steps of :func:`plan` and what they share."""

    def __init__(
        self,
        slots: Mapping[int, LockSlotRecord],
        capacity: LockCapacity,
        now: datetime,
        force: bool,
    ) -> None:
        self.slots = slots
        self.capacity = capacity
        self.now = now
        self.force = force
        self.ranges = {
            CredentialSlotKind.PIN: capacity.pin_users,
            CredentialSlotKind.RFID: capacity.rfid_users,
        }
        self.total = max(capacity.pin_users, capacity.rfid_users)
        self.blocked = {
            uid
            for uid, row in slots.items()
            if row.state == SlotState.UNMANAGED and uid < self.total
        }
        self.notes: list[tuple[int, str]] = []
        self.unfitted: list[Unfitted] = []
        self.wake: list[datetime] = []
        self.shapes: dict[int, SlotSchedule] = {}
        self.placement: dict[int, int] = {}
        self.waiting = 0

    def shape(
        self, desired: Sequence[DesiredCredential], lengths: Mapping[int, int]
    ) -> list[DesiredCredential]:
        """Give each credential its lock-side form; set aside what cannot go on."""
        capacity = self.capacity
        placeable: list[DesiredCredential] = []
        for item in desired:
            reason = _fit_reason(item, capacity, lengths.get(item.credential_id))
            if reason is not None:
                self.unfitted.append(Unfitted(item.credential_id, item.kind, reason))
                continue
            if item.valid_until is not None:
                self.wake.append(item.valid_until)
            windowed = item.valid_from is not None or item.valid_until is not None
            if windowed and capacity.year_day_schedules_per_user > 0:
                shape = SlotSchedule(
                    USER_TYPE_YEAR_DAY,
                    year_day=YearDaySchedule(
                        0, item.valid_from or OPEN_START, item.valid_until or OPEN_END
                    ),
                )
                if item.schedule is not None:
                    self.notes.append((item.credential_id, "week_schedule_not_on_lock"))
            elif item.valid_from is not None and item.valid_from > self.now:
                # Not yet valid and the lock cannot hold the window: written then.
                self.wake.append(item.valid_from)
                self.notes.append((item.credential_id, "written_at_start"))
                continue
            else:
                if windowed:
                    self.notes.append((item.credential_id, "cleared_at_end"))
                shape = _week_shape(item, capacity, self.notes)
            self.shapes[item.credential_id] = shape
            placeable.append(item)
        return placeable

    def select(self, placeable: list[DesiredCredential]) -> list[DesiredCredential]:
        """Best first while the lock has room (PIN ids, card ids, ids in all)."""
        blocked = self.blocked
        free_pin = self.capacity.pin_users - sum(
            1 for uid in blocked if uid < self.capacity.pin_users
        )
        free_rfid = self.capacity.rfid_users - sum(
            1 for uid in blocked if uid < self.capacity.rfid_users
        )
        free_total = self.total - len(blocked)
        pins = cards = 0
        accepted: list[DesiredCredential] = []
        for item in placeable:
            if item.kind is CredentialSlotKind.PIN:
                fits = pins < free_pin and pins + cards < free_total
                pins += fits
            else:
                fits = cards < free_rfid and pins + cards < free_total
                cards += fits
            if fits:
                accepted.append(item)
            else:
                self.unfitted.append(
                    Unfitted(item.credential_id, item.kind, "no_free_slot")
                )
        return accepted

    def place(self, accepted: list[DesiredCredential]) -> list[DesiredCredential]:
        """Keep each credential in its slot; give new ones the lowest free id of their kind."""
        slots, ranges = self.slots, self.ranges
        kinds = {item.credential_id: item.kind for item in accepted}
        placement = self.placement
        # A slot the lock refused as a duplicate comes last: a slot that
        # holds the credential (an adopted code) keeps it.
        for uid, row in sorted(
            slots.items(), key=lambda i: (i[1].state == SlotState.DUPLICATE, i[0])
        ):
            cid = row.credential_id
            if (
                cid in kinds
                and row.state != SlotState.UNMANAGED
                and CredentialSlotKind(row.kind) is kinds[cid]
                and uid < ranges[kinds[cid]]
            ):
                placement.setdefault(cid, uid)
        taken = set(placement.values()) | self.blocked
        # Ids whose content must be cleared first are used last: a write of
        # the other kind would not remove what is there.
        dirty = {
            uid
            for uid, row in slots.items()
            if row.state not in (SlotState.EMPTY, SlotState.UNMANAGED)
            and uid not in taken
        }
        crowded: set[int] = set()
        # The kind with the smaller range first, so it is not crowded out of the
        # ids it can use by the kind that has ids of its own.
        for kind in sorted(CredentialSlotKind, key=lambda k: ranges[k]):
            free = itertools.chain(
                (u for u in range(ranges[kind]) if u not in taken and u not in dirty),
                (u for u in range(ranges[kind]) if u not in taken and u in dirty),
            )
            for item in accepted:
                if item.kind is not kind or item.credential_id in placement:
                    continue
                found = next(free, None)
                if found is None:
                    # Its ids are held by the other kind's credentials, which
                    # stay where they are (one change, one command).
                    crowded.add(item.credential_id)
                    self.unfitted.append(
                        Unfitted(item.credential_id, kind, "no_free_slot")
                    )
                    continue
                placement[item.credential_id] = found
                taken.add(found)
        return [item for item in accepted if item.credential_id not in crowded]

    def clears(self, wanted: set[int]) -> list[Operation]:
        """Slots holding what must go (or a clear still to finish)."""
        by_uid = {uid: cid for cid, uid in self.placement.items()}
        ops: list[Operation] = []
        for uid, row in sorted(self.slots.items()):
            if row.state in (SlotState.UNMANAGED, SlotState.EMPTY) or uid >= self.total:
                continue
            if row.credential_id is not None and by_uid.get(uid) == row.credential_id:
                continue  # kept
            if row.credential_id is None and row.state == SlotState.SYNCED:
                continue
            if row.credential_id is None and self._wait(row):
                continue  # a clear that failed: retried on the slow schedule
            ops.append(
                Operation(
                    OpKind.CLEAR,
                    uid,
                    CredentialSlotKind(row.kind),
                    row.credential_id,
                    reason="moved" if row.credential_id in wanted else "not_wanted",
                )
            )
        return ops

    def writes(
        self, accepted: list[DesiredCredential]
    ) -> tuple[list[Operation], list[Operation]]:
        """Plan writes (or read-backs of unconfirmed writes) and schedule-only changes."""
        writes: list[Operation] = []
        schedules: list[Operation] = []
        for item in accepted:
            uid = self.placement[item.credential_id]
            shape = self.shapes[item.credential_id]
            row = self.slots.get(uid)
            previous = (
                week_day_count(row.schedule_fp)
                if row is not None and row.state != SlotState.UNMANAGED
                else None
            )
            into, op, reason = writes, OpKind.WRITE, "new"
            if row is not None and row.credential_id == item.credential_id:
                if row.state == SlotState.SYNCED and row.digest == item.digest:
                    if row.schedule_fp == shape.fingerprint:
                        continue  # in step
                    into, op, reason = schedules, OpKind.SCHEDULE, "schedule_changed"
                elif row.state == SlotState.DUPLICATE:
                    if row.digest == item.digest and self._duplicate_waits(row):
                        continue
                    reason = (
                        "duplicate_retry" if row.digest == item.digest else "new_code"
                    )
                elif self._wait(row):
                    continue
                elif row.state in (SlotState.PENDING, SlotState.FAILED):
                    op, reason = OpKind.VERIFY, "unconfirmed"
                else:
                    reason = "unconfirmed"
            into.append(
                Operation(
                    op,
                    uid,
                    item.kind,
                    item.credential_id,
                    item.digest,
                    shape,
                    previous,
                    reason=reason,
                )
            )
        return writes, schedules

    def _duplicate_waits(self, row: LockSlotRecord) -> bool:
        """Whether a slot refused as a duplicate still waits for a change.

        It waits, without a retry time, until the other code is cleared (the
        channel then sets ``next_attempt_at``), a retry is asked for
        (``force``, or ``next_attempt_at`` set) or the credential changes.
        """
        if self.force:
            return False
        due = row.next_attempt_at
        if due is None:
            return True
        if due > self.now:
            self.wake.append(due)
            return True
        return False

    def _wait(self, row: LockSlotRecord) -> bool:
        """Whether a failed slot waits for its retry time (counted, woken)."""
        if (
            self.force
            or row.state != SlotState.FAILED
            or row.next_attempt_at is None
            or row.next_attempt_at <= self.now
        ):
            return False
        self.waiting += 1
        self.wake.append(row.next_attempt_at)
        return True


def _fit_reason(
    item: DesiredCredential, capacity: LockCapacity, length: int | None
) -> str | None:
    """Why a credential cannot go on the lock at all (None: it can)."""
    if item.kind is CredentialSlotKind.PIN:
        users = capacity.pin_users
        shortest, longest = capacity.min_pin_length, capacity.max_pin_length
        wrong_length = "pin_length"
    else:
        users = capacity.rfid_users
        shortest, longest = capacity.min_rfid_length, capacity.max_rfid_length
        wrong_length = "rfid_length"
    if users <= 0:
        return "kind_unsupported"
    if length is not None and not shortest <= length <= longest:
        return wrong_length
    return None


def _week_shape(
    item: DesiredCredential, capacity: LockCapacity, notes: list[tuple[int, str]]
) -> SlotSchedule:
    schedule = item.schedule
    if schedule is None:
        return SlotSchedule()
    if schedule.holidays:
        notes.append((item.credential_id, "holidays_not_on_lock"))
    entries = week_day_schedules(schedule)
    if capacity.week_day_schedules_per_user <= 0:
        notes.append((item.credential_id, "week_schedule_not_on_lock"))
        return SlotSchedule()
    if len(entries) > capacity.week_day_schedules_per_user:
        notes.append((item.credential_id, "week_schedule_too_long"))
        return SlotSchedule()
    return SlotSchedule(USER_TYPE_WEEK_DAY, week_days=entries)
