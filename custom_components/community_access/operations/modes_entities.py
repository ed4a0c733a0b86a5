"""Entities of the site's mode: its state, two binary sensors, muster counts.

States and attributes hold no personal data (the muster sensors: counts only).
"""

from __future__ import annotations

from typing import Any

from custom_components.community_access.core.operations.modes import ModeKind, SiteState
from custom_components.community_access.entity import CommunityEntity
from custom_components.community_access.runtime import CommunityConfigEntry
from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorStateClass,
)
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .modes import ModesController
from .muster import MusterWatch


def async_add_mode_sensors(
    entry: CommunityConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the site mode sensor and one muster count per building."""
    ops = entry.runtime_data.ops
    if ops.modes is not None:
        async_add_entities([SiteModeSensor(entry, ops.modes)])
    if ops.muster is not None:
        async_add_entities(
            MusterCountSensor(entry, ops.muster, building)
            for building in ops.muster.buildings
        )


def async_add_mode_binary_sensors(
    entry: CommunityConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """On while an emergency release / a lockdown is active."""
    modes = entry.runtime_data.ops.modes
    if modes is not None:
        async_add_entities(
            ModeActive(entry, modes, kind)
            for kind in (ModeKind.EMERGENCY, ModeKind.LOCKDOWN)
        )


class _ModeEntity(CommunityEntity):
    """Follows the site's modes."""

    def __init__(
        self, entry: CommunityConfigEntry, modes: ModesController, key: str
    ) -> None:
        super().__init__(entry, key)
        self.modes = modes

    async def async_added_to_hass(self) -> None:
        """Update when a mode starts or ends."""
        self.async_on_remove(self.modes.add_listener(self.async_write_ha_state))


class SiteModeSensor(_ModeEntity, SensorEntity):
    """Normal, lockdown or emergency."""

    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = [s.value for s in SiteState]

    def __init__(self, entry: CommunityConfigEntry, modes: ModesController) -> None:
        """Create for the community."""
        super().__init__(entry, modes, "site_mode")

    @property
    def native_value(self) -> str:
        """The site's state."""
        return self.modes.state.value

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """How many doors are released or locked down, and since when."""
        site = self.modes.site
        started = [m.started_at for m in site.active.values()]
        return {
            "doors_released": len(site.released),
            "doors_locked_down": len(site.locked_down),
            "since": min(started).isoformat() if started else None,
        }


class ModeActive(_ModeEntity, BinarySensorEntity):
    """On while a mode of one kind is active."""

    def __init__(
        self, entry: CommunityConfigEntry, modes: ModesController, kind: ModeKind
    ) -> None:
        """Create for ``kind``."""
        super().__init__(entry, modes, f"{kind.value}_active")
        self.kind = kind

    @property
    def is_on(self) -> bool:
        """Whether a mode of this kind is active."""
        return bool(self.modes.site.modes(self.kind))


class MusterCountSensor(CommunityEntity, SensorEntity):
    """How many people may still be inside a building (count only)."""

    _attr_state_class = SensorStateClass.MEASUREMENT

    def __init__(
        self, entry: CommunityConfigEntry, watch: MusterWatch, building: str
    ) -> None:
        """Create for ``building``."""
        super().__init__(entry, "muster_count")
        self._attr_unique_id = f"{entry.entry_id}_muster_{building}"
        self._attr_translation_placeholders = {"building": building}
        self.watch = watch
        self.building = building

    async def async_added_to_hass(self) -> None:
        """Update when the counts are recomputed."""
        self.async_on_remove(self.watch.add_listener(self.async_write_ha_state))

    @property
    def native_value(self) -> int:
        """The count."""
        return self.watch.counts.get(self.building, 0)
