"""Desired state: the credentials that belong on one lock, best first.

Only a credential's id, kind, keyed digest and validity travel from here to
the planner; the value itself is read from the vault when it is written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import TYPE_CHECKING

from custom_components.community_access.core.decision import AccessIndex, Reason
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
from custom_components.community_access.core.schedule import Schedule

from .port import CredentialSlotKind

if TYPE_CHECKING:
    from custom_components.community_access.core.community import Community

#: Community credential kinds kept on locks, and the lock's name for them.
SLOT_KIND = {
    CredentialKind.PIN: CredentialSlotKind.PIN,
    CredentialKind.CARD: CredentialSlotKind.RFID,
}
COMMUNITY_KIND = {v: k for k, v in SLOT_KIND.items()}


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
    return _best_first(_wanted_of(index, door, _candidates(index, door), now))


#: People looked at between two yields to the event loop (about 15 ms of work).
YIELD_EVERY = 500


async def async_desired_credentials(
    community: Community, door_id: str, now: datetime
) -> list[DesiredCredential]:
    """:func:`desired_credentials` that lets the event loop run meanwhile.

    At a gate of a large community the wanted set takes a few hundred
    milliseconds; this yields every :data:`YIELD_EVERY` people so that
    readers keep being answered. The people are taken as they are when the
    call starts; a change made meanwhile triggers another plan anyway.
    """
    index = community.index
    door = index.doors.get(door_id)
    if door is None:
        return []
    people = list(_candidates(index, door))
    out: list[DesiredCredential] = []
    for first in range(0, len(people), YIELD_EVERY):
        if first:
            await asyncio.sleep(0)
        out += _wanted_of(index, door, people[first : first + YIELD_EVERY], now)
    return _best_first(out)


def _best_first(wanted: list[DesiredCredential]) -> list[DesiredCredential]:
    wanted.sort(key=lambda d: (d.priority, d.credential_id))
    return wanted


def _wanted_of(
    index: AccessIndex, door: Door, people: Iterable[Person], now: datetime
) -> list[DesiredCredential]:
    """Return the wanted credentials of ``people`` at ``door``."""
    out: list[DesiredCredential] = []
    for person in people:
        if person.status is not PersonStatus.ACTIVE:
            continue
        for credential in list(index.credentials_of(person.id)):
            wanted = _wanted(index, door, credential, person, now)
            if wanted is not None:
                out.append(wanted)
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
