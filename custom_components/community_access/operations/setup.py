"""Set up the operations parts of a community entry (called from ``__init__``)."""

from __future__ import annotations

from custom_components.community_access.runtime import CommunityConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant

from .renovation import async_start_renovations
from .viewers import async_start_escorts


async def async_setup_operations(
    hass: HomeAssistant, entry: CommunityConfigEntry
) -> list[CALLBACK_TYPE]:
    """Start each part; called after the doors, before any reader is served.

    Returns what to call when the entry unloads.
    """
    unsubscribe: list[CALLBACK_TYPE] = []
    # Goods part: renovations and accompanied viewers check grants.
    unsubscribe.append(await async_start_renovations(entry))
    unsubscribe.append(await async_start_escorts(entry))
    return unsubscribe
