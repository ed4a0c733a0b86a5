"""Office commands: adding and editing people, suspending and reinstating them."""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from custom_components.community_access.core.models import (
    PersonStatus,
    Role as PersonRole,
)
from custom_components.community_access.runtime import CommunityConfigEntry
from custom_components.community_access.service_helpers import aware
from custom_components.community_access.service_numbers import ID
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv

from .roles import Role
from .serialize import person_item
from .ws_common import community_command

TEXT = vol.All(cv.string, vol.Length(max=200))
ROLE = vol.In([r.value for r in PersonRole])
ZONES = vol.All([vol.All(cv.string, vol.Length(max=60))], vol.Length(max=50))

#: Fields of a person both commands take (all optional when updating).
PERSON_FIELDS: dict[vol.Marker, Any] = {
    vol.Optional("id_number"): vol.Any(None, TEXT),
    vol.Optional("phone"): vol.Any(None, TEXT),
    vol.Optional("valid_from"): vol.Any(None, cv.datetime),
    vol.Optional("valid_until"): vol.Any(None, cv.datetime),
    vol.Optional("extra_zones"): ZONES,
}


@community_command(
    "office/add_person",
    {
        vol.Optional("unit"): vol.Any(None, TEXT),
        vol.Required("name"): TEXT,
        vol.Required("role"): ROLE,
        **PERSON_FIELDS,
    },
    Role.ADMIN,
)
async def ws_add_person(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Register a person (``add_person``)."""
    person = await entry.runtime_data.community.add_person(
        name=msg["name"],
        role=PersonRole(msg["role"]),
        unit=msg.get("unit") or None,
        id_number=msg.get("id_number") or None,
        phone=msg.get("phone") or None,
        valid_from=aware(msg.get("valid_from")),
        valid_until=aware(msg.get("valid_until")),
        extra_zones=msg.get("extra_zones", []),
    )
    return person_item(person)


@community_command(
    "office/update_person",
    {
        vol.Required("person_id"): ID,
        vol.Optional("name"): TEXT,
        vol.Optional("role"): ROLE,
        **PERSON_FIELDS,
    },
    Role.ADMIN,
)
async def ws_update_person(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Change a person (``update_person``): only the fields sent; empty clears."""
    changes: dict[str, Any] = {}
    for key in ("name", "role", "extra_zones"):
        if key in msg:
            changes[key] = msg[key]
    for key in ("id_number", "phone"):
        if key in msg:
            changes[key] = msg[key] or None
    for key in ("valid_from", "valid_until"):
        if key in msg:
            changes[key] = aware(msg[key])
    person = await entry.runtime_data.community.update_person(
        msg["person_id"], **changes
    )
    return person_item(person)


@community_command(
    "office/set_person_status",
    {
        vol.Required("person_id"): ID,
        # Moving out goes through move_out (credentials, deposits, erasure).
        vol.Required("status"): vol.In(
            [PersonStatus.ACTIVE.value, PersonStatus.SUSPENDED.value]
        ),
    },
    Role.ADMIN,
)
async def ws_set_person_status(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Suspend or reinstate a person (``set_person_status``)."""
    person = await entry.runtime_data.community.set_person_status(
        msg["person_id"], PersonStatus(msg["status"])
    )
    return person_item(person)


COMMANDS = (ws_add_person, ws_update_person, ws_set_person_status)
