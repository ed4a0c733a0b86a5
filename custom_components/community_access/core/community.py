"""Operations on a community: the one place where storage and index meet.

Every write goes to the database first (in a worker thread, committed when
the awaited call returns) and then into the in-memory :class:`AccessIndex`
on the caller's event loop, so decisions always see committed state and the
index is only ever touched from one thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, TypeVar

from .decision import AccessIndex, Decision
from .errors import CommunityError
from .models import (
    Credential,
    CredentialKind,
    CredentialStatus,
    Door,
    Household,
    Person,
    PersonStatus,
    Role,
    Unit,
    Zone,
)
from .privacy import (
    Vault,
    mask_credential,
    mask_id_number,
    mask_phone,
    normalize_credential,
    valid_id_number,
)
from .schedule import Schedule
from .storage import AuditQuery, AuditRecord, Database

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
        self._run = run
        self._listeners: list[Callable[[], None]] = []
        # Check-then-write operations are serialised so two concurrent calls
        # cannot both pass a uniqueness check before either has written.
        self._write_lock = asyncio.Lock()

    def add_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Be told after every change to people or credentials; returns a remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    async def async_load(self) -> None:
        """Migrate the schema and build the index from the database."""
        await self._run(self.db.migrate)
        snapshot = await self._run(self.db.load)
        index = AccessIndex(self.index.tz)
        index.doors = self.index.doors
        for household in snapshot.households:
            index.put_household(household)
        for person in snapshot.persons:
            index.put_person(person)
        for credential in sorted(snapshot.credentials, key=lambda c: c.id):
            index.put_credential(credential)
        self.index = index

    async def async_close(self) -> None:
        """Release the database."""
        await self._run(self.db.close)

    def set_doors(self, doors: Iterable[Door]) -> None:
        """Replace the doors the index decides for."""
        self.index.set_doors(list(doors))

    # ---- households and people
    async def add_household(
        self, unit: str, card_quota: int | None = None
    ) -> Household:
        """Register a household by unit (``3-2-501``)."""
        async with self._write_lock:
            return await self._add_household(unit, card_quota)

    async def _add_household(self, unit: str, card_quota: int | None) -> Household:
        parsed = _parse_unit(unit)
        if self.index.household_by_unit(str(parsed)) is not None:
            raise CommunityError("household_exists", unit=str(parsed))
        if card_quota is not None and card_quota < 0:
            raise CommunityError("invalid_card_quota")
        household: Household = await self._run(
            self.db.add_household, parsed, card_quota
        )
        self.index.put_household(household)
        self._changed()
        return household

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

    async def add_person(
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
    ) -> Person:
        """Register a person, in a household unless they are staff."""
        name = name.strip()
        if not name or len(name) > 100:
            raise CommunityError("invalid_name")
        household_id: int | None = None
        if unit:
            household_id = self.household(unit).id
        elif role not in _ROLES_WITHOUT_HOUSEHOLD:
            raise CommunityError("household_required", role=role.value)
        _check_window(valid_from, valid_until)
        zones = []
        for zone in extra_zones:
            try:
                zones.append(Zone.parse(zone).id)
            except ValueError:
                raise CommunityError("invalid_zone", zone=str(zone)) from None
        id_enc = id_hash = id_masked = None
        if id_number:
            if not valid_id_number(id_number):
                raise CommunityError("invalid_id_number")
            id_enc = self.vault.encrypt(id_number.strip().upper())
            id_hash = self.vault.id_number_digest(id_number)
            id_masked = mask_id_number(id_number)
        phone_enc = phone_masked = None
        if phone:
            digits = "".join(c for c in phone if c.isdigit() or c == "+")
            if len(digits) < 5 or len(digits) > 20:
                raise CommunityError("invalid_phone")
            phone_enc = self.vault.encrypt(digits)
            phone_masked = mask_phone(digits)
        person: Person = await self._run(
            lambda: self.db.add_person(
                household_id=household_id,
                name=name,
                role=role,
                id_number_enc=id_enc,
                id_number_hash=id_hash,
                id_number_masked=id_masked,
                phone_enc=phone_enc,
                phone_masked=phone_masked,
                valid_from=valid_from,
                valid_until=valid_until,
                extra_zones=zones,
            )
        )
        self.index.put_person(person)
        self._changed()
        return person

    async def set_person_status(self, person_id: int, status: PersonStatus) -> Person:
        """Suspend, reinstate or move out a person."""
        self.person(person_id)
        person: Person = await self._run(self.db.set_person_status, person_id, status)
        self.index.put_person(person)
        self._changed()
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
        async with self._write_lock:
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
        person = self.person(person_id)
        if person.status is PersonStatus.MOVED_OUT:
            raise CommunityError("person_moved_out")
        normalized = normalize_credential(kind, value)
        if not normalized or len(normalized) > 64:
            raise CommunityError("invalid_credential_value", kind=kind.value)
        if kind is CredentialKind.PIN and not (
            normalized.isdigit() and 4 <= len(normalized) <= 8
        ):
            raise CommunityError("invalid_pin")
        _check_window(valid_from, valid_until)
        digest = self.vault.credential_digest(kind, value)
        existing = self.index.credential_by_digest(digest)
        if existing is not None:
            if existing.status is CredentialStatus.ACTIVE:
                raise CommunityError("credential_in_use", kind=kind.value)
            if existing.status is CredentialStatus.LOST:
                raise CommunityError("credential_reported_lost", kind=kind.value)
        credential: Credential = await self._run(
            lambda: self.db.add_credential(
                person_id=person_id,
                kind=kind,
                digest=digest,
                value_enc=self.vault.encrypt(normalized)
                if kind in _RECOVERABLE
                else None,
                masked=mask_credential(kind, value),
                valid_from=valid_from,
                valid_until=valid_until,
                schedule=schedule,
            )
        )
        self.index.put_credential(credential)
        self._changed()
        return credential

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
        async with self._write_lock:
            return await self._set_credential_status(credential_id, status)

    async def _set_credential_status(
        self, credential_id: int, status: CredentialStatus
    ) -> Credential:
        current = self.credential(credential_id)
        if (
            current.status is CredentialStatus.LOST
            and status is CredentialStatus.ACTIVE
        ):
            # A card once lost never silently comes back.
            raise CommunityError("credential_reported_lost", kind=current.kind.value)
        credential: Credential = await self._run(
            self.db.set_credential_status, credential_id, status
        )
        self.index.put_credential(credential)
        self._changed()
        return credential

    # ---- presenting a credential
    def decide(
        self, door_id: str, kind: CredentialKind, value: str, at: datetime
    ) -> Decision:
        """Decide without recording (no I/O)."""
        return self.index.decide(
            kind, self.vault.credential_digest(kind, value), door_id, at
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
    ) -> Decision:
        """Decide and write the access record; committed when this returns."""
        decision = self.decide(door_id, kind, value, at)
        if decision.masked is None:
            decision = _with_mask(decision, mask_credential(kind, value))
        await self.record(decision, source=source, actor=actor)
        return decision

    async def record(
        self, decision: Decision, *, source: str | None = None, actor: str | None = None
    ) -> int:
        """Write one access record for a decision."""
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
        )
        return int(await self._run(self.db.add_audit, record))

    async def query_access_log(self, query: AuditQuery) -> list[AuditRecord]:
        """Read the access record."""
        records: list[AuditRecord] = await self._run(self.db.query_audit, query)
        return records

    async def purge(self, now: datetime) -> int:
        """Delete access records past the retention period."""
        before = now - timedelta(days=self.settings.retention_days)
        purged: int = await self._run(self.db.purge_audit, before)
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
