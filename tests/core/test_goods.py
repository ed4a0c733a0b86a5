"""Goods passes, checks of goods, renovations, viewers and group visits (core rules)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
import json

import pytest
from sqlalchemy import select

from custom_components.community_access.core.community import Community
from custom_components.community_access.core.decision import Decision, Reason
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.models import CredentialKind, Role
from custom_components.community_access.core.operations.goods import (
    GoodsDesk,
    PassCheck,
    code_from_input,
    day_window,
    qr_payload,
)
from custom_components.community_access.core.operations.group_visits import (
    GroupVisitBook,
)
from custom_components.community_access.core.operations.renovation import (
    RenovationBook,
    refusal,
)
from custom_components.community_access.core.schema import goods_passes
from custom_components.community_access.core.storage import AuditQuery, AuditRecord
from custom_components.community_access.core.visitors import (
    ESCORT_WINDOW,
    EscortWatch,
    VisitorDesk,
)

from .common import TZ, make_id_number

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


async def _household(community: Community, unit: str = "3-2-501") -> int:
    household = await community.add_household(unit)
    return household.id


async def test_issue_and_verify_once(community: Community) -> None:
    await _household(community)
    owner = await community.add_person(name="赵磊", role=Role.OWNER, unit="3-2-501")
    desk = GoodsDesk(community)
    start, end = day_window(date(2026, 6, 1), TZ)
    issued = await desk.issue(
        unit="3-2-501",
        items=["Sofa", " ", "TV set"],
        person_id=owner.id,
        large_or_valuable=True,
        valid_from=start,
        valid_until=end,
        issued_by="user-1",
        now=NOW,
    )
    assert len(issued.code) == 8 and issued.code.isdigit()
    assert issued.goods_pass.items == ("Sofa", "TV set")
    # Only a keyed hash of the code is stored.
    with community.db.transaction() as tx:
        row = tx.conn.execute(select(goods_passes)).mappings().one()
    assert issued.code not in json.dumps(dict(row), default=str)
    assert row["code_digest"] == community.vault.digest("goods_pass", issued.code)

    qr = qr_payload("abcd1234", issued.code)
    first = await desk.verify(qr, door_id="gate", by="guard-1", now=NOW)
    assert first.status is PassCheck.VALID
    assert first.goods_pass is not None
    assert first.goods_pass.used_door_id == "gate"
    second = await desk.verify(
        issued.code, door_id="gate", now=NOW + timedelta(hours=1)
    )
    assert second.status is PassCheck.USED
    assert second.goods_pass is not None
    assert second.goods_pass.used_at == NOW
    assert second.goods_pass.used_by == "guard-1"
    # The audit trail names the pass, never the code.
    actions = await community.admin_actions()
    assert [a.action for a in actions] == ["goods_pass_used"]
    assert issued.code not in json.dumps(actions[0].details)
    assert actions[0].details == {
        "goods_pass_id": issued.goods_pass.id,
        "unit": "3-2-501",
        "door_id": "gate",
    }


async def test_wrong_day_and_unknown_codes(community: Community) -> None:
    await _household(community)
    desk = GoodsDesk(community)
    start, end = day_window(date(2026, 6, 2), TZ)
    issued = await desk.issue(
        unit="3-2-501", items=["Bike"], valid_from=start, valid_until=end
    )
    early = await desk.verify(issued.code, door_id="gate", now=NOW)
    assert early.status is PassCheck.NOT_YET_VALID
    late = await desk.verify(issued.code, door_id="gate", now=NOW + timedelta(days=2))
    assert late.status is PassCheck.EXPIRED
    # Refusals do not use the pass.
    ok = await desk.verify(issued.code, door_id="gate", now=NOW + timedelta(days=1))
    assert ok.status is PassCheck.VALID
    wrong = f"{(int(issued.code) + 1) % 10**8:08d}"
    assert (await desk.verify(wrong, door_id="gate")).status is PassCheck.INVALID
    assert (await desk.verify("12ab", door_id="gate")).status is PassCheck.INVALID


def test_day_window_is_the_local_day() -> None:
    start, end = day_window(date(2026, 6, 1), TZ)
    assert start.astimezone(UTC) == datetime(2026, 5, 31, 16, 0, tzinfo=UTC)
    assert end - start == timedelta(days=1)
    assert code_from_input("CAGP:abc:1234 5678") == "12345678"
    assert code_from_input(" 1234-5678 ") == "12345678"


async def test_issue_refusals(community: Community) -> None:
    await _household(community)
    await _household(community, "1-1-101")
    neighbour = await community.add_person(name="孙丽", role=Role.OWNER, unit="1-1-101")
    desk = GoodsDesk(community)
    start, end = NOW, NOW + timedelta(hours=3)
    cases = [
        ({"items": []}, "invalid_goods_items"),
        ({"items": ["x" * 101]}, None),  # cut to 100, not refused
        ({"items": ["ok"] * 31}, "invalid_goods_items"),
        ({"items": ["a\u202eb"]}, "invalid_goods_items"),
        ({"items": ["ok"], "valid_until": start}, "invalid_goods_window"),
        (
            {"items": ["ok"], "valid_until": start + timedelta(days=8)},
            "invalid_goods_window",
        ),
        ({"items": ["ok"], "person_id": neighbour.id}, "person_not_in_household"),
    ]
    for extra, key in cases:
        fields = {"valid_from": start, "valid_until": end} | extra
        if key is None:
            issued = await desk.issue(unit="3-2-501", **fields)
            assert issued.goods_pass.items == ("x" * 100,)
            continue
        with pytest.raises(CommunityError) as err:
            await desk.issue(unit="3-2-501", **fields)
        assert err.value.key == key, extra


async def test_inspect_goods_with_and_without_pass(community: Community) -> None:
    await _household(community)
    desk = GoodsDesk(community)
    check = await desk.inspect(note="Toolbox checked, own tools", door_id="gate")
    assert check.goods_pass_id is None and check.household_id is None
    issued = await desk.issue(
        unit="3-2-501", items=["TV"], valid_from=NOW, valid_until=NOW + timedelta(1)
    )
    second = await desk.inspect(
        note="TV matches the pass", goods_pass_id=issued.goods_pass.id, unit="3-2-501"
    )
    assert second.household_id is not None
    assert [c.id for c in await desk.checks()] == [second.id, check.id]
    with pytest.raises(CommunityError) as err:
        await desk.inspect(note="  ")
    assert err.value.key == "goods_check_note_required"
    with pytest.raises(CommunityError) as err:
        await desk.inspect(note="x", goods_pass_id=999)
    assert err.value.key == "unknown_goods_pass"


async def test_list_passes_filters(community: Community) -> None:
    await _household(community)
    await _household(community, "1-1-101")
    desk = GoodsDesk(community)
    window = {"valid_from": NOW, "valid_until": NOW + timedelta(hours=2)}
    a = await desk.issue(unit="3-2-501", items=["A"], **window)
    b = await desk.issue(unit="1-1-101", items=["B"], **window)
    later = {
        "valid_from": NOW + timedelta(days=3),
        "valid_until": NOW + timedelta(days=4),
    }
    c = await desk.issue(unit="3-2-501", items=["C"], **later)
    await desk.verify(a.code, door_id="gate", now=NOW)
    ids = [p.id for p in await desk.passes()]
    assert ids == [c.goods_pass.id, b.goods_pass.id, a.goods_pass.id]
    assert [p.id for p in await desk.passes(unit="3-2-501", used=False)] == [
        c.goods_pass.id
    ]
    assert [p.id for p in await desk.passes(used=True)] == [a.goods_pass.id]
    assert [
        p.id for p in await desk.passes(start=NOW + timedelta(days=1), end=None)
    ] == [c.goods_pass.id]


# ---- renovations
def _grant(person_id: int, at: datetime) -> Decision:
    return Decision(True, Reason.GRANTED, "gate", CredentialKind.CARD, at, 1, person_id)


async def _contractor(community: Community, unit: str = "3-2-501") -> int:
    person = await community.add_person(
        name="钱工",
        role=Role.CONTRACTOR,
        unit=unit,
        id_number=make_id_number(7),
    )
    return person.id


async def test_renovation_period_and_cancel(community: Community) -> None:
    await _household(community)
    worker = await _contractor(community)
    book = RenovationBook(community)
    await book.async_load()
    start, end = NOW, NOW + timedelta(days=10)
    renovation = await book.register(
        unit="3-2-501",
        company="安居装饰",
        start=start,
        end=end,
        materials=["Electric drill", "Tiles"],
        contractor_ids=[worker, worker],
    )
    assert renovation.contractor_ids == (worker,)
    assert book.check(_grant(worker, NOW + timedelta(days=1))).granted
    early = book.check(_grant(worker, NOW - timedelta(hours=1)))
    assert (early.granted, early.reason) == (False, Reason.NOT_YET_VALID)
    after = book.check(_grant(worker, end))
    assert (after.granted, after.reason) == (False, Reason.EXPIRED)
    # Someone named on no renovation is not affected.
    assert book.check(_grant(worker + 100, end)).granted
    # Read back from the database as registered.
    again = RenovationBook(community)
    await again.async_load()
    assert again.for_person(worker, NOW) == renovation
    cancelled = await book.cancel(renovation.id, by="admin")
    assert cancelled.cancelled_at is not None
    refused = book.check(_grant(worker, NOW + timedelta(days=1)))
    assert refused.reason is Reason.EXPIRED
    await again.async_load()
    assert again.check(_grant(worker, NOW + timedelta(days=1))).reason is (
        Reason.EXPIRED
    )
    actions = [a.action for a in await community.admin_actions()]
    assert actions == ["renovation_cancelled", "renovation_registered"]


async def test_renovation_refusals(community: Community) -> None:
    await _household(community)
    await _household(community, "1-1-101")
    other = await _contractor(community, "1-1-101")
    owner = await community.add_person(name="赵磊", role=Role.OWNER, unit="3-2-501")
    book = RenovationBook(community)
    fields = {"unit": "3-2-501", "company": "安居装饰", "start": NOW}
    for extra, key in (
        ({"end": NOW}, "invalid_renovation_period"),
        ({"end": NOW + timedelta(days=400)}, "invalid_renovation_period"),
        (
            {"end": NOW + timedelta(1), "contractor_ids": [other]},
            "invalid_renovation_contractor",
        ),
        (
            {"end": NOW + timedelta(1), "contractor_ids": [owner.id]},
            "invalid_renovation_contractor",
        ),
        ({"end": NOW + timedelta(1), "company": " "}, "invalid_company"),
    ):
        with pytest.raises(CommunityError) as err:
            await book.register(**(fields | extra))
        assert err.value.key == key
    with pytest.raises(CommunityError) as err:
        await book.cancel(42)
    assert err.value.key == "unknown_renovation"


async def test_refusal_with_several_renovations(community: Community) -> None:
    await _household(community)
    worker = await _contractor(community)
    book = RenovationBook(community)
    past = await book.register(
        unit="3-2-501",
        company="甲公司",
        start=NOW - timedelta(days=30),
        end=NOW - timedelta(days=20),
        contractor_ids=[worker],
    )
    assert refusal(book.by_person[worker], NOW) is Reason.EXPIRED
    await book.register(
        unit="3-2-501",
        company="乙公司",
        start=NOW + timedelta(days=1),
        end=NOW + timedelta(days=5),
        contractor_ids=[worker],
    )
    # A renovation still to come: not yet; during it: in; the latest shown after.
    assert refusal(book.by_person[worker], NOW) is Reason.NOT_YET_VALID
    assert refusal(book.by_person[worker], NOW + timedelta(days=2)) is None
    latest = book.for_person(worker, NOW + timedelta(days=9))
    assert latest is not None and latest.company == "乙公司"
    assert book.for_person(worker, NOW - timedelta(days=25)) == past
    assert refusal([], NOW) is None


# ---- accompanied viewers
def _record(
    person_id: int, door: str, at: datetime, granted: bool = True
) -> AuditRecord:
    return AuditRecord(
        at=at, granted=granted, reason="granted", door_id=door, person_id=person_id
    )


async def test_escort_watch(community: Community) -> None:
    await _household(community)
    staff = await community.add_person(name="李销售", role=Role.STAFF)
    resident = await community.add_person(name="赵磊", role=Role.OWNER, unit="3-2-501")
    desk = VisitorDesk(community)
    result = await desk.preregister(
        unit="3-2-501",
        name="看房客",
        phone="13900001111",
        window_from=NOW,
        window_until=NOW + timedelta(hours=2),
        escort_person_id=staff.id,
    )
    assert result.visit.escort_person_id == staff.id
    approved = await desk.check_in(code=result.code, now=NOW)
    credential_id = approved.visit.credential_id
    watch = EscortWatch(community)

    def viewer(at: datetime, door: str = "gate") -> Decision:
        return Decision(
            True, Reason.GRANTED, door, CredentialKind.PIN, at, credential_id
        )

    alone = watch.check(viewer(NOW))
    assert (alone.granted, alone.reason) == (False, Reason.NOT_ACCOMPANIED)
    # A resident's entry or a refused one does not count.
    watch.note(_record(resident.id, "gate", NOW))
    watch.note(_record(staff.id, "gate", NOW, granted=False))
    assert not watch.check(viewer(NOW)).granted
    watch.restore([_record(staff.id, "gate", NOW)])
    assert watch.check(viewer(NOW + ESCORT_WINDOW)).granted
    assert not watch.check(viewer(NOW + ESCORT_WINDOW + timedelta(seconds=1))).granted
    # The same door: the escort's gate entry does not open building 3.
    assert not watch.check(viewer(NOW + timedelta(minutes=1), "b3")).granted
    # Other visitors are not concerned.
    other = Decision(True, Reason.GRANTED, "gate", CredentialKind.CARD, NOW, 999)
    assert watch.check(other) is other
    with pytest.raises(CommunityError) as err:
        await desk.preregister(
            unit="3-2-501",
            name="看房客",
            phone="13900001111",
            window_from=NOW,
            window_until=NOW + timedelta(hours=2),
            escort_person_id=resident.id,
        )
    assert err.value.key == "escort_not_staff"


# ---- group visits
async def test_group_visits(community: Community) -> None:
    staff = await community.add_person(name="王经理", role=Role.STAFF)
    book = GroupVisitBook(community)
    first = await book.record(
        organisation="街道办事处",
        people=6,
        host_person_id=staff.id,
        door_id="gate",
        now=NOW,
    )
    assert first.host == "王经理"
    second = await book.record(
        organisation="消防支队", people=3, host="物业前台", now=NOW + timedelta(1)
    )
    listed = await book.listed()
    assert [v.id for v in listed] == [second.id, first.id]
    assert [v.id for v in await book.listed(end=NOW + timedelta(hours=1))] == [first.id]
    assert [v.id for v in await book.listed(start=NOW + timedelta(hours=1))] == [
        second.id
    ]
    for fields, key in (
        ({"people": 0}, "invalid_group_size"),
        ({"people": 2, "door_id": "nope"}, "unknown_door"),
        ({"people": 2, "organisation": ""}, "invalid_organisation"),
    ):
        with pytest.raises(CommunityError) as err:
            await book.record(**({"organisation": "x"} | fields))
        assert err.value.key == key
    assert await community.query_access_log(AuditQuery()) == []
