"""The gate desk's door alarms: listed, followed live, acknowledged by a guard."""

from __future__ import annotations

from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.community_access.core.operations.alarms import AlarmKind
from homeassistant.core import HomeAssistant
from tests.panel.common import make_desk

PROBLEM = "binary_sensor.main_gate_alarm"


async def test_guard_sees_and_acknowledges_door_alarms(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    desk = await make_desk(hass, hass_ws_client)
    alarms = desk.entry.runtime_data.ops.alarms
    assert alarms is not None
    assert await desk.ok("guard", "gate/alarms") == []
    sub_id, first = await desk.subscribe("guard", "gate/alarms_subscribe")
    assert first == []

    alarms.reader_status("door_gate", AlarmKind.TAMPER, True)
    await hass.async_block_till_done()
    started = await desk.event("guard", sub_id)
    assert started["event"] == "tamper"
    alarm = started["alarm"]
    assert alarm["door"] == "Main gate" and alarm["kind"] == "tamper"
    assert alarm["active"] is True and alarm["acknowledged_at"] is None

    listed = await desk.ok("guard", "gate/alarms")
    assert [a["alarm_id"] for a in listed] == [alarm["alarm_id"]]
    assert set(listed[0]) >= {"door", "kind", "started_at", "ended_at"}

    # a resident may not acknowledge it
    error = await desk.error(
        "resident", "gate/acknowledge_alarm", alarm_id=alarm["alarm_id"]
    )
    assert error["code"] == "unauthorized"

    done = await desk.ok(
        "guard", "gate/acknowledge_alarm", alarm_id=alarm["alarm_id"], note="seen"
    )
    assert done["acknowledged_by"] == desk.users["guard"].id
    assert done["note"] == "seen"
    acknowledged = await desk.event("guard", sub_id)
    assert acknowledged["event"] == "alarm_acknowledged"
    # acknowledged but still active: still listed, the problem sensor still on
    assert len(await desk.ok("guard", "gate/alarms")) == 1
    assert hass.states.get(PROBLEM).state == "on"

    again = await desk.error(
        "guard", "gate/acknowledge_alarm", alarm_id=alarm["alarm_id"]
    )
    assert again["code"] == "alarm_already_acknowledged"

    alarms.reader_status("door_gate", AlarmKind.TAMPER, False)
    await hass.async_block_till_done()
    ended = await desk.event("guard", sub_id)
    assert ended["event"] == "alarm_ended"
    assert await desk.ok("guard", "gate/alarms") == []
    assert hass.states.get(PROBLEM).state == "off"
    actions = await desk.entry.runtime_data.community.admin_actions()
    assert actions[0].action == "acknowledge_alarm"
    assert actions[0].actor == desk.users["guard"].id
