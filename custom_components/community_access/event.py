"""An event entity per door reader: ``granted`` or ``denied``, with the reason.

Disabled by default: every access is already one logbook line (the
``community_access_access_granted/denied`` bus event, which automations
should use); the entity's own "detected an event" line only repeated it.
"""

from __future__ import annotations

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import EVENT_TYPE_DENIED, EVENT_TYPE_GRANTED
from .core.decision import Decision
from .door import DoorOperator
from .entity import DoorEntity, async_add_door_entities
from .names import shown_name
from .operations.alarm_entities import DoorAlarmEvent
from .runtime import CommunityConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """One reader event entity per door."""
    async_add_door_entities(entry, async_add_entities, DoorReaderEvent)
    async_add_door_entities(entry, async_add_entities, DoorAlarmEvent)


class DoorReaderEvent(DoorEntity, EventEntity):
    """What the door's reader decided, as events."""

    _attr_event_types = [EVENT_TYPE_GRANTED, EVENT_TYPE_DENIED]
    _attr_entity_registry_enabled_default = False

    def __init__(self, entry: CommunityConfigEntry, operator: DoorOperator) -> None:
        """Create for a door."""
        super().__init__(entry, operator, "reader")

    async def async_added_to_hass(self) -> None:
        """Listen to the door's decisions."""
        self.async_on_remove(self.operator.add_access_listener(self._decided))

    @callback
    def _decided(self, decision: Decision) -> None:
        self._trigger_event(
            EVENT_TYPE_GRANTED if decision.granted else EVENT_TYPE_DENIED,
            {
                "reason": decision.reason.value,
                "kind": decision.kind.value if decision.kind else None,
                "person_id": decision.person_id,
                "person_name": shown_name(
                    decision.person_name, self.entry.runtime_data.full_names
                ),
                "unit": decision.unit,
            },
        )
        self.async_write_ha_state()
