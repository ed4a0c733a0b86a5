"""The card desk: issue, lose, reissue, return, temporary cards, contractors, move-out.

Everything runs against a real SQLite file (under ``tmp_path``) with the
blocking database calls in worker threads, as in Home Assistant.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import itertools
from typing import Any

import pytest

from custom_components.community_access.core.carddesk import CONTRACTOR_HOURS, CardDesk
from custom_components.community_access.core.community import (
    Community,
    Settings,
    utcnow,
)
from custom_components.community_access.core.decision import Reason
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.models import (
    CredentialKind,
    CredentialStatus,
    LedgerEntry,
    LedgerKind,
    Person,
    PersonStatus,
    Role,
)
from custom_components.community_access.core.review import expire_due
from custom_components.community_access.core.schedule import Schedule
from custom_components.community_access.core.storage import Tx

from .common import TZ, make_id_number, open_community

pytestmark = pytest.mark.both_databases

#: Monday 2024-01-01 10:00 in Shanghai.
AT = datetime(2024, 1, 1, 10, 0, tzinfo=TZ)
SATURDAY = datetime(2024, 1, 6, 10, 0, tzinfo=TZ)
SUNDAY = datetime(2024, 1, 7, 10, 0, tzinfo=TZ)
CARD = CredentialKind.CARD
PIN = CredentialKind.PIN
FACE = CredentialKind.FACE

# Card numbers whose last four digits appear nowhere else (ids, units, times).
CARD_A = "4700517391"
CARD_B = "4700528462"
CARD_C = "4700539573"
CARD_D = "4700546684"
CARD_E = "4700557795"
PIN_CODE = "583716"
PHONE = "13912348765"

_serial = itertools.count(1)


@pytest.fixture
def desk(community: Community) -> CardDesk:
    return CardDesk(community)


@pytest.fixture
def events(community: Community) -> list[tuple[str, dict[str, Any]]]:
    seen: list[tuple[str, dict[str, Any]]] = []
    community.add_event_listener(lambda name, data: seen.append((name, data)))
    return seen


async def expect_error(key: str, coro: Any) -> CommunityError:
    with pytest.raises(CommunityError) as info:
        await coro
    assert info.value.key == key, str(info.value)
    return info.value


async def add(
    community: Community,
    name: str = "张三",
    *,
    role: Role = Role.OWNER,
    unit: str | None = "3-2-501",
    with_id: bool = True,
    **fields: Any,
) -> Person:
    """A person (the household is created on first use), with an ID number."""
    if unit is not None and community.index.household_by_unit(unit) is None:
        await community.add_household(unit)
    return await community.add_person(
        name=name,
        role=role,
        unit=unit,
        id_number=make_id_number(next(_serial)) if with_id else None,
        **fields,
    )


async def ledger(community: Community, household_id: int | None) -> list[LedgerEntry]:
    entries: list[LedgerEntry] = await community.run(
        community.db.ledger_entries, household_id
    )
    return entries


def kinds(entries: list[LedgerEntry]) -> list[tuple[LedgerKind, int]]:
    return [(e.kind, e.amount_cents) for e in entries]


def reason(
    community: Community, value: str, at: datetime = AT, door: str = "gate"
) -> Reason:
    """Why a card is let in or not (no record written)."""
    return community.decide(door, CARD, value, at).reason


# ---- issue_card


async def test_issue_card_records_deposit(
    community: Community, desk: CardDesk, events: list
) -> None:
    owner = await add(community)
    household = community.household("3-2-501")
    result = await desk.issue_card(
        person_id=owner.id, card_number=CARD_A, recorded_by="desk-1"
    )
    card = result.credential
    assert card.kind is CARD
    assert card.status is CredentialStatus.ACTIVE
    assert card.person_id == owner.id
    assert card.masked == "****7391"
    assert card.deposit_cents == Settings().card_deposit_cents == 2000
    assert card.replaces_id is None
    assert result.replaced is None
    assert community.credential(card.id) == card

    (entry,) = await ledger(community, household.id)
    assert entry.kind is LedgerKind.DEPOSIT
    assert entry.amount_cents == 2000
    assert entry.household_id == household.id
    assert entry.person_id == owner.id
    assert entry.credential_id == card.id
    assert entry.recorded_by == "desk-1"
    assert entry.at.tzinfo is not None
    assert result.ledger == (entry,)
    assert community.deposits_held_cents == 2000
    assert reason(community, CARD_A, door="b3") is Reason.GRANTED

    assert events == [
        (
            "card_issued",
            {
                "credential_id": card.id,
                "person_id": owner.id,
                "person_name": "张三",
                "unit": "3-2-501",
                "deposit": 20.0,
            },
        )
    ]

    # An explicit deposit, and none at all (no ledger entry then).
    big = await desk.issue_card(
        person_id=owner.id, card_number=CARD_B, deposit_cents=5000
    )
    assert big.credential.deposit_cents == 5000
    free = await desk.issue_card(
        person_id=owner.id, card_number=CARD_C, deposit_cents=0
    )
    assert free.ledger == ()
    assert free.credential.deposit_cents == 0
    assert kinds(await ledger(community, household.id)) == [
        (LedgerKind.DEPOSIT, 2000),
        (LedgerKind.DEPOSIT, 5000),
    ]
    assert community.deposits_held_cents == 7000
    await expect_error(
        "invalid_amount",
        desk.issue_card(person_id=owner.id, card_number=CARD_D, deposit_cents=-1),
    )
    assert community.deposits_held_cents == 7000


async def test_issue_card_is_one_transaction(
    community: Community, desk: CardDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A card whose deposit cannot be written is not issued either."""
    owner = await add(community)

    def broken(self: Tx, entry: LedgerEntry) -> LedgerEntry:
        raise RuntimeError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(Tx, "insert_ledger", broken)
        with pytest.raises(RuntimeError):
            await desk.issue_card(person_id=owner.id, card_number=CARD_A)
    snapshot = await community.run(community.db.load)
    assert snapshot.credentials == []
    assert community.index.credentials == {}
    assert await ledger(community, None) == []
    assert community.deposits_held_cents == 0
    assert reason(community, CARD_A) is Reason.UNKNOWN_CREDENTIAL

    result = await desk.issue_card(person_id=owner.id, card_number=CARD_A)
    assert result.credential.status is CredentialStatus.ACTIVE
    assert community.deposits_held_cents == 2000


async def test_issue_card_requires_id_number(
    community: Community, desk: CardDesk
) -> None:
    owner = await add(community, with_id=False)
    err = await expect_error(
        "id_required", desk.issue_card(person_id=owner.id, card_number=CARD_A)
    )
    assert err.placeholders == {"name": "张三"}
    assert community.index.credentials == {}
    assert await ledger(community, None) == []
    await expect_error(
        "unknown_person", desk.issue_card(person_id=999, card_number=CARD_A)
    )

    await community.update_person(owner.id, id_number=make_id_number(7))
    result = await desk.issue_card(person_id=owner.id, card_number=CARD_A)
    assert result.credential.status is CredentialStatus.ACTIVE


async def test_issue_card_default_quota(db_url: str) -> None:
    community = await open_community(db_url, card_quota=3)
    desk = CardDesk(community)
    try:
        owner = await add(community)
        family = await add(community, "李四", role=Role.FAMILY)
        neighbour = await add(community, "王五", unit="5-1-101")
        first = await desk.issue_card(person_id=owner.id, card_number=CARD_A)
        await desk.issue_card(person_id=owner.id, card_number=CARD_B)
        await desk.issue_card(person_id=family.id, card_number=CARD_C)
        err = await expect_error(
            "card_quota_reached",
            desk.issue_card(person_id=family.id, card_number=CARD_D),
        )
        assert err.placeholders == {"unit": "3-2-501", "quota": "3"}
        assert reason(community, CARD_D) is Reason.UNKNOWN_CREDENTIAL
        assert community.deposits_held_cents == 3 * 2000
        # Another household has its own quota.
        await desk.issue_card(person_id=neighbour.id, card_number=CARD_D)
        # A card handed back frees its place.
        await desk.return_card(first.credential.id)
        await desk.issue_card(person_id=family.id, card_number=CARD_E)
    finally:
        await community.async_close()


async def test_default_quota_is_four(community: Community, desk: CardDesk) -> None:
    owner = await add(community)
    for number in (CARD_A, CARD_B, CARD_C, CARD_D):
        await desk.issue_card(person_id=owner.id, card_number=number)
    err = await expect_error(
        "card_quota_reached", desk.issue_card(person_id=owner.id, card_number=CARD_E)
    )
    assert err.placeholders["quota"] == "4"


async def test_issue_card_household_quota(community: Community, desk: CardDesk) -> None:
    await community.add_household("3-2-501", card_quota=1)
    await community.add_household("5-1-101", card_quota=0)
    owner = await add(community)
    other = await add(community, "王五", unit="5-1-101")
    await desk.issue_card(person_id=owner.id, card_number=CARD_A)
    err = await expect_error(
        "card_quota_reached", desk.issue_card(person_id=owner.id, card_number=CARD_B)
    )
    assert err.placeholders == {"unit": "3-2-501", "quota": "1"}
    await expect_error(
        "card_quota_reached", desk.issue_card(person_id=other.id, card_number=CARD_B)
    )
    assert len(community.index.credentials) == 1
    assert community.deposits_held_cents == 2000


async def test_staff_without_household_have_no_quota(db_url: str) -> None:
    community = await open_community(db_url, card_quota=1)
    desk = CardDesk(community)
    try:
        guard = await add(community, "Guard", role=Role.STAFF, unit=None)
        for number in (CARD_A, CARD_B, CARD_C):
            result = await desk.issue_card(person_id=guard.id, card_number=number)
            assert result.credential.status is CredentialStatus.ACTIVE
        entries = await ledger(community, None)
        assert kinds(entries) == [(LedgerKind.DEPOSIT, 2000)] * 3
        assert {e.household_id for e in entries} == {None}
        assert community.deposits_held_cents == 6000
        assert reason(community, CARD_C, door="b5") is Reason.GRANTED
    finally:
        await community.async_close()


async def test_issue_card_duplicate_active(
    community: Community, desk: CardDesk
) -> None:
    owner = await add(community)
    other = await add(community, "王五", unit="5-1-101")
    await desk.issue_card(person_id=owner.id, card_number=CARD_A)
    for person in (owner, other):
        err = await expect_error(
            "credential_in_use",
            desk.issue_card(person_id=person.id, card_number="00-" + CARD_A),
        )
        assert err.placeholders == {"kind": "card"}
        assert CARD_A not in str(err)
    assert len(await ledger(community, None)) == 1
    assert community.deposits_held_cents == 2000


async def test_lost_card_number_never_issued_again(db_url: str) -> None:
    community = await open_community(db_url)
    desk = CardDesk(community)
    owner = await add(community)
    other = await add(community, "王五", unit="5-1-101")
    card = (await desk.issue_card(person_id=owner.id, card_number=CARD_A)).credential
    await desk.report_lost(card.id)
    for person in (owner, other):
        await expect_error(
            "credential_reported_lost",
            desk.issue_card(person_id=person.id, card_number=CARD_A),
        )
    # Not after a reissue for it, nor after a return of the new card.
    new = await desk.reissue_card(card.id, card_number=CARD_B)
    await desk.return_card(new.credential.id)
    await expect_error(
        "credential_reported_lost",
        desk.issue_card(person_id=other.id, card_number=CARD_A),
    )
    await community.async_close()

    # Nor after a restart.
    community = await open_community(db_url)
    try:
        await expect_error(
            "credential_reported_lost",
            CardDesk(community).issue_card(person_id=other.id, card_number=CARD_A),
        )
        assert reason(community, CARD_A) is Reason.LOST
    finally:
        await community.async_close()


async def test_lost_card_number_refused_after_status_change(
    community: Community, desk: CardDesk
) -> None:
    """A lost card can not be moved to another status, so it stays refused."""
    owner = await add(community)
    other = await add(community, "王五", unit="5-1-101")
    card = (await desk.issue_card(person_id=owner.id, card_number=CARD_A)).credential
    await desk.report_lost(card.id)
    for status in (
        CredentialStatus.CANCELLED,
        CredentialStatus.RETURNED,
        CredentialStatus.EXPIRED,
    ):
        await expect_error(
            "credential_reported_lost",
            community.set_credential_status(card.id, status),
        )
    await expect_error(
        "credential_reported_lost",
        desk.issue_card(person_id=other.id, card_number=CARD_A),
    )


async def test_expiry_sweep_keeps_a_lost_report(
    community: Community, desk: CardDesk
) -> None:
    """A card reported lost while the expiry sweep runs must stay lost.

    ``expire_due`` lists the cards past their end first, then expires them
    in one transaction. A loss report landing in between (it holds the
    write lock while the sweep lists) must not be overwritten: the card
    would be denied as ``expired`` instead of ``lost``, and its number
    could be issued again. The sweep checks each status under the lock.
    """
    owner = await add(community)
    other = await add(community, "王五", unit="5-1-101")
    first = (
        await desk.issue_card(person_id=owner.id, card_number=CARD_A, valid_until=AT)
    ).credential
    second = (
        await desk.issue_card(person_id=owner.id, card_number=CARD_B, valid_until=AT)
    ).credential
    # The report takes the lock first; the sweep lists both cards meanwhile.
    _, expired = await asyncio.gather(
        desk.report_lost(second.id),
        expire_due(community, AT + timedelta(hours=1)),
    )
    assert [c.id for c in expired] == [first.id]
    assert community.credential(first.id).status is CredentialStatus.EXPIRED
    assert community.credential(second.id).status is CredentialStatus.LOST
    assert reason(community, CARD_B) is Reason.LOST
    await expect_error(
        "credential_reported_lost",
        desk.issue_card(person_id=other.id, card_number=CARD_B),
    )


async def test_returned_card_number_to_another_household(
    community: Community, desk: CardDesk
) -> None:
    owner = await add(community)
    other = await add(community, "王五", unit="5-1-101")
    card = (await desk.issue_card(person_id=owner.id, card_number=CARD_A)).credential
    await desk.return_card(card.id)
    again = (await desk.issue_card(person_id=other.id, card_number=CARD_A)).credential
    assert again.id != card.id
    assert again.status is CredentialStatus.ACTIVE
    decision = community.decide("b5", CARD, CARD_A, AT)
    assert decision.granted
    assert decision.person_id == other.id
    assert reason(community, CARD_A, door="b3") is Reason.ZONE_NOT_ALLOWED
    assert community.credential(card.id).status is CredentialStatus.RETURNED
    assert kinds(await ledger(community, None)) == [
        (LedgerKind.DEPOSIT, 2000),
        (LedgerKind.REFUND, 2000),
        (LedgerKind.DEPOSIT, 2000),
    ]
    assert community.deposits_held_cents == 2000


async def test_issue_card_refused_to_moved_out_person(
    community: Community, desk: CardDesk
) -> None:
    owner = await add(community)
    family = await add(community, "李四", role=Role.FAMILY)
    await desk.move_out(person_id=owner.id)
    await expect_error(
        "person_moved_out", desk.issue_card(person_id=owner.id, card_number=CARD_A)
    )
    await expect_error(
        "use_move_out", community.set_person_status(family.id, PersonStatus.MOVED_OUT)
    )
    await desk.move_out(person_id=family.id)
    await expect_error(
        "person_moved_out", desk.issue_card(person_id=family.id, card_number=CARD_A)
    )
    assert community.index.credentials == {}
    assert await ledger(community, None) == []


# ---- report_lost


async def test_report_lost(community: Community, desk: CardDesk, events: list) -> None:
    owner = await add(community)
    card = (await desk.issue_card(person_id=owner.id, card_number=CARD_A)).credential
    assert reason(community, CARD_A) is Reason.GRANTED
    events.clear()
    lost = await desk.report_lost(card.id, recorded_by="desk-1")
    assert lost.status is CredentialStatus.LOST
    assert community.credential(card.id).status is CredentialStatus.LOST
    decision = community.decide("gate", CARD, CARD_A, AT)
    assert not decision.granted
    assert decision.reason is Reason.LOST
    assert decision.person_id == owner.id
    # The deposit stays held until the card is reissued or the owner moves out.
    assert lost.deposit_cents == 2000
    assert community.deposits_held_cents == 2000
    assert kinds(await ledger(community, None)) == [(LedgerKind.DEPOSIT, 2000)]
    assert events == [
        (
            "card_lost",
            {
                "credential_id": card.id,
                "person_id": owner.id,
                "person_name": "张三",
                "unit": "3-2-501",
            },
        )
    ]
    assert [c.id for c in community.index.lost_credentials()] == [card.id]


async def test_report_lost_refusals(community: Community, desk: CardDesk) -> None:
    owner = await add(community)
    card = (await desk.issue_card(person_id=owner.id, card_number=CARD_A)).credential
    returned = (
        await desk.issue_card(person_id=owner.id, card_number=CARD_B)
    ).credential
    await desk.return_card(returned.id)
    pin = await community.add_credential(person_id=owner.id, kind=PIN, value=PIN_CODE)
    await desk.report_lost(card.id)
    await expect_error("credential_not_active", desk.report_lost(card.id))
    await expect_error("credential_not_active", desk.report_lost(returned.id))
    err = await expect_error("not_a_card", desk.report_lost(pin.id))
    assert err.placeholders == {"credential_id": str(pin.id)}
    await expect_error("unknown_credential", desk.report_lost(999))
    assert community.credential(returned.id).status is CredentialStatus.RETURNED
    assert community.credential(pin.id).status is CredentialStatus.ACTIVE


# ---- reissue_card


async def test_reissue_lost_card(
    community: Community, desk: CardDesk, events: list
) -> None:
    owner = await add(community)
    household = community.household("3-2-501")
    old = (await desk.issue_card(person_id=owner.id, card_number=CARD_A)).credential
    await desk.report_lost(old.id)
    events.clear()
    result = await desk.reissue_card(old.id, card_number=CARD_B, recorded_by="desk-2")
    new = result.credential
    assert new.status is CredentialStatus.ACTIVE
    assert new.person_id == owner.id
    assert new.replaces_id == old.id
    assert new.deposit_cents == 2000
    assert result.replaced is not None
    assert result.replaced.id == old.id
    stored_old = community.credential(old.id)
    assert stored_old.status is CredentialStatus.LOST
    assert stored_old.deposit_cents == 0
    assert stored_old.damaged is False
    assert reason(community, CARD_A) is Reason.LOST
    assert reason(community, CARD_B, door="b3") is Reason.GRANTED

    entries = await ledger(community, household.id)
    assert kinds(entries) == [
        (LedgerKind.DEPOSIT, 2000),
        (LedgerKind.REISSUE_FEE, Settings().reissue_fee_cents),
    ]
    assert Settings().reissue_fee_cents == 3000
    fee = entries[1]
    assert fee.credential_id == new.id
    assert fee.person_id == owner.id
    assert fee.recorded_by == "desk-2"
    assert result.ledger == (fee,)
    # The deposit moved; nothing was paid or refunded for it.
    assert community.deposits_held_cents == 2000
    assert events == [
        (
            "card_reissued",
            {
                "credential_id": new.id,
                "person_id": owner.id,
                "person_name": "张三",
                "unit": "3-2-501",
                "replaces": old.id,
                "fee": 30.0,
            },
        )
    ]


async def test_reissue_active_card_marks_it_damaged(
    community: Community, desk: CardDesk
) -> None:
    owner = await add(community)
    old = (await desk.issue_card(person_id=owner.id, card_number=CARD_A)).credential
    result = await desk.reissue_card(old.id, card_number=CARD_B, fee_cents=1500)
    replaced = community.credential(old.id)
    assert replaced.status is CredentialStatus.CANCELLED
    assert replaced.damaged is True
    assert replaced.deposit_cents == 0
    assert result.credential.deposit_cents == 2000
    assert reason(community, CARD_A) is Reason.CANCELLED
    assert reason(community, CARD_B) is Reason.GRANTED
    assert kinds(await ledger(community, None)) == [
        (LedgerKind.DEPOSIT, 2000),
        (LedgerKind.REISSUE_FEE, 1500),
    ]
    assert community.deposits_held_cents == 2000


async def test_reissue_not_counted_against_quota(
    community: Community, desk: CardDesk
) -> None:
    await community.add_household("3-2-501", card_quota=1)
    owner = await add(community)
    old = (await desk.issue_card(person_id=owner.id, card_number=CARD_A)).credential
    await desk.report_lost(old.id)
    # The lost card no longer counts, but a reissue would not be refused anyway:
    result = await desk.reissue_card(old.id, card_number=CARD_B, fee_cents=0)
    assert result.credential.status is CredentialStatus.ACTIVE
    assert result.ledger == ()
    # At the quota with an active card: a damaged-card reissue still works.
    again = await desk.reissue_card(result.credential.id, card_number=CARD_C)
    assert again.credential.status is CredentialStatus.ACTIVE
    await expect_error(
        "card_quota_reached", desk.issue_card(person_id=owner.id, card_number=CARD_D)
    )
    assert kinds(await ledger(community, None)) == [
        (LedgerKind.DEPOSIT, 2000),
        (LedgerKind.REISSUE_FEE, 3000),
    ]
    assert community.deposits_held_cents == 2000


async def test_reissue_refusals(community: Community, desk: CardDesk) -> None:
    owner = await add(community)
    other = await add(community, "王五", unit="5-1-101")
    lost = (await desk.issue_card(person_id=owner.id, card_number=CARD_A)).credential
    active = (await desk.issue_card(person_id=other.id, card_number=CARD_B)).credential
    returned = (
        await desk.issue_card(person_id=owner.id, card_number=CARD_C)
    ).credential
    await desk.report_lost(lost.id)
    await desk.return_card(returned.id)
    pin = await community.add_credential(person_id=owner.id, kind=PIN, value=PIN_CODE)
    await expect_error(
        "credential_reported_lost", desk.reissue_card(lost.id, card_number=CARD_A)
    )
    await expect_error(
        "credential_in_use", desk.reissue_card(lost.id, card_number=CARD_B)
    )
    await expect_error(
        "credential_not_reissuable", desk.reissue_card(returned.id, card_number=CARD_D)
    )
    await expect_error("not_a_card", desk.reissue_card(pin.id, card_number=CARD_D))
    await expect_error(
        "invalid_amount", desk.reissue_card(lost.id, card_number=CARD_D, fee_cents=-5)
    )
    assert community.credential(active.id).status is CredentialStatus.ACTIVE
    assert community.credential(lost.id).deposit_cents == 2000
    assert LedgerKind.REISSUE_FEE not in {e.kind for e in await ledger(community, None)}


# ---- return_card


EVENT_KEYS = {"credential_id", "person_id", "person_name", "unit"}


def assert_no_secret(data: dict[str, Any], *numbers: str) -> None:
    """Event data: only ids, names, unit and amounts; nothing of a card number."""
    text = repr(data)
    for number in numbers:
        assert number not in text
        assert number[-4:] not in text
    for key, value in data.items():
        assert key not in {"card_number", "masked", "value", "digest", "credential"}
        assert value is None or isinstance(value, (int, float, str, bool, list))


async def test_return_card_undamaged(
    community: Community, desk: CardDesk, events: list
) -> None:
    owner = await add(community)
    household = community.household("3-2-501")
    before = community.deposits_held_cents
    card = (await desk.issue_card(person_id=owner.id, card_number=CARD_A)).credential
    assert community.deposits_held_cents == before + 2000
    events.clear()
    result = await desk.return_card(card.id, recorded_by="desk-1")
    returned = result.credential
    assert returned.status is CredentialStatus.RETURNED
    assert returned.deposit_cents == 0
    assert returned.damaged is False
    assert community.credential(card.id) == returned
    assert reason(community, CARD_A) is Reason.RETURNED
    entries = await ledger(community, household.id)
    assert kinds(entries) == [(LedgerKind.DEPOSIT, 2000), (LedgerKind.REFUND, 2000)]
    assert entries[1].credential_id == card.id
    assert entries[1].recorded_by == "desk-1"
    assert result.ledger == (entries[1],)
    assert community.deposits_held_cents == before

    ((name, data),) = events
    assert name == "card_returned"
    assert data == {
        "credential_id": card.id,
        "person_id": owner.id,
        "person_name": "张三",
        "unit": "3-2-501",
        "damaged": False,
        "refund": 20.0,
    }
    assert set(data) == EVENT_KEYS | {"damaged", "refund"}
    assert_no_secret(data, CARD_A)


async def test_return_card_damaged(
    community: Community, desk: CardDesk, events: list
) -> None:
    owner = await add(community)
    card = (await desk.issue_card(person_id=owner.id, card_number=CARD_A)).credential
    events.clear()
    result = await desk.return_card(card.id, damaged=True)
    assert result.credential.status is CredentialStatus.RETURNED
    assert result.credential.damaged is True
    assert result.credential.deposit_cents == 0
    assert kinds(await ledger(community, None)) == [
        (LedgerKind.DEPOSIT, 2000),
        (LedgerKind.DEPOSIT_KEPT, 2000),
    ]
    assert community.deposits_held_cents == 0
    ((name, data),) = events
    assert name == "card_returned"
    assert data["damaged"] is True
    assert data["refund"] == 0
    assert_no_secret(data, CARD_A)
    await expect_error("credential_not_active", desk.return_card(card.id))
    assert len(await ledger(community, None)) == 2


async def test_return_voided_card_with_deposit(
    community: Community, desk: CardDesk
) -> None:
    """An expired card still holds its deposit: handing it back refunds it."""
    owner = await add(community)
    card = (
        await desk.issue_card(
            person_id=owner.id, card_number=CARD_A, valid_until=AT + timedelta(days=1)
        )
    ).credential
    (expired,) = await expire_due(community, AT + timedelta(days=2))
    assert expired.status is CredentialStatus.EXPIRED
    assert expired.deposit_cents == 2000
    assert community.deposits_held_cents == 2000
    result = await desk.return_card(card.id)
    assert result.credential.status is CredentialStatus.RETURNED
    assert kinds(list(result.ledger)) == [(LedgerKind.REFUND, 2000)]
    assert community.deposits_held_cents == 0
    # Settled once: a second return is refused.
    await expect_error("credential_not_active", desk.return_card(card.id))


async def test_events_carry_no_card_number(
    community: Community, desk: CardDesk, events: list
) -> None:
    owner = await add(community, phone=PHONE)
    lost = (await desk.issue_card(person_id=owner.id, card_number=CARD_A)).credential
    await desk.report_lost(lost.id)
    new = (await desk.reissue_card(lost.id, card_number=CARD_B)).credential
    await desk.return_card(new.id)
    await desk.issue_temporary_card(
        declared_by=owner.id,
        name="Helper",
        role=Role.HELPER,
        id_number=make_id_number(900),
        card_number=CARD_C,
        valid_until=AT + timedelta(days=30),
    )
    await desk.register_contractor(
        unit="3-2-501",
        name="Fixer",
        id_number=make_id_number(901),
        valid_until=AT + timedelta(days=30),
        card_number=CARD_D,
    )
    await desk.move_out(unit="3-2-501")
    names = [name for name, _ in events]
    assert names == [
        "card_issued",
        "card_lost",
        "card_reissued",
        "card_returned",
        "temporary_card_issued",
        "contractor_registered",
        "moved_out",
    ]
    for _, data in events:
        assert_no_secret(data, CARD_A, CARD_B, CARD_C, CARD_D, PHONE)


# ---- the statement


async def test_statement_totals(db_url: str) -> None:
    community = await open_community(db_url)
    desk = CardDesk(community)
    owner = await add(community)
    family = await add(community, "李四", role=Role.FAMILY)
    neighbour = await add(community, "王五", unit="5-1-101")
    await desk.issue_card(person_id=neighbour.id, card_number=CARD_E)

    first = (await desk.issue_card(person_id=owner.id, card_number=CARD_A)).credential
    second = (await desk.issue_card(person_id=family.id, card_number=CARD_B)).credential
    await desk.report_lost(first.id)
    third = (await desk.reissue_card(first.id, card_number=CARD_C)).credential
    await desk.return_card(second.id)
    await desk.return_card(third.id, damaged=True)

    statement = await desk.statement("3-2-501")
    assert statement.household == community.household("3-2-501")
    assert [(e.kind, e.amount_cents, e.credential_id) for e in statement.entries] == [
        (LedgerKind.DEPOSIT, 2000, first.id),
        (LedgerKind.DEPOSIT, 2000, second.id),
        (LedgerKind.REISSUE_FEE, 3000, third.id),
        (LedgerKind.REFUND, 2000, second.id),
        (LedgerKind.DEPOSIT_KEPT, 2000, third.id),
    ]
    assert statement.deposits_paid == 4000
    assert statement.refunded == 2000
    assert statement.deposits_kept == 2000
    assert statement.fees == 3000
    assert statement.fines == 0
    assert statement.deposits_held == 0
    # Net money paid: 4000 deposits + 3000 fee - 2000 refunded.
    assert statement.balance == 5000
    assert statement.balance == (
        statement.deposits_held
        + statement.deposits_kept
        + statement.fees
        + statement.fines
    )

    other = await desk.statement("5-1-101")
    assert kinds(list(other.entries)) == [(LedgerKind.DEPOSIT, 2000)]
    assert other.deposits_held == 2000
    assert other.balance == 2000
    assert community.deposits_held_cents == 2000
    await expect_error("unknown_household", desk.statement("9-9-999"))
    await community.async_close()

    restarted = await open_community(db_url)
    try:
        assert restarted.deposits_held_cents == 2000
        again = await CardDesk(restarted).statement("3-2-501")
        assert again == statement
    finally:
        await restarted.async_close()


# ---- temporary cards


@pytest.mark.parametrize("role", [Role.TENANT, Role.HELPER])
async def test_issue_temporary_card(
    community: Community, desk: CardDesk, events: list, role: Role
) -> None:
    owner = await add(community)
    until = AT + timedelta(days=7)
    events.clear()
    result = await desk.issue_temporary_card(
        declared_by=owner.id,
        name="  Temp  ",
        role=role,
        id_number=make_id_number(500),
        card_number=CARD_A,
        valid_until=until,
        phone=PHONE,
        recorded_by="desk-1",
    )
    card = result.credential
    person = community.person(card.person_id)
    assert person.name == "Temp"
    assert person.role is role
    assert person.declared_by == owner.id
    assert person.household_id == owner.household_id
    assert person.valid_until == until
    assert person.has_id_number
    assert person.phone_masked == "139****8765"
    assert card.valid_until == until
    assert card.deposit_cents == 2000
    assert kinds(await ledger(community, owner.household_id)) == [
        (LedgerKind.DEPOSIT, 2000)
    ]
    assert community.deposits_held_cents == 2000

    # The card voids itself at its end.
    assert reason(community, CARD_A, AT) is Reason.GRANTED
    assert reason(community, CARD_A, until - timedelta(seconds=1)) is Reason.GRANTED
    assert reason(community, CARD_A, until) is Reason.EXPIRED
    assert reason(community, CARD_A, until + timedelta(days=1)) is Reason.EXPIRED

    ((name, data),) = events
    assert name == "temporary_card_issued"
    assert data["person_id"] == person.id
    assert data["valid_until"] == until.astimezone(UTC).isoformat()


async def test_temporary_card_refusals(community: Community, desk: CardDesk) -> None:
    owner = await add(community)
    family = await add(community, "李四", role=Role.FAMILY)
    suspended = await add(community, "赵六", unit="5-1-101")
    await community.set_person_status(suspended.id, PersonStatus.SUSPENDED)
    guard = await add(community, "Guard", role=Role.STAFF, unit=None)
    base: dict[str, Any] = {
        "declared_by": owner.id,
        "name": "Temp",
        "role": Role.TENANT,
        "id_number": make_id_number(501),
        "card_number": CARD_A,
        "valid_until": AT + timedelta(days=7),
    }
    persons = len(community.index.persons)

    for declarer in (family, suspended, guard):
        await expect_error(
            "owner_required",
            desk.issue_temporary_card(**(base | {"declared_by": declarer.id})),
        )
    for role in (Role.FAMILY, Role.OWNER, Role.VISITOR, Role.CONTRACTOR):
        err = await expect_error(
            "invalid_temporary_role",
            desk.issue_temporary_card(**(base | {"role": role})),
        )
        assert err.placeholders == {"role": role.value}
    await expect_error(
        "valid_until_required",
        desk.issue_temporary_card(**(base | {"valid_until": None})),
    )
    await expect_error(
        "id_required", desk.issue_temporary_card(**(base | {"id_number": ""}))
    )
    await expect_error(
        "invalid_validity",
        desk.issue_temporary_card(**(base | {"valid_from": AT, "valid_until": AT})),
    )
    # The card is checked before the person is written: no stray person.
    await desk.issue_card(person_id=owner.id, card_number=CARD_B)
    await expect_error(
        "credential_in_use",
        desk.issue_temporary_card(**(base | {"card_number": CARD_B})),
    )
    await desk.move_out(person_id=owner.id)
    await expect_error("owner_required", desk.issue_temporary_card(**base))
    assert len(community.index.persons) == persons
    snapshot = await community.run(community.db.load)
    assert len(snapshot.persons) == persons


async def test_temporary_card_respects_quota(
    community: Community, desk: CardDesk
) -> None:
    await community.add_household("3-2-501", card_quota=1)
    owner = await add(community)
    await desk.issue_card(person_id=owner.id, card_number=CARD_A)
    persons = len(community.index.persons)
    await expect_error(
        "card_quota_reached",
        desk.issue_temporary_card(
            declared_by=owner.id,
            name="Temp",
            role=Role.HELPER,
            id_number=make_id_number(502),
            card_number=CARD_B,
            valid_until=AT + timedelta(days=7),
        ),
    )
    assert len(community.index.persons) == persons


# ---- contractors


async def test_register_contractor_with_card(db_url: str) -> None:
    community = await open_community(db_url)
    desk = CardDesk(community)
    until = AT + timedelta(days=14)
    await community.add_household("3-2-501")
    person, result = await desk.register_contractor(
        unit="3-2-501",
        name="师傅",
        id_number=make_id_number(600),
        valid_until=until,
        company=" 安居装修 ",
        tools=["electric drill", " ", " ladder "],
        card_number=CARD_A,
    )
    assert result is not None
    assert person.role is Role.CONTRACTOR
    assert person.details == {
        "company": "安居装修",
        "tools": ["electric drill", "ladder"],
    }
    assert person.valid_until == until
    assert result.credential.person_id == person.id
    assert result.credential.schedule == CONTRACTOR_HOURS
    assert kinds(await ledger(community, person.household_id)) == [
        (LedgerKind.DEPOSIT, 2000)
    ]

    # Monday to Saturday, 08:00-18:00, until the end of the work.
    assert reason(community, CARD_A, AT) is Reason.GRANTED
    assert reason(community, CARD_A, AT, door="b3") is Reason.GRANTED
    assert reason(community, CARD_A, SATURDAY) is Reason.GRANTED
    assert reason(community, CARD_A, AT.replace(hour=8)) is Reason.GRANTED
    assert reason(community, CARD_A, AT.replace(hour=17, minute=59)) is Reason.GRANTED
    assert reason(community, CARD_A, SUNDAY) is Reason.OUTSIDE_TIME_WINDOW
    assert reason(community, CARD_A, AT.replace(hour=19)) is Reason.OUTSIDE_TIME_WINDOW
    assert reason(community, CARD_A, AT.replace(hour=7)) is Reason.OUTSIDE_TIME_WINDOW
    assert reason(community, CARD_A, until) is Reason.EXPIRED
    assert reason(community, CARD_A, AT, door="b5") is Reason.ZONE_NOT_ALLOWED
    assert reason(community, CARD_A, AT, door="gym") is Reason.ZONE_NOT_ALLOWED
    await community.async_close()

    restarted = await open_community(db_url)
    try:
        assert restarted.person(person.id).details == person.details
        assert reason(restarted, CARD_A, SUNDAY) is Reason.OUTSIDE_TIME_WINDOW
    finally:
        await restarted.async_close()


async def test_register_contractor_without_card(
    community: Community, desk: CardDesk, events: list
) -> None:
    await community.add_household("3-2-501")
    person, result = await desk.register_contractor(
        unit="3-2-501",
        name="Fixer",
        id_number=make_id_number(601),
        valid_until=AT + timedelta(days=3),
        company="Acme",
        tools=["saw"],
    )
    assert result is None
    assert community.person(person.id) == person
    assert person.details == {"company": "Acme", "tools": ["saw"]}
    assert community.index.credentials_of(person.id) == []
    assert community.index.credentials == {}
    assert await ledger(community, None) == []
    assert events == [
        (
            "contractor_registered",
            {"person_id": person.id, "person_name": "Fixer", "unit": "3-2-501"},
        )
    ]


async def test_register_contractor_refusals(
    community: Community, desk: CardDesk
) -> None:
    await community.add_household("3-2-501")
    base: dict[str, Any] = {
        "unit": "3-2-501",
        "name": "Fixer",
        "id_number": make_id_number(602),
        "valid_until": AT + timedelta(days=3),
        "card_number": CARD_A,
    }
    await expect_error(
        "id_required", desk.register_contractor(**(base | {"id_number": ""}))
    )
    await expect_error(
        "valid_until_required",
        desk.register_contractor(**(base | {"valid_until": None})),
    )
    await expect_error(
        "unknown_household", desk.register_contractor(**(base | {"unit": "9-9-999"}))
    )
    assert community.index.persons == {}
    # Custom hours replace the default.
    night = Schedule.daily("20:00-23:00")
    _, result = await desk.register_contractor(**(base | {"hours": night}))
    assert result is not None
    assert result.credential.schedule == night
    assert reason(community, CARD_A, AT) is Reason.OUTSIDE_TIME_WINDOW
    assert reason(community, CARD_A, AT.replace(hour=21)) is Reason.GRANTED


# ---- moving out


async def test_move_out_household(
    community: Community, desk: CardDesk, events: list
) -> None:
    owner = await add(community, phone=PHONE)
    family = await add(community, "李四", role=Role.FAMILY)
    neighbour = await add(community, "王五", unit="5-1-101")
    household = community.household("3-2-501")
    handed_back = (
        await desk.issue_card(person_id=owner.id, card_number=CARD_A)
    ).credential
    kept = (await desk.issue_card(person_id=family.id, card_number=CARD_B)).credential
    lost = (await desk.issue_card(person_id=family.id, card_number=CARD_C)).credential
    await desk.report_lost(lost.id)
    pin = await community.add_credential(person_id=owner.id, kind=PIN, value=PIN_CODE)
    await desk.issue_card(person_id=neighbour.id, card_number=CARD_D)
    assert community.deposits_held_cents == 4 * 2000
    residents = community.counts()["residents"]

    await expect_error(
        "card_not_in_move_out",
        desk.move_out(unit="3-2-501", returned_card_ids=[handed_back.id, 999]),
    )
    assert community.person(owner.id).status is PersonStatus.ACTIVE

    events.clear()
    result = await desk.move_out(
        unit="3-2-501", returned_card_ids=[handed_back.id], recorded_by="desk-1"
    )
    # Every credential of the household is refused at once, as moved out.
    for kind, value in (
        (CARD, CARD_A),
        (CARD, CARD_B),
        (CARD, CARD_C),
        (PIN, PIN_CODE),
    ):
        for door in ("gate", "b3"):
            decision = community.decide(door, kind, value, AT)
            assert not decision.granted
            assert decision.reason is Reason.MOVED_OUT, (kind, value, decision.reason)
    assert reason(community, CARD_D, door="b5") is Reason.GRANTED

    assert {p.id for p in result.persons} == {owner.id, family.id}
    for person in (owner, family):
        moved = community.person(person.id)
        assert moved.status is PersonStatus.MOVED_OUT
        assert moved.moved_out_at is not None
        assert moved.erase_after == moved.moved_out_at + timedelta(days=180)
        assert result.erase_after == moved.erase_after
    assert result.household is not None
    assert result.household.moved_out_at is not None
    assert community.household("3-2-501").moved_out_at is not None
    assert community.counts()["residents"] == residents - 2

    statuses = {
        c.id: (c.status, c.damaged, c.deposit_cents)
        for c in (community.credential(i) for i in (handed_back.id, kept.id, lost.id))
    }
    assert statuses == {
        handed_back.id: (CredentialStatus.RETURNED, False, 0),
        kept.id: (CredentialStatus.CANCELLED, False, 0),
        lost.id: (CredentialStatus.LOST, False, 0),
    }
    assert community.credential(pin.id).status is CredentialStatus.CANCELLED

    entries = await ledger(community, household.id)
    assert [(e.kind, e.amount_cents, e.credential_id) for e in entries[3:]] == [
        (LedgerKind.REFUND, 2000, handed_back.id),
        (LedgerKind.DEPOSIT_KEPT, 2000, kept.id),
        (LedgerKind.DEPOSIT_KEPT, 2000, lost.id),
    ]
    assert {e.recorded_by for e in entries[3:]} == {"desk-1"}
    assert (await desk.statement("3-2-501")).deposits_held == 0
    assert community.deposits_held_cents == 2000  # the neighbour's card

    ((name, data),) = events
    assert name == "moved_out"
    assert data == {
        "unit": "3-2-501",
        "person_ids": sorted([owner.id, family.id]),
        "credentials_cancelled": 4,
        "refunded": 20.0,
        "deposits_kept": 40.0,
    }

    err = await expect_error(
        "household_moved_out",
        community.add_person(name="New", role=Role.OWNER, unit="3-2-501"),
    )
    assert err.placeholders == {"unit": "3-2-501"}
    await expect_error("household_moved_out", desk.move_out(unit="3-2-501"))
    await expect_error(
        "person_moved_out", desk.issue_card(person_id=owner.id, card_number=CARD_E)
    )


async def test_move_out_settles_expired_cards(
    community: Community, desk: CardDesk
) -> None:
    owner = await add(community)
    until = AT + timedelta(days=1)
    back = (
        await desk.issue_card(person_id=owner.id, card_number=CARD_A, valid_until=until)
    ).credential
    gone = (
        await desk.issue_card(person_id=owner.id, card_number=CARD_B, valid_until=until)
    ).credential
    await expire_due(community, until)
    result = await desk.move_out(unit="3-2-501", returned_card_ids=[back.id])
    assert [(e.kind, e.credential_id) for e in result.ledger] == [
        (LedgerKind.REFUND, back.id),
        (LedgerKind.DEPOSIT_KEPT, gone.id),
    ]
    assert community.credential(back.id).status is CredentialStatus.RETURNED
    assert community.credential(gone.id).deposit_cents == 0
    assert community.deposits_held_cents == 0


async def test_move_out_one_person(community: Community, desk: CardDesk) -> None:
    owner = await add(community)
    tenant = await add(community, "李四", role=Role.TENANT)
    await desk.issue_card(person_id=owner.id, card_number=CARD_A)
    await desk.issue_card(person_id=tenant.id, card_number=CARD_B)
    result = await desk.move_out(person_id=tenant.id)
    assert [p.id for p in result.persons] == [tenant.id]
    assert result.household is None
    assert community.household("3-2-501").moved_out_at is None
    assert community.person(owner.id).status is PersonStatus.ACTIVE
    assert community.person(tenant.id).status is PersonStatus.MOVED_OUT
    assert reason(community, CARD_A) is Reason.GRANTED
    assert not community.decide("gate", CARD, CARD_B, AT).granted
    # The tenant did not hand the card back: the deposit is kept.
    assert kinds(await ledger(community, None))[-1] == (LedgerKind.DEPOSIT_KEPT, 2000)
    assert community.deposits_held_cents == 2000
    # The household still takes new people.
    await add(community, "王五", role=Role.TENANT)
    await expect_error("person_moved_out", desk.move_out(person_id=tenant.id))
    await expect_error("unit_or_person_required", desk.move_out())


async def test_erase_personal_data_after_retention(
    community: Community, desk: CardDesk
) -> None:
    owner = await add(community, phone=PHONE)
    _, _ = await desk.register_contractor(
        unit="3-2-501",
        name="Fixer Li",
        id_number=make_id_number(700),
        valid_until=AT + timedelta(days=3),
        company="Acme",
        phone=PHONE,
    )
    stayer = await add(community, "王五", unit="5-1-101", phone=PHONE)
    result = await desk.move_out(unit="3-2-501")
    due = result.erase_after
    assert due - utcnow() > timedelta(days=179)

    assert await desk.erase_due(utcnow()) == 0
    assert await desk.erase_due(due - timedelta(seconds=1)) == 0
    row = await community.run(community.db.person_row, owner.id)
    assert row["id_number_hash"] is not None
    assert row["phone_enc"] is not None

    assert await desk.erase_due(due) == 2
    erased = {p.id: community.person(p.id) for p in result.persons}
    for person_id, person in erased.items():
        row = await community.run(community.db.person_row, person_id)
        assert row["id_number_enc"] is None
        assert row["id_number_hash"] is None
        assert row["id_number_masked"] is None
        assert row["phone_enc"] is None
        assert row["phone_masked"] is None
        assert row["details"] is None
        assert row["erase_after"] is None
        assert person.has_id_number is False
        assert person.phone_masked is None
        assert person.details is None
    assert erased[owner.id].name == "张*"
    assert {p.name for p in erased.values()} == {"张*", "F**** L*"}
    # Others are untouched, and nothing is erased twice.
    row = await community.run(community.db.person_row, stayer.id)
    assert row["name"] == "王五"
    assert row["phone_enc"] is not None
    assert row["id_number_hash"] is not None
    assert await desk.erase_due(due + timedelta(days=365)) == 0


async def test_erase_uses_retention_days(db_url: str) -> None:
    community = await open_community(db_url, retention_days=30)
    desk = CardDesk(community)
    try:
        owner = await add(community)
        result = await desk.move_out(person_id=owner.id)
        assert timedelta(days=29) < result.erase_after - utcnow() <= timedelta(days=30)
        assert await desk.erase_due(utcnow() + timedelta(days=29)) == 0
        assert await desk.erase_due(utcnow() + timedelta(days=31)) == 1
    finally:
        await community.async_close()


async def test_new_household_can_register_vacated_unit(
    community: Community, desk: CardDesk
) -> None:
    """After the household of a unit moved out, the next one must be able to move in.

    The unit stays registered to the moved-out household (``moved_out_at``
    set, unique ``unit`` column), so ``add_household`` says
    ``household_exists`` and ``add_person`` says ``household_moved_out``.
    """
    await add(community)
    await desk.move_out(unit="3-2-501")
    await community.add_household("3-2-501")
    newcomer = await add(community, "新业主")
    assert community.person(newcomer.id).status is PersonStatus.ACTIVE


async def test_add_person_during_move_out(community: Community, desk: CardDesk) -> None:
    """A person added while the household is moving out must not stay active in it."""
    await add(community)
    results = await asyncio.gather(
        desk.move_out(unit="3-2-501"),
        community.add_person(name="Late", role=Role.FAMILY, unit="3-2-501"),
        return_exceptions=True,
    )
    late = results[1]
    if isinstance(late, BaseException):
        assert isinstance(late, CommunityError)
        assert late.key == "household_moved_out"
    else:
        assert community.person(late.id).status is PersonStatus.MOVED_OUT
    household = community.household("3-2-501")
    active = [
        p
        for p in community.index.persons_of(household.id)
        if p.status is not PersonStatus.MOVED_OUT
    ]
    assert active == []


# ---- update_person


async def test_update_person(community: Community, desk: CardDesk) -> None:
    owner = await add(community, phone=PHONE)
    renamed = await community.update_person(owner.id, name="  张三丰 ")
    assert renamed.name == "张三丰"
    assert renamed.phone_masked == "139****8765"
    new_id = make_id_number(800, birth="19900315")
    changed = await community.update_person(
        owner.id, phone="138-0000-1111", id_number=new_id
    )
    assert changed.phone_masked == "138****1111"
    assert changed.id_number_masked == new_id[:3] + "*" * 11 + new_id[-4:]
    row = await community.run(community.db.person_row, owner.id)
    assert row["id_number_hash"] == community.vault.id_number_digest(new_id)
    assert community.vault.decrypt(row["phone_enc"]) == "13800001111"

    cleared = await community.update_person(owner.id, phone=None)
    assert cleared.phone_masked is None
    assert cleared.name == "张三丰"
    assert cleared.has_id_number
    row = await community.run(community.db.person_row, owner.id)
    assert row["phone_enc"] is None
    assert row["phone_masked"] is None

    assert await community.update_person(owner.id) == cleared
    windowed = await community.update_person(
        owner.id, valid_from=AT, valid_until=AT + timedelta(days=1)
    )
    assert windowed.valid_until == AT + timedelta(days=1)
    assert community.person(owner.id) == windowed

    # Without an ID number on record no card can be issued.
    no_id = await community.update_person(owner.id, id_number=None)
    assert no_id.has_id_number is False
    assert no_id.id_number_masked is None
    await expect_error(
        "id_required", desk.issue_card(person_id=owner.id, card_number=CARD_A)
    )


async def test_update_person_refusals(community: Community, desk: CardDesk) -> None:
    owner = await add(community)
    await expect_error(
        "invalid_validity",
        community.update_person(owner.id, valid_from=AT, valid_until=AT),
    )
    await community.update_person(owner.id, valid_until=AT)
    await expect_error(
        "invalid_validity",
        community.update_person(owner.id, valid_from=AT + timedelta(hours=1)),
    )
    await expect_error(
        "naive_datetime",
        community.update_person(owner.id, valid_until=datetime(2025, 1, 1)),
    )
    await expect_error("invalid_name", community.update_person(owner.id, name="  "))
    await expect_error(
        "invalid_id_number", community.update_person(owner.id, id_number="123")
    )
    await expect_error("invalid_phone", community.update_person(owner.id, phone="1"))
    await expect_error("unknown_person", community.update_person(999, name="X"))
    assert community.person(owner.id).name == "张三"
    assert community.person(owner.id).valid_until == AT

    await desk.move_out(person_id=owner.id)
    await expect_error(
        "person_moved_out", community.update_person(owner.id, name="Back")
    )


# ---- revoking, faces and PINs


async def test_face_needs_another_credential(
    community: Community, desk: CardDesk, events: list
) -> None:
    owner = await add(community)
    await expect_error(
        "face_needs_other_credential",
        community.add_credential(person_id=owner.id, kind=FACE, value="FACE-0001"),
    )
    # A lost card is no other way in.
    card = (await desk.issue_card(person_id=owner.id, card_number=CARD_A)).credential
    await desk.report_lost(card.id)
    await expect_error(
        "face_needs_other_credential",
        community.add_credential(person_id=owner.id, kind=FACE, value="FACE-0001"),
    )
    pin = await community.add_credential(person_id=owner.id, kind=PIN, value=PIN_CODE)
    face = await community.add_credential(
        person_id=owner.id, kind=FACE, value="FACE-0001"
    )
    assert face.status is CredentialStatus.ACTIVE

    # The PIN is the last non-face credential: it cannot go while the face stays.
    await expect_error(
        "face_needs_other_credential", community.revoke_credential(pin.id)
    )
    assert community.credential(pin.id).status is CredentialStatus.ACTIVE
    finger = await community.add_credential(
        person_id=owner.id, kind=CredentialKind.FINGERPRINT, value="FP-0042"
    )
    events.clear()
    revoked = await community.revoke_credential(pin.id)
    assert revoked.status is CredentialStatus.CANCELLED
    assert community.decide("gate", PIN, PIN_CODE, AT).reason is Reason.CANCELLED
    assert events == [
        (
            "credential_revoked",
            {
                "credential_id": pin.id,
                "kind": "pin",
                "person_id": owner.id,
                "person_name": "张三",
                "unit": "3-2-501",
            },
        )
    ]
    await expect_error(
        "face_needs_other_credential", community.revoke_credential(finger.id)
    )
    # The face itself can always go, and then the last other credential too.
    await community.revoke_credential(face.id)
    await community.revoke_credential(finger.id)
    await expect_error("credential_not_active", community.revoke_credential(pin.id))
    await expect_error("unknown_credential", community.revoke_credential(999))


async def test_revoke_refuses_cards(community: Community, desk: CardDesk) -> None:
    owner = await add(community)
    card = (await desk.issue_card(person_id=owner.id, card_number=CARD_A)).credential
    await expect_error("use_return_card", community.revoke_credential(card.id))
    assert community.credential(card.id).status is CredentialStatus.ACTIVE
    await expect_error(
        "use_issue_card",
        community.add_credential(person_id=owner.id, kind=CARD, value=CARD_B),
    )


@pytest.mark.parametrize(
    "pin",
    [
        "1111",
        "0000",
        "1234",
        "9876",
        "7890",
        "0987",
        "8901",
        "1212",
        "123123",
        "12345678",
        "98765432",
        "45674567",
    ],
)
async def test_trivial_pin_refused(community: Community, pin: str) -> None:
    owner = await add(community)
    await expect_error(
        "trivial_pin",
        community.add_credential(person_id=owner.id, kind=PIN, value=pin),
    )
    assert community.index.credentials == {}


@pytest.mark.parametrize("pin", ["583716", "4829", "1359", "20240615", "1231"])
async def test_good_pin_accepted(community: Community, pin: str) -> None:
    owner = await add(community)
    credential = await community.add_credential(person_id=owner.id, kind=PIN, value=pin)
    assert credential.status is CredentialStatus.ACTIVE
    assert community.decide("b3", PIN, pin, AT).granted


# ---- concurrency


async def test_concurrent_issue_same_card(community: Community, desk: CardDesk) -> None:
    first = await add(community)
    second = await add(community, "王五", unit="5-1-101")
    results = await asyncio.gather(
        desk.issue_card(person_id=first.id, card_number=CARD_A),
        desk.issue_card(person_id=second.id, card_number=CARD_A),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1
    assert isinstance(errors[0], CommunityError)
    assert errors[0].key == "credential_in_use"
    active = [
        c
        for c in community.index.credentials.values()
        if c.status is CredentialStatus.ACTIVE
    ]
    assert len(active) == 1
    assert kinds(await ledger(community, None)) == [(LedgerKind.DEPOSIT, 2000)]
    assert community.deposits_held_cents == 2000
    snapshot = await community.run(community.db.load)
    assert len(snapshot.credentials) == 1


async def test_concurrent_issue_last_quota_place(
    community: Community, desk: CardDesk
) -> None:
    await community.add_household("3-2-501", card_quota=1)
    owner = await add(community)
    family = await add(community, "李四", role=Role.FAMILY)
    results = await asyncio.gather(
        desk.issue_card(person_id=owner.id, card_number=CARD_A),
        desk.issue_card(person_id=family.id, card_number=CARD_B),
        desk.issue_temporary_card(
            declared_by=owner.id,
            name="Temp",
            role=Role.HELPER,
            id_number=make_id_number(950),
            card_number=CARD_C,
            valid_until=AT + timedelta(days=1),
        ),
        return_exceptions=True,
    )
    keys = sorted(r.key for r in results if isinstance(r, CommunityError))
    assert keys == ["card_quota_reached", "card_quota_reached"]
    assert community.index.active_card_count == 1
    assert community.deposits_held_cents == 2000


async def test_concurrent_report_lost_and_return(
    community: Community, desk: CardDesk
) -> None:
    owner = await add(community)
    card = (await desk.issue_card(person_id=owner.id, card_number=CARD_A)).credential
    results = await asyncio.gather(
        desk.report_lost(card.id),
        desk.return_card(card.id),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, CommunityError)]
    assert [e.key for e in errors] == ["credential_not_active"]
    assert community.credential(card.id).status is CredentialStatus.LOST
    assert kinds(await ledger(community, None)) == [(LedgerKind.DEPOSIT, 2000)]
