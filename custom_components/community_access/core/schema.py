"""The versioned SQL schema and its migrations (SQLAlchemy Core, portable SQL).

Times are stored as naive UTC, JSON as text, money as integer fen (cents).
A migration only ever adds: tables, nullable or defaulted columns, indexes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    literal,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator

SCHEMA_VERSION = 11


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, naive UTC in the database, aware UTC out."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(
        self, value: datetime | None, dialect: Any
    ) -> datetime | None:
        """Store as naive UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(
        self, value: datetime | None, dialect: Any
    ) -> datetime | None:
        """Read back as aware UTC."""
        return None if value is None else value.replace(tzinfo=UTC)


metadata = MetaData()

schema_info = Table(
    "schema_info",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
)

households = Table(
    "households",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # unique per compound (v10: ix_households_compound_unit below); SQLite
    # databases made before v10 keep the global uniqueness (one compound)
    Column("unit", String(32), nullable=False),
    Column("building", String(8), nullable=False, index=True),
    Column("card_quota", Integer, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    # v2
    Column("moved_out_at", UTCDateTime, nullable=True),
    # v6: the unit's occupancies: 1 for its first household, one more each
    # time a new household moves into the vacated unit
    Column("occupancy", Integer, nullable=False, default=1, server_default="1"),
    Column("occupied_since", UTCDateTime, nullable=True),
    # v10: the compound ("" for the data of a single-compound installation)
    Column(
        "compound", String(64), nullable=False, default="", server_default=text("''")
    ),
    Index("ix_households_compound_unit", "compound", "unit", unique=True),
)

persons = Table(
    "persons",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "household_id", Integer, ForeignKey("households.id"), nullable=True, index=True
    ),
    Column("name", String(100), nullable=False),
    Column("role", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("id_number_enc", Text, nullable=True),
    Column("id_number_hash", String(64), nullable=True, index=True),
    Column("id_number_masked", String(32), nullable=True),
    Column("phone_enc", Text, nullable=True),
    Column("phone_masked", String(32), nullable=True),
    Column("valid_from", UTCDateTime, nullable=True),
    Column("valid_until", UTCDateTime, nullable=True),
    Column("extra_zones", Text, nullable=False, default="[]"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # v2: contractor company / tools and materials (JSON), who declared a
    # temporary resident, move-out and the erasure of personal data
    Column("details", Text, nullable=True),
    Column("declared_by", Integer, nullable=True),
    Column("moved_out_at", UTCDateTime, nullable=True),
    Column("erase_after", UTCDateTime, nullable=True),
    # v6: the occupancy of the household's unit the person belongs to
    Column("occupancy", Integer, nullable=False, default=1, server_default="1"),
)

credentials = Table(
    "credentials",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", Integer, ForeignKey("persons.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("digest", String(64), nullable=False, index=True),
    Column("value_enc", Text, nullable=True),
    Column("masked", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("valid_from", UTCDateTime, nullable=True),
    Column("valid_until", UTCDateTime, nullable=True),
    Column("schedule", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # v2: the card deposit held, the card a reissue replaced, damage on return
    Column("deposit_cents", Integer, nullable=False, default=0, server_default="0"),
    Column("replaces_id", Integer, nullable=True),
    Column("damaged", Boolean, nullable=False, default=False, server_default="0"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("door_id", String(64), nullable=True),
    Column("door_name", String(100), nullable=True),
    Column("kind", String(16), nullable=True),
    Column("masked", String(32), nullable=True),
    Column("granted", Boolean, nullable=False),
    Column("reason", String(32), nullable=False),
    Column("credential_id", Integer, nullable=True),
    Column("person_id", Integer, nullable=True),
    Column("person_name", String(100), nullable=True),
    Column("household_id", Integer, nullable=True),
    Column("unit", String(32), nullable=True),
    Column("source", String(64), nullable=True),
    Column("actor", String(64), nullable=True),
    # v2: a guard's note on a verified entry
    Column("note", Text, nullable=True),
    Index("ix_audit_at", "at"),
    Index("ix_audit_person_at", "person_id", "at"),
    Index("ix_audit_door_at", "door_id", "at"),
    Index("ix_audit_household_at", "household_id", "at"),
    # v2: last use of a credential (permission reviews)
    Index("ix_audit_credential_at", "credential_id", "at"),
    # v11: each record's own key (a uuid, hex), so a record kept in the local
    # spool while the database was away is written exactly once (see
    # core/spool.py); null for records written before v11
    Column("uid", String(32), nullable=True),
    Index("ix_audit_uid", "uid", unique=True),
)

ledger = Table(
    "ledger",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("household_id", Integer, nullable=True, index=True),
    Column("person_id", Integer, nullable=True),
    Column("credential_id", Integer, nullable=True),
    Column("entry", String(16), nullable=False),
    Column("amount_cents", Integer, nullable=False),
    Column("recorded_by", String(64), nullable=True),
    Column("note", Text, nullable=True),
    # v6: the occupancy of the household's unit the entry belongs to
    Column("occupancy", Integer, nullable=False, default=1, server_default="1"),
)

settings_kv = Table(
    "settings_kv",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=True),
)


visits = Table(
    "visits",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("household_id", Integer, nullable=False, index=True),
    Column("visitor_name", String(100), nullable=False),
    Column("id_number_enc", Text, nullable=True),
    Column("id_number_hash", String(64), nullable=True),
    Column("id_number_masked", String(32), nullable=True),
    Column("phone_enc", Text, nullable=True),
    Column("phone_hash", String(64), nullable=True),
    Column("phone_masked", String(32), nullable=True),
    Column("purpose", String(200), nullable=True),
    Column("expected_minutes", Integer, nullable=True),
    Column("status", String(16), nullable=False, index=True),
    Column("pre_registered", Boolean, nullable=False, default=False),
    Column("multiple_entries", Boolean, nullable=False, default=False),
    Column("window_from", UTCDateTime, nullable=True),
    Column("window_until", UTCDateTime, nullable=True),
    Column("code_digest", String(64), nullable=True, index=True),
    Column("pass_kind", String(16), nullable=True),
    Column("card_digest", String(64), nullable=True),
    Column("card_enc", Text, nullable=True),
    Column("person_id", Integer, nullable=True),
    Column("credential_id", Integer, nullable=True, index=True),
    Column("valid_from", UTCDateTime, nullable=True),
    Column("valid_until", UTCDateTime, nullable=True),
    Column("deadline_at", UTCDateTime, nullable=True),
    Column("decided_by", String(64), nullable=True),
    Column("close_reason", String(32), nullable=True),
    Column("card_returned", Boolean, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("checked_in_at", UTCDateTime, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    # v9: an accompanied viewer (4.6): the staff member who must enter with them
    Column("escort_person_id", Integer, nullable=True),
)

watchlist = Table(
    "watchlist",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("id_number_hash", String(64), nullable=False, unique=True),
    Column("id_number_masked", String(32), nullable=True),
    Column("reason", String(200), nullable=True),
    Column("added_by", String(64), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    # The name given when barring (version 8): the office's list shows it.
    Column("name", String(100), nullable=True),
)

household_links = Table(
    "household_links",
    metadata,
    Column("household_id", Integer, primary_key=True),
    Column("notify_services", Text, nullable=False, default="[]"),
    Column("user_ids", Text, nullable=False, default="[]"),
)


violations = Table(
    "violations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("person_id", Integer, nullable=True, index=True),
    Column("credential_id", Integer, nullable=True),
    Column("household_id", Integer, nullable=True),
    Column("kind", String(32), nullable=False),
    Column("note", Text, nullable=True),
    Column("evidence", Text, nullable=True),
    Column("status", String(16), nullable=False),
    Column("source", String(16), nullable=False),
    Column("recorded_by", String(64), nullable=True),
)

penalties = Table(
    "penalties",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("violation_id", Integer, nullable=True, index=True),
    Column("person_id", Integer, nullable=True, index=True),
    Column("household_id", Integer, nullable=True),
    Column("kind", String(16), nullable=False),
    Column("start", UTCDateTime, nullable=False),
    Column("end", UTCDateTime, nullable=True),
    Column("deadline", UTCDateTime, nullable=True),
    Column("amount_cents", Integer, nullable=True),
    Column("note", Text, nullable=True),
    Column("decided_by", String(64), nullable=True),
    Column("lifted_at", UTCDateTime, nullable=True),
    Column("lifted_by", String(64), nullable=True),
)

commendations = Table(
    "commendations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("person_id", Integer, nullable=True),
    Column("household_id", Integer, nullable=True),
    Column("note", Text, nullable=True),
    Column("recorded_by", String(64), nullable=True),
)

# v5: what the integration keeps in each lock's credential memory (one row
# per lock user id it knows of) and per-lock facts (capacity, lockout written).
# Digests are keyed hashes of the code on the lock, never the code.
lock_slots = Table(
    "lock_slots",
    metadata,
    Column("lock_id", String(64), primary_key=True),
    Column("user_id", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(8), nullable=False),
    Column("credential_id", Integer, nullable=True, index=True),
    Column("state", String(16), nullable=False),
    Column("digest", String(64), nullable=True),
    Column("schedule_fp", String(64), nullable=True),
    Column("attempts", Integer, nullable=False, default=0, server_default="0"),
    Column("last_error", String(200), nullable=True),
    Column("next_attempt_at", UTCDateTime, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

lock_meta = Table(
    "lock_meta",
    metadata,
    Column("lock_id", String(64), primary_key=True),
    Column("capacity", Text, nullable=True),
    Column("capacity_read_at", UTCDateTime, nullable=True),
    Column("last_readback_at", UTCDateTime, nullable=True),
    Column("lockout_limit", Integer, nullable=True),
    Column("lockout_seconds", Integer, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)


# v7: what administrators did that the access record does not show (an
# export of personal data with full names, ...): who, when, what, details
# as JSON text without secrets.
admin_log = Table(
    "admin_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("actor", String(64), nullable=True),
    Column("action", String(64), nullable=False),
    Column("details", Text, nullable=True),
)


# ---- v9: operations and safety (issue 13). Each table belongs to one part
# of core/operations; JSON as text, times as naive UTC like the rest.

#: Emergency releases and lockdowns; active while ``ended_at`` is null.
site_modes = Table(
    "site_modes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # emergency | lockdown
    Column("scope_kind", String(16), nullable=False),  # site | building | doors
    Column("scope", Text, nullable=True),  # JSON list of buildings or door ids
    Column("cause", String(32), nullable=True),  # fire | earthquake | other
    Column("note", Text, nullable=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("started_by", String(128), nullable=True),  # user id or trigger entity
    Column("ended_at", UTCDateTime, nullable=True),
    Column("ended_by", String(64), nullable=True),
    Index("ix_site_modes_kind_ended", "kind", "ended_at"),
)

#: Door alarms: forced open, held open, reader tamper, power failure.
door_alarms = Table(
    "door_alarms",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("door_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime, nullable=True),
    Column("acknowledged_at", UTCDateTime, nullable=True),
    Column("acknowledged_by", String(64), nullable=True),
    Column("note", Text, nullable=True),
    Column("details", Text, nullable=True),  # JSON
    Index("ix_door_alarms_door_started", "door_id", "started_at"),
    Index("ix_door_alarms_started", "started_at"),
)

#: Faults of a device (door, lock, reader, line), opened by hand or by a cause.
faults = Table(
    "faults",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("device_id", String(128), nullable=False),  # door id, entity id, line id
    Column("device_name", String(100), nullable=True),
    Column("door_id", String(64), nullable=True),
    Column("cause", String(32), nullable=False),
    Column("description", Text, nullable=True),
    Column("status", String(16), nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("opened_by", String(64), nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("expected_at", UTCDateTime, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    Index("ix_faults_device_cause_closed", "device_id", "cause", "closed_at"),
)

#: Each status change or progress note of a fault (published to residents).
fault_updates = Table(
    "fault_updates",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("fault_id", Integer, ForeignKey("faults.id"), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("note", Text, nullable=True),
    Column("expected_at", UTCDateTime, nullable=True),
    Column("by", String(64), nullable=True),
)

#: Patrols (a guard at a door or checkpoint) and inspections (第十五条).
patrols = Table(
    "patrols",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # patrol | inspection
    Column("door_id", String(64), nullable=True, index=True),
    Column("checkpoint", String(100), nullable=True),
    Column("person_id", Integer, nullable=True),
    Column("by", String(64), nullable=True),
    Column("source", String(16), nullable=True),  # manual | card
    Column("result", String(16), nullable=True),
    Column("note", Text, nullable=True),
)

#: Planned maintenance windows (提前告知).
maintenance_windows = Table(
    "maintenance_windows",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("door_ids", Text, nullable=False),  # JSON list
    Column("start", UTCDateTime, nullable=False, index=True),
    Column("end", UTCDateTime, nullable=False),
    Column("mode", String(16), nullable=False),  # open | guard_only | normal
    Column("message", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=True),
    Column("notified_at", UTCDateTime, nullable=True),
    Column("cancelled_at", UTCDateTime, nullable=True),
)

#: Goods passes (放行条, 141) and a guard's checks of goods (142).
goods_passes = Table(
    "goods_passes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("household_id", Integer, nullable=False, index=True),
    Column("person_id", Integer, nullable=True),
    Column("items", Text, nullable=False),
    Column("large_or_valuable", Boolean, nullable=False, default=False),
    Column("valid_from", UTCDateTime, nullable=False),
    Column("valid_until", UTCDateTime, nullable=False),
    Column("note", Text, nullable=True),
    Column("code_digest", String(64), nullable=False, index=True),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("issued_by", String(64), nullable=True),
    Column("used_at", UTCDateTime, nullable=True),
    Column("used_by", String(64), nullable=True),
    Column("used_door_id", String(64), nullable=True),
)

goods_checks = Table(
    "goods_checks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("door_id", String(64), nullable=True),
    Column("goods_pass_id", Integer, nullable=True),
    Column("household_id", Integer, nullable=True),
    Column("note", Text, nullable=True),
    Column("by", String(64), nullable=True),
)

#: Renovations (143): company, period, tools and materials, contractors.
renovations = Table(
    "renovations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("household_id", Integer, nullable=False, index=True),
    Column("company", String(100), nullable=False),
    Column("start", UTCDateTime, nullable=False),
    Column("end", UTCDateTime, nullable=False),
    Column("materials", Text, nullable=True),
    Column("contractor_ids", Text, nullable=True),  # JSON list of person ids
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=True),
    Column("cancelled_at", UTCDateTime, nullable=True),
)

#: Official group visits (4.13): organisation, head count, host.
group_visits = Table(
    "group_visits",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("organisation", String(100), nullable=False),
    Column("people", Integer, nullable=False),
    Column("host", String(100), nullable=True),
    Column("door_id", String(64), nullable=True),
    Column("note", Text, nullable=True),
    Column("recorded_by", String(64), nullable=True),
)

#: v10, the change feed (several compounds on one PostgreSQL): one row per
#: row written in a table decisions depend on, appended by a trigger in the
#: writing transaction (PostgreSQL only: see core/changefeed.py).
changes = Table(
    "changes",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("at", UTCDateTime, nullable=True),
    Column("table_name", String(32), nullable=False),
    Column("row_id", BigInteger, nullable=False),
)

OPERATION_TABLES = (
    site_modes,
    door_alarms,
    faults,
    fault_updates,
    patrols,
    maintenance_windows,
    goods_passes,
    goods_checks,
    renovations,
    group_visits,
)


def _migrate_to_1(conn: Connection) -> None:
    metadata.create_all(
        conn, tables=[households, persons, credentials, audit_log], checkfirst=True
    )


def _add_missing_columns(conn: Connection, table: Table) -> None:
    """ALTER TABLE … ADD COLUMN for columns the table lacks (portable DDL).

    Names quoted for the dialect; a boolean default written as the dialect's
    literal (PostgreSQL refuses ``BOOLEAN DEFAULT 0``).
    """
    present = {c["name"] for c in inspect(conn).get_columns(table.name)}
    quote = conn.dialect.identifier_preparer.quote
    for column in table.columns:
        if column.name in present:
            continue
        ddl_type = column.type.compile(dialect=conn.dialect)
        default = ""
        if column.server_default is not None:
            arg = str(column.server_default.arg)  # type: ignore[attr-defined]
            if isinstance(column.type, Boolean):
                value = literal(arg.lower() not in ("0", "false"), Boolean)
                arg = str(
                    value.compile(
                        dialect=conn.dialect, compile_kwargs={"literal_binds": True}
                    )
                )
            default = f" DEFAULT {arg}"
        null = "" if column.nullable else " NOT NULL"
        conn.execute(
            text(
                f"ALTER TABLE {quote(table.name)} ADD COLUMN "
                f"{quote(column.name)} {ddl_type}{default}{null}"
            )
        )


def _migrate_to_2(conn: Connection) -> None:
    """Card desk: deposits, ledger, reissues, move-out, permission reviews."""
    for table in (households, persons, credentials, audit_log):
        _add_missing_columns(conn, table)
    metadata.create_all(conn, tables=[ledger, settings_kv], checkfirst=True)
    existing = {i["name"] for i in inspect(conn).get_indexes("audit_log")}
    for index in audit_log.indexes:
        if index.name not in existing:
            index.create(conn)


def _migrate_to_3(conn: Connection) -> None:
    """Visitors: visits, the watch list, households linked to users and phones."""
    metadata.create_all(
        conn, tables=[visits, watchlist, household_links], checkfirst=True
    )


def _migrate_to_4(conn: Connection) -> None:
    """Rules: violations, penalties, commendations."""
    metadata.create_all(
        conn, tables=[violations, penalties, commendations], checkfirst=True
    )


def _migrate_to_5(conn: Connection) -> None:
    """Lock sync: per-lock slot table and lock facts."""
    metadata.create_all(conn, tables=[lock_slots, lock_meta], checkfirst=True)


def _migrate_to_6(conn: Connection) -> None:
    """Occupancies: a vacated unit's next household starts afresh (existing rows: 1)."""
    for table in (households, persons, ledger):
        _add_missing_columns(conn, table)


def _migrate_to_7(conn: Connection) -> None:
    """Add the administrators' audit trail."""
    metadata.create_all(conn, tables=[admin_log], checkfirst=True)


def _migrate_to_8(conn: Connection) -> None:
    """Keep the name given when barring on the watch list (older rows: none)."""
    _add_missing_columns(conn, watchlist)


def _migrate_to_9(conn: Connection) -> None:
    """Operations and safety: modes, alarms, faults, patrols, goods, renovations."""
    _add_missing_columns(conn, visits)
    metadata.create_all(conn, tables=list(OPERATION_TABLES), checkfirst=True)


def _migrate_to_10(conn: Connection) -> None:
    """Add the change feed: its table, and on PostgreSQL the triggers filling it."""
    metadata.create_all(conn, tables=[changes], checkfirst=True)
    _add_missing_columns(conn, households)
    existing = {i["name"] for i in inspect(conn).get_indexes("households")}
    for index in households.indexes:
        if index.name not in existing:
            index.create(conn)
    if conn.dialect.name == "postgresql":
        # The unit was unique across the database; now per compound.
        conn.execute(
            text("ALTER TABLE households DROP CONSTRAINT IF EXISTS households_unit_key")
        )
        from .changefeed import install_triggers  # noqa: PLC0415 - no cycle at import

        install_triggers(conn)


def _migrate_to_11(conn: Connection) -> None:
    """Give each access record a unique key (the spool's exactly-once replay)."""
    _add_missing_columns(conn, audit_log)
    existing = {i["name"] for i in inspect(conn).get_indexes("audit_log")}
    for index in audit_log.indexes:
        if index.name not in existing:
            index.create(conn)


#: Migrations: version → function bringing the schema from version-1 to it.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    1: _migrate_to_1,
    2: _migrate_to_2,
    3: _migrate_to_3,
    4: _migrate_to_4,
    5: _migrate_to_5,
    6: _migrate_to_6,
    7: _migrate_to_7,
    8: _migrate_to_8,
    9: _migrate_to_9,
    10: _migrate_to_10,
    11: _migrate_to_11,
}
