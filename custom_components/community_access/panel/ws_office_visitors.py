"""Office commands: pre-registering a visitor and the watch list.

The watch list is kept by the ID number's keyed hash; what the office sees
of a row is the name given when barring, the reason, when and by whom. The
ID number never leaves, not even masked.
"""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.storage import WatchEntry
from custom_components.community_access.runtime import (
    CommunityConfigEntry,
    visitor_desk,
)
from custom_components.community_access.service_numbers import ID
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.core import HomeAssistant

from .fields import PAGING, PREREGISTER, SHORT, async_preregister, caller
from .roles import Role
from .serialize import iso, page
from .ws_common import community_command
from .ws_office_visits import office_visit


def watch_item(entry: WatchEntry) -> dict[str, Any]:
    """Return a row of the watch list (never its ID number)."""
    return {
        "watch_id": entry.id,
        "name": entry.name,
        "reason": entry.reason,
        "added_at": iso(entry.added_at),
        "by": entry.added_by,
    }


@community_command(
    "office/preregister_visitor",
    {vol.Required("unit"): vol.All(str, vol.Length(min=1, max=32)), **PREREGISTER},
    Role.ADMIN,
)
async def ws_preregister_visitor(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Announce a visitor (``preregister_visitor``); the check-in code is shown once."""
    result = await async_preregister(entry, msg, msg["unit"], caller(connection))
    return office_visit(entry, result.visit) | {"code": result.code}


@community_command("office/watchlist", PAGING, Role.ADMIN)
async def ws_watchlist(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """List the watch list, newest first."""
    total, found = await visitor_desk(entry).watch_list(
        offset=msg["offset"], limit=msg["limit"]
    )
    return page(total, [watch_item(e) for e in found])


@community_command(
    "office/bar_visitor",
    {
        vol.Required("name"): vol.All(str, vol.Length(min=1, max=100)),
        vol.Required("id_number"): SHORT,
        vol.Optional("reason"): vol.All(str, vol.Length(max=200)),
    },
    Role.ADMIN,
)
async def ws_bar_visitor(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Put a visitor on the watch list (``bar_visitor``): refused at every registration."""
    added = await visitor_desk(entry).bar(
        msg["id_number"],
        reason=msg.get("reason"),
        by=caller(connection),
        name=msg["name"],
    )
    if added is None:
        # Already on the list: its row is there to read (or to lift).
        raise CommunityError("visitor_already_barred")
    return watch_item(added)


# ``id`` is the websocket message's own: the row is ``watch_id``.
@community_command("office/unbar_visitor", {vol.Required("watch_id"): ID}, Role.ADMIN)
async def ws_unbar_visitor(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Take a row off the watch list (``unbar_visitor``, by the row)."""
    lifted = await visitor_desk(entry).unbar_entry(
        msg["watch_id"], by=caller(connection)
    )
    return watch_item(lifted)


COMMANDS = (ws_preregister_visitor, ws_watchlist, ws_bar_visitor, ws_unbar_visitor)
