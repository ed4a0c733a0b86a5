"""A door's alarm entities: its alarm events and its problem sensor.

- ``event.<door>_alarm``: ``forced_open``, ``held_open``, ``tamper``,
  ``power_failure`` when an alarm starts; ``alarm_ended`` when its cause
  ends; ``alarm_acknowledged`` when a guard acknowledges it. Attributes: the
  alarm's id and kind only (no person is ever part of an alarm).
- ``binary_sensor.<door>_alarm``: a problem, on while any alarm of the door
  needs attention, i.e. is active (the door still open, the reader still
  reporting) **or** not yet acknowledged. An alarm that ended by itself
  keeps it on until a guard has seen it.
"""

from __future__ import annotations

from typing import Any

from custom_components.community_access.core.operations.alarms import Alarm
from custom_components.community_access.door import DoorOperator
from custom_components.community_access.entity import DoorEntity
from custom_components.community_access.runtime import CommunityConfigEntry
from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
)
from homeassistant.components.event import EventEntity
from homeassistant.core import callback

from .alarms import ALARM_EVENT_TYPES, DoorAlarms


def _alarms(entry: CommunityConfigEntry) -> DoorAlarms:
    alarms = entry.runtime_data.ops.alarms
    if alarms is None:  # pragma: no cover - set up before the platforms
        raise RuntimeError("door alarms not set up")
    return alarms


class DoorAlarmEvent(DoorEntity, EventEntity):
    """The door's alarms as events."""

    _attr_event_types = ALARM_EVENT_TYPES

    def __init__(self, entry: CommunityConfigEntry, operator: DoorOperator) -> None:
        """Create for a door."""
        super().__init__(entry, operator, "alarm")

    async def async_added_to_hass(self) -> None:
        """Listen to the door's alarms."""
        self.async_on_remove(
            _alarms(self.entry).add_alarm_listener(self.operator.id, self._alarmed)
        )

    @callback
    def _alarmed(self, event_type: str, alarm: Alarm) -> None:
        self._trigger_event(
            event_type, {"alarm_id": alarm.id, "kind": alarm.kind.value}
        )
        self.async_write_ha_state()


class DoorAlarmProblem(DoorEntity, BinarySensorEntity):
    """On while an alarm of the door is active or not acknowledged."""

    _attr_device_class = BinarySensorDeviceClass.PROBLEM

    def __init__(self, entry: CommunityConfigEntry, operator: DoorOperator) -> None:
        """Create for a door."""
        super().__init__(entry, operator, "alarm")

    async def async_added_to_hass(self) -> None:
        """Follow every alarm change."""
        self.async_on_remove(
            _alarms(self.entry).add_listener(self.async_write_ha_state)
        )

    @property
    def is_on(self) -> bool:
        """Whether an alarm of the door needs attention."""
        return bool(_alarms(self.entry).door_alarms(self.operator.id))

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Which alarms: active kinds, ids not acknowledged."""
        alarms = _alarms(self.entry).door_alarms(self.operator.id)
        return {
            "active": sorted({a.kind.value for a in alarms if a.active}),
            "unacknowledged": [a.id for a in alarms if not a.acknowledged],
        }
