"""The gate desk and My home doing their real work, live, for their callers."""

from __future__ import annotations

import json
from typing import Any

from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.core.models import VisitStatus
from homeassistant.core import HomeAssistant
from homeassistant.helpers.dispatcher import DATA_DISPATCHER
from tests.helpers import CARD, ID_NUMBER, add_resident, call, present
from tests.panel.common import (
    OTHER_ID,
    OTHER_UNIT,
    UNIT,
    VISITOR_ID,
    make_desk,
    visitor,
)


def no_id_numbers(data: Any) -> None:
    """No ID number, in clear or masked, anywhere in an answer."""
    text = json.dumps(data, ensure_ascii=False)
    for number in (VISITOR_ID, ID_NUMBER, OTHER_ID):
        assert number not in text
    assert "id_number" not in text


async def test_visitor_registered_at_the_gate_approved_by_the_host_live(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    desk = await make_desk(hass, hass_ws_client)
    community = desk.entry.runtime_data.community
    gate_sub, snapshot = await desk.subscribe("guard", "gate/subscribe")
    assert snapshot["pending"] == [] and snapshot["recent"] == []
    home_sub, home = await desk.subscribe("resident", "home/subscribe", unit=UNIT)
    assert home["unit"] == UNIT and home["pending"] == []
    neighbour_sub, _ = await desk.subscribe(
        "neighbour", "home/subscribe", unit=OTHER_UNIT
    )

    visit = await desk.ok("guard", "gate/register_visitor", **visitor())
    vid = visit["visit_id"]
    assert visit["status"] == "pending"
    assert visit["visitor_name"] == "钱多多"  # the visitor the guard handles
    assert visit["unit"] == UNIT
    no_id_numbers(visit)
    assert community.visits[vid].decided_by == desk.users["guard"].id

    pushed = await desk.event("guard", gate_sub)
    assert pushed == {"visit": visit}
    pushed = await desk.event("resident", home_sub)
    assert pushed["visit"]["visit_id"] == vid
    assert pushed["visit"]["visitor_name"] == "钱多多"  # the host's own guest, in full

    overview = await desk.ok("resident", "home/overview", unit=UNIT)
    assert [v["visit_id"] for v in overview["pending"]] == [vid]

    approved = await desk.ok("resident", "home/approve_visit", unit=UNIT, visit_id=vid)
    assert approved["status"] == "approved"
    assert approved["code"] and len(approved["code"]) == 6  # the visitor's PIN
    assert community.visits[vid].status is VisitStatus.APPROVED
    assert community.visits[vid].decided_by == desk.users["resident"].id
    pushed = await desk.event("guard", gate_sub)
    assert pushed["visit"]["visit_id"] == vid
    assert pushed["visit"]["status"] == "approved"
    assert "code" not in pushed["visit"]  # the PIN goes to the approver only
    pushed = await desk.event("resident", home_sub)
    assert pushed["visit"]["status"] == "approved"

    # The PIN opens the gate: the guard's subscription gets the record.
    assert (await present(hass, "Main gate", approved["code"], "pin"))["granted"]
    await hass.async_block_till_done()
    first = await desk.event("guard", gate_sub)
    second = await desk.event("guard", gate_sub)
    record = first.get("record") or second.get("record")
    on_site = first.get("visit") or second.get("visit")
    assert record["granted"] is True and record["door_id"] == "door_gate"
    assert record["person_name"] == "钱**" and record["record_id"]
    assert on_site["status"] == "on_site"
    pushed = await desk.event("resident", home_sub)
    assert pushed["visit"]["status"] == "on_site"
    gate = await desk.ok("guard", "gate/overview")
    assert [v["visit_id"] for v in gate["on_site"]] == [vid]
    assert gate["recent"][0]["record_id"] == record["record_id"]

    # Checked out: the closed visit is pushed too (read back from the database).
    left = await desk.ok("guard", "gate/check_out", visit_id=vid, card_returned=True)
    assert left["status"] == "closed" and left["close_reason"] == "checked_out"
    pushed = await desk.event("guard", gate_sub)
    assert pushed["visit"]["status"] == "closed"
    pushed = await desk.event("resident", home_sub)
    assert pushed["visit"]["status"] == "closed"
    assert vid not in community.visits

    # The neighbour's subscription saw none of it; unsubscribing ends it.
    assert not desk.pending.get("neighbour")
    signal = f"{DOMAIN}_{desk.entry.entry_id}_panel_visit"
    listeners = len(hass.data[DATA_DISPATCHER][signal])
    socket = desk.sockets["neighbour"]
    await socket.send_json_auto_id(
        {"type": "unsubscribe_events", "subscription": neighbour_sub}
    )
    answer = await socket.receive_json()
    assert answer["success"], answer
    assert len(hass.data[DATA_DISPATCHER][signal]) == listeners - 1


async def test_host_denies_and_admin_may_answer_any_unit(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    desk = await make_desk(hass, hass_ws_client)
    community = desk.entry.runtime_data.community
    first = await desk.ok("guard", "gate/register_visitor", **visitor())
    denied = await desk.ok(
        "resident", "home/deny_visit", unit=UNIT, visit_id=first["visit_id"]
    )
    assert denied["status"] == "closed" and denied["close_reason"] == "denied"
    assert first["visit_id"] not in community.visits
    second = await desk.ok("admin", "gate/register_visitor", **visitor(name="周全"))
    approved = await desk.ok(
        "admin", "home/approve_visit", unit=UNIT, visit_id=second["visit_id"]
    )
    assert approved["status"] == "approved"
    # An answered visit cannot be answered again: a clean, translated error.
    error = await desk.error(
        "resident", "home/deny_visit", unit=UNIT, visit_id=second["visit_id"]
    )
    assert error["code"] == "visit_not_pending"


async def test_card_reported_lost_from_home_is_blocked_at_once(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    desk = await make_desk(hass, hass_ws_client)
    card = desk.ids["resident"]["credential_id"]
    overview = await desk.ok("resident", "home/overview", unit=UNIT)
    assert overview["people"] == [
        {
            "person_id": desk.ids["resident"]["person_id"],
            "name": "赵磊",
            "role": "owner",
            "status": "active",
        }
    ]
    assert [c["credential_id"] for c in overview["credentials"]] == [card]
    assert CARD not in json.dumps(overview)
    no_id_numbers(overview)
    assert overview["statement"]["deposits_held"] == 20.0

    lost = await desk.ok(
        "resident", "home/report_card_lost", unit=UNIT, credential_id=card
    )
    assert lost["status"] == "lost" and lost["credential_id"] == card
    decision = await present(hass, "Main gate", CARD)
    assert decision["granted"] is False and decision["reason"] == "lost"

    access = await desk.ok("resident", "home/access", unit=UNIT, language="zh-Hans")
    assert access["total"] == 1
    item = access["items"][0]
    assert item["granted"] is False and item["reason"] == "lost"
    assert item["reason_text"] == "已挂失"
    assert item["person_name"] == "赵磊"  # their own household, in full
    # The neighbour's household has no record.
    other = await desk.ok("neighbour", "home/access", unit=OTHER_UNIT)
    assert other == {"total": 0, "items": []}


async def test_preregistered_visitor_checked_in_at_the_gate(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    from datetime import timedelta

    from homeassistant.util import dt as dt_util

    desk = await make_desk(hass, hass_ws_client)
    now = dt_util.utcnow()
    announced = await desk.ok(
        "resident",
        "home/preregister_visitor",
        unit=UNIT,
        name="李雷",
        phone="13800002222",
        start=now.isoformat(),
        end=(now + timedelta(hours=2)).isoformat(),
    )
    assert announced["status"] == "expected" and len(announced["code"]) == 8
    gate = await desk.ok("guard", "gate/overview")
    assert [v["visitor_name"] for v in gate["expected_today"]] == ["李雷"]
    admitted = await desk.ok("guard", "gate/check_in", code=announced["code"])
    assert admitted["status"] == "approved" and admitted["code"]
    assert admitted["on_site_since"] is not None
    error = await desk.error("guard", "gate/check_in", code="00000000")
    assert error["code"] == "visit_not_found"


async def test_guard_verified_entry_and_people_search(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    desk = await make_desk(hass, hass_ws_client)
    gate_sub, _ = await desk.subscribe("guard", "gate/subscribe")
    found = await desk.ok("guard", "gate/people_search", query="3-2")
    person_id = desk.ids["resident"]["person_id"]
    assert found == [
        {"person_id": person_id, "name": "赵*", "unit": UNIT, "role": "owner"}
    ]
    assert await desk.ok("guard", "gate/people_search", query="孙") == [
        {
            "person_id": desk.ids["neighbour"]["person_id"],
            "name": "孙*",
            "unit": OTHER_UNIT,
            "role": "owner",
        }
    ]
    item = await desk.ok(
        "guard",
        "gate/guard_verified_entry",
        door_id="door_gate",
        person_id=person_id,
        note="no card",
    )
    assert item["granted"] is True and item["reason"] == "guard_verified"
    assert item["person_name"] == "赵*" and item["unit"] == UNIT
    pushed = await desk.event("guard", gate_sub)
    assert pushed["record"] == item
    # A building door of another building is refused by the core's rule.
    error = await desk.error(
        "guard", "gate/guard_verified_entry", door_id="door_b1", person_id=person_id
    )
    assert error["code"] == "guard_entry_wrong_door"


async def test_bad_input_is_a_clean_error(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    desk = await make_desk(hass, hass_ws_client)
    for bad in (True, 1.5, "abc", 0, 2**40):
        error = await desk.error(
            "guard", "gate/check_out", visit_id=bad, card_returned=True
        )
        assert error["code"] == "invalid_format", bad
    error = await desk.error("guard", "gate/register_visitor", **visitor(minutes=0))
    assert error["code"] == "invalid_format"
    error = await desk.error(
        "guard", "gate/register_visitor", **visitor(name="钱\u202e多多")
    )
    assert error["code"] == "invalid_name"
    error = await desk.error(
        "guard", "gate/register_visitor", language="zh-Hans", **visitor(id_number="123")
    )
    assert error["code"] == "invalid_id_number"
    assert error["message"] != "invalid_id_number"
    error = await desk.error("resident", "home/access", unit=UNIT, days=31)
    assert error["code"] == "invalid_format"
    error = await desk.error("admin", "home/overview", unit="9-9-909")
    assert error["code"] == "unknown_household"


async def test_unlinked_resident_stops_hearing_at_once(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    desk = await make_desk(hass, hass_ws_client)
    home_sub, _ = await desk.subscribe("resident", "home/subscribe", unit=UNIT)
    await desk.ok("guard", "gate/register_visitor", **visitor())
    assert (await desk.event("resident", home_sub))["visit"]["status"] == "pending"
    await call(hass, "link_household", {"unit": UNIT, "users": []})
    await desk.ok("guard", "gate/register_visitor", **visitor(name="周全"))
    # The next message on the resident's socket is this answer, not an event.
    assert await desk.ok("resident", "panels") == {"communities": []}
    assert not desk.pending.get("resident")
    error = await desk.error("resident", "home/overview", unit=UNIT)
    assert error["code"] == "unauthorized"


async def test_new_household_sees_nothing_of_the_former_one(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    """A unit re-occupied: My home shows only the current household."""
    desk = await make_desk(hass, hass_ws_client)
    former_card = desk.ids["resident"]["credential_id"]
    assert (await present(hass, "Main gate", CARD))["granted"]
    await call(hass, "move_out", {"unit": UNIT, "returned_card_ids": [former_card]})
    await call(hass, "add_household", {"unit": UNIT})
    new = await add_resident(hass, UNIT, "吴新", card="0077777777", id_number=OTHER_ID)
    await call(
        hass, "link_household", {"unit": UNIT, "users": [desk.users["resident"].id]}
    )
    overview = await desk.ok("resident", "home/overview", unit=UNIT)
    assert [p["name"] for p in overview["people"]] == ["吴新"]
    assert [c["credential_id"] for c in overview["credentials"]] == [
        new["credential_id"]
    ]
    assert "赵" not in json.dumps(overview, ensure_ascii=False)
    access = await desk.ok("resident", "home/access", unit=UNIT)
    assert access == {"total": 0, "items": []}
    error = await desk.error(
        "resident", "home/report_card_lost", unit=UNIT, credential_id=former_card
    )
    assert error["code"] == "unauthorized"


async def test_visitor_card_not_returned_is_overdue_at_the_gate(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    desk = await make_desk(hass, hass_ws_client)
    visit = await desk.ok(
        "guard", "gate/register_visitor", **visitor(card_number="0066666666")
    )
    assert visit["pass_kind"] == "card"
    approved = await desk.ok(
        "resident", "home/approve_visit", unit=UNIT, visit_id=visit["visit_id"]
    )
    assert approved["status"] == "approved" and approved["code"] is None
    kept = await desk.ok(
        "guard", "gate/check_out", visit_id=visit["visit_id"], card_returned=False
    )
    assert kept["status"] == "overdue"
    gate = await desk.ok("guard", "gate/overview")
    assert [v["visit_id"] for v in gate["overdue"]] == [visit["visit_id"]]
    assert gate["on_site"] == []
    # The card kept is blocked.
    assert not (await present(hass, "Main gate", "0066666666"))["granted"]


async def test_live_lists_keep_going_after_a_reload(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    """Saving the options reloads the entry: open pages keep hearing changes.

    The gate desk, My home and the office's access log stay subscribed
    across the reload and hear the new community's visits and records.
    """
    desk = await make_desk(hass, hass_ws_client)
    gate_sub, _ = await desk.subscribe("guard", "gate/subscribe")
    home_sub, _ = await desk.subscribe("resident", "home/subscribe", unit=UNIT)
    log_sub, _ = await desk.subscribe("admin", "office/subscribe_access")

    assert await hass.config_entries.async_reload(desk.entry.entry_id)
    await hass.async_block_till_done()

    visit = await desk.ok("guard", "gate/register_visitor", **visitor())
    assert (await desk.event("guard", gate_sub))["visit"] == visit
    pushed = await desk.event("resident", home_sub)
    assert pushed["visit"]["visit_id"] == visit["visit_id"]

    item = await desk.ok(
        "guard",
        "gate/guard_verified_entry",
        door_id="door_gate",
        person_id=desk.ids["resident"]["person_id"],
    )
    assert (await desk.event("guard", gate_sub))["record"] == item
    pushed = await desk.event("admin", log_sub)
    assert pushed["record"]["record_id"] == item["record_id"]
