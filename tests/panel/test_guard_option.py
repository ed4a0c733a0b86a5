"""The options name the community's guards: Home Assistant users, not admins."""

from __future__ import annotations

import pytest
import voluptuous as vol

from custom_components.community_access.config_flow import default_options
from custom_components.community_access.const import CONF_GUARD_USERS
from custom_components.community_access.panel.roles import is_guard
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from tests.conftest import make_entry
from tests.helpers import setup_community


def test_no_guards_by_default() -> None:
    assert default_options()[CONF_GUARD_USERS] == []


async def test_options_flow_names_guards(hass: HomeAssistant) -> None:
    entry = make_entry()
    await setup_community(hass, entry)
    guard = await hass.auth.async_create_user("Lao Wang", group_ids=["system-users"])
    gone = await hass.auth.async_create_user("Gone", group_ids=["system-users"])
    gone.is_active = False
    system = await hass.auth.async_create_system_user("Robot")

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    field = next(
        value
        for key, value in result["data_schema"].schema.items()
        if key == CONF_GUARD_USERS
    )
    config = field.config
    assert config["multiple"] is True
    offered = {option["value"]: option["label"] for option in config["options"]}
    assert offered[guard.id] == "Lao Wang"
    assert gone.id not in offered  # not active
    assert system.id not in offered  # not a person
    with pytest.raises(vol.Invalid):
        field(["no-such-user"])

    done = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_GUARD_USERS: [guard.id]}
    )
    assert done["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options[CONF_GUARD_USERS] == [guard.id]
    await hass.async_block_till_done()
    assert is_guard(entry, guard)
    other = await hass.auth.async_create_user("Not a guard", group_ids=["system-users"])
    assert not is_guard(entry, other)

    # The form shows the chosen guards next time.
    again = await hass.config_entries.options.async_init(entry.entry_id)
    defaults = {
        str(key): key.default()
        for key in again["data_schema"].schema
        if key == CONF_GUARD_USERS
    }
    assert defaults[CONF_GUARD_USERS] == [guard.id]
