"""Renovations (装修): the office's record of who works on a unit, and when.

A renovation names the unit, the company, the period, the tools and
materials brought in and the contractors (people already registered with
``register_contractor`` for that unit). A contractor named on a renovation
passes only during it: before the period their pass is ``not_yet_valid``,
after it (or once it is cancelled) ``expired``, even if their own credential
is still valid. A contractor named on no renovation is not affected.

The check is a dictionary look-up on the decision path
(:meth:`RenovationBook.check`, one of :attr:`Community.grant_checks`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
import json
from typing import Any

from sqlalchemy import insert, select, update

from custom_components.community_access.core.community import Community, utcnow
from custom_components.community_access.core.decision import Decision, Reason
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.models import PersonStatus, Role
from custom_components.community_access.core.schema import renovations
from custom_components.community_access.core.text import clean_free_text, clean_name

MAX_PERIOD = timedelta(days=366)
MAX_MATERIALS = 50
MAX_CONTRACTORS = 50


@dataclass(frozen=True, slots=True)
class Renovation:
    """A registered renovation."""

    id: int
    household_id: int
    company: str
    start: datetime
    end: datetime
    materials: tuple[str, ...]
    contractor_ids: tuple[int, ...]
    created_at: datetime
    created_by: str | None = None
    cancelled_at: datetime | None = None

    def covers(self, at: datetime) -> bool:
        """Whether the renovation is on at ``at`` (not cancelled, in its period)."""
        return self.cancelled_at is None and self.start <= at < self.end


def refusal(registrations: Sequence[Renovation], at: datetime) -> Reason | None:
    """Why a contractor named on these renovations may not pass at ``at`` (None: may).

    Any renovation on at ``at`` admits; else one still to come makes it
    ``not_yet_valid``, and ended or cancelled ones ``expired``.
    """
    if not registrations:
        return None
    if any(r.covers(at) for r in registrations):
        return None
    if any(r.cancelled_at is None and at < r.start for r in registrations):
        return Reason.NOT_YET_VALID
    return Reason.EXPIRED


def _renovation(row: Mapping[Any, Any]) -> Renovation:
    return Renovation(
        id=row["id"],
        household_id=row["household_id"],
        company=row["company"],
        start=row["start"],
        end=row["end"],
        materials=tuple(json.loads(row["materials"] or "[]")),
        contractor_ids=tuple(json.loads(row["contractor_ids"] or "[]")),
        created_at=row["created_at"],
        created_by=row["created_by"],
        cancelled_at=row["cancelled_at"],
    )


class RenovationBook:
    """Renovations of one community, in memory by contractor (loaded at set-up)."""

    def __init__(self, community: Community) -> None:
        """Work on one community; call :meth:`async_load` before use."""
        self.community = community
        self.by_id: dict[int, Renovation] = {}
        #: person id → the renovations naming them.
        self.by_person: dict[int, list[Renovation]] = {}

    async def async_load(self) -> None:
        """Read every renovation from the database."""
        rows: list[Renovation] = await self.community.run(self._all)
        self.by_id = {}
        self.by_person = {}
        for renovation in rows:
            self._put(renovation)

    def _all(self) -> list[Renovation]:
        with self.community.db.transaction() as tx:
            stmt = select(renovations).order_by(renovations.c.id)
            return [_renovation(row) for row in tx.conn.execute(stmt).mappings()]

    def _put(self, renovation: Renovation) -> None:
        old = self.by_id.get(renovation.id)
        if old is not None:
            for person_id in old.contractor_ids:
                self.by_person[person_id] = [
                    r for r in self.by_person.get(person_id, []) if r.id != old.id
                ]
        self.by_id[renovation.id] = renovation
        for person_id in renovation.contractor_ids:
            self.by_person.setdefault(person_id, []).append(renovation)

    # ---- the decision path
    def check(self, decision: Decision) -> Decision:
        """Turn a contractor's grant into a refusal outside their renovation."""
        if not decision.granted or decision.person_id is None:
            return decision
        reason = refusal(self.by_person.get(decision.person_id, ()), decision.at)
        if reason is None:
            return decision
        return replace(decision, granted=False, reason=reason)

    def for_person(self, person_id: int, at: datetime) -> Renovation | None:
        """Return the renovation a contractor works on at ``at``, else their latest."""
        registrations = self.by_person.get(person_id, [])
        current = [r for r in registrations if r.covers(at)]
        if current:
            return current[0]
        return max(registrations, key=lambda r: r.end, default=None)

    # ---- the office
    async def register(
        self,
        *,
        unit: str,
        company: str,
        start: datetime,
        end: datetime,
        materials: Sequence[str] = (),
        contractor_ids: Sequence[int] = (),
        by: str | None = None,
        now: datetime | None = None,
    ) -> Renovation:
        """Register a renovation of a unit and its contractors."""
        community = self.community
        household = community.household(unit)
        if household.moved_out_at is not None:
            raise CommunityError("household_moved_out", unit=str(household.unit))
        if start.tzinfo is None or end.tzinfo is None:
            raise CommunityError("naive_datetime")
        if not start < end <= start + MAX_PERIOD:
            raise CommunityError("invalid_renovation_period")
        contractors = tuple(dict.fromkeys(contractor_ids))
        if len(contractors) > MAX_CONTRACTORS:
            raise CommunityError("invalid_renovation_contractor", person_id="")
        for person_id in contractors:
            person = community.index.persons.get(person_id)
            if (
                person is None
                or person.role is not Role.CONTRACTOR
                or person.household_id != household.id
                or person.status is PersonStatus.MOVED_OUT
            ):
                raise CommunityError(
                    "invalid_renovation_contractor", person_id=str(person_id)
                )
        items = [
            clean_free_text(str(m), max_length=100, key="invalid_tool")
            for m in materials
        ]
        kept = [m for m in items if m]
        if len(kept) > MAX_MATERIALS:
            raise CommunityError("invalid_tool")
        values: dict[str, Any] = {
            "household_id": household.id,
            "company": clean_name(company, key="invalid_company"),
            "start": start,
            "end": end,
            "materials": json.dumps(kept, ensure_ascii=False),
            "contractor_ids": json.dumps(list(contractors)),
            "created_at": (now or utcnow()).replace(microsecond=0),
            "created_by": by,
        }
        async with community.write_lock:
            renovation: Renovation = await community.run(self._insert, values)
            self._put(renovation)
        await community.record_admin_action(
            "renovation_registered",
            actor=by,
            details={
                "renovation_id": renovation.id,
                "unit": str(household.unit),
                "contractors": len(contractors),
            },
        )
        return renovation

    def _insert(self, values: dict[str, Any]) -> Renovation:
        with self.community.db.transaction() as tx:
            new_id = tx.conn.execute(
                insert(renovations).values(**values)
            ).inserted_primary_key[0]
            row = tx.conn.execute(
                select(renovations).where(renovations.c.id == new_id)
            ).mappings()
            return _renovation(row.one())

    async def cancel(
        self, renovation_id: int, *, by: str | None = None, now: datetime | None = None
    ) -> Renovation:
        """Cancel a renovation: its contractors are refused from now on."""
        community = self.community
        at = (now or utcnow()).replace(microsecond=0)
        async with community.write_lock:
            current = self.by_id.get(renovation_id)
            if current is None:
                raise CommunityError(
                    "unknown_renovation", renovation_id=str(renovation_id)
                )
            if current.cancelled_at is not None:
                return current
            await community.run(self._cancel, renovation_id, at)
            cancelled = replace(current, cancelled_at=at)
            self._put(cancelled)
        await community.record_admin_action(
            "renovation_cancelled",
            actor=by,
            details={"renovation_id": renovation_id},
        )
        return cancelled

    def _cancel(self, renovation_id: int, at: datetime) -> None:
        with self.community.db.transaction() as tx:
            tx.conn.execute(
                update(renovations)
                .where(renovations.c.id == renovation_id)
                .values(cancelled_at=at)
            )

    def listed(
        self, *, unit: str | None = None, at: datetime | None = None
    ) -> list[Renovation]:
        """Renovations (of a unit), newest first; with ``at``: those on then."""
        household_id = self.community.household(unit).id if unit else None
        return [
            r
            for r in sorted(self.by_id.values(), key=lambda r: r.id, reverse=True)
            if (household_id is None or r.household_id == household_id)
            and (at is None or r.covers(at))
        ]

    def unit_of(self, renovation: Renovation) -> str | None:
        """Return the renovated unit."""
        household = self.community.index.households.get(renovation.household_id)
        return str(household.unit) if household else None
