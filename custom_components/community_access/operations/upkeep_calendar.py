"""The community's maintenance calendar: planned windows and expected repairs.

A planned maintenance window shows from its start to its end; an open fault
with an expected completion shows as a half-hour event at that time. Events
name doors and devices only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from custom_components.community_access.core.operations.faults import Fault
from custom_components.community_access.core.operations.maintenance import (
    Window,
    windows_between,
)
from custom_components.community_access.entity import CommunityEntity
from custom_components.community_access.runtime import CommunityConfigEntry
from custom_components.community_access.words import MAINTENANCE_MODES, is_chinese, word
from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

#: How long an expected completion shows on the calendar.
REPAIR_EVENT = timedelta(minutes=30)


class MaintenanceCalendar(CommunityEntity, CalendarEntity):
    """Planned maintenance windows and expected repair completions."""

    def __init__(self, entry: CommunityConfigEntry) -> None:
        """Attach to the community device."""
        super().__init__(entry, "maintenance")

    def _window_event(self, window: Window) -> CalendarEvent:
        doors = self.entry.runtime_data.doors
        names = ", ".join(
            doors[d].config.door.name if d in doors else d for d in window.door_ids
        )
        language = self.hass.config.language
        mode = word(MAINTENANCE_MODES, window.mode.value, language)
        prefix = "门禁维护" if is_chinese(language) else "Maintenance"
        return CalendarEvent(
            start=dt_util.as_local(window.start),
            end=dt_util.as_local(window.end),
            summary=f"{prefix}: {names}",
            description=f"{mode}. {window.message or ''}".strip(),
            uid=f"{self.entry.entry_id}_maintenance_{window.id}",
        )

    def _repair_event(self, fault: Fault) -> CalendarEvent | None:
        if fault.expected_at is None:
            return None
        prefix = "预计修复" if is_chinese(self.hass.config.language) else "Repair due"
        return CalendarEvent(
            start=dt_util.as_local(fault.expected_at),
            end=dt_util.as_local(fault.expected_at + REPAIR_EVENT),
            summary=f"{prefix}: {fault.device_name or fault.device_id}",
            uid=f"{self.entry.entry_id}_fault_{fault.id}",
        )

    def _events(self) -> list[CalendarEvent]:
        ops = self.entry.runtime_data.ops
        events: list[CalendarEvent] = []
        if ops.maintenance is not None:
            events.extend(
                self._window_event(w) for w in ops.maintenance.windows.values()
            )
        if ops.faults is not None:
            repairs = (self._repair_event(f) for f in ops.faults.book.open.values())
            events.extend(e for e in repairs if e is not None)
        return events

    @property
    def event(self) -> CalendarEvent | None:
        """The current event, or else the next one."""
        now = dt_util.now()
        coming = [e for e in self._events() if e.end_datetime_local > now]
        return min(coming, key=lambda e: e.start_datetime_local, default=None)

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Windows (from the database, past ones too) and expected repairs."""
        community = self.entry.runtime_data.community
        windows: list[Window] = await community.run(
            windows_between, community.db, start_date, end_date
        )
        events = [self._window_event(w) for w in windows]
        ops = self.entry.runtime_data.ops
        if ops.faults is not None:
            for fault in ops.faults.book.open.values():
                event = self._repair_event(fault)
                if (
                    event is not None
                    and event.start < end_date
                    and event.end > start_date
                ):
                    events.append(event)
        return events

    async def async_added_to_hass(self) -> None:
        """Follow the windows and the faults."""
        await super().async_added_to_hass()
        ops = self.entry.runtime_data.ops
        if ops.maintenance is not None:
            self.async_on_remove(ops.maintenance.add_listener(self._changed))
        if ops.faults is not None:
            self.async_on_remove(ops.faults.add_listener(self._changed))

    @callback
    def _changed(self) -> None:
        self.async_write_ha_state()
