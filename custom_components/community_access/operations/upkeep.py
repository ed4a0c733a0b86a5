"""Start faults, patrols, inspections and planned maintenance of one community."""

from __future__ import annotations

from custom_components.community_access.core.decision import Decision
from custom_components.community_access.runtime import CommunityConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from .faults import FaultDesk
from .maintenance import MaintenancePlanner
from .notices import UpkeepSettings
from .patrols import PatrolDesk


async def async_start_upkeep(
    hass: HomeAssistant, entry: CommunityConfigEntry
) -> list[CALLBACK_TYPE]:
    """Load the open faults, patrols and windows; install the decision hook."""
    runtime = entry.runtime_data
    settings = UpkeepSettings.from_entry(entry)
    faults = FaultDesk(hass, entry, settings)
    patrols = PatrolDesk(hass, entry, settings, faults)
    planner = MaintenancePlanner(hass, entry, settings)
    await faults.async_start()
    await patrols.async_start()
    await planner.async_start()
    runtime.ops.faults = faults
    runtime.ops.patrols = patrols
    runtime.ops.maintenance = planner

    def hook(decision: Decision) -> Decision:
        patrol = patrols.decide(decision)
        return patrol if patrol is not None else planner.decide(decision)

    runtime.community.maintenance_hook = hook

    @callback
    def _stop() -> None:
        runtime.community.maintenance_hook = None
        planner.async_stop()
        patrols.async_stop()
        faults.async_stop()

    return [_stop]
