"""The open-faults sensor: how many faults are open, and each faulty door's last patrol."""

from __future__ import annotations

from typing import Any

from custom_components.community_access.entity import CommunityEntity
from custom_components.community_access.runtime import CommunityConfigEntry
from homeassistant.components.sensor import SensorEntity, SensorStateClass


class OpenFaultsSensor(CommunityEntity, SensorEntity):
    """Open faults; attribute ``doors``: per faulty door its faults and last patrol."""

    _attr_state_class = SensorStateClass.MEASUREMENT

    def __init__(self, entry: CommunityConfigEntry) -> None:
        """Attach to the community device."""
        super().__init__(entry, "open_faults")

    async def async_added_to_hass(self) -> None:
        """Follow the faults and the patrols."""
        await super().async_added_to_hass()
        ops = self.entry.runtime_data.ops
        if ops.faults is not None:
            self.async_on_remove(ops.faults.add_listener(self.async_write_ha_state))
        if ops.patrols is not None:
            self.async_on_remove(ops.patrols.add_listener(self.async_write_ha_state))

    @property
    def native_value(self) -> int:
        """How many faults are open."""
        faults = self.entry.runtime_data.ops.faults
        return 0 if faults is None else len(faults.book.open)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Faulty doors (by name): open faults and the last patrol there."""
        ops = self.entry.runtime_data.ops
        if ops.faults is None or ops.patrols is None:
            return {"doors": {}}
        doors = self.entry.runtime_data.doors
        shown: dict[str, Any] = {}
        for door_id in sorted(ops.patrols.faulty_doors()):
            last = ops.patrols.last_patrol.get(door_id)
            shown[doors[door_id].config.door.name] = {
                "door_id": door_id,
                "faults": len(ops.faults.book.open_at_door(door_id)),
                "last_patrol": last.isoformat() if last else None,
            }
        return {"doors": shown}
