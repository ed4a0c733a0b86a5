"""Set up the operations parts of a community entry (called from ``__init__``)."""

from __future__ import annotations

from custom_components.community_access.runtime import CommunityConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant

from .modes import ModesController
from .modes_options import ModesSettings
from .muster import MusterWatch


async def async_setup_operations(
    hass: HomeAssistant, entry: CommunityConfigEntry
) -> list[CALLBACK_TYPE]:
    """Start each part; called after the doors, before any reader is served.

    Returns what to call when the entry unloads.
    """
    unsubscribe: list[CALLBACK_TYPE] = []
    unsubscribe.extend(await _async_start_modes(hass, entry))
    return unsubscribe


async def _async_start_modes(
    hass: HomeAssistant, entry: CommunityConfigEntry
) -> list[CALLBACK_TYPE]:
    """Emergency release and lockdown: active modes re-applied before readers serve."""
    settings = ModesSettings.from_options(entry.options)
    ops = entry.runtime_data.ops
    ops.modes = ModesController(hass, entry, settings)
    unsubscribe = await ops.modes.async_start()
    ops.muster = MusterWatch(hass, entry, settings.muster_hours)
    unsubscribe.extend(ops.muster.start())
    return unsubscribe
