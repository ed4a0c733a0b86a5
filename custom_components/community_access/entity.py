"""Entity base classes: one device for the community, one per door."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.config_entries import ConfigEntryState
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN
from .door import DoorOperator
from .runtime import CommunityConfigEntry


class QuietRemoval(Entity):
    """Leaves the state machine without an "unavailable" state when unloaded.

    Home Assistant writes "unavailable" for a registered entity that is
    removed, which the logbook shows as "became unavailable": one line per
    entity on every reload of the community. Entities removed while their
    entry unloads leave the state machine instead (as an entity without a
    registry entry does); re-added after a reload, they write no logbook line
    either (a first state has no old state).
    """

    async def async_will_remove_from_hass(self) -> None:
        """Drop the registry entry's "unavailable" state while the entry unloads."""
        await super().async_will_remove_from_hass()
        entry = self.platform.config_entry if self.platform is not None else None
        if entry is not None and entry.state is ConfigEntryState.UNLOAD_IN_PROGRESS:
            # Entity.async_remove writes "unavailable" only for an entity it
            # sees in the registry; the registry entry itself is kept.
            self.registry_entry = None


class CommunityEntity(QuietRemoval):
    """An entity of the community as a whole."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: CommunityConfigEntry, key: str) -> None:
        """Attach to the community device."""
        self.entry = entry
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        self._attr_translation_key = key
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, entry.entry_id)})


class DoorEntity(QuietRemoval):
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
