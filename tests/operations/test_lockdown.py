"""Lockdown in a real Home Assistant: staff in, others refused, exits open."""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.community_access.diagnostics import (
    async_get_config_entry_diagnostics,
)
from custom_components.community_access.operations.modes import (
    EVENT_LOCKDOWN,
    EVENT_LOCKDOWN_LIFTED,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from tests.core.common import make_id_number
from tests.helpers import add_resident, call, present

from .modes_common import state
from .test_emergency import entity, started

STAFF_CARD = "0012345679"


async def add_staff(hass: HomeAssistant) -> int:
    """A member of staff (no household) with a card."""
    person = await call(
        hass,
        "add_person",
        {"name": "保安甲", "role": "staff", "id_number": make_id_number(7)},
    )
    await call(
        hass,
        "issue_card",
        {"person_id": person["person_id"], "card_number": STAFF_CARD},
    )
    return int(person["person_id"])


async def test_lockdown_staff_in_others_refused_exits_open(
    hass: HomeAssistant,
) -> None:
    entry = await started(hass)
    await add_resident(hass)  # building 3
    await add_staff(hass)
    site = entity(hass, "sensor", "_site_mode")
    locked = entity(hass, "binary_sensor", "_lockdown_active")
    events = async_capture_events(hass, EVENT_LOCKDOWN)

    response = await call(hass, "lockdown", {"reason": "intruder reported"})
    assert response["doors_locked_down"] == ["door_b1", "door_b3", "door_gate"]
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["site_modes"]["state"] == "lockdown"
    assert diagnostics["site_modes"]["locked_down"] == response["doors_locked_down"]
    assert "intruder" not in str(diagnostics["site_modes"])
    assert (state(hass, site), state(hass, locked)) == ("lockdown", "on")
    assert len(events) == 1 and "note" not in events[0].data
    resident = await present(hass, "Main gate")
    assert (resident["granted"], resident["reason"]) == (False, "lockdown")
    staff = await present(hass, "Main gate", STAFF_CARD)
    assert (staff["granted"], staff["reason"]) == (True, "granted")
    # Exit doors always let people out.
    leaving = await present(hass, "Gate exit")
    assert (leaving["granted"], leaving["reason"]) == (True, "granted")

    # An emergency release overrides the lockdown while it lasts.
    await call(hass, "emergency_release", {})
    await hass.async_block_till_done()
    assert state(hass, site) == "emergency"
    assert (await present(hass, "Main gate"))["reason"] == "emergency_release"
    await call(hass, "emergency_restore", {})
    await hass.async_block_till_done()
    assert state(hass, site) == "lockdown"
    assert (await present(hass, "Main gate"))["reason"] == "lockdown"

    # It survives a restart of the community.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, site) == "lockdown"
    assert (await present(hass, "Main gate"))["reason"] == "lockdown"
    assert (await present(hass, "Main gate", STAFF_CARD))["granted"]

    lifted = async_capture_events(hass, EVENT_LOCKDOWN_LIFTED)
    assert await call(hass, "lift_lockdown", {}) == {"ended": 1, "state": "normal"}
    assert (state(hass, site), state(hass, locked)) == ("normal", "off")
    assert len(lifted) == 1
    assert (await present(hass, "Main gate"))["reason"] == "granted"
    actions = await entry.runtime_data.community.admin_actions()
    names = [a.action for a in actions]
    assert names.index("lift_lockdown") < names.index("lockdown")


async def test_lockdown_of_one_building(hass: HomeAssistant) -> None:
    await started(hass)
    await add_resident(hass)
    response = await call(hass, "lockdown", {"scope": "building", "buildings": ["3"]})
    assert response["doors_locked_down"] == ["door_b3"]
    assert (await present(hass, "Building 3 door"))["reason"] == "lockdown"
    assert (await present(hass, "Main gate"))["reason"] == "granted"


async def test_lockdown_roles_from_the_options(hass: HomeAssistant) -> None:
    entry = await started(hass)
    await add_resident(hass)
    hass.config_entries.async_update_entry(
        entry, options=entry.options | {"lockdown_roles": ["staff", "owner"]}
    )
    await hass.async_block_till_done()  # the options reload the community
    await call(hass, "lockdown", {})
    assert (await present(hass, "Main gate"))["reason"] == "granted"


async def test_options_of_the_modes(hass: HomeAssistant) -> None:
    """The options form takes triggers, lockdown roles and the muster window."""
    entry = await started(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    fields = {str(key) for key in result["data_schema"].schema}
    assert {"emergency_triggers", "lockdown_roles", "muster_hours"} <= fields
    values = {**entry.options, "guard_notify": "none", "notice_notify": "none"}
    values |= {f"penalty_ladder_{n}": "none" for n in range(1, 6)}
    values = {k: v for k, v in values.items() if k in fields}
    bad = await hass.config_entries.options.async_configure(
        result["flow_id"], values | {"muster_hours": 0}
    )
    assert bad["errors"] == {"muster_hours": "muster_hours_range"}
    done = await hass.config_entries.options.async_configure(
        result["flow_id"],
        values | {"muster_hours": 6, "lockdown_roles": ["staff", "contractor"]},
    )
    assert done["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options["muster_hours"] == 6
    assert entry.options["lockdown_roles"] == ["staff", "contractor"]
    assert entry.options["emergency_triggers"] == ["binary_sensor.fire_panel"]
    assert entry.runtime_data.ops.muster is not None
    assert entry.runtime_data.ops.muster.window.total_seconds() == 6 * 3600
