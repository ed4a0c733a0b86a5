"""My home's goods pass (``community_access/home/issue_goods_pass``), for residents.

A linked resident issues a goods pass for their own household only (an
admin for any): the code and its QR payload are in this answer only.
"""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from custom_components.community_access.operations.goods import async_issue
from custom_components.community_access.runtime import CommunityConfigEntry
from custom_components.community_access.service_numbers import ID
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import Unauthorized
from homeassistant.helpers import config_validation as cv

from .roles import Role
from .ws_common import community_command
from .ws_home import UNIT_FIELD, caller_id, household_people, own_household

_ITEM = vol.All(str, vol.Length(min=1, max=100))


@community_command(
    "home/issue_goods_pass",
    {
        **UNIT_FIELD,
        vol.Required("items"): vol.All([_ITEM], vol.Length(min=1, max=30)),
        vol.Optional("person_id"): ID,
        vol.Optional("large_or_valuable", default=False): bool,
        vol.Optional("date"): cv.date,
        vol.Inclusive("valid_from", "window"): cv.datetime,
        vol.Inclusive("valid_until", "window"): cv.datetime,
        vol.Optional("note"): vol.All(str, vol.Length(max=500)),
    },
    Role.RESIDENT,
)
async def ws_issue_goods_pass(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Issue a goods pass for the caller's household; the code is shown once."""
    household = own_household(entry, connection, msg["unit"])
    person_id = msg.get("person_id")
    if person_id is not None and person_id not in {
        p.id for p in household_people(entry, household)
    }:
        raise Unauthorized
    data = {key: value for key, value in msg.items() if key not in ("id", "type")}
    data["unit"] = str(household.unit)
    return await async_issue(hass, entry, data, caller_id(connection))


COMMANDS = (ws_issue_goods_pass,)
