"""Visitors (seeds 131–134, 4.5–4.7, 8): registration, approval, passes, returns.

A visit registered at the gate is ``pending`` until the host approves or
denies it, or nobody answers in time (refused ``host_unreachable``, seed
134). A pre-registered visit is ``expected`` and admitted at check-in within
its arrival window without a new approval (seed 133). Approval issues a pass
(a visitor card handed over at the gate, a PIN or a QR payload) valid for the
approved time, for the gates and the host's building only (seed 132). A
visitor card not returned by the end of its pass is ``overdue`` and blocked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
import re
import secrets
from typing import Any, cast

from .community import Community, trivial_pin, utcnow
from .decision import Decision, Reason
from .errors import CommunityError
from .models import (
    ACTIVE_VISIT_STATUSES,
    Credential,
    CredentialKind,
    CredentialStatus,
    Direction,
    PassKind,
    Person,
    PersonStatus,
    Role,
    Visit,
    VisitStatus,
)
from .privacy import card_number_issuable, normalize_credential, valid_id_number
from .storage import AuditRecord, Tx, WatchEntry
from .text import clean_free_text, clean_name, same_name

#: How early before its window a pre-registered visitor may check in.
EARLY_CHECK_IN = timedelta(minutes=30)
MAX_VISIT = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class ClosedVisit:
    """A visit closed in a transaction, with its pass and visitor as changed."""

    visit: Visit
    credential: Credential | None = None
    person: Person | None = None


@dataclass(frozen=True, slots=True)
class PassResult:
    """An approved visit and, for a PIN or QR pass, the code to hand over."""

    visit: Visit
    code: str | None = None


@dataclass(slots=True)
class VisitorSettings:
    """Visitor defaults (from the entry options)."""

    approval_timeout: timedelta = timedelta(minutes=3)
    default_visit: timedelta = timedelta(hours=2)


class VisitorDesk:
    """Visitor operations on a :class:`Community` (active visits live on it)."""

    def __init__(
        self, community: Community, settings: VisitorSettings | None = None
    ) -> None:
        """Work on one community."""
        self.community = community
        self.settings = settings or VisitorSettings()

    # ---- helpers
    @property
    def visits(self) -> dict[int, Visit]:
        """Active visits by id (kept on the community)."""
        return self.community.visits

    def visit(self, visit_id: int) -> Visit:
        """Return an active visit, or raise."""
        visit = self.visits.get(visit_id)
        if visit is None:
            raise CommunityError("unknown_visit", visit_id=str(visit_id))
        return visit

    def _store(self, visit: Visit) -> Visit:
        if visit.status in ACTIVE_VISIT_STATUSES:
            self.visits[visit.id] = visit
        else:
            self.visits.pop(visit.id, None)
        return visit

    def unit_of(self, visit: Visit) -> str:
        """Return the host unit of a visit."""
        household = self.community.index.households.get(visit.household_id)
        return str(household.unit) if household else ""

    def event_data(self, visit: Visit, **extra: Any) -> dict[str, Any]:
        """Event payload of a visit: name, host unit; never ID numbers.

        The name is masked (or not) where it leaves for Home Assistant's users.
        """
        return {
            "visit_id": visit.id,
            "visitor": visit.visitor_name,
            "unit": self.unit_of(visit),
            "status": visit.status.value,
            "purpose": visit.purpose,
            "pre_registered": visit.pre_registered,
            "valid_until": visit.valid_until.isoformat() if visit.valid_until else None,
            **extra,
        }

    def _emit(self, name: str, visit: Visit, **extra: Any) -> None:
        self.community.emit(name, self.event_data(visit, **extra))

    def _household(self, unit: str) -> int:
        household = self.community.household(unit)
        if household.moved_out_at is not None:
            raise CommunityError("household_moved_out", unit=str(household.unit))
        return household.id

    async def _check_barred(self, id_number: str | None) -> dict[str, Any]:
        community = self.community
        if not id_number:
            return {
                "id_number_enc": None,
                "id_number_hash": None,
                "id_number_masked": None,
            }
        values = community.id_number_values(id_number)
        if await community.run(community.db.barred, values["id_number_hash"]):
            raise CommunityError("visitor_barred")
        return values

    def _phone_values(self, phone: str | None) -> dict[str, Any]:
        values = self.community.phone_values(phone)
        digits = re.sub(r"\D", "", phone or "")
        values["phone_hash"] = (
            self.community.vault.digest("visit_phone", digits) if digits else None
        )
        return values

    def _card_values(self, card_number: str | None) -> dict[str, Any]:
        if not card_number:
            return {}
        community = self.community
        if not card_number_issuable(card_number):
            raise CommunityError("invalid_card_number")
        normalized = normalize_credential(CredentialKind.CARD, card_number)
        digest = community.vault.credential_digest(CredentialKind.CARD, card_number)
        existing = community.index.credential_by_digest(digest)
        if existing is not None and existing.status is CredentialStatus.ACTIVE:
            raise CommunityError("credential_in_use", kind="card")
        if existing is not None and existing.status is CredentialStatus.LOST:
            raise CommunityError("credential_reported_lost", kind="card")
        return {
            "pass_kind": PassKind.CARD,
            "card_digest": digest,
            "card_enc": community.vault.encrypt(normalized),
        }

    # ---- registration at the gate
    async def register(
        self,
        *,
        unit: str,
        name: str,
        id_number: str,
        phone: str,
        purpose: str | None = None,
        expected_minutes: int | None = None,
        card_number: str | None = None,
        pass_kind: PassKind | None = None,
        registered_by: str | None = None,
        now: datetime | None = None,
    ) -> Visit:
        """Register a visitor at the gate (seed 131) and ask the host."""
        community = self.community
        now = now or utcnow()
        name = clean_name(name)
        purpose = clean_free_text(purpose, max_length=200)
        if not id_number or not valid_id_number(id_number):
            raise CommunityError("invalid_id_number")
        if not phone:
            raise CommunityError("invalid_phone")
        if expected_minutes is not None and not 1 <= expected_minutes <= 24 * 60:
            raise CommunityError("invalid_duration")
        if pass_kind is PassKind.CARD and not card_number:
            raise CommunityError("visitor_card_number_required")
        async with community.write_lock:
            household_id = self._household(unit)
            values = {
                "household_id": household_id,
                "visitor_name": name,
                "purpose": purpose,
                "expected_minutes": expected_minutes,
                "status": VisitStatus.PENDING,
                "deadline_at": now + self.settings.approval_timeout,
                "decided_by": registered_by,
                "pass_kind": pass_kind or PassKind.PIN,
                **await self._check_barred(id_number),
                **self._phone_values(phone),
                **self._card_values(card_number),
            }
            visit: Visit = await community.run(lambda: self._insert(values))
            self._store(visit)
        community.notify_changed()
        self._emit("visitor_approval_requested", visit)
        return visit

    def _insert(self, values: dict[str, Any]) -> Visit:
        with self.community.db.transaction() as tx:
            return tx.insert_visit(**values)

    # ---- pre-registration (seed 133, 8)
    async def preregister(
        self,
        *,
        unit: str,
        name: str,
        phone: str,
        window_from: datetime,
        window_until: datetime,
        id_number: str | None = None,
        multiple_entries: bool = False,
        purpose: str | None = None,
        registered_by: str | None = None,
        escort_person_id: int | None = None,
    ) -> PassResult:
        """Announce a visitor; returns the check-in code (shown once).

        With ``escort_person_id`` the visitor is an accompanied viewer (4.6):
        their pass opens a door only after that staff member's (see
        :class:`EscortWatch`).
        """
        community = self.community
        if escort_person_id is not None:
            self._check_escort(escort_person_id)
        name = clean_name(name)
        purpose = clean_free_text(purpose, max_length=200)
        if not phone:
            raise CommunityError("invalid_phone")
        if window_until <= window_from or window_until - window_from > MAX_VISIT:
            raise CommunityError("invalid_visit_window")
        if id_number and not valid_id_number(id_number):
            raise CommunityError("invalid_id_number")
        code = f"{secrets.randbelow(10**8):08d}"
        async with community.write_lock:
            values = {
                "household_id": self._household(unit),
                "visitor_name": name,
                "purpose": purpose,
                "status": VisitStatus.EXPECTED,
                "pre_registered": True,
                "multiple_entries": multiple_entries,
                "window_from": window_from,
                "window_until": window_until,
                "code_digest": community.vault.digest("visit_code", code),
                "decided_by": registered_by,
                "escort_person_id": escort_person_id,
                **await self._check_barred(id_number),
                **self._phone_values(phone),
            }
            visit: Visit = await community.run(lambda: self._insert(values))
            self._store(visit)
        community.notify_changed()
        self._emit("visitor_preregistered", visit)
        return PassResult(visit, code)

    def _check_escort(self, person_id: int) -> None:
        person = self.community.index.persons.get(person_id)
        if (
            person is None
            or person.role is not Role.STAFF
            or person.status is not PersonStatus.ACTIVE
        ):
            raise CommunityError("escort_not_staff", person_id=str(person_id))

    async def check_in(
        self,
        *,
        code: str | None = None,
        name: str | None = None,
        phone: str | None = None,
        card_number: str | None = None,
        checked_by: str | None = None,
        now: datetime | None = None,
    ) -> PassResult:
        """Admit a pre-registered visitor after the gate's check, without a new approval."""
        community = self.community
        now = now or utcnow()
        if code:
            digest = community.vault.digest("visit_code", code.strip())
            matches = [
                v for v in self.visits.values() if v.status is VisitStatus.EXPECTED
            ]
            rows: list[Visit] = await community.run(
                community.db.visits_with, "code_digest", digest
            )
            ids = {v.id for v in rows}
            found = [v for v in matches if v.id in ids]
        elif name and phone:
            wanted = clean_name(name)
            digest = community.vault.digest("visit_phone", re.sub(r"\D", "", phone))
            rows = await community.run(community.db.visits_with, "phone_hash", digest)
            ids = {v.id for v in rows}
            found = [
                v
                for v in self.visits.values()
                if v.id in ids
                and v.status is VisitStatus.EXPECTED
                and same_name(v.visitor_name, wanted)
            ]
        else:
            raise CommunityError("code_or_name_and_phone_required")
        if not found:
            raise CommunityError("visit_not_found")
        visit = found[0]
        assert visit.window_from is not None and visit.window_until is not None
        if now < visit.window_from - EARLY_CHECK_IN:
            raise CommunityError("visit_too_early")
        if now >= visit.window_until:
            raise CommunityError("visit_window_passed")
        extra = self._card_values(card_number) if card_number else {}
        if extra:
            await community.run(lambda: self._update(visit.id, **extra))
        return await self._approve(
            visit.id,
            until=visit.window_until,
            by=checked_by,
            allowed={VisitStatus.EXPECTED},
            now=now,
            checked_in=True,
        )

    def _update(self, visit_id: int, **values: Any) -> Visit:
        with self.community.db.transaction() as tx:
            return tx.update_visit(visit_id, **values)

    # ---- the host's answer
    async def approve(
        self,
        visit_id: int,
        *,
        minutes: int | None = None,
        approved_by: str | None = None,
        now: datetime | None = None,
    ) -> PassResult:
        """Approve a pending visit: issue its pass for the approved time."""
        now = now or utcnow()
        visit = self.visit(visit_id)
        if minutes is not None and not 1 <= minutes <= 24 * 60:
            raise CommunityError("invalid_duration")
        duration = (
            timedelta(minutes=minutes)
            if minutes is not None
            else timedelta(minutes=visit.expected_minutes)
            if visit.expected_minutes
            else self.settings.default_visit
        )
        return await self._approve(
            visit_id,
            until=now + duration,
            by=approved_by,
            allowed={VisitStatus.PENDING},
            now=now,
        )

    async def _approve(
        self,
        visit_id: int,
        *,
        until: datetime,
        by: str | None,
        allowed: set[VisitStatus],
        now: datetime,
        checked_in: bool = False,
    ) -> PassResult:
        community = self.community
        async with community.write_lock:
            visit = self.visit(visit_id)
            if visit.status not in allowed:
                raise CommunityError("visit_not_pending", status=visit.status.value)
            row = await community.run(community.db.visit_row, visit_id)
            kind = PassKind(row["pass_kind"]) if row["pass_kind"] else PassKind.PIN
            if row["card_digest"]:
                kind = PassKind.CARD
            code = None
            if kind is PassKind.CARD:
                credential_kind = CredentialKind.CARD
                value = community.vault.decrypt(row["card_enc"])
            elif kind is PassKind.QR:
                credential_kind = CredentialKind.PHONE_TAG
                value = code = f"CAV{secrets.token_hex(12).upper()}"
            else:
                credential_kind = CredentialKind.PIN
                value = code = self._new_pin()
            probe = Person(
                id=0, household_id=visit.household_id, name="", role=Role.VISITOR
            )
            credential_values = community.credential_values(
                probe, credential_kind, value, valid_from=now, valid_until=until
            )
            person_values = {
                "household_id": visit.household_id,
                "name": visit.visitor_name,
                "role": Role.VISITOR,
                "valid_from": now,
                "valid_until": until,
                "extra_zones": [],
                "id_number_enc": row["id_number_enc"],
                "id_number_hash": row["id_number_hash"],
                "id_number_masked": row["id_number_masked"],
                "phone_enc": row["phone_enc"],
                "phone_masked": row["phone_masked"],
            }

            def _work() -> tuple[Person, Any, Visit]:
                with community.db.transaction() as tx:
                    person = tx.insert_person(**person_values)
                    credential = tx.insert_credential(
                        **credential_values | {"person_id": person.id}
                    )
                    updated = tx.update_visit(
                        visit_id,
                        status=VisitStatus.APPROVED,
                        pass_kind=kind,
                        person_id=person.id,
                        credential_id=credential.id,
                        valid_from=now,
                        valid_until=until,
                        decided_by=by,
                        checked_in_at=now if checked_in else None,
                    )
                    return person, credential, updated

            person, credential, updated = await community.run(_work)
            community.index.put_person(person)
            community.index.put_credential(credential)
            community.visit_by_credential[credential.id] = visit_id
            self._store(updated)
        community.notify_changed()
        self._emit("visitor_approved", updated, pass_kind=kind.value)
        return PassResult(updated, code)

    def _new_pin(self) -> str:
        community = self.community
        while True:
            pin = f"{secrets.randbelow(10**6):06d}"
            if trivial_pin(pin):
                continue
            digest = community.vault.credential_digest(CredentialKind.PIN, pin)
            existing = community.index.credential_by_digest(digest)
            if existing is None or existing.status not in (
                CredentialStatus.ACTIVE,
                CredentialStatus.LOST,
            ):
                return pin

    async def deny(self, visit_id: int, *, denied_by: str | None = None) -> Visit:
        """Refuse the visit (the host or a guard)."""
        return await self._close(
            visit_id,
            reason="denied",
            by=denied_by,
            allowed={VisitStatus.PENDING, VisitStatus.EXPECTED},
            event="visitor_denied",
        )

    async def _close(
        self,
        visit_id: int,
        *,
        reason: str,
        by: str | None,
        allowed: set[VisitStatus] | None = None,
        event: str,
        status: VisitStatus = VisitStatus.CLOSED,
        card_returned: bool | None = None,
        credential_status: CredentialStatus = CredentialStatus.CANCELLED,
    ) -> Visit:
        community = self.community
        async with community.write_lock:
            visit = self.visit(visit_id)
            if allowed is not None and visit.status not in allowed:
                raise CommunityError("visit_not_pending", status=visit.status.value)
            now = utcnow()

            def _work() -> ClosedVisit:
                with community.db.transaction() as tx:
                    return self._close_tx(
                        tx,
                        visit,
                        reason=reason,
                        by=by,
                        now=now,
                        status=status,
                        card_returned=card_returned,
                        credential_status=credential_status,
                    )

            closed = cast("ClosedVisit", await community.run(_work))
            self.apply_closed([closed])
        community.notify_changed()
        self._emit(event, closed.visit, reason=reason)
        return closed.visit

    def _close_tx(
        self,
        tx: Tx,
        visit: Visit,
        *,
        reason: str,
        by: str | None,
        now: datetime,
        status: VisitStatus = VisitStatus.CLOSED,
        card_returned: bool | None = None,
        credential_status: CredentialStatus = CredentialStatus.CANCELLED,
    ) -> ClosedVisit:
        """Close (or flag overdue) a visit inside a transaction; its pass ends."""
        community = self.community
        credential = person = None
        if visit.credential_id is not None:
            current = community.index.credentials.get(visit.credential_id)
            if current is not None and current.status is CredentialStatus.ACTIVE:
                credential = tx.update_credential(
                    visit.credential_id, status=credential_status
                )
        if visit.person_id is not None and status is VisitStatus.CLOSED:
            person = tx.update_person(
                visit.person_id, status=PersonStatus.MOVED_OUT, moved_out_at=now
            )
        values: dict[str, Any] = {
            "status": status,
            "decided_by": by or visit.decided_by,
        }
        if status is VisitStatus.CLOSED:
            values |= {"close_reason": reason, "closed_at": now}
        if card_returned is not None:
            values["card_returned"] = card_returned
        return ClosedVisit(tx.update_visit(visit.id, **values), credential, person)

    def apply_closed(self, closed: Iterable[ClosedVisit]) -> None:
        """Bring committed closes into the index and the active visits (under the lock)."""
        for item in closed:
            if item.credential is not None:
                self.community.index.put_credential(item.credential)
            if item.person is not None:
                self.community.index.put_person(item.person)
            self._store(item.visit)

    def close_waiting_tx(
        self, tx: Tx, household_id: int, *, reason: str, by: str | None, now: datetime
    ) -> list[ClosedVisit]:
        """Refuse a household's pending and expected visits inside a transaction.

        Used when the household moves out (under the write lock): nobody is
        left to approve them, and no approval may reach former occupants.
        """
        return [
            self._close_tx(tx, visit, reason=reason, by=by, now=now)
            for visit in sorted(self.visits.values(), key=lambda v: v.id)
            if visit.household_id == household_id
            and visit.status in (VisitStatus.PENDING, VisitStatus.EXPECTED)
        ]

    def announce_refused(self, closed: Iterable[ClosedVisit], reason: str) -> None:
        """Tell the gate of visits refused (``visitor_refused`` with the reason)."""
        for item in closed:
            self._emit("visitor_refused", item.visit, reason=reason)

    # ---- leaving
    async def check_out(
        self, visit_id: int, *, card_returned: bool, checked_by: str | None = None
    ) -> Visit:
        """Let the visitor leave; a visitor card must come back (seed 132)."""
        visit = self.visit(visit_id)
        if visit.status not in (
            VisitStatus.APPROVED,
            VisitStatus.ON_SITE,
            VisitStatus.OVERDUE,
        ):
            raise CommunityError("visit_not_on_site", status=visit.status.value)
        if visit.pass_kind is PassKind.CARD and not card_returned:
            return await self._close(
                visit_id,
                reason="card_not_returned",
                by=checked_by,
                event="visitor_overdue",
                status=VisitStatus.OVERDUE,
                card_returned=False,
            )
        return await self._close(
            visit_id,
            reason="checked_out",
            by=checked_by,
            event="visitor_checked_out",
            card_returned=card_returned if visit.pass_kind is PassKind.CARD else None,
            credential_status=CredentialStatus.RETURNED
            if visit.pass_kind is PassKind.CARD
            else CredentialStatus.CANCELLED,
        )

    async def note_access(self, decision: Decision) -> Visit | None:
        """Mark the visitor on site once their pass opened a door."""
        if not decision.granted or decision.credential_id is None:
            return None
        community = self.community
        async with community.write_lock:
            visit_id = community.visit_by_credential.get(decision.credential_id)
            visit = self.visits.get(visit_id) if visit_id is not None else None
            # Re-checked under the lock: a check-out in between must not reopen it.
            if visit is None or visit.status is not VisitStatus.APPROVED:
                return None
            vid = visit.id
            updated: Visit = await community.run(
                lambda: self._update(vid, status=VisitStatus.ON_SITE)
            )
            self._store(updated)
        community.notify_changed()
        self._emit("visitor_on_site", updated)
        return updated

    # ---- time passing
    async def sweep(self, now: datetime) -> list[Visit]:
        """Refuse unanswered visits, close missed ones, flag unreturned cards.

        Each close re-checks the visit's status under the lock: a visit the
        host approved, or the guard checked out, meanwhile is left alone.
        """
        changed = []
        for visit in list(self.visits.values()):
            action = self._due(visit, now)
            if action is None:
                continue
            try:
                changed.append(
                    await self._close(
                        visit.id, by=None, allowed={visit.status}, **action
                    )
                )
            except CommunityError:
                continue  # answered, checked out or closed meanwhile
        return changed

    @staticmethod
    def due_at(visit: Visit) -> datetime | None:
        """When :meth:`sweep` next has something to do with an active visit.

        The moment one of the conditions of :meth:`_due` becomes true: the
        approval deadline of a pending visit, the end of an expected visit's
        window, the end of an approved or on-site visit's pass.
        """
        if visit.status is VisitStatus.PENDING:
            return visit.deadline_at
        if visit.status is VisitStatus.EXPECTED:
            return visit.window_until
        if visit.status in (VisitStatus.APPROVED, VisitStatus.ON_SITE):
            return visit.valid_until
        return None

    @staticmethod
    def _due(visit: Visit, now: datetime) -> dict[str, Any] | None:
        if (
            visit.status is VisitStatus.PENDING
            and visit.deadline_at is not None
            and now >= visit.deadline_at
        ):
            return {"reason": "host_unreachable", "event": "visitor_refused"}
        if (
            visit.status is VisitStatus.EXPECTED
            and visit.window_until is not None
            and now >= visit.window_until
        ):
            return {"reason": "not_arrived", "event": "visitor_expired"}
        if (
            visit.status in (VisitStatus.APPROVED, VisitStatus.ON_SITE)
            and visit.valid_until is not None
            and now >= visit.valid_until
        ):
            if visit.pass_kind is PassKind.CARD:
                return {
                    "reason": "card_not_returned",
                    "event": "visitor_overdue",
                    "status": VisitStatus.OVERDUE,
                    "credential_status": CredentialStatus.CANCELLED,
                }
            return {
                "reason": "pass_ended",
                "event": "visitor_expired",
                "credential_status": CredentialStatus.EXPIRED,
            }
        return None

    # ---- the watch list
    async def bar(
        self,
        id_number: str,
        *,
        reason: str | None = None,
        by: str | None = None,
        name: str | None = None,
    ) -> WatchEntry | None:
        """Bar a person by ID number (kept only as a keyed hash and a mask).

        Returns the new row of the watch list, ``None`` if already barred.
        """
        community = self.community
        values = community.id_number_values(id_number)
        entry: WatchEntry | None = await community.run(
            community.db.bar,
            values["id_number_hash"],
            values["id_number_masked"],
            clean_free_text(reason, max_length=200),
            by,
            clean_name(name) if name is not None else None,
        )
        return entry

    async def watch_list(
        self, *, offset: int = 0, limit: int = 50
    ) -> tuple[int, list[WatchEntry]]:
        """Return the watch list, newest first (names and reasons, never ID numbers)."""
        community = self.community
        found: tuple[int, list[WatchEntry]] = await community.run(
            community.db.watch_list, offset, limit
        )
        return found

    async def unbar_entry(self, entry_id: int, *, by: str | None = None) -> WatchEntry:
        """Lift a bar by the row of the watch list (the office's list has no ID number).

        Who lifted it goes into the administrators' audit trail.
        """
        community = self.community
        entry: WatchEntry | None = await community.run(
            community.db.unbar_entry, entry_id
        )
        if entry is None:
            raise CommunityError("watchlist_entry_unknown", watch_id=str(entry_id))
        await community.record_admin_action(
            "watchlist_lifted",
            actor=by,
            details={"watch_id": entry.id, "name": entry.name},
        )
        return entry

    async def unbar(self, id_number: str) -> bool:
        """Lift a bar."""
        community = self.community
        values = community.id_number_values(id_number)
        lifted: bool = await community.run(community.db.unbar, values["id_number_hash"])
        return lifted

    # ---- links to Home Assistant users and phones
    async def link_household(
        self, unit: str, *, notify_services: list[str], user_ids: list[str]
    ) -> None:
        """Set who is asked to approve the household's visitors."""
        community = self.community
        household_id = self._household(unit)
        await community.run(
            community.db.set_links, household_id, list(notify_services), list(user_ids)
        )
        community.links[household_id] = (list(notify_services), list(user_ids))

    def links_of(self, household_id: int) -> tuple[list[str], list[str]]:
        """(notify services, user ids) of a household."""
        return self.community.links.get(household_id, ([], []))


#: An accompanied viewer's pass needs their staff member's entry this recently.
ESCORT_WINDOW = timedelta(minutes=10)
#: Past this many remembered entries, those too old to matter are dropped.
ESCORT_MEMORY = 1000


class EscortWatch:
    """Accompanied viewers (4.6): a viewer passes a door only after their escort.

    The escort is the staff member named on the visit; their granted entry
    at the *same door* must be at most :data:`ESCORT_WINDOW` old, or the
    viewer is refused ``not_accompanied``. Exits (doors letting people out)
    are not checked: nobody is kept in. The last grant of each staff member
    at each door is kept in memory (:meth:`note`, a record listener), and
    rebuilt from the access record at set-up (:meth:`restore`).
    """

    def __init__(self, community: Community) -> None:
        """Watch one community."""
        self.community = community
        #: (staff person id, door id) → their latest granted entry there.
        self.last_entry: dict[tuple[int, str], datetime] = {}

    def note(self, record: AuditRecord) -> None:
        """Keep a staff member's granted entry (a record listener)."""
        if not record.granted or record.person_id is None or record.door_id is None:
            return
        person = self.community.index.persons.get(record.person_id)
        if person is None or person.role is not Role.STAFF:
            return
        key = (record.person_id, record.door_id)
        at = record.at if record.at.tzinfo else record.at.replace(tzinfo=UTC)
        if key not in self.last_entry or self.last_entry[key] < at:
            self.last_entry[key] = at
        if len(self.last_entry) > ESCORT_MEMORY:
            self.forget_before(at - ESCORT_WINDOW)

    def restore(self, records: Iterable[AuditRecord]) -> None:
        """Rebuild from recent records (at set-up)."""
        for record in records:
            self.note(record)

    def escort_of(self, decision: Decision) -> int | None:
        """Return the escort a granted visitor's pass needs (None: not a viewer)."""
        if decision.credential_id is None:
            return None
        community = self.community
        visit_id = community.visit_by_credential.get(decision.credential_id)
        visit = community.visits.get(visit_id) if visit_id is not None else None
        return visit.escort_person_id if visit is not None else None

    def check(self, decision: Decision) -> Decision:
        """Refuse an accompanied viewer whose escort did not just enter here."""
        escort = self.escort_of(decision)
        if escort is None or not decision.granted:
            return decision
        door = self.community.index.doors.get(decision.door_id)
        if door is not None and door.direction is Direction.OUT:
            return decision
        last = self.last_entry.get((escort, decision.door_id))
        if last is not None and timedelta(0) <= decision.at - last <= ESCORT_WINDOW:
            return decision
        return replace(decision, granted=False, reason=Reason.NOT_ACCOMPANIED)

    def forget_before(self, moment: datetime) -> None:
        """Drop entries too old to admit anyone (keeps the map small)."""
        for key in [k for k, at in self.last_entry.items() if at < moment]:
            del self.last_entry[key]
