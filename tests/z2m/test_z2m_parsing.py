"""Zigbee2MQTT messages as the adapter reads them (no broker needed)."""

from __future__ import annotations

from custom_components.community_access.core.lock_sync.events import (
    LockOperationEvent,
    LockProgrammingEvent,
)
from custom_components.community_access.zigbee2mqtt import parse_action
from custom_components.community_access.zigbee2mqtt.discovery import topics_from_payload

from .lock_sim import Z2mLockSim


def test_discovery_config_gives_the_topics_whatever_the_base_topic() -> None:
    sim = Z2mLockSim(
        "127.0.0.1", 1883, friendly_name="floor 2/back door", base_topic="z2m/site a"
    )
    topics = topics_from_payload("lock.back_door", sim.discovery_config())
    assert topics is not None
    assert topics.ieee == sim.ieee
    assert topics.device_topic == "z2m/site a/floor 2/back door"
    assert topics.set_topic == "z2m/site a/floor 2/back door/set"
    assert topics.get_topic == "z2m/site a/floor 2/back door/get"
    assert topics.base_topic == "z2m/site a"
    assert topics.friendly_name == "floor 2/back door"  # names may hold "/"
    assert topics.logging_topic == "z2m/site a/bridge/logging"
    assert topics.info_topic == "z2m/site a/bridge/info"


def test_a_config_not_from_zigbee2mqtt_is_not_taken() -> None:
    config = Z2mLockSim("127.0.0.1", 1883).discovery_config()
    config["device"] = {"identifiers": ["other_bridge_1234"]}
    assert topics_from_payload("lock.x", config) is None
    bridge = Z2mLockSim("127.0.0.1", 1883).discovery_config()
    bridge["device"] = {"identifiers": ["zigbee2mqtt_bridge_0x00124b0029a1b2c3"]}
    assert topics_from_payload("lock.x", bridge) is None


def test_operation_and_programming_actions() -> None:
    event = parse_action(
        {
            "action": "unlock",
            "action_user": 3,
            "action_source": 0,
            "action_source_name": "keypad",
            "users": {"3": {"status": "enabled", "pin_code": "583716"}},
        }
    )
    assert event == LockOperationEvent("keypad", 0, "unlock", 2, 3, None, None)
    assert "583716" not in repr(event)
    denied = parse_action(
        {"action": "unlock_failure_invalid_pin_or_id", "action_source_name": "keypad"}
    )
    assert isinstance(denied, LockOperationEvent)
    assert denied.operation == "unlock_failure_invalid_code"
    assert denied.user_id is None
    # Vendor converters that name the source in the action.
    rfid = parse_action({"action": "rfid_unlock", "action_user": 65535})
    assert isinstance(rfid, LockOperationEvent)
    assert (rfid.source, rfid.operation, rfid.user_id) == ("rfid", "unlock", None)
    yale = parse_action({"action": "keypad_unlock", "action_source_user": 4})
    assert isinstance(yale, LockOperationEvent) and yale.user_id == 4
    added = parse_action(
        {"action": "pin_code_added", "action_user": 7, "action_source": 1}
    )
    assert isinstance(added, LockProgrammingEvent)
    assert (added.event, added.source, added.user_id) == ("pin_added", "rf", 7)
    assert parse_action({"action": "battery_low"}) is None
    assert parse_action({"state": "LOCK"}) is None
