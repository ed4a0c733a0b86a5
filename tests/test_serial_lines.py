"""Serial lines in Home Assistant, on real pseudo-terminals.

The test plays the device on the pty master; the integration opens the
slave by name (or through a symlink standing for ``/dev/ttyUSB0``).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.community_access.const import DOMAIN, SUBENTRY_SERIAL_LINE
from custom_components.community_access.core.storage import AuditQuery
from custom_components.community_access.diagnostics import (
    async_get_config_entry_diagnostics,
)
from custom_components.community_access.drivers.em4100 import encode_frame
from custom_components.community_access.drivers.relays import lcus_command
from homeassistant import config_entries
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .conftest import make_entry
from .helpers import (
    CARD,
    add_resident,
    enable_disabled_entities,
    present,
    setup_community,
    subentry,
    unload_lines,
)
from .ptys import PtyDevice, wait_for


def entry_with_line(port: str, **line: Any) -> MockConfigEntry:
    """The test community with one serial line subentry (id ``line1``)."""
    return make_entry(
        extra_subentries=[
            subentry(
                SUBENTRY_SERIAL_LINE,
                "line1",
                "Line 1",
                {"port": port, "baudrate": 9600, **line},
            )
        ]
    )


def connectivity_entity(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        "binary_sensor", DOMAIN, f"{entry.entry_id}_line1_connected"
    )
    assert entity_id is not None
    return entity_id


async def test_em4100_card_is_presented(hass: HomeAssistant, device: PtyDevice) -> None:
    entry = entry_with_line(device.path, protocol="em4100", door="door_b3")
    await setup_community(hass, entry)
    await enable_disabled_entities(hass, entry)  # the reader event entity
    await add_resident(hass)

    device.send(encode_frame(0x00, int(CARD)))
    await wait_for(
        lambda: (
            hass.states.get("event.building_3_door_reader").attributes.get("event_type")
            == "granted"
        )
    )
    reader = hass.states.get("event.building_3_door_reader")
    assert reader.attributes["reason"] == "granted"
    assert hass.states.get(connectivity_entity(hass, entry)).state == STATE_ON

    records = await entry.runtime_data.community.query_access_log(
        AuditQuery(door_id="door_b3")
    )
    assert records[0].source == "serial:" + device.path

    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["lines"] == [
        {
            "protocol": "em4100",
            "port": device.path,
            "baudrate": 9600,
            "door_id": "door_b3",
            "outputs": {},
            "connected": True,
            "connections": 1,
        }
    ]
    assert str(int(CARD)) not in str(diagnostics)
    await unload_lines(hass, entry)


async def test_lcus_relay_opens_the_door(
    hass: HomeAssistant, device: PtyDevice
) -> None:
    entry = entry_with_line(device.path, protocol="lcus", door="door_b3", channel=2)
    await setup_community(hass, entry)
    await add_resident(hass)
    assert hass.states.get("lock.building_3_door").state == "locked"

    assert (await present(hass, "Building 3 door"))["granted"]
    await hass.async_block_till_done()
    await wait_for(lambda: bytes(device.received) == lcus_command(2, True))
    assert hass.states.get("lock.building_3_door").state == "unlocked"

    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=6))
    await hass.async_block_till_done()
    await wait_for(
        lambda: bytes(device.received) == lcus_command(2, True) + lcus_command(2, False)
    )
    assert hass.states.get("lock.building_3_door").state == "locked"
    await unload_lines(hass, entry)


async def test_connectivity_follows_the_port(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    link = tmp_path / "ttyUSB0"
    first = PtyDevice()
    link.symlink_to(first.path)
    second: PtyDevice | None = None
    entry = entry_with_line(str(link), protocol="lcus", door="door_gate", channel=1)
    try:
        await setup_community(hass, entry)
        sensor = connectivity_entity(hass, entry)
        assert hass.states.get(sensor).state == STATE_ON
        assert hass.states.get("lock.main_gate").state == "locked"

        link.unlink()
        first.unplug()
        await wait_for(lambda: hass.states.get(sensor).state == STATE_OFF)
        # The door cannot open while its relay is gone.
        assert hass.states.get("lock.main_gate").state == "unavailable"

        second = PtyDevice()
        link.symlink_to(second.path)
        await wait_for(lambda: hass.states.get(sensor).state == STATE_ON)
        assert hass.states.get("lock.main_gate").state == "locked"
        await unload_lines(hass, entry)
    finally:
        first.unplug()
        if second is not None:
            second.unplug()


async def test_missing_port_retries_setup(hass: HomeAssistant, tmp_path: Path) -> None:
    entry = entry_with_line(
        str(tmp_path / "ttyUSB9"), protocol="em4100", door="door_b3"
    )
    await setup_community(hass, entry, ConfigEntryState.SETUP_RETRY)
    assert "ttyUSB9" in str(entry.reason)


async def test_subentry_flow(hass: HomeAssistant, device: PtyDevice) -> None:
    entry = entry_with_line(device.path, protocol="lcus", door="door_b3", channel=1)
    await setup_community(hass, entry)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_SERIAL_LINE),
        context={"source": config_entries.SOURCE_USER},
    )
    assert result["type"] is FlowResultType.FORM
    form = {
        "port": " ",
        "baudrate": 9600,
        "protocol": "line",
        "door": "door_gate",
        "pattern": "(",
        "radix": "16",
        "board_size": "1",
        "unit_id": 1,
        "coil": 0,
    }
    bad = await hass.config_entries.subentries.async_configure(result["flow_id"], form)
    assert bad["errors"] == {"port": "invalid_port", "pattern": "invalid_pattern"}
    done = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        form | {"port": "/dev/ttyUSB1", "pattern": r"W26:(?P<card>\d+)", "radix": "10"},
    )
    assert done["type"] is FlowResultType.CREATE_ENTRY
    assert done["data"] == {
        "port": "/dev/ttyUSB1",
        "baudrate": 9600,
        "protocol": "line",
        "door": "door_gate",
        "pattern": r"W26:(?P<card>\d+)",
        "radix": 10,
    }
    await hass.async_block_till_done()
    # The new line's port does not exist: the entry waits for it.
    assert entry.state is ConfigEntryState.SETUP_RETRY

    # An old one-door relay line becomes a board with a door per output.
    result = await entry.start_subentry_reconfigure_flow(hass, "line1")
    assert result["type"] is FlowResultType.FORM
    outputs = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        form | {"port": device.path, "protocol": "lcus", "board_size": "4"},
    )
    assert outputs["type"] is FlowResultType.FORM
    assert outputs["step_id"] == "reconfigure_outputs"
    changed = await hass.config_entries.subentries.async_configure(
        outputs["flow_id"], {"output_1": "door_b3", "output_3": "door_gate"}
    )
    assert changed["type"] is FlowResultType.ABORT
    assert changed["reason"] == "reconfigure_successful"
    assert entry.subentries["line1"].data == {
        "port": device.path,
        "baudrate": 9600,
        "protocol": "lcus",
        "board_size": 4,
        "outputs": {"1": "door_b3", "3": "door_gate"},
    }
    await hass.async_block_till_done()
    if entry.state is ConfigEntryState.LOADED:
        await unload_lines(hass, entry)
