"""Relay boards with several outputs, each opening its own door.

An LCUS board is played on a pty (the test reads the command bytes); a
Modbus board is a real pymodbus RTU server in a subprocess (the test reads
its coils back through the line). Doors have different open times, so each
output is switched off after its own door's time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.community_access.const import SUBENTRY_SERIAL_LINE
from custom_components.community_access.drivers.relays import lcus_command
from custom_components.community_access.relay_outputs import board_size, relay_outputs
from custom_components.community_access.serial_hub import LineConfig, SerialHub
from homeassistant import config_entries
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util

from .conftest import TEST_DOORS, make_entry
from .drivers.test_modbus_peer import ModbusPeer
from .helpers import add_resident, present, setup_community, subentry, unload_lines
from .ptys import PtyDevice, wait_for

GATE = "lock.main_gate"
B3 = "lock.building_3_door"
B1 = "lock.building_1_door"

#: The test doors with different open times: gate 2 s, building 3 8 s.
OPEN_TIMES = {"door_gate": 2, "door_b3": 8, "door_b1": 5, "door_gym": 5}


def community(
    *lines: tuple[str, dict[str, Any]], locked_door: bool = False
) -> MockConfigEntry:
    """The test community with relay line subentries ``(id, data)``."""
    doors = [
        (sid, name, {**data, "open_time": OPEN_TIMES[sid]})
        for sid, name, data in TEST_DOORS
    ]
    if locked_door:
        doors.append(
            (
                "door_side",
                "Side gate",
                {
                    "zone_kind": "gate",
                    "direction": "out",
                    "open_time": 5,
                    "lock_entity": "lock.side_gate_motor",
                },
            )
        )
    return make_entry(
        doors=doors,
        extra_subentries=[
            subentry(
                SUBENTRY_SERIAL_LINE,
                line_id,
                f"Relays {line_id}",
                {"baudrate": 9600, **data},
            )
            for line_id, data in lines
        ],
    )


async def later(hass: HomeAssistant, seconds: float) -> None:
    """Let ``seconds`` of Home Assistant time pass (the relock timers)."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done()


def state(hass: HomeAssistant, entity_id: str) -> str:
    current = hass.states.get(entity_id)
    assert current is not None
    return current.state


@pytest.fixture
async def board() -> AsyncIterator[ModbusPeer]:
    peer = ModbusPeer()
    try:
        await peer.start()
        yield peer
    finally:
        await peer.close()


def test_line_data_shapes() -> None:
    """Old one-door data reads as a one-output mapping; bad mappings refused."""
    assert relay_outputs("lcus", {"door": "d1", "channel": 3}) == {3: "d1"}
    assert board_size("lcus", {"door": "d1", "channel": 3}) == 4
    assert relay_outputs("modbus", {"door": "d1", "coil": 7}) == {7: "d1"}
    assert board_size("modbus", {"door": "d1", "coil": 7}) == 1
    new = {"board_size": 8, "coil": 16, "outputs": {"16": "d1", "23": "d2"}}
    assert relay_outputs("modbus", new) == {16: "d1", 23: "d2"}
    with pytest.raises(ValueError, match="not on the board"):
        relay_outputs("modbus", new | {"outputs": {"24": "d1"}})
    with pytest.raises(ValueError, match="two outputs"):
        relay_outputs("lcus", {"board_size": 4, "outputs": {"1": "d1", "2": "d1"}})
    with pytest.raises(ValueError, match="at most 8"):
        relay_outputs("lcus", {"board_size": 16, "outputs": {"1": "d1"}})
    line = LineConfig.from_data(
        "l", "Relays", {"port": "/dev/x", "protocol": "lcus", "door": "d", "channel": 2}
    )
    assert (line.board_size, dict(line.outputs), line.door_id) == (2, {2: "d"}, None)


async def test_lcus_board_opens_each_door_for_its_time(
    hass: HomeAssistant, device: PtyDevice
) -> None:
    entry = community(
        (
            "relays",
            {
                "port": device.path,
                "protocol": "lcus",
                "board_size": 4,
                "outputs": {"1": "door_gate", "3": "door_b3"},
            },
        )
    )
    await setup_community(hass, entry)
    await add_resident(hass)  # building 3: the gate and building 3's door
    assert state(hass, GATE) == state(hass, B3) == "locked"
    # A door on no output stays a virtual door.
    assert entry.runtime_data.doors["door_b1"].relay is None

    assert (await present(hass, "Main gate"))["granted"]
    await wait_for(lambda: bytes(device.received) == lcus_command(1, True))
    assert (await present(hass, "Building 3 door"))["granted"]
    sent = lcus_command(1, True) + lcus_command(3, True)
    await wait_for(lambda: bytes(device.received) == sent)
    assert state(hass, GATE) == state(hass, B3) == "unlocked"

    await later(hass, 3)  # the gate's 2 s are over, building 3's 8 s are not
    sent += lcus_command(1, False)
    await wait_for(lambda: bytes(device.received) == sent)
    assert (state(hass, GATE), state(hass, B3)) == ("locked", "unlocked")

    await later(hass, 9)
    sent += lcus_command(3, False)
    await wait_for(lambda: bytes(device.received) == sent)
    assert state(hass, GATE) == state(hass, B3) == "locked"

    hub = entry.runtime_data.lines["relays"]
    assert await hub.async_read_outputs() == {1: False, 3: False}

    # Both doors' locks follow the one line.
    device.unplug()
    await wait_for(lambda: state(hass, GATE) == STATE_UNAVAILABLE)
    assert state(hass, B3) == STATE_UNAVAILABLE
    assert state(hass, B1) == "locked"
    await unload_lines(hass, entry)


async def test_lcus_output_left_on_is_switched_off_at_unload(
    hass: HomeAssistant, device: PtyDevice
) -> None:
    entry = community(
        (
            "relays",
            {
                "port": device.path,
                "protocol": "lcus",
                "board_size": 2,
                "outputs": {"2": "door_b3"},
            },
        )
    )
    await setup_community(hass, entry)
    await add_resident(hass)
    assert (await present(hass, "Building 3 door"))["granted"]
    await wait_for(lambda: bytes(device.received) == lcus_command(2, True))
    await unload_lines(hass, entry)
    assert bytes(device.received) == lcus_command(2, True) + lcus_command(2, False)


async def test_modbus_board_opens_each_door_for_its_time(
    hass: HomeAssistant, board: ModbusPeer
) -> None:
    entry = community(
        (
            "relays",
            {
                "port": board.path,
                "protocol": "modbus",
                "unit_id": 1,
                "coil": 0,
                "board_size": 8,
                "outputs": {"2": "door_gate", "5": "door_b3", "6": "door_b1"},
            },
        )
    )
    await setup_community(hass, entry)
    await add_resident(hass)
    hub: SerialHub = entry.runtime_data.lines["relays"]
    assert await hub.async_read_outputs() == {2: False, 5: False, 6: False}

    # Two grants at once: the requests take turns on the line.
    gate, b3 = await asyncio.gather(
        present(hass, "Main gate"), present(hass, "Building 3 door")
    )
    assert gate["granted"] and b3["granted"]
    await hass.async_block_till_done()
    assert await hub.async_read_outputs() == {2: True, 5: True, 6: False}
    assert state(hass, GATE) == state(hass, B3) == "unlocked"
    # Building 1 is not this resident's building: its coil stays off.
    assert not (await present(hass, "Building 1 door"))["granted"]

    await later(hass, 3)
    assert await hub.async_read_outputs() == {2: False, 5: True, 6: False}
    assert (state(hass, GATE), state(hass, B3)) == ("locked", "unlocked")
    await later(hass, 9)
    assert await hub.async_read_outputs() == {2: False, 5: False, 6: False}
    assert state(hass, B3) == "locked"
    await unload_lines(hass, entry)


async def test_old_single_door_subentries_still_work(
    hass: HomeAssistant, board: ModbusPeer, device: PtyDevice
) -> None:
    """Lines saved before boards had several outputs: door + channel / coil."""
    entry = community(
        ("old_modbus", {"port": board.path, "protocol": "modbus", "door": "door_b3",
                        "unit_id": 1, "coil": 4}),
        ("old_lcus", {"port": device.path, "protocol": "lcus", "door": "door_gate",
                      "channel": 2}),
    )  # fmt: skip
    await setup_community(hass, entry)
    await add_resident(hass)
    modbus: SerialHub = entry.runtime_data.lines["old_modbus"]
    assert dict(modbus.config.outputs) == {4: "door_b3"}

    assert (await present(hass, "Building 3 door"))["granted"]
    assert (await present(hass, "Main gate"))["granted"]
    await hass.async_block_till_done()
    assert await modbus.async_read_outputs() == {4: True}
    await wait_for(lambda: bytes(device.received) == lcus_command(2, True))
    await later(hass, 9)
    assert await modbus.async_read_outputs() == {4: False}
    await wait_for(
        lambda: bytes(device.received) == lcus_command(2, True) + lcus_command(2, False)
    )
    await unload_lines(hass, entry)


async def test_relay_outputs_flow(hass: HomeAssistant, device: PtyDevice) -> None:
    entry = community(
        ("other", {"port": device.path, "protocol": "lcus", "door": "door_b1",
                   "channel": 1}),
        locked_door=True,
    )  # fmt: skip
    await setup_community(hass, entry)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_SERIAL_LINE),
        context={"source": config_entries.SOURCE_USER},
    )
    form = {
        "port": "/dev/ttyUSB3",
        "baudrate": 9600,
        "protocol": "lcus",
        "radix": "16",
        "board_size": "16",
        "unit_id": 1,
        "coil": 0,
    }
    flow = result["flow_id"]
    configure = hass.config_entries.subentries.async_configure
    too_big = await configure(flow, form)
    assert too_big["errors"] == {"board_size": "output_out_of_range"}
    past_end = await configure(
        flow, form | {"protocol": "modbus", "coil": 65530, "board_size": "8"}
    )
    assert past_end["errors"] == {"board_size": "output_out_of_range"}

    step = await configure(
        flow, form | {"protocol": "modbus", "coil": 100, "board_size": "4"}
    )
    assert step["type"] is FlowResultType.FORM
    assert step["step_id"] == "outputs"
    assert step["description_placeholders"] == {"first": "100", "last": "103"}
    assert (await configure(flow, {}))["errors"] == {"base": "no_outputs"}
    twice = await configure(flow, {"output_1": "door_gate", "output_4": "door_gate"})
    assert twice["errors"] == {"output_4": "door_twice"}
    elsewhere = await configure(flow, {"output_1": "door_b1"})
    assert elsewhere["errors"] == {"output_1": "door_has_relay"}
    locked = await configure(flow, {"output_2": "door_side"})
    assert locked["errors"] == {"output_2": "door_has_lock"}

    done = await configure(flow, {"output_1": "door_gate", "output_4": "door_b3"})
    assert done["type"] is FlowResultType.CREATE_ENTRY
    assert done["data"] == {
        "port": "/dev/ttyUSB3",
        "baudrate": 9600,
        "protocol": "modbus",
        "unit_id": 1,
        "coil": 100,
        "board_size": 4,
        "outputs": {"100": "door_gate", "103": "door_b3"},
    }
    assert done["title"] == "Main gate, Building 3 door modbus (/dev/ttyUSB3)"
    await hass.async_block_till_done()

    # Reconfiguring the old line: building 1 keeps its channel, and the door
    # the new board drives cannot be taken.
    result = await entry.start_subentry_reconfigure_flow(hass, "other")
    assert result["type"] is FlowResultType.FORM
    step = await configure(
        result["flow_id"], form | {"port": device.path, "board_size": "4"}
    )
    assert step["step_id"] == "reconfigure_outputs"
    suggested = {
        str(key): key.description["suggested_value"]
        for key in step["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested == {"output_1": "door_b1"}
    taken = await configure(
        result["flow_id"], {"output_1": "door_b1", "output_2": "door_b3"}
    )
    assert taken["errors"] == {"output_2": "door_has_relay"}
    changed = await configure(
        result["flow_id"], {"output_1": "door_b1", "output_2": "door_gym"}
    )
    assert changed["reason"] == "reconfigure_successful"
    assert entry.subentries["other"].data["outputs"] == {
        "1": "door_b1",
        "2": "door_gym",
    }
    await hass.async_block_till_done()
    if entry.state is ConfigEntryState.LOADED:
        await unload_lines(hass, entry)
