"""A binary sensor per door: its keypad is locked after too many wrong PINs."""

from __future__ import annotations

from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .door import DoorOperator
from .entity import DoorEntity, async_add_door_entities
from .runtime import CommunityConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One keypad-lockout sensor per door."""
    async_add_door_entities(entry, async_add_entities, KeypadLockout)


class KeypadLockout(DoorEntity, BinarySensorEntity):
    """On while the door's keypad refuses PINs (GB 50396: at most 5 attempts)."""

    _attr_device_class = BinarySensorDeviceClass.PROBLEM

    def __init__(self, entry: CommunityConfigEntry, operator: DoorOperator) -> None:
        """Create for a door."""
        super().__init__(entry, operator, "keypad_locked")

    async def async_added_to_hass(self) -> None:
        """Follow lock and unlock of the keypad."""
        self.async_on_remove(
            self.operator.add_state_listener(self.async_write_ha_state)
        )

    @property
    def is_on(self) -> bool:
        """Whether the keypad is locked now."""
        detector = self.entry.runtime_data.community.detector
        return detector is not None and detector.keypad_locked(
            self.operator.id, dt_util.utcnow()
        )

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Until when."""
        detector = self.entry.runtime_data.community.detector
        until = detector.locked_until.get(self.operator.id) if detector else None
        return {"until": until.isoformat() if until and self.is_on else None}
