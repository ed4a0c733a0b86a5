"""Every websocket command of the panels, registered once from ``async_setup``.

:data:`COMMANDS` is the one list: each panel module adds its own tuple here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import voluptuous as vol

from custom_components.community_access.const import DOMAIN
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.decorators import websocket_command
from homeassistant.core import HomeAssistant, callback

from . import ws_gate, ws_gate_alarms, ws_gate_goods, ws_home, ws_home_goods, ws_notices
from .office import OFFICE_COMMANDS
from .roles import resident_units, roles_of
from .ws_common import register


@websocket_command({vol.Required("type"): f"{DOMAIN}/panels"})
@callback
def ws_panels(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Answer the communities where the caller has a role: roles and linked units.

    Open to any logged-in user: it tells only about the caller themselves.
    """
    user = connection.user
    communities: list[dict[str, Any]] = []
    if user is not None:
        for entry in hass.config_entries.async_loaded_entries(DOMAIN):
            roles = roles_of(entry, user)
            if not roles:
                continue
            communities.append(
                {
                    "entry_id": entry.entry_id,
                    "title": entry.title,
                    "roles": [role.value for role in roles],
                    "units": resident_units(entry, user),
                }
            )
    connection.send_result(msg["id"], {"communities": communities})


#: The panels' commands.
COMMANDS: tuple[Callable[..., None], ...] = (
    ws_panels,
    *OFFICE_COMMANDS,
    *ws_gate.COMMANDS,
    *ws_gate_alarms.COMMANDS,
    *ws_home.COMMANDS,
    *ws_notices.HOME_COMMANDS,
    *ws_gate_goods.COMMANDS,
    *ws_home_goods.COMMANDS,
)


@callback
def async_setup_panel_api(hass: HomeAssistant) -> None:
    """Register every command of the panels (once, from ``async_setup``)."""
    register(hass, *COMMANDS)
