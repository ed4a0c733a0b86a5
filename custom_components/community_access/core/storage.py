"""Storage: the community's database through SQLAlchemy Core.

All methods are blocking and meant to run in a worker thread. SQL stays
portable (SQLite by default, PostgreSQL for larger sites). A lock serialises
access so one connection pool serves every thread. Work that must land
together (a card and its deposit) goes through one :meth:`Database.transaction`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
import json
import logging
import threading
from typing import Any

from sqlalchemy import (
    Engine,
    String,
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

from . import loading
from .models import (
    Credential,
    CredentialKind,
    CredentialStatus,
    Household,
    LedgerEntry,
    LedgerKind,
    PassKind,
    Person,
    PersonStatus,
    Role,
    Unit,
    Visit,
    VisitStatus,
)
from .schedule import Schedule
from .schema import (
    MIGRATIONS,
    SCHEMA_VERSION,
    admin_log,
    audit_log,
    credentials,
    household_links,
    households,
    ledger,
    lock_meta,
    lock_slots,
    metadata,
    persons,
    schema_info,
    settings_kv,
    visits,
    watchlist,
)


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
    note: str | None = None
    id: int | None = None
    #: The record's own key (a uuid, hex): written once, whatever is retried.
    uid: str | None = None

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
            "note": self.note,
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
    reason: str | None = None
    #: Records to skip (newest first) before the ``limit`` returned: paging.
    offset: int = 0


@dataclass(frozen=True, slots=True)
class AdminAction:
    """One line of the administrators' audit trail (no secrets in ``details``)."""

    at: datetime
    action: str
    actor: str | None = None
    details: Mapping[str, Any] | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class WatchEntry:
    """A row of the watch list, without its ID number (hash or mask)."""

    id: int
    name: str | None
    reason: str | None
    added_by: str | None
    added_at: datetime


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the access index is built from."""

    households: list[Household]
    persons: list[Person]
    credentials: list[Credential]


@dataclass(frozen=True, slots=True)
class LockSlotRecord:
    """One lock user id as the integration knows it (see ``core/lock_sync/``).

    ``digest`` is the keyed hash of the code on the lock (or, while a write
    is pending or failed, of the code being written); never the code.
    """

    lock_id: str
    user_id: int
    kind: str
    state: str
    credential_id: int | None = None
    digest: str | None = None
    schedule_fp: str | None = None
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LockMetaRecord:
    """Facts about one lock: capacity read, last full read-back, lockout written."""

    lock_id: str
    capacity: dict[str, int] | None = None
    capacity_read_at: datetime | None = None
    last_readback_at: datetime | None = None
    lockout_limit: int | None = None
    lockout_seconds: int | None = None


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Tx:
    """Operations inside one database transaction (see :meth:`Database.transaction`)."""

    def __init__(self, conn: Connection, compound: str = "") -> None:
        """Wrap an open connection with a transaction begun.

        ``compound``: the compound new households are registered in.
        """
        self.conn = conn
        self.compound = compound

    # ---- households
    def insert_household(self, unit: Unit, card_quota: int | None) -> Household:
        """Insert a household (its unit's first occupancy)."""
        now = _utcnow()
        hid = self.conn.execute(
            insert(households).values(
                unit=str(unit),
                building=unit.building,
                card_quota=card_quota,
                compound=self.compound,
                created_at=now,
                occupancy=1,
                occupied_since=now,
            )
        ).inserted_primary_key[0]
        return self.household(int(hid))

    def household(self, household_id: int) -> Household:
        """Read a household."""
        row = self.conn.execute(
            select(households).where(households.c.id == household_id)
        ).mappings()
        return _household(row.one())

    def update_household(self, household_id: int, **values: Any) -> Household:
        """Change columns of a household."""
        self.conn.execute(
            update(households).where(households.c.id == household_id).values(**values)
        )
        return self.household(household_id)

    def delete_links(self, household_id: int) -> bool:
        """Delete a household's links to users and phones; whether it had any."""
        result = self.conn.execute(
            delete(household_links).where(
                household_links.c.household_id == household_id
            )
        )
        return bool(result.rowcount)

    def _occupancy(self, household_id: int | None) -> int:
        """Return the current occupancy of a household's unit (1 without a household)."""
        if household_id is None:
            return 1
        value = self.conn.execute(
            select(households.c.occupancy).where(households.c.id == household_id)
        ).scalar_one_or_none()
        return int(value or 1)

    # ---- persons
    def insert_person(self, **values: Any) -> Person:
        """Insert a person (column values; ``extra_zones`` as a sequence).

        The person belongs to the household's current occupancy.
        """
        now = _utcnow()
        values = _person_values(values)
        values.setdefault("status", PersonStatus.ACTIVE.value)
        values.setdefault("occupancy", self._occupancy(values.get("household_id")))
        pid = self.conn.execute(
            insert(persons).values(created_at=now, updated_at=now, **values)
        ).inserted_primary_key[0]
        return self.person(int(pid))

    def person(self, person_id: int) -> Person:
        """Read a person."""
        return _person(self.person_row(person_id))

    def person_row(self, person_id: int) -> Mapping[Any, Any]:
        """Return the raw row of a person (encrypted fields included)."""
        return (
            self.conn.execute(select(persons).where(persons.c.id == person_id))
            .mappings()
            .one()
        )

    def update_person(self, person_id: int, **values: Any) -> Person:
        """Change columns of a person."""
        self.conn.execute(
            update(persons)
            .where(persons.c.id == person_id)
            .values(updated_at=_utcnow(), **_person_values(values))
        )
        return self.person(person_id)

    # ---- credentials
    def insert_credential(self, **values: Any) -> Credential:
        """Insert a credential (``schedule`` as a :class:`Schedule` or None)."""
        now = _utcnow()
        values = _credential_values(values)
        values.setdefault("status", CredentialStatus.ACTIVE.value)
        cid = self.conn.execute(
            insert(credentials).values(created_at=now, updated_at=now, **values)
        ).inserted_primary_key[0]
        return self.credential(int(cid))

    def credential(self, credential_id: int) -> Credential:
        """Read a credential."""
        row = self.conn.execute(
            select(credentials).where(credentials.c.id == credential_id)
        ).mappings()
        return _credential(row.one())

    def credential_secret(self, credential_id: int) -> str | None:
        """Return the encrypted value of a credential (for programming a lock)."""
        return self.conn.execute(
            select(credentials.c.value_enc).where(credentials.c.id == credential_id)
        ).scalar_one_or_none()

    def update_credential(self, credential_id: int, **values: Any) -> Credential:
        """Change columns of a credential."""
        self.conn.execute(
            update(credentials)
            .where(credentials.c.id == credential_id)
            .values(updated_at=_utcnow(), **_credential_values(values))
        )
        return self.credential(credential_id)

    def update_credentials_status(
        self, credential_ids: Sequence[int], status: CredentialStatus
    ) -> list[Credential]:
        """Set the status of several credentials (one statement per 500); return them in order."""
        now = _utcnow()
        ids = list(credential_ids)
        for start in range(0, len(ids), 500):
            self.conn.execute(
                update(credentials)
                .where(credentials.c.id.in_(ids[start : start + 500]))
                .values(updated_at=now, status=status.value)
            )
        return [_credential(row) for row in self._read_many(credentials, ids)]

    # ---- many rows at once (imports): one statement each, rows read back
    def _insert_many(self, table: Any, rows: list[dict[str, Any]]) -> list[int]:
        """Insert rows (all with the same keys); return their ids in order."""
        if not rows:
            return []
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return [int(i) for i in self.conn.execute(stmt, rows).scalars()]

    def _read_many(self, table: Any, ids: list[int]) -> list[Mapping[Any, Any]]:
        """Rows by id, in the order of ``ids`` (500 ids a query)."""
        found: dict[int, Mapping[Any, Any]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self.conn.execute(select(table).where(table.c.id.in_(chunk)))
            found.update({int(r["id"]): r for r in rows.mappings()})
        return [found[i] for i in ids]

    def insert_households(
        self, planned: list[tuple[Unit, int | None]]
    ) -> list[Household]:
        """Insert households (each its unit's first occupancy), in order."""
        now = _utcnow()
        ids = self._insert_many(
            households,
            [
                {
                    "unit": str(unit),
                    "building": unit.building,
                    "card_quota": quota,
                    "compound": self.compound,
                    "created_at": now,
                    "occupancy": 1,
                    "occupied_since": now,
                }
                for unit, quota in planned
            ],
        )
        return [_household(r) for r in self._read_many(households, ids)]

    def insert_persons(self, rows: list[dict[str, Any]]) -> list[Person]:
        """Insert people (column values, each with its ``occupancy``), in order."""
        now = _utcnow()
        values = [
            {
                "status": PersonStatus.ACTIVE.value,
                **_person_values(row),
                "created_at": now,
                "updated_at": now,
            }
            for row in rows
        ]
        ids = self._insert_many(persons, values)
        return [_person(r) for r in self._read_many(persons, ids)]

    def insert_credentials(self, rows: list[dict[str, Any]]) -> list[Credential]:
        """Insert active credentials (column values), in order."""
        now = _utcnow()
        values = [
            {
                "status": CredentialStatus.ACTIVE.value,
                **_credential_values(row),
                "created_at": now,
                "updated_at": now,
            }
            for row in rows
        ]
        ids = self._insert_many(credentials, values)
        return [_credential(r) for r in self._read_many(credentials, ids)]

    def insert_ledger_many(self, entries: list[LedgerEntry]) -> list[LedgerEntry]:
        """Append ledger entries whose occupancy is given, in order."""
        ids = self._insert_many(
            ledger,
            [
                {
                    "at": e.at,
                    "household_id": e.household_id,
                    "person_id": e.person_id,
                    "credential_id": e.credential_id,
                    "entry": e.kind.value,
                    "amount_cents": e.amount_cents,
                    "recorded_by": e.recorded_by,
                    "note": e.note,
                    "occupancy": int(e.occupancy or 1),
                }
                for e in entries
            ],
        )
        return [replace(e, id=i) for e, i in zip(entries, ids, strict=True)]

    # ---- ledger
    def insert_ledger(self, entry: LedgerEntry) -> LedgerEntry:
        """Append a ledger entry.

        Unless given, its occupancy is the person's (a late entry for a
        former occupant stays with their occupancy), else the household's
        current one.
        """
        occupancy = entry.occupancy
        if occupancy is None and entry.person_id is not None:
            occupancy = self.conn.execute(
                select(persons.c.occupancy).where(
                    persons.c.id == entry.person_id,
                    persons.c.household_id == entry.household_id,
                )
            ).scalar_one_or_none()
        if occupancy is None:
            occupancy = self._occupancy(entry.household_id)
        lid = self.conn.execute(
            insert(ledger).values(
                at=entry.at,
                household_id=entry.household_id,
                person_id=entry.person_id,
                credential_id=entry.credential_id,
                entry=entry.kind.value,
                amount_cents=entry.amount_cents,
                recorded_by=entry.recorded_by,
                note=entry.note,
                occupancy=int(occupancy),
            )
        ).inserted_primary_key[0]
        return replace(entry, id=int(lid), occupancy=int(occupancy))

    # ---- visits
    def insert_visit(self, **values: Any) -> Visit:
        """Insert a visit."""
        now = _utcnow()
        vid = self.conn.execute(
            insert(visits).values(
                created_at=now, updated_at=now, **_visit_values(values)
            )
        ).inserted_primary_key[0]
        return self.visit(int(vid))

    def visit(self, visit_id: int) -> Visit:
        """Read a visit."""
        row = self.conn.execute(
            select(visits).where(visits.c.id == visit_id)
        ).mappings()
        return _visit(row.one())

    def visit_row(self, visit_id: int) -> Mapping[Any, Any]:
        """Return the raw row of a visit (encrypted fields included)."""
        return (
            self.conn.execute(select(visits).where(visits.c.id == visit_id))
            .mappings()
            .one()
        )

    def update_visit(self, visit_id: int, **values: Any) -> Visit:
        """Change columns of a visit."""
        self.conn.execute(
            update(visits)
            .where(visits.c.id == visit_id)
            .values(updated_at=_utcnow(), **_visit_values(values))
        )
        return self.visit(visit_id)

    # ---- settings
    def set_setting(self, key: str, value: str) -> None:
        """Store a small value (upsert)."""
        exists = self.conn.execute(
            select(settings_kv.c.key).where(settings_kv.c.key == key)
        ).first()
        if exists:
            self.conn.execute(
                update(settings_kv).where(settings_kv.c.key == key).values(value=value)
            )
        else:
            self.conn.execute(insert(settings_kv).values(key=key, value=value))

    def setting(self, key: str) -> str | None:
        """Read a small value."""
        return self.conn.execute(
            select(settings_kv.c.value).where(settings_kv.c.key == key)
        ).scalar_one_or_none()

    def delete_setting(self, key: str) -> bool:
        """Delete a small value; whether it was there."""
        result = self.conn.execute(delete(settings_kv).where(settings_kv.c.key == key))
        return bool(result.rowcount)

    def setting_keys(self, prefix: str) -> list[str]:
        """Keys of the small values whose key starts with ``prefix`` (case counts)."""
        keys = self.conn.execute(
            select(settings_kv.c.key).where(
                settings_kv.c.key.startswith(prefix, autoescape=True)
            )
        ).scalars()
        # SQLite's LIKE ignores ASCII case, PostgreSQL's does not; the order
        # of text differs with PostgreSQL's collation: both decided here.
        return sorted(k for k in keys if k.startswith(prefix))


class Database:
    """The community's database. Blocking: call from a worker thread."""

    def __init__(self, url: str) -> None:
        """Open (lazily) the database at an SQLAlchemy URL."""
        self.url = url
        #: The compound of this instance (several on one PostgreSQL; "": one).
        self.compound = ""
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

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One transaction: committed when the block ends, rolled back on error."""
        with self._tx() as conn:
            yield Tx(conn, self.compound)

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
        """Read everything the access index needs (see :mod:`.loading`)."""
        with self._tx() as conn:
            households_read = loading.read_households(conn)
            persons_read = loading.read_persons(conn, households_read)
            return Snapshot(
                households=households_read,
                persons=persons_read,
                credentials=loading.read_credentials(conn, persons_read),
            )

    # ---- single-step writes (each its own transaction)
    def add_household(self, unit: Unit, card_quota: int | None) -> Household:
        """Insert a household."""
        with self.transaction() as tx:
            return tx.insert_household(unit, card_quota)

    def add_person(self, **values: Any) -> Person:
        """Insert a person."""
        with self.transaction() as tx:
            return tx.insert_person(**values)

    def update_person(self, person_id: int, **values: Any) -> Person:
        """Change a person."""
        with self.transaction() as tx:
            return tx.update_person(person_id, **values)

    def set_person_status(self, person_id: int, status: PersonStatus) -> Person:
        """Change a person's status."""
        return self.update_person(person_id, status=status.value)

    def person_row(self, person_id: int) -> Mapping[Any, Any]:
        """Return the raw row of a person (encrypted fields included)."""
        with self.transaction() as tx:
            return dict(tx.person_row(person_id))

    def person_by_id_hash(self, id_number_hash: str) -> list[Person]:
        """People registered with an ID number (by keyed hash)."""
        with self._tx() as conn:
            rows = conn.execute(
                select(persons).where(persons.c.id_number_hash == id_number_hash)
            )
            return [_person(r) for r in rows.mappings()]

    def id_hashes_in_use(self) -> set[str]:
        """Keyed hashes of the ID numbers of people who have not moved out."""
        with self._tx() as conn:
            rows = conn.execute(
                select(persons.c.id_number_hash).where(
                    persons.c.id_number_hash.is_not(None),
                    persons.c.status != PersonStatus.MOVED_OUT.value,
                )
            )
            return {str(digest) for digest in rows.scalars()}

    def add_credential(self, **values: Any) -> Credential:
        """Insert an active credential."""
        with self.transaction() as tx:
            return tx.insert_credential(**values)

    def set_credential_status(
        self, credential_id: int, status: CredentialStatus
    ) -> Credential:
        """Change a credential's status."""
        with self.transaction() as tx:
            return tx.update_credential(credential_id, status=status.value)

    def set_credentials_status(
        self, credential_ids: Sequence[int], status: CredentialStatus
    ) -> list[Credential]:
        """Change the status of several credentials in one transaction (a sweep)."""
        with self.transaction() as tx:
            return tx.update_credentials_status(credential_ids, status)

    def credentials_with_digest(self, digest: str) -> list[Credential]:
        """Every credential ever recorded with a keyed hash."""
        with self._tx() as conn:
            rows = conn.execute(
                select(credentials).where(credentials.c.digest == digest)
            )
            return [_credential(r) for r in rows.mappings()]

    # ---- ledger
    def ledger_entries(
        self, household_id: int | None = None, occupancy: int | None = None
    ) -> list[LedgerEntry]:
        """Ledger entries, oldest first (of one household, or all; of one occupancy)."""
        stmt = select(ledger).order_by(ledger.c.at, ledger.c.id)
        if household_id is not None:
            stmt = stmt.where(ledger.c.household_id == household_id)
        if occupancy is not None:
            stmt = stmt.where(ledger.c.occupancy == occupancy)
        with self._tx() as conn:
            return [_ledger(r) for r in conn.execute(stmt).mappings()]

    def ledger_totals(self) -> dict[str, int]:
        """Sum of amounts per entry kind over the whole community (fen)."""
        with self._tx() as conn:
            rows = conn.execute(
                select(ledger.c.entry, func.sum(ledger.c.amount_cents)).group_by(
                    ledger.c.entry
                )
            )
            return {str(kind): int(total or 0) for kind, total in rows}

    # ---- settings
    def setting(self, key: str) -> str | None:
        """Read a small value."""
        with self.transaction() as tx:
            return tx.setting(key)

    def set_setting(self, key: str, value: str) -> None:
        """Store a small value."""
        with self.transaction() as tx:
            tx.set_setting(key, value)

    def delete_setting(self, key: str) -> bool:
        """Delete a small value; whether it was there."""
        with self.transaction() as tx:
            return tx.delete_setting(key)

    def setting_keys(self, prefix: str) -> list[str]:
        """Keys of the small values whose key starts with ``prefix``."""
        with self.transaction() as tx:
            return tx.setting_keys(prefix)

    # ---- visits
    def active_visits(self) -> list[Visit]:
        """Visits that are not closed."""
        stmt = select(visits).where(visits.c.status != "closed").order_by(visits.c.id)
        with self._tx() as conn:
            return [_visit(r) for r in conn.execute(stmt).mappings()]

    def visits_between(self, start: datetime, end: datetime) -> list[Visit]:
        """Visits whose expected or approved time overlaps [start, end)."""
        begin = func.coalesce(visits.c.valid_from, visits.c.window_from)
        finish = func.coalesce(visits.c.valid_until, visits.c.window_until)
        stmt = (
            select(visits)
            .where(begin.is_not(None), begin < end, finish > start)
            .order_by(begin, visits.c.id)
        )
        with self._tx() as conn:
            return [_visit(r) for r in conn.execute(stmt).mappings()]

    def visit_row(self, visit_id: int) -> Mapping[Any, Any]:
        """Return the raw row of a visit (encrypted fields included)."""
        with self.transaction() as tx:
            return dict(tx.visit_row(visit_id))

    def visits_with(self, column: str, digest: str) -> list[Visit]:
        """Visits whose code or phone hash matches."""
        stmt = select(visits).where(visits.c[column] == digest).order_by(visits.c.id)
        with self._tx() as conn:
            return [_visit(r) for r in conn.execute(stmt).mappings()]

    # ---- the watch list
    def bar(
        self,
        id_number_hash: str,
        masked: str,
        reason: str | None,
        by: str | None,
        name: str | None = None,
    ) -> WatchEntry | None:
        """Put an ID number (by keyed hash) on the watch list; None if already there."""
        with self._tx() as conn:
            if conn.execute(
                select(watchlist.c.id).where(
                    watchlist.c.id_number_hash == id_number_hash
                )
            ).first():
                return None
            row_id = conn.execute(
                insert(watchlist).values(
                    id_number_hash=id_number_hash,
                    id_number_masked=masked,
                    reason=reason,
                    added_by=by,
                    name=name,
                    created_at=_utcnow(),
                )
            ).inserted_primary_key[0]
            return _watch_entry(
                conn.execute(select(watchlist).where(watchlist.c.id == row_id))
                .mappings()
                .one()
            )

    def watch_list(self, offset: int, limit: int) -> tuple[int, list[WatchEntry]]:
        """Return the watch list, newest first: the total and one page."""
        count = select(func.count()).select_from(watchlist)
        stmt = (
            select(watchlist)
            .order_by(watchlist.c.id.desc())
            .offset(offset)
            .limit(limit)
        )
        with self._tx() as conn:
            total = int(conn.execute(count).scalar_one())
            return total, [_watch_entry(r) for r in conn.execute(stmt).mappings()]

    def unbar_entry(self, entry_id: int) -> WatchEntry | None:
        """Take a row off the watch list by its id; return it (None if none)."""
        with self._tx() as conn:
            row = (
                conn.execute(select(watchlist).where(watchlist.c.id == entry_id))
                .mappings()
                .first()
            )
            if row is None:
                return None
            conn.execute(delete(watchlist).where(watchlist.c.id == entry_id))
            return _watch_entry(row)

    def unbar(self, id_number_hash: str) -> bool:
        """Take an ID number off the watch list."""
        with self._tx() as conn:
            result = conn.execute(
                delete(watchlist).where(watchlist.c.id_number_hash == id_number_hash)
            )
            return bool(result.rowcount)

    def barred(self, id_number_hash: str) -> bool:
        """Whether an ID number is on the watch list."""
        with self._tx() as conn:
            return (
                conn.execute(
                    select(watchlist.c.id).where(
                        watchlist.c.id_number_hash == id_number_hash
                    )
                ).first()
                is not None
            )

    # ---- households linked to Home Assistant users and phones
    def links(self) -> dict[int, tuple[list[str], list[str]]]:
        """Household id → (notify services, user ids)."""
        with self._tx() as conn:
            return {
                int(r["household_id"]): (
                    json.loads(r["notify_services"]),
                    json.loads(r["user_ids"]),
                )
                for r in conn.execute(select(household_links)).mappings()
            }

    def set_links(
        self, household_id: int, services: list[str], users: list[str]
    ) -> None:
        """Replace a household's links."""
        with self._tx() as conn:
            conn.execute(
                delete(household_links).where(
                    household_links.c.household_id == household_id
                )
            )
            conn.execute(
                insert(household_links).values(
                    household_id=household_id,
                    notify_services=json.dumps(services),
                    user_ids=json.dumps(users),
                )
            )

    # ---- the access record
    def add_audit(self, record: AuditRecord) -> int:
        """Append one access record; committed when this returns."""
        return self.add_audits([record])[0]

    def add_audits(self, records: Sequence[AuditRecord]) -> list[int]:
        """Append access records in one transaction; their ids, in order."""
        with self._tx() as conn:
            # One prebuilt statement with bound parameters: the hot path.
            results = [conn.execute(_INSERT_AUDIT, _audit_values(r)) for r in records]
            return [int(result.inserted_primary_key[0]) for result in results]

    def add_audits_once(self, records: Sequence[AuditRecord]) -> list[int | None]:
        """Append the records not yet written (by ``uid``), in one transaction.

        The spool's replay: a record whose ``uid`` is in the database already
        (written before a crash, or by the commit whose answer was lost) is
        not written again. Returns the new ids in order, None for those skipped.
        """
        with self._tx() as conn:
            uids = [r.uid for r in records if r.uid is not None]
            present: set[str] = set()
            for start in range(0, len(uids), _UID_CHUNK):
                chunk = uids[start : start + _UID_CHUNK]
                present.update(
                    str(u)
                    for u in conn.execute(
                        select(audit_log.c.uid).where(audit_log.c.uid.in_(chunk))
                    ).scalars()
                )
            ids: list[int | None] = []
            for record in records:
                if record.uid is not None and record.uid in present:
                    ids.append(None)
                    continue
                if record.uid is not None:
                    present.add(record.uid)  # twice in one replay: once
                result = conn.execute(_INSERT_AUDIT, _audit_values(record))
                ids.append(int(result.inserted_primary_key[0]))
            return ids

    def query_audit(self, query: AuditQuery) -> list[AuditRecord]:
        """Newest first, filtered; ``offset`` records skipped, at most ``limit``."""
        stmt = select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
        cond = _audit_conditions(query)
        if cond:
            stmt = stmt.where(and_(*cond))
        stmt = stmt.limit(query.limit)
        if query.offset:
            stmt = stmt.offset(query.offset)
        with self._tx() as conn:
            return [
                AuditRecord(**{k: row[k] for k in (*_AUDIT_FIELDS, "id")})
                for row in conn.execute(stmt).mappings()
            ]

    def count_audit_matching(self, query: AuditQuery) -> int:
        """How many access records the query's filters match (paging ignored)."""
        stmt = select(func.count()).select_from(audit_log)
        cond = _audit_conditions(query)
        if cond:
            stmt = stmt.where(and_(*cond))
        with self._tx() as conn:
            return int(conn.execute(stmt).scalar_one())

    # ---- the administrators' audit trail (v7)
    def add_admin_action(self, action: AdminAction) -> int:
        """Append one administrator's action; committed when this returns."""
        with self._tx() as conn:
            result = conn.execute(
                insert(admin_log).values(
                    at=action.at,
                    actor=action.actor,
                    action=action.action,
                    details=None
                    if action.details is None
                    else json.dumps(dict(action.details), default=str),
                )
            )
            return int(result.inserted_primary_key[0])

    def admin_actions(self, limit: int = 100) -> list[AdminAction]:
        """Return the latest administrators' actions, newest first."""
        stmt = (
            select(admin_log)
            .order_by(admin_log.c.at.desc(), admin_log.c.id.desc())
            .limit(limit)
        )
        with self._tx() as conn:
            return [
                AdminAction(
                    at=row["at"],
                    action=row["action"],
                    actor=row["actor"],
                    details=None
                    if row["details"] is None
                    else json.loads(row["details"]),
                    id=row["id"],
                )
                for row in conn.execute(stmt).mappings()
            ]

    # ---- visits for the office's lists
    def visits_page(
        self, statuses: list[str] | None, offset: int, limit: int
    ) -> tuple[int, list[Visit]]:
        """Visits (newest first) of the given statuses: the total and one page."""
        cond = [] if statuses is None else [visits.c.status.in_(statuses)]
        count = select(func.count()).select_from(visits).where(*cond)
        stmt = (
            select(visits)
            .where(*cond)
            .order_by(visits.c.id.desc())
            .offset(offset)
            .limit(limit)
        )
        with self._tx() as conn:
            total = int(conn.execute(count).scalar_one())
            return total, [_visit(r) for r in conn.execute(stmt).mappings()]

    def last_granted(self) -> dict[int, datetime]:
        """When each credential last opened a door (within the kept records)."""
        stmt = (
            select(audit_log.c.credential_id, func.max(audit_log.c.at))
            .where(
                audit_log.c.granted.is_(True), audit_log.c.credential_id.is_not(None)
            )
            .group_by(audit_log.c.credential_id)
        )
        with self._tx() as conn:
            return {
                int(cid): at.replace(tzinfo=UTC)
                for cid, at in conn.execute(stmt)
                if at is not None
            }

    def grants_since(
        self, since: datetime
    ) -> list[tuple[int, int | None, str, datetime]]:
        """(credential, person, door, time) of every grant from ``since`` on, oldest first.

        A range of the ``at`` index: start-up reads the detectors' window,
        not the whole access record.
        """
        stmt = (
            select(
                audit_log.c.credential_id,
                audit_log.c.person_id,
                audit_log.c.door_id,
                audit_log.c.at,
            )
            .where(
                audit_log.c.at >= since,
                audit_log.c.granted.is_(True),
                audit_log.c.credential_id.is_not(None),
                audit_log.c.door_id.is_not(None),
            )
            # Ties in time in the order written (PostgreSQL has no rowid order).
            .order_by(audit_log.c.at, audit_log.c.id)
        )
        with self._tx() as conn:
            return [
                (int(cid), None if pid is None else int(pid), str(door), at)
                for cid, pid, door, at in conn.execute(stmt)
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

    # ---- lock sync (v5)
    def credential_secret(self, credential_id: int) -> str | None:
        """Return the encrypted value of a credential (for programming a lock)."""
        with self.transaction() as tx:
            return tx.credential_secret(credential_id)

    def credential_secrets(self, credential_ids: list[int]) -> dict[int, str | None]:
        """Return the encrypted values of several credentials (500 ids a query)."""
        out: dict[int, str | None] = {}
        with self._tx() as conn:
            for start in range(0, len(credential_ids), 500):
                chunk = credential_ids[start : start + 500]
                rows = conn.execute(
                    select(credentials.c.id, credentials.c.value_enc).where(
                        credentials.c.id.in_(chunk)
                    )
                )
                out.update({int(cid): enc for cid, enc in rows})
        return out

    def lock_slots(self, lock_id: str) -> list[LockSlotRecord]:
        """Every slot row of a lock, by user id."""
        stmt = (
            select(lock_slots)
            .where(lock_slots.c.lock_id == lock_id)
            .order_by(lock_slots.c.user_id)
        )
        with self._tx() as conn:
            return [_lock_slot(r) for r in conn.execute(stmt).mappings()]

    def put_lock_slots(self, records: list[LockSlotRecord]) -> None:
        """Insert or replace slot rows (one transaction)."""
        now = _utcnow()
        with self._tx() as conn:
            for record in records:
                values = {
                    "kind": record.kind,
                    "credential_id": record.credential_id,
                    "state": record.state,
                    "digest": record.digest,
                    "schedule_fp": record.schedule_fp,
                    "attempts": record.attempts,
                    "last_error": record.last_error,
                    "next_attempt_at": record.next_attempt_at,
                    "updated_at": record.updated_at or now,
                }
                where = and_(
                    lock_slots.c.lock_id == record.lock_id,
                    lock_slots.c.user_id == record.user_id,
                )
                if (
                    conn.execute(
                        update(lock_slots).where(where).values(**values)
                    ).rowcount
                    == 0
                ):
                    conn.execute(
                        insert(lock_slots).values(
                            lock_id=record.lock_id, user_id=record.user_id, **values
                        )
                    )

    def lock_meta(self, lock_id: str) -> LockMetaRecord | None:
        """Return the facts kept about a lock, if any."""
        with self._tx() as conn:
            row = (
                conn.execute(select(lock_meta).where(lock_meta.c.lock_id == lock_id))
                .mappings()
                .first()
            )
        if row is None:
            return None
        return LockMetaRecord(
            lock_id=row["lock_id"],
            capacity=json.loads(row["capacity"]) if row["capacity"] else None,
            capacity_read_at=row["capacity_read_at"],
            last_readback_at=row["last_readback_at"],
            lockout_limit=row["lockout_limit"],
            lockout_seconds=row["lockout_seconds"],
        )

    def put_lock_meta(self, record: LockMetaRecord) -> None:
        """Insert or replace the facts about a lock."""
        values = {
            "capacity": json.dumps(record.capacity, sort_keys=True)
            if record.capacity is not None
            else None,
            "capacity_read_at": record.capacity_read_at,
            "last_readback_at": record.last_readback_at,
            "lockout_limit": record.lockout_limit,
            "lockout_seconds": record.lockout_seconds,
            "updated_at": _utcnow(),
        }
        with self._tx() as conn:
            stmt = (
                update(lock_meta)
                .where(lock_meta.c.lock_id == record.lock_id)
                .values(**values)
            )
            if conn.execute(stmt).rowcount == 0:
                conn.execute(insert(lock_meta).values(lock_id=record.lock_id, **values))

    def lock_ids(self) -> list[str]:
        """Every lock the integration keeps facts about."""
        with self._tx() as conn:
            return list(
                conn.execute(select(lock_meta.c.lock_id).order_by(lock_meta.c.lock_id))
                .scalars()
                .all()
            )

    def forget_lock(self, lock_id: str) -> None:
        """Delete everything kept about a lock (it was removed)."""
        with self._tx() as conn:
            conn.execute(delete(lock_slots).where(lock_slots.c.lock_id == lock_id))
            conn.execute(delete(lock_meta).where(lock_meta.c.lock_id == lock_id))


_INSERT_AUDIT = insert(audit_log)
#: Keys looked up per statement by :meth:`Database.add_audits_once`.
_UID_CHUNK = 500

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
    "note",
    "uid",
)


#: The access record's text columns of limited length. A longer value (a
#: serial port's by-id path in ``source``...) is cut: PostgreSQL would refuse
#: the whole record, SQLite would keep it whole; the record is never lost.
_AUDIT_LENGTHS = {
    c.name: int(c.type.length)
    for c in audit_log.columns
    if isinstance(c.type, String) and c.type.length and c.name in _AUDIT_FIELDS
}


def _audit_values(record: AuditRecord) -> dict[str, Any]:
    values = {k: getattr(record, k) for k in _AUDIT_FIELDS}
    for key, length in _AUDIT_LENGTHS.items():
        value = values[key]
        if value is not None and len(value) > length:
            values[key] = value[:length]
    return values


def _audit_conditions(query: AuditQuery) -> list[Any]:
    cond: list[Any] = []
    if query.person_id is not None:
        cond.append(audit_log.c.person_id == query.person_id)
    if query.household_id is not None:
        cond.append(audit_log.c.household_id == query.household_id)
    if query.door_id is not None:
        cond.append(audit_log.c.door_id == query.door_id)
    if query.granted is not None:
        cond.append(audit_log.c.granted == query.granted)
    if query.reason is not None:
        cond.append(audit_log.c.reason == query.reason)
    if query.start is not None:
        cond.append(audit_log.c.at >= query.start)
    if query.end is not None:
        cond.append(audit_log.c.at < query.end)
    return cond


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _person_values(values: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(values)
    if "extra_zones" in out:
        out["extra_zones"] = json.dumps(sorted(out["extra_zones"]))
    if "details" in out and out["details"] is not None:
        out["details"] = json.dumps(out["details"], ensure_ascii=False, sort_keys=True)
    for key in ("role", "status"):
        if key in out and out[key] is not None:
            out[key] = str(out[key])
    return out


def _credential_values(values: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(values)
    if "schedule" in out:
        schedule = out["schedule"]
        out["schedule"] = None if schedule is None else json.dumps(schedule.as_dict())
    for key in ("kind", "status"):
        if key in out and out[key] is not None:
            out[key] = str(out[key])
    return out


def _household(m: Mapping[Any, Any]) -> Household:
    return Household(
        id=m["id"],
        unit=Unit.parse(m["unit"]),
        card_quota=m["card_quota"],
        created_at=m["created_at"],
        moved_out_at=m["moved_out_at"],
        occupancy=int(m["occupancy"] or 1),
        # The first occupancy began when the household was registered.
        occupied_since=m["occupied_since"] or m["created_at"],
        compound=m.get("compound") or "",
    )


def _person(m: Mapping[Any, Any]) -> Person:
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
        has_id_number=m["id_number_hash"] is not None,
        declared_by=m["declared_by"],
        details=json.loads(m["details"]) if m["details"] else None,
        moved_out_at=m["moved_out_at"],
        erase_after=m["erase_after"],
        occupancy=int(m["occupancy"] or 1),
    )


def _credential(m: Mapping[Any, Any]) -> Credential:
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
        updated_at=m["updated_at"],
        deposit_cents=m["deposit_cents"] or 0,
        replaces_id=m["replaces_id"],
        damaged=bool(m["damaged"]),
    )


def _ledger(m: Mapping[Any, Any]) -> LedgerEntry:
    return LedgerEntry(
        id=m["id"],
        at=m["at"],
        kind=LedgerKind(m["entry"]),
        amount_cents=m["amount_cents"],
        household_id=m["household_id"],
        person_id=m["person_id"],
        credential_id=m["credential_id"],
        recorded_by=m["recorded_by"],
        note=m["note"],
        occupancy=int(m["occupancy"] or 1),
    )


def _visit_values(values: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for key in ("status", "pass_kind"):
        if key in out and out[key] is not None:
            out[key] = str(out[key])
    return out


def _visit(m: Mapping[Any, Any]) -> Visit:
    return Visit(
        id=m["id"],
        household_id=m["household_id"],
        visitor_name=m["visitor_name"],
        status=VisitStatus(m["status"]),
        pre_registered=bool(m["pre_registered"]),
        multiple_entries=bool(m["multiple_entries"]),
        purpose=m["purpose"],
        expected_minutes=m["expected_minutes"],
        id_number_masked=m["id_number_masked"],
        phone_masked=m["phone_masked"],
        window_from=m["window_from"],
        window_until=m["window_until"],
        pass_kind=PassKind(m["pass_kind"]) if m["pass_kind"] else None,
        person_id=m["person_id"],
        credential_id=m["credential_id"],
        valid_from=m["valid_from"],
        valid_until=m["valid_until"],
        deadline_at=m["deadline_at"],
        decided_by=m["decided_by"],
        close_reason=m["close_reason"],
        card_returned=m["card_returned"],
        created_at=m["created_at"],
        checked_in_at=m["checked_in_at"],
        closed_at=m["closed_at"],
        escort_person_id=m.get("escort_person_id"),
    )


def _lock_slot(m: Mapping[Any, Any]) -> LockSlotRecord:
    return LockSlotRecord(
        lock_id=m["lock_id"],
        user_id=int(m["user_id"]),
        kind=m["kind"],
        state=m["state"],
        credential_id=m["credential_id"],
        digest=m["digest"],
        schedule_fp=m["schedule_fp"],
        attempts=int(m["attempts"] or 0),
        last_error=m["last_error"],
        next_attempt_at=m["next_attempt_at"],
        updated_at=m["updated_at"],
    )


def _watch_entry(row: Mapping[Any, Any]) -> WatchEntry:
    return WatchEntry(
        id=row["id"],
        name=row["name"],
        reason=row["reason"],
        added_by=row["added_by"],
        added_at=row["created_at"],
    )
