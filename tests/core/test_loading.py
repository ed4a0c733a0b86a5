"""The start-up reader of the index's tables (core/loading.py) against the row mappers.

On SQLite (dates read as text) and on a private PostgreSQL server (dates
read as datetimes): ``both_databases``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from custom_components.community_access.core import loading, storage
from custom_components.community_access.core.models import (
    CredentialKind,
    CredentialStatus,
    PersonStatus,
    Role,
    Unit,
)
from custom_components.community_access.core.schedule import Schedule
from custom_components.community_access.core.schema import (
    credentials,
    households,
    persons,
)
from custom_components.community_access.core.storage import Database

T0 = datetime(2024, 3, 1, 8, 0, 0, 123456, tzinfo=UTC)


pytestmark = pytest.mark.both_databases


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """A migrated database of this test's kind (SQLite, PostgreSQL)."""
    database = Database(db_url)
    database.migrate()
    yield database
    database.close()


def _fill(db: Database) -> None:
    """A little of everything a row can hold."""
    home = db.add_household(Unit.parse("3-2-501"), 2)
    gone = db.add_household(Unit.parse("5-1-101"), None)
    with db.transaction() as tx:
        tx.update_household(
            gone.id, moved_out_at=T0, occupancy=2, occupied_since=T0 - timedelta(1)
        )
    owner = db.add_person(
        household_id=home.id,
        name="王五",
        role=Role.OWNER,
        id_number_enc="secret",
        id_number_hash="h" * 64,
        id_number_masked="1101**********1234",
        phone_masked="138****0000",
        extra_zones=["public:gym", "building:7"],
    )
    db.add_person(
        household_id=home.id,
        name="Helper",
        role=Role.HELPER,
        valid_from=T0,
        valid_until=T0 + timedelta(days=30),
        declared_by=owner.id,
    )
    contractor = db.add_person(
        household_id=None,
        name="Fixer",
        role=Role.CONTRACTOR,
        details={"company": "ACME", "tools": ["drill"]},
    )
    db.set_person_status(contractor.id, PersonStatus.SUSPENDED)
    db.update_person(
        owner.id, status=PersonStatus.MOVED_OUT.value, moved_out_at=T0, erase_after=T0
    )
    card = db.add_credential(
        person_id=owner.id,
        kind=CredentialKind.CARD,
        digest="a" * 64,
        value_enc="ciphertext",
        masked="****5678",
        deposit_cents=2000,
    )
    db.set_credential_status(card.id, CredentialStatus.LOST)
    db.add_credential(
        person_id=owner.id,
        kind=CredentialKind.PIN,
        digest="b" * 64,
        masked="****",
        valid_from=T0,
        valid_until=T0 + timedelta(hours=5),
        schedule=Schedule.from_dict(
            {"windows": [{"days": ["mon", "tue"], "ranges": ["08:00-18:00"]}]}
        ),
        replaces_id=card.id,
    )
    db.add_credential(
        person_id=contractor.id,
        kind=CredentialKind.FACE,
        digest="c" * 64,
        masked="face",
    )
    with db.transaction() as tx:
        tx.conn.execute(
            update(credentials).where(credentials.c.id == 3).values(damaged=True)
        )
        # An extra-zones column written empty by an older version.
        tx.conn.execute(update(persons).where(persons.c.id == 2).values(extra_zones=""))


def _old(db: Database, table: Any, mapper: Any) -> list[Any]:
    """What the load read before: every column as mappings through the row mappers."""
    with db.engine.connect() as conn:
        rows = conn.execute(select(table).order_by(table.c.id)).mappings()
        return [mapper(row) for row in rows]


def test_reader_equals_row_mappers(db: Database) -> None:
    _fill(db)
    snapshot = db.load()
    for new, old in (
        (snapshot.households, _old(db, households, storage._household)),
        (snapshot.persons, _old(db, persons, storage._person)),
        (snapshot.credentials, _old(db, credentials, storage._credential)),
    ):
        assert new == old
        assert len(new) >= 2
    # ``details`` is left out of Person's equality: compare it as well.
    assert [p.details for p in snapshot.persons] == [
        p.details for p in _old(db, persons, storage._person)
    ]
    owner, helper, contractor = snapshot.persons
    assert owner.extra_zones == frozenset({"public:gym", "building:7"})
    assert owner.status is PersonStatus.MOVED_OUT and owner.has_id_number
    assert helper.extra_zones == frozenset() and helper.declared_by == owner.id
    assert contractor.details == {"company": "ACME", "tools": ["drill"]}
    lost, pin, face = snapshot.credentials
    assert lost.status is CredentialStatus.LOST and lost.deposit_cents == 2000
    assert lost.updated_at is not None and lost.created_at is not None
    assert lost.updated_at >= lost.created_at
    assert pin.schedule is not None and pin.valid_until == T0 + timedelta(hours=5)
    assert face.damaged and face.kind is CredentialKind.FACE
    assert snapshot.households[1].moved_out_at == T0
    assert snapshot.households[1].occupied_since == T0 - timedelta(1)


def test_dates_are_aware_utc_and_shared_within_a_row(db: Database) -> None:
    _fill(db)
    snapshot = db.load()
    face = snapshot.credentials[2]
    assert face.created_at is not None and face.created_at.tzinfo is UTC
    # Never changed: one object for both dates.
    assert face.updated_at is face.created_at
    first = snapshot.households[0]
    assert first.occupied_since is first.created_at
    # Sharing within a person's empty zones too.
    assert snapshot.persons[1].extra_zones is snapshot.persons[2].extra_zones


def test_encrypted_columns_are_not_read() -> None:
    for table, names in (
        (persons, loading._PERSON_COLUMNS),
        (credentials, loading._CREDENTIAL_COLUMNS),
        (households, loading._HOUSEHOLD_COLUMNS),
    ):
        # Every name is a column of its table, and the query names just them.
        assert set(names) <= set(table.c.keys())
        query = loading.select_text(table.name, names)
        assert query == (
            f"SELECT {', '.join(names)} FROM {table.name} ORDER BY id"  # noqa: S608
        )
    selected = {*loading._PERSON_COLUMNS, *loading._CREDENTIAL_COLUMNS}
    assert not {"value_enc", "id_number_enc", "phone_enc"} & selected
    assert {"digest", "masked", "id_number_hash"} <= selected


def test_unknown_enum_value_raises_as_before(db: Database) -> None:
    _fill(db)
    with db.transaction() as tx:
        tx.conn.execute(
            update(credentials).where(credentials.c.id == 3).values(kind="x")
        )
    with pytest.raises(ValueError, match="'x'"):
        db.load()


def test_an_import_batch_shares_its_creation_time(db: Database) -> None:
    _fill(db)
    with db.transaction() as tx:
        imported = tx.insert_credentials(
            [
                {
                    "person_id": 1,
                    "kind": CredentialKind.CARD,
                    "digest": f"i{n}",
                    "masked": f"****000{n}",
                }
                for n in range(3)
            ]
        )
    by_id = {c.id: c for c in db.load().credentials}
    first, *rest = (by_id[c.id] for c in imported)
    assert [c.created_at for c in rest] == [first.created_at] * 2
    assert all(c.created_at is first.created_at for c in rest)
    # Nothing else set: one tuple holds the rest of the fields of all three.
    assert all(c.rest is first.rest for c in rest)
    # Person ids are the people's own id objects.
    snapshot = db.load()
    owner = next(p for p in snapshot.persons if p.id == 1)
    assert all(
        c.person_id is owner.id for c in snapshot.credentials if c.person_id == 1
    )
    # The credential before the batch was written on its own: its own time.
    before = by_id[imported[0].id - 1]
    assert before.created_at != first.created_at
    assert before == _old(db, credentials, storage._credential)[imported[0].id - 2]
