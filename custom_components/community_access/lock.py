"""A lock entity per door: mirrors the bound lock, opens through the access path."""

from __future__ import annotations

from typing import Any

from homeassistant.components.lock import LockEntity
from homeassistant.components.lock.const import LockState
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import DoorEntity, async_add_door_entities
from .runtime import CommunityConfigEntry, async_remote_open

# Doors may switch relays on a shared serial bus: one command at a time.
PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One lock per door, each in its door's subentry."""
    async_add_door_entities(entry, async_add_entities, DoorLock)


class DoorLock(DoorEntity, LockEntity):
    """The door as a lock: locked, unlocked, or what the bound lock says."""

    _attr_name = None

    def __init__(self, entry: CommunityConfigEntry, operator: Any) -> None:
        """Create for a door."""
        super().__init__(entry, operator, "door")

    async def async_added_to_hass(self) -> None:
        """Follow the door's state."""
        self.async_on_remove(
            self.operator.add_state_listener(self.async_write_ha_state)
        )

    @property
    def available(self) -> bool:
        """Unavailable while the bound lock is."""
        return bool(self.operator.available)

    @property
    def is_locked(self) -> bool | None:
        """Locked state."""
        state = self.operator.state
        return None if state is None else state == LockState.LOCKED

    @property
    def is_locking(self) -> bool | None:
        """Locking state of the bound lock."""
        return self.operator.state == LockState.LOCKING

    @property
    def is_unlocking(self) -> bool | None:
        """Unlocking state of the bound lock."""
        return self.operator.state == LockState.UNLOCKING

    @property
    def is_jammed(self) -> bool | None:
        """Jammed state of the bound lock."""
        return self.operator.state == LockState.JAMMED

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Which lock drives the door, and what lies behind it."""
        config = self.operator.config
        return {
            "zone": config.door.zone.id,
            "direction": config.door.direction.value,
            "bound_lock": config.lock_entity_id,
            "open_time": config.open_time,
        }

    async def async_unlock(self, **kwargs: Any) -> None:
        """Open the door for its open time; recorded with the user who asked."""
        await async_remote_open(self.hass, self.entry, self.operator, self._context)

    async def async_open(self, **kwargs: Any) -> None:
        """Open the door (same as unlock)."""
        await self.async_unlock(**kwargs)

    async def async_lock(self, **kwargs: Any) -> None:
        """Lock now."""
        await self.operator.async_lock(self._context)
