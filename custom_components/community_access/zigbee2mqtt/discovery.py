"""Where a Zigbee2MQTT lock lives on MQTT: from the lock entity's discovery data.

Zigbee2MQTT announces each lock to Home Assistant with an MQTT discovery
config (``lib/extension/homeassistant.ts``): ``state_topic`` is the device
topic ``<base>/<friendly name>``, ``command_topic`` ``<device topic>/set``,
the first ``availability`` topic ``<base>/bridge/state``, and the device's
``identifiers`` are ``["zigbee2mqtt_<ieee>"]``. Nothing here assumes the
default base topic ``zigbee2mqtt``: every topic comes from that config.

Home Assistant keeps the discovery payload of every MQTT entity it created
from discovery; the MQTT integration exposes it (after abbreviations are
expanded and ``~`` replaced) through
``homeassistant.components.mqtt.debug_info.info_for_device``, the function
behind the device's "MQTT INFO" page and the MQTT diagnostics. That is the
one MQTT internal used here; the entity and device registries give the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er

MQTT_DOMAIN: Final = "mqtt"
#: Device identifiers Zigbee2MQTT gives its devices (and its bridge).
IDENTIFIER_PREFIX: Final = "zigbee2mqtt_"
BRIDGE_IDENTIFIER_PREFIX: Final = "zigbee2mqtt_bridge_"
BRIDGE_STATE_SUFFIX: Final = "/bridge/state"


@dataclass(frozen=True, slots=True)
class Z2mLockTopics:
    """One Zigbee2MQTT lock's topics and identity."""

    entity_id: str
    ieee: str  # "0x00158d0001a2b3c4", as Zigbee2MQTT writes it
    device_topic: str  # <base>/<friendly name>: state published here
    base_topic: str | None  # None when the config names no bridge/state topic
    friendly_name: str  # as Zigbee2MQTT names the device in its log

    @property
    def set_topic(self) -> str:
        """Where commands go (``toZigbee`` ``convertSet``)."""
        return f"{self.device_topic}/set"

    @property
    def get_topic(self) -> str:
        """Where reads go (``toZigbee`` ``convertGet``)."""
        return f"{self.device_topic}/get"

    @property
    def logging_topic(self) -> str | None:
        """``<base>/bridge/logging``: Zigbee2MQTT's log, errors included."""
        return None if self.base_topic is None else f"{self.base_topic}/bridge/logging"

    @property
    def info_topic(self) -> str | None:
        """``<base>/bridge/info`` (retained): its settings, ``expose_pin`` included."""
        return None if self.base_topic is None else f"{self.base_topic}/bridge/info"


@callback
def async_mqtt_running(hass: HomeAssistant) -> bool:
    """Whether Home Assistant's MQTT integration is loaded and connected."""
    if MQTT_DOMAIN not in hass.config.components:
        return False
    from homeassistant.components import mqtt  # noqa: PLC0415

    try:
        return mqtt.is_connected(hass)
    except KeyError:  # loaded but its entry is not set up
        return False


def _discovery_payload(hass: HomeAssistant, entity_id: str) -> Mapping[str, Any] | None:
    """Return the discovery config of an MQTT entity, None if it has none (yet)."""
    entry = er.async_get(hass).async_get(entity_id)
    if (
        entry is None
        or entry.platform != MQTT_DOMAIN
        or entry.device_id is None
        or MQTT_DOMAIN not in hass.config.components
    ):
        return None
    from homeassistant.components.mqtt.debug_info import info_for_device  # noqa: PLC0415

    try:
        info = info_for_device(hass, entry.device_id)
    except KeyError:  # MQTT not set up
        return None
    for item in info["entities"]:
        if item["entity_id"] != entity_id:
            continue
        payload = item["discovery_data"].get("payload")
        return payload if isinstance(payload, Mapping) and payload else None
    return None


def _ieee(payload: Mapping[str, Any]) -> str | None:
    device = payload.get("device")
    identifiers = device.get("identifiers") if isinstance(device, Mapping) else None
    if isinstance(identifiers, str):
        identifiers = [identifiers]
    for identifier in identifiers or ():
        text = str(identifier)
        if text.startswith(IDENTIFIER_PREFIX) and not text.startswith(
            BRIDGE_IDENTIFIER_PREFIX
        ):
            return text.removeprefix(IDENTIFIER_PREFIX)
    return None


def _base_topic(payload: Mapping[str, Any]) -> str | None:
    availability = payload.get("availability")
    topics: list[str] = []
    if isinstance(availability, list):
        topics = [
            str(item["topic"])
            for item in availability
            if isinstance(item, Mapping) and "topic" in item
        ]
    elif isinstance(payload.get("availability_topic"), str):
        topics = [payload["availability_topic"]]
    for topic in topics:
        if topic.endswith(BRIDGE_STATE_SUFFIX):
            return topic.removesuffix(BRIDGE_STATE_SUFFIX)
    return None


def topics_from_payload(
    entity_id: str, payload: Mapping[str, Any]
) -> Z2mLockTopics | None:
    """Read a Zigbee2MQTT lock's topics from its discovery config (None: not one)."""
    ieee = _ieee(payload)
    state_topic = payload.get("state_topic")
    command_topic = payload.get("command_topic")
    if ieee is None or not isinstance(state_topic, str) or not state_topic:
        return None
    if not isinstance(command_topic, str) or not command_topic.startswith(
        f"{state_topic}/"
    ):
        return None
    base = _base_topic(payload)
    if base is not None and state_topic.startswith(f"{base}/"):
        name = state_topic.removeprefix(f"{base}/")
    else:
        base = None
        name = state_topic.rsplit("/", 1)[-1]
    return Z2mLockTopics(entity_id, ieee, state_topic, base, name)


@callback
def async_find_lock_topics(hass: HomeAssistant, entity_id: str) -> Z2mLockTopics | None:
    """Return the topics of the Zigbee2MQTT lock behind a ``lock`` entity, or None.

    None when the entity is not an MQTT entity, its discovery config is not
    (yet) known, or it was not discovered from Zigbee2MQTT.
    """
    if not entity_id.startswith("lock."):
        return None
    payload = _discovery_payload(hass, entity_id)
    return None if payload is None else topics_from_payload(entity_id, payload)


@callback
def async_is_foreign_mqtt_lock(hass: HomeAssistant, entity_id: str) -> bool:
    """Whether the entity is an MQTT lock that Zigbee2MQTT did not announce.

    Such a lock cannot keep codes (a lock configured in YAML, or discovered
    from another bridge). An MQTT lock whose discovery config is not known
    yet is not foreign: it is looked for again.
    """
    entry = er.async_get(hass).async_get(entity_id)
    if entry is None or entry.platform != MQTT_DOMAIN:
        return False
    if entry.device_id is None:
        return True  # configured in YAML: no device, no discovery
    payload = _discovery_payload(hass, entity_id)
    return payload is not None and topics_from_payload(entity_id, payload) is None


@callback
def async_find_lock_topics_by_ieee(
    hass: HomeAssistant, ieee: str
) -> tuple[bool, Z2mLockTopics | None]:
    """Find the Zigbee2MQTT lock with this IEEE address (for an orphaned lock).

    Returns (whether the device is still known to Home Assistant, its topics
    when they can be read now).
    """
    device = dr.async_get(hass).async_get_device(
        identifiers={(MQTT_DOMAIN, f"{IDENTIFIER_PREFIX}{ieee}")}
    )
    if device is None:
        return False, None
    for entry in er.async_entries_for_device(er.async_get(hass), device.id):
        if entry.domain != "lock" or entry.platform != MQTT_DOMAIN:
            continue
        topics = async_find_lock_topics(hass, entry.entity_id)
        if topics is not None and topics.ieee == ieee:
            return True, topics
    return True, None
