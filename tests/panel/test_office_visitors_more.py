"""The office's visitor pieces: pre-registration, the watch list, public notices.

Also My home's side: the host household sees its own visitor's full name,
and the community's public notices as they were published (names masked).
"""

from __future__ import annotations

import json
from typing import Any

from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.community_access.core.privacy import mask_id_number, mask_name
from homeassistant.core import HomeAssistant
from tests.panel.common import OTHER_UNIT, UNIT, VISITOR_ID, make_desk, visitor

START = "2030-01-01T10:00:00+08:00"
END = "2030-01-01T12:00:00+08:00"


def no_id_number(data: Any) -> None:
    """Neither the ID number nor its masked form anywhere in an answer."""
    text = json.dumps(data, ensure_ascii=False)
    assert VISITOR_ID not in text
    assert mask_id_number(VISITOR_ID) not in text
    assert "id_number" not in text


async def test_office_preregisters_a_visitor(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    desk = await make_desk(hass, hass_ws_client)
    community = desk.entry.runtime_data.community
    visit = await desk.ok(
        "admin",
        "office/preregister_visitor",
        unit=UNIT,
        name="李雷",
        phone="13900002222",
        start=START,
        end=END,
        id_number=VISITOR_ID,
    )
    assert visit["status"] == "expected" and visit["pre_registered"] is True
    assert visit["visitor_name"] == "李雷" and visit["unit"] == UNIT
    assert visit["window_start"] == "2030-01-01T02:00:00+00:00"
    assert visit["window_end"] == "2030-01-01T04:00:00+00:00"
    assert visit["code"] and len(visit["code"]) == 8  # the check-in code, once
    no_id_number(visit)
    stored = community.visits[visit["visit_id"]]
    assert stored.decided_by == desk.users["admin"].id
    listed = await desk.ok("admin", "office/visits", status=["expected"])
    assert listed["total"] == 1
    assert listed["items"][0]["visit_id"] == visit["visit_id"]
    assert "code" not in listed["items"][0]

    # The end before the start: a translated error, nothing stored.
    error = await desk.error(
        "admin",
        "office/preregister_visitor",
        unit=UNIT,
        name="李雷",
        phone="13900002222",
        start=END,
        end=START,
        language="zh-Hans",
    )
    assert error["code"] == "invalid_visit_window"
    assert error["message"] and "{" not in error["message"]
    error = await desk.error(
        "admin",
        "office/preregister_visitor",
        unit="9-9-909",
        name="李雷",
        phone="13900002222",
        start=START,
        end=END,
    )
    assert error["code"] == "unknown_household"
    assert len(community.visits) == 1


async def test_watch_list_bars_and_unbars_without_showing_the_id_number(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    desk = await make_desk(hass, hass_ws_client)
    answers: list[Any] = []
    empty = await desk.ok("admin", "office/watchlist")
    assert empty == {"total": 0, "items": []}

    added = await desk.ok(
        "admin",
        "office/bar_visitor",
        name="钱多多",
        id_number=VISITOR_ID,
        reason="上次来访损坏门禁",
    )
    answers.append(added)
    assert added["name"] == "钱多多"
    assert added["reason"] == "上次来访损坏门禁"
    assert added["by"] == desk.users["admin"].id
    assert added["added_at"] and added["watch_id"]
    listed = await desk.ok("admin", "office/watchlist")
    answers.append(listed)
    assert listed == {"total": 1, "items": [added]}

    # Barred twice: a clean, translated error.
    error = await desk.error(
        "admin", "office/bar_visitor", name="钱多多", id_number=VISITOR_ID
    )
    answers.append(error)
    assert error["code"] == "visitor_already_barred"
    # A bad ID number is refused before anything is stored.
    error = await desk.error(
        "admin", "office/bar_visitor", name="某人", id_number="123"
    )
    assert error["code"] == "invalid_id_number"

    # The guard cannot register the barred visitor.
    error = await desk.error("guard", "gate/register_visitor", **visitor())
    assert error["code"] == "visitor_barred"
    # Nor may the office pre-register them.
    error = await desk.error(
        "admin",
        "office/preregister_visitor",
        unit=UNIT,
        name="钱多多",
        phone="13900001111",
        start=START,
        end=END,
        id_number=VISITOR_ID,
    )
    assert error["code"] == "visitor_barred"

    removed = await desk.ok("admin", "office/unbar_visitor", watch_id=added["watch_id"])
    answers.append(removed)
    assert removed["watch_id"] == added["watch_id"]
    assert (await desk.ok("admin", "office/watchlist"))["total"] == 0
    # Who lifted the bar is in the administrators' audit trail (no ID number).
    community = desk.entry.runtime_data.community
    (action,) = [
        a for a in await community.admin_actions() if a.action == "watchlist_lifted"
    ]
    assert action.actor == desk.users["admin"].id
    assert action.details == {"watch_id": added["watch_id"], "name": "钱多多"}
    error = await desk.error(
        "admin", "office/unbar_visitor", watch_id=added["watch_id"], language="zh-Hans"
    )
    assert error["code"] == "watchlist_entry_unknown"
    assert error["message"] and "{" not in error["message"]

    visit = await desk.ok("guard", "gate/register_visitor", **visitor())
    assert visit["status"] == "pending"
    no_id_number(answers)


async def test_public_notices_full_for_the_office_masked_for_residents(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    desk = await make_desk(hass, hass_ws_client)
    resident = desk.ids["resident"]
    person_id = resident["person_id"]
    warning = await desk.ok(
        "admin", "office/apply_penalty", person_id=person_id, kind="warning"
    )
    notice = await desk.ok(
        "admin",
        "office/apply_penalty",
        person_id=person_id,
        kind="public_notice",
        note="多次出借门禁卡",
    )
    listed = await desk.ok("admin", "office/notices")
    assert listed["total"] == 1  # only public notices, not the warning
    item = listed["items"][0]
    assert item["penalty_id"] == notice["penalty_id"] != warning["penalty_id"]
    assert item["person_name"] == "赵磊" and item["unit"] == UNIT
    assert item["note"] == "多次出借门禁卡"
    assert item["start"] and "end" in item
    assert (
        "第十九条"
        in (await desk.ok("admin", "office/notices", language="zh-Hans"))["items"][0][
            "regulation"
        ]
    )
    assert "Article 19" in item["regulation"]

    # A neighbour sees the notice as published: the name masked.
    home = await desk.ok("neighbour", "home/notices", unit=OTHER_UNIT)
    assert home["total"] == 1
    shown = home["items"][0]
    assert shown["person_name"] == mask_name("赵磊") != "赵磊"
    assert shown["unit"] == UNIT and shown["penalty_id"] == notice["penalty_id"]
    assert "赵磊" not in json.dumps(home, ensure_ascii=False)
    assert shown["note"] is None  # the office's note is not published
    assert "多次出借门禁卡" not in json.dumps(home, ensure_ascii=False)
    assert "person_id" not in shown
    overview = await desk.ok("neighbour", "home/overview", unit=OTHER_UNIT)
    assert overview["notice"] == shown
    # The overview's notice is read from the database, not kept in memory
    # only: a restart (the in-memory latest notice gone) still shows it.
    desk.entry.runtime_data.last_notice = None
    overview = await desk.ok("neighbour", "home/overview", unit=OTHER_UNIT)
    assert overview["notice"] == shown

    # Lifted: no longer active, still in the office's full list.
    await desk.ok("admin", "office/lift_penalty", penalty_id=notice["penalty_id"])
    assert (await desk.ok("admin", "office/notices"))["total"] == 0
    every = await desk.ok("admin", "office/notices", active_only=False)
    assert [i["penalty_id"] for i in every["items"]] == [notice["penalty_id"]]
    assert (await desk.ok("neighbour", "home/notices", unit=OTHER_UNIT))["total"] == 0
    # ... and gone from My home's overview.
    overview = await desk.ok("neighbour", "home/overview", unit=OTHER_UNIT)
    assert overview["notice"] is None


async def test_host_sees_their_own_visitor_in_full(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    desk = await make_desk(hass, hass_ws_client)
    home_sub, _ = await desk.subscribe("resident", "home/subscribe", unit=UNIT)
    visit = await desk.ok("guard", "gate/register_visitor", **visitor())
    pushed = await desk.event("resident", home_sub)
    assert pushed["visit"]["visitor_name"] == "钱多多"
    overview = await desk.ok("resident", "home/overview", unit=UNIT)
    assert [v["visitor_name"] for v in overview["pending"]] == ["钱多多"]
    denied = await desk.ok(
        "resident", "home/deny_visit", unit=UNIT, visit_id=visit["visit_id"]
    )
    assert denied["visitor_name"] == "钱多多"
    no_id_number([pushed, overview, denied])
    # The neighbour's overview never lists it.
    other = await desk.ok("neighbour", "home/overview", unit=OTHER_UNIT)
    assert other["pending"] == [] and other["upcoming"] == []
