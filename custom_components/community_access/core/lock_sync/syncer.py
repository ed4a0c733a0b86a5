"""Lock credential sync: the interface between a lock adapter and the reconciler.

Pure Python (no Home Assistant import). A lock adapter (for example the ZHA
one) implements :class:`LockPort`; the reconciler in this module plans and
runs the difference between what the community allows at a door and what is
stored in the lock's credential memory.

Slot numbering: ``user_id`` is the ZCL user id exactly as sent on the air
(0-based). ZHA's own services number slots from 1 (slot = user_id + 1).
One lock user holds exactly one community credential (its PIN or its RFID
code, never both).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import IntEnum, StrEnum
import functools
import hashlib
import itertools
import logging
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from custom_components.community_access.core.carddesk import CardDesk
from custom_components.community_access.core.decision import AccessIndex, Reason
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.models import (
    Credential,
    CredentialKind,
    CredentialStatus,
    Door,
    Person,
    PersonStatus,
    Role,
    ZoneKind,
)
from custom_components.community_access.core.schedule import END_OF_DAY, Schedule
from custom_components.community_access.core.storage import (
    LockMetaRecord,
    LockSlotRecord,
)

if TYPE_CHECKING:
    from custom_components.community_access.core.community import Community

_LOGGER = logging.getLogger(__name__)
T = TypeVar("T")


class CredentialSlotKind(StrEnum):
    """Which kind of code a lock user slot holds."""

    PIN = "pin"
    RFID = "rfid"


@dataclass(frozen=True, slots=True)
class LockCapacity:
    """What a lock can store (Door Lock cluster attributes)."""

    pin_users: int  # ZCL attr 0x12 (0 = no keypad)
    rfid_users: int  # 0x13 (0 = no card reader)
    week_day_schedules_per_user: int  # 0x14
    year_day_schedules_per_user: int  # 0x15
    min_pin_length: int  # 0x18
    max_pin_length: int  # 0x17
    min_rfid_length: int  # 0x1A
    max_rfid_length: int  # 0x19


@dataclass(frozen=True, slots=True)
class SlotReading:
    """What the lock reports for one user slot."""

    user_id: int
    kind: CredentialSlotKind
    occupied: bool  # user_status != available (0) and a code is present
    code: str | None = field(
        default=None, repr=False
    )  # PIN digits / card number as written
    user_status: int | None = None
    user_type: int | None = None


@dataclass(frozen=True, slots=True)
class YearDaySchedule:
    """A validity window for one user (ZCL year-day schedule)."""

    schedule_id: int
    start: datetime  # aware; the adapter converts to the lock's local epoch
    end: datetime


@dataclass(frozen=True, slots=True)
class WeekDaySchedule:
    """A weekly time window for one user (ZCL week-day schedule)."""

    schedule_id: int
    days_mask: int  # bit 0 Sunday ... bit 6 Saturday (ZCL)
    start_hour: int
    start_minute: int
    end_hour: int
    end_minute: int


class LockCommandError(Exception):
    """The lock answered with a failure status (not a timeout)."""


class LockTimeoutError(LockCommandError):
    """The lock did not answer in time (radio delay, offline)."""


class LockPort(Protocol):
    """One lock's credential memory. Every method is one ZCL command (one radio round trip)."""

    async def read_capacity(self) -> LockCapacity:
        """Read the capacity attributes (one attribute read)."""
        ...

    async def read_slot(self, kind: CredentialSlotKind, user_id: int) -> SlotReading:
        """Read one user slot (get_pin_code / get_rfid_code)."""
        ...

    async def write_slot(
        self, kind: CredentialSlotKind, user_id: int, code: str, *, user_type: int = 0
    ) -> None:
        """Write a code, user_status 1 enabled (set_pin_code / set_rfid_code)."""
        ...

    async def clear_slot(self, kind: CredentialSlotKind, user_id: int) -> None:
        """Clear one user slot (clear_pin_code / clear_rfid_code)."""
        ...

    async def set_year_day_schedule(
        self, user_id: int, schedule: YearDaySchedule
    ) -> None:
        """Set a year-day schedule (command 0x0E)."""
        ...

    async def clear_year_day_schedule(self, user_id: int, schedule_id: int) -> None:
        """Clear a year-day schedule (command 0x10)."""
        ...

    async def set_week_day_schedule(
        self, user_id: int, schedule: WeekDaySchedule
    ) -> None:
        """Set a week-day schedule (command 0x0B)."""
        ...

    async def clear_week_day_schedule(self, user_id: int, schedule_id: int) -> None:
        """Clear a week-day schedule (command 0x0D)."""
        ...

    async def set_user_type(self, user_id: int, user_type: int) -> None:
        """Set the user type (0x14: 0 unrestricted, 1 year-day schedule user, 2 week-day)."""
        ...

    async def set_lockout(self, wrong_code_limit: int, disable_seconds: int) -> None:
        """Write the wrong-code limit and the user-code disable time (attrs 0x30, 0x31)."""
        ...


# ---------------------------------------------------------------------------
# The reconciler: desired state, the slot table, the planner and the syncer.
# ---------------------------------------------------------------------------

#: Community credential kinds kept on locks, and the lock's name for them.
SLOT_KIND = {
    CredentialKind.PIN: CredentialSlotKind.PIN,
    CredentialKind.CARD: CredentialSlotKind.RFID,
}
COMMUNITY_KIND = {v: k for k, v in SLOT_KIND.items()}

#: ZCL user types (command 0x14).
USER_TYPE_UNRESTRICTED = 0
USER_TYPE_YEAR_DAY = 1
USER_TYPE_WEEK_DAY = 2

#: Year-day schedules need both ends: an open start is the ZCL epoch, an open
#: end a far future (both stable, so the schedule fingerprint does not move).
OPEN_START = datetime(2000, 1, 1, tzinfo=UTC)
OPEN_END = datetime(2099, 12, 31, 23, 59, tzinfo=UTC)

#: ZCL attribute 0x31 (user code temporary disable time) is one byte of seconds.
MAX_LOCKOUT_SECONDS = 255
MAX_WRONG_CODE_LIMIT = 255


class SlotState(StrEnum):
    """What the integration knows about one lock user id."""

    SYNCED = "synced"  # holds our credential, confirmed
    PENDING = "pending"  # a write or clear was sent (or is due) and is not confirmed
    FAILED = "failed"  # gave up after repeated failures; retried later
    UNMANAGED = "unmanaged"  # a code the integration did not write: never touched
    EMPTY = "empty"  # known to be empty


class Priority(IntEnum):
    """Who gets a slot first when a lock is full (lower first)."""

    RESIDENT = 0
    STAFF = 1
    HELPER = 2
    CONTRACTOR = 3
    VISITOR = 4


_ROLE_PRIORITY = {
    Role.OWNER: Priority.RESIDENT,
    Role.FAMILY: Priority.RESIDENT,
    Role.TENANT: Priority.RESIDENT,
    Role.STAFF: Priority.STAFF,
    Role.HELPER: Priority.HELPER,
    Role.CONTRACTOR: Priority.CONTRACTOR,
    Role.VISITOR: Priority.VISITOR,
}

#: Decision reasons that still put a credential on a lock: the lock itself
#: enforces (or the planner schedules) the time windows.
_TIME_REASONS = frozenset({Reason.GRANTED, Reason.OUTSIDE_TIME_WINDOW})


@dataclass(frozen=True, slots=True)
class DesiredCredential:
    """A credential that belongs on one lock (never its value)."""

    credential_id: int
    person_id: int
    kind: CredentialSlotKind
    digest: str = field(repr=False)
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    schedule: Schedule | None = None
    priority: int = Priority.RESIDENT


def desired_credentials(
    community: Community, door_id: str, now: datetime
) -> list[DesiredCredential]:
    """PINs and cards of the people allowed through ``door_id``, best first.

    Follows :meth:`AccessIndex.decide`: a credential is wanted on the lock if
    it would be granted at ``now`` (or at the start of its validity, if that is
    later) apart from time-of-day windows, which the lock's own schedules or
    the planner handle. Suspended people, lost / cancelled / expired
    credentials, other buildings and restrictions are left out.
    """
    index = community.index
    door = index.doors.get(door_id)
    if door is None:
        return []
    out: list[DesiredCredential] = []
    for person in _candidates(index, door):
        if person.status is not PersonStatus.ACTIVE:
            continue
        for credential in index.credentials_of(person.id):
            wanted = _wanted(index, door, credential, person, now)
            if wanted is not None:
                out.append(wanted)
    out.sort(key=lambda d: (d.priority, d.credential_id))
    return out


def _candidates(index: AccessIndex, door: Door) -> Iterable[Person]:
    """Return the people who might pass a door.

    For a building door: its households, people without a household and
    people with extra zones; for other doors everybody.
    """
    zone = door.zone
    if zone.kind is not ZoneKind.BUILDING:
        return list(index.persons.values())
    building = zone.key
    people: dict[int, Person] = {}
    for household in index.households.values():
        if household.unit.building == building:
            for person in index.persons_of(household.id):
                people[person.id] = person
    for person in index.persons.values():
        if person.household_id is None or person.extra_zones:
            people[person.id] = person
    return people.values()


def _wanted(
    index: AccessIndex,
    door: Door,
    credential: Credential,
    person: Person,
    now: datetime,
) -> DesiredCredential | None:
    kind = SLOT_KIND.get(credential.kind)
    if kind is None or credential.status is not CredentialStatus.ACTIVE:
        return None
    start = _latest(credential.valid_from, person.valid_from)
    end = _earliest(credential.valid_until, person.valid_until)
    if end is not None and end <= now:
        return None
    owner = index.credential_by_digest(credential.digest)
    if owner is None or owner.id != credential.id:
        return None  # an older credential whose value was given anew
    at = start if start is not None and start > now else now
    decision = index.decide(credential.kind, credential.digest, door.id, at)
    if decision.reason not in _TIME_REASONS:
        return None
    return DesiredCredential(
        credential_id=credential.id,
        person_id=person.id,
        kind=kind,
        digest=credential.digest,
        valid_from=start,
        valid_until=end,
        schedule=credential.schedule,
        priority=_ROLE_PRIORITY.get(person.role, Priority.VISITOR),
    )


def _latest(*moments: datetime | None) -> datetime | None:
    present = [m for m in moments if m is not None]
    return max(present) if present else None


def _earliest(*moments: datetime | None) -> datetime | None:
    present = [m for m in moments if m is not None]
    return min(present) if present else None


# ---- the lock-side form of a credential: user type and schedules
@dataclass(frozen=True, slots=True)
class SlotSchedule:
    """How one credential is stored on a lock besides its code."""

    user_type: int = USER_TYPE_UNRESTRICTED
    year_day: YearDaySchedule | None = None
    week_days: tuple[WeekDaySchedule, ...] = ()

    @property
    def fingerprint(self) -> str:
        """Short stable text naming the schedules (kept in the slot table)."""
        if self.year_day is not None:
            start = int(self.year_day.start.timestamp())
            end = int(self.year_day.end.timestamp())
            return f"y:{start}:{end}"
        if self.week_days:
            text = ";".join(
                f"{w.days_mask},{w.start_hour}:{w.start_minute},{w.end_hour}:{w.end_minute}"
                for w in self.week_days
            )
            return f"w:{len(self.week_days)}:{hashlib.sha256(text.encode()).hexdigest()[:12]}"
        return ""


def week_day_schedules(schedule: Schedule) -> tuple[WeekDaySchedule, ...]:
    """ZCL week-day schedules for a community schedule (holidays are not kept).

    A range over midnight becomes two: to 23:59 on its days and from 00:00
    on the following days. Identical entries are merged.
    """
    entries: set[tuple[int, int, int, int, int]] = set()
    for window in schedule.windows:
        mask = _days_mask(window.weekdays, 0)
        next_mask = _days_mask(window.weekdays, 1)
        for rng in window.ranges:
            end = (23, 59) if rng.end == END_OF_DAY else (rng.end.hour, rng.end.minute)
            start = (rng.start.hour, rng.start.minute)
            if not rng.overnight:
                entries.add((mask, *start, *end))
                continue
            entries.add((mask, *start, 23, 59))
            if end != (0, 0):
                entries.add((next_mask, 0, 0, *end))
    return tuple(
        WeekDaySchedule(i, mask, sh, sm, eh, em)
        for i, (mask, sh, sm, eh, em) in enumerate(sorted(entries))
    )


def _days_mask(weekdays: Iterable[int], shift: int) -> int:
    # Community weekdays: 0 = Monday; ZCL: bit 0 = Sunday ... bit 6 = Saturday.
    return sum(1 << ((day + shift + 1) % 7) for day in weekdays)


def _week_day_count(fingerprint: str | None) -> int | None:
    """How many week-day schedule ids a fingerprint says were written (None: unknown)."""
    if fingerprint is None:
        return None
    if fingerprint.startswith("w:"):
        return int(fingerprint.split(":")[1])
    return 0


# ---- the planner
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
    then schedule-only changes. ``force`` retries failed slots now.
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
        for uid, row in sorted(slots.items()):
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
                _week_day_count(row.schedule_fp)
                if row is not None and row.state != SlotState.UNMANAGED
                else None
            )
            ours = row is not None and row.credential_id == item.credential_id
            op = OpKind.WRITE
            if ours and row is not None:
                if row.state == SlotState.SYNCED and row.digest == item.digest:
                    if row.schedule_fp != shape.fingerprint:
                        schedules.append(
                            Operation(
                                OpKind.SCHEDULE,
                                uid,
                                item.kind,
                                item.credential_id,
                                item.digest,
                                shape,
                                previous,
                                reason="schedule_changed",
                            )
                        )
                    continue
                if self._wait(row):
                    continue
                if row.state in (SlotState.PENDING, SlotState.FAILED):
                    op = OpKind.VERIFY
            writes.append(
                Operation(
                    op,
                    uid,
                    item.kind,
                    item.credential_id,
                    item.digest,
                    shape,
                    previous,
                    reason="unconfirmed" if ours else "new",
                )
            )
        return writes, schedules

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
    if item.kind is CredentialSlotKind.PIN:
        if capacity.pin_users <= 0:
            return "kind_unsupported"
        if length is not None and not (
            capacity.min_pin_length <= length <= capacity.max_pin_length
        ):
            return "pin_length"
        return None
    if capacity.rfid_users <= 0:
        return "kind_unsupported"
    if length is not None and not (
        capacity.min_rfid_length <= length <= capacity.max_rfid_length
    ):
        return "rfid_length"
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


# ---- the reconciler of one lock
@dataclass(frozen=True, slots=True)
class LockSyncStatus:
    """What a per-lock sensor shows."""

    state: str  # in_sync, syncing, pending, failed
    pending: int = 0
    failed: int = 0
    unfitted: int = 0
    unmanaged: int = 0
    next_run_at: datetime | None = None

    @property
    def text(self) -> str:
        """``in_sync``, ``syncing``, ``pending N`` or ``failed N``."""
        if self.state == "pending":
            return f"pending {self.pending}"
        if self.state == "failed":
            return f"failed {self.failed}"
        return self.state


@dataclass(frozen=True, slots=True)
class SyncReport:
    """The outcome of one sync run."""

    commands: int
    planned: Plan
    remaining: Plan
    #: The run stopped early: the lock did not answer (the rest waits).
    aborted: bool = False


class _GaveUp(Exception):
    """A command failed ``max_attempts`` times."""

    def __init__(self, timeout: bool) -> None:
        super().__init__("gave up")
        self.timeout = timeout


FailedCallback = Callable[[str, int, int | None, str], None]
UnmanagedCallback = Callable[[str, int, CredentialSlotKind, int | None], None]


class LockSyncer:
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
    ) -> None:
        """Wire a lock; call :meth:`sync` to bring it in step."""
        self.community = community
        self.lock_id = lock_id
        self.door_id = door_id
        self.port = port
        self._clock = clock or (lambda: datetime.now(UTC))
        self._sleep = sleep
        self.min_interval = min_interval
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.slow_retry = slow_retry
        self._lockout = lockout
        self.on_failed = on_failed
        self.on_unmanaged = on_unmanaged
        self.slots: dict[int, LockSlotRecord] = {}
        self.meta: LockMetaRecord | None = None
        self.commands_sent = 0
        self.last_plan: Plan | None = None
        self._loaded = False
        self._running = False
        self._last_command: datetime | None = None
        self._lengths: dict[int, int] = {}
        self._mutex = asyncio.Lock()

    # ---- public operations
    @property
    def capacity(self) -> LockCapacity | None:
        """The lock's capacity as last read (None before first contact)."""
        if self.meta is None or self.meta.capacity is None:
            return None
        return LockCapacity(**self.meta.capacity)

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
                    except _GaveUp:
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
                except _GaveUp:
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
            except _GaveUp:
                return

    def status(self) -> LockSyncStatus:
        """Sync state for a sensor (from the last plan and the slot table)."""
        failed = sum(1 for row in self.slots.values() if row.state == SlotState.FAILED)
        unmanaged = sum(
            1 for row in self.slots.values() if row.state == SlotState.UNMANAGED
        )
        plan_ = self.last_plan
        pending = len(plan_.operations) if plan_ is not None else 0
        if plan_ is None and self.capacity is None:
            pending = 1  # not contacted yet
        if self._running:
            state = "syncing"
        elif failed:
            state = "failed"
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
        )

    # ---- running a plan
    async def _sync(self, start: int, force: bool) -> SyncReport:
        capacity = self.capacity
        assert capacity is not None
        planned = await self._plan(capacity, force=force)
        aborted = False
        for op in planned.operations:
            try:
                await self._run(op)
            except _GaveUp as err:
                if err.timeout:
                    aborted = True  # the lock is not answering: the rest waits
                    break
        remaining = (
            await self._plan(capacity, force=False) if planned.operations else planned
        )
        self.last_plan = remaining
        return SyncReport(self.commands_sent - start, planned, remaining, aborted)

    async def _plan(self, capacity: LockCapacity, *, force: bool) -> Plan:
        now = self._clock()
        desired = desired_credentials(self.community, self.door_id, now)
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
            lockout=self._desired_lockout(),
            lockout_written=written,
            force=force,
        )

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
        row = LockSlotRecord(
            lock_id=self.lock_id,
            user_id=uid,
            kind=kind.value,
            state=SlotState.PENDING,
            credential_id=op.credential_id,
            digest=op.digest,
            schedule_fp=op.schedule.fingerprint,
        )
        if op.op is OpKind.VERIFY and await self._landed(op):
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

        async def send() -> None:
            await self.port.write_slot(kind, uid, code, user_type=shape.user_type)

        await self._attempt(row, send, lambda: self._landed(op))
        await self._send_schedule(op, row)
        await self._persist(
            replace(row, state=SlotState.SYNCED, attempts=0, last_error=None)
        )

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

        async def empty() -> bool:
            reading = await self._command(lambda: self.port.read_slot(kind, uid))
            return not reading.occupied

        await self._attempt(row, lambda: self.port.clear_slot(kind, uid), empty)
        await self._persist(
            replace(row, state=SlotState.EMPTY, attempts=0, last_error=None)
        )

    async def _write_lockout(self, op: Operation) -> None:
        assert op.lockout is not None
        limit, seconds = op.lockout
        await self._attempt(None, lambda: self.port.set_lockout(limit, seconds), None)
        meta = self.meta or LockMetaRecord(self.lock_id)
        self.meta = replace(meta, lockout_limit=limit, lockout_seconds=seconds)
        await self.community.run(self.community.db.put_lock_meta, self.meta)

    async def _landed(self, op: Operation) -> bool:
        """Read a slot back and tell whether it holds the code being written."""
        assert op.kind is not None
        kind, uid = op.kind, op.user_id
        try:
            reading = await self._command(lambda: self.port.read_slot(kind, uid))
        except LockCommandError:
            return False
        return self._reading_digest(reading) == op.digest

    async def _attempt(
        self,
        row: LockSlotRecord | None,
        send: Callable[[], Awaitable[None]],
        verify: Callable[[], Awaitable[bool]] | None,
    ) -> None:
        """Send one command; on failure read back, back off and retry.

        After ``max_attempts`` the slot is failed (persisted, reported) and
        :class:`_GaveUp` is raised.
        """
        attempts = 0
        while True:
            try:
                await self._command(send)
            except LockCommandError as err:
                error = err
            else:
                return
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
                raise _GaveUp(timeout)
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
        found = [
            (r.kind, self._reading_digest(r)) for r in readings if r.occupied and r.code
        ]
        base = old or LockSlotRecord(
            self.lock_id, uid, CredentialSlotKind.PIN.value, SlotState.EMPTY
        )
        if (
            old is not None
            and old.credential_id is not None
            and old.state != SlotState.UNMANAGED
        ):
            if (CredentialSlotKind(old.kind), old.digest) in found and len(found) == 1:
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
                    raise _GaveUp(isinstance(err, LockTimeoutError)) from err
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

    def _reading_digest(self, reading: SlotReading) -> str | None:
        if not reading.occupied or not reading.code:
            return None
        return self.community.vault.credential_digest(
            COMMUNITY_KIND[reading.kind], reading.code
        )

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

    def _report_failed(self, row: LockSlotRecord) -> None:
        if self.on_failed is not None:
            self.on_failed(
                self.lock_id, row.user_id, row.credential_id, row.last_error or ""
            )


def lockout_attributes(attempts: int, seconds: int) -> tuple[int, int]:
    """ZCL values for a PIN lock-out: both attributes are one byte (1..255)."""
    return (
        max(1, min(attempts, MAX_WRONG_CODE_LIMIT)),
        max(1, min(seconds, MAX_LOCKOUT_SECONDS)),
    )


def _describe(error: Exception) -> str:
    """Return a short error text for the slot table (adapters put no codes in errors)."""
    kind = "timeout" if isinstance(error, LockTimeoutError) else "failed"
    return f"{kind}: {error}"[:200]
