"""Public notices (公告批评): the office's list and My home's notice board.

A public notice is a penalty of kind ``public_notice``. The office sees the
person's full name; residents see the notices as they were published: the
name masked, the unit shown.
"""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from custom_components.community_access.runtime import CommunityConfigEntry, rule_book
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv

from .fields import PAGING
from .roles import Role
from .serialize import notice_item, page
from .ws_common import community_command
from .ws_home import UNIT_FIELD, own_household


async def _notices(
    entry: CommunityConfigEntry,
    *,
    active_only: bool,
    offset: int,
    limit: int,
    language: str,
    full_names: bool,
) -> dict[str, Any]:
    total, found = await rule_book(entry).list_notices(
        active_only=active_only, offset=offset, limit=limit
    )
    community = entry.runtime_data.community
    return page(
        total,
        [
            notice_item(community, p, kind, language, full_names=full_names)
            for p, kind in found
        ],
    )


@community_command(
    "office/notices",
    {vol.Optional("active_only", default=True): cv.boolean, **PAGING},
    Role.ADMIN,
)
async def ws_office_notices(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Public notices newest first (those in force with ``active_only``), names in full."""
    return await _notices(
        entry,
        active_only=msg["active_only"],
        offset=msg["offset"],
        limit=msg["limit"],
        language=msg["language"],
        full_names=True,
    )


@community_command("home/notices", {**UNIT_FIELD, **PAGING}, Role.RESIDENT)
async def ws_home_notices(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """List the community's public notices in force, as published (names masked)."""
    own_household(entry, connection, msg["unit"])
    return await _notices(
        entry,
        active_only=True,
        offset=msg["offset"],
        limit=msg["limit"],
        language=msg["language"],
        full_names=False,
    )


OFFICE_COMMANDS = (ws_office_notices,)
HOME_COMMANDS = (ws_home_notices,)
