"""Official group visits as services (4.13): recorded by a guard, listed by the office.

``record_group_visit`` (guards and admins) records the group and, with a
door, opens it remotely: the access record of that open carries the group
visit's id in its note. ``list_group_visits`` is the office's (admins).
"""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from custom_components.community_access.core.operations.group_visits import (
    GroupVisit,
    GroupVisitBook,
    open_note,
)
from custom_components.community_access.runtime import (
    CommunityConfigEntry,
    async_remote_open,
)
from custom_components.community_access.service_helpers import (
    ENTRY_FIELD,
    Handler,
    actor,
    aware,
    resolve_door,
    service_error,
)
from custom_components.community_access.service_numbers import ID, strict_int
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
)
from homeassistant.helpers import config_validation as cv

from .callers import async_authorize_guard

RECORD_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required("organisation"): vol.All(cv.string, vol.Length(min=1, max=100)),
        vol.Required("people"): strict_int(1, 1000),
        vol.Exclusive("host_person_id", "host"): ID,
        vol.Exclusive("host", "host"): vol.All(cv.string, vol.Length(min=1, max=100)),
        vol.Optional("door"): cv.string,
        vol.Optional("note"): vol.All(cv.string, vol.Length(max=500)),
    }
)
LIST_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Optional("start"): cv.datetime,
        vol.Optional("end"): cv.datetime,
        vol.Optional("limit", default=100): strict_int(1, 200),
    }
)


def group_item(entry: CommunityConfigEntry, visit: GroupVisit) -> dict[str, Any]:
    """Shape a group visit as answered (the host as recorded)."""
    operator = entry.runtime_data.doors.get(visit.door_id or "")
    return {
        "group_visit_id": visit.id,
        "at": visit.at.isoformat(),
        "organisation": visit.organisation,
        "people": visit.people,
        "host": visit.host,
        "door_id": visit.door_id,
        "door": operator.config.door.name if operator is not None else None,
        "note": visit.note,
    }


async def _record(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    await async_authorize_guard(hass, entry, call.context)
    data = call.data
    door_id = resolve_door(hass, entry, data["door"]) if "door" in data else None
    visit = await GroupVisitBook(entry.runtime_data.community).record(
        organisation=data["organisation"],
        people=data["people"],
        host=data.get("host"),
        host_person_id=data.get("host_person_id"),
        door_id=door_id,
        note=data.get("note"),
        by=actor(call),
    )
    operator = entry.runtime_data.doors.get(door_id or "")
    if operator is not None:
        await async_remote_open(
            hass, entry, operator, call.context, note=open_note(visit.id)
        )
    return group_item(entry, visit)


async def _list(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    data = call.data
    start, end = aware(data.get("start")), aware(data.get("end"))
    if start is not None and end is not None and end <= start:
        raise service_error("invalid_time_range")
    visits = await GroupVisitBook(entry.runtime_data.community).listed(
        start=start, end=end, limit=data["limit"]
    )
    return {
        "count": len(visits),
        "group_visits": [group_item(entry, v) for v in visits],
    }


GUARD_GROUP_SERVICES: dict[str, tuple[Handler, vol.Schema, SupportsResponse]] = {
    "record_group_visit": (_record, RECORD_SCHEMA, SupportsResponse.OPTIONAL),
}
ADMIN_GROUP_SERVICES: dict[str, tuple[Handler, vol.Schema, SupportsResponse]] = {
    "list_group_visits": (_list, LIST_SCHEMA, SupportsResponse.ONLY),
}
