"""Summary sensors of the community (figures only, no personal data)."""

from __future__ import annotations

from homeassistant.components.sensor import SensorEntity, SensorStateClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import CommunityEntity
from .runtime import CommunityConfigEntry

PARALLEL_UPDATES = 0
SENSORS = ("households", "residents", "active_credentials")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Create the summary sensors."""
    async_add_entities(CountSensor(entry, key) for key in SENSORS)


class CountSensor(CommunityEntity, SensorEntity):
    """A count kept up to date on every change."""

    _attr_state_class = SensorStateClass.MEASUREMENT

    async def async_added_to_hass(self) -> None:
        """Update on every change of the community."""
        self.async_on_remove(
            self.entry.runtime_data.community.add_listener(self.async_write_ha_state)
        )

    @property
    def native_value(self) -> int:
        """The current count."""
        return self.entry.runtime_data.community.counts()[
            self._attr_translation_key or ""
        ]
