"""Door alarms from an OSDP reader's own reports (LSTATR), over a pty peer."""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.community_access.const import EVENT_DOOR_ALARM
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from tests.ptys import wait_for
from tests.test_osdp_ha import Setup, Wire, pytestmark, setup_osdp, wire  # noqa: F401 - the fixtures

PROBLEM = "binary_sensor.building_3_door_alarm"


async def test_reader_tamper_and_power_failure_raise_alarms(
    hass: HomeAssistant,
    wire: Wire,  # noqa: F811
    setup_osdp: Setup,  # noqa: F811
) -> None:
    events = async_capture_events(hass, EVENT_DOOR_ALARM)
    await wire.start_pd()
    entry, _hub, reader = await setup_osdp()
    await wait_for(lambda: reader.online)
    assert hass.states.get(PROBLEM).state == STATE_OFF

    wire.tell("lstat 1 0")
    await wait_for(lambda: len(events) == 1)
    await hass.async_block_till_done()
    assert events[0].data["kind"] == "tamper"
    assert events[0].data["door_id"] == "door_b3"
    assert hass.states.get(PROBLEM).state == STATE_ON
    assert hass.states.get(PROBLEM).attributes["active"] == ["tamper"]

    wire.tell("lstat 0 1")
    await wait_for(lambda: len(events) == 3)
    await hass.async_block_till_done()
    assert sorted((e.data["kind"], e.data["state"]) for e in events[1:]) == [
        ("power_failure", "started"),
        ("tamper", "ended"),
    ]
    assert hass.states.get(PROBLEM).attributes["active"] == ["power_failure"]
    alarms = entry.runtime_data.ops.alarms
    assert alarms is not None
    assert {a.kind.value for a in alarms.door_alarms("door_b3")} == {
        "tamper",
        "power_failure",
    }
