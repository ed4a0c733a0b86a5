"""The versioned SQL schema and its migrations (SQLAlchemy Core, portable SQL).

Times are stored as naive UTC, JSON as text, money as integer fen (cents).
A migration only ever adds: tables, nullable or defaulted columns, indexes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
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
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator

SCHEMA_VERSION = 8


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
    Column("unit", String(32), nullable=False, unique=True),
    Column("building", String(8), nullable=False, index=True),
    Column("card_quota", Integer, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    # v2
    Column("moved_out_at", UTCDateTime, nullable=True),
    # v6: the unit's occupancies: 1 for its first household, one more each
    # time a new household moves into the vacated unit
    Column("occupancy", Integer, nullable=False, default=1, server_default="1"),
    Column("occupied_since", UTCDateTime, nullable=True),
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


def _migrate_to_1(conn: Connection) -> None:
    metadata.create_all(
        conn, tables=[households, persons, credentials, audit_log], checkfirst=True
    )


def _add_missing_columns(conn: Connection, table: Table) -> None:
    """ALTER TABLE … ADD COLUMN for columns the table lacks (portable DDL)."""
    present = {c["name"] for c in inspect(conn).get_columns(table.name)}
    for column in table.columns:
        if column.name in present:
            continue
        ddl_type = column.type.compile(dialect=conn.dialect)
        default = ""
        if column.server_default is not None:
            default = f" DEFAULT {column.server_default.arg}"  # type: ignore[attr-defined]
        null = "" if column.nullable else " NOT NULL"
        conn.execute(
            text(
                f"ALTER TABLE {table.name} ADD COLUMN {column.name} {ddl_type}{default}{null}"
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
}
