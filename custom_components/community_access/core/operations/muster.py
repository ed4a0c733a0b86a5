"""The muster list: who may still be inside, for the roll-call of an evacuation.

From the access record: a person is on the list when their last granted
passage at an entry or exit door (direction ``in`` / ``out``; doors that are
``both`` tell nothing about the direction and are not read) within the
window was inward. Their building is the door's building for a building
door, otherwise the building of their home (the record's unit), otherwise
none (staff coming in at a gate). One grouped query per call, on
``ix_audit_person_at``.

:class:`MusterCounts` keeps the per-building counts in memory from the
records as they are written (O(1) each), read from the database once at
start: the counts' cost does not grow with the access record.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select

from custom_components.community_access.core.models import (
    Direction,
    Door,
    Unit,
    ZoneKind,
)
from custom_components.community_access.core.schema import audit_log
from custom_components.community_access.core.storage import Database


@dataclass(frozen=True, slots=True)
class Passage:
    """A person's last passage at an entry or exit door."""

    record_id: int
    person_id: int
    door_id: str
    at: datetime
    unit: str | None
    person_name: str | None


@dataclass(frozen=True, slots=True)
class MusterEntry:
    """Someone who may still be inside (no ID or card number)."""

    person_id: int
    name: str | None
    unit: str | None
    building: str | None
    door_id: str
    door_name: str | None
    at: datetime


def last_passages(
    db: Database, door_ids: Iterable[str], since: datetime
) -> list[Passage]:
    """Each person's last granted passage at ``door_ids`` since ``since`` (blocking)."""
    doors = sorted(set(door_ids))
    if not doors:
        return []
    a = audit_log
    where = (
        a.c.person_id.is_not(None),
        a.c.granted.is_(True),
        a.c.door_id.in_(doors),
        a.c.at >= since,
    )
    last = (
        select(a.c.person_id, func.max(a.c.at).label("last_at"))
        .where(*where)
        .group_by(a.c.person_id)
        .subquery()
    )
    query = (
        select(a.c.id, a.c.person_id, a.c.door_id, a.c.at, a.c.unit, a.c.person_name)
        .join(last, and_(a.c.person_id == last.c.person_id, a.c.at == last.c.last_at))
        .where(*where)
        .order_by(a.c.id)
    )
    with db.transaction() as tx:
        rows = tx.conn.execute(query).all()
    # Two passages in the same second: the later record wins.
    latest: dict[int, Passage] = {}
    for row in rows:
        latest[row.person_id] = Passage(
            row.id, row.person_id, row.door_id, row.at, row.unit, row.person_name
        )
    return list(latest.values())


def muster_doors(doors: Iterable[Door]) -> list[str]:
    """Return the doors whose records tell a direction (in or out)."""
    return [d.id for d in doors if d.direction is not Direction.BOTH]


def muster(
    passages: Iterable[Passage],
    doors: Mapping[str, Door],
    names: Mapping[int, str] | None = None,
) -> list[MusterEntry]:
    """Those whose last passage was inward, by building then name.

    ``names``: current names by person id (the record's name otherwise).
    """
    entries = []
    for passage in passages:
        door = doors.get(passage.door_id)
        if door is None or door.direction is not Direction.IN:
            continue
        entries.append(
            MusterEntry(
                person_id=passage.person_id,
                name=(names or {}).get(passage.person_id, passage.person_name),
                unit=passage.unit,
                building=_building(door, passage.unit),
                door_id=door.id,
                door_name=door.name,
                at=passage.at,
            )
        )
    entries.sort(key=lambda e: (e.building or "", e.name or "", e.person_id))
    return entries


def counts_by_building(
    entries: Iterable[MusterEntry], buildings: Iterable[str]
) -> dict[str, int]:
    """How many may be inside each of ``buildings`` (0 where nobody)."""
    counted = Counter(e.building for e in entries)
    return {b: counted.get(b, 0) for b in buildings}


def _building(door: Door, unit: str | None) -> str | None:
    if door.zone.kind is ZoneKind.BUILDING:
        return door.zone.key
    if unit:
        try:
            return Unit.parse(unit).building
        except ValueError:
            return None
    return None


class MusterCounts:
    """Per-building counts of who may be inside, kept up to date record by record.

    Fed with passages (granted records at entry and exit doors): a person's
    later passage (higher record id) replaces the earlier one. Memory is the
    record id and time of one passage per person seen in the window (the
    rest of a passage is read once, when it is added). :meth:`expire` forgets passages
    older than the window, in the order they were added (records come in
    nearly in time order; the start-up read is sorted by time).
    """

    def __init__(self, doors: Mapping[str, Door], window: timedelta) -> None:
        """Count at ``doors`` (the community's doors) over ``window``."""
        self.doors = doors
        self.window = window
        #: Each person's last passage (record id, time), the least recently
        #: added first.
        self._latest: dict[int, tuple[int, datetime]] = {}
        #: The building each person inside is counted in (None: no building).
        self._inside: dict[int, str | None] = {}
        self._counts: Counter[str | None] = Counter()

    def add(self, passage: Passage) -> None:
        """Take a passage into account (an older one than the person's last is ignored)."""
        current = self._latest.get(passage.person_id)
        if current is not None and current[0] >= passage.record_id:
            return
        self._forget(passage.person_id)
        self._latest[passage.person_id] = (passage.record_id, passage.at)
        door = self.doors.get(passage.door_id)
        if door is not None and door.direction is Direction.IN:
            building = _building(door, passage.unit)
            self._inside[passage.person_id] = building
            self._counts[building] += 1

    def expire(self, now: datetime) -> datetime | None:
        """Forget passages before the window; when the next one falls out (None: none)."""
        since = now - self.window
        while self._latest:
            person_id, (_, at) = next(iter(self._latest.items()))
            if at >= since:
                return at + self.window
            self._forget(person_id)
        return None

    def counts(self, buildings: Iterable[str]) -> dict[str, int]:
        """How many may be inside each of ``buildings`` (0 where nobody)."""
        return {b: self._counts.get(b, 0) for b in buildings}

    def __len__(self) -> int:
        """People whose last passage is held (memory: one passage each)."""
        return len(self._latest)

    def _forget(self, person_id: int) -> None:
        self._latest.pop(person_id, None)
        if person_id in self._inside:
            self._counts[self._inside.pop(person_id)] -= 1


def counts_from_record(
    db: Database,
    doors: Mapping[str, Door],
    door_ids: Iterable[str],
    since: datetime,
    window: timedelta,
) -> tuple[MusterCounts, int]:
    """Count the window's passages (blocking: a worker thread).

    Returns the counts and the highest record id read (0: none). Thousands
    of passages on a busy site: made here, not on the event loop.
    """
    counts = MusterCounts(doors, window)
    last_id = 0
    passages = last_passages(db, door_ids, since)
    for passage in sorted(passages, key=lambda p: (p.at, p.record_id)):
        counts.add(passage)
        last_id = max(last_id, passage.record_id)
    return counts, last_id
