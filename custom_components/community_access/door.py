"""Doors: their configuration (a config subentry each) and their operation.

A :class:`DoorOperator` opens a door after a grant: it unlocks the Home
Assistant lock entity the door is bound to (Z-Wave, Zigbee2MQTT, Nuki, ...)
and locks it again after the open time if the lock does not do so itself.
A door may instead be driven by a relay on a serial line (see
:mod:`.serial_hub`): switched on for the open time, then off again.
A door without a bound lock is virtual: its state is kept here. Entities are
only views of an operator, so a disabled entity never stops a door opening.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from homeassistant.components.lock.const import LockState
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import (
    CALLBACK_TYPE,
    Context,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_call_later, async_track_state_change_event

from .const import (
    CONF_ALLOWED_ROLES,
    CONF_ANTI_PASSBACK,
    CONF_AREA,
    CONF_BUILDING,
    CONF_DIRECTION,
    CONF_ESCAPE_ROUTE,
    CONF_HOURS,
    CONF_LOCK_ENTITY,
    CONF_MANAGE_CODES,
    CONF_OPEN_TIME,
    CONF_WEEKDAYS,
    CONF_ZONE_KIND,
    DEFAULT_OPEN_TIME,
    DOMAIN,
    LOGGER,
)
from .core.decision import Decision
from .core.detection import PassbackMode
from .core.models import Direction, Door, Role, Zone, ZoneKind
from .core.schedule import WEEKDAYS, Schedule

LOCK_CALL_TIMEOUT = 15


def door_from_data(door_id: str, name: str, data: Mapping[str, Any]) -> Door:
    """Build the core :class:`Door` from a subentry's data; ``ValueError`` if invalid."""
    kind = ZoneKind(data[CONF_ZONE_KIND])
    if kind is ZoneKind.GATE:
        zone = Zone.gate()
    elif kind is ZoneKind.BUILDING:
        zone = Zone.parse(f"building:{str(data.get(CONF_BUILDING, '')).strip()}")
    else:
        zone = Zone.parse(f"public:{str(data.get(CONF_AREA, '')).strip().lower()}")
    roles = data.get(CONF_ALLOWED_ROLES) or None
    hours = str(data.get(CONF_HOURS) or "").strip()
    schedule = None
    if hours:
        ranges = [r for r in hours.replace(" ", "").split(",") if r]
        schedule = Schedule.daily(*ranges, days=data.get(CONF_WEEKDAYS) or WEEKDAYS)
    return Door(
        id=door_id,
        name=name,
        zone=zone,
        direction=Direction(data.get(CONF_DIRECTION, Direction.IN)),
        allowed_roles=None if roles is None else frozenset(Role(r) for r in roles),
        schedule=schedule,
        escape_route=bool(data.get(CONF_ESCAPE_ROUTE, False)),
    )


class DoorRelay(Protocol):
    """A relay that opens a door (a channel or coil on a serial line)."""

    @property
    def connected(self) -> bool:
        """Whether the relay can be switched now."""

    async def async_switch(self, on: bool) -> None:
        """Switch the relay; raise ``HomeAssistantError`` on failure."""


@dataclass(frozen=True, slots=True)
class DoorConfig:
    """A door as configured: the core door plus how to open it."""

    door: Door
    lock_entity_id: str | None
    open_time: float
    anti_passback: PassbackMode = PassbackMode.NONE
    #: Keep the PINs and cards allowed here on the bound Zigbee lock itself (ZHA or Zigbee2MQTT).
    manage_codes: bool = False

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry) -> DoorConfig:
        """Read a door subentry."""
        data = subentry.data
        return cls(
            door=door_from_data(subentry.subentry_id, subentry.title, data),
            lock_entity_id=data.get(CONF_LOCK_ENTITY) or None,
            open_time=float(data.get(CONF_OPEN_TIME, DEFAULT_OPEN_TIME)),
            anti_passback=PassbackMode(data.get(CONF_ANTI_PASSBACK, PassbackMode.NONE)),
            manage_codes=bool(data.get(CONF_MANAGE_CODES, False)),
        )

    @property
    def id(self) -> str:
        """The door id (its subentry id)."""
        return self.door.id


class DoorOperator:
    """Opens and closes one door and tells its entities what happened."""

    def __init__(self, hass: HomeAssistant, config: DoorConfig) -> None:
        """Create for one configured door."""
        self.hass = hass
        self.config = config
        self._virtual_locked = True
        self._relock: CALLBACK_TYPE | None = None
        self._unsub_state: CALLBACK_TYPE | None = None
        self._state_listeners: list[Callable[[], None]] = []
        self._access_listeners: list[Callable[[Decision], None]] = []
        #: A relay opening this door instead of a lock entity, if any.
        self.relay: DoorRelay | None = None
        #: Held unlocked (a maintenance window): an opening does not relock.
        self.held = False
        #: Held unlocked by an emergency release (operations/modes_doors.py):
        #: a grant does not lock again after the open time.
        self.emergency_held = False

    @property
    def held_open(self) -> bool:
        """Whether a maintenance window or an emergency release holds it unlocked."""
        return self.held or self.emergency_held

    @property
    def id(self) -> str:
        """The door id."""
        return self.config.id

    @property
    def bound(self) -> bool:
        """Whether a real lock entity drives this door."""
        return self.config.lock_entity_id is not None

    @callback
    def async_start(self) -> None:
        """Follow the bound lock's state."""
        if self.config.lock_entity_id is not None:
            self._unsub_state = async_track_state_change_event(
                self.hass, self.config.lock_entity_id, self._bound_changed
            )

    @callback
    def async_stop(self) -> None:
        """Cancel timers and listeners."""
        if self._unsub_state is not None:
            self._unsub_state()
            self._unsub_state = None
        self._cancel_relock()

    # ---- state
    @property
    def available(self) -> bool:
        """A bound door is available while its lock (or relay line) is."""
        if self.config.lock_entity_id is None:
            return self.relay is None or self.relay.connected
        state = self.hass.states.get(self.config.lock_entity_id)
        return state is not None and state.state not in (
            STATE_UNAVAILABLE,
            STATE_UNKNOWN,
        )

    @property
    def state(self) -> str | None:
        """A lock state (``locked``, ``unlocked``, ``jammed`` ...) or None."""
        if self.config.lock_entity_id is None:
            return LockState.LOCKED if self._virtual_locked else LockState.UNLOCKED
        state = self.hass.states.get(self.config.lock_entity_id)
        if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
            return None
        return state.state

    @callback
    def add_state_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Be told when the door's state changes."""
        self._state_listeners.append(listener)
        return lambda: self._state_listeners.remove(listener)

    @callback
    def add_access_listener(
        self, listener: Callable[[Decision], None]
    ) -> CALLBACK_TYPE:
        """Be told of every decision taken at this door."""
        self._access_listeners.append(listener)
        return lambda: self._access_listeners.remove(listener)

    @callback
    def async_keypad_changed(self) -> None:
        """Tell the entities the keypad was locked or unlocked."""
        self._notify()

    @callback
    def async_announce(self, decision: Decision) -> None:
        """Pass a decision to the door's listeners (its event entity)."""
        for listener in list(self._access_listeners):
            listener(decision)

    @callback
    def async_relay_changed(self) -> None:
        """Tell the entities the relay's line came or went."""
        self._notify()

    @callback
    def _notify(self) -> None:
        for listener in list(self._state_listeners):
            listener()

    @callback
    def _bound_changed(self, event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is not None and new.state == LockState.LOCKED:
            self._cancel_relock()
        self._notify()

    # ---- actions
    async def async_open(self, context: Context | None = None) -> None:
        """Unlock for the open time, then lock again."""
        self._cancel_relock()
        if self.config.lock_entity_id is None:
            if self.relay is not None:
                await self.relay.async_switch(True)
            self._virtual_locked = False
            self._notify()
        else:
            await self._call_lock("unlock", context)
        if self.held_open:
            return
        self._relock = async_call_later(
            self.hass, self.config.open_time, self._relock_due
        )

    async def async_hold_open(self, context: Context | None = None) -> None:
        """Unlock and keep unlocked until :meth:`async_release_hold`."""
        self.held = True
        await self.async_open(context)

    async def async_release_hold(self, context: Context | None = None) -> None:
        """End a hold and lock again (unless an emergency release holds it)."""
        self.held = False
        if not self.emergency_held:
            await self.async_lock(context)

    async def async_emergency_hold(self) -> None:
        """Unlock and stay unlocked (a relay held on) for an emergency release.

        Until :meth:`async_end_emergency_hold`; a relay whose line is down is
        switched on when it comes back (operations/modes_doors.py).
        """
        self.emergency_held = True
        self._cancel_relock()
        if self.config.lock_entity_id is not None:
            await self._call_lock("unlock", None)
            return
        self._virtual_locked = False
        if self.relay is not None and self.relay.connected:
            await self.relay.async_switch(True)
        self._notify()

    async def async_end_emergency_hold(self) -> None:
        """End an emergency hold: lock again (unless a maintenance hold stays)."""
        self.emergency_held = False
        if not self.held:
            await self.async_lock()

    async def async_lock(self, context: Context | None = None) -> None:
        """Lock now."""
        self._cancel_relock()
        if self.config.lock_entity_id is None:
            if self.relay is not None:
                await self.relay.async_switch(False)
            self._virtual_locked = True
            self._notify()
        else:
            await self._call_lock("lock", context)

    @callback
    def _relock_due(self, _now: Any) -> None:
        self._relock = None
        if self.held_open:
            return
        if self.config.lock_entity_id is None:
            self._virtual_locked = True
            self._notify()
            if self.relay is not None:
                self.hass.async_create_task(
                    self._relay_off_logged(), f"relay off {self.config.door.name}"
                )
            return
        # Lock again only if the lock did not do so by itself.
        if self.state == LockState.UNLOCKED:
            self.hass.async_create_task(
                self._call_lock_logged("lock"), f"relock {self.config.door.name}"
            )

    async def _relay_off_logged(self) -> None:
        if self.relay is None:
            return
        try:
            await self.relay.async_switch(False)
        except HomeAssistantError as err:
            LOGGER.warning("Could not close %s again: %s", self.config.door.name, err)

    async def _call_lock_logged(self, service: str) -> None:
        try:
            await self._call_lock(service, None)
        except HomeAssistantError as err:
            LOGGER.warning("Could not lock %s again: %s", self.config.door.name, err)

    async def _call_lock(self, service: str, context: Context | None) -> None:
        try:
            async with asyncio.timeout(LOCK_CALL_TIMEOUT):
                await self.hass.services.async_call(
                    "lock",
                    service,
                    {ATTR_ENTITY_ID: self.config.lock_entity_id},
                    blocking=True,
                    context=context,
                )
        except TimeoutError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="lock_timeout",
                translation_placeholders={
                    "entity_id": str(self.config.lock_entity_id),
                    "seconds": str(LOCK_CALL_TIMEOUT),
                },
            ) from err

    @callback
    def _cancel_relock(self) -> None:
        if self._relock is not None:
            self._relock()
            self._relock = None
