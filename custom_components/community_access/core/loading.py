"""Reading the tables the access index is built from, fast and lean (issue 14).

At start-up 50,000 people and 150,000 credentials are read. Only the columns
the index keeps are selected (not the encrypted values), as plain rows; the
dates are read as the dialect's naive UTC datetimes and made aware here,
once per value, instead of through the column type's per-value hook.

Equal values share one object: the two dates of a credential never changed
(``updated_at == created_at``), the creation times of a batch written at
once (an import), the empty extra zones of most people, the masks of
credentials and the rest of their fields no decision reads (one tuple for
a batch: see ``Credential.rest``), their schedules (a few distinct ones, parsed once each), and
the ids: a person's household id is the household's own id object, a
credential's person id the person's (one int object per id, not one per
table that names it). The objects built are equal to those the row
mappers of :mod:`.storage` build (``tests/core/test_loading.py`` checks it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from enum import StrEnum
import json
from typing import Any

from sqlalchemy import DateTime, Select, Table, select, type_coerce
from sqlalchemy.engine import Connection

from .models import (
    Credential,
    CredentialKind,
    CredentialStatus,
    Household,
    Person,
    PersonStatus,
    Role,
    Unit,
)
from .schedule import Schedule
from .schema import UTCDateTime, credentials, households, persons

#: Shared by every person without extra zones (most of them).
_NO_ZONES: frozenset[str] = frozenset()

_HOUSEHOLD_COLUMNS = (
    "id",
    "unit",
    "card_quota",
    "created_at",
    "moved_out_at",
    "occupancy",
    "occupied_since",
    "compound",  # v10
)
_PERSON_COLUMNS = (
    "id",
    "household_id",
    "name",
    "role",
    "status",
    "valid_from",
    "valid_until",
    "extra_zones",
    "id_number_masked",
    "phone_masked",
    "created_at",
    "id_number_hash",
    "declared_by",
    "details",
    "moved_out_at",
    "erase_after",
    "occupancy",
)
_CREDENTIAL_COLUMNS = (
    "id",
    "person_id",
    "kind",
    "digest",
    "masked",
    "status",
    "valid_from",
    "valid_until",
    "schedule",
    "created_at",
    "updated_at",
    "deposit_cents",
    "replaces_id",
    "damaged",
)


def _select(table: Table, names: Sequence[str]) -> Select[Any]:
    """Select ``names`` of ``table`` by id, dates as plain (naive UTC) datetimes."""
    columns = [
        type_coerce(table.c[name], DateTime())
        if isinstance(table.c[name].type, UTCDateTime)
        else table.c[name]
        for name in names
    ]
    return select(*columns).order_by(table.c.id)


class _Members[E: StrEnum]:
    """Value → member of a string enum by a dictionary look-up (an unknown value raises as the enum does)."""

    def __init__(self, enum: type[E]) -> None:
        self._enum = enum
        self._members = {member.value: member for member in enum}

    def __call__(self, value: str) -> E:
        member = self._members.get(value)
        return self._enum(value) if member is None else member


_ROLES = _Members(Role)
_PERSON_STATUSES = _Members(PersonStatus)
_KINDS = _Members(CredentialKind)
_CREDENTIAL_STATUSES = _Members(CredentialStatus)


def _aware(value: datetime | None) -> datetime | None:
    """Naive UTC from the database → aware UTC (as ``UTCDateTime`` reads it)."""
    return None if value is None else value.replace(tzinfo=UTC)


class _Batch:
    """Creation times made aware, one object for a run of equal ones.

    The rows of one import are written with one ``created_at`` and have
    consecutive ids: read by id, each run of them shares one object.
    """

    __slots__ = ("_aware", "_raw")

    def __init__(self) -> None:
        self._raw: datetime | None = None
        self._aware: datetime | None = None

    def __call__(self, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value != self._raw:
            self._raw, self._aware = value, value.replace(tzinfo=UTC)
        return self._aware


def read_households(conn: Connection) -> list[Household]:
    """Every household, by id."""
    rows = conn.execute(_select(households, _HOUSEHOLD_COLUMNS))
    batch = _Batch()
    return [_household(row, batch) for row in rows]


def read_persons(
    conn: Connection, households_read: Iterable[Household] = ()
) -> list[Person]:
    """Every person, by id (masked fields only: never the encrypted ones).

    ``households_read``: the households read before, whose id objects the
    people's household ids share.
    """
    rows = conn.execute(_select(persons, _PERSON_COLUMNS))
    ids: dict[Any, Any] = {h.id: h.id for h in households_read}
    rests: dict[Any, Any] = {}
    batch = _Batch()
    return [_person(row, ids, rests, batch) for row in rows]


def read_credentials(
    conn: Connection, persons_read: Iterable[Person] = ()
) -> list[Credential]:
    """Every credential, by id (its keyed hash, never its encrypted value).

    Masks (``****5678``: at most 10,000 of them for 150,000 cards), person
    ids (those of ``persons_read``, the people read before) and schedules
    are shared, not one copy each.
    """
    rows = conn.execute(_select(credentials, _CREDENTIAL_COLUMNS))
    shared: dict[Any, Any] = {p.id: p.id for p in persons_read}
    schedules: dict[str, Schedule] = {}
    batch = _Batch()
    return [_credential(row, shared, schedules, batch) for row in rows]


def _household(row: Sequence[Any], batch: _Batch) -> Household:
    (
        id_,
        unit,
        card_quota,
        created_at,
        moved_out_at,
        occupancy,
        occupied_since,
        compound,
    ) = row
    created = batch(created_at)
    return Household(
        id=id_,
        unit=Unit.parse(unit),
        card_quota=card_quota,
        created_at=created,
        moved_out_at=_aware(moved_out_at),
        occupancy=int(occupancy or 1),
        # The first occupancy began when the household was registered.
        occupied_since=created
        if occupied_since is None or occupied_since == created_at
        else _aware(occupied_since),
        compound=compound or "",
    )


def _person(
    row: Sequence[Any], ids: dict[Any, Any], rests: dict[Any, Any], batch: _Batch
) -> Person:
    (
        id_,
        household_id,
        name,
        role,
        status,
        valid_from,
        valid_until,
        extra_zones,
        id_number_masked,
        phone_masked,
        created_at,
        id_number_hash,
        declared_by,
        details,
        moved_out_at,
        erase_after,
        occupancy,
    ) = row
    rest = (
        batch(created_at),
        id_number_hash is not None,
        declared_by,
        _aware(moved_out_at),
        _aware(erase_after),
        int(occupancy or 1),
    )
    return Person(
        id=id_,
        household_id=ids.get(household_id, household_id),
        name=name,
        role=_ROLES(role),
        status=_PERSON_STATUSES(status),
        valid_from=_aware(valid_from),
        valid_until=_aware(valid_until),
        extra_zones=_zones(extra_zones),
        id_number_masked=id_number_masked,
        phone_masked=phone_masked,
        details=json.loads(details) if details else None,
        # One tuple for the equal rests of a batch, not one per person.
        rest=rests.setdefault(rest, rest),
    )


def _zones(text: str | None) -> frozenset[str]:
    if not text or text == "[]":
        return _NO_ZONES
    zones: Iterable[str] = json.loads(text)
    return frozenset(zones) or _NO_ZONES


def _credential(
    row: Sequence[Any],
    shared: dict[Any, Any],
    schedules: dict[str, Schedule],
    batch: _Batch,
) -> Credential:
    (
        id_,
        person_id,
        kind,
        digest,
        masked,
        status,
        valid_from,
        valid_until,
        schedule,
        created_at,
        updated_at,
        deposit_cents,
        replaces_id,
        damaged,
    ) = row
    created = batch(created_at)
    rest = (
        created,
        created if updated_at == created_at else _aware(updated_at),
        deposit_cents or 0,
        replaces_id,
        bool(damaged),
    )
    return Credential(
        id=id_,
        person_id=shared.setdefault(person_id, person_id),
        kind=_KINDS(kind),
        digest=digest,
        masked=shared.setdefault(masked, masked),
        status=_CREDENTIAL_STATUSES(status),
        valid_from=_aware(valid_from),
        valid_until=_aware(valid_until),
        schedule=None if schedule is None else _schedule(schedule, schedules),
        # One tuple for the equal rests of a batch (the same dates, no
        # deposit, not a reissue, not damaged), not one per credential.
        rest=shared.setdefault(rest, rest),
    )


def _schedule(text: str, schedules: dict[str, Schedule]) -> Schedule:
    """Return the schedule of a column's text, parsed once per distinct text."""
    schedule = schedules.get(text)
    if schedule is None:
        schedule = schedules[text] = Schedule.from_dict(json.loads(text))
    return schedule
