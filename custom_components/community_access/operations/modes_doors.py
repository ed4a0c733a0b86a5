"""Holding released doors open, and what software can do when a door's driver fails.

For every door the keeper follows the operator's state (its lock entity, its
relay line). While a door is released:

* its lock turning ``locked`` (auto-relock, a person, an automation) is
  answered by unlocking it again, at most :data:`MAX_RETRIES` times a minute
  (then a warning, and one more try when the minute is over);
* a relay door whose line comes back (or is first claimed at start-up) is
  switched on again.

Whatever the mode, a door whose lock or line is lost raises a persistent
notification by its fail mode: a fail-safe door is now open without control;
a fail-secure door that is released cannot be opened by software.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from datetime import datetime
import time

from custom_components.community_access.const import DOMAIN, LOGGER
from custom_components.community_access.core.operations.modes import FailMode
from custom_components.community_access.door import DoorOperator
from custom_components.community_access.words import is_chinese
from homeassistant.components import persistent_notification
from homeassistant.components.lock.const import LockState
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_call_later

#: Re-unlocks of one door within :data:`RETRY_WINDOW` seconds before backing off.
MAX_RETRIES = 5
RETRY_WINDOW = 60.0

_LOST_TEXT = {
    FailMode.FAIL_SAFE: (
        (
            "Door {door} lost its lock or line. It is fail-safe: it should now be "
            "open and is not controlled. Check it and guard it if needed."
        ),
        (
            "门 {door} 的门锁或线路已断开。该门为断电开启(fail-safe):现应处于开启"
            "状态且不受控制,请检查并视需要派人值守。"
        ),
    ),
    FailMode.FAIL_SECURE: (
        (
            "Door {door} lost its lock or line while it is released. It is "
            "fail-secure: it stays locked and cannot be opened by software. Open "
            "it by hand or by its hardware release."
        ),
        (
            "门 {door} 在紧急释放期间门锁或线路断开。该门为断电锁闭(fail-secure):"
            "仍处于锁闭状态,软件无法打开。请手动或通过硬件释放装置开门。"
        ),
    ),
}


def lost_notification_id(door_id: str) -> str:
    """Return the id of the notification of a door whose driver is lost."""
    return f"{DOMAIN}_door_lost_{door_id}"


class DoorKeeper:
    """Follows one door: holds it while released, reports a lost driver."""

    def __init__(
        self,
        hass: HomeAssistant,
        operator: DoorOperator,
        fail_mode: FailMode,
        released: Callable[[str], bool],
    ) -> None:
        """Keep ``operator``; ``released(door_id)`` tells whether it is released now."""
        self.hass = hass
        self.operator = operator
        self.fail_mode = fail_mode
        self._released = released
        self._available = operator.available
        self._relay = operator.relay
        self._tries: deque[float] = deque()
        self._retry_later: CALLBACK_TYPE | None = None
        self._warned = False
        self._unsub = operator.add_state_listener(self._changed)

    @property
    def released(self) -> bool:
        """Whether the door is released now."""
        return self._released(self.operator.id)

    @callback
    def stop(self) -> None:
        """Stop following the door."""
        self._unsub()
        if self._retry_later is not None:
            self._retry_later()
            self._retry_later = None

    async def async_hold(self) -> None:
        """Unlock now and keep unlocked (logged, never raised).

        A door whose driver is already lost is reported at once.
        """
        if not self.operator.available:
            self._driver_changed(False)
        try:
            await self.operator.async_emergency_hold()
        except HomeAssistantError as err:
            LOGGER.warning(
                "Released door %s did not unlock: %s",
                self.operator.config.door.name,
                err,
            )

    async def async_end(self) -> None:
        """Lock again once the release ended (logged, never raised)."""
        self._tries.clear()
        if self._retry_later is not None:
            self._retry_later()
            self._retry_later = None
        if self.fail_mode is FailMode.FAIL_SECURE:
            # Locked is where it stays: nobody needs it opened by hand now.
            persistent_notification.async_dismiss(
                self.hass, lost_notification_id(self.operator.id)
            )
        try:
            await self.operator.async_end_emergency_hold()
        except HomeAssistantError as err:
            LOGGER.warning(
                "Door %s did not lock after the release: %s",
                self.operator.config.door.name,
                err,
            )

    @callback
    def _changed(self) -> None:
        available = self.operator.available
        relay = self.operator.relay
        # A line that came back, or a relay claimed since (a line starting).
        came_back = available and (
            not self._available or (relay is not None and relay is not self._relay)
        )
        self._relay = relay
        if available != self._available:
            self._available = available
            self._driver_changed(available)
        if not self.released or not available:
            return
        if came_back or self.operator.state == LockState.LOCKED:
            self._fight(came_back)

    @callback
    def _driver_changed(self, available: bool) -> None:
        notification_id = lost_notification_id(self.operator.id)
        if available:
            persistent_notification.async_dismiss(self.hass, notification_id)
            return
        if self.fail_mode is FailMode.FAIL_SECURE and not self.released:
            return  # stays locked: secure, and nobody needs it open now
        english, chinese = _LOST_TEXT[self.fail_mode]
        text = chinese if is_chinese(self.hass.config.language) else english
        persistent_notification.async_create(
            self.hass,
            text.format(door=self.operator.config.door.name),
            title="Community Access",
            notification_id=notification_id,
        )
        LOGGER.warning(
            "Door %s (%s) lost its lock or line",
            self.operator.config.door.name,
            self.fail_mode.value,
        )

    @callback
    def _fight(self, came_back: bool) -> None:
        now = time.monotonic()
        while self._tries and now - self._tries[0] > RETRY_WINDOW:
            self._tries.popleft()
        if len(self._tries) >= MAX_RETRIES and not came_back:
            if not self._warned:
                self._warned = True
                LOGGER.warning(
                    "Released door %s keeps locking again; retrying in a minute",
                    self.operator.config.door.name,
                )
            if self._retry_later is None:
                self._retry_later = async_call_later(
                    self.hass, RETRY_WINDOW, self._retry_due
                )
            return
        self._tries.append(now)
        self._warned = False
        # Not eagerly: the lock's own state update must finish first, or the
        # unlock's change reaches it while it is still writing (and is lost).
        self.hass.async_create_task(
            self._hold_if_released(),
            f"hold {self.operator.config.door.name}",
            eager_start=False,
        )

    async def _hold_if_released(self) -> None:
        """Hold again, unless the release ended since this was asked."""
        if self.released:
            await self.async_hold()

    @callback
    def _retry_due(self, _now: datetime) -> None:
        self._retry_later = None
        self._tries.clear()
        if self.released and self.operator.available:
            if self.operator.state == LockState.LOCKED:
                self._fight(False)
