"""The gate desk's goods commands (``community_access/gate/...``), for guards.

A guard types (or scans) a goods pass's code: the answer shows the items,
the unit and who issued the pass (names masked unless the community shows
full names), and a valid pass is used by that check. A guard also records a
check of suspicious goods, with or without a pass. Each command calls the
same code as the matching service.
"""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.operations.goods import GoodsDesk
from custom_components.community_access.operations.goods import async_verify
from custom_components.community_access.runtime import CommunityConfigEntry
from custom_components.community_access.service_numbers import ID
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.core import HomeAssistant

from .roles import Role
from .ws_common import community_command

_SHORT = vol.All(str, vol.Length(min=1, max=100))
_NOTE = vol.All(str, vol.Length(min=1, max=500))


def known_door(entry: CommunityConfigEntry, door_id: str) -> str:
    """Return the id of one of the community's doors, or refuse."""
    if door_id not in entry.runtime_data.doors:
        raise CommunityError("unknown_door", door=door_id[:60])
    return door_id


@community_command(
    "gate/verify_goods_pass",
    {vol.Required("code"): _SHORT, vol.Required("door_id"): _SHORT},
    Role.GUARD,
)
async def ws_verify_goods_pass(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Check a goods pass at a gate (used by a valid check)."""
    return await async_verify(
        hass,
        entry,
        msg["code"],
        known_door(entry, msg["door_id"]),
        connection.user.id if connection.user else None,
    )


@community_command(
    "gate/inspect_goods",
    {
        vol.Required("note"): _NOTE,
        vol.Optional("door_id"): _SHORT,
        vol.Optional("goods_pass_id"): ID,
        vol.Optional("unit"): vol.All(str, vol.Length(min=1, max=32)),
    },
    Role.GUARD,
)
async def ws_inspect_goods(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Record a check of suspicious goods (with or without a pass)."""
    door_id = known_door(entry, msg["door_id"]) if "door_id" in msg else None
    check = await GoodsDesk(entry.runtime_data.community).inspect(
        note=msg["note"],
        door_id=door_id,
        goods_pass_id=msg.get("goods_pass_id"),
        unit=msg.get("unit"),
        by=connection.user.id if connection.user else None,
    )
    return {
        "goods_check_id": check.id,
        "at": check.at.isoformat(),
        "door_id": check.door_id,
        "goods_pass_id": check.goods_pass_id,
    }


COMMANDS = (ws_verify_goods_pass, ws_inspect_goods)
