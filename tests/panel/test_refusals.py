"""Every command checks its caller: a hidden panel is not security."""

from __future__ import annotations

from typing import Any

from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.community_access.core.models import CredentialStatus
from custom_components.community_access.core.operations.goods import GoodsDesk
from custom_components.community_access.core.storage import AuditQuery
from homeassistant.core import HomeAssistant
from tests.panel.common import OTHER_UNIT, UNIT, make_desk, visitor

GATE_COMMANDS: list[tuple[str, dict[str, Any]]] = [
    ("gate/overview", {}),
    ("gate/subscribe", {}),
    ("gate/register_visitor", visitor()),
    ("gate/check_in", {"code": "12345678"}),
    ("gate/check_out", {"visit_id": 1, "card_returned": True}),
    ("gate/guard_verified_entry", {"door_id": "door_gate", "person_id": 1}),
    ("gate/people_search", {"query": "3-2"}),
    ("gate/alarms", {}),
    ("gate/alarms_subscribe", {}),
    ("gate/acknowledge_alarm", {"alarm_id": 1, "note": "checked"}),
    ("gate/verify_goods_pass", {"code": "12345678", "door_id": "door_gate"}),
    ("gate/inspect_goods", {"note": "Boxes checked", "door_id": "door_gate"}),
]


def home_commands(
    unit: str, visit_id: int, credential_id: int
) -> list[tuple[str, dict[str, Any]]]:
    """Every home command for ``unit``."""
    return [
        ("home/overview", {"unit": unit}),
        ("home/access", {"unit": unit}),
        ("home/approve_visit", {"unit": unit, "visit_id": visit_id}),
        ("home/deny_visit", {"unit": unit, "visit_id": visit_id}),
        (
            "home/preregister_visitor",
            {
                "unit": unit,
                "name": "钱多多",
                "phone": "13900001111",
                "start": "2030-01-01T10:00:00+08:00",
                "end": "2030-01-01T12:00:00+08:00",
            },
        ),
        ("home/report_card_lost", {"unit": unit, "credential_id": credential_id}),
        ("home/subscribe", {"unit": unit}),
        ("home/notices", {"unit": unit}),
        ("home/issue_goods_pass", {"unit": unit, "items": ["Sofa"]}),
    ]


async def test_gate_commands_refused_to_residents_and_plain_users(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    desk = await make_desk(hass, hass_ws_client)
    community = desk.entry.runtime_data.community
    for who in ("resident", "plain"):
        for command, data in GATE_COMMANDS:
            error = await desk.error(who, command, **data)
            assert error["code"] == "unauthorized", (who, command)
    # Nothing happened: no visit, no record, no check of goods.
    assert not community.visits
    assert await community.query_access_log(AuditQuery(limit=10)) == []
    assert await GoodsDesk(community).checks() == []
    # A guard is refused in a community that does not exist, with the same answer.
    error = await desk.error("guard", "gate/overview", entry_id="nope")
    assert error["code"] == "unauthorized"
    assert (
        error["message"]
        == "You may not do this in this community. Ask the property office."
    )
    error = await desk.error("plain", "gate/overview", language="zh-Hans")
    assert error["code"] == "unauthorized"
    assert "物业" in error["message"]


async def test_home_commands_refused_to_guards_plain_users_and_neighbours(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    desk = await make_desk(hass, hass_ws_client)
    community = desk.entry.runtime_data.community
    visit = await desk.ok("guard", "gate/register_visitor", **visitor())
    vid = visit["visit_id"]
    card = desk.ids["resident"]["credential_id"]
    for who in ("guard", "plain"):
        for command, data in home_commands(UNIT, vid, card):
            error = await desk.error(who, command, **data)
            assert error["code"] == "unauthorized", (who, command)
    # The neighbour asking for the resident's unit...
    for command, data in home_commands(UNIT, vid, card):
        error = await desk.error("neighbour", command, **data)
        assert error["code"] == "unauthorized", command
    # ... or for an unknown unit: the same answer.
    error = await desk.error("neighbour", "home/overview", unit="9-9-909")
    assert error["code"] == "unauthorized"
    # ... or for the resident's visit or card through their own unit.
    for command, data in (
        home_commands(OTHER_UNIT, vid, card)[2:4]
        + home_commands(OTHER_UNIT, vid, card)[5:6]
    ):
        error = await desk.error("neighbour", command, **data)
        assert error["code"] == "unauthorized", command
    # Nothing changed.
    assert await GoodsDesk(community).passes() == []
    assert community.visits[vid].status == "pending"
    assert community.index.credentials[card].status is CredentialStatus.ACTIVE
    assert len(community.visits) == 1
