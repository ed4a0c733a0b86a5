"""Moving out and moving in again (issue 11, defect 1).

A household that moves out takes nothing of the unit with it and leaves
nothing behind for the next one: its links to users and phones are deleted,
its pending and expected visitors are refused, and the next household of the
unit starts an occupancy of its own with an empty ledger (the former
occupancy's statement stays available as history).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import itertools
from pathlib import Path
from typing import Any

import pytest

from custom_components.community_access.core.carddesk import CardDesk
from custom_components.community_access.core.community import Community, utcnow
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.models import (
    LedgerEntry,
    LedgerKind,
    Person,
    Role,
    VisitStatus,
)
from custom_components.community_access.core.visitors import VisitorDesk

from .common import make_id_number, open_community

UNIT = "3-2-501"
CARD_A = "4722517391"
CARD_B = "4722528462"
CARD_C = "4722539573"

_serial = itertools.count(500)


async def resident(
    community: Community, name: str = "张三", role: Role = Role.OWNER
) -> Person:
    if community.index.household_by_unit(UNIT) is None:
        await community.add_household(UNIT)
    return await community.add_person(
        name=name, role=role, unit=UNIT, id_number=make_id_number(next(_serial))
    )


def kinds(entries: Any) -> list[tuple[LedgerKind, int]]:
    return [(e.kind, e.amount_cents) for e in entries]


async def expect_error(key: str, coro: Any) -> CommunityError:
    with pytest.raises(CommunityError) as info:
        await coro
    assert info.value.key == key, str(info.value)
    return info.value


# ---- occupancies and the ledger


async def test_reoccupied_unit_starts_with_an_empty_ledger(tmp_path: Path) -> None:
    community = await open_community(tmp_path)
    desk = CardDesk(community)
    former = await resident(community)
    first = community.household(UNIT)
    assert first.occupancy == 1
    assert first.occupied_since == first.created_at
    assert former.occupancy == 1
    card = (await desk.issue_card(person_id=former.id, card_number=CARD_A)).credential
    await desk.reissue_card(card.id, card_number=CARD_B)
    await desk.move_out(unit=UNIT)
    history = await desk.statement(UNIT)
    assert history.occupancy == 1
    assert kinds(history.entries) == [
        (LedgerKind.DEPOSIT, 2000),
        (LedgerKind.REISSUE_FEE, 3000),
        (LedgerKind.DEPOSIT_KEPT, 2000),
    ]

    before = utcnow()
    household = await community.add_household(UNIT)
    assert household.id == first.id
    assert household.occupancy == 2
    assert household.occupied_since is not None
    assert household.occupied_since >= before
    empty = await desk.statement(UNIT)
    assert empty.occupancy == 2
    assert empty.occupancies == 2
    assert empty.entries == ()
    assert (empty.deposits_paid, empty.fees, empty.balance) == (0, 0, 0)

    newcomer = await resident(community, "新业主")
    assert newcomer.occupancy == 2
    await desk.issue_card(person_id=newcomer.id, card_number=CARD_C)
    current = await desk.statement(UNIT)
    assert kinds(current.entries) == [(LedgerKind.DEPOSIT, 2000)]
    assert current.deposits_held == 2000
    assert current.balance == 2000
    # The former occupancy's statement is history, unchanged and not added in.
    former_statement = await desk.statement(UNIT, occupancy=1)
    assert former_statement.entries == history.entries
    assert former_statement.occupancy == 1
    assert former_statement.occupancies == 2
    assert former_statement.balance == history.balance == 5000
    for wrong in (0, 3, -1):
        await expect_error("invalid_occupancy", desk.statement(UNIT, occupancy=wrong))
    await community.async_close()

    restarted = await open_community(tmp_path)
    try:
        assert restarted.household(UNIT).occupancy == 2
        assert restarted.person(newcomer.id).occupancy == 2
        assert restarted.person(former.id).occupancy == 1
        again = CardDesk(restarted)
        assert (await again.statement(UNIT)).entries == current.entries
        assert (await again.statement(UNIT, occupancy=1)).entries == history.entries
    finally:
        await restarted.async_close()


async def test_late_entries_of_a_former_occupant_stay_in_their_occupancy(
    community: Community,
) -> None:
    """A ledger entry for a person of the former occupancy goes to that occupancy."""
    desk = CardDesk(community)
    former = await resident(community)
    await desk.move_out(unit=UNIT)
    household = await community.add_household(UNIT)

    def _write() -> LedgerEntry:
        with community.db.transaction() as tx:
            return tx.insert_ledger(
                LedgerEntry(
                    at=utcnow(),
                    kind=LedgerKind.FINE_WAIVED,
                    amount_cents=10000,
                    household_id=household.id,
                    person_id=former.id,
                )
            )

    entry = await community.run(_write)
    assert entry.occupancy == 1
    assert (await desk.statement(UNIT)).entries == ()
    assert kinds((await desk.statement(UNIT, occupancy=1)).entries) == [
        (LedgerKind.FINE_WAIVED, 10000)
    ]


async def test_a_unit_never_moved_out_keeps_one_occupancy(community: Community) -> None:
    desk = CardDesk(community)
    owner = await resident(community)
    await desk.issue_card(person_id=owner.id, card_number=CARD_A)
    statement = await desk.statement(UNIT)
    assert (statement.occupancy, statement.occupancies) == (1, 1)
    assert (await desk.statement(UNIT, occupancy=1)) == statement
    await expect_error("invalid_occupancy", desk.statement(UNIT, occupancy=2))


# ---- links and visits of the household moving out


async def test_move_out_deletes_the_household_links(tmp_path: Path) -> None:
    community = await open_community(tmp_path)
    desk = CardDesk(community)
    visitors = VisitorDesk(community)
    await resident(community)
    household = community.household(UNIT)
    await visitors.link_household(
        UNIT, notify_services=["mobile_app_former_phone"], user_ids=["former-user"]
    )
    assert visitors.links_of(household.id) == (
        ["mobile_app_former_phone"],
        ["former-user"],
    )
    await desk.move_out(unit=UNIT)
    assert household.id not in community.links
    assert visitors.links_of(household.id) == ([], [])
    assert await community.run(community.db.links) == {}
    await community.add_household(UNIT)
    assert visitors.links_of(household.id) == ([], [])
    await community.async_close()

    restarted = await open_community(tmp_path)
    try:
        assert restarted.links == {}
    finally:
        await restarted.async_close()


async def test_moving_out_one_person_keeps_the_links(community: Community) -> None:
    desk = CardDesk(community)
    visitors = VisitorDesk(community)
    await resident(community)
    tenant = await resident(community, "李四", Role.TENANT)
    await visitors.link_household(UNIT, notify_services=["phone"], user_ids=["u"])
    await desk.move_out(person_id=tenant.id)
    assert visitors.links_of(community.household(UNIT).id) == (["phone"], ["u"])


async def test_move_out_refuses_waiting_visitors(community: Community) -> None:
    desk = CardDesk(community)
    visitors = VisitorDesk(community)
    await resident(community)
    events: list[tuple[str, dict[str, Any]]] = []
    community.add_event_listener(lambda name, data: events.append((name, data)))
    now = datetime.now(UTC)
    pending = await visitors.register(
        unit=UNIT,
        name="钱多多",
        id_number=make_id_number(950),
        phone="13900001111",
        now=now,
    )
    expected = (
        await visitors.preregister(
            unit=UNIT,
            name="孙悟空",
            phone="13900002222",
            window_from=now + timedelta(hours=1),
            window_until=now + timedelta(hours=3),
        )
    ).visit
    on_site = await visitors.register(
        unit=UNIT,
        name="猪八戒",
        id_number=make_id_number(951),
        phone="13900003333",
        now=now,
    )
    approved = (await visitors.approve(on_site.id, now=now)).visit
    events.clear()

    await desk.move_out(unit=UNIT)

    assert pending.id not in visitors.visits
    assert expected.id not in visitors.visits
    for visit_id in (pending.id, expected.id):
        row = await community.run(community.db.visit_row, visit_id)
        assert row["status"] == VisitStatus.CLOSED
        assert row["close_reason"] == "host_moved_out"
    # A visitor already let in leaves as usual (the pass ends, the card comes back).
    assert visitors.visits[approved.id].status is VisitStatus.APPROVED
    refused = [(n, d["visit_id"], d["reason"]) for n, d in events if "visit_id" in d]
    assert sorted(refused) == sorted(
        [
            ("visitor_refused", pending.id, "host_moved_out"),
            ("visitor_refused", expected.id, "host_moved_out"),
        ]
    )
    assert [n for n, _ in events if n == "moved_out"] == ["moved_out"]
    await expect_error("unknown_visit", visitors.approve(pending.id))

    # The next household's visitors are its own.
    await community.add_household(UNIT)
    fresh = await visitors.register(
        unit=UNIT,
        name="沙和尚",
        id_number=make_id_number(952),
        phone="13900004444",
    )
    assert visitors.visits[fresh.id].status is VisitStatus.PENDING
