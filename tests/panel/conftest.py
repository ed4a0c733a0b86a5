"""Fixtures of the panels' websocket tests: the office's commands registered."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import (
    CLIENT_ID,
    MockConfigEntry,
    MockUser,
)
from pytest_homeassistant_custom_component.typing import (
    MockHAClientWebSocket,
    WebSocketGenerator,
)

from custom_components.community_access.const import CONF_GUARD_USERS
from custom_components.community_access.panel.office import OFFICE_COMMANDS
from custom_components.community_access.panel.ws_common import register
from homeassistant.core import HomeAssistant
from tests.conftest import make_entry

GUARD_USER_ID = "guard0000000000000000000000000a"


@pytest.fixture
def config_entry() -> MockConfigEntry:
    """The test community, with a guard who is not an administrator."""
    return make_entry(options={CONF_GUARD_USERS: [GUARD_USER_ID]})


@pytest.fixture
async def office(hass: HomeAssistant, setup_entry: MockConfigEntry) -> MockConfigEntry:
    """The test community loaded and the office's commands registered."""
    register(hass, *OFFICE_COMMANDS)
    return setup_entry


@pytest.fixture
async def guard_token(hass: HomeAssistant) -> str:
    """An access token of the community's guard (not an administrator)."""
    user = MockUser(id=GUARD_USER_ID, name="Gate guard", groups=[]).add_to_hass(hass)
    refresh = await hass.auth.async_create_refresh_token(user, CLIENT_ID)
    return hass.auth.async_create_access_token(refresh)


@pytest.fixture
async def ws(
    hass: HomeAssistant, office: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> MockHAClientWebSocket:
    """A websocket of an administrator."""
    return await hass_ws_client(hass)
