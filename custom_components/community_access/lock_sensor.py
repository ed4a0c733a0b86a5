"""The per-door "lock sync" sensor of doors that keep their codes on the lock."""

from __future__ import annotations

from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.const import EntityCategory
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import DoorEntity
from .lock_codes import LockCodes
from .runtime import CommunityConfigEntry

#: The sensor's states (``pending N`` / ``duplicate N`` / ``failed N``: the
#: count is an attribute).
SYNC_STATES = ["not_found", "in_sync", "syncing", "pending", "duplicate", "failed"]


def async_add_lock_sync_sensors(
    entry: CommunityConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """One sensor per door whose lock codes are managed."""
    runtime = entry.runtime_data
    for door_id, codes in runtime.lock_codes.items():
        async_add_entities(
            [LockSyncSensor(entry, codes)],
            config_subentry_id=runtime.doors[door_id].config.id,
        )


class LockSyncSensor(DoorEntity, SensorEntity):
    """In sync / syncing / pending / failed, with the counts as attributes."""

    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = SYNC_STATES
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(self, entry: CommunityConfigEntry, codes: LockCodes) -> None:
        """Follow one door's lock codes."""
        super().__init__(entry, codes.operator, "lock_sync")
        self.codes = codes

    async def async_added_to_hass(self) -> None:
        """Update when the sync state changes."""
        self.async_on_remove(self.codes.add_listener(self.async_write_ha_state))

    @property
    def native_value(self) -> str:
        """The sync state."""
        status = self.codes.status()
        return "not_found" if status is None else status.state

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Counts, the lock, and when the next run is due."""
        status = self.codes.status()
        attributes: dict[str, Any] = {"lock": self.codes.entity_id}
        if status is not None:
            attributes |= {
                "pending": status.pending,
                "failed": status.failed,
                "unfitted": status.unfitted,
                "unmanaged": status.unmanaged,
                "duplicate": status.duplicate,
                "next_run": status.next_run_at.isoformat()
                if status.next_run_at
                else None,
            }
            # "write_only": the lock never tells its codes (Zigbee2MQTT without
            # expose_pin); occupied slots are taken to hold what was written.
            attributes["codes"] = "write_only" if status.write_only else "readable"
            if self.codes.syncer is not None and self.codes.syncer.capacity:
                capacity = self.codes.syncer.capacity
                attributes["pin_users"] = capacity.pin_users
                attributes["rfid_users"] = capacity.rfid_users
        if self.codes.last_error:
            attributes["last_error"] = self.codes.last_error
        return attributes
