"""Storage: a versioned SQL schema through SQLAlchemy Core.

All methods are blocking and meant to run in a worker thread. SQL stays
portable (SQLite by default, PostgreSQL for larger sites): times are stored
as naive UTC, JSON as text. A lock serialises access so one connection pool
serves every thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
import json
import logging
import threading
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator

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

SCHEMA_VERSION = 1


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
    Index("ix_audit_at", "at"),
    Index("ix_audit_person_at", "person_id", "at"),
    Index("ix_audit_door_at", "door_id", "at"),
    Index("ix_audit_household_at", "household_id", "at"),
)


def _migrate_to_1(conn: Connection) -> None:
    metadata.create_all(
        conn, tables=[households, persons, credentials, audit_log], checkfirst=True
    )


#: Migrations: version → function bringing the schema from version-1 to it.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _migrate_to_1}


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One line of the access record (to the second: who, where, what, result)."""

    at: datetime
    granted: bool
    reason: str
    door_id: str | None = None
    door_name: str | None = None
    kind: str | None = None
    masked: str | None = None
    credential_id: int | None = None
    person_id: int | None = None
    person_name: str | None = None
    household_id: int | None = None
    unit: str | None = None
    source: str | None = None
    actor: str | None = None
    id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form for service responses."""
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "granted": self.granted,
            "reason": self.reason,
            "door_id": self.door_id,
            "door_name": self.door_name,
            "kind": self.kind,
            "credential": self.masked,
            "credential_id": self.credential_id,
            "person_id": self.person_id,
            "person_name": self.person_name,
            "household_id": self.household_id,
            "unit": self.unit,
            "source": self.source,
            "actor": self.actor,
        }


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Filters for :meth:`Database.query_audit`."""

    person_id: int | None = None
    household_id: int | None = None
    door_id: str | None = None
    granted: bool | None = None
    start: datetime | None = None
    end: datetime | None = None
    limit: int = 100


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the access index is built from."""

    households: list[Household]
    persons: list[Person]
    credentials: list[Credential]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Database:
    """The community's database. Blocking: call from a worker thread."""

    def __init__(self, url: str) -> None:
        """Open (lazily) the database at an SQLAlchemy URL."""
        self.url = url
        self._lock = threading.RLock()
        engine_logger = logging.getLogger("sqlalchemy.engine")
        if engine_logger.level == logging.NOTSET:
            # Statements at INFO would flood a log set to info; opt in explicitly.
            engine_logger.setLevel(logging.WARNING)
        # hide_parameters: values never reach logs or exception messages.
        self.engine: Engine = create_engine(url, future=True, hide_parameters=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self._lock, self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        """Release connections."""
        with self._lock:
            self.engine.dispose()

    # ---- schema
    def schema_version(self) -> int:
        """Return the schema version (0 for an empty database)."""
        with self._tx() as conn:
            if not inspect(conn).has_table("schema_info"):
                return 0
            row = conn.execute(select(schema_info.c.version)).first()
            return int(row[0]) if row else 0

    def migrate(self) -> int:
        """Bring the schema to :data:`SCHEMA_VERSION`; return the version."""
        with self._tx() as conn:
            metadata.create_all(conn, tables=[schema_info], checkfirst=True)
            row = conn.execute(select(schema_info.c.version)).first()
            current = int(row[0]) if row else 0
            if current > SCHEMA_VERSION:
                raise RuntimeError(
                    f"database schema {current} is newer than this version knows ({SCHEMA_VERSION})"
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[version](conn)
            if row is None:
                conn.execute(insert(schema_info).values(id=1, version=SCHEMA_VERSION))
            else:
                conn.execute(update(schema_info).values(version=SCHEMA_VERSION))
        return SCHEMA_VERSION

    # ---- loading
    def load(self) -> Snapshot:
        """Read everything the access index needs."""
        with self._tx() as conn:
            return Snapshot(
                households=[
                    _household(r) for r in conn.execute(select(households)).mappings()
                ],
                persons=[_person(r) for r in conn.execute(select(persons)).mappings()],
                credentials=[
                    _credential(r) for r in conn.execute(select(credentials)).mappings()
                ],
            )

    # ---- households
    def add_household(self, unit: Unit, card_quota: int | None) -> Household:
        """Insert a household."""
        now = _utcnow()
        with self._tx() as conn:
            hid = conn.execute(
                insert(households).values(
                    unit=str(unit),
                    building=unit.building,
                    card_quota=card_quota,
                    created_at=now,
                )
            ).inserted_primary_key[0]
        return Household(id=int(hid), unit=unit, card_quota=card_quota, created_at=now)

    # ---- persons
    def add_person(
        self,
        *,
        household_id: int | None,
        name: str,
        role: Role,
        id_number_enc: str | None,
        id_number_hash: str | None,
        id_number_masked: str | None,
        phone_enc: str | None,
        phone_masked: str | None,
        valid_from: datetime | None,
        valid_until: datetime | None,
        extra_zones: Sequence[str],
    ) -> Person:
        """Insert a person."""
        now = _utcnow()
        with self._tx() as conn:
            pid = conn.execute(
                insert(persons).values(
                    household_id=household_id,
                    name=name,
                    role=role.value,
                    status=PersonStatus.ACTIVE.value,
                    id_number_enc=id_number_enc,
                    id_number_hash=id_number_hash,
                    id_number_masked=id_number_masked,
                    phone_enc=phone_enc,
                    phone_masked=phone_masked,
                    valid_from=valid_from,
                    valid_until=valid_until,
                    extra_zones=json.dumps(sorted(extra_zones)),
                    created_at=now,
                    updated_at=now,
                )
            ).inserted_primary_key[0]
            row = (
                conn.execute(select(persons).where(persons.c.id == pid))
                .mappings()
                .one()
            )
        return _person(row)

    def set_person_status(self, person_id: int, status: PersonStatus) -> Person:
        """Change a person's status."""
        with self._tx() as conn:
            conn.execute(
                update(persons)
                .where(persons.c.id == person_id)
                .values(status=status.value, updated_at=_utcnow())
            )
            return _person(
                conn.execute(select(persons).where(persons.c.id == person_id))
                .mappings()
                .one()
            )

    def person_by_id_hash(self, id_number_hash: str) -> list[Person]:
        """People registered with an ID number (by keyed hash)."""
        with self._tx() as conn:
            rows = conn.execute(
                select(persons).where(persons.c.id_number_hash == id_number_hash)
            )
            return [_person(r) for r in rows.mappings()]

    # ---- credentials
    def add_credential(
        self,
        *,
        person_id: int,
        kind: CredentialKind,
        digest: str,
        value_enc: str | None,
        masked: str,
        valid_from: datetime | None,
        valid_until: datetime | None,
        schedule: Schedule | None,
    ) -> Credential:
        """Insert an active credential."""
        now = _utcnow()
        with self._tx() as conn:
            cid = conn.execute(
                insert(credentials).values(
                    person_id=person_id,
                    kind=kind.value,
                    digest=digest,
                    value_enc=value_enc,
                    masked=masked,
                    status=CredentialStatus.ACTIVE.value,
                    valid_from=valid_from,
                    valid_until=valid_until,
                    schedule=None
                    if schedule is None
                    else json.dumps(schedule.as_dict()),
                    created_at=now,
                    updated_at=now,
                )
            ).inserted_primary_key[0]
            row = (
                conn.execute(select(credentials).where(credentials.c.id == cid))
                .mappings()
                .one()
            )
        return _credential(row)

    def set_credential_status(
        self, credential_id: int, status: CredentialStatus
    ) -> Credential:
        """Change a credential's status."""
        with self._tx() as conn:
            conn.execute(
                update(credentials)
                .where(credentials.c.id == credential_id)
                .values(status=status.value, updated_at=_utcnow())
            )
            row = (
                conn.execute(
                    select(credentials).where(credentials.c.id == credential_id)
                )
                .mappings()
                .one()
            )
        return _credential(row)

    def credentials_with_digest(self, digest: str) -> list[Credential]:
        """Every credential ever recorded with a keyed hash."""
        with self._tx() as conn:
            rows = conn.execute(
                select(credentials).where(credentials.c.digest == digest)
            )
            return [_credential(r) for r in rows.mappings()]

    # ---- the access record
    def add_audit(self, record: AuditRecord) -> int:
        """Append one access record; committed when this returns."""
        values = {k: getattr(record, k) for k in _AUDIT_FIELDS}
        with self._tx() as conn:
            # One prebuilt statement with bound parameters: the hot path.
            return int(conn.execute(_INSERT_AUDIT, values).inserted_primary_key[0])

    def query_audit(self, query: AuditQuery) -> list[AuditRecord]:
        """Newest first, filtered."""
        cond = []
        if query.person_id is not None:
            cond.append(audit_log.c.person_id == query.person_id)
        if query.household_id is not None:
            cond.append(audit_log.c.household_id == query.household_id)
        if query.door_id is not None:
            cond.append(audit_log.c.door_id == query.door_id)
        if query.granted is not None:
            cond.append(audit_log.c.granted == query.granted)
        if query.start is not None:
            cond.append(audit_log.c.at >= query.start)
        if query.end is not None:
            cond.append(audit_log.c.at < query.end)
        stmt = select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
        if cond:
            stmt = stmt.where(and_(*cond))
        stmt = stmt.limit(query.limit)
        with self._tx() as conn:
            return [
                AuditRecord(**{k: row[k] for k in (*_AUDIT_FIELDS, "id")})
                for row in conn.execute(stmt).mappings()
            ]

    def count_audit(self) -> int:
        """Return the number of access records held."""
        with self._tx() as conn:
            return int(
                conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
            )

    def purge_audit(self, before: datetime) -> int:
        """Delete access records older than ``before``; return how many."""
        with self._tx() as conn:
            result = conn.execute(delete(audit_log).where(audit_log.c.at < before))
            return int(result.rowcount)


_INSERT_AUDIT = insert(audit_log)

_AUDIT_FIELDS = (
    "at",
    "granted",
    "reason",
    "door_id",
    "door_name",
    "kind",
    "masked",
    "credential_id",
    "person_id",
    "person_name",
    "household_id",
    "unit",
    "source",
    "actor",
)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _household(row: Any) -> Household:
    m = row
    return Household(
        id=m["id"],
        unit=Unit.parse(m["unit"]),
        card_quota=m["card_quota"],
        created_at=m["created_at"],
    )


def _person(row: Any) -> Person:
    m = row
    return Person(
        id=m["id"],
        household_id=m["household_id"],
        name=m["name"],
        role=Role(m["role"]),
        status=PersonStatus(m["status"]),
        valid_from=m["valid_from"],
        valid_until=m["valid_until"],
        extra_zones=frozenset(json.loads(m["extra_zones"] or "[]")),
        id_number_masked=m["id_number_masked"],
        phone_masked=m["phone_masked"],
        created_at=m["created_at"],
    )


def _credential(row: Any) -> Credential:
    m = row
    return Credential(
        id=m["id"],
        person_id=m["person_id"],
        kind=CredentialKind(m["kind"]),
        digest=m["digest"],
        masked=m["masked"],
        status=CredentialStatus(m["status"]),
        valid_from=m["valid_from"],
        valid_until=m["valid_until"],
        schedule=None
        if m["schedule"] is None
        else Schedule.from_dict(json.loads(m["schedule"])),
        created_at=m["created_at"],
    )
