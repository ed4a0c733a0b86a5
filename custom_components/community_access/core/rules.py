"""Rules and penalties (第九条, 第十条, 第十九条 and the 违规处理 clauses).

A violation is recorded against a person (or the holder of a credential);
the penalty ladder decides what follows for the n-th violation within a
year: a warning with a deadline to correct, a restriction to the gates and
the own building, a suspension (denied ``suspended``, though a guard can
still let a resident in), a public notice with the name masked, a report.
Fines of 第十条 go into the household ledger. Penalties lift themselves at
their end: decisions consult the periods, no sweep is needed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import json
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import func, insert, select, update

from .community import Community, utcnow
from .errors import CommunityError
from .models import (
    DEFAULT_FINES_CENTS,
    DEFAULT_LADDER,
    Commendation,
    LedgerEntry,
    LedgerKind,
    Penalty,
    PenaltyKind,
    Violation,
    ViolationKind,
)
from .privacy import mask_name
from .schema import commendations, penalties, violations
from .text import clean_free_text

if TYPE_CHECKING:
    from .storage import Database

LADDER_WINDOW = timedelta(days=365)
NOTE_MAX = 500


@dataclass(slots=True)
class RuleSettings:
    """The configurable penalty ladder and its periods."""

    ladder: Sequence[PenaltyKind] = DEFAULT_LADDER
    warning_days: int = 7
    restriction_days: int = 30
    suspension_days: int = 7
    fines_cents: Mapping[ViolationKind, int] = field(
        default_factory=lambda: dict(DEFAULT_FINES_CENTS)
    )


@dataclass(frozen=True, slots=True)
class RecordResult:
    """A recorded violation and what followed."""

    violation: Violation
    penalties: tuple[Penalty, ...]


def read_open_penalties(db: Database) -> list[Penalty]:
    """Read the penalties not lifted (blocking)."""
    with db.transaction() as tx:
        rows = tx.conn.execute(
            select(penalties).where(penalties.c.lifted_at.is_(None))
        ).mappings()
        return [_penalty(r) for r in rows]


class RuleBook:
    """Violations, penalties and commendations on a :class:`Community`."""

    def __init__(
        self, community: Community, settings: RuleSettings | None = None
    ) -> None:
        """Work on one community."""
        self.community = community
        self.settings = settings or RuleSettings()

    # ---- loading and the decision index
    async def async_load(self) -> None:
        """Read the penalties still in force into the access index."""
        community = self.community
        community.penalties = {
            p.id: p for p in await community.run(read_open_penalties, community.db)
        }
        community.open_violation_count = await self.open_violations()
        self._reindex()

    def reindex(self) -> None:
        """Rebuild the index's penalties from ``community.penalties`` (change feed)."""
        self._reindex()

    def _reindex(self) -> None:
        """Rebuild the index's suspension and restriction periods."""
        index = self.community.index
        suspended: dict[int, datetime | None] = {}
        restricted: dict[int, datetime | None] = {}
        for penalty in self.community.penalties.values():
            if penalty.lifted_at is not None or penalty.person_id is None:
                continue
            target = (
                suspended
                if penalty.kind is PenaltyKind.SUSPENSION
                else restricted
                if penalty.kind is PenaltyKind.RESTRICTION
                else None
            )
            if target is None:
                continue
            current = target.get(penalty.person_id, penalty.end)
            if penalty.person_id in target and (current is None or penalty.end is None):
                target[penalty.person_id] = None
            else:
                ends = [e for e in (current, penalty.end) if e is not None]
                target[penalty.person_id] = max(ends) if ends else None
        index.suspended = suspended
        index.restricted = restricted

    def in_force(self, at: datetime) -> list[Penalty]:
        """Penalties applying at a moment."""
        return [p for p in self.community.penalties.values() if p.in_force(at)]

    # ---- violations
    async def record_violation(
        self,
        *,
        kind: ViolationKind,
        person_id: int | None = None,
        credential_id: int | None = None,
        note: str | None = None,
        evidence: Mapping[str, Any] | None = None,
        source: str = "manual",
        recorded_by: str | None = None,
        apply_ladder: bool = True,
        at: datetime | None = None,
    ) -> RecordResult:
        """Record a violation; the ladder and the fines decide what follows."""
        community = self.community
        at = at or utcnow()
        note = clean_free_text(note, max_length=NOTE_MAX, multiline=True)
        if credential_id is not None:
            credential = community.credential(credential_id)
            if person_id is None:
                person_id = credential.person_id
        if person_id is None:
            raise CommunityError("person_or_credential_required")
        person = community.person(person_id)
        async with community.write_lock:
            earlier = await community.run(self._count_recent, person.id, at)

            def _work() -> tuple[Violation, list[Penalty], list[LedgerEntry]]:
                made: list[Penalty] = []
                entries: list[LedgerEntry] = []
                with community.db.transaction() as tx:
                    vid = tx.conn.execute(
                        insert(violations).values(
                            at=at,
                            person_id=person.id,
                            credential_id=credential_id,
                            household_id=person.household_id,
                            kind=kind.value,
                            note=note,
                            evidence=json.dumps(dict(evidence), default=str)
                            if evidence
                            else None,
                            status="open",
                            source=source,
                            recorded_by=recorded_by,
                        )
                    ).inserted_primary_key[0]
                    violation = _violation(
                        tx.conn.execute(
                            select(violations).where(violations.c.id == vid)
                        )
                        .mappings()
                        .one()
                    )
                    fine = self.settings.fines_cents.get(kind, 0)
                    if fine:
                        made.append(
                            self._insert_penalty(
                                tx,
                                kind=PenaltyKind.FINE,
                                person_id=person.id,
                                household_id=person.household_id,
                                start=at,
                                amount_cents=fine,
                                violation_id=violation.id,
                                decided_by=recorded_by,
                                note=kind.value,
                            )
                        )
                        entries.append(
                            tx.insert_ledger(
                                LedgerEntry(
                                    at=at,
                                    kind=LedgerKind.FINE,
                                    amount_cents=fine,
                                    household_id=person.household_id,
                                    person_id=person.id,
                                    credential_id=credential_id,
                                    recorded_by=recorded_by,
                                    note=kind.value,
                                )
                            )
                        )
                    if apply_ladder and self.settings.ladder:
                        rung = self.settings.ladder[
                            min(earlier, len(self.settings.ladder) - 1)
                        ]
                        made.append(
                            self._insert_penalty(
                                tx,
                                **self._period(rung, at),
                                kind=rung,
                                person_id=person.id,
                                household_id=person.household_id,
                                violation_id=violation.id,
                                decided_by=recorded_by,
                                note=None,
                            )
                        )
                return violation, made, entries

            violation, made, entries = cast(
                "tuple[Violation, list[Penalty], list[LedgerEntry]]",
                await community.run(_work),
            )
            for penalty in made:
                community.penalties[penalty.id] = penalty
            community.apply_ledger(entries)
            community.open_violation_count += 1
            self._reindex()
        community.notify_changed()
        who = community.who(person.id)
        community.emit(
            "violation_recorded",
            {"violation_id": violation.id, "kind": kind.value, "source": source, **who},
        )
        for penalty in made:
            self._announce(penalty)
        return RecordResult(violation, tuple(made))

    def _count_recent(self, person_id: int, at: datetime) -> int:
        with self.community.db.transaction() as tx:
            rows = tx.conn.execute(
                select(violations.c.id).where(
                    violations.c.person_id == person_id,
                    violations.c.at > at - LADDER_WINDOW,
                    violations.c.at <= at,
                )
            ).all()
            return len(rows)

    def _period(self, kind: PenaltyKind, at: datetime) -> dict[str, Any]:
        settings = self.settings
        if kind is PenaltyKind.WARNING:
            return {"start": at, "deadline": at + timedelta(days=settings.warning_days)}
        if kind is PenaltyKind.RESTRICTION:
            return {"start": at, "end": at + timedelta(days=settings.restriction_days)}
        if kind is PenaltyKind.SUSPENSION:
            return {"start": at, "end": at + timedelta(days=settings.suspension_days)}
        return {"start": at}

    def _insert_penalty(self, tx: Any, **values: Any) -> Penalty:
        values["kind"] = str(values["kind"])
        pid = tx.conn.execute(insert(penalties).values(**values)).inserted_primary_key[
            0
        ]
        return _penalty(
            tx.conn.execute(select(penalties).where(penalties.c.id == pid))
            .mappings()
            .one()
        )

    def _announce(self, penalty: Penalty) -> None:
        community = self.community
        person = community.index.persons.get(penalty.person_id or -1)
        data = {
            "penalty_id": penalty.id,
            "kind": penalty.kind.value,
            "start": penalty.start.isoformat(),
            "end": penalty.end.isoformat() if penalty.end else None,
            "deadline": penalty.deadline.isoformat() if penalty.deadline else None,
            "amount": penalty.amount_cents / 100 if penalty.amount_cents else None,
            "violation_id": penalty.violation_id,
            **community.who(penalty.person_id),
        }
        community.emit("penalty_applied", data)
        if penalty.kind is PenaltyKind.PUBLIC_NOTICE and person is not None:
            community.emit(
                "public_notice",
                {
                    "penalty_id": penalty.id,
                    "person": mask_name(person.name),
                    "unit": community.who(person.id)["unit"],
                    "violation_id": penalty.violation_id,
                },
            )

    # ---- penalties decided directly
    async def apply_penalty(
        self,
        *,
        person_id: int,
        kind: PenaltyKind,
        days: int | None = None,
        amount_cents: int | None = None,
        violation_id: int | None = None,
        note: str | None = None,
        decided_by: str | None = None,
        at: datetime | None = None,
    ) -> Penalty:
        """Apply one penalty; ``days`` overrides the default period."""
        community = self.community
        at = at or utcnow()
        note = clean_free_text(note, max_length=NOTE_MAX, multiline=True)
        person = community.person(person_id)
        if kind is PenaltyKind.FINE and not amount_cents:
            raise CommunityError("fine_needs_amount")
        if days is not None and days <= 0:
            raise CommunityError("invalid_duration")
        period = self._period(kind, at)
        if days is not None:
            if kind is PenaltyKind.WARNING:
                period["deadline"] = at + timedelta(days=days)
            else:
                period["end"] = at + timedelta(days=days)
        async with community.write_lock:

            def _work() -> tuple[Penalty, list[LedgerEntry]]:
                entries = []
                with community.db.transaction() as tx:
                    penalty = self._insert_penalty(
                        tx,
                        **period,
                        kind=kind,
                        person_id=person.id,
                        household_id=person.household_id,
                        amount_cents=amount_cents if kind is PenaltyKind.FINE else None,
                        violation_id=violation_id,
                        decided_by=decided_by,
                        note=note,
                    )
                    if kind is PenaltyKind.FINE and amount_cents:
                        entries.append(
                            tx.insert_ledger(
                                LedgerEntry(
                                    at=at,
                                    kind=LedgerKind.FINE,
                                    amount_cents=amount_cents,
                                    household_id=person.household_id,
                                    person_id=person.id,
                                    recorded_by=decided_by,
                                    note=note,
                                )
                            )
                        )
                    return penalty, entries

            penalty, entries = cast(
                "tuple[Penalty, list[LedgerEntry]]", await community.run(_work)
            )
            community.penalties[penalty.id] = penalty
            community.apply_ledger(entries)
            self._reindex()
        community.notify_changed()
        self._announce(penalty)
        return penalty

    async def lift_penalty(
        self,
        penalty_id: int,
        *,
        lifted_by: str | None = None,
        at: datetime | None = None,
    ) -> Penalty:
        """End a penalty now."""
        community = self.community
        at = at or utcnow()
        async with community.write_lock:
            current = community.penalties.get(penalty_id)
            if current is None or current.lifted_at is not None:
                raise CommunityError("unknown_penalty", penalty_id=str(penalty_id))

            def _work() -> Penalty:
                with community.db.transaction() as tx:
                    tx.conn.execute(
                        update(penalties)
                        .where(penalties.c.id == penalty_id)
                        .values(lifted_at=at, lifted_by=lifted_by)
                    )
                    if current.kind is PenaltyKind.FINE and current.amount_cents:
                        # A lifted fine is waived: the ledger says so.
                        tx.insert_ledger(
                            LedgerEntry(
                                at=at,
                                kind=LedgerKind.FINE_WAIVED,
                                amount_cents=current.amount_cents,
                                household_id=current.household_id,
                                person_id=current.person_id,
                                recorded_by=lifted_by,
                                note=f"penalty {penalty_id}",
                            )
                        )
                    return _penalty(
                        tx.conn.execute(
                            select(penalties).where(penalties.c.id == penalty_id)
                        )
                        .mappings()
                        .one()
                    )

            penalty: Penalty = await community.run(_work)
            community.penalties.pop(penalty_id, None)
            self._reindex()
        community.notify_changed()
        community.emit(
            "penalty_lifted",
            {
                "penalty_id": penalty.id,
                "kind": penalty.kind.value,
                **community.who(penalty.person_id),
            },
        )
        return penalty

    # ---- listing and commendations
    async def list_violations(
        self,
        *,
        person_id: int | None = None,
        household_id: int | None = None,
        limit: int = 100,
        offset: int = 0,
        open_only: bool = False,
    ) -> list[tuple[Violation, list[Penalty]]]:
        """Violations (newest first) with the penalties that followed."""
        community = self.community
        cond = _violation_conditions(person_id, household_id, open_only)

        def _read() -> list[tuple[Violation, list[Penalty]]]:
            stmt = (
                select(violations)
                .where(*cond)
                .order_by(violations.c.at.desc(), violations.c.id.desc())
                .offset(offset)
                .limit(limit)
            )
            with community.db.transaction() as tx:
                found = [_violation(r) for r in tx.conn.execute(stmt).mappings()]
                if not found:
                    return []
                rows = tx.conn.execute(
                    select(penalties).where(
                        penalties.c.violation_id.in_([v.id for v in found])
                    )
                ).mappings()
                by_violation: dict[int, list[Penalty]] = {}
                for row in rows:
                    penalty = _penalty(row)
                    by_violation.setdefault(penalty.violation_id or 0, []).append(
                        penalty
                    )
                return [(v, by_violation.get(v.id, [])) for v in found]

        result: list[tuple[Violation, list[Penalty]]] = await community.run(_read)
        return result

    async def count_violations(
        self,
        *,
        person_id: int | None = None,
        household_id: int | None = None,
        open_only: bool = False,
    ) -> int:
        """How many violations :meth:`list_violations` would page through."""
        community = self.community
        cond = _violation_conditions(person_id, household_id, open_only)

        def _count() -> int:
            stmt = select(func.count()).select_from(violations).where(*cond)
            with community.db.transaction() as tx:
                return int(tx.conn.execute(stmt).scalar_one())

        count: int = await community.run(_count)
        return count

    async def list_penalties(
        self, *, active_only: bool = False, offset: int = 0, limit: int = 100
    ) -> tuple[int, list[Penalty]]:
        """Penalties (newest first; only those not lifted): the total and one page."""
        community = self.community
        cond = [penalties.c.lifted_at.is_(None)] if active_only else []

        def _read() -> tuple[int, list[Penalty]]:
            count = select(func.count()).select_from(penalties).where(*cond)
            stmt = (
                select(penalties)
                .where(*cond)
                .order_by(penalties.c.start.desc(), penalties.c.id.desc())
                .offset(offset)
                .limit(limit)
            )
            with community.db.transaction() as tx:
                total = int(tx.conn.execute(count).scalar_one())
                return total, [_penalty(r) for r in tx.conn.execute(stmt).mappings()]

        result: tuple[int, list[Penalty]] = await community.run(_read)
        return result

    async def list_notices(
        self,
        *,
        active_only: bool = True,
        offset: int = 0,
        limit: int = 50,
        at: datetime | None = None,
    ) -> tuple[int, list[tuple[Penalty, str | None]]]:
        """Public notices (公告批评), newest first, each with its violation's kind.

        ``active_only``: those in force at ``at`` (now): begun, not ended, not lifted.
        """
        community = self.community
        now = at or utcnow()
        cond = [penalties.c.kind == PenaltyKind.PUBLIC_NOTICE.value]
        if active_only:
            cond += [
                # As Penalty.in_force: not lifted by then, begun, not ended.
                penalties.c.lifted_at.is_(None) | (penalties.c.lifted_at > now),
                penalties.c.start <= now,
                (penalties.c.end.is_(None)) | (penalties.c.end > now),
            ]

        def _read() -> tuple[int, list[tuple[Penalty, str | None]]]:
            count = select(func.count()).select_from(penalties).where(*cond)
            stmt = (
                select(penalties, violations.c.kind.label("violation_kind"))
                .select_from(
                    penalties.outerjoin(
                        violations, violations.c.id == penalties.c.violation_id
                    )
                )
                .where(*cond)
                .order_by(penalties.c.start.desc(), penalties.c.id.desc())
                .offset(offset)
                .limit(limit)
            )
            with community.db.transaction() as tx:
                total = int(tx.conn.execute(count).scalar_one())
                return total, [
                    (_penalty(r), r["violation_kind"])
                    for r in tx.conn.execute(stmt).mappings()
                ]

        result: tuple[int, list[tuple[Penalty, str | None]]] = await community.run(
            _read
        )
        return result

    async def open_violations(self) -> int:
        """Return the number of open violations."""
        community = self.community

        def _count() -> int:
            with community.db.transaction() as tx:
                return len(
                    tx.conn.execute(
                        select(violations.c.id).where(violations.c.status == "open")
                    ).all()
                )

        count: int = await community.run(_count)
        return count

    async def record_commendation(
        self, *, person_id: int, note: str | None, recorded_by: str | None = None
    ) -> Commendation:
        """Record a commendation (第九条)."""
        community = self.community
        note = clean_free_text(note, max_length=NOTE_MAX, multiline=True)
        person = community.person(person_id)
        at = utcnow()

        def _work() -> int:
            with community.db.transaction() as tx:
                return int(
                    tx.conn.execute(
                        insert(commendations).values(
                            at=at,
                            person_id=person.id,
                            household_id=person.household_id,
                            note=note,
                            recorded_by=recorded_by,
                        )
                    ).inserted_primary_key[0]
                )

        cid: int = await community.run(_work)
        community.emit(
            "commendation_recorded",
            {"commendation_id": cid, **community.who(person.id)},
        )
        return Commendation(
            id=cid,
            at=at,
            person_id=person.id,
            household_id=person.household_id,
            note=note,
            recorded_by=recorded_by,
        )

    async def list_commendations(
        self, *, offset: int = 0, limit: int = 100
    ) -> tuple[int, list[Commendation]]:
        """Commendations, newest first: the total and one page."""
        community = self.community

        def _read() -> tuple[int, list[Commendation]]:
            count = select(func.count()).select_from(commendations)
            stmt = (
                select(commendations)
                .order_by(commendations.c.at.desc(), commendations.c.id.desc())
                .offset(offset)
                .limit(limit)
            )
            with community.db.transaction() as tx:
                total = int(tx.conn.execute(count).scalar_one())
                return total, [
                    Commendation(
                        id=r["id"],
                        at=r["at"],
                        person_id=r["person_id"],
                        household_id=r["household_id"],
                        note=r["note"],
                        recorded_by=r["recorded_by"],
                    )
                    for r in tx.conn.execute(stmt).mappings()
                ]

        result: tuple[int, list[Commendation]] = await community.run(_read)
        return result


def _violation_conditions(
    person_id: int | None, household_id: int | None, open_only: bool
) -> list[Any]:
    cond: list[Any] = []
    if person_id is not None:
        cond.append(violations.c.person_id == person_id)
    if household_id is not None:
        cond.append(violations.c.household_id == household_id)
    if open_only:
        cond.append(violations.c.status == "open")
    return cond


def _violation(m: Mapping[Any, Any]) -> Violation:
    return Violation(
        id=m["id"],
        at=m["at"],
        kind=ViolationKind(m["kind"]),
        person_id=m["person_id"],
        household_id=m["household_id"],
        credential_id=m["credential_id"],
        note=m["note"],
        evidence=json.loads(m["evidence"]) if m["evidence"] else None,
        status=m["status"],
        source=m["source"],
        recorded_by=m["recorded_by"],
    )


def _penalty(m: Mapping[Any, Any]) -> Penalty:
    return Penalty(
        id=m["id"],
        kind=PenaltyKind(m["kind"]),
        person_id=m["person_id"],
        household_id=m["household_id"],
        start=m["start"],
        end=m["end"],
        deadline=m["deadline"],
        amount_cents=m["amount_cents"],
        violation_id=m["violation_id"],
        note=m["note"],
        decided_by=m["decided_by"],
        lifted_at=m["lifted_at"],
        lifted_by=m["lifted_by"],
    )
