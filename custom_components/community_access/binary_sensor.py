"""Binary sensors: a door's keypad lockout; a line's connectivity (serial or OSDP)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .door import DoorOperator
from .entity import DoorEntity, QuietRemoval, async_add_door_entities
from .operations.alarm_entities import DoorAlarmProblem
from .operations.modes_entities import async_add_mode_binary_sensors
from .osdp_entities import OSDP_LINE_MODEL, async_add_osdp_entities
from .osdp_hub import OsdpHub
from .runtime import CommunityConfigEntry
from .serial_hub import SerialHub

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One keypad-lockout sensor per door, one connectivity sensor per line."""
    async_add_door_entities(entry, async_add_entities, KeypadLockout)
    async_add_door_entities(entry, async_add_entities, DoorAlarmProblem)
    for line_id, hub in entry.runtime_data.lines.items():
        model = f"Serial line ({hub.config.protocol})"
        async_add_entities(
            [LineConnectivity(entry, hub, model)], config_subentry_id=line_id
        )
    for line_id, osdp in entry.runtime_data.osdp.items():
        async_add_entities(
            [LineConnectivity(entry, osdp, OSDP_LINE_MODEL)],
            config_subentry_id=line_id,
        )
    # the readers' sensors, on devices linked to their line's device
    async_add_osdp_entities(entry, async_add_entities)
    async_add_mode_binary_sensors(entry, async_add_entities)


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


class LineConnectivity(QuietRemoval, BinarySensorEntity):
    """On while a line's port is open (a serial line or an OSDP line)."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_translation_key = "line_connected"

    def __init__(
        self, entry: CommunityConfigEntry, hub: SerialHub | OsdpHub, model: str
    ) -> None:
        """Create for a line, on the line's own device (under the community's)."""
        self.hub = hub
        config = hub.config
        self._attr_unique_id = f"{entry.entry_id}_{config.id}_connected"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, config.id)},
            name=config.title,
            manufacturer="Community Access",
            model=model,
            via_device=(DOMAIN, entry.entry_id),
        )

    async def async_added_to_hass(self) -> None:
        """Follow the line."""
        self.async_on_remove(self.hub.add_listener(self.async_write_ha_state))

    @property
    def is_on(self) -> bool:
        """Whether the port is open."""
        return self.hub.connected
