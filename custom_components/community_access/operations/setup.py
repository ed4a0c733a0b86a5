"""Set up the operations parts of a community entry (called from ``__init__``)."""

from __future__ import annotations

from custom_components.community_access.runtime import CommunityConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant

from .alarms import async_setup_alarms


async def async_setup_operations(
    hass: HomeAssistant, entry: CommunityConfigEntry
) -> list[CALLBACK_TYPE]:
    """Start each part; called after the doors, before any reader is served.

    Returns what to call when the entry unloads.
    """
    unsubscribe: list[CALLBACK_TYPE] = []
    unsubscribe.extend(await async_setup_alarms(hass, entry))
    return unsubscribe
