"""Core pieces the panels read: paged and filtered records, the record feed,
the administrators' audit trail, the move-out preview, paged violations and
penalties, paged visits. A real SQLite file, as everywhere in the core tests.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from custom_components.community_access.core.carddesk import CardDesk
from custom_components.community_access.core.community import Community
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.models import (
    CredentialKind,
    PenaltyKind,
    Person,
    Role,
    ViolationKind,
)
from custom_components.community_access.core.rules import RuleBook
from custom_components.community_access.core.storage import AuditQuery, AuditRecord
from custom_components.community_access.core.visitors import VisitorDesk

from .common import TZ, make_id_number

AT = datetime(2024, 1, 1, 10, 0, tzinfo=TZ)
CARD = CredentialKind.CARD
CARD_A = "4700517391"
CARD_B = "4700528462"


async def _owner(community: Community, unit: str = "3-2-501") -> Person:
    if community.index.household_by_unit(unit) is None:
        await community.add_household(unit)
    return await community.add_person(
        name="赵磊", role=Role.OWNER, unit=unit, id_number=make_id_number(7)
    )


async def test_records_filtered_by_reason_paged_and_counted(
    community: Community,
) -> None:
    owner = await _owner(community)
    await CardDesk(community).issue_card(person_id=owner.id, card_number=CARD_A)
    for minute in range(5):
        await community.present("gate", CARD, CARD_A, AT + timedelta(minutes=minute))
    await community.present("b5", CARD, CARD_A, AT + timedelta(minutes=10))
    everything = AuditQuery(limit=100)
    assert await community.count_access_log(everything) == 6
    granted = AuditQuery(reason="granted", limit=2, offset=1)
    page = await community.query_access_log(granted)
    assert [r.at for r in page] == [
        AT + timedelta(minutes=3),
        AT + timedelta(minutes=2),
    ]
    assert await community.count_access_log(granted) == 5
    refused = AuditQuery(reason="zone_not_allowed")
    assert [r.door_id for r in await community.query_access_log(refused)] == ["b5"]
    assert await community.count_access_log(refused) == 1


async def test_record_listeners_get_each_record_with_its_id(
    community: Community,
) -> None:
    seen: list[AuditRecord] = []
    remove = community.add_record_listener(seen.append)
    await community.present("gate", CARD, CARD_A, AT)
    (record,) = seen
    assert record.id is not None
    assert record.reason == "unknown_credential"
    assert record.masked == "****7391"
    (stored,) = await community.query_access_log(AuditQuery())
    assert stored.id == record.id
    remove()
    await community.present("gate", CARD, CARD_A, AT)
    assert len(seen) == 1


async def test_admin_actions_round_trip(community: Community) -> None:
    assert await community.admin_actions() == []
    first = await community.record_admin_action(
        "access_log_export_full_names", actor="user-1", details={"rows": 3}, at=AT
    )
    second = await community.record_admin_action("other", actor=None, at=AT)
    assert second > first
    newest, oldest = await community.admin_actions()
    assert (newest.action, newest.actor, newest.details) == ("other", None, None)
    assert oldest.action == "access_log_export_full_names"
    assert oldest.actor == "user-1"
    assert oldest.details == {"rows": 3}
    assert oldest.at == AT


async def test_move_out_preview_matches_the_move_out(community: Community) -> None:
    desk = CardDesk(community)
    owner = await _owner(community)
    kept = await desk.issue_card(person_id=owner.id, card_number=CARD_A)
    handed = await desk.issue_card(person_id=owner.id, card_number=CARD_B)
    await community.add_credential(
        person_id=owner.id, kind=CredentialKind.PIN, value="583716"
    )
    await desk.report_lost(kept.credential.id)
    preview = desk.move_out_preview("3-2-501")
    assert [p.id for p in preview.persons] == [owner.id]
    assert [c.id for c in preview.returnable] == [handed.credential.id]
    assert [c.id for c in preview.kept] == [kept.credential.id]
    held = community.deposits_held_cents
    result = await desk.move_out(
        unit="3-2-501", returned_card_ids=[c.id for c in preview.returnable]
    )
    refunds = [e for e in result.ledger if e.kind.value == "refund"]
    kept_entries = [e for e in result.ledger if e.kind.value == "deposit_kept"]
    assert [e.credential_id for e in refunds] == [handed.credential.id]
    assert [e.credential_id for e in kept_entries] == [kept.credential.id]
    assert community.deposits_held_cents == held - 4000
    with pytest.raises(CommunityError) as err:
        desk.move_out_preview("3-2-501")
    assert err.value.key == "household_moved_out"


async def test_violations_and_penalties_paged(community: Community) -> None:
    book = RuleBook(community)
    owner = await _owner(community)
    for _ in range(3):
        await book.record_violation(
            kind=ViolationKind.TAILGATING,
            person_id=owner.id,
            apply_ladder=False,
        )
    assert await book.count_violations() == 3
    assert await book.count_violations(open_only=True) == 3
    page = await book.list_violations(offset=1, limit=1)
    everything = await book.list_violations()
    assert [v.id for v, _ in page] == [everything[1][0].id]
    fine = await book.apply_penalty(
        person_id=owner.id, kind=PenaltyKind.FINE, amount_cents=5000
    )
    await book.apply_penalty(person_id=owner.id, kind=PenaltyKind.WARNING)
    await book.lift_penalty(fine.id)
    total, active = await book.list_penalties(active_only=True)
    assert total == 1 and [p.kind for p in active] == [PenaltyKind.WARNING]
    total, some = await book.list_penalties(limit=1)
    assert total == 2 and len(some) == 1


async def test_visits_paged_by_status(community: Community) -> None:
    await _owner(community)
    desk = VisitorDesk(community)
    first = await desk.register(
        unit="3-2-501", name="钱多多", id_number=make_id_number(8), phone="13900001111"
    )
    second = await desk.register(
        unit="3-2-501", name="孙小美", id_number=make_id_number(9), phone="13900002222"
    )
    await desk.deny(second.id)
    total, visits = await community.run(community.db.visits_page, None, 0, 10)
    assert total == 2 and [v.id for v in visits] == [second.id, first.id]
    total, visits = await community.run(community.db.visits_page, ["pending"], 0, 10)
    assert total == 1 and [v.id for v in visits] == [first.id]
    total, visits = await community.run(community.db.visits_page, None, 1, 1)
    assert total == 2 and [v.id for v in visits] == [first.id]


async def test_public_notices_in_force_by_their_period(community: Community) -> None:
    """Only public notices; in force from their start until their end or lifting."""
    owner = await _owner(community)
    book = RuleBook(community)
    result = await book.record_violation(
        kind=ViolationKind.LENDING_CARD, person_id=owner.id, at=AT
    )
    await book.apply_penalty(person_id=owner.id, kind=PenaltyKind.WARNING, at=AT)
    first = await book.apply_penalty(
        person_id=owner.id,
        kind=PenaltyKind.PUBLIC_NOTICE,
        days=3,
        violation_id=result.violation.id,
        note="出借门禁卡",
        at=AT,
    )
    later = AT + timedelta(days=2)
    second = await book.apply_penalty(
        person_id=owner.id, kind=PenaltyKind.PUBLIC_NOTICE, days=3, at=later
    )
    # Before the second starts: only the first, with its violation's kind.
    total, found = await book.list_notices(at=AT + timedelta(days=1))
    assert total == 1
    assert [(p.id, kind) for p, kind in found] == [(first.id, "lending_card")]
    # Both in force; newest first.
    total, found = await book.list_notices(at=later + timedelta(hours=1))
    assert (total, [p.id for p, _ in found]) == (2, [second.id, first.id])
    # The first ended exactly at its end.
    assert first.end is not None
    total, found = await book.list_notices(at=first.end)
    assert [p.id for p, _ in found] == [second.id]
    assert found[0][1] is None  # no violation behind it
    # Lifted: gone from those in force, still in the whole list.
    await book.lift_penalty(second.id, at=later + timedelta(hours=2))
    total, _ = await book.list_notices(at=later + timedelta(hours=3))
    assert total == 1
    # ... though in force before it was lifted.
    total, _ = await book.list_notices(at=later + timedelta(hours=1))
    assert total == 2
    total, found = await book.list_notices(active_only=False, limit=1)
    assert total == 2 and [p.id for p, _ in found] == [second.id]
