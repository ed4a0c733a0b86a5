"""Emergency release of a door an OSDP reader's output opens, over a pty peer.

libosdp's reader (``tests/drivers/peers/osdp_pd.py``) prints every command it
gets; the tests read the ``osdp_OUT`` records it saw. A released door's
output must be switched on *permanently* (control code 2, no timer): a timed
pulse (code 5, the door's open time) would let the reader lock the door
again by itself a few seconds into the emergency.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.community_access.const import EVENT_ACCESS_GRANTED
from custom_components.community_access.drivers.osdp import OutputControlCode
from homeassistant.core import Context, HomeAssistant
from homeassistant.util import dt as dt_util
from tests.conftest import doors_with
from tests.helpers import call
from tests.ptys import wait_for
from tests.test_osdp_ha import OUTPUT, Setup, Wire, pytestmark, setup_osdp, wire  # noqa: F401 - the fixtures

from .modes_common import state

LOCK = "lock.building_3_door"
#: Building 3's door is an escape route; a short open time keeps the waits short.
OPEN_TIME = 1
DOORS = doors_with("door_b3", escape_route=True, open_time=OPEN_TIME)
ON = OutputControlCode.PERMANENT_ON_ABORT_TIMED
OFF = OutputControlCode.PERMANENT_OFF_ABORT_TIMED


def is_out(command: dict[str, Any]) -> bool:
    """An ``osdp_OUT`` record for output 0 (the door's)."""
    return command["command"] == OUTPUT and command["output_no"] == 0


async def output_command(line: Wire, timeout: float = 3.0) -> tuple[int, int]:
    """The next ``osdp_OUT`` the reader got: (control code, timer)."""
    out = await line.command(is_out, timeout)
    return out["control_code"], out["timer_count"]


async def no_output_command(line: Wire, seconds: float) -> None:
    """The reader gets no ``osdp_OUT`` within ``seconds``."""
    try:
        out = await line.command(is_out, seconds)
    except TimeoutError:
        return
    raise AssertionError(f"unexpected output command {out}")


async def test_released_reader_output_held_on_until_restored(
    hass: HomeAssistant,
    wire: Wire,  # noqa: F811
    setup_osdp: Setup,  # noqa: F811
) -> None:
    admin = await hass.auth.async_create_user("Admin", group_ids=["system-admin"])
    as_admin = Context(user_id=admin.id)
    await wire.start_pd()
    entry, _hub, reader = await setup_osdp(doors=DOORS)
    await wait_for(lambda: reader.online and reader.trusted)
    assert entry.runtime_data.doors["door_b3"].relay is reader
    assert state(hass, LOCK) == "locked"

    answer = await call(hass, "emergency_release", {"cause": "fire"}, context=as_admin)
    assert answer["doors_released"] == ["door_b3"]
    # On for good: "permanent on, abort any timed operation", no timer.
    assert await output_command(wire) == (ON, 0)
    assert state(hass, LOCK) == "unlocked"

    # Past the door's open time (its relock timer, if any, due): no output
    # command switches it off, the door is still unlocked.
    await asyncio.sleep(OPEN_TIME + 0.5)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=OPEN_TIME * 10))
    await hass.async_block_till_done()
    await no_output_command(wire, 1.0)
    assert state(hass, LOCK) == "unlocked"

    # A card read meanwhile (an unknown card: granted, the release waives it)
    # keeps the output on for good, not for a pulse.
    granted = async_capture_events(hass, EVENT_ACCESS_GRANTED)
    wire.card("0099999")
    await wait_for(lambda: bool(granted))
    assert granted[0].data["reason"] == "emergency_release"
    assert await output_command(wire) == (ON, 0)

    # The reader stops answering, then comes back: the hold is applied again.
    wire.tell("mute")
    await wait_for(lambda: not reader.online)
    await wait_for(lambda: state(hass, LOCK) == "unavailable")
    wire.tell("unmute")
    await wait_for(lambda: reader.online and reader.trusted)
    assert await output_command(wire, timeout=5.0) == (ON, 0)
    await wait_for(lambda: state(hass, LOCK) == "unlocked")

    # A restart during the release: the reader is claimed again, output on.
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    reader = entry.runtime_data.osdp["osdp_line"].readers[reader.config.address]
    await wait_for(lambda: reader.online and reader.trusted)
    assert await output_command(wire, timeout=5.0) == (ON, 0)
    await wait_for(lambda: state(hass, LOCK) == "unlocked")

    # Restored: switched off for good, the door locked.
    await call(hass, "emergency_restore", {}, context=as_admin)
    assert await output_command(wire) == (OFF, 0)
    assert state(hass, LOCK) == "locked"
    await no_output_command(wire, OPEN_TIME + 0.5)


async def test_maintenance_hold_keeps_reader_output_on(
    hass: HomeAssistant,
    wire: Wire,  # noqa: F811
    setup_osdp: Setup,  # noqa: F811
) -> None:
    """A maintenance window's hold (``async_hold_open``) is on for good too."""
    await wire.start_pd()
    entry, _hub, reader = await setup_osdp(doors=DOORS)
    await wait_for(lambda: reader.online and reader.trusted)
    door = entry.runtime_data.doors["door_b3"]

    await door.async_hold_open()
    assert await output_command(wire) == (ON, 0)
    await no_output_command(wire, OPEN_TIME + 0.5)
    assert state(hass, LOCK) == "unlocked"

    await door.async_release_hold()
    assert await output_command(wire) == (OFF, 0)
    assert state(hass, LOCK) == "locked"
    # Not held: a grant's pulse lasts the open time (100 ms units).
    await door.async_open()
    assert await output_command(wire) == (OutputControlCode.TEMPORARY_ON_RESUME, 10)
