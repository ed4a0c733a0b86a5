"""Schema migration from version 1 (the exact v1 DDL) to version 2 and beyond.

``Database.migrate`` always goes to the current ``SCHEMA_VERSION`` (2 when
these tests were written); what they check is what version 2 added and that
version 1 data survives.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
import json
from pathlib import Path
import sqlite3

import pytest

from custom_components.community_access.core.carddesk import CardDesk
from custom_components.community_access.core.community import Community
from custom_components.community_access.core.decision import Reason
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.models import (
    Credential,
    CredentialKind,
    CredentialStatus,
    Door,
    Household,
    LedgerKind,
    Person,
    PersonStatus,
    Role,
    Unit,
    Zone,
)
from custom_components.community_access.core.privacy import mask_id_number, mask_phone
from custom_components.community_access.core.schedule import Schedule
from custom_components.community_access.core.schema import SCHEMA_VERSION
from custom_components.community_access.core.storage import (
    AuditQuery,
    AuditRecord,
    Database,
)

from .common import TZ, make_id_number, make_vault

V1_DDL = Path(__file__).resolve().parent.parent / "fixtures" / "schema_v1.sql"
CREATED = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
UPDATED = datetime(2024, 3, 2, 9, 30, 15, 250000, tzinfo=UTC)
UNTIL = datetime(2030, 1, 1, 0, 0, tzinfo=UTC)
AUDIT_AT = datetime(2024, 3, 3, 1, 2, 3, tzinfo=UTC)
ID_NUMBER = make_id_number(42, birth="19750620")
PHONE = "13812345678"
CARD_NUMBER = "9876543210"
SCHEDULE = Schedule.daily("07:00-22:00")


def sql_time(moment: datetime) -> str:
    """How SQLAlchemy's SQLite DateTime stores a (naive UTC) moment."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def create_v1(path: Path) -> None:
    """A version 1 database with one household, person, credential and record."""
    vault = make_vault()
    with sqlite3.connect(path) as conn:
        conn.executescript(V1_DDL.read_text())
        conn.execute("INSERT INTO schema_info (id, version) VALUES (1, 1)")
        conn.execute(
            "INSERT INTO households (id, unit, building, card_quota, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (1, "3-2-501", "3", 2, sql_time(CREATED)),
        )
        conn.execute(
            "INSERT INTO persons (id, household_id, name, role, status, "
            "id_number_enc, id_number_hash, id_number_masked, phone_enc, "
            "phone_masked, valid_from, valid_until, extra_zones, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                1,
                1,
                "张三",
                "owner",
                "active",
                vault.encrypt(ID_NUMBER),
                vault.id_number_digest(ID_NUMBER),
                mask_id_number(ID_NUMBER),
                vault.encrypt(PHONE),
                mask_phone(PHONE),
                None,
                sql_time(UNTIL),
                json.dumps(["public:gym"]),
                sql_time(CREATED),
                sql_time(UPDATED),
            ),
        )
        conn.execute(
            "INSERT INTO credentials (id, person_id, kind, digest, value_enc, "
            "masked, status, valid_from, valid_until, schedule, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                1,
                1,
                "card",
                vault.credential_digest(CredentialKind.CARD, CARD_NUMBER),
                vault.encrypt(CARD_NUMBER),
                "****3210",
                "active",
                None,
                None,
                json.dumps(SCHEDULE.as_dict()),
                sql_time(CREATED),
                sql_time(UPDATED),
            ),
        )
        conn.execute(
            "INSERT INTO audit_log (id, at, door_id, door_name, kind, masked, "
            "granted, reason, credential_id, person_id, person_name, "
            "household_id, unit, source, actor) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                1,
                sql_time(AUDIT_AT),
                "b3",
                "Building 3",
                "card",
                "****3210",
                1,
                "granted",
                1,
                1,
                "张三",
                1,
                "3-2-501",
                "reader.b3",
                "user-1",
            ),
        )


EXPECTED_HOUSEHOLD = Household(
    id=1,
    unit=Unit.parse("3-2-501"),
    card_quota=2,
    created_at=CREATED,
    occupied_since=CREATED,
)
EXPECTED_PERSON = Person(
    id=1,
    household_id=1,
    name="张三",
    role=Role.OWNER,
    status=PersonStatus.ACTIVE,
    valid_until=UNTIL,
    extra_zones=frozenset({"public:gym"}),
    id_number_masked=mask_id_number(ID_NUMBER),
    phone_masked=mask_phone(PHONE),
    created_at=CREATED,
    has_id_number=True,
)
EXPECTED_CREDENTIAL = Credential(
    id=1,
    person_id=1,
    kind=CredentialKind.CARD,
    digest=make_vault().credential_digest(CredentialKind.CARD, CARD_NUMBER),
    masked="****3210",
    status=CredentialStatus.ACTIVE,
    schedule=SCHEDULE,
    created_at=CREATED,
    updated_at=UPDATED,
)
EXPECTED_AUDIT = AuditRecord(
    id=1,
    at=AUDIT_AT,
    granted=True,
    reason="granted",
    door_id="b3",
    door_name="Building 3",
    kind="card",
    masked="****3210",
    credential_id=1,
    person_id=1,
    person_name="张三",
    household_id=1,
    unit="3-2-501",
    source="reader.b3",
    actor="user-1",
)


def columns(path: Path, table: str) -> dict[str, tuple[str, int, str | None]]:
    """name -> (type, not null, default) of a table's columns."""
    with sqlite3.connect(path) as conn:
        return {
            row[1]: (row[2], row[3], row[4])
            for row in conn.execute(f"PRAGMA table_info({table})")
        }


def schema_and_rows(path: Path) -> tuple[list[tuple[str, str, str]], dict[str, list]]:
    """The DDL SQLite holds and every row of every table."""
    with sqlite3.connect(path) as conn:
        ddl = conn.execute(
            "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
        tables = [name for kind, name, _ in ddl if kind == "table"]
        rows = {
            # table names come from sqlite_master, not from input
            t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()  # noqa: S608
            for t in tables
        }
    return ddl, rows


@pytest.fixture
def v1_path(tmp_path: Path) -> Path:
    path = tmp_path / "x.db"
    create_v1(path)
    return path


@pytest.fixture
def migrated(v1_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{v1_path}")
    assert database.schema_version() == 1
    assert database.migrate() == SCHEMA_VERSION
    yield database
    database.close()


def test_v1_fixture_is_version_one(v1_path: Path) -> None:
    assert SCHEMA_VERSION >= 2
    assert "deposit_cents" not in columns(v1_path, "credentials")
    assert "note" not in columns(v1_path, "audit_log")
    database = Database(f"sqlite:///{v1_path}")
    try:
        assert database.schema_version() == 1
    finally:
        database.close()


def test_migrate_v1_to_v2(v1_path: Path, migrated: Database) -> None:
    assert migrated.schema_version() == SCHEMA_VERSION
    with sqlite3.connect(v1_path) as conn:
        assert conn.execute("SELECT id, version FROM schema_info").fetchall() == [
            (1, SCHEMA_VERSION)
        ]
        tables = {
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        indexes = {
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")
        }
    assert {"ledger", "settings_kv"} <= tables
    assert "ix_audit_credential_at" in indexes
    assert {"moved_out_at"} <= set(columns(v1_path, "households"))
    assert {"details", "declared_by", "moved_out_at", "erase_after"} <= set(
        columns(v1_path, "persons")
    )
    credential_columns = columns(v1_path, "credentials")
    deposit_type, deposit_not_null, deposit_default = credential_columns[
        "deposit_cents"
    ]
    assert deposit_type == "INTEGER"
    assert deposit_not_null == 1
    assert deposit_default == "0"
    assert {"replaces_id", "damaged"} <= set(credential_columns)
    assert "note" in columns(v1_path, "audit_log")
    assert {
        "id",
        "at",
        "household_id",
        "person_id",
        "credential_id",
        "entry",
        "amount_cents",
        "recorded_by",
        "note",
        "occupancy",
    } == set(columns(v1_path, "ledger"))
    with sqlite3.connect(v1_path) as conn:
        assert conn.execute(
            "SELECT deposit_cents, replaces_id, damaged FROM credentials"
        ).fetchall() == [(0, None, 0)]


def test_old_rows_load_unchanged(migrated: Database) -> None:
    snapshot = migrated.load()
    assert snapshot.households == [EXPECTED_HOUSEHOLD]
    assert snapshot.persons == [EXPECTED_PERSON]
    (person,) = snapshot.persons
    assert person.details is None
    assert person.declared_by is None
    assert person.erase_after is None
    assert snapshot.credentials == [EXPECTED_CREDENTIAL]
    (credential,) = snapshot.credentials
    assert credential.deposit_cents == 0
    assert credential.replaces_id is None
    assert credential.damaged is False
    assert migrated.query_audit(AuditQuery()) == [EXPECTED_AUDIT]
    assert migrated.query_audit(AuditQuery())[0].note is None
    row = migrated.person_row(1)
    assert make_vault().decrypt(row["id_number_enc"]) == ID_NUMBER
    assert make_vault().decrypt(row["phone_enc"]) == PHONE
    assert migrated.ledger_entries() == []
    assert migrated.ledger_totals() == {}


def test_migrated_database_is_usable(migrated: Database) -> None:
    migrated.set_setting("last_permission_review", "2024-03-01T00:00:00+00:00")
    assert migrated.setting("last_permission_review") == "2024-03-01T00:00:00+00:00"
    household = migrated.add_household(Unit.parse("5-1-101"), None)
    assert household.moved_out_at is None
    assert migrated.count_audit() == 1


def test_migrate_again_is_a_no_op(v1_path: Path, migrated: Database) -> None:
    before = schema_and_rows(v1_path)
    assert migrated.migrate() == SCHEMA_VERSION
    assert migrated.migrate() == SCHEMA_VERSION
    assert migrated.schema_version() == SCHEMA_VERSION
    assert schema_and_rows(v1_path) == before
    migrated.close()
    fresh = Database(f"sqlite:///{v1_path}")
    try:
        assert fresh.migrate() == SCHEMA_VERSION
        assert fresh.load().credentials == [EXPECTED_CREDENTIAL]
    finally:
        fresh.close()
    assert schema_and_rows(v1_path) == before


async def test_community_on_a_v1_database(v1_path: Path) -> None:
    """Start-up migrates; old credentials decide as before; the card desk works."""
    community = Community(
        Database(f"sqlite:///{v1_path}"),
        make_vault(),
        TZ,
        asyncio.to_thread,
    )
    community.set_doors([Door("b3", "Building 3", Zone.building("3"))])
    await community.async_load()
    try:
        assert await community.run(community.db.schema_version) == SCHEMA_VERSION
        monday = datetime(2024, 3, 4, 10, 0, tzinfo=TZ)
        decision = community.decide("b3", CredentialKind.CARD, CARD_NUMBER, monday)
        assert decision.granted
        assert decision.person_id == 1
        late = community.decide(
            "b3", CredentialKind.CARD, CARD_NUMBER, monday.replace(hour=23)
        )
        assert late.reason is Reason.OUTSIDE_TIME_WINDOW
        assert community.deposits_held_cents == 0

        desk = CardDesk(community)
        result = await desk.issue_card(person_id=1, card_number="5550001234")
        assert [(e.kind, e.amount_cents) for e in result.ledger] == [
            (LedgerKind.DEPOSIT, 2000)
        ]
        assert community.deposits_held_cents == 2000
        # The household's v1 quota of 2 holds: the old card and the new one.
        with pytest.raises(CommunityError) as info:
            await desk.issue_card(person_id=1, card_number="5550005678")
        assert info.value.key == "card_quota_reached"
        # The old card held no deposit: returning it refunds nothing.
        returned = await desk.return_card(1)
        assert returned.ledger == ()
        assert community.deposits_held_cents == 2000
    finally:
        await community.async_close()


# ---- version 5 to 6: occupancies of a unit

V5_DDL = Path(__file__).resolve().parent.parent / "fixtures" / "schema_v5.sql"


def create_v5(path: Path) -> None:
    """A version 5 database: a household with an owner, a card and three ledger entries."""
    vault = make_vault()
    with sqlite3.connect(path) as conn:
        conn.executescript(V5_DDL.read_text())
        conn.execute("INSERT INTO schema_info (id, version) VALUES (1, 5)")
        conn.execute(
            "INSERT INTO households (id, unit, building, card_quota, created_at) "
            "VALUES (1, '3-2-501', '3', NULL, ?)",
            (sql_time(CREATED),),
        )
        conn.execute(
            "INSERT INTO persons (id, household_id, name, role, status, "
            "id_number_enc, id_number_hash, id_number_masked, extra_zones, "
            "created_at, updated_at) VALUES (1, 1, '张三', 'owner', 'active', "
            "?, ?, ?, '[]', ?, ?)",
            (
                vault.encrypt(ID_NUMBER),
                vault.id_number_digest(ID_NUMBER),
                mask_id_number(ID_NUMBER),
                sql_time(CREATED),
                sql_time(UPDATED),
            ),
        )
        conn.execute(
            "INSERT INTO credentials (id, person_id, kind, digest, value_enc, "
            "masked, status, created_at, updated_at, deposit_cents, damaged) "
            "VALUES (1, 1, 'card', ?, ?, '****3210', 'active', ?, ?, 2000, 0)",
            (
                vault.credential_digest(CredentialKind.CARD, CARD_NUMBER),
                vault.encrypt(CARD_NUMBER),
                sql_time(CREATED),
                sql_time(UPDATED),
            ),
        )
        for lid, entry, amount in (
            (1, "deposit", 2000),
            (2, "reissue_fee", 3000),
            (3, "fine", 10000),
        ):
            conn.execute(
                "INSERT INTO ledger (id, at, household_id, person_id, "
                "credential_id, entry, amount_cents) VALUES (?, ?, 1, 1, 1, ?, ?)",
                (lid, sql_time(CREATED), entry, amount),
            )
        conn.execute(
            "INSERT INTO household_links (household_id, notify_services, user_ids) "
            "VALUES (1, '[\"mobile_app_phone\"]', '[\"user-1\"]')"
        )


async def test_v5_database_migrates_into_occupancy_one(tmp_path: Path) -> None:
    path = tmp_path / "v5.db"
    create_v5(path)
    assert "occupancy" not in columns(path, "households")
    community = Community(
        Database(f"sqlite:///{path}"), make_vault(), TZ, asyncio.to_thread
    )
    await community.async_load()
    try:
        assert await community.run(community.db.schema_version) == SCHEMA_VERSION
        for table in ("households", "persons", "ledger"):
            assert columns(path, table)["occupancy"] == ("INTEGER", 1, "1")
        assert "occupied_since" in columns(path, "households")
        with sqlite3.connect(path) as conn:
            for table in ("households", "persons", "ledger"):
                values = conn.execute(f"SELECT occupancy FROM {table}").fetchall()  # noqa: S608
                assert set(values) == {(1,)}
        household = community.household("3-2-501")
        assert household.occupancy == 1
        assert household.occupied_since == CREATED
        assert community.person(1).occupancy == 1
        statement = await CardDesk(community).statement("3-2-501")
        assert (statement.occupancy, statement.occupancies) == (1, 1)
        assert [(e.kind, e.amount_cents) for e in statement.entries] == [
            (LedgerKind.DEPOSIT, 2000),
            (LedgerKind.REISSUE_FEE, 3000),
            (LedgerKind.FINE, 10000),
        ]
        assert statement.balance == 15000
        assert community.deposits_held_cents == 2000
        assert community.links == {1: (["mobile_app_phone"], ["user-1"])}
        # A migrated unit moves out and in again like any other.
        desk = CardDesk(community)
        await desk.move_out(unit="3-2-501")
        assert community.links == {}
        household = await community.add_household("3-2-501")
        assert household.occupancy == 2
        assert (await desk.statement("3-2-501")).entries == ()
        history = await desk.statement("3-2-501", occupancy=1)
        assert [e.kind for e in history.entries][:3] == [
            LedgerKind.DEPOSIT,
            LedgerKind.REISSUE_FEE,
            LedgerKind.FINE,
        ]
    finally:
        await community.async_close()


# ---- version 7 to 8: the watch list keeps the name given when barring

V7_DDL = Path(__file__).resolve().parent.parent / "fixtures" / "schema_v7.sql"


async def test_v7_watch_list_migrates_and_keeps_its_bars(tmp_path: Path) -> None:
    path = tmp_path / "v7.db"
    vault = make_vault()
    with sqlite3.connect(path) as conn:
        conn.executescript(V7_DDL.read_text())
        conn.execute("INSERT INTO schema_info (id, version) VALUES (1, 7)")
        conn.execute(
            "INSERT INTO watchlist (id, id_number_hash, id_number_masked, reason, "
            "added_by, created_at) VALUES (1, ?, ?, '损坏门禁', 'user-1', ?)",
            (
                vault.id_number_digest(ID_NUMBER),
                mask_id_number(ID_NUMBER),
                sql_time(CREATED),
            ),
        )
    assert "name" not in columns(path, "watchlist")
    community = Community(
        Database(f"sqlite:///{path}"), make_vault(), TZ, asyncio.to_thread
    )
    await community.async_load()
    try:
        assert await community.run(community.db.schema_version) == SCHEMA_VERSION
        assert "name" in columns(path, "watchlist")
        total, rows = await community.run(community.db.watch_list, 0, 50)
        assert total == 1
        (row,) = rows
        assert (row.id, row.name, row.reason, row.added_by, row.added_at) == (
            1,
            None,
            "损坏门禁",
            "user-1",
            CREATED,
        )
        # The old bar still bars, and a new one keeps its name.
        assert await community.run(
            community.db.barred, vault.id_number_digest(ID_NUMBER)
        )
        other = make_id_number(7, birth="19900101")
        added = await community.run(
            community.db.bar,
            vault.id_number_digest(other),
            "masked",
            None,
            None,
            "王五",
        )
        assert added is not None and added.name == "王五" and added.id == 2
        lifted = await community.run(community.db.unbar_entry, 1)
        assert lifted is not None and lifted.reason == "损坏门禁"
        assert not await community.run(
            community.db.barred, vault.id_number_digest(ID_NUMBER)
        )
        assert await community.run(community.db.unbar_entry, 1) is None
    finally:
        await community.async_close()


# ---- version 8 to 9: the operations tables, an accompanied viewer's escort

V8_DDL = Path(__file__).resolve().parent.parent / "fixtures" / "schema_v8.sql"
OPERATION_TABLES = {
    "site_modes",
    "door_alarms",
    "faults",
    "fault_updates",
    "patrols",
    "maintenance_windows",
    "goods_passes",
    "goods_checks",
    "renovations",
    "group_visits",
}


async def test_v8_database_gains_the_operations_tables(tmp_path: Path) -> None:
    path = tmp_path / "v8.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(V8_DDL.read_text())
        conn.execute("INSERT INTO schema_info (id, version) VALUES (1, 8)")
        conn.execute(
            "INSERT INTO households (id, unit, building, created_at) "
            "VALUES (1, '3-2-501', '3', ?)",
            (sql_time(CREATED),),
        )
        conn.execute(
            "INSERT INTO visits (id, household_id, visitor_name, status, "
            "pre_registered, multiple_entries, created_at, updated_at) "
            "VALUES (1, 1, '李雷', 'expected', 1, 0, ?, ?)",
            (sql_time(CREATED), sql_time(UPDATED)),
        )
        present = {
            row[0]
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
    assert not present & OPERATION_TABLES
    assert "escort_person_id" not in columns(path, "visits")
    community = Community(
        Database(f"sqlite:///{path}"), make_vault(), TZ, asyncio.to_thread
    )
    await community.async_load()
    try:
        assert await community.run(community.db.schema_version) == SCHEMA_VERSION
        assert columns(path, "visits")["escort_person_id"] == ("INTEGER", 0, None)
        with sqlite3.connect(path) as conn:
            tables = {
                row[0]
                for row in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type='table'"
                )
            }
            assert tables >= OPERATION_TABLES
            for table in OPERATION_TABLES:
                count = f"SELECT COUNT(*) FROM {table}"  # noqa: S608 (fixed names)
                assert conn.execute(count).fetchone() == (0,)
        # The old visit reads back unchanged.
        (visit,) = await community.run(community.db.active_visits)
        assert (visit.id, visit.visitor_name, visit.created_at) == (1, "李雷", CREATED)
        # Migrating again changes nothing.
        assert await community.run(community.db.migrate) == SCHEMA_VERSION
    finally:
        await community.async_close()
