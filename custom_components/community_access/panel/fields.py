"""Schema pieces the panels' commands share: paging, ids, who is calling."""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from custom_components.community_access.service_numbers import strict_int
from homeassistant.components.websocket_api.connection import ActiveConnection

#: Paging of every list: ``offset`` from 0, ``limit`` from 1 to 500 (50).
PAGING: dict[vol.Marker, Any] = {
    vol.Optional("offset", default=0): strict_int(0, 10_000_000),
    vol.Optional("limit", default=50): strict_int(1, 500),
}

#: Free text a panel sends (a search, a note): bounded before the core sees it.
SEARCH = vol.All(str, vol.Length(max=100))


def caller(connection: ActiveConnection) -> str | None:
    """Return the Home Assistant user id of the caller (for the ledger and records)."""
    user = connection.user
    return None if user is None else user.id
