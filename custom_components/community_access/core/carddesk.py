"""The property office's card desk (seeds 121–124, 1.2, 4.4, 4.8, 4.9, 143).

Cards are issued against an ID number on record and within the household's
quota, with a deposit; reported lost (blocked at once, for ever); reissued
for a fee (the deposit moves to the new card); returned (deposit refunded if
undamaged, kept if damaged). Every money movement is a ledger entry written
in the same transaction as the card change it belongs to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from .community import Community, utcnow
from .errors import CommunityError
from .models import (
    TEMPORARY_ROLES,
    Credential,
    CredentialKind,
    CredentialStatus,
    Household,
    LedgerEntry,
    LedgerKind,
    Person,
    PersonStatus,
    Role,
    Visit,
)
from .privacy import mask_name
from .schedule import Schedule
from .storage import Tx
from .text import clean_name
from .visitors import ClosedVisit, VisitorDesk

#: Why a moving-out household's waiting visitors are refused.
HOST_MOVED_OUT = "host_moved_out"

#: Contractors' default working hours (seed 4.9): Monday to Saturday, 08–18.
CONTRACTOR_HOURS = Schedule.daily(
    "08:00-18:00", days=("mon", "tue", "wed", "thu", "fri", "sat")
)


@dataclass(frozen=True, slots=True)
class CardResult:
    """A card change and the ledger entries written with it."""

    credential: Credential
    ledger: tuple[LedgerEntry, ...] = ()
    replaced: Credential | None = None


@dataclass(frozen=True, slots=True)
class MoveOutResult:
    """What a move-out changed."""

    persons: tuple[Person, ...]
    cancelled: tuple[Credential, ...]
    ledger: tuple[LedgerEntry, ...]
    household: Household | None
    erase_after: datetime
    #: Visits of the household refused because it moved out.
    refused_visits: tuple[Visit, ...] = ()


@dataclass(frozen=True, slots=True)
class MoveOutPreview:
    """What a household's move-out would settle (see :meth:`CardDesk.move_out_preview`)."""

    household: Household
    persons: tuple[Person, ...]
    #: Cards whose deposit is refunded if they are handed back (kept if not).
    returnable: tuple[Credential, ...]
    #: Cards reported lost: their deposits are kept.
    kept: tuple[Credential, ...]


@dataclass(frozen=True, slots=True)
class Statement:
    """A household's ledger entries and totals (fen), of one occupancy of its unit."""

    household: Household
    entries: tuple[LedgerEntry, ...]
    deposits_paid: int
    refunded: int
    deposits_kept: int
    fees: int
    fines: int
    #: The occupancy this statement is of, and how many the unit has had.
    occupancy: int = 1
    occupancies: int = 1

    @property
    def deposits_held(self) -> int:
        """Deposits the property office still holds for the household."""
        return self.deposits_paid - self.refunded - self.deposits_kept

    @property
    def balance(self) -> int:
        """Net money paid by the household: deposits not refunded (held or kept), fees, fines."""
        return self.deposits_paid - self.refunded + self.fees + self.fines


class CardDesk:
    """Card-desk operations on a :class:`Community`."""

    def __init__(self, community: Community) -> None:
        """Work on one community."""
        self.community = community

    # ---- helpers
    def _household_of(self, person: Person) -> Household | None:
        if person.household_id is None:
            return None
        return self.community.index.households.get(person.household_id)

    def _check_quota(
        self, household: Household | None, *, replacing: Credential | None = None
    ) -> None:
        """Refuse a new card that would take the household's own cards over its quota.

        The household's own cards are those of its people; visitor passes
        (people with the role visitor) do not count. ``replacing``: the card
        a reissue replaces, which no longer counts if it was still active.
        """
        if household is None:
            return  # staff: no household quota
        index = self.community.index
        quota = household.card_quota
        if quota is None:
            quota = self.community.settings.card_quota
        active = {
            c.id
            for person in index.persons_of(household.id)
            if person.role is not Role.VISITOR
            for c in index.credentials_of(person.id)
            if c.kind is CredentialKind.CARD and c.status is CredentialStatus.ACTIVE
        }
        if replacing is not None:
            active.discard(replacing.id)
        if len(active) + 1 > quota:
            raise CommunityError(
                "card_quota_reached", unit=str(household.unit), quota=str(quota)
            )

    def _entry(
        self,
        *,
        kind: LedgerKind,
        amount: int,
        person: Person,
        credential_id: int | None,
        recorded_by: str | None,
        note: str | None = None,
    ) -> LedgerEntry:
        return LedgerEntry(
            at=utcnow(),
            kind=kind,
            amount_cents=amount,
            household_id=person.household_id,
            person_id=person.id,
            credential_id=credential_id,
            recorded_by=recorded_by,
            note=note,
        )

    def _card(self, credential_id: int) -> Credential:
        credential = self.community.credential(credential_id)
        if credential.kind is not CredentialKind.CARD:
            raise CommunityError("not_a_card", credential_id=str(credential_id))
        return credential

    def _commit(
        self, credentials: Iterable[Credential], entries: Sequence[LedgerEntry]
    ) -> None:
        for credential in credentials:
            self.community.index.put_credential(credential)
        self.community.apply_ledger(entries)

    @staticmethod
    def _money(value: int | None, default: int) -> int:
        amount = default if value is None else value
        if amount < 0:
            raise CommunityError("invalid_amount")
        return amount

    def _event(self, name: str, credential: Credential, **extra: Any) -> None:
        self.community.emit(
            name,
            {
                "credential_id": credential.id,
                **self.community.who(credential.person_id),
                **extra,
            },
        )

    # ---- issuing
    async def issue_card(
        self,
        *,
        person_id: int,
        card_number: str,
        deposit_cents: int | None = None,
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
        schedule: Schedule | None = None,
        recorded_by: str | None = None,
    ) -> CardResult:
        """Issue a card to a person with an ID number on record (seed 121)."""
        community = self.community
        async with community.write_lock:
            person = community.person(person_id)
            result = await self._issue(
                person,
                card_number,
                deposit_cents=self._money(
                    deposit_cents, community.settings.card_deposit_cents
                ),
                valid_from=valid_from,
                valid_until=valid_until,
                schedule=schedule,
                recorded_by=recorded_by,
            )
        community.notify_changed()
        self._event(
            "card_issued",
            result.credential,
            deposit=result.credential.deposit_cents / 100,
        )
        return result

    async def _issue(
        self,
        person: Person,
        card_number: str,
        *,
        deposit_cents: int,
        valid_from: datetime | None,
        valid_until: datetime | None,
        schedule: Schedule | None,
        recorded_by: str | None,
        replaces: Credential | None = None,
        fee_cents: int = 0,
    ) -> CardResult:
        community = self.community
        if person.status is PersonStatus.MOVED_OUT:
            raise CommunityError("person_moved_out")
        if not person.has_id_number:
            raise CommunityError("id_required", name=person.name)
        values = community.credential_values(
            person,
            CredentialKind.CARD,
            card_number,
            valid_from=valid_from,
            valid_until=valid_until,
            schedule=schedule,
        )
        self._check_quota(self._household_of(person), replacing=replaces)

        def _work() -> CardResult:
            with community.db.transaction() as tx:
                return self._issue_tx(
                    tx,
                    person=person,
                    values=values,
                    deposit_cents=deposit_cents,
                    recorded_by=recorded_by,
                    replaces=replaces,
                    fee_cents=fee_cents,
                )

        result: CardResult = await community.run(_work)
        changed = (
            [result.credential]
            if result.replaced is None
            else [result.replaced, result.credential]
        )
        self._commit(changed, result.ledger)
        return result

    def _issue_tx(
        self,
        tx: Tx,
        *,
        person: Person,
        values: dict[str, Any],
        deposit_cents: int,
        recorded_by: str | None,
        replaces: Credential | None,
        fee_cents: int,
    ) -> CardResult:
        entries: list[LedgerEntry] = []
        replaced = None
        if replaces is not None:
            # The old card stays blocked for ever; its deposit moves over.
            status = (
                CredentialStatus.LOST
                if replaces.status is CredentialStatus.LOST
                else CredentialStatus.CANCELLED
            )
            replaced = tx.update_credential(
                replaces.id,
                status=status,
                deposit_cents=0,
                damaged=replaces.status is not CredentialStatus.LOST,
            )
        credential = tx.insert_credential(
            **values,
            deposit_cents=deposit_cents,
            replaces_id=replaces.id if replaces else None,
        )
        if replaces is None and deposit_cents:
            entries.append(
                tx.insert_ledger(
                    self._entry(
                        kind=LedgerKind.DEPOSIT,
                        amount=deposit_cents,
                        person=person,
                        credential_id=credential.id,
                        recorded_by=recorded_by,
                    )
                )
            )
        if fee_cents:
            entries.append(
                tx.insert_ledger(
                    self._entry(
                        kind=LedgerKind.REISSUE_FEE,
                        amount=fee_cents,
                        person=person,
                        credential_id=credential.id,
                        recorded_by=recorded_by,
                    )
                )
            )
        return CardResult(credential, tuple(entries), replaced)

    async def report_lost(
        self, credential_id: int, *, recorded_by: str | None = None
    ) -> Credential:
        """Block a card at once: the next presentation is denied with ``lost``."""
        community = self.community
        async with community.write_lock:
            card = self._card(credential_id)
            if card.status is not CredentialStatus.ACTIVE:
                raise CommunityError("credential_not_active")
            credential: Credential = await community.run(
                community.db.set_credential_status, credential_id, CredentialStatus.LOST
            )
            community.index.put_credential(credential)
        community.notify_changed()
        self._event("card_lost", credential)
        return credential

    async def reissue_card(
        self,
        credential_id: int,
        *,
        card_number: str,
        fee_cents: int | None = None,
        recorded_by: str | None = None,
    ) -> CardResult:
        """Issue a new card for a lost or damaged one (seed 123): fee charged, deposit moved."""
        community = self.community
        async with community.write_lock:
            old = self._card(credential_id)
            if old.status not in (CredentialStatus.LOST, CredentialStatus.ACTIVE):
                raise CommunityError("credential_not_reissuable")
            if any(
                c.replaces_id == old.id
                for c in community.index.credentials_of(old.person_id)
            ):
                # A lost card is replaced once; its replacement, if lost in
                # turn, is the one to reissue.
                raise CommunityError("card_already_replaced", credential_id=str(old.id))
            person = community.person(old.person_id)
            result = await self._issue(
                person,
                card_number,
                deposit_cents=old.deposit_cents,
                valid_from=old.valid_from,
                valid_until=old.valid_until,
                schedule=old.schedule,
                recorded_by=recorded_by,
                replaces=old,
                fee_cents=self._money(fee_cents, community.settings.reissue_fee_cents),
            )
        community.notify_changed()
        fee = sum(
            e.amount_cents for e in result.ledger if e.kind is LedgerKind.REISSUE_FEE
        )
        self._event("card_reissued", result.credential, replaces=old.id, fee=fee / 100)
        return result

    async def return_card(
        self,
        credential_id: int,
        *,
        damaged: bool = False,
        recorded_by: str | None = None,
    ) -> CardResult:
        """Cancel a returned card; refund its deposit unless it is damaged (seed 122)."""
        community = self.community
        async with community.write_lock:
            card = self._card(credential_id)
            # Active cards, and voided ones (expired, revoked) still holding a deposit.
            returnable = card.status is CredentialStatus.ACTIVE or (
                card.status in (CredentialStatus.EXPIRED, CredentialStatus.CANCELLED)
                and card.deposit_cents > 0
            )
            if not returnable:
                raise CommunityError("credential_not_active")
            person = community.person(card.person_id)
            if card.status is CredentialStatus.ACTIVE and community.face_would_be_alone(
                person.id, without=card.id
            ):
                # Face may not become the only way in: revoke the face first,
                # or give another credential.
                raise CommunityError("face_needs_other_credential")

            def _work() -> CardResult:
                with community.db.transaction() as tx:
                    return self._return_tx(
                        tx, card, person, damaged=damaged, recorded_by=recorded_by
                    )

            result: CardResult = await community.run(_work)
            self._commit([result.credential], result.ledger)
        community.notify_changed()
        refund = sum(
            e.amount_cents for e in result.ledger if e.kind is LedgerKind.REFUND
        )
        self._event(
            "card_returned", result.credential, damaged=damaged, refund=refund / 100
        )
        return result

    def _return_tx(
        self,
        tx: Tx,
        card: Credential,
        person: Person,
        *,
        damaged: bool,
        recorded_by: str | None,
        status: CredentialStatus = CredentialStatus.RETURNED,
        keep_deposit: bool = False,
    ) -> CardResult:
        """Void a card and settle its deposit: kept if damaged or not handed back."""
        entries = []
        if card.deposit_cents:
            kind = (
                LedgerKind.DEPOSIT_KEPT
                if damaged or keep_deposit
                else LedgerKind.REFUND
            )
            entries.append(
                tx.insert_ledger(
                    self._entry(
                        kind=kind,
                        amount=card.deposit_cents,
                        person=person,
                        credential_id=card.id,
                        recorded_by=recorded_by,
                    )
                )
            )
        credential = tx.update_credential(
            card.id, status=status, deposit_cents=0, damaged=damaged
        )
        return CardResult(credential, tuple(entries))

    # ---- temporary residents, staff and contractors
    async def issue_temporary_card(
        self,
        *,
        declared_by: int,
        name: str,
        role: Role,
        id_number: str,
        card_number: str,
        valid_until: datetime,
        valid_from: datetime | None = None,
        phone: str | None = None,
        deposit_cents: int | None = None,
        recorded_by: str | None = None,
    ) -> CardResult:
        """Issue a tenant's or helper's card declared by the owner, void at its end (seed 4.4)."""
        community = self.community
        owner = community.person(declared_by)
        if owner.role is not Role.OWNER or owner.status is not PersonStatus.ACTIVE:
            raise CommunityError("owner_required")
        if role not in TEMPORARY_ROLES:
            raise CommunityError("invalid_temporary_role", role=role.value)
        household = self._household_of(owner)
        if household is None:
            raise CommunityError("owner_required")
        return await self._person_with_card(
            person_fields={
                "name": name,
                "role": role,
                "unit": str(household.unit),
                "id_number": id_number,
                "phone": phone,
                "valid_from": valid_from,
                "valid_until": valid_until,
            },
            extra={"declared_by": owner.id},
            card_number=card_number,
            deposit_cents=deposit_cents,
            schedule=None,
            recorded_by=recorded_by,
            event="temporary_card_issued",
        )

    async def register_contractor(
        self,
        *,
        unit: str,
        name: str,
        id_number: str,
        valid_until: datetime,
        company: str | None = None,
        tools: Sequence[str] = (),
        phone: str | None = None,
        card_number: str | None = None,
        hours: Schedule | None = None,
        deposit_cents: int | None = None,
        recorded_by: str | None = None,
    ) -> tuple[Person, CardResult | None]:
        """Register a contractor with tools and materials (seeds 4.9, 143), and a pass."""
        details = {
            "company": clean_name(company, key="invalid_company")
            if company and company.strip()
            else None,
            "tools": [
                clean_name(t, key="invalid_tool") for t in tools if str(t).strip()
            ][:50],
        }
        fields = {
            "name": name,
            "role": Role.CONTRACTOR,
            "unit": unit,
            "id_number": id_number,
            "phone": phone,
            "valid_until": valid_until,
        }
        if not id_number:
            raise CommunityError("id_required", name=name)
        if card_number is None:
            person = await self._add_person(fields, {"details": details})
            self.community.emit("contractor_registered", self.community.who(person.id))
            return person, None
        result = await self._person_with_card(
            person_fields=fields,
            extra={"details": details},
            card_number=card_number,
            deposit_cents=deposit_cents,
            schedule=hours or CONTRACTOR_HOURS,
            recorded_by=recorded_by,
            event="contractor_registered",
        )
        return self.community.person(result.credential.person_id), result

    async def _add_person(
        self, fields: dict[str, Any], extra: dict[str, Any]
    ) -> Person:
        community = self.community
        values = community.person_values(**fields) | extra
        person: Person = await community.run(lambda: community.db.add_person(**values))
        community.index.put_person(person)
        community.notify_changed()
        return person

    async def _person_with_card(
        self,
        *,
        person_fields: dict[str, Any],
        extra: dict[str, Any],
        card_number: str,
        deposit_cents: int | None,
        schedule: Schedule | None,
        recorded_by: str | None,
        event: str,
    ) -> CardResult:
        """Register a person and issue their card in one transaction."""
        community = self.community
        if person_fields.get("valid_until") is None:
            raise CommunityError("valid_until_required")
        async with community.write_lock:
            values = community.person_values(**person_fields) | extra
            if values["id_number_hash"] is None:
                raise CommunityError("id_required", name=str(person_fields["name"]))
            household = (
                community.index.households.get(values["household_id"])
                if values["household_id"] is not None
                else None
            )
            self._check_quota(household)
            deposit = self._money(deposit_cents, community.settings.card_deposit_cents)
            probe = Person(
                id=0, household_id=values["household_id"], name="", role=values["role"]
            )
            card_values = community.credential_values(
                probe,
                CredentialKind.CARD,
                card_number,
                valid_from=values["valid_from"],
                valid_until=values["valid_until"],
                schedule=schedule,
            )

            def _work() -> tuple[Person, CardResult]:
                with community.db.transaction() as tx:
                    person = tx.insert_person(**values)
                    result = self._issue_tx(
                        tx,
                        person=person,
                        values=card_values | {"person_id": person.id},
                        deposit_cents=deposit,
                        recorded_by=recorded_by,
                        replaces=None,
                        fee_cents=0,
                    )
                    return person, result

            person, result = cast(
                "tuple[Person, CardResult]", await community.run(_work)
            )
            community.index.put_person(person)
            self._commit([result.credential], result.ledger)
        community.notify_changed()
        self._event(
            event,
            result.credential,
            valid_until=person.valid_until.isoformat() if person.valid_until else None,
        )
        return result

    # ---- moving out
    def _leaving(self, person_id: int) -> list[Credential]:
        """Return a moving-out person's credentials that the move-out settles or cancels."""
        return [
            c
            for c in self.community.index.credentials_of(person_id)
            if c.status in (CredentialStatus.ACTIVE, CredentialStatus.LOST)
            or c.deposit_cents > 0
        ]

    def move_out_preview(self, unit: str) -> MoveOutPreview:
        """Return what moving a household out would settle, before anything is written.

        Cards that may be handed back (refunded if they are), the deposits
        kept whatever happens (cards reported lost) and the people leaving.
        """
        community = self.community
        household = community.household(unit)
        if household.moved_out_at is not None:
            raise CommunityError("household_moved_out", unit=str(household.unit))
        people = [
            p
            for p in community.index.persons_of(household.id)
            if p.status is not PersonStatus.MOVED_OUT
        ]
        refundable: list[Credential] = []
        kept: list[Credential] = []
        for person in people:
            for cred in self._leaving(person.id):
                if cred.kind is not CredentialKind.CARD:
                    continue
                if cred.status is CredentialStatus.LOST:
                    if cred.deposit_cents:
                        kept.append(cred)
                else:
                    refundable.append(cred)
        return MoveOutPreview(household, tuple(people), tuple(refundable), tuple(kept))

    async def move_out(
        self,
        *,
        unit: str | None = None,
        person_id: int | None = None,
        returned_card_ids: Iterable[int] = (),
        recorded_by: str | None = None,
    ) -> MoveOutResult:
        """Move out a household or a person: every credential cancelled at once.

        Cards handed back (``returned_card_ids``) are refunded; the deposits of
        the others are kept. Personal data is erased after the retention period.
        A whole household also leaves no links to users and phones behind, and
        its pending and expected visitors are refused (``host_moved_out``): no
        approval reaches former occupants, nor the unit's next household.
        """
        community = self.community
        returned = set(returned_card_ids)
        async with community.write_lock:
            household: Household | None = None
            if unit is not None:
                household = community.household(unit)
                if household.moved_out_at is not None:
                    raise CommunityError(
                        "household_moved_out", unit=str(household.unit)
                    )
                people = [
                    p
                    for p in community.index.persons_of(household.id)
                    if p.status is not PersonStatus.MOVED_OUT
                ]
            elif person_id is not None:
                person = community.person(person_id)
                if person.status is PersonStatus.MOVED_OUT:
                    raise CommunityError("person_moved_out")
                people = [person]
            else:
                raise CommunityError("unit_or_person_required")
            credentials = {p.id: self._leaving(p.id) for p in people}
            ours = {c.id for creds in credentials.values() for c in creds}
            unknown = returned - ours
            if unknown:
                raise CommunityError(
                    "card_not_in_move_out", credential_id=str(min(unknown))
                )
            now = utcnow()
            erase_after = now + timedelta(days=community.settings.retention_days)
            visitors = VisitorDesk(community)

            def _work() -> tuple[MoveOutResult, list[ClosedVisit]]:
                moved: list[Person] = []
                cancelled: list[Credential] = []
                entries: list[LedgerEntry] = []
                refused: list[ClosedVisit] = []
                with community.db.transaction() as tx:
                    for person in people:
                        for cred in credentials[person.id]:
                            if cred.kind is CredentialKind.CARD and (
                                cred.status is not CredentialStatus.LOST
                            ):
                                result = self._return_tx(
                                    tx,
                                    cred,
                                    person,
                                    damaged=False,
                                    keep_deposit=cred.id not in returned,
                                    recorded_by=recorded_by,
                                    status=CredentialStatus.RETURNED
                                    if cred.id in returned
                                    else CredentialStatus.CANCELLED,
                                )
                                cancelled.append(result.credential)
                                entries.extend(result.ledger)
                            elif cred.status is CredentialStatus.LOST:
                                if cred.deposit_cents:
                                    entries.append(
                                        tx.insert_ledger(
                                            self._entry(
                                                kind=LedgerKind.DEPOSIT_KEPT,
                                                amount=cred.deposit_cents,
                                                person=person,
                                                credential_id=cred.id,
                                                recorded_by=recorded_by,
                                            )
                                        )
                                    )
                                    tx.update_credential(cred.id, deposit_cents=0)
                            else:
                                cancelled.append(
                                    tx.update_credential(
                                        cred.id, status=CredentialStatus.CANCELLED
                                    )
                                )
                        moved.append(
                            tx.update_person(
                                person.id,
                                status=PersonStatus.MOVED_OUT,
                                moved_out_at=now,
                                erase_after=erase_after,
                            )
                        )
                    updated_household = None
                    if household is not None:
                        updated_household = tx.update_household(
                            household.id, moved_out_at=now
                        )
                        tx.delete_links(household.id)
                        refused = visitors.close_waiting_tx(
                            tx,
                            household.id,
                            reason=HOST_MOVED_OUT,
                            by=recorded_by,
                            now=now,
                        )
                    lost = [
                        tx.credential(c.id)
                        for creds in credentials.values()
                        for c in creds
                        if c.status is CredentialStatus.LOST
                    ]
                return MoveOutResult(
                    tuple(moved),
                    tuple(cancelled + lost),
                    tuple(entries),
                    updated_household,
                    erase_after,
                    tuple(item.visit for item in refused),
                ), refused

            result, refused = cast(
                "tuple[MoveOutResult, list[ClosedVisit]]", await community.run(_work)
            )
            for person in result.persons:
                community.index.put_person(person)
            if result.household is not None:
                community.index.put_household(result.household)
                community.links.pop(result.household.id, None)
            visitors.apply_closed(refused)
            self._commit(result.cancelled, result.ledger)
        community.notify_changed()
        visitors.announce_refused(refused, HOST_MOVED_OUT)
        community.emit(
            "moved_out",
            {
                "unit": str(household.unit)
                if household
                else community.who(people[0].id)["unit"],
                "person_ids": [p.id for p in result.persons],
                "credentials_cancelled": len(result.cancelled),
                "refunded": sum(
                    e.amount_cents for e in result.ledger if e.kind is LedgerKind.REFUND
                )
                / 100,
                "deposits_kept": sum(
                    e.amount_cents
                    for e in result.ledger
                    if e.kind is LedgerKind.DEPOSIT_KEPT
                )
                / 100,
            },
        )
        return result

    async def erase_due(self, now: datetime) -> int:
        """Erase the personal data of people moved out longer than the retention period."""
        community = self.community
        due = [
            p
            for p in community.index.persons.values()
            if p.erase_after is not None and p.erase_after <= now
        ]
        if not due:
            return 0
        async with community.write_lock:

            def _work() -> list[Person]:
                with community.db.transaction() as tx:
                    return [
                        tx.update_person(
                            p.id,
                            name=mask_name(p.name),
                            id_number_enc=None,
                            id_number_hash=None,
                            id_number_masked=None,
                            phone_enc=None,
                            phone_masked=None,
                            details=None,
                            erase_after=None,
                        )
                        for p in due
                    ]

            erased: list[Person] = await community.run(_work)
            for person in erased:
                community.index.put_person(person)
        community.notify_changed()
        return len(erased)

    # ---- ledger
    async def statement(self, unit: str, occupancy: int | None = None) -> Statement:
        """Return a household's ledger entries and totals.

        Of the unit's current occupancy, or of a former one (``occupancy``
        from 1, the unit's first household, to the current one).
        """
        community = self.community
        household = community.household(unit)
        if occupancy is None:
            occupancy = household.occupancy
        if not 1 <= occupancy <= household.occupancy:
            raise CommunityError(
                "invalid_occupancy",
                unit=str(household.unit),
                occupancy=str(occupancy),
                occupancies=str(household.occupancy),
            )
        entries: list[LedgerEntry] = await community.run(
            community.db.ledger_entries, household.id, occupancy
        )

        def total(kind: LedgerKind) -> int:
            return sum(e.amount_cents for e in entries if e.kind is kind)

        return Statement(
            household=household,
            entries=tuple(entries),
            deposits_paid=total(LedgerKind.DEPOSIT),
            refunded=total(LedgerKind.REFUND),
            deposits_kept=total(LedgerKind.DEPOSIT_KEPT),
            fees=total(LedgerKind.REISSUE_FEE),
            fines=total(LedgerKind.FINE) - total(LedgerKind.FINE_WAIVED),
            occupancy=occupancy,
            occupancies=household.occupancy,
        )
