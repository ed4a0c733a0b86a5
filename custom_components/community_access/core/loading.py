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

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from enum import StrEnum
import json
from typing import Any

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
    loaded_credential,
    loaded_person,
    pack_digest,
)
from .schedule import Schedule

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


#: Rows fetched from the driver at a time.
_CHUNK = 4096


def select_text(table: str, names: Sequence[str]) -> str:
    """Return the query of ``names`` of ``table``, by id (names are this module's own)."""
    return f"SELECT {', '.join(names)} FROM {table} ORDER BY id"  # noqa: S608


def _rows(conn: Connection, table: str, names: Sequence[str]) -> Iterator[Any]:
    """Yield the rows of ``names`` of ``table`` by id, through the driver's own cursor.

    In the transaction of ``conn``, but without SQLAlchemy's work per row
    (a third of the load's time): the values come as the driver reads them
    (dates as text on SQLite, naive datetimes on PostgreSQL: see
    :func:`_aware`), in chunks of :data:`_CHUNK` rows.
    """
    cursor = conn.connection.cursor()
    try:
        cursor.execute(select_text(table, names))
        while rows := cursor.fetchmany(_CHUNK):
            yield from rows
    finally:
        cursor.close()


def _aware(value: datetime | str | None) -> datetime | None:
    """Make a date as the driver reads it (naive UTC; text on SQLite) aware UTC.

    As ``UTCDateTime`` reads it: SQLite keeps the dates as ISO text
    (``2024-03-01 08:00:00.123456``), PostgreSQL as naive datetimes.
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


class _Batch:
    """Creation times made aware, one object for a run of equal ones.

    The rows of one import are written with one ``created_at`` and have
    consecutive ids: read by id, each run of them shares one object.
    """

    __slots__ = ("_aware", "_raw")

    def __init__(self) -> None:
        self._raw: datetime | str | None = None
        self._aware: datetime | None = None

    def __call__(self, value: datetime | str | None) -> datetime | None:
        if value is None:
            return None
        if value != self._raw:
            self._raw, self._aware = value, _aware(value)
        return self._aware


def _member[E: StrEnum](members: dict[str, E], enum: type[E], value: str) -> E:
    """Return the member of a value from ``members`` (an unknown one raises as the enum does)."""
    return members.get(value) or enum(value)


_ROLES = {member.value: member for member in Role}
_PERSON_STATUSES = {member.value: member for member in PersonStatus}
_KINDS = {member.value: member for member in CredentialKind}
_CREDENTIAL_STATUSES = {member.value: member for member in CredentialStatus}


def read_households(conn: Connection) -> list[Household]:
    """Every household, by id."""
    batch = _Batch()
    households_read: list[Household] = []
    for (
        id_,
        unit,
        card_quota,
        created_at,
        moved_out_at,
        occupancy,
        occupied_since,
        compound,
    ) in _rows(conn, "households", _HOUSEHOLD_COLUMNS):
        created = batch(created_at)
        households_read.append(
            Household(
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
        )
    return households_read


def read_persons(
    conn: Connection, households_read: Iterable[Household] = ()
) -> list[Person]:
    """Every person, by id (masked fields only: never the encrypted ones).

    ``households_read``: the households read before, whose id objects the
    people's household ids share.
    """
    ids: dict[Any, Any] = {h.id: h.id for h in households_read}
    rests: dict[Any, Any] = {}
    batch = _Batch()
    persons_read: list[Person] = []
    append = persons_read.append
    for (
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
    ) in _rows(conn, "persons", _PERSON_COLUMNS):
        rest = (
            batch(created_at),
            id_number_hash is not None,
            declared_by,
            _aware(moved_out_at),
            _aware(erase_after),
            int(occupancy or 1),
        )
        append(
            loaded_person(
                id_,
                ids.get(household_id, household_id),
                name,
                _member(_ROLES, Role, role),
                _member(_PERSON_STATUSES, PersonStatus, status),
                _aware(valid_from),
                _aware(valid_until),
                _zones(extra_zones),
                id_number_masked,
                phone_masked,
                json.loads(details) if details else None,
                # One tuple for the equal rests of a batch, not one per person.
                rests.setdefault(rest, rest),
            )
        )
    return persons_read


def _zones(text: str | None) -> frozenset[str]:
    if not text or text == "[]":
        return _NO_ZONES
    zones: Iterable[str] = json.loads(text)
    return frozenset(zones) or _NO_ZONES


def read_credentials(
    conn: Connection, persons_read: Iterable[Person] = ()
) -> list[Credential]:
    """Every credential, by id (its keyed hash, never its encrypted value).

    Masks (``****5678``: at most 10,000 of them for 150,000 cards), person
    ids (those of ``persons_read``, the people read before) and schedules
    are shared, not one copy each.
    """
    shared: dict[Any, Any] = {p.id: p.id for p in persons_read}
    share = shared.setdefault
    schedules: dict[str, Schedule] = {}
    batch = _Batch()
    credentials_read: list[Credential] = []
    append = credentials_read.append
    for (
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
    ) in _rows(conn, "credentials", _CREDENTIAL_COLUMNS):
        created = batch(created_at)
        rest = (
            created,
            created if updated_at == created_at else _aware(updated_at),
            deposit_cents or 0,
            replaces_id,
            bool(damaged),
        )
        append(
            loaded_credential(
                id_,
                share(person_id, person_id),
                _member(_KINDS, CredentialKind, kind),
                pack_digest(digest),
                share(masked, masked),
                _member(_CREDENTIAL_STATUSES, CredentialStatus, status),
                _aware(valid_from),
                _aware(valid_until),
                None if schedule is None else _schedule(schedule, schedules),
                # One tuple for the equal rests of a batch (the same dates, no
                # deposit, not a reissue, not damaged), not one per credential.
                share(rest, rest),
            )
        )
    return credentials_read


def _schedule(text: str, schedules: dict[str, Schedule]) -> Schedule:
    """Return the schedule of a column's text, parsed once per distinct text."""
    schedule = schedules.get(text)
    if schedule is None:
        schedule = schedules[text] = Schedule.from_dict(json.loads(text))
    return schedule
