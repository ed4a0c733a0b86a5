"""The Database: schema, round trips and the access record.

On SQLite and on a private PostgreSQL server (``both_databases``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import MetaData, Table, create_engine, inspect, text
from sqlalchemy.exc import IntegrityError, StatementError

from custom_components.community_access.core import schema
from custom_components.community_access.core.models import (
    Credential,
    CredentialKind,
    CredentialStatus,
    Household,
    Person,
    PersonStatus,
    Role,
    Unit,
)
from custom_components.community_access.core.schedule import Schedule, TimeRange
from custom_components.community_access.core.storage import (
    SCHEMA_VERSION,
    AuditQuery,
    AuditRecord,
    Database,
)

pytestmark = pytest.mark.both_databases

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


def raw(url: str, sql: str, **params: object) -> list[tuple[object, ...]]:
    """Run SQL outside the Database (what another client would see)."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql), params)
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    database.migrate()
    yield database
    database.close()


def reopen(url: str, database: Database) -> Database:
    database.close()
    fresh = Database(url)
    fresh.migrate()
    return fresh


def person_kwargs(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "household_id": None,
        "name": "Wang Wu",
        "role": Role.STAFF,
        "id_number_enc": None,
        "id_number_hash": None,
        "id_number_masked": None,
        "phone_enc": None,
        "phone_masked": None,
        "valid_from": None,
        "valid_until": None,
        "extra_zones": [],
    }
    values.update(overrides)
    return values


def credential_kwargs(person_id: int, **overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "person_id": person_id,
        "kind": CredentialKind.CARD,
        "digest": "d" * 64,
        "value_enc": "ciphertext",
        "masked": "****5678",
        "valid_from": None,
        "valid_until": None,
        "schedule": None,
    }
    values.update(overrides)
    return values


# ---- schema


def test_migrate_from_empty(empty_db_url: str) -> None:
    db_url = empty_db_url
    database = Database(db_url)
    try:
        assert database.schema_version() == 0
        assert database.migrate() == SCHEMA_VERSION
        assert database.schema_version() == SCHEMA_VERSION
        assert database.migrate() == SCHEMA_VERSION
        assert database.migrate() == SCHEMA_VERSION
        assert database.schema_version() == SCHEMA_VERSION
    finally:
        database.close()
    assert raw(db_url, "SELECT count(*) FROM schema_info") == [(1,)]
    assert raw(db_url, "SELECT version FROM schema_info") == [(SCHEMA_VERSION,)]
    engine = create_engine(db_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {
        "schema_info",
        "households",
        "persons",
        "credentials",
        "audit_log",
        "ledger",
        "settings_kv",
    } <= tables


def test_migrate_keeps_data(db: Database) -> None:
    household = db.add_household(Unit.parse("3-2-501"), None)
    db.migrate()
    assert db.load().households == [household]


def test_migrate_refuses_newer_schema(db_url: str, db: Database) -> None:
    db.close()
    raw(db_url, "UPDATE schema_info SET version = :v", v=SCHEMA_VERSION + 1)
    database = Database(db_url)
    try:
        assert database.schema_version() == SCHEMA_VERSION + 1
        with pytest.raises(RuntimeError):
            database.migrate()
    finally:
        database.close()


def test_empty_load(db: Database) -> None:
    snapshot = db.load()
    assert snapshot.households == []
    assert snapshot.persons == []
    assert snapshot.credentials == []


def test_foreign_keys_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError):
        db.add_credential(**credential_kwargs(999))  # type: ignore[arg-type]
    with pytest.raises(IntegrityError):
        db.add_person(**person_kwargs(household_id=999))  # type: ignore[arg-type]


# ---- households, persons, credentials


def test_household_round_trip(db_url: str, db: Database) -> None:
    first = db.add_household(Unit.parse("3-2-501"), 2)
    second = db.add_household(Unit.parse("12a-1-1201"), None)
    assert first.id != second.id
    assert first.unit == Unit("3", "2", "501")
    assert first.card_quota == 2
    assert first.created_at is not None
    assert first.created_at.tzinfo is not None
    fresh = reopen(db_url, db)
    try:
        loaded = sorted(fresh.load().households, key=lambda h: h.id)
    finally:
        fresh.close()
    assert loaded == [first, second]
    assert loaded[1].unit == Unit("12A", "1", "1201")


def test_household_unit_unique(db: Database) -> None:
    db.add_household(Unit.parse("3-2-501"), None)
    with pytest.raises(IntegrityError):
        db.add_household(Unit.parse("3-2-501"), None)


def test_person_round_trip(db_url: str, db: Database) -> None:
    household = db.add_household(Unit.parse("3-2-501"), None)
    owner = db.add_person(
        **person_kwargs(  # type: ignore[arg-type]
            household_id=household.id,
            name="张三",
            role=Role.OWNER,
            id_number_enc="enc-id",
            id_number_hash="h" * 64,
            id_number_masked="110***********002X",
            phone_enc="enc-phone",
            phone_masked="138****5678",
            valid_from=datetime(2024, 1, 1, 8, 0, tzinfo=TZ),
            valid_until=datetime(2025, 1, 1, 8, 0, tzinfo=TZ),
            extra_zones=["public:pool", "building:5"],
        )
    )
    staff = db.add_person(**person_kwargs())  # type: ignore[arg-type]
    assert owner.household_id == household.id
    assert owner.role is Role.OWNER
    assert owner.status is PersonStatus.ACTIVE
    assert owner.extra_zones == frozenset({"public:pool", "building:5"})
    assert owner.id_number_masked == "110***********002X"
    assert owner.phone_masked == "138****5678"
    assert owner.valid_from == datetime(2024, 1, 1, 0, 0, tzinfo=UTC)
    assert staff.household_id is None
    assert staff.extra_zones == frozenset()

    fresh = reopen(db_url, db)
    try:
        loaded = {p.id: p for p in fresh.load().persons}
    finally:
        fresh.close()
    assert loaded == {owner.id: owner, staff.id: staff}


def test_person_status_round_trip(db_url: str, db: Database) -> None:
    person = db.add_person(**person_kwargs())  # type: ignore[arg-type]
    updated = db.set_person_status(person.id, PersonStatus.SUSPENDED)
    assert updated.status is PersonStatus.SUSPENDED
    assert updated.id == person.id
    fresh = reopen(db_url, db)
    try:
        assert fresh.load().persons == [updated]
    finally:
        fresh.close()


def test_person_by_id_hash(db: Database) -> None:
    person = db.add_person(**person_kwargs(id_number_hash="a" * 64))  # type: ignore[arg-type]
    db.add_person(**person_kwargs(id_number_hash="b" * 64))  # type: ignore[arg-type]
    assert db.person_by_id_hash("a" * 64) == [person]
    assert db.person_by_id_hash("c" * 64) == []


def test_naive_datetime_refused(db: Database) -> None:
    with pytest.raises(StatementError):
        db.add_person(**person_kwargs(valid_from=datetime(2024, 1, 1)))  # type: ignore[arg-type]


def test_credential_round_trip(db_url: str, db: Database) -> None:
    person = db.add_person(**person_kwargs())  # type: ignore[arg-type]
    schedule = Schedule(
        windows=Schedule.daily(
            "08:00-18:00", "22:00-06:00", days="mon,tue,wed,thu,fri"
        ).windows,
        holidays=frozenset({date(2024, 10, 1)}),
        holiday_ranges=(TimeRange.parse("10:00-12:00"),),
    )
    card = db.add_credential(
        **credential_kwargs(  # type: ignore[arg-type]
            person.id,
            valid_from=datetime(2024, 1, 1, tzinfo=TZ),
            valid_until=datetime(2024, 6, 1, tzinfo=TZ),
            schedule=schedule,
        )
    )
    pin = db.add_credential(
        **credential_kwargs(
            person.id, kind=CredentialKind.PIN, digest="p" * 64, masked="****"
        )  # type: ignore[arg-type]
    )
    assert isinstance(card, Credential)
    assert card.person_id == person.id
    assert card.kind is CredentialKind.CARD
    assert card.status is CredentialStatus.ACTIVE
    assert card.schedule == schedule
    assert card.valid_until == datetime(2024, 6, 1, tzinfo=TZ)
    assert pin.schedule is None
    assert pin.kind is CredentialKind.PIN

    fresh = reopen(db_url, db)
    try:
        loaded = {c.id: c for c in fresh.load().credentials}
    finally:
        fresh.close()
    assert loaded == {card.id: card, pin.id: pin}
    assert loaded[card.id].schedule == schedule


def test_credential_status_round_trip(db_url: str, db: Database) -> None:
    person = db.add_person(**person_kwargs())  # type: ignore[arg-type]
    card = db.add_credential(**credential_kwargs(person.id))  # type: ignore[arg-type]
    lost = db.set_credential_status(card.id, CredentialStatus.LOST)
    assert lost.status is CredentialStatus.LOST
    assert lost.id == card.id
    assert lost.digest == card.digest
    fresh = reopen(db_url, db)
    try:
        assert fresh.load().credentials == [lost]
    finally:
        fresh.close()


def test_credentials_with_digest(db: Database) -> None:
    person = db.add_person(**person_kwargs())  # type: ignore[arg-type]
    first = db.add_credential(**credential_kwargs(person.id))  # type: ignore[arg-type]
    db.set_credential_status(first.id, CredentialStatus.RETURNED)
    second = db.add_credential(**credential_kwargs(person.id))  # type: ignore[arg-type]
    db.add_credential(**credential_kwargs(person.id, digest="e" * 64))  # type: ignore[arg-type]
    found = sorted(db.credentials_with_digest("d" * 64), key=lambda c: c.id)
    assert [c.id for c in found] == [first.id, second.id]
    assert [c.status for c in found] == [
        CredentialStatus.RETURNED,
        CredentialStatus.ACTIVE,
    ]
    assert db.credentials_with_digest("f" * 64) == []


# ---- the access record


def record(at: datetime, **fields: object) -> AuditRecord:
    values: dict[str, object] = {
        "granted": True,
        "reason": "granted",
        "door_id": "gate",
        "door_name": "North gate",
        "kind": "card",
        "masked": "****5678",
        "person_id": 1,
        "household_id": 1,
    }
    values.update(fields)
    return AuditRecord(at=at, **values)  # type: ignore[arg-type]


@pytest.fixture
def audit_db(db: Database) -> Database:
    rows = [
        record(T0, person_id=1, household_id=1, door_id="gate"),
        record(T0 + timedelta(minutes=1), person_id=2, household_id=1, door_id="b3"),
        record(
            T0 + timedelta(minutes=2),
            person_id=3,
            household_id=2,
            door_id="gate",
            granted=False,
            reason="lost",
        ),
        record(
            T0 + timedelta(minutes=3),
            person_id=None,
            household_id=None,
            door_id="b5",
            granted=False,
            reason="unknown_credential",
        ),
        record(T0 + timedelta(minutes=4), person_id=1, household_id=1, door_id="b3"),
    ]
    for row in rows:
        db.add_audit(row)
    return db


def minutes(records: list[AuditRecord]) -> list[int]:
    return [int((r.at - T0).total_seconds() // 60) for r in records]


def test_audit_round_trip(db: Database) -> None:
    original = AuditRecord(
        at=datetime(2024, 3, 1, 16, 30, 5, tzinfo=TZ),
        granted=False,
        reason="zone_not_allowed",
        door_id="b5",
        door_name="Building 5",
        kind="card",
        masked="****5678",
        credential_id=7,
        person_id=11,
        person_name="Zhang San",
        household_id=1,
        unit="3-2-501",
        source="reader",
        actor="user-1",
    )
    record_id = db.add_audit(original)
    assert isinstance(record_id, int)
    (loaded,) = db.query_audit(AuditQuery())
    assert loaded == replace(original, id=record_id)
    assert loaded.at == datetime(2024, 3, 1, 8, 30, 5, tzinfo=UTC)
    assert loaded.at.tzinfo is not None
    assert loaded.at.utcoffset() == timedelta(0)
    assert loaded.as_dict() == {
        "id": record_id,
        "at": "2024-03-01T08:30:05+00:00",
        "granted": False,
        "reason": "zone_not_allowed",
        "door_id": "b5",
        "door_name": "Building 5",
        "kind": "card",
        "credential": "****5678",
        "credential_id": 7,
        "person_id": 11,
        "person_name": "Zhang San",
        "household_id": 1,
        "unit": "3-2-501",
        "source": "reader",
        "actor": "user-1",
        "note": None,
    }


def test_audit_note_round_trip(db: Database) -> None:
    """Version 2 keeps a guard's note with a record."""
    record_id = db.add_audit(
        AuditRecord(at=T0, granted=True, reason="guard_verified", note="checked ID")
    )
    (loaded,) = db.query_audit(AuditQuery())
    assert loaded.id == record_id
    assert loaded.note == "checked ID"
    assert loaded.as_dict()["note"] == "checked ID"


def test_audit_newest_first(audit_db: Database) -> None:
    assert minutes(audit_db.query_audit(AuditQuery())) == [4, 3, 2, 1, 0]
    assert audit_db.count_audit() == 5


def test_audit_same_second_newest_id_first(db: Database) -> None:
    first = db.add_audit(record(T0, person_id=1))
    second = db.add_audit(record(T0, person_id=2))
    assert [r.id for r in db.query_audit(AuditQuery())] == [second, first]


def test_audit_filters(audit_db: Database) -> None:
    assert minutes(audit_db.query_audit(AuditQuery(person_id=1))) == [4, 0]
    assert minutes(audit_db.query_audit(AuditQuery(household_id=1))) == [4, 1, 0]
    assert minutes(audit_db.query_audit(AuditQuery(household_id=2))) == [2]
    assert minutes(audit_db.query_audit(AuditQuery(door_id="gate"))) == [2, 0]
    assert minutes(audit_db.query_audit(AuditQuery(door_id="b3"))) == [4, 1]
    assert minutes(audit_db.query_audit(AuditQuery(granted=True))) == [4, 1, 0]
    assert minutes(audit_db.query_audit(AuditQuery(granted=False))) == [3, 2]
    assert audit_db.query_audit(AuditQuery(person_id=99)) == []


def test_audit_time_filters(audit_db: Database) -> None:
    start = T0 + timedelta(minutes=1)
    end = T0 + timedelta(minutes=3)
    assert minutes(audit_db.query_audit(AuditQuery(start=start))) == [4, 3, 2, 1]
    assert minutes(audit_db.query_audit(AuditQuery(end=end))) == [2, 1, 0]
    assert minutes(audit_db.query_audit(AuditQuery(start=start, end=end))) == [2, 1]
    # The bounds are instants: a Shanghai-time bound selects the same rows.
    local_start = start.astimezone(TZ)
    assert minutes(audit_db.query_audit(AuditQuery(start=local_start, end=end))) == [
        2,
        1,
    ]


def test_audit_combined_filters_and_limit(audit_db: Database) -> None:
    query = AuditQuery(household_id=1, door_id="b3", granted=True)
    assert minutes(audit_db.query_audit(query)) == [4, 1]
    assert minutes(audit_db.query_audit(AuditQuery(limit=2))) == [4, 3]
    assert minutes(audit_db.query_audit(AuditQuery(person_id=1, limit=1))) == [4]
    assert audit_db.query_audit(AuditQuery(limit=0)) == []


def test_purge_audit(audit_db: Database) -> None:
    assert audit_db.purge_audit(T0 + timedelta(minutes=2)) == 2
    assert minutes(audit_db.query_audit(AuditQuery())) == [4, 3, 2]
    assert audit_db.purge_audit(T0 + timedelta(minutes=2)) == 0
    assert audit_db.purge_audit(T0 - timedelta(days=1)) == 0
    assert audit_db.count_audit() == 3


def test_purge_audit_with_local_bound(audit_db: Database) -> None:
    before = (T0 + timedelta(minutes=1, seconds=30)).astimezone(TZ)
    assert audit_db.purge_audit(before) == 2
    assert minutes(audit_db.query_audit(AuditQuery())) == [4, 3, 2]


def test_audit_survives_reopen(db_url: str, audit_db: Database) -> None:
    fresh = reopen(db_url, audit_db)
    try:
        records = fresh.query_audit(AuditQuery())
    finally:
        fresh.close()
    assert minutes(records) == [4, 3, 2, 1, 0]
    assert all(
        r.at.tzinfo is not None and r.at.utcoffset() == timedelta(0) for r in records
    )


def test_grants_since_carry_the_person(db: Database) -> None:
    """Presence is restored per person: each grant of the window names its person."""
    for minute, cid, pid, door, granted in [
        (0, 7, 1, "gate", True),
        (1, 7, 1, "gate", True),
        (2, 8, 1, "gate_out", True),
        (3, 8, 1, "gate_out", False),  # denials do not count
        (4, 9, None, "gate", True),  # a credential without a person
        (5, None, 2, "gate", True),  # a guard's entry: no credential
    ]:
        db.add_audit(
            record(
                T0 + timedelta(minutes=minute),
                credential_id=cid,
                person_id=pid,
                door_id=door,
                granted=granted,
            )
        )
    assert db.grants_since(T0 + timedelta(minutes=1)) == [
        (7, 1, "gate", T0 + timedelta(minutes=1)),
        (8, 1, "gate_out", T0 + timedelta(minutes=2)),
        (9, None, "gate", T0 + timedelta(minutes=4)),
    ]
    # Older grants are not read at all.
    assert db.grants_since(T0 + timedelta(minutes=3)) == [
        (9, None, "gate", T0 + timedelta(minutes=4))
    ]


def test_grants_since_reads_a_range_of_the_time_index(db: Database) -> None:
    """Start-up reads the detectors' window through ix_audit_at, not the record."""
    db.add_audit(record(T0, credential_id=7, person_id=1, door_id="gate"))
    where = (
        "FROM audit_log WHERE at >= '2000-01-01 00:00:00' AND granted = true "
        "AND credential_id IS NOT NULL AND door_id IS NOT NULL ORDER BY at"
    )
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN SELECT credential_id, person_id, door_id, at {where}"
            )
            plan = " ".join(str(row[-1]) for row in rows)
            assert "ix_audit_at" in plan and "at>?" in plan
            return
        # PostgreSQL: one row makes a sequential scan cheaper; forbid it to see
        # that the index can serve the range.
        conn.exec_driver_sql("SET enable_seqscan = off")
        rows = conn.exec_driver_sql(
            f"EXPLAIN SELECT credential_id, person_id, door_id, at {where}"
        )
        plan = " ".join(str(row[0]) for row in rows)
    assert "ix_audit_at" in plan and "Index Cond: (at >=" in plan, plan


def test_datetimes_read_back_aware_utc(db_url: str, db: Database) -> None:
    household = db.add_household(Unit.parse("3-2-501"), None)
    person = db.add_person(
        **person_kwargs(valid_until=datetime(2024, 5, 1, 20, 0, tzinfo=TZ))  # type: ignore[arg-type]
    )
    fresh = reopen(db_url, db)
    try:
        snapshot = fresh.load()
    finally:
        fresh.close()
    (loaded_household,) = snapshot.households
    (loaded_person,) = snapshot.persons
    for moment in (
        loaded_household.created_at,
        loaded_person.created_at,
        loaded_person.valid_until,
    ):
        assert moment is not None
        assert moment.tzinfo is UTC
    assert loaded_person.valid_until == datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert loaded_household == household
    assert loaded_person == person


def test_types_of_loaded_rows(db: Database) -> None:
    household = db.add_household(Unit.parse("3-2-501"), None)
    person = db.add_person(**person_kwargs(household_id=household.id, role=Role.TENANT))  # type: ignore[arg-type]
    db.add_credential(**credential_kwargs(person.id))  # type: ignore[arg-type]
    snapshot = db.load()
    assert isinstance(snapshot.households[0], Household)
    assert isinstance(snapshot.persons[0], Person)
    assert snapshot.persons[0].role is Role.TENANT
    assert isinstance(snapshot.credentials[0], Credential)
    assert snapshot.credentials[0].kind is CredentialKind.CARD


# ---- portability (the same answers on SQLite and PostgreSQL)

#: Columns later versions added to the tables of version 1.
ADDED_AFTER_V1 = {
    "households": {"moved_out_at", "occupancy", "occupied_since"},
    "persons": {"details", "declared_by", "moved_out_at", "erase_after", "occupancy"},
    "credentials": {"deposit_cents", "replaces_id", "damaged"},
    "audit_log": {"note"},
}


def test_a_version_1_database_migrates(empty_db_url: str) -> None:
    """ALTER TABLE adds a boolean default PostgreSQL accepts (not ``DEFAULT 0``)."""
    db_url = empty_db_url
    old = MetaData()
    for table in (
        schema.schema_info,
        *(schema.metadata.tables[n] for n in ADDED_AFTER_V1),
    ):
        later = ADDED_AFTER_V1.get(table.name, set())
        Table(
            table.name, old, *(c._copy() for c in table.columns if c.name not in later)
        )
    engine = create_engine(db_url)
    try:
        old.create_all(engine)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO schema_info (id, version) VALUES (1, 1)"))
            conn.execute(
                text(
                    "INSERT INTO households (unit, building, card_quota, created_at) "
                    "VALUES ('3-2-501', '3', NULL, :at)"
                ),
                {"at": T0.replace(tzinfo=None)},
            )
    finally:
        engine.dispose()
    database = Database(db_url)
    try:
        assert database.migrate() == SCHEMA_VERSION
        (household,) = database.load().households
        assert household.occupancy == 1
        person = database.add_person(**person_kwargs(household_id=household.id))  # type: ignore[arg-type]
        card = database.add_credential(**credential_kwargs(person.id))  # type: ignore[arg-type]
        assert (card.damaged, card.deposit_cents, person.occupancy) == (False, 0, 1)
    finally:
        database.close()


def test_setting_keys_match_the_prefix_with_its_case(db: Database) -> None:
    """SQLite's LIKE ignores ASCII case, PostgreSQL's does not: one answer."""
    for key in ("osdp_reader_key:b", "OSDP_READER_KEY:x", "osdp_reader_key:a", "other"):
        db.set_setting(key, "1")
    db.set_setting("osdp_reader_key_%", "1")  # LIKE's wildcards are not wild
    assert db.setting_keys("osdp_reader_key:") == [
        "osdp_reader_key:a",
        "osdp_reader_key:b",
    ]


def test_an_access_record_with_a_long_source_is_kept(db: Database) -> None:
    """PostgreSQL refuses text longer than its column, SQLite keeps it: cut on both."""
    port = "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0"
    source = f"osdp:{port}:127"
    assert len(source) > 64
    record_id = db.add_audit(record(T0, source=source, person_name="赵" * 120))
    (kept,) = db.query_audit(AuditQuery())
    assert kept.id == record_id
    assert kept.source == source[:64]
    assert kept.person_name == "赵" * 100


def test_grants_at_the_same_time_come_back_in_the_order_written(
    db_url: str, db: Database
) -> None:
    """Detectors replay grants at start-up: ties in time must keep their order.

    SQLite returns ties in rowid order; PostgreSQL in whatever order its
    sort leaves them (here: the updated row's new place in the table).
    """
    ids = [
        db.add_audit(record(T0, credential_id=7, person_id=1, door_id=door))
        for door in ("gate", "b3", "gym")
    ]
    raw(db_url, "UPDATE audit_log SET note = 'checked' WHERE id = :id", id=ids[0])
    assert [door for _, _, door, _ in db.grants_since(T0)] == ["gate", "b3", "gym"]
