"""Entity base classes: one device for the community, one per door."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN
from .door import DoorOperator
from .runtime import CommunityConfigEntry


class CommunityEntity(Entity):
    """An entity of the community as a whole."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: CommunityConfigEntry, key: str) -> None:
        """Attach to the community device."""
        self.entry = entry
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        self._attr_translation_key = key
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, entry.entry_id)})


class DoorEntity(Entity):
    """An entity of one door, on the door's own device."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self, entry: CommunityConfigEntry, operator: DoorOperator, key: str
    ) -> None:
        """Attach to the door's device (under the community device)."""
        self.entry = entry
        self.operator = operator
        door = operator.config.door
        self._attr_unique_id = f"{entry.entry_id}_{door.id}_{key}"
        self._attr_translation_key = key
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, door.id)},
            name=door.name,
            manufacturer="Community Access",
            model=f"Door ({door.zone.kind.value})",
            via_device=(DOMAIN, entry.entry_id),
        )


def async_add_door_entities(
    entry: CommunityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    factory: Callable[[CommunityConfigEntry, DoorOperator], Entity],
) -> None:
    """Add one entity per door, each in its door's subentry."""
    for operator in entry.runtime_data.doors.values():
        async_add_entities(
            [factory(entry, operator)], config_subentry_id=operator.config.id
        )
