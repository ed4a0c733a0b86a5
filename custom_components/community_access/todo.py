"""The community's "Maintenance" to-do list: open faults and inspections due.

Read-only on purpose: a fault is closed with ``update_fault`` (an
administrator, with a progress note residents see) and an inspection with
``record_inspection``; ticking an item in a dashboard, which any user may
reach, closes nothing.
"""

from __future__ import annotations

from homeassistant.components.todo import TodoItem, TodoListEntity
from homeassistant.components.todo.const import TodoItemStatus
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .entity import CommunityEntity
from .runtime import CommunityConfigEntry
from .words import FAULT_CAUSES, FAULT_STATUSES, is_chinese, word

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Create the maintenance to-do list."""
    async_add_entities([MaintenanceTodo(entry)])


class MaintenanceTodo(CommunityEntity, TodoListEntity):
    """Open faults and due inspections, as to-do items."""

    def __init__(self, entry: CommunityConfigEntry) -> None:
        """Attach to the community device."""
        super().__init__(entry, "maintenance")

    async def async_added_to_hass(self) -> None:
        """Follow the faults and the inspections."""
        await super().async_added_to_hass()
        ops = self.entry.runtime_data.ops
        if ops.faults is not None:
            self.async_on_remove(ops.faults.add_listener(self.async_write_ha_state))
        if ops.patrols is not None:
            self.async_on_remove(ops.patrols.add_listener(self.async_write_ha_state))

    @property
    def todo_items(self) -> list[TodoItem]:
        """Open faults first (oldest first), then the inspections due."""
        ops = self.entry.runtime_data.ops
        language = self.hass.config.language
        items: list[TodoItem] = []
        if ops.faults is not None:
            for fault in sorted(ops.faults.book.open.values(), key=lambda f: f.id):
                cause = word(FAULT_CAUSES, fault.cause.value, language)
                status = word(FAULT_STATUSES, fault.status.value, language)
                items.append(
                    TodoItem(
                        uid=f"fault_{fault.id}",
                        summary=f"{fault.device_name or fault.device_id}: {cause} ({status})",
                        status=TodoItemStatus.NEEDS_ACTION,
                        due=dt_util.as_local(fault.expected_at)
                        if fault.expected_at
                        else None,
                        description=fault.description,
                    )
                )
        if ops.patrols is not None:
            doors = self.entry.runtime_data.doors
            zh = is_chinese(language)
            due = ops.patrols.due_inspections(dt_util.utcnow())
            for door_id, due_at in sorted(due.items(), key=lambda d: d[1]):
                name = doors[door_id].config.door.name
                items.append(
                    TodoItem(
                        uid=f"inspection_{door_id}",
                        summary=f"巡检 {name}" if zh else f"Inspect {name}",
                        status=TodoItemStatus.NEEDS_ACTION,
                        due=dt_util.as_local(due_at).date(),
                    )
                )
        return items
