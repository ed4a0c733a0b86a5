"""Schema pieces the panels' commands share: paging, ids, who is calling."""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from custom_components.community_access.core.visitors import PassResult
from custom_components.community_access.runtime import (
    CommunityConfigEntry,
    visitor_desk,
)
from custom_components.community_access.service_helpers import aware
from custom_components.community_access.service_numbers import strict_int
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.helpers import config_validation as cv

#: Paging of every list: ``offset`` from 0, ``limit`` from 1 to 500 (50).
PAGING: dict[vol.Marker, Any] = {
    vol.Optional("offset", default=0): strict_int(0, 10_000_000),
    vol.Optional("limit", default=50): strict_int(1, 500),
}

#: Free text a panel sends (a search, a note): bounded before the core sees it.
SEARCH = vol.All(str, vol.Length(max=100))
#: A name, a purpose, a reason: 1 to 200 characters.
TEXT = vol.All(str, vol.Length(min=1, max=200))
#: A phone or an ID number before the core checks it: 1 to 64 characters.
SHORT = vol.All(str, vol.Length(min=1, max=64))

#: The fields of a visitor's pre-registration (office and My home alike).
PREREGISTER: dict[vol.Marker, Any] = {
    vol.Required("name"): TEXT,
    vol.Required("phone"): SHORT,
    vol.Required("start"): cv.datetime,
    vol.Required("end"): cv.datetime,
    vol.Optional("id_number"): SHORT,
    vol.Optional("multiple_entries", default=False): bool,
    vol.Optional("purpose"): TEXT,
}


async def async_preregister(
    entry: CommunityConfigEntry, msg: dict[str, Any], unit: str, by: str | None
) -> PassResult:
    """Pre-register the visitor ``msg`` describes for ``unit`` (the core's call)."""
    start, end = aware(msg["start"]), aware(msg["end"])
    assert start is not None and end is not None
    return await visitor_desk(entry).preregister(
        unit=unit,
        name=msg["name"],
        phone=msg["phone"],
        window_from=start,
        window_until=end,
        id_number=msg.get("id_number"),
        multiple_entries=msg["multiple_entries"],
        purpose=msg.get("purpose"),
        registered_by=by,
    )


def caller(connection: ActiveConnection) -> str | None:
    """Return the Home Assistant user id of the caller (for the ledger and records)."""
    user = connection.user
    return None if user is None else user.id
