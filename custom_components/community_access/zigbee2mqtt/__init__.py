"""Zigbee locks paired with Zigbee2MQTT, through Home Assistant's MQTT integration.

A second lock adapter behind :class:`~..core.lock_sync.LockPort` (the first
is :mod:`..zha_lock`). It never opens an MQTT connection of its own: every
message goes through ``homeassistant.components.mqtt`` (``async_publish``,
``async_subscribe``).

- :mod:`.discovery`: the lock's Zigbee2MQTT topics, found from the MQTT
  discovery data of the bound ``lock`` entity;
- :mod:`.events`: Zigbee2MQTT's ``action`` messages as lock events;
- :mod:`.adapter`: :class:`Z2mDoorLock`, one MQTT request per port method.

What this relies on in Zigbee2MQTT (2.12.1) and zigbee-herdsman-converters
(26.99.0) is written down in the README ("Zigbee locks (Zigbee2MQTT)") and in
the docstrings of the modules.
"""

from .adapter import (
    DEFAULT_COMMAND_TIMEOUT,
    DEFAULT_WRITE_TIMEOUT,
    Z2mDoorLock,
    Z2mDuplicateCodeError,
)
from .discovery import (
    Z2mLockTopics,
    async_find_lock_topics,
    async_find_lock_topics_by_ieee,
    async_is_foreign_mqtt_lock,
    async_mqtt_running,
)
from .events import parse_action

__all__ = [
    "DEFAULT_COMMAND_TIMEOUT",
    "DEFAULT_WRITE_TIMEOUT",
    "Z2mDoorLock",
    "Z2mDuplicateCodeError",
    "Z2mLockTopics",
    "async_find_lock_topics",
    "async_find_lock_topics_by_ieee",
    "async_is_foreign_mqtt_lock",
    "async_mqtt_running",
    "parse_action",
]
