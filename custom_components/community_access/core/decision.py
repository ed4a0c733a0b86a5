"""The access decision: may this credential pass this door at this moment.

:class:`AccessIndex` keeps everything a decision needs in dictionaries, so a
decision is a handful of O(1) look-ups and never touches the database. The
storage layer loads it at start-up and every write keeps it in step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
import heapq

from .models import (
    DEFAULT_PUBLIC_ROLES,
    RESIDENT_ROLES,
    Credential,
    CredentialKind,
    CredentialStatus,
    Door,
    Household,
    Person,
    PersonStatus,
    Role,
    ZoneKind,
    pack_digest,
)


class Reason(StrEnum):
    """Why a decision came out as it did (a closed set)."""

    GRANTED = "granted"
    UNKNOWN_DOOR = "unknown_door"
    UNKNOWN_CREDENTIAL = "unknown_credential"
    LOST = "lost"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    SUSPENDED = "suspended"
    MOVED_OUT = "moved_out"
    ZONE_NOT_ALLOWED = "zone_not_allowed"
    OUTSIDE_TIME_WINDOW = "outside_time_window"
    #: Not a decision of :meth:`AccessIndex.decide`: a door opened from the
    #: user interface or an automation, recorded with who did it.
    REMOTE_OPEN = "remote_open"
    #: A resident without a card let in by a guard after a check (seed 4.2).
    GUARD_VERIFIED = "guard_verified"
    #: A restriction penalty: gates and the own building only (第十九条 二).
    RESTRICTED = "restricted"
    #: The same person entering a zone twice without leaving (enforce mode).
    ANTI_PASSBACK = "anti_passback"
    #: Too many wrong PINs at this door: its keypad is locked for a while.
    KEYPAD_LOCKED = "keypad_locked"
    #: A single-entry visitor pass already used to come in.
    PASS_USED = "pass_used"
    #: A face while the person holds no other active credential: face
    #: recognition may never be the only way in (rules in force since 2025).
    FACE_ALONE = "face_alone"
    #: Not a decision of :meth:`AccessIndex.decide`: an escape-route exit let
    #: someone out whom the rules would have refused (``Decision.waived``).
    ESCAPE_ROUTE = "escape_route"
    # ---- operations and safety (issue 13)
    #: Door released for an emergency: fire or earthquake (every presentation still recorded).
    EMERGENCY_RELEASE = "emergency_release"
    #: Lockdown: only the roles the options name may enter.
    LOCKDOWN = "lockdown"
    #: A planned maintenance window decided this (its door mode: open, guard only).
    MAINTENANCE = "maintenance"
    #: An accompanied viewer (4.6) without their staff member's entry within 10 minutes.
    NOT_ACCOMPANIED = "not_accompanied"
    #: A guard's card at a patrol point: a patrol recorded instead of an entry.
    PATROL = "patrol"


_STATUS_REASON = {
    CredentialStatus.LOST: Reason.LOST,
    CredentialStatus.RETURNED: Reason.RETURNED,
    CredentialStatus.CANCELLED: Reason.CANCELLED,
    CredentialStatus.EXPIRED: Reason.EXPIRED,
}


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one presentation, with who it was (if known)."""

    granted: bool
    reason: Reason
    door_id: str
    kind: CredentialKind | None
    at: datetime
    credential_id: int | None = None
    person_id: int | None = None
    person_name: str | None = None
    household_id: int | None = None
    unit: str | None = None
    masked: str | None = None
    #: At an escape-route exit: the refusal the rules gave, not applied.
    waived: Reason | None = None


class AccessIndex:
    """In-memory view of the community used for decisions."""

    def __init__(self, tz: tzinfo) -> None:
        """Create an empty index evaluating schedules in ``tz``."""
        self.tz = tz
        self.households: dict[int, Household] = {}
        self.persons: dict[int, Person] = {}
        self.credentials: dict[int, Credential] = {}
        self.doors: dict[str, Door] = {}
        #: Keyed hash in its compact form (``Credential.key``) → credential id.
        self._by_digest: dict[bytes | str, int] = {}
        self._by_unit: dict[str, int] = {}
        #: Running figures, kept in step on every put/remove (O(1) to read).
        self.resident_count = 0
        self.active_credential_count = 0
        self.active_card_count = 0
        #: Secondary indexes for the card desk (not for the decision path).
        #: (Tuples, not sets: a few ids each, a fraction of the memory, and
        #: nothing for the garbage collector to walk.)
        self._persons_of: dict[int, tuple[int, ...]] = {}
        self._credentials_of: dict[int, tuple[int, ...]] = {}
        self._lost: set[int] = set()
        #: Bumped whenever the set of lost credentials changes (for caches).
        self.lost_version = 0
        #: ((lost_version, month start), count) of the lost-this-month sensor.
        self.lost_month_cache: tuple[tuple[int, datetime], int] | None = None
        #: People whose status is suspended (kept in step, for the sensor).
        self.suspended_by_status: set[int] = set()
        #: Penalties in force: person id → end (None: until lifted).
        self.suspended: dict[int, datetime | None] = {}
        self.restricted: dict[int, datetime | None] = {}
        #: (end, id) of active credentials with an end: a heap whose stale
        #: entries (credential gone, no longer active, end changed) are
        #: dropped when they reach the top, or all at once when they pile up.
        self._ends: list[tuple[datetime, int]] = []

    # ---- keeping the index in step with storage
    def put_household(self, household: Household) -> None:
        """Insert or replace a household."""
        old = self.households.get(household.id)
        if old is not None:
            self._by_unit.pop(str(old.unit), None)
        self.households[household.id] = household
        self._by_unit[str(household.unit)] = household.id

    def remove_household(self, household_id: int) -> None:
        """Forget a household."""
        old = self.households.pop(household_id, None)
        if old is not None:
            self._by_unit.pop(str(old.unit), None)

    def put_person(self, person: Person) -> None:
        """Insert or replace a person."""
        old = self.persons.get(person.id)
        self.resident_count += _is_resident(person) - _is_resident(old)
        if person.status is PersonStatus.SUSPENDED:
            self.suspended_by_status.add(person.id)
        else:
            self.suspended_by_status.discard(person.id)
        if old is not None and old.household_id is not None:
            _discard_id(self._persons_of, old.household_id, old.id)
        if person.household_id is not None:
            _add_id(self._persons_of, person.household_id, person.id)
        self.persons[person.id] = person

    def remove_person(self, person_id: int) -> None:
        """Forget a person."""
        old = self.persons.pop(person_id, None)
        self.resident_count -= _is_resident(old)
        self.suspended_by_status.discard(person_id)
        if old is not None and old.household_id is not None:
            _discard_id(self._persons_of, old.household_id, old.id)

    def put_credential(self, credential: Credential) -> None:
        """Insert or replace a credential; the newest one owns its digest."""
        old = self.credentials.get(credential.id)
        self.active_credential_count += _is_active(credential) - _is_active(old)
        self.active_card_count += _is_active_card(credential) - _is_active_card(old)
        if (
            _is_active(credential)
            and credential.valid_until is not None
            and not (
                old is not None
                and _is_active(old)
                and old.valid_until == credential.valid_until
            )
        ):
            heapq.heappush(self._ends, (credential.valid_until, credential.id))
        _add_id(self._credentials_of, credential.person_id, credential.id)
        if credential.status is CredentialStatus.LOST:
            self._lost.add(credential.id)
            self.lost_version += 1
        elif credential.id in self._lost:
            self._lost.discard(credential.id)
            self.lost_version += 1
        if old is not None and old.key != credential.key:
            if self._by_digest.get(old.key) == old.id:
                del self._by_digest[old.key]
        self.credentials[credential.id] = credential
        if len(self._ends) > 2 * len(self.credentials) + 64:
            self._compact_ends()  # after the store: the new entry is live
        current = self._by_digest.get(credential.key)
        if current is None or current <= credential.id:
            self._by_digest[credential.key] = credential.id

    def fill(
        self,
        households: Iterable[Household],
        persons: Iterable[Person],
        credentials: Iterable[Credential],
    ) -> None:
        """Fill an empty index at once (start-up).

        The same state as ``put_*`` of each one in turn (credentials by id),
        without the per-item checks an update needs.
        """
        if self.households or self.persons or self.credentials:
            raise ValueError("index is not empty")
        for household in households:
            self.put_household(household)
        self._fill_persons(persons)
        self._fill_credentials(sorted(credentials, key=_credential_id))

    def _fill_persons(self, persons: Iterable[Person]) -> None:
        people = self.persons
        of: dict[int, list[int]] = {}
        for person in persons:
            people[person.id] = person
            if person.household_id is not None:
                of.setdefault(person.household_id, []).append(person.id)
        self.resident_count = sum(map(_is_resident, people.values()))
        self.suspended_by_status = {
            p.id for p in people.values() if p.status is PersonStatus.SUSPENDED
        }
        self._persons_of = {key: tuple(ids) for key, ids in of.items()}

    def _fill_credentials(self, credentials: list[Credential]) -> None:
        held = self.credentials
        of: dict[int, list[int]] = {}
        ends: list[tuple[datetime, int]] = []
        active = self.active_credential_count
        for credential in credentials:
            held[credential.id] = credential
            of.setdefault(credential.person_id, []).append(credential.id)
            if credential.status is CredentialStatus.ACTIVE:
                active += 1
                if credential.valid_until is not None:
                    ends.append((credential.valid_until, credential.id))
            elif credential.status is CredentialStatus.LOST:
                self._lost.add(credential.id)
        self.active_credential_count = active
        self.active_card_count = sum(map(_is_active_card, credentials))
        self.lost_version += len(self._lost)
        heapq.heapify(ends)
        self._ends = ends
        self._credentials_of = {key: tuple(ids) for key, ids in of.items()}
        # By id: the newest credential owns its digest.
        self._by_digest = {c.key: c.id for c in credentials}

    def remove_credential(self, credential_id: int) -> None:
        """Forget a credential."""
        old = self.credentials.pop(credential_id, None)
        self.active_credential_count -= _is_active(old)
        self.active_card_count -= _is_active_card(old)
        if credential_id in self._lost:
            self._lost.discard(credential_id)
            self.lost_version += 1
        if old is not None:
            _discard_id(self._credentials_of, old.person_id, old.id)
        if old is not None and self._by_digest.get(old.key) == old.id:
            del self._by_digest[old.key]

    def set_doors(self, doors: list[Door]) -> None:
        """Replace the set of doors."""
        self.doors = {door.id: door for door in doors}

    def _compact_ends(self) -> None:
        self._ends = [entry for entry in self._ends if self._live_end(entry)]
        heapq.heapify(self._ends)

    def _live_end(self, entry: tuple[datetime, int]) -> bool:
        end, credential_id = entry
        credential = self.credentials.get(credential_id)
        return (
            credential is not None
            and credential.status is CredentialStatus.ACTIVE
            and credential.valid_until == end
        )

    # ---- time-dependent changes
    def next_credential_end(self) -> datetime | None:
        """Return the earliest end of an active credential (past: due for expiry).

        Amortised O(log n): stale entries are popped as they reach the top.
        """
        ends = self._ends
        while ends and not self._live_end(ends[0]):
            heapq.heappop(ends)
        return ends[0][0] if ends else None

    def credentials_ending_by(self, moment: datetime) -> list[Credential]:
        """Active credentials whose end is at or before ``moment``, by id.

        Walks only the part of the heap at or before ``moment`` (a node later
        than it has no earlier descendant), not every credential.
        """
        ends = self._ends
        found: dict[int, Credential] = {}
        stack = [0]
        while stack:
            i = stack.pop()
            if i >= len(ends) or ends[i][0] > moment:
                continue
            if self._live_end(ends[i]):
                found[ends[i][1]] = self.credentials[ends[i][1]]
            stack.extend((2 * i + 1, 2 * i + 2))
        return [found[cid] for cid in sorted(found)]

    # ---- look-ups
    def household_by_unit(self, unit: str) -> Household | None:
        """Return the household living in a unit (canonical ``3-2-501`` form)."""
        hid = self._by_unit.get(unit)
        return None if hid is None else self.households.get(hid)

    def credential_by_digest(self, digest: str | bytes) -> Credential | None:
        """Return the credential that owns a keyed hash, whatever its status.

        ``digest``: the keyed hash's text, or its compact form
        (:func:`~.models.pack_digest`, as ``Vault.credential_key`` makes it).
        """
        cid = self._by_digest.get(
            pack_digest(digest) if isinstance(digest, str) else digest
        )
        return None if cid is None else self.credentials.get(cid)

    def credentials_of(self, person_id: int) -> list[Credential]:
        """All credentials of a person, oldest first."""
        ids = sorted(self._credentials_of.get(person_id, ()))
        return [self.credentials[i] for i in ids if i in self.credentials]

    def persons_of(self, household_id: int) -> list[Person]:
        """All people of a household, oldest first."""
        ids = sorted(self._persons_of.get(household_id, ()))
        return [self.persons[i] for i in ids if i in self.persons]

    def lost_credentials(self) -> list[Credential]:
        """Credentials currently reported lost."""
        return [self.credentials[i] for i in self._lost if i in self.credentials]

    # ---- the decision
    def decide(
        self, kind: CredentialKind, digest: str | bytes, door_id: str, at: datetime
    ) -> Decision:
        """Decide whether the credential with ``digest`` may pass ``door_id`` at ``at``."""
        door = self.doors.get(door_id)
        if door is None:
            return Decision(False, Reason.UNKNOWN_DOOR, door_id, kind, at)
        credential = self.credential_by_digest(digest)
        if credential is None or credential.kind is not kind:
            return Decision(False, Reason.UNKNOWN_CREDENTIAL, door_id, kind, at)
        person = self.persons.get(credential.person_id)
        household = (
            self.households.get(person.household_id)
            if person is not None and person.household_id is not None
            else None
        )
        reason = self._check(credential, person, household, door, at)
        return Decision(
            granted=reason is Reason.GRANTED,
            reason=reason,
            door_id=door_id,
            kind=kind,
            at=at,
            credential_id=credential.id,
            person_id=person.id if person else None,
            person_name=person.name if person else None,
            household_id=household.id if household else None,
            unit=str(household.unit) if household else None,
            masked=credential.masked,
        )

    def _check(
        self,
        credential: Credential,
        person: Person | None,
        household: Household | None,
        door: Door,
        at: datetime,
    ) -> Reason:
        if person is not None and person.status is PersonStatus.MOVED_OUT:
            # The most telling reason for a guard: the person left (their
            # credentials were cancelled with the move-out).
            return Reason.MOVED_OUT
        status_reason = _STATUS_REASON.get(credential.status)
        if status_reason is not None:
            return status_reason
        if person is None:
            return Reason.UNKNOWN_CREDENTIAL
        if person.status is PersonStatus.SUSPENDED or _in_force(
            self.suspended, person.id, at
        ):
            return Reason.SUSPENDED
        # Temporary credentials and people void themselves at their end time.
        for start, end in (
            (credential.valid_from, credential.valid_until),
            (person.valid_from, person.valid_until),
        ):
            if start is not None and at < start:
                return Reason.NOT_YET_VALID
            if end is not None and at >= end:
                return Reason.EXPIRED
        if credential.kind is CredentialKind.FACE and not self._holds_other_than_face(
            person.id, at
        ):
            return Reason.FACE_ALONE
        if not self._zone_allowed(person, household, door):
            return Reason.ZONE_NOT_ALLOWED
        if _in_force(self.restricted, person.id, at) and not (
            door.zone.kind is ZoneKind.GATE
            or (
                door.zone.kind is ZoneKind.BUILDING
                and household is not None
                and household.unit.building == door.zone.key
            )
        ):
            # 限制使用: the gates and the own building only, whatever else was allowed.
            return Reason.RESTRICTED
        local = at.astimezone(self.tz)
        for schedule in (credential.schedule, door.schedule):
            if schedule is not None and not schedule.allows(local):
                return Reason.OUTSIDE_TIME_WINDOW
        return Reason.GRANTED

    def _holds_other_than_face(self, person_id: int, at: datetime) -> bool:
        """Whether a person holds a credential other than a face, usable at ``at``."""
        credentials = self.credentials
        for cid in self._credentials_of.get(person_id, ()):
            other = credentials.get(cid)
            if (
                other is not None
                and other.kind is not CredentialKind.FACE
                and other.status is CredentialStatus.ACTIVE
                and (other.valid_from is None or other.valid_from <= at)
                and (other.valid_until is None or at < other.valid_until)
            ):
                return True
        return False

    @staticmethod
    def _zone_allowed(person: Person, household: Household | None, door: Door) -> bool:
        zone = door.zone
        if zone.id in person.extra_zones:
            return True
        if door.allowed_roles is not None and person.role not in door.allowed_roles:
            return False
        if zone.kind is ZoneKind.GATE:
            return True
        if zone.kind is ZoneKind.BUILDING:
            # Seed 113: residents enter their own building only. Staff serve
            # every building; contractors and visitors the household they came for.
            if person.role is Role.STAFF:
                return True
            return household is not None and household.unit.building == zone.key
        roles = (
            door.allowed_roles
            if door.allowed_roles is not None
            else DEFAULT_PUBLIC_ROLES
        )
        return person.role in roles


def _credential_id(credential: Credential) -> int:
    return credential.id


def _add_id(ids: dict[int, tuple[int, ...]], key: int, item: int) -> None:
    """Add ``item`` to the ids kept under ``key``."""
    held = ids.get(key, ())
    if item not in held:
        ids[key] = (*held, item)


def _discard_id(ids: dict[int, tuple[int, ...]], key: int, item: int) -> None:
    """Remove ``item`` from the ids kept under ``key``, if there."""
    held = ids.get(key, ())
    if item in held:
        rest = tuple(i for i in held if i != item)
        if rest:
            ids[key] = rest
        else:
            del ids[key]


def _is_resident(person: Person | None) -> int:
    return int(
        person is not None
        and person.role in RESIDENT_ROLES
        and person.status is not PersonStatus.MOVED_OUT
    )


def _in_force(
    penalties: dict[int, datetime | None], person_id: int, at: datetime
) -> bool:
    if person_id not in penalties:
        return False
    end = penalties[person_id]
    return end is None or at < end


def _is_active_card(credential: Credential | None) -> int:
    return int(
        credential is not None
        and credential.kind is CredentialKind.CARD
        and credential.status is CredentialStatus.ACTIVE
    )


def _is_active(credential: Credential | None) -> int:
    return int(credential is not None and credential.status is CredentialStatus.ACTIVE)


__all__ = ["RESIDENT_ROLES", "AccessIndex", "Decision", "Reason"]
