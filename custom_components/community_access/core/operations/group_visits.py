"""Official group visits (参观、指导): the guard records who came and how many.

A group is let in by a guard who counts it at the gate, not by each
visitor's pass: the record keeps the organisation, the number of people,
the host (a staff member or a name) and the door; the door's remote open is
recorded with the group visit's id in its note (see the HA layer).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from custom_components.community_access.core.community import Community, utcnow
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.models import PersonStatus, Role
from custom_components.community_access.core.schema import group_visits
from custom_components.community_access.core.text import clean_free_text, clean_name

MAX_PEOPLE = 1000
NOTE_MAX = 500
LIST_LIMIT = 200


@dataclass(frozen=True, slots=True)
class GroupVisit:
    """A recorded group visit."""

    id: int
    at: datetime
    organisation: str
    people: int
    host: str | None
    door_id: str | None
    note: str | None
    recorded_by: str | None


def open_note(visit_id: int) -> str:
    """Return the note of the door's remote open that admitted a group."""
    return f"group_visit:{visit_id}"


def _group_visit(row: Mapping[Any, Any]) -> GroupVisit:
    return GroupVisit(
        id=row["id"],
        at=row["at"],
        organisation=row["organisation"],
        people=row["people"],
        host=row["host"],
        door_id=row["door_id"],
        note=row["note"],
        recorded_by=row["recorded_by"],
    )


class GroupVisitBook:
    """Group visits of one community (rows in the database)."""

    def __init__(self, community: Community) -> None:
        """Work on one community."""
        self.community = community

    def host_text(
        self, *, host_person_id: int | None = None, host: str | None = None
    ) -> str | None:
        """Return the host as recorded: a staff member's name, or the text given."""
        if host_person_id is not None:
            person = self.community.person(host_person_id)
            if person.role is not Role.STAFF or person.status is PersonStatus.MOVED_OUT:
                raise CommunityError("host_not_staff", person_id=str(host_person_id))
            return person.name
        return clean_name(host, key="invalid_host") if host else None

    async def record(
        self,
        *,
        organisation: str,
        people: int,
        host: str | None = None,
        host_person_id: int | None = None,
        door_id: str | None = None,
        note: str | None = None,
        by: str | None = None,
        now: datetime | None = None,
    ) -> GroupVisit:
        """Record a group the guard counted in."""
        if not 1 <= people <= MAX_PEOPLE:
            raise CommunityError("invalid_group_size")
        if door_id is not None and door_id not in self.community.index.doors:
            raise CommunityError("unknown_door", door=door_id)
        values: dict[str, Any] = {
            "at": (now or utcnow()).replace(microsecond=0),
            "organisation": clean_name(organisation, key="invalid_organisation"),
            "people": people,
            "host": self.host_text(host_person_id=host_person_id, host=host),
            "door_id": door_id,
            "note": clean_free_text(note, max_length=NOTE_MAX, multiline=True),
            "recorded_by": by,
        }
        visit: GroupVisit = await self.community.run(self._insert, values)
        return visit

    def _insert(self, values: dict[str, Any]) -> GroupVisit:
        with self.community.db.transaction() as tx:
            new_id = tx.conn.execute(
                insert(group_visits).values(**values)
            ).inserted_primary_key[0]
        return GroupVisit(id=int(new_id), **values)

    async def listed(
        self,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int = LIST_LIMIT,
    ) -> list[GroupVisit]:
        """Group visits in [start, end), newest first."""
        found: list[GroupVisit] = await self.community.run(
            self._select, start, end, limit
        )
        return found

    def _select(
        self, start: datetime | None, end: datetime | None, limit: int
    ) -> list[GroupVisit]:
        table = group_visits
        conditions = []
        if start is not None:
            conditions.append(table.c.at >= start)
        if end is not None:
            conditions.append(table.c.at < end)
        stmt = (
            select(table)
            .where(*conditions)
            .order_by(table.c.at.desc(), table.c.id.desc())
            .limit(limit)
        )
        with self.community.db.transaction() as tx:
            return [_group_visit(row) for row in tx.conn.execute(stmt).mappings()]
