"""Door alarm services: ``acknowledge_alarm`` (guards) and ``list_alarms`` (admin)."""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.core.operations.alarms import (
    Alarm,
    AlarmKind,
    AlarmQuery,
)
from custom_components.community_access.runtime import CommunityConfigEntry
from custom_components.community_access.service_helpers import (
    ENTRY_FIELD,
    aware,
    resolve_door,
    service_error,
    wrap,
)
from custom_components.community_access.service_numbers import ID, strict_int
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.service import async_register_admin_service

from .alarms import DoorAlarms
from .callers import async_authorize_guard

ACKNOWLEDGE_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required("alarm_id"): ID,
        vol.Optional("note"): vol.All(cv.string, vol.Length(max=500)),
    }
)
LIST_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Optional("door"): cv.string,
        vol.Optional("kind"): vol.In([k.value for k in AlarmKind]),
        vol.Optional("active"): cv.boolean,
        vol.Optional("acknowledged"): cv.boolean,
        vol.Optional("since"): cv.datetime,
        vol.Optional("until"): cv.datetime,
        vol.Optional("limit", default=100): strict_int(1, 1000),
        vol.Optional("offset", default=0): strict_int(0, 100_000),
    }
)


def door_alarms(entry: CommunityConfigEntry) -> DoorAlarms:
    """Return the door alarms of a loaded community."""
    alarms = entry.runtime_data.ops.alarms
    if alarms is None:  # pragma: no cover - started with the entry
        raise service_error("no_community")
    return alarms


def alarm_item(entry: CommunityConfigEntry, alarm: Alarm) -> dict[str, Any]:
    """Return an alarm with its door's name (no personal data)."""
    operator = entry.runtime_data.doors.get(alarm.door_id)
    return alarm.as_dict() | {
        "door": operator.config.door.name if operator is not None else None
    }


async def _acknowledge(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    await async_authorize_guard(hass, entry, call.context)
    alarm = await door_alarms(entry).async_acknowledge(
        call.data["alarm_id"], note=call.data.get("note"), context=call.context
    )
    return alarm_item(entry, alarm)


async def _list(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    data = call.data
    door_id = resolve_door(hass, entry, data["door"]) if "door" in data else None
    query = AlarmQuery(
        door_id=door_id,
        kind=AlarmKind(data["kind"]) if "kind" in data else None,
        active=data.get("active"),
        acknowledged=data.get("acknowledged"),
        since=aware(data.get("since")),
        until=aware(data.get("until")),
        limit=data["limit"],
        offset=data["offset"],
    )
    book = door_alarms(entry).book
    found = await book.find(query)
    return {
        "total": await book.count(query),
        "count": len(found),
        "alarms": [alarm_item(entry, alarm) for alarm in found],
    }


@callback
def async_setup_alarm_services(hass: HomeAssistant) -> None:
    """Register the alarm services (the caller of ``acknowledge_alarm`` is checked)."""
    hass.services.async_register(
        DOMAIN,
        "acknowledge_alarm",
        wrap(hass, _acknowledge),
        schema=ACKNOWLEDGE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    async_register_admin_service(
        hass,
        DOMAIN,
        "list_alarms",
        wrap(hass, _list),
        LIST_SCHEMA,
        SupportsResponse.ONLY,
    )
