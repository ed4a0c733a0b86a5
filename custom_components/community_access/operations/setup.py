"""Set up the operations parts of a community entry (called from ``__init__``)."""

from __future__ import annotations

from custom_components.community_access.runtime import CommunityConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant

from .alarms import async_setup_alarms
from .modes import ModesController
from .modes_options import ModesSettings
from .muster import MusterWatch
from .renovation import async_start_renovations
from .upkeep import async_start_upkeep
from .viewers import async_start_escorts


async def async_setup_operations(
    hass: HomeAssistant, entry: CommunityConfigEntry
) -> list[CALLBACK_TYPE]:
    """Start each part; called after the doors, before any reader is served.

    Returns what to call when the entry unloads.
    """
    unsubscribe: list[CALLBACK_TYPE] = []
    unsubscribe.extend(await _async_start_modes(hass, entry))
    # Faults, patrols, inspections, planned maintenance (ops_c).
    unsubscribe.extend(await async_start_upkeep(hass, entry))
    unsubscribe.extend(await async_setup_alarms(hass, entry))
    alarms = entry.runtime_data.ops.alarms
    if alarms is not None:
        # A door held open (a maintenance window in open mode, an emergency
        # release) may stand open: opening it raises no forced-open or
        # held-open alarm.
        doors = entry.runtime_data.doors
        unsubscribe.append(
            alarms.add_open_predicate(
                lambda door_id, _at: door_id in doors and doors[door_id].held_open
            )
        )
    # Goods part: renovations and accompanied viewers check grants.
    unsubscribe.append(await async_start_renovations(entry))
    unsubscribe.append(await async_start_escorts(entry))
    # The muster counts are read last, in the background: their query of
    # the access record (a tenth of a second on a busy site) would hold the
    # database while the parts above wait for it.
    if entry.runtime_data.ops.muster is not None:
        entry.runtime_data.startup_work.append(
            entry.runtime_data.ops.muster.load_in_background()
        )
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
