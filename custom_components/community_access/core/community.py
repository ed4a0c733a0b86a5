"""Operations on a community: the one place where storage and index meet.

Every write goes to the database first (in a worker thread, committed when
the awaited call returns) and then into the in-memory :class:`AccessIndex`
on the caller's event loop, so decisions always see committed state and the
index is only ever touched from one thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
import itertools
from typing import Any, TypeVar
from uuid import uuid4

from .changefeed import translating
from .compounds import own_snapshot, own_visits
from .decision import AccessIndex, Decision, Reason
from .detection import Detector, Finding
from .errors import CommunityError
from .gcpause import collector_paused
from .models import (
    Credential,
    CredentialKind,
    CredentialStatus,
    Direction,
    Door,
    Household,
    LedgerEntry,
    LedgerKind,
    Penalty,
    Person,
    PersonStatus,
    Role,
    Unit,
    Visit,
    VisitStatus,
    Zone,
    ZoneKind,
)
from .operations.modes import SiteModes
from .privacy import (
    Vault,
    card_number_issuable,
    mask_credential,
    mask_id_number,
    mask_phone,
    normalize_credential,
    valid_id_number,
)
from .recorder import RecordWriter
from .schedule import Schedule
from .storage import AdminAction, AuditQuery, AuditRecord, Database, Snapshot
from .text import clean_free_text, clean_name, printable

T = TypeVar("T")
#: Runs a blocking callable in a worker thread (``hass.async_add_executor_job``).
Executor = Callable[..., Awaitable[Any]]

#: Kinds whose value must be readable later (to program a lock's memory).
_RECOVERABLE = frozenset({CredentialKind.CARD, CredentialKind.PIN})
_ROLES_WITHOUT_HOUSEHOLD = frozenset({Role.STAFF})


@dataclass(slots=True)
class Settings:
    """Community-wide defaults (from the config entry options)."""

    card_quota: int = 4
    retention_days: int = 180
    card_deposit_cents: int = 2000
    reissue_fee_cents: int = 3000
    #: A permission review is due this many days after the last one (0: never).
    review_interval_days: int = 90
    #: Revoke credentials unused for longer than this many days (0: never).
    revoke_unused_days: int = 0


class Community:
    """A community's people, credentials and access record."""

    def __init__(
        self,
        db: Database,
        vault: Vault,
        tz: tzinfo,
        run: Executor,
        settings: Settings | None = None,
    ) -> None:
        """Wire the parts; call :meth:`async_load` before use."""
        self.db = db
        self.vault = vault
        self.index = AccessIndex(tz)
        self.settings = settings or Settings()
        # The database's "card held" check (several instances, PostgreSQL)
        # answers with the same translated refusal as the in-memory one.
        self.run = translating(run)
        self._listeners: list[Callable[[], None]] = []
        self._event_listeners: list[Callable[[str, dict[str, Any]], None]] = []
        self._record_listeners: list[Callable[[AuditRecord], None]] = []
        #: Card deposits held for the whole community, in fen (kept in step).
        self.deposits_held_cents = 0
        #: Active visits, their passes, and households' links (see visitors.py).
        self.visits: dict[int, Visit] = {}
        self.visit_by_credential: dict[int, int] = {}
        self.links: dict[int, tuple[list[str], list[str]]] = {}
        #: Penalties not lifted (see rules.py); read at load.
        self.penalties: dict[int, Penalty] = {}
        #: Misuse detection around decisions (see detection.py), if attached.
        self.detector: Detector | None = None
        #: Emergency release and lockdown (see operations/modes.py), if attached.
        self.modes: SiteModes | None = None
        self.open_violation_count = 0
        #: Further checks of a grant, each may refuse it (renovation periods,
        #: accompanied viewers: see core/operations and visitors.py).
        self.grant_checks: list[Callable[[Decision], Decision]] = []
        # Check-then-write operations are serialised so two concurrent calls
        # cannot both pass a uniqueness check before either has written.
        self.write_lock = asyncio.Lock()
        #: Planned maintenance and patrol points (operations/maintenance.py):
        #: turns a decision into the one a maintenance window or a patrol makes.
        self.maintenance_hook: Callable[[Decision], Decision] | None = None
        #: Every access record goes through this one writer (batched commits).
        self.writer = RecordWriter(db.add_audits, run)

    def add_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Be told after every change to people or credentials; returns a remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def notify_changed(self) -> None:
        """Tell the change listeners (sensors) that people or credentials changed."""
        for listener in list(self._listeners):
            listener()

    def add_event_listener(
        self, listener: Callable[[str, dict[str, Any]], None]
    ) -> Callable[[], None]:
        """Be told of card-desk events (name, data without secrets); returns a remover."""
        self._event_listeners.append(listener)
        return lambda: self._event_listeners.remove(listener)

    def add_record_listener(
        self, listener: Callable[[AuditRecord], None]
    ) -> Callable[[], None]:
        """Be told of every access record once written (with its id); returns a remover."""
        self._record_listeners.append(listener)
        return lambda: self._record_listeners.remove(listener)

    def emit(self, name: str, data: dict[str, Any]) -> None:
        """Announce an event to the listeners (the Home Assistant bus)."""
        for listener in list(self._event_listeners):
            listener(name, data)

    def apply_ledger(self, entries: Iterable[LedgerEntry]) -> None:
        """Keep the running deposit total in step with new ledger entries."""
        for entry in entries:
            self.deposits_held_cents += deposit_delta(entry)

    async def async_load(self) -> None:
        """Migrate the schema and build the index from the database."""
        await self.run(self.db.migrate)
        await self.async_reload()

    async def async_reload(self) -> None:
        """Build the index, visits, links and deposit total afresh from the database.

        At load, and when the change feed cannot catch up (changes pruned).
        Penalties are the rule book's (``core/rules.py``).
        """
        # Loaded and built in a worker thread (150,000 credentials stall the
        # loop for a quarter of a second), without the collector walking the
        # new objects meanwhile (see gcpause.py): the new index is not
        # shared until assigned.
        index = await self.run(_load_index, self.db, self.index.tz, self.index.doors)
        index.doors = self.index.doors  # as set meanwhile, if they were
        self.index = index
        visits: list[Visit] = own_visits(
            await self.run(self.db.active_visits), self.index.households
        )
        self.visits = {v.id: v for v in visits}
        self.visit_by_credential = {
            v.credential_id: v.id for v in visits if v.credential_id is not None
        }
        self.links = await self.run(self.db.links)
        totals: dict[str, int] = await self.run(self.db.ledger_totals)
        self.deposits_held_cents = (
            totals.get(LedgerKind.DEPOSIT, 0)
            - totals.get(LedgerKind.REFUND, 0)
            - totals.get(LedgerKind.DEPOSIT_KEPT, 0)
        )

    async def async_close(self) -> None:
        """Write what is queued, then release the database."""
        await self.writer.drain()
        await self.writer.async_stop()
        await self.run(self.db.close)

    def set_doors(self, doors: Iterable[Door]) -> None:
        """Replace the doors the index decides for."""
        self.index.set_doors(list(doors))

    # ---- households and people
    async def add_household(
        self, unit: str, card_quota: int | None = None
    ) -> Household:
        """Register a household by unit (``3-2-501``)."""
        async with self.write_lock:
            return await self._add_household(unit, card_quota)

    async def _add_household(self, unit: str, card_quota: int | None) -> Household:
        parsed = _parse_unit(unit)
        if card_quota is not None and card_quota < 0:
            raise CommunityError("invalid_card_quota")
        existing = self.index.household_by_unit(str(parsed))
        if existing is not None and existing.moved_out_at is None:
            raise CommunityError("household_exists", unit=str(parsed))
        household: Household
        if existing is not None:
            # A new household moves into a vacated unit: the unit's record is
            # reused, in an occupancy of its own (an empty ledger; the former
            # occupancy's stays as history) and with no links.
            household = await self.run(self._reoccupy, existing, card_quota)
            self.links.pop(household.id, None)
        else:
            household = await self.run(self.db.add_household, parsed, card_quota)
        self.index.put_household(household)
        self.notify_changed()
        return household

    def _reoccupy(self, vacated: Household, card_quota: int | None) -> Household:
        with self.db.transaction() as tx:
            # Moving out deleted them; a database from before that kept them.
            tx.delete_links(vacated.id)
            return tx.update_household(
                vacated.id,
                moved_out_at=None,
                card_quota=card_quota,
                occupancy=vacated.occupancy + 1,
                occupied_since=utcnow(),
            )

    def household(self, unit: str) -> Household:
        """Look a household up by unit or raise."""
        parsed = _parse_unit(unit)
        household = self.index.household_by_unit(str(parsed))
        if household is None:
            raise CommunityError("unknown_household", unit=str(parsed))
        return household

    def person(self, person_id: int) -> Person:
        """Look a person up or raise."""
        person = self.index.persons.get(person_id)
        if person is None:
            raise CommunityError("unknown_person", person_id=str(person_id))
        return person

    def person_values(
        self,
        *,
        name: str,
        role: Role,
        unit: str | None = None,
        id_number: str | None = None,
        phone: str | None = None,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
        extra_zones: Iterable[str] = (),
    ) -> dict[str, Any]:
        """Validate a person's fields; return database column values."""
        name = clean_name(name)
        household_id: int | None = None
        if unit:
            household = self.household(unit)
            if household.moved_out_at is not None:
                raise CommunityError("household_moved_out", unit=str(household.unit))
            household_id = household.id
        elif role not in _ROLES_WITHOUT_HOUSEHOLD:
            raise CommunityError("household_required", role=role.value)
        _check_window(valid_from, valid_until)
        return {
            "household_id": household_id,
            "name": name,
            "role": role,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "extra_zones": self._zones(extra_zones),
            **self.id_number_values(id_number),
            **self.phone_values(phone),
        }

    @staticmethod
    def _zones(extra_zones: Iterable[str]) -> list[str]:
        zones = []
        for zone in extra_zones:
            try:
                zones.append(Zone.parse(zone).id)
            except ValueError:
                raise CommunityError("invalid_zone", zone=str(zone)[:40]) from None
        return zones

    def id_number_values(self, id_number: str | None) -> dict[str, Any]:
        """Encrypted, hashed and masked ID number columns (all None if absent)."""
        if not id_number:
            return {
                "id_number_enc": None,
                "id_number_hash": None,
                "id_number_masked": None,
            }
        if not valid_id_number(id_number):
            raise CommunityError("invalid_id_number")
        return {
            "id_number_enc": self.vault.encrypt(id_number.strip().upper()),
            "id_number_hash": self.vault.id_number_digest(id_number),
            "id_number_masked": mask_id_number(id_number),
        }

    def phone_values(self, phone: str | None) -> dict[str, Any]:
        """Encrypted and masked phone columns (None if absent)."""
        if not phone:
            return {"phone_enc": None, "phone_masked": None}
        digits = "".join(c for c in phone if c.isdigit() or c == "+")
        if len(digits) < 5 or len(digits) > 20:
            raise CommunityError("invalid_phone")
        return {
            "phone_enc": self.vault.encrypt(digits),
            "phone_masked": mask_phone(digits),
        }

    async def add_person(self, **fields: Any) -> Person:
        """Register a person, in a household unless they are staff."""
        async with self.write_lock:
            values = self.person_values(**fields)
            person: Person = await self.run(lambda: self.db.add_person(**values))
            self.index.put_person(person)
        self.notify_changed()
        return person

    async def update_person(self, person_id: int, **changes: Any) -> Person:
        """Change a person's name, role, ID number, phone, validity or zones.

        Only the given fields change; ``None`` for ``id_number``, ``phone``,
        ``valid_from`` or ``valid_until`` clears them.
        """
        async with self.write_lock:
            current = self.person(person_id)
            if current.status is PersonStatus.MOVED_OUT:
                raise CommunityError("person_moved_out")
            values: dict[str, Any] = {}
            if "name" in changes:
                values["name"] = clean_name(str(changes["name"]))
            if "role" in changes:
                role = Role(changes["role"])
                if (
                    current.household_id is None
                    and role not in _ROLES_WITHOUT_HOUSEHOLD
                ):
                    raise CommunityError("household_required", role=role.value)
                values["role"] = role
            if "id_number" in changes:
                values |= self.id_number_values(changes["id_number"])
            if "phone" in changes:
                values |= self.phone_values(changes["phone"])
            for key in ("valid_from", "valid_until"):
                if key in changes:
                    values[key] = changes[key]
            _check_window(
                values.get("valid_from", current.valid_from),
                values.get("valid_until", current.valid_until),
            )
            if "extra_zones" in changes:
                values["extra_zones"] = self._zones(changes["extra_zones"])
            if not values:
                return current
            person: Person = await self.run(
                lambda: self.db.update_person(person_id, **values)
            )
            self.index.put_person(person)
        self.notify_changed()
        return person

    async def set_person_status(self, person_id: int, status: PersonStatus) -> Person:
        """Suspend or reinstate a person (moving out goes through the card desk)."""
        if status is PersonStatus.MOVED_OUT:
            raise CommunityError("use_move_out")
        async with self.write_lock:
            if self.person(person_id).status is PersonStatus.MOVED_OUT:
                raise CommunityError("person_moved_out")
            person: Person = await self.run(
                self.db.set_person_status, person_id, status
            )
            self.index.put_person(person)
        self.notify_changed()
        return person

    # ---- credentials
    async def add_credential(
        self,
        *,
        person_id: int,
        kind: CredentialKind,
        value: str,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
        schedule: Schedule | None = None,
    ) -> Credential:
        """Give a person a credential; the value is kept only hashed/encrypted."""
        async with self.write_lock:
            return await self._add_credential(
                person_id=person_id,
                kind=kind,
                value=value,
                valid_from=valid_from,
                valid_until=valid_until,
                schedule=schedule,
            )

    async def _add_credential(
        self,
        *,
        person_id: int,
        kind: CredentialKind,
        value: str,
        valid_from: datetime | None,
        valid_until: datetime | None,
        schedule: Schedule | None,
    ) -> Credential:
        if kind is CredentialKind.CARD:
            # Cards go through the card desk: ID check, quota and deposit.
            raise CommunityError("use_issue_card")
        person = self.person(person_id)
        values = self.credential_values(
            person,
            kind,
            value,
            valid_from=valid_from,
            valid_until=valid_until,
            schedule=schedule,
        )
        if kind is CredentialKind.FACE and not self._has_other_than_face(person.id):
            # Face recognition may not be the only way in (rules in force since 2025).
            raise CommunityError("face_needs_other_credential")
        credential: Credential = await self.run(
            lambda: self.db.add_credential(**values)
        )
        self.index.put_credential(credential)
        self.notify_changed()
        return credential

    def credential_values(
        self,
        person: Person,
        kind: CredentialKind,
        value: str,
        *,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
        schedule: Schedule | None = None,
    ) -> dict[str, Any]:
        """Validate a new credential of a person; return database column values."""
        if person.status is PersonStatus.MOVED_OUT:
            raise CommunityError("person_moved_out")
        if kind is CredentialKind.CARD and not card_number_issuable(value):
            raise CommunityError("invalid_card_number")
        normalized = normalize_credential(kind, value)
        if not normalized or len(normalized) > 64 or not printable(normalized):
            raise CommunityError("invalid_credential_value", kind=kind.value)
        if kind is CredentialKind.PIN:
            if not (normalized.isdigit() and 4 <= len(normalized) <= 8):
                raise CommunityError("invalid_pin")
            if trivial_pin(normalized):
                raise CommunityError("trivial_pin")
        _check_window(valid_from, valid_until)
        digest = self.vault.credential_digest(kind, value)
        existing = self.index.credential_by_digest(digest)
        if existing is not None:
            if existing.status is CredentialStatus.ACTIVE:
                raise CommunityError("credential_in_use", kind=kind.value)
            if existing.status is CredentialStatus.LOST:
                raise CommunityError("credential_reported_lost", kind=kind.value)
        return {
            "person_id": person.id,
            "kind": kind,
            "digest": digest,
            "value_enc": self.vault.encrypt(normalized)
            if kind in _RECOVERABLE
            else None,
            "masked": mask_credential(kind, value),
            "valid_from": valid_from,
            "valid_until": valid_until,
            "schedule": schedule,
        }

    def face_would_be_alone(self, person_id: int, *, without: int) -> bool:
        """Whether removing a credential would leave a face as the only way in."""
        has_face = any(
            c.kind is CredentialKind.FACE
            and c.status is CredentialStatus.ACTIVE
            and c.id != without
            for c in self.index.credentials_of(person_id)
        )
        return has_face and not self._has_other_than_face(person_id, without=without)

    def _has_other_than_face(
        self, person_id: int, *, without: int | None = None
    ) -> bool:
        return any(
            c.status is CredentialStatus.ACTIVE
            and c.kind is not CredentialKind.FACE
            and c.id != without
            for c in self.index.credentials_of(person_id)
        )

    async def revoke_credential(self, credential_id: int) -> Credential:
        """Cancel a PIN, fingerprint, face, tag or plate (cards are returned instead)."""
        async with self.write_lock:
            current = self.credential(credential_id)
            if current.kind is CredentialKind.CARD:
                raise CommunityError("use_return_card")
            if current.status is not CredentialStatus.ACTIVE:
                raise CommunityError("credential_not_active")
            if current.kind is not CredentialKind.FACE and self.face_would_be_alone(
                current.person_id, without=current.id
            ):
                raise CommunityError("face_needs_other_credential")
            credential: Credential = await self.run(
                self.db.set_credential_status, credential_id, CredentialStatus.CANCELLED
            )
            self.index.put_credential(credential)
        self.notify_changed()
        self.emit(
            "credential_revoked",
            {
                "credential_id": credential.id,
                "kind": credential.kind.value,
                **self.who(credential.person_id),
            },
        )
        return credential

    def who(self, person_id: int | None) -> dict[str, Any]:
        """Event fields naming a person: id, name and unit (no secrets)."""
        person = self.index.persons.get(person_id) if person_id is not None else None
        household = (
            self.index.households.get(person.household_id)
            if person is not None and person.household_id is not None
            else None
        )
        return {
            "person_id": person_id,
            "person_name": person.name if person else None,
            "unit": str(household.unit) if household else None,
        }

    def credential(self, credential_id: int) -> Credential:
        """Look a credential up or raise."""
        credential = self.index.credentials.get(credential_id)
        if credential is None:
            raise CommunityError("unknown_credential", credential_id=str(credential_id))
        return credential

    async def set_credential_status(
        self, credential_id: int, status: CredentialStatus
    ) -> Credential:
        """Change a credential's status (lost, returned, cancelled, ...)."""
        async with self.write_lock:
            credential = await self._set_credential_status(credential_id, status)
        assert credential is not None
        return credential

    async def retire_if_active(
        self, credential_id: int, status: CredentialStatus
    ) -> Credential | None:
        """Expire or cancel a credential only if it is still active (sweeps, reviews).

        Checked under the lock, so a concurrent loss report is never overwritten.
        """
        async with self.write_lock:
            return await self._set_credential_status(
                credential_id, status, frozenset({CredentialStatus.ACTIVE})
            )

    async def retire_all_if_active(
        self, credential_ids: Iterable[int], status: CredentialStatus
    ) -> list[Credential]:
        """Expire or cancel those of several credentials still active, in one transaction.

        The expiry sweep after a restart may find hundreds past their end:
        one commit for them all, checked under the lock as
        :meth:`retire_if_active` is (a card reported lost meanwhile stays lost).
        """
        async with self.write_lock:
            due = [
                cid
                for cid in credential_ids
                if (current := self.index.credentials.get(cid)) is not None
                and current.status is CredentialStatus.ACTIVE
            ]
            if not due:
                return []
            changed: list[Credential] = await self.run(
                self.db.set_credentials_status, due, status
            )
            for credential in changed:
                self.index.put_credential(credential)
            self.notify_changed()
        return changed

    async def _set_credential_status(
        self,
        credential_id: int,
        status: CredentialStatus,
        only_from: frozenset[CredentialStatus] | None = None,
    ) -> Credential | None:
        current = self.credential(credential_id)
        if only_from is not None and current.status not in only_from:
            return None
        if (
            current.status is CredentialStatus.LOST
            and status is not CredentialStatus.LOST
        ):
            # A card once lost is blocked for ever and never silently comes back.
            raise CommunityError("credential_reported_lost", kind=current.kind.value)
        credential: Credential = await self.run(
            self.db.set_credential_status, credential_id, status
        )
        self.index.put_credential(credential)
        self.notify_changed()
        return credential

    # ---- presenting a credential
    def decide(
        self, door_id: str, kind: CredentialKind, value: str, at: datetime
    ) -> Decision:
        """Decide without recording (no I/O)."""
        return self.index.decide(
            kind, self.vault.credential_key(kind, value), door_id, at
        )

    async def present(
        self,
        door_id: str,
        kind: CredentialKind,
        value: str,
        at: datetime,
        *,
        source: str | None = None,
        actor: str | None = None,
        on_decided: Callable[[Decision], None] | None = None,
    ) -> Decision:
        """Decide and write the access record; committed when this returns.

        ``on_decided`` is called with the final decision before the record is
        committed (the door need not wait for the disk); if the commit then
        fails, this raises, the door having been told already.

        With a detector attached, a locked keypad refuses PINs, a grant to
        enter may be turned into an ``anti_passback`` denial, and findings are
        emitted as ``violation_suspected`` / ``keypad_locked`` events.

        An escape-route exit refuses nobody (第九条: doors must not block
        escape): a presentation the rules refuse there opens the door as
        ``escape_route``, the refusal kept in ``waived`` and in the record's note.
        """
        detector = self.detector
        door = self.index.doors.get(door_id)
        egress = (
            door is not None and door.escape_route and door.direction is Direction.OUT
        )
        refusal = (
            detector.before(door_id, kind, at)
            if detector is not None and not egress
            else None
        )
        if refusal is not None:
            decision = Decision(False, refusal, door_id, kind, at)
        else:
            decision = self.decide(door_id, kind, value, at)
        # Maintenance windows and patrol points (O(1): a dict lookup per door).
        if self.maintenance_hook is not None:
            decision = self.maintenance_hook(decision)
        if decision.masked is None:
            decision = _with_mask(decision, mask_credential(kind, value))
        findings: list[Finding] = []
        if decision.granted and self._single_entry_used(decision):
            decision = replace(decision, granted=False, reason=Reason.PASS_USED)
        for grant_check in self.grant_checks:
            if decision.granted:
                decision = grant_check(decision)
        if egress and not decision.granted:
            decision = replace(
                decision,
                granted=True,
                reason=Reason.ESCAPE_ROUTE,
                waived=decision.reason,
            )
        if self.modes is not None:
            # Lockdown refusals before misuse detection (nobody counted as
            # entered); a released door is not watched for misuse.
            decision = self.modes.apply(decision, self.index.persons)
        if (
            detector is not None
            and refusal is None
            and decision.reason is not Reason.EMERGENCY_RELEASE
        ):
            decision, findings = detector.after(decision, door)
        if on_decided is not None:
            on_decided(decision)
        record_id = await self.record(
            decision,
            source=source,
            actor=actor,
            note=decision.waived.value if decision.waived is not None else None,
        )
        for finding in findings:
            data = finding.as_dict() | {
                "record_id": record_id,
                **self.who(finding.person_id),
            }
            self.emit(
                "keypad_locked"
                if finding.type == "keypad_locked"
                else "violation_suspected",
                data,
            )
        return decision

    def _single_entry_used(self, decision: Decision) -> bool:
        """Tell whether a used single-entry visitor pass is presented at a gate to come in."""
        if decision.credential_id is None:
            return False
        visit_id = self.visit_by_credential.get(decision.credential_id)
        visit = self.visits.get(visit_id) if visit_id is not None else None
        door = self.index.doors.get(decision.door_id)
        return (
            visit is not None
            and not visit.multiple_entries
            and visit.status is VisitStatus.ON_SITE
            and door is not None
            and door.zone.kind is ZoneKind.GATE
            and door.direction is not Direction.OUT
        )

    async def guard_verified_entry(
        self,
        door_id: str,
        *,
        unit: str,
        person_id: int,
        at: datetime,
        note: str | None = None,
        actor: str | None = None,
    ) -> Decision:
        """Record a resident without a card let in by a guard after a check (seed 4.2).

        The person must live in the unit and not have moved out; a suspended
        resident may still be let in (nobody is locked out of their home).
        The door must be a gate or the household's own building.
        """
        household = self.household(unit)
        person = self.person(person_id)
        if person.household_id != household.id:
            raise CommunityError("person_not_in_household", unit=str(household.unit))
        if person.status is PersonStatus.MOVED_OUT:
            raise CommunityError("person_moved_out")
        door = self.index.doors.get(door_id)
        if door is None:
            raise CommunityError("unknown_door", door=door_id)
        if door.zone.kind is ZoneKind.PUBLIC or (
            door.zone.kind is ZoneKind.BUILDING
            and door.zone.key != household.unit.building
        ):
            raise CommunityError("guard_entry_wrong_door", unit=str(household.unit))
        decision = Decision(
            granted=True,
            reason=Reason.GUARD_VERIFIED,
            door_id=door_id,
            kind=None,
            at=at,
            person_id=person.id,
            person_name=person.name,
            household_id=household.id,
            unit=str(household.unit),
        )
        await self.record(
            decision,
            source="guard",
            actor=actor,
            note=clean_free_text(note, max_length=500, multiline=True),
        )
        return decision

    async def record(
        self,
        decision: Decision,
        *,
        source: str | None = None,
        actor: str | None = None,
        note: str | None = None,
    ) -> int | None:
        """Write one access record for a decision; its id once committed.

        None: the database is away and the record is kept in the writer's
        spool (on disk; it gets its id when it reaches the database).
        """
        door = self.index.doors.get(decision.door_id)
        record = AuditRecord(
            at=decision.at.replace(microsecond=0),
            granted=decision.granted,
            reason=decision.reason.value,
            door_id=decision.door_id,
            door_name=door.name if door else None,
            kind=decision.kind.value if decision.kind else None,
            masked=decision.masked,
            credential_id=decision.credential_id,
            person_id=decision.person_id,
            person_name=decision.person_name,
            household_id=decision.household_id,
            unit=decision.unit,
            source=source,
            actor=actor,
            note=note,
            uid=uuid4().hex,
        )
        record_id = await self.writer.submit(record)
        if self._record_listeners:
            written = replace(record, id=record_id)
            for listener in list(self._record_listeners):
                listener(written)
        return record_id

    async def query_access_log(self, query: AuditQuery) -> list[AuditRecord]:
        """Read the access record."""
        records: list[AuditRecord] = await self.run(self.db.query_audit, query)
        return records

    async def count_access_log(self, query: AuditQuery) -> int:
        """How many access records match the query's filters."""
        count: int = await self.run(self.db.count_audit_matching, query)
        return count

    async def record_admin_action(
        self,
        action: str,
        *,
        actor: str | None,
        details: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> int:
        """Write an administrator's action into the audit trail (no secrets)."""
        entry = AdminAction(
            at=(at or utcnow()).replace(microsecond=0),
            action=action,
            actor=actor,
            details=details,
        )
        action_id: int = await self.run(self.db.add_admin_action, entry)
        return action_id

    async def admin_actions(self, limit: int = 100) -> list[AdminAction]:
        """Return the latest administrators' actions, newest first."""
        actions: list[AdminAction] = await self.run(self.db.admin_actions, limit)
        return actions

    async def purge(self, now: datetime) -> int:
        """Delete access records past the retention period."""
        before = now - timedelta(days=self.settings.retention_days)
        purged: int = await self.run(self.db.purge_audit, before)
        return purged

    # ---- figures
    def counts(self) -> dict[str, int]:
        """Summary figures (no personal data); O(1), kept by the index."""
        index = self.index
        return {
            "households": len(index.households),
            "persons": len(index.persons),
            "residents": index.resident_count,
            "credentials": len(index.credentials),
            "active_credentials": index.active_credential_count,
            "doors": len(index.doors),
        }


def _load_index(db: Database, tz: tzinfo, doors: dict[str, Door]) -> AccessIndex:
    """Load and build a new index (blocking: a worker thread)."""
    with collector_paused():
        # Several compounds on one database: this compound's part only.
        return _build_index(own_snapshot(db.load(), db.compound), tz, doors)


def _build_index(snapshot: Snapshot, tz: tzinfo, doors: dict[str, Door]) -> AccessIndex:
    """Build a new index of the loaded snapshot (blocking: a worker thread)."""
    index = AccessIndex(tz)
    index.doors = doors
    index.fill(snapshot.households, snapshot.persons, snapshot.credentials)
    return index


def trivial_pin(pin: str) -> bool:
    """Whether a PIN is easy to guess: one digit repeated, a run, a repeated pattern."""
    digits = [int(c) for c in pin]
    steps = {(b - a) % 10 for a, b in itertools.pairwise(digits)}
    if len(steps) == 1 and steps <= {0, 1, 9}:
        return True  # 1111, 1234, 9876, 7890
    for size in range(1, len(pin) // 2 + 1):
        if len(pin) % size == 0 and pin == pin[:size] * (len(pin) // size):
            return True  # 1212, 123123
    return False


def deposit_delta(entry: LedgerEntry) -> int:
    """How a ledger entry changes the deposits held (fen)."""
    if entry.kind is LedgerKind.DEPOSIT:
        return entry.amount_cents
    if entry.kind in (LedgerKind.REFUND, LedgerKind.DEPOSIT_KEPT):
        return -entry.amount_cents
    return 0


def _parse_unit(unit: str) -> Unit:
    try:
        return Unit.parse(unit)
    except ValueError:
        raise CommunityError("invalid_unit", unit=str(unit)[:40]) from None


def _check_window(start: datetime | None, end: datetime | None) -> None:
    for moment in (start, end):
        if moment is not None and moment.tzinfo is None:
            raise CommunityError("naive_datetime")
    if start is not None and end is not None and end <= start:
        raise CommunityError("invalid_validity")


def _with_mask(decision: Decision, masked: str) -> Decision:
    from dataclasses import replace  # noqa: PLC0415

    return replace(decision, masked=masked)


def utcnow() -> datetime:
    """Aware current UTC time."""
    return datetime.now(UTC)
