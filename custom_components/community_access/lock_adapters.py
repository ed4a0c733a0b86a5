"""The lock adapters a door's lock can have: ZHA or Zigbee2MQTT.

:class:`LockAdapter` is what :mod:`.lock_codes`, :mod:`.lock_events` and
:mod:`.lock_orphans` need of a lock besides :class:`~.core.lock_sync.LockPort`:
its key in the slot table, whether it is reachable, its events. The ZHA
adapter (:mod:`.zha_lock`) and the Zigbee2MQTT one (:mod:`.zigbee2mqtt`)
both are one; the functions here find the right one for a lock entity or a
lock id, so nothing above them knows which integration paired the lock.
"""

from __future__ import annotations

from collections.abc import Callable
import logging
from typing import Any, Protocol

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er

from .core.lock_sync import LockPort
from .core.lock_sync.events import LockEventCallback
from .zha_lock import (
    ZHA_DOMAIN,
    async_find_door_lock,
    async_find_door_lock_by_ieee,
    async_zha_running,
)
from .zigbee2mqtt import (
    Z2mDoorLock,
    async_find_lock_topics,
    async_find_lock_topics_by_ieee,
    async_is_foreign_mqtt_lock,
    async_mqtt_running,
)
from .zigbee2mqtt.discovery import MQTT_DOMAIN

_LOGGER = logging.getLogger(__name__)

ZHA_PREFIX = "zha:"
Z2M_PREFIX = "z2m:"

#: Keyword arguments for every Zigbee2MQTT adapter (tests make it quicker).
Z2M_DEFAULTS: dict[str, Any] = {}


class LockAdapter(LockPort, Protocol):
    """A lock's credential memory plus what the door's worker needs of it."""

    entity_id: str

    @property
    def backend(self) -> str:
        """Which integration paired the lock: ``zha`` or ``zigbee2mqtt``."""
        ...

    @property
    def lock_id(self) -> str:
        """The lock's key in the slot table (``zha:<ieee>``, ``z2m:<ieee>``)."""
        ...

    @property
    def available(self) -> bool:
        """Whether commands can reach the lock now."""
        ...

    @property
    def codes_readable(self) -> bool | None:
        """Whether reads tell the codes (None: not known yet)."""
        ...

    def refresh(self) -> bool:
        """Follow the lock after a reload or rename; whether it is known."""
        ...

    def add_event_listener(self, on_event: LockEventCallback) -> Callable[[], None]:
        """Call ``on_event`` for each event of the lock; return its remover."""
        ...

    async def async_start(self) -> None:
        """Set up what the adapter listens to."""
        ...

    async def async_stop(self) -> None:
        """Stop listening."""
        ...


async def _started(adapter: Z2mDoorLock) -> Z2mDoorLock | None:
    try:
        await adapter.async_start()
    except HomeAssistantError:
        _LOGGER.debug("MQTT not ready for %s", adapter.entity_id)
        await adapter.async_stop()
        return None
    return adapter


async def async_find_lock_adapter(
    hass: HomeAssistant, entity_id: str
) -> LockAdapter | None:
    """Return the adapter of a ZHA or Zigbee2MQTT lock entity (started), or None."""
    zha = async_find_door_lock(hass, entity_id)
    if zha is not None:
        return zha
    topics = async_find_lock_topics(hass, entity_id)
    if topics is None:
        return None
    return await _started(Z2mDoorLock(hass, topics, **Z2M_DEFAULTS))


async def async_find_lock_adapter_by_id(
    hass: HomeAssistant, lock_id: str
) -> tuple[bool, LockAdapter | None]:
    """Find a lock by its slot-table key (for a lock no door names any more).

    Returns (whether the lock is still known to its integration, its adapter
    when it can be reached through it now). A lock of an integration that is
    not running is "known": it is tried again later.
    """
    if lock_id.startswith(ZHA_PREFIX):
        if not async_zha_running(hass):
            return True, None
        zha = async_find_door_lock_by_ieee(hass, lock_id.removeprefix(ZHA_PREFIX))
        return zha is not None, zha
    if lock_id.startswith(Z2M_PREFIX):
        known, topics = async_find_lock_topics_by_ieee(
            hass, lock_id.removeprefix(Z2M_PREFIX)
        )
        if topics is None or not async_mqtt_running(hass):
            return known, None
        return True, await _started(Z2mDoorLock(hass, topics, **Z2M_DEFAULTS))
    return False, None


@callback
def async_lock_ids_ready(hass: HomeAssistant, lock_id: str) -> bool:
    """Whether the integration of a lock id is running (its locks can be found)."""
    if lock_id.startswith(ZHA_PREFIX):
        return async_zha_running(hass)
    if lock_id.startswith(Z2M_PREFIX):
        return async_mqtt_running(hass)
    return True


@callback
def async_lock_entity_pending(hass: HomeAssistant, entity_id: str) -> bool:
    """Whether a lock entity may still turn into a lock adapter (integration starting)."""
    entry = er.async_get(hass).async_get(entity_id)
    if entry is None:
        return False
    if entry.platform == ZHA_DOMAIN:
        return True
    return entry.platform == MQTT_DOMAIN and not async_is_foreign_mqtt_lock(
        hass, entity_id
    )


@callback
def async_lock_entity_unsupported(hass: HomeAssistant, entity_id: str) -> bool:
    """Whether a lock entity can never keep codes (not ZHA, not Zigbee2MQTT)."""
    entry = er.async_get(hass).async_get(entity_id)
    if entry is None:
        return False
    if entry.platform == ZHA_DOMAIN:
        return False
    if entry.platform == MQTT_DOMAIN:
        return async_is_foreign_mqtt_lock(hass, entity_id)
    return True
