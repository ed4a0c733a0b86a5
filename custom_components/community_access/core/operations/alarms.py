"""Door alarms (管理规定 6 报警管理; GB 50396: events to the second).

A door may have a door contact (open/closed) and a request-to-exit input.
Each legitimate opening (a grant, a remote open, a guard's entry, a press of
the exit button, an emergency release) lets the door open until a moment;
the per-door :class:`DoorWatch` turns the contact's changes and its timer
into alarms:

- **forced open**: the contact opens outside every legitimate window;
- **held open**: a legitimately opened door stays open longer than the
  door's "held open after" seconds;
- **tamper** and **power failure**: reported by the door's reader.

An alarm is *active* until its cause ends (the door closes, the reader stops
reporting) and *open* until it has both ended and been acknowledged by a
guard or administrator. :class:`AlarmBook` keeps them in ``door_alarms``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
import json
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.sql.elements import ColumnElement

from custom_components.community_access.core.community import Community
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.schema import door_alarms
from custom_components.community_access.core.text import clean_free_text

#: Default seconds a legitimately opened door may stay open.
DEFAULT_HELD_OPEN_SECONDS = 30
#: Added to each legitimate window: contacts report a little late.
CONTACT_GRACE = timedelta(seconds=2)
MAX_NOTE = 500


class AlarmKind(StrEnum):
    """What raised an alarm."""

    FORCED_OPEN = "forced_open"
    HELD_OPEN = "held_open"
    TAMPER = "tamper"
    POWER_FAILURE = "power_failure"


#: Alarms that end when the door closes.
CONTACT_KINDS = frozenset({AlarmKind.FORCED_OPEN, AlarmKind.HELD_OPEN})


@dataclass(frozen=True, slots=True)
class Alarm:
    """One alarm of one door, as kept in ``door_alarms``."""

    id: int
    door_id: str
    kind: AlarmKind
    started_at: datetime
    ended_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    note: str | None = None
    details: dict[str, Any] | None = None

    @property
    def active(self) -> bool:
        """Whether its cause lasts (the door still open, the reader reporting)."""
        return self.ended_at is None

    @property
    def acknowledged(self) -> bool:
        """Whether a guard or administrator acknowledged it."""
        return self.acknowledged_at is not None

    @property
    def open(self) -> bool:
        """Whether it still needs attention: active or not acknowledged."""
        return self.active or not self.acknowledged

    def as_dict(self) -> dict[str, Any]:
        """Plain data (no personal data is ever kept in an alarm)."""
        return {
            "alarm_id": self.id,
            "door_id": self.door_id,
            "kind": self.kind.value,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "acknowledged_at": (
                self.acknowledged_at.isoformat() if self.acknowledged_at else None
            ),
            "acknowledged_by": self.acknowledged_by,
            "note": self.note,
            "active": self.active,
        }


# ---- the per-door state machine -----------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """What the state machine asks for: start or end an alarm of a kind."""

    start: bool
    kind: AlarmKind


#: Whether something else lets the door stand open now (an emergency release).
OpenPredicate = Callable[[str, datetime], bool]


@dataclass(slots=True)
class DoorWatch:
    """The contact of one door, its legitimate windows and its held-open timer."""

    door_id: str
    held_open_after: timedelta = timedelta(seconds=DEFAULT_HELD_OPEN_SECONDS)
    #: The door may open until then (the last legitimate opening's window).
    allowed_until: datetime | None = None
    #: Since when the contact reports open (None: closed or unknown).
    opened_at: datetime | None = None
    #: When the held-open alarm is due (None: no timer running).
    held_due: datetime | None = None
    #: Kinds active now at this door.
    active: set[AlarmKind] = field(default_factory=set)

    def allow_open(self, until: datetime) -> None:
        """Note a legitimate opening: the door may open until ``until``."""
        until = until + CONTACT_GRACE
        if self.allowed_until is None or until > self.allowed_until:
            self.allowed_until = until

    def allowed(self, at: datetime, predicates: tuple[OpenPredicate, ...] = ()) -> bool:
        """Whether an opening at ``at`` is legitimate."""
        if self.allowed_until is not None and at <= self.allowed_until:
            return True
        return any(predicate(self.door_id, at) for predicate in predicates)

    def contact(
        self,
        is_open: bool,
        at: datetime,
        predicates: tuple[OpenPredicate, ...] = (),
    ) -> list[Change]:
        """Take the contact's report (open or closed) at ``at``."""
        if not is_open:
            self.opened_at = None
            self.held_due = None
            return self._end(CONTACT_KINDS)
        if self.opened_at is not None:
            return []  # already open
        self.opened_at = at
        if self.allowed(at, predicates):
            self.held_due = at + self.held_open_after
            return []
        return self._start(AlarmKind.FORCED_OPEN)

    def resume_open(self, at: datetime) -> list[Change]:
        """After a restart the contact is open and no alarm is known: time it."""
        if self.opened_at is None and not self.active & CONTACT_KINDS:
            self.opened_at = at
            self.held_due = at + self.held_open_after
        return []

    def due(
        self, at: datetime, predicates: tuple[OpenPredicate, ...] = ()
    ) -> list[Change]:
        """Handle the timer: a held-open alarm if the door is still open."""
        if self.held_due is None or self.opened_at is None or at < self.held_due:
            return []
        self.held_due = None
        if any(predicate(self.door_id, at) for predicate in predicates):
            return []  # an emergency release keeps it open on purpose
        return self._start(AlarmKind.HELD_OPEN)

    def reader(self, kind: AlarmKind, on: bool) -> list[Change]:
        """Take the reader's report of tamper or power failure (on or off)."""
        return self._start(kind) if on else self._end({kind})

    def _start(self, kind: AlarmKind) -> list[Change]:
        if kind in self.active:
            return []
        self.active.add(kind)
        return [Change(True, kind)]

    def _end(self, kinds: frozenset[AlarmKind] | set[AlarmKind]) -> list[Change]:
        ended = sorted(self.active & set(kinds))
        self.active -= set(ended)
        return [Change(False, kind) for kind in ended]


# ---- persistence ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlarmQuery:
    """Filters of the alarm list (newest first)."""

    door_id: str | None = None
    kind: AlarmKind | None = None
    active: bool | None = None
    acknowledged: bool | None = None
    #: Only alarms that still need attention (active or not acknowledged).
    open_only: bool = False
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100
    offset: int = 0

    def where(self) -> list[ColumnElement[bool]]:
        """Return the SQL conditions."""
        c = door_alarms.c
        conditions: list[ColumnElement[bool]] = []
        if self.door_id is not None:
            conditions.append(c.door_id == self.door_id)
        if self.kind is not None:
            conditions.append(c.kind == self.kind.value)
        if self.active is not None:
            conditions.append(
                c.ended_at.is_(None) if self.active else c.ended_at.is_not(None)
            )
        if self.acknowledged is not None:
            conditions.append(
                c.acknowledged_at.is_not(None)
                if self.acknowledged
                else c.acknowledged_at.is_(None)
            )
        if self.open_only:
            conditions.append(or_(c.ended_at.is_(None), c.acknowledged_at.is_(None)))
        if self.since is not None:
            conditions.append(c.started_at >= self.since)
        if self.until is not None:
            conditions.append(c.started_at < self.until)
        return conditions


def _alarm(row: RowMapping) -> Alarm:
    details = row["details"]
    return Alarm(
        id=int(row["id"]),
        door_id=str(row["door_id"]),
        kind=AlarmKind(row["kind"]),
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        acknowledged_at=row["acknowledged_at"],
        acknowledged_by=row["acknowledged_by"],
        note=row["note"],
        details=json.loads(details) if details else None,
    )


def _second(at: datetime) -> datetime:
    """Alarms are kept to the second (GB 50396)."""
    return at.replace(microsecond=0)


class AlarmBook:
    """Door alarms on a community's database (every call off the event loop)."""

    def __init__(self, community: Community) -> None:
        """Work on one community."""
        self.community = community

    async def start(
        self,
        door_id: str,
        kind: AlarmKind,
        at: datetime,
        details: dict[str, Any] | None = None,
    ) -> Alarm:
        """Record a new alarm."""
        db = self.community.db

        def _write() -> int:
            with db.transaction() as tx:
                result = tx.conn.execute(
                    insert(door_alarms).values(
                        door_id=door_id,
                        kind=kind.value,
                        started_at=_second(at),
                        details=json.dumps(details) if details else None,
                    )
                )
                return int(result.inserted_primary_key[0])

        alarm_id = await self.community.run(_write)
        return Alarm(alarm_id, door_id, kind, _second(at), details=details)

    async def end(self, alarm_id: int, at: datetime) -> Alarm:
        """Note the end of an alarm's cause (once)."""
        return await self._set(
            alarm_id, {"ended_at": _second(at)}, door_alarms.c.ended_at.is_(None)
        )

    async def acknowledge(
        self, alarm_id: int, *, by: str | None, note: str | None, at: datetime
    ) -> Alarm:
        """Record a guard's or administrator's acknowledgement (once)."""
        text = clean_free_text(note, max_length=MAX_NOTE)
        return await self._set(
            alarm_id,
            {"acknowledged_at": _second(at), "acknowledged_by": by, "note": text},
            door_alarms.c.acknowledged_at.is_(None),
            refuse="alarm_already_acknowledged",
        )

    async def _set(
        self,
        alarm_id: int,
        values: dict[str, Any],
        condition: ColumnElement[bool],
        refuse: str | None = None,
    ) -> Alarm:
        db = self.community.db

        def _write() -> tuple[bool, RowMapping | None]:
            with db.transaction() as tx:
                changed = tx.conn.execute(
                    update(door_alarms)
                    .where(and_(door_alarms.c.id == alarm_id, condition))
                    .values(**values)
                ).rowcount
                row = (
                    tx.conn.execute(
                        select(door_alarms).where(door_alarms.c.id == alarm_id)
                    )
                    .mappings()
                    .first()
                )
                return bool(changed), row

        changed, row = await self.community.run(_write)
        if row is None:
            raise CommunityError("unknown_alarm", alarm_id=str(alarm_id))
        if not changed and refuse is not None:
            raise CommunityError(refuse, alarm_id=str(alarm_id))
        return _alarm(row)

    async def get(self, alarm_id: int) -> Alarm:
        """One alarm; ``unknown_alarm`` if there is none."""
        found = await self.find(AlarmQuery(limit=1), ids=(alarm_id,))
        if not found:
            raise CommunityError("unknown_alarm", alarm_id=str(alarm_id))
        return found[0]

    async def find(self, query: AlarmQuery, ids: tuple[int, ...] = ()) -> list[Alarm]:
        """Alarms matching ``query``, newest first, paged."""
        db = self.community.db
        conditions = query.where()
        if ids:
            conditions.append(door_alarms.c.id.in_(ids))

        def _read() -> list[Alarm]:
            with db.transaction() as tx:
                rows = tx.conn.execute(
                    select(door_alarms)
                    .where(*conditions)
                    .order_by(door_alarms.c.started_at.desc(), door_alarms.c.id.desc())
                    .limit(query.limit)
                    .offset(query.offset)
                ).mappings()
                return [_alarm(row) for row in rows]

        alarms: list[Alarm] = await self.community.run(_read)
        return alarms

    async def count(self, query: AlarmQuery) -> int:
        """How many alarms match ``query`` (ignoring its paging)."""
        db = self.community.db
        conditions = query.where()

        def _read() -> int:
            with db.transaction() as tx:
                return int(
                    tx.conn.execute(
                        select(func.count()).select_from(door_alarms).where(*conditions)
                    ).scalar_one()
                )

        total: int = await self.community.run(_read)
        return total

    async def open_alarms(self) -> list[Alarm]:
        """Every alarm still needing attention (read at set-up)."""
        return await self.find(AlarmQuery(open_only=True, limit=10_000))
