"""Faults of access equipment and their repair (第十一条, 152).

A fault is opened for one device (a door's lock, a serial or OSDP line, a
reader) and one cause; at most one is open per device and cause. Its status
climbs a ladder: ``reported`` → ``dispatched`` → ``in_repair`` → ``fixed``
(or ``cannot_fix``); the last two close it. Each step (and each progress note
on the same step) is kept in ``fault_updates`` and published to residents by
the Home Assistant layer. A fault opened by a device going away closes by
itself when the device comes back only while nobody has started a repair
(status still ``reported``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, insert, select, update

from custom_components.community_access.core.community import Community
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.schema import fault_updates, faults
from custom_components.community_access.core.storage import Database
from custom_components.community_access.core.text import clean_free_text


class FaultStatus(StrEnum):
    """Where the repair of a fault stands."""

    REPORTED = "reported"
    DISPATCHED = "dispatched"
    IN_REPAIR = "in_repair"
    FIXED = "fixed"
    CANNOT_FIX = "cannot_fix"


class FaultCause(StrEnum):
    """Why a fault was opened."""

    LOCK_UNAVAILABLE = "lock_unavailable"
    LINE_OFFLINE = "line_offline"
    READER_OFFLINE = "reader_offline"
    TAMPER = "tamper"
    LOCK_SYNC_FAILED = "lock_sync_failed"
    INSPECTION = "inspection"
    REPORTED = "reported"


CLOSED = frozenset({FaultStatus.FIXED, FaultStatus.CANNOT_FIX})
_ORDER = [
    FaultStatus.REPORTED,
    FaultStatus.DISPATCHED,
    FaultStatus.IN_REPAIR,
    FaultStatus.FIXED,
]


def check_transition(old: FaultStatus, new: FaultStatus) -> None:
    """Refuse a step the ladder does not allow (``CommunityError``).

    The same status again is a progress note. A closed fault takes nothing;
    an open one may go up the ladder (skipping steps) or to ``cannot_fix``.
    """
    if old in CLOSED:
        raise CommunityError("fault_closed", status=old.value)
    if new is old or new is FaultStatus.CANNOT_FIX:
        return
    if _ORDER.index(new) < _ORDER.index(old):
        raise CommunityError("fault_bad_transition", old=old.value, new=new.value)


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault of one device."""

    id: int
    device_id: str
    device_name: str | None
    door_id: str | None
    cause: FaultCause
    description: str | None
    status: FaultStatus
    opened_at: datetime
    opened_by: str | None
    updated_at: datetime
    expected_at: datetime | None = None
    closed_at: datetime | None = None

    @property
    def open(self) -> bool:
        """Whether the fault is still open."""
        return self.closed_at is None

    def as_dict(self) -> dict[str, Any]:
        """Plain data (device names only, no people)."""
        return {
            "fault_id": self.id,
            "device_id": self.device_id,
            "device": self.device_name,
            "door_id": self.door_id,
            "cause": self.cause.value,
            "description": self.description,
            "status": self.status.value,
            "opened_at": self.opened_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "expected_at": self.expected_at.isoformat() if self.expected_at else None,
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
        }


@dataclass(frozen=True, slots=True)
class FaultUpdate:
    """One status change or progress note."""

    fault_id: int
    at: datetime
    status: FaultStatus
    note: str | None
    expected_at: datetime | None
    by: str | None


def _fault(row: Any) -> Fault:
    return Fault(
        id=row.id,
        device_id=row.device_id,
        device_name=row.device_name,
        door_id=row.door_id,
        cause=FaultCause(row.cause),
        description=row.description,
        status=FaultStatus(row.status),
        opened_at=row.opened_at,
        opened_by=row.opened_by,
        updated_at=row.updated_at,
        expected_at=row.expected_at,
        closed_at=row.closed_at,
    )


# ---- database (worker thread)
def load_open(db: Database) -> list[Fault]:
    """Read the open faults."""
    with db.transaction() as tx:
        rows = tx.conn.execute(
            select(faults).where(faults.c.closed_at.is_(None)).order_by(faults.c.id)
        ).all()
    return [_fault(r) for r in rows]


def load_faults(
    db: Database, *, include_closed: bool = False, limit: int = 100
) -> list[Fault]:
    """Faults newest first (open ones only unless ``include_closed``)."""
    query = select(faults).order_by(faults.c.id.desc()).limit(limit)
    if not include_closed:
        query = query.where(faults.c.closed_at.is_(None))
    with db.transaction() as tx:
        rows = tx.conn.execute(query).all()
    return [_fault(r) for r in rows]


def load_updates(db: Database, fault_id: int) -> list[FaultUpdate]:
    """Read a fault's updates, oldest first."""
    with db.transaction() as tx:
        rows = tx.conn.execute(
            select(fault_updates)
            .where(fault_updates.c.fault_id == fault_id)
            .order_by(fault_updates.c.id)
        ).all()
    return [
        FaultUpdate(
            r.fault_id, r.at, FaultStatus(r.status), r.note, r.expected_at, r.by
        )
        for r in rows
    ]


def _insert_fault(db: Database, fault: Fault) -> Fault:
    with db.transaction() as tx:
        conn = tx.conn
        existing = conn.execute(
            select(faults).where(
                and_(
                    faults.c.device_id == fault.device_id,
                    faults.c.cause == fault.cause.value,
                    faults.c.closed_at.is_(None),
                )
            )
        ).first()
        if existing is not None:
            return _fault(existing)
        fault_id = conn.execute(
            insert(faults).values(
                device_id=fault.device_id,
                device_name=fault.device_name,
                door_id=fault.door_id,
                cause=fault.cause.value,
                description=fault.description,
                status=fault.status.value,
                opened_at=fault.opened_at,
                opened_by=fault.opened_by,
                updated_at=fault.updated_at,
            )
        ).inserted_primary_key[0]
        conn.execute(
            insert(fault_updates).values(
                fault_id=fault_id,
                at=fault.opened_at,
                status=fault.status.value,
                note=fault.description,
                by=fault.opened_by,
            )
        )
    return replace(fault, id=int(fault_id))


def _write_update(db: Database, fault: Fault, update_row: FaultUpdate) -> None:
    with db.transaction() as tx:
        tx.conn.execute(
            update(faults)
            .where(faults.c.id == fault.id)
            .values(
                status=fault.status.value,
                updated_at=fault.updated_at,
                expected_at=fault.expected_at,
                closed_at=fault.closed_at,
            )
        )
        tx.conn.execute(
            insert(fault_updates).values(
                fault_id=update_row.fault_id,
                at=update_row.at,
                status=update_row.status.value,
                note=update_row.note,
                expected_at=update_row.expected_at,
                by=update_row.by,
            )
        )


def _read_fault(db: Database, fault_id: int) -> Fault | None:
    with db.transaction() as tx:
        row = tx.conn.execute(select(faults).where(faults.c.id == fault_id)).first()
    return None if row is None else _fault(row)


class FaultBook:
    """The open faults of a community, kept in memory, written through."""

    def __init__(self, community: Community) -> None:
        """Attach to a community; call :meth:`async_load`."""
        self.community = community
        self.open: dict[int, Fault] = {}

    async def async_load(self) -> None:
        """Read the open faults."""
        rows: list[Fault] = await self.community.run(load_open, self.community.db)
        self.open = {f.id: f for f in rows}

    def find(self, device_id: str, cause: FaultCause) -> Fault | None:
        """Return the open fault of a device for a cause, if any."""
        for fault in self.open.values():
            if fault.device_id == device_id and fault.cause is cause:
                return fault
        return None

    def open_at_door(self, door_id: str) -> list[Fault]:
        """Open faults of a door (of its lock or its readers)."""
        return [f for f in self.open.values() if f.door_id == door_id]

    async def report(
        self,
        *,
        device_id: str,
        device_name: str | None,
        door_id: str | None,
        cause: FaultCause,
        description: str | None,
        at: datetime,
        by: str | None = None,
    ) -> tuple[Fault, bool]:
        """Open a fault unless one is open for the device and cause; (fault, new)."""
        existing = self.find(device_id, cause)
        if existing is not None:
            return existing, False
        text = clean_free_text(description, max_length=500, multiline=True)
        fault = Fault(
            id=0,
            device_id=device_id,
            device_name=device_name,
            door_id=door_id,
            cause=cause,
            description=text,
            status=FaultStatus.REPORTED,
            opened_at=at,
            opened_by=by,
            updated_at=at,
        )
        async with self.community.write_lock:
            written: Fault = await self.community.run(
                _insert_fault, self.community.db, fault
            )
        new = written.id not in self.open
        self.open[written.id] = written
        return written, new

    async def get(self, fault_id: int) -> Fault:
        """Return a fault by id, open or closed (``CommunityError`` if unknown)."""
        if fault_id in self.open:
            return self.open[fault_id]
        fault: Fault | None = await self.community.run(
            _read_fault, self.community.db, fault_id
        )
        if fault is None:
            raise CommunityError("unknown_fault", fault_id=str(fault_id))
        return fault

    async def update(
        self,
        fault_id: int,
        status: FaultStatus,
        *,
        at: datetime,
        note: str | None = None,
        expected_at: datetime | None = None,
        by: str | None = None,
    ) -> Fault:
        """Move a fault along the ladder (or add a progress note)."""
        fault = await self.get(fault_id)
        check_transition(fault.status, status)
        if expected_at is not None and expected_at <= fault.opened_at:
            raise CommunityError("invalid_time_range")
        changed = replace(
            fault,
            status=status,
            updated_at=at,
            expected_at=expected_at or fault.expected_at,
            closed_at=at if status in CLOSED else None,
        )
        row = FaultUpdate(
            fault_id,
            at,
            status,
            clean_free_text(note, max_length=500, multiline=True),
            expected_at,
            by,
        )
        await self.community.run(_write_update, self.community.db, changed, row)
        if changed.open:
            self.open[fault_id] = changed
        else:
            self.open.pop(fault_id, None)
        return changed

    async def recovered(
        self, device_id: str, cause: FaultCause, at: datetime
    ) -> Fault | None:
        """Close a device's fault when it is back, if no repair has started."""
        fault = self.find(device_id, cause)
        if fault is None or fault.status is not FaultStatus.REPORTED:
            return None
        return await self.update(
            fault.id, FaultStatus.FIXED, at=at, note=None, by="recovered"
        )
