"""Patrols while a device is faulty (153) and regular inspections (第十五条).

A patrol is a guard at a door or a named checkpoint, recorded by hand or by
the guard's card at a door marked as patrol point. An inspection is a
patrol of kind ``inspection`` with a result (``ok`` or ``faulty``). Every
door is due for inspection ``interval`` after its last one (or after the
community started counting, for a door never inspected) and overdue
``OVERDUE_AFTER`` later.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, insert, select

from custom_components.community_access.core.decision import Decision, Reason
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.models import Role
from custom_components.community_access.core.schema import patrols
from custom_components.community_access.core.storage import Database
from custom_components.community_access.core.text import clean_free_text

#: An inspection not done this long after it fell due is overdue (a repair issue).
OVERDUE_AFTER = timedelta(days=7)
#: Reasons whose card is valid in itself: a staff card at a patrol point
#: records a patrol even where the person may not enter.
_VALID_CARD = frozenset(
    {Reason.GRANTED, Reason.ZONE_NOT_ALLOWED, Reason.OUTSIDE_TIME_WINDOW}
)


class PatrolKind(StrEnum):
    """A patrol or an inspection."""

    PATROL = "patrol"
    INSPECTION = "inspection"


class InspectionResult(StrEnum):
    """What an inspection found."""

    OK = "ok"
    FAULTY = "faulty"


@dataclass(frozen=True, slots=True)
class Patrol:
    """One patrol or inspection."""

    at: datetime
    kind: PatrolKind
    door_id: str | None = None
    checkpoint: str | None = None
    person_id: int | None = None
    by: str | None = None
    source: str = "manual"
    result: InspectionResult | None = None
    note: str | None = None
    id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain data (no names: a person id and a user id at most)."""
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "kind": self.kind.value,
            "door_id": self.door_id,
            "checkpoint": self.checkpoint,
            "person_id": self.person_id,
            "source": self.source,
            "result": self.result.value if self.result else None,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class PatrolQuery:
    """Filters of :func:`query_patrols`."""

    kind: PatrolKind | None = None
    door_id: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    limit: int = 100


def new_patrol(
    *,
    at: datetime,
    kind: PatrolKind,
    door_id: str | None,
    checkpoint: str | None,
    note: str | None,
    by: str | None = None,
    person_id: int | None = None,
    source: str = "manual",
    result: InspectionResult | None = None,
) -> Patrol:
    """Return a validated patrol: a door or a checkpoint; an inspection needs a door and a result."""
    checkpoint = clean_free_text(checkpoint, max_length=100)
    if door_id is None and checkpoint is None:
        raise CommunityError("patrol_needs_place")
    if kind is PatrolKind.INSPECTION and (door_id is None or result is None):
        raise CommunityError("patrol_needs_place")
    return Patrol(
        at=at,
        kind=kind,
        door_id=door_id,
        checkpoint=checkpoint,
        person_id=person_id,
        by=by,
        source=source,
        result=result,
        note=clean_free_text(note, max_length=500, multiline=True),
    )


def patrol_decision(
    decision: Decision, patrol_points: frozenset[str], roles: dict[int, Role]
) -> Decision | None:
    """Turn a staff card at a patrol point into the refusal ``patrol`` (door stays shut).

    ``roles``: the role of each person (the access index's people). None when
    the presentation is an ordinary one.
    """
    if decision.door_id not in patrol_points or decision.reason not in _VALID_CARD:
        return None
    if decision.person_id is None or roles.get(decision.person_id) is not Role.STAFF:
        return None
    return Decision(
        granted=False,
        reason=Reason.PATROL,
        door_id=decision.door_id,
        kind=decision.kind,
        at=decision.at,
        credential_id=decision.credential_id,
        person_id=decision.person_id,
        person_name=decision.person_name,
        household_id=decision.household_id,
        unit=decision.unit,
        masked=decision.masked,
    )


def inspection_due(
    last: datetime | None, since: datetime, interval: timedelta
) -> datetime:
    """When a door is next due for inspection."""
    return (last or since) + interval


def overdue(due_at: datetime, now: datetime) -> bool:
    """Whether an inspection due at ``due_at`` is overdue at ``now``."""
    return now >= due_at + OVERDUE_AFTER


# ---- database (worker thread)
def add_patrol(db: Database, patrol: Patrol) -> int:
    """Write a patrol; its id."""
    with db.transaction() as tx:
        result = tx.conn.execute(
            insert(patrols).values(
                at=patrol.at,
                kind=patrol.kind.value,
                door_id=patrol.door_id,
                checkpoint=patrol.checkpoint,
                person_id=patrol.person_id,
                by=patrol.by,
                source=patrol.source,
                result=patrol.result.value if patrol.result else None,
                note=patrol.note,
            )
        )
    return int(result.inserted_primary_key[0])


def query_patrols(db: Database, query: PatrolQuery) -> list[Patrol]:
    """Patrols newest first, filtered."""
    sql = select(patrols).order_by(patrols.c.at.desc(), patrols.c.id.desc())
    if query.kind is not None:
        sql = sql.where(patrols.c.kind == query.kind.value)
    if query.door_id is not None:
        sql = sql.where(patrols.c.door_id == query.door_id)
    if query.start is not None:
        sql = sql.where(patrols.c.at >= query.start)
    if query.end is not None:
        sql = sql.where(patrols.c.at < query.end)
    with db.transaction() as tx:
        rows = tx.conn.execute(sql.limit(query.limit)).all()
    return [
        Patrol(
            id=r.id,
            at=r.at,
            kind=PatrolKind(r.kind),
            door_id=r.door_id,
            checkpoint=r.checkpoint,
            person_id=r.person_id,
            by=r.by,
            source=r.source or "manual",
            result=InspectionResult(r.result) if r.result else None,
            note=r.note,
        )
        for r in rows
    ]


def last_per_door(
    db: Database, kind: PatrolKind, door_ids: Iterable[str]
) -> dict[str, datetime]:
    """Read the latest patrol (or inspection) at each door that has one."""
    wanted = list(door_ids)
    if not wanted:
        return {}
    with db.transaction() as tx:
        rows = tx.conn.execute(
            select(patrols.c.door_id, func.max(patrols.c.at))
            .where(patrols.c.kind == kind.value, patrols.c.door_id.in_(wanted))
            .group_by(patrols.c.door_id)
        ).all()
    return {str(door_id): at for door_id, at in rows if at is not None}
