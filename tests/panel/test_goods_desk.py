"""Goods passes at the gate desk and on My home (websocket commands)."""

from __future__ import annotations

from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from homeassistant.core import HomeAssistant
from tests.helpers import call
from tests.panel.common import OTHER_UNIT, UNIT, make_desk, valid_id


async def test_resident_issues_and_guard_verifies(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    desk = await make_desk(hass, hass_ws_client)
    person_id = desk.ids["resident"]["person_id"]
    issued = await desk.ok(
        "resident",
        "home/issue_goods_pass",
        unit=UNIT,
        items=["Sofa", "Desk"],
        person_id=person_id,
        large_or_valuable=True,
        note="Moving to the new flat",
    )
    assert len(issued["code"]) == 8
    assert issued["unit"] == UNIT and issued["items"] == ["Sofa", "Desk"]
    # Someone of another household on the pass: refused.
    other = desk.ids["neighbour"]["person_id"]
    error = await desk.error(
        "resident", "home/issue_goods_pass", unit=UNIT, items=["x"], person_id=other
    )
    assert error["code"] == "unauthorized"
    checked = await desk.ok(
        "guard", "gate/verify_goods_pass", code=issued["code"], door_id="door_gate"
    )
    assert checked["valid"] is True
    assert checked["items"] == ["Sofa", "Desk"]
    assert checked["unit"] == UNIT
    assert checked["person"] == "赵*"
    assert checked["issued_by"] == "R*******"
    assert "code" not in checked
    again = await desk.ok(
        "guard", "gate/verify_goods_pass", code=issued["code"], door_id="door_gate"
    )
    assert again["status"] == "used" and again["used_door"] == "Main gate"
    error = await desk.error(
        "guard", "gate/verify_goods_pass", code=issued["code"], door_id="nope"
    )
    assert error["code"] == "unknown_door"
    # An admin may issue for any household.
    theirs = await desk.ok(
        "admin", "home/issue_goods_pass", unit=OTHER_UNIT, items=["Piano"]
    )
    assert theirs["unit"] == OTHER_UNIT


async def test_guard_inspects_goods(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    desk = await make_desk(hass, hass_ws_client)
    check = await desk.ok(
        "guard",
        "gate/inspect_goods",
        note="Copper cable, no pass; owner called",
        door_id="door_gate",
        unit=UNIT,
    )
    assert check["door_id"] == "door_gate" and check["goods_pass_id"] is None
    error = await desk.error("guard", "gate/inspect_goods", note="x", goods_pass_id=9)
    assert error["code"] == "unknown_goods_pass"


async def test_people_search_shows_a_contractors_renovation(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    desk = await make_desk(hass, hass_ws_client)
    worker = await call(
        hass,
        "register_contractor",
        {
            "unit": UNIT,
            "name": "钱师傅",
            "id_number": valid_id("11010519800101001"),
            "valid_until": "2099-01-01T00:00:00+08:00",
        },
    )
    assert isinstance(worker, dict)
    await call(
        hass,
        "register_renovation",
        {
            "unit": UNIT,
            "company": "安居装饰",
            "start": "2020-01-01T08:00:00+08:00",
            "end": "2020-06-01T08:00:00+08:00",
            "contractor_ids": [worker["person_id"]],
        },
    )
    found = await desk.ok("guard", "gate/people_search", query="钱")
    assert [p["person_id"] for p in found] == [worker["person_id"]]
    assert found[0]["renovation"]["company"] == "安居装饰"
    assert found[0]["renovation"]["current"] is False
    resident = await desk.ok("guard", "gate/people_search", query="赵")
    assert "renovation" not in resident[0]
