"""Door alarms in Home Assistant: contacts and exit buttons watched, alarms raised.

The rules are in :mod:`..core.operations.alarms`; here each door's contact
and exit-button entities are followed, the held-open timers run, and each
alarm is recorded, announced (the door's alarm event entity, the bus event
``community_access_door_alarm`` the logbook describes, the guard desk's
notify service) and shown by the door's problem sensor.

Hooks for the other parts (``entry.runtime_data.ops.alarms``):

- :meth:`DoorAlarms.note_open` after each legitimate opening (a grant, a
  remote open, a guard's entry; called from ``runtime``);
- :meth:`DoorAlarms.allow_open` to let a door stand open until a moment;
- :meth:`DoorAlarms.add_open_predicate` for a mode that keeps doors open
  for as long as it lasts (emergency release, maintenance "open"): while the
  predicate says so, an opening is not forced and a held-open door is not an
  alarm;
- :meth:`DoorAlarms.reader_status` from the readers that sense tamper and
  power failure (OSDP ``LSTATR``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from custom_components.community_access.const import (
    CONF_DOOR_CONTACT,
    CONF_EXIT_REQUEST,
    CONF_HELD_OPEN_AFTER,
    DEFAULT_HELD_OPEN_AFTER,
    EVENT_DOOR_ALARM,
    LOGGER,
)
from custom_components.community_access.core.operations.alarms import (
    CONTACT_KINDS,
    Alarm,
    AlarmBook,
    AlarmKind,
    Change,
    DoorWatch,
    OpenPredicate,
)
from custom_components.community_access.notifications import async_send
from custom_components.community_access.runtime import CommunityConfigEntry
from homeassistant.const import STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import (
    CALLBACK_TYPE,
    Context,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.helpers.event import async_call_later, async_track_state_change_event
from homeassistant.util import dt as dt_util

from .alarm_words import alarm_text
from .listeners import ChangeListeners

#: Event types of a door's alarm event entity.
EVENT_ALARM_ENDED = "alarm_ended"
EVENT_ALARM_ACKNOWLEDGED = "alarm_acknowledged"
ALARM_EVENT_TYPES = [*(kind.value for kind in AlarmKind), EVENT_ALARM_ENDED]
ALARM_EVENT_TYPES.append(EVENT_ALARM_ACKNOWLEDGED)

ACTION_ACKNOWLEDGE = "acknowledge_alarm"
#: States that say nothing about the door or the button.
_NO_STATE = (STATE_UNAVAILABLE, STATE_UNKNOWN)

type AlarmListener = Callable[[str, Alarm], None]


class DoorAlarms(ChangeListeners):
    """The door alarms of one loaded community."""

    def __init__(self, hass: HomeAssistant, entry: CommunityConfigEntry) -> None:
        """Prepare; :meth:`async_start` reads the open alarms and listens."""
        super().__init__()
        self.hass = hass
        self.entry = entry
        self.book = AlarmBook(entry.runtime_data.community)
        self.watches: dict[str, DoorWatch] = {}
        #: Alarms still needing attention (active or not acknowledged), by id.
        self.open: dict[int, Alarm] = {}
        #: The active alarm of each (door, kind).
        self.active: dict[tuple[str, AlarmKind], Alarm] = {}
        self._contacts: dict[str, str] = {}
        self._exits: dict[str, str] = {}
        self._predicates: list[OpenPredicate] = []
        self._timers: dict[str, CALLBACK_TYPE] = {}
        self._alarm_listeners: dict[str | None, list[AlarmListener]] = {}
        self._lock = asyncio.Lock()

    # ---- set-up
    def _configure(self) -> None:
        for door_id in self.entry.runtime_data.doors:
            subentry = self.entry.subentries.get(door_id)
            data = subentry.data if subentry is not None else {}
            seconds = float(data.get(CONF_HELD_OPEN_AFTER, DEFAULT_HELD_OPEN_AFTER))
            self.watches[door_id] = DoorWatch(door_id, timedelta(seconds=seconds))
            if contact := data.get(CONF_DOOR_CONTACT):
                self._contacts[str(contact)] = door_id
            if exit_request := data.get(CONF_EXIT_REQUEST):
                self._exits[str(exit_request)] = door_id

    async def async_start(self) -> list[CALLBACK_TYPE]:
        """Read the open alarms, re-check open doors, follow contacts and buttons."""
        self._configure()
        for alarm in await self.book.open_alarms():
            self.open[alarm.id] = alarm
            watch = self.watches.get(alarm.door_id)
            if alarm.active and watch is not None:
                watch.active.add(alarm.kind)
                self.active[(alarm.door_id, alarm.kind)] = alarm
        now = dt_util.utcnow()
        for entity_id, door_id in self._contacts.items():
            state = self.hass.states.get(entity_id)
            if state is not None and state.state not in _NO_STATE:
                self._contact_known(door_id, state.state == STATE_ON, now)
        unsubscribe: list[CALLBACK_TYPE] = [self._cancel_timers]
        if self._contacts:
            unsubscribe.append(
                async_track_state_change_event(
                    self.hass, list(self._contacts), self._contact_changed
                )
            )
        if self._exits:
            unsubscribe.append(
                async_track_state_change_event(
                    self.hass, list(self._exits), self._exit_pressed
                )
            )
        return unsubscribe

    def _contact_known(self, door_id: str, is_open: bool, at: datetime) -> None:
        """Take a contact's state first seen (at set-up, or back from unavailable).

        How an already open door was opened cannot be known: it is not called
        forced, but timed for held open from now. A closed one ends the
        door's contact alarms.
        """
        watch = self.watches[door_id]
        if not is_open:
            self._apply(door_id, watch.contact(False, at), at)
        elif watch.active & CONTACT_KINDS:
            watch.opened_at = at
        else:
            watch.resume_open(at)
            self._schedule(door_id)

    # ---- hooks for the other parts
    @callback
    def note_open(self, door_id: str, at: datetime | None = None) -> None:
        """Note a legitimate opening now: the door may open for its open time."""
        operator = self.entry.runtime_data.doors.get(door_id)
        if operator is None:
            return
        at = at or dt_util.utcnow()
        self.allow_open(door_id, at + timedelta(seconds=operator.config.open_time))

    @callback
    def allow_open(self, door_id: str, until: datetime) -> None:
        """Let the door open (without a forced-open alarm) until ``until``."""
        watch = self.watches.get(door_id)
        if watch is not None:
            watch.allow_open(until)

    @callback
    def add_open_predicate(self, predicate: OpenPredicate) -> CALLBACK_TYPE:
        """Ask ``predicate(door_id, at)`` whether a door may stand open; a remover."""
        self._predicates.append(predicate)
        return lambda: self._predicates.remove(predicate)

    @callback
    def reader_status(self, door_id: str, kind: AlarmKind, on: bool) -> None:
        """Take a door reader's report of tamper or power failure (on or off)."""
        watch = self.watches.get(door_id)
        if watch is not None:
            now = dt_util.utcnow()
            self._apply(door_id, watch.reader(kind, on), now)

    # ---- listeners (entities)

    @callback
    def add_alarm_listener(
        self, door_id: str | None, listener: AlarmListener
    ) -> CALLBACK_TYPE:
        """Be told ``(event_type, alarm)`` of each alarm of a door (None: all)."""
        listeners = self._alarm_listeners.setdefault(door_id, [])
        listeners.append(listener)
        return lambda: listeners.remove(listener)

    def door_alarms(self, door_id: str) -> list[Alarm]:
        """Return the door's alarms needing attention, oldest first."""
        return sorted(
            (a for a in self.open.values() if a.door_id == door_id),
            key=lambda a: (a.started_at, a.id),
        )

    # ---- inputs
    @callback
    def _contact_changed(self, event: Event[EventStateChangedData]) -> None:
        door_id = self._contacts[event.data["entity_id"]]
        old, new = event.data["old_state"], event.data["new_state"]
        if new is None or new.state in _NO_STATE:
            return
        at = new.last_changed
        is_open = new.state == STATE_ON
        if old is None or old.state in _NO_STATE:
            self._contact_known(door_id, is_open, at)
            return
        watch = self.watches[door_id]
        changes = watch.contact(is_open, at, tuple(self._predicates))
        if is_open and watch.held_due is not None:
            self._schedule(door_id)
        elif not is_open:
            self._cancel_timer(door_id)
        self._apply(door_id, changes, at)

    @callback
    def _exit_pressed(self, event: Event[EventStateChangedData]) -> None:
        door_id = self._exits[event.data["entity_id"]]
        old, new = event.data["old_state"], event.data["new_state"]
        # An entity just added (old None) reports its state, not a press.
        if old is None or new is None or new.state in _NO_STATE:
            return
        if new.domain == "binary_sensor":
            pressed = new.state == STATE_ON and old.state != STATE_ON
        else:  # an event entity: its state is the time of its last event
            pressed = old.state != new.state
        if pressed:
            self.note_open(door_id, new.last_changed)

    # ---- the held-open timer
    def _schedule(self, door_id: str) -> None:
        self._cancel_timer(door_id)
        watch = self.watches[door_id]
        if watch.held_due is None:
            return
        delay = max(0.0, (watch.held_due - dt_util.utcnow()).total_seconds())

        @callback
        def _due(_now: datetime) -> None:
            self._timers.pop(door_id, None)
            due = watch.held_due
            if due is not None:
                self._apply(door_id, watch.due(due, tuple(self._predicates)), due)

        self._timers[door_id] = async_call_later(self.hass, delay, _due)

    def _cancel_timer(self, door_id: str) -> None:
        if (cancel := self._timers.pop(door_id, None)) is not None:
            cancel()

    @callback
    def _cancel_timers(self) -> None:
        for door_id in list(self._timers):
            self._cancel_timer(door_id)

    # ---- recording and announcing
    def _apply(self, door_id: str, changes: list[Change], at: datetime) -> None:
        if changes:
            self.entry.async_create_task(
                self.hass, self._async_apply(door_id, changes, at), "door alarm"
            )

    async def _async_apply(
        self, door_id: str, changes: list[Change], at: datetime
    ) -> None:
        async with self._lock:
            for change in changes:
                if change.start:
                    await self._async_started(door_id, change.kind, at)
                else:
                    await self._async_ended(door_id, change.kind, at)

    async def _async_started(self, door_id: str, kind: AlarmKind, at: datetime) -> None:
        alarm = await self.book.start(door_id, kind, at)
        self.active[(door_id, kind)] = alarm
        self.open[alarm.id] = alarm
        LOGGER.warning("Door alarm at %s: %s", self._door_name(door_id), kind.value)
        self._announce(kind.value, alarm, "started")
        # Not awaited here: a slow notify service must not hold up the next alarm.
        self.entry.async_create_task(
            self.hass, self._async_notify(alarm), "door alarm notification"
        )

    async def _async_ended(self, door_id: str, kind: AlarmKind, at: datetime) -> None:
        alarm = self.active.pop((door_id, kind), None)
        if alarm is None:
            return
        ended = await self.book.end(alarm.id, at)
        self._keep(ended)
        self._announce(EVENT_ALARM_ENDED, ended, "ended")

    async def async_acknowledge(
        self, alarm_id: int, *, note: str | None, context: Context | None
    ) -> Alarm:
        """Acknowledge an alarm for a guard or administrator; audited."""
        user_id = context.user_id if context is not None else None
        alarm = await self.book.acknowledge(
            alarm_id, by=user_id, note=note, at=dt_util.utcnow()
        )
        self._keep(alarm)
        if alarm.active:
            self.active[(alarm.door_id, alarm.kind)] = alarm
        await self.entry.runtime_data.community.record_admin_action(
            ACTION_ACKNOWLEDGE,
            actor=user_id,
            details={
                "alarm_id": alarm.id,
                "door_id": alarm.door_id,
                "kind": alarm.kind.value,
            },
        )
        self._announce(EVENT_ALARM_ACKNOWLEDGED, alarm, "acknowledged", context)
        return alarm

    def _keep(self, alarm: Alarm) -> None:
        if alarm.open:
            self.open[alarm.id] = alarm
        else:
            self.open.pop(alarm.id, None)

    def _door_name(self, door_id: str) -> str:
        operator = self.entry.runtime_data.doors.get(door_id)
        return operator.config.door.name if operator is not None else door_id

    def _announce(
        self,
        event_type: str,
        alarm: Alarm,
        state: str,
        context: Context | None = None,
    ) -> None:
        """Tell the entities and fire the bus event (no personal data)."""
        for door_id in (alarm.door_id, None):
            for listener in list(self._alarm_listeners.get(door_id, [])):
                listener(event_type, alarm)
        self._changed()
        data: dict[str, Any] = {
            "alarm_id": alarm.id,
            "door_id": alarm.door_id,
            "door": self._door_name(alarm.door_id),
            "kind": alarm.kind.value,
            "state": state,
            "at": (
                alarm.started_at
                if state == "started"
                else alarm.ended_at
                if state == "ended"
                else alarm.acknowledged_at
            ),
        }
        data["at"] = data["at"].isoformat() if data["at"] else None
        self.hass.bus.async_fire(EVENT_DOOR_ALARM, data, context=context)

    async def _async_notify(self, alarm: Alarm) -> None:
        service = self.entry.runtime_data.guard_notify
        if not service:
            return
        title, message = alarm_text(
            self._door_name(alarm.door_id), alarm.kind, self.hass.config.language
        )
        await async_send(
            self.hass,
            service,
            title,
            message,
            {"alarm_id": alarm.id, "door_id": alarm.door_id},
        )


async def async_setup_alarms(
    hass: HomeAssistant, entry: CommunityConfigEntry
) -> list[CALLBACK_TYPE]:
    """Start the door alarms of a community (``runtime.ops.alarms``)."""
    alarms = DoorAlarms(hass, entry)
    entry.runtime_data.ops.alarms = alarms
    return await alarms.async_start()
