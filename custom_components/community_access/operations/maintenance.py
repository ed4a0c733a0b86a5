"""Planned maintenance windows in Home Assistant (提前告知).

Each window not yet ended has up to three timers: the residents' notice
(``notice_hours`` before the start; at once if that time has passed), the
start and the end. At the start the windows in force are handed to the
decision hook (:class:`MaintenanceGate`) and doors in ``open`` mode are held
unlocked; at the end they lock again. Everything is re-read from the
database on set-up, so a restart keeps the windows and their notices.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
import json
from typing import Any

from custom_components.community_access.const import EVENT_MAINTENANCE, LOGGER
from custom_components.community_access.core.community import Community
from custom_components.community_access.core.decision import Decision
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.operations.maintenance import (
    MaintenanceGate,
    MaintenanceMode,
    Window,
    add_window,
    mark_cancelled,
    mark_notified,
    new_window,
    pending_windows,
)
from custom_components.community_access.runtime import CommunityConfigEntry
from custom_components.community_access.words import MAINTENANCE_MODES, local_time, word
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from .listeners import ChangeListeners
from .notices import UpkeepSettings, async_tell_residents, chinese

#: The doors maintenance holds open (JSON list, in the settings table).
HELD_KEY = "operations.maintenance_held"


def notice_text(
    hass: HomeAssistant, entry: CommunityConfigEntry, window: Window
) -> str:
    """Return the residents' notice of a window: doors, times, door mode."""
    doors = entry.runtime_data.doors
    names = "、".join(
        doors[d].config.door.name if d in doors else d for d in window.door_ids
    )
    mode = word(MAINTENANCE_MODES, window.mode.value, hass.config.language)
    start = local_time(window.start.isoformat())
    end = local_time(window.end.isoformat())
    if chinese(hass):
        text = f"门禁维护通知:{names} 将于 {start} 至 {end} 进行维护,期间{mode}。"
    else:
        text = (
            f"Maintenance notice: {names} will be serviced from {start} to {end};"
            f" meanwhile the door {mode}."
        )
    return f"{text} {window.message}" if window.message else text


class MaintenancePlanner(ChangeListeners):
    """The planned windows of one community and their timers."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CommunityConfigEntry,
        settings: UpkeepSettings,
    ) -> None:
        """Prepare; :meth:`async_start` reads the windows."""
        super().__init__()
        self.hass = hass
        self.entry = entry
        self.settings = settings
        self.gate = MaintenanceGate()
        self.windows: dict[int, Window] = {}
        self._timers: dict[int, list[CALLBACK_TYPE]] = {}
        #: Doors held open by a window (kept in the database).
        self.held: set[str] = set()

    @property
    def community(self) -> Community:
        """The community."""
        return self.entry.runtime_data.community

    def decide(self, decision: Decision) -> Decision:
        """Return the decision as a window in force makes it (O(1))."""
        return self.gate.apply(decision)

    async def async_start(self) -> None:
        """Read the windows not ended and schedule them."""
        now = dt_util.utcnow()
        windows: list[Window] = await self.community.run(
            pending_windows, self.community.db, now
        )
        for window in windows:
            self._schedule(window)
        kept = await self.community.run(self.community.db.setting, HELD_KEY)
        self.held = set(json.loads(kept)) if kept else set()
        await self._async_refresh()

    @callback
    def async_stop(self) -> None:
        """Cancel the timers (the doors lock again when the entry stops)."""
        for window_id in list(self._timers):
            self._cancel_timers(window_id)

    async def async_add(
        self,
        *,
        door_ids: list[str],
        start: datetime,
        end: datetime,
        mode: MaintenanceMode,
        message: str | None,
        by: str | None,
    ) -> Window:
        """Write and schedule a window."""
        window = new_window(
            door_ids=door_ids,
            start=start,
            end=end,
            mode=mode,
            message=message,
            now=dt_util.utcnow(),
            by=by,
        )
        written: Window = await self.community.run(
            add_window, self.community.db, window
        )
        self._schedule(written)
        await self._async_refresh()
        return written

    async def async_cancel(self, window_id: int) -> Window:
        """Cancel a window not ended; doors held open lock again."""
        window = self.windows.get(window_id)
        if window is None:
            raise CommunityError("unknown_maintenance", window_id=str(window_id))
        now = dt_util.utcnow()
        await self.community.run(mark_cancelled, self.community.db, window_id, now)
        self._cancel_timers(window_id)
        del self.windows[window_id]
        self._fire("cancelled", window)
        await self._async_refresh()
        return window

    # ---- timers
    @callback
    def _schedule(self, window: Window) -> None:
        self.windows[window.id] = window
        now = dt_util.utcnow()
        timers: list[CALLBACK_TYPE] = []
        if window.notified_at is None:
            notice = max(
                window.start - timedelta(hours=self.settings.notice_hours), now
            )
            timers.append(
                async_track_point_in_utc_time(
                    self.hass, self._due(self._async_notice, window.id), notice
                )
            )
        boundary = self._due(self._async_boundary, window.id)
        timers.extend(
            async_track_point_in_utc_time(self.hass, boundary, at)
            for at in (window.start, window.end)
            if at > now
        )
        self._timers[window.id] = timers

    def _due(
        self, action: Callable[[int], Any], window_id: int
    ) -> Callable[[datetime], None]:
        @callback
        def _run(_now: datetime) -> None:
            self.entry.async_create_task(
                self.hass, action(window_id), f"maintenance {window_id}"
            )

        return _run

    @callback
    def _cancel_timers(self, window_id: int) -> None:
        for unsub in self._timers.pop(window_id, []):
            unsub()

    async def _async_notice(self, window_id: int) -> None:
        window = self.windows.get(window_id)
        if window is None or window.notified_at is not None:
            return
        now = dt_util.utcnow()
        await self.community.run(mark_notified, self.community.db, window_id, now)
        self.windows[window_id] = replace(window, notified_at=now)
        self._fire("notice", window)
        await async_tell_residents(
            self.hass,
            self.entry,
            self.settings,
            window.door_ids,
            notice_text(self.hass, self.entry, window),
        )

    async def _async_boundary(self, window_id: int) -> None:
        window = self.windows.get(window_id)
        if window is None:
            return
        now = dt_util.utcnow()
        self._fire("started" if window.active(now) else "ended", window)
        if now >= window.end:
            self._cancel_timers(window_id)
            del self.windows[window_id]
        await self._async_refresh()

    async def _async_refresh(self) -> None:
        """Hand the windows in force to the gate; hold or release the doors.

        The doors held are kept in the database, so a door held when Home
        Assistant stopped is locked again at start if its window ended since.
        """
        self.gate.set_active(list(self.windows.values()), dt_util.utcnow())
        doors = self.entry.runtime_data.doors
        held = {
            d
            for d, w in self.gate.by_door.items()
            if w.mode is MaintenanceMode.OPEN and d in doors
        }
        for door_id in sorted(held):
            if not doors[door_id].held:
                await self._door(doors[door_id].async_hold_open, door_id)
        for door_id in sorted(self.held - held):
            if door_id in doors:
                await self._door(doors[door_id].async_release_hold, door_id)
        if held != self.held:
            self.held = held
            await self.community.run(
                self.community.db.set_setting, HELD_KEY, json.dumps(sorted(held))
            )
        self._changed()

    async def _door(self, action: Callable[..., Any], door_id: str) -> None:
        try:
            await action(Context())
        except HomeAssistantError as err:
            LOGGER.warning("Maintenance could not drive door %s: %s", door_id, err)

    @callback
    def _fire(self, phase: str, window: Window) -> None:
        self.hass.bus.async_fire(
            EVENT_MAINTENANCE, {"phase": phase, **window.as_dict()}
        )
