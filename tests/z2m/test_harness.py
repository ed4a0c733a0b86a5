"""The Zigbee2MQTT harness itself, against the real broker and HA's real ``mqtt``.

Every command goes the way the adapter's will: ``mqtt.async_publish`` of
Home Assistant to the real mosquitto, to the simulated Zigbee2MQTT lock;
every answer comes back through ``mqtt.async_subscribe``.
"""

from __future__ import annotations

from collections.abc import Callable
import json
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.components import mqtt
from homeassistant.components.mqtt.debug_info import info_for_device
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er

from . import lock_state, wait_for
from .broker import BrokerUnavailable, MosquittoBroker, start_broker
from .conftest import Z2mLockFactory, mqtt_connected
from .lock_sim import Z2mLockSim

IEEE = "0x00158d0001a2b3c4"


class Recorder:
    """Messages of one topic, received through HA's MQTT integration."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.unsubscribe: Callable[[], None] | None = None

    async def subscribe(
        self,
        hass: HomeAssistant,
        topic: str,
        probe: Callable[[int], object],
        is_probe: Callable[[Any, int], bool] | None = None,
    ) -> Recorder:
        """Subscribe; record from when ``probe(token)``'s messages arrive.

        Probes are sent until one arrives (HA subscribes after a short
        cool-down). With ``is_probe``, a last probe is sent and everything up
        to it is dropped: messages of one publisher arrive in order, so no
        earlier probe is recorded.
        """

        @callback  # (a plain function would run in the executor: out of order)
        def received(msg: mqtt.ReceiveMessage) -> None:
            payload = msg.payload
            try:
                self.messages.append(json.loads(payload))
            except (TypeError, ValueError):
                self.messages.append(payload)

        self.unsubscribe = await mqtt.async_subscribe(hass, topic, received)
        for token in range(40):
            probe(token)
            try:
                await wait_for(hass, lambda: self.messages, f"messages on {topic}", 0.5)
                break
            except AssertionError:
                continue
        else:
            raise AssertionError(f"never subscribed to {topic}")
        if is_probe is None:
            self.messages.clear()
            return self
        last = 1_000_000
        probe(last)

        def index() -> int | None:
            for n, message in enumerate(self.messages):
                if is_probe(message, last):
                    return n
            return None

        await wait_for(hass, lambda: index() is not None, f"the last probe on {topic}")
        del self.messages[: (index() or 0) + 1]
        return self

    def last(self) -> Any:
        """The last message."""
        assert self.messages, "no message received"
        return self.messages[-1]


async def record_state(hass: HomeAssistant, sim: Z2mLockSim) -> Recorder:
    """The lock's state messages, from now on."""
    # A probe is the lock's state with a marker in ``linkquality``, not cached.
    return await Recorder().subscribe(
        hass,
        sim.device_topic,
        lambda token: sim.publish(sim.device_topic, sim.state | {"linkquality": token}),
        lambda message, token: message.get("linkquality") == token,
    )


async def record_log(hass: HomeAssistant, sim: Z2mLockSim) -> Recorder:
    """Zigbee2MQTT's ``bridge/logging``, from now on."""
    topic = f"{sim.base_topic}/bridge/logging"
    return await Recorder().subscribe(
        hass,
        topic,
        lambda token: sim.publish(
            topic, {"message": f"probe {token}", "level": "info", "namespace": "z2m"}
        ),
        lambda message, token: message.get("message") == f"probe {token}",
    )


async def send(
    hass: HomeAssistant, sim: Z2mLockSim, kind: str, payload: dict[str, Any]
) -> None:
    """Publish a command on ``<device>/set`` or ``<device>/get`` through HA."""
    await mqtt.async_publish(hass, f"{sim.device_topic}/{kind}", json.dumps(payload))


def users_seen(recorder: Recorder) -> dict[str, Any]:
    """The ``users`` map of the last state message that had one."""
    for message in reversed(recorder.messages):
        if isinstance(message, dict) and "users" in message:
            users: dict[str, Any] = message["users"]
            return users
    raise AssertionError("no users in any state message")


async def test_discovery_as_zigbee2mqtt_publishes_it(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """HA creates the lock entity and device; the discovery payload shows the topics."""
    sim = await z2m_lock(
        friendly_name="front_door_lock", base_topic="z2m_custom", ieee=IEEE
    )
    assert sim.entity_id == "lock.front_door_lock"
    assert lock_state(hass, sim) == "locked"

    entry = er.async_get(hass).async_get(sim.entity_id)
    assert entry is not None
    assert entry.platform == "mqtt"
    assert entry.unique_id == f"{IEEE}_lock_z2m_custom"
    device = dr.async_get(hass).async_get(entry.device_id or "")
    assert device is not None
    assert ("mqtt", f"zigbee2mqtt_{IEEE}") in device.identifiers
    assert device.manufacturer == "Weiser"
    assert device.model == "SmartCode 10"
    assert device.name == "front_door_lock"

    # What the adapter reads to find the Zigbee2MQTT topic of the lock.
    info = info_for_device(hass, device.id)
    [entity] = info["entities"]
    assert entity["discovery_data"]["topic"] == f"homeassistant/lock/{IEEE}/lock/config"
    payload = entity["discovery_data"]["payload"]
    assert payload["command_topic"] == "z2m_custom/front_door_lock/set"
    assert payload["state_topic"] == "z2m_custom/front_door_lock"
    assert payload["device"]["via_device"].startswith("zigbee2mqtt_bridge_0x")
    assert payload["origin"]["name"] == "Zigbee2MQTT"
    assert [a["topic"] for a in payload["availability"]] == [
        "z2m_custom/bridge/state",
        "z2m_custom/front_door_lock/availability",
    ]


async def test_lock_and_unlock_through_ha(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """HA's ``lock`` services reach the sim, whose state report comes back."""
    sim = await z2m_lock(latency=0.05)
    assert sim.entity_id is not None
    await hass.services.async_call(
        "lock", "unlock", {"entity_id": sim.entity_id}, blocking=True
    )
    await wait_for(hass, lambda: lock_state(hass, sim) == "unlocked", "unlocked")
    assert [(c.kind, c.key, c.value) for c in sim.commands] == [
        ("set", "state", "UNLOCK")
    ]
    assert sim.state["lock_state"] == "unlocked"

    await hass.services.async_call(
        "lock", "lock", {"entity_id": sim.entity_id}, blocking=True
    )
    await wait_for(hass, lambda: lock_state(hass, sim) == "locked", "locked")
    assert sim.commands[-1].value == "LOCK"


async def test_pin_set_get_clear_with_expose_pin(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """A write publishes nothing; a read publishes the slot, code included."""
    sim = await z2m_lock(pin_users=30, expose_pin=True, latency=0.02)
    states = await record_state(hass, sim)
    await send(
        hass,
        sim,
        "set",
        {
            "pin_code": {
                "user": 3,
                "user_type": "unrestricted",
                "user_enabled": True,
                "pin_code": "0123",
            }
        },
    )
    await wait_for(hass, lambda: sim.slots[3].occupied, "slot 3 written")
    assert sim.codes() == {3: "0123"}  # a string keeps its leading zero
    await send(hass, sim, "get", {"pin_code": {"user": 3}})
    await wait_for(hass, lambda: states.messages, "the read-back")
    assert users_seen(states) == {"3": {"status": "enabled", "pin_code": "0123"}}
    assert states.last()["state"] == "LOCK"  # the whole state each time
    # The write itself published nothing: only the read-back arrived.
    assert len(states.messages) == 1

    # Disabled user, numeric code (Zigbee2MQTT's expose is numeric).
    await send(
        hass,
        sim,
        "set",
        {"pin_code": {"user": 0, "user_enabled": False, "pin_code": 4321}},
    )
    await send(hass, sim, "get", {"pin_code": {"user": 0}})
    await wait_for(hass, lambda: "0" in users_seen(states), "slot 0 read")
    assert users_seen(states)["0"] == {"status": "disabled", "pin_code": "4321"}
    assert users_seen(states)["3"]["status"] == "enabled"  # the users map accumulates

    await send(hass, sim, "set", {"pin_code": {"user": 3, "pin_code": None}})
    await send(hass, sim, "get", {"pin_code": {"user": 3}})
    await wait_for(
        hass, lambda: users_seen(states)["3"]["status"] == "available", "slot 3 cleared"
    )
    assert users_seen(states)["3"] == {"status": "available", "pin_code": ""}
    assert sim.codes() == {0: "4321"}
    assert [c.kind for c in sim.commands] == ["set", "get", "set", "get", "set", "get"]


async def test_without_expose_pin_codes_are_write_only(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """Without ``expose_pin`` a read shows the slot's status, never its code."""
    sim = await z2m_lock(expose_pin=False)
    states = await record_state(hass, sim)
    await send(hass, sim, "set", {"pin_code": {"user": 1, "pin_code": "5678"}})
    await send(hass, sim, "get", {"pin_code": {"user": 1}})
    await wait_for(hass, lambda: states.messages, "the read-back")
    assert users_seen(states) == {"1": {"status": "enabled"}}
    assert "5678" not in json.dumps(states.messages)
    assert sim.codes() == {1: "5678"}


async def test_read_all_slots(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """``get`` without a user reads every slot, one answer each."""
    sim = await z2m_lock(pin_users=5)
    sim.set_slot(2, "2222")
    states = await record_state(hass, sim)
    await send(hass, sim, "get", {"pin_code": ""})
    await wait_for(hass, lambda: len(states.messages) == 5, "five answers")
    assert users_seen(states) == {
        "0": {"status": "available", "pin_code": ""},
        "1": {"status": "available", "pin_code": ""},
        "2": {"status": "enabled", "pin_code": "2222"},
        "3": {"status": "available", "pin_code": ""},
        "4": {"status": "available", "pin_code": ""},
    }


async def test_user_out_of_range_is_logged(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """User ids are 0-based: ``pin_users`` itself is out of range."""
    sim = await z2m_lock(pin_users=30)
    log = await record_log(hass, sim)
    await send(hass, sim, "set", {"pin_code": {"user": 30, "pin_code": "1234"}})
    await wait_for(hass, lambda: log.messages, "the error")
    assert log.last() == {
        "message": "Publish 'set' 'pin_code' to 'front_door_lock' failed: "
        "'Error: user must be in range for device'",
        "level": "error",
        "namespace": "z2m",
    }
    assert sim.codes() == {}


async def test_duplicate_code_is_refused_silently(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """A code another slot holds is not written; only a read-back shows it."""
    sim = await z2m_lock()
    sim.set_slot(4, "2468")
    states = await record_state(hass, sim)
    log = await record_log(hass, sim)
    await send(hass, sim, "set", {"pin_code": {"user": 5, "pin_code": "2468"}})
    await send(hass, sim, "get", {"pin_code": {"user": 5}})
    await wait_for(hass, lambda: states.messages, "the read-back")
    assert users_seen(states) == {"5": {"status": "available", "pin_code": ""}}
    assert sim.codes() == {4: "2468"}
    assert log.messages == []
    # The same code again in its own slot is no duplicate.
    await send(hass, sim, "set", {"pin_code": {"user": 4, "pin_code": "2468"}})
    await send(hass, sim, "get", {"pin_code": {"user": 4}})
    await wait_for(hass, lambda: "4" in users_seen(states), "slot 4 read")
    assert users_seen(states)["4"] == {"status": "enabled", "pin_code": "2468"}


async def test_dropped_answers(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """A lost command is logged as a timeout (PIN in it, as Zigbee2MQTT does)."""
    sim = await z2m_lock()
    states = await record_state(hass, sim)
    log = await record_log(hass, sim)
    sim.drop_next(1)
    await send(hass, sim, "set", {"pin_code": {"user": 7, "pin_code": "7777"}})
    await wait_for(hass, lambda: log.messages, "the timeout")
    message = log.last()["message"]
    assert message.startswith(
        "Publish 'set' 'pin_code' to 'front_door_lock' failed: 'Error: ZCL command"
    )
    assert "closuresDoorLock.setPinCode(" in message
    assert "Timeout" in message
    assert '"pincodevalue":"7777"' in message
    assert sim.codes() == {}

    # Written, but the answer is lost.
    sim.drop_next(1, written=True)
    await send(hass, sim, "set", {"pin_code": {"user": 7, "pin_code": "7777"}})
    await wait_for(hass, lambda: len(log.messages) == 2, "the second timeout")
    assert sim.codes() == {7: "7777"}

    # A dropped read publishes nothing; the next one answers.
    sim.drop_next(1)
    await send(hass, sim, "get", {"pin_code": {"user": 7}})
    await send(hass, sim, "get", {"pin_code": {"user": 7}})
    await wait_for(hass, lambda: states.messages, "the read-back")
    assert len(log.messages) == 3
    assert "getPinCode" in log.last()["message"]
    assert len(states.messages) == 1
    assert users_seen(states) == {"7": {"status": "enabled", "pin_code": "7777"}}


async def test_failing_lock(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """A refusal by status is silent; a delivery failure is logged."""
    sim = await z2m_lock()
    log = await record_log(hass, sim)
    states = await record_state(hass, sim)
    sim.fail_next(1)
    await send(hass, sim, "set", {"pin_code": {"user": 2, "pin_code": "1357"}})
    sim.fail_next(1, how="error")
    await send(hass, sim, "set", {"pin_code": {"user": 2, "pin_code": "1357"}})
    await wait_for(hass, lambda: log.messages, "the delivery failure")
    assert "Delivery failed" in log.last()["message"]
    assert len(log.messages) == 1
    assert sim.codes() == {}
    assert states.messages == []
    await send(hass, sim, "set", {"pin_code": {"user": 2, "pin_code": "1357"}})
    await wait_for(hass, lambda: sim.codes() == {2: "1357"}, "the third try")


async def test_one_write_per_command(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """``sim.commands`` logs each message, so a test can count the writes."""
    sim = await z2m_lock(latency=0.01)
    for user in range(3):
        await send(
            hass, sim, "set", {"pin_code": {"user": user, "pin_code": f"90{user}0"}}
        )
    await wait_for(hass, lambda: len(sim.codes()) == 3, "three codes")
    writes = [c for c in sim.commands if c.kind == "set" and c.key == "pin_code"]
    assert [c.value["user"] for c in writes] == [0, 1, 2]
    assert writes[0].at <= writes[1].at <= writes[2].at


async def test_rf_events_report_writes(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """With ``rf_events`` the lock reports a write as a programming event."""
    sim = await z2m_lock(rf_events=True, pin_code_response=True)
    states = await record_state(hass, sim)
    await send(hass, sim, "set", {"pin_code": {"user": 9, "pin_code": "9999"}})
    await wait_for(hass, lambda: len(states.messages) == 2, "two messages")
    assert "last_successful_pincode_save" in states.messages[0]
    event = states.messages[1]
    assert (event["action"], event["action_user"], event["action_source_name"]) == (
        "pin_code_added",
        9,
        "rf",
    )
    await send(hass, sim, "set", {"pin_code": {"user": 9, "pin_code": None}})
    await wait_for(hass, lambda: len(states.messages) == 4, "the clear")
    assert states.last()["action"] == "pin_code_deleted"
    assert "last_successful_pincode_clear" in states.messages[2]


async def test_lock_events(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """Keypad and RFID unlocks, programming at the keypad, as Zigbee2MQTT publishes them."""
    sim = await z2m_lock(rfid_users=2, latency=0.01)
    sim.set_slot(6, "6060")
    sim.rfid_slots[1].status = "enabled"
    states = await record_state(hass, sim)

    await sim.keypad_unlock(user=6)
    await wait_for(hass, lambda: len(states.messages) == 2, "the unlock")
    event, report = states.messages
    assert {
        k: event[k]
        for k in ("action", "action_user", "action_source", "action_source_name")
    } == {
        "action": "unlock",
        "action_user": 6,
        "action_source": 0,
        "action_source_name": "keypad",
    }
    assert "action" not in report  # action is not cached
    assert report["state"] == "UNLOCK"
    await wait_for(hass, lambda: lock_state(hass, sim) == "unlocked", "HA unlocked")

    states.messages.clear()
    await sim.rfid_unlock(user=1)
    await sim.keypad_unlock(user=12)  # nobody there
    await wait_for(hass, lambda: len(states.messages) == 3, "the events")
    assert states.messages[0]["action_source_name"] == "rfid"
    assert states.messages[0]["action_user"] == 1
    assert states.messages[2]["action"] == "unlock_failure_invalid_pin_or_id"

    states.messages.clear()
    await sim.keypad_program(user=8, action="pin_code_added", code="8080")
    await wait_for(hass, lambda: len(states.messages) == 2, "the event and the read")
    assert states.messages[0]["action"] == "pin_code_added"
    assert states.messages[0]["action_source_name"] == "keypad"
    assert states.messages[1]["users"]["8"] == {"status": "enabled", "pin_code": "8080"}
    assert sim.codes() == {6: "6060", 8: "8080"}


async def test_offline_and_online(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """Availability reaches HA; an offline lock answers nothing."""
    sim = await z2m_lock()
    assert sim.entity_id is not None
    log = await record_log(hass, sim)
    sim.offline()
    await wait_for(
        hass,
        lambda: lock_state(hass, sim) == "unavailable",
        "unavailable",
    )
    await send(hass, sim, "set", {"pin_code": {"user": 1, "pin_code": "1111"}})
    await wait_for(hass, lambda: log.messages, "the timeout")
    assert sim.codes() == {}
    sim.online()
    await wait_for(hass, lambda: lock_state(hass, sim) == "locked", "available")
    sim.bridge_offline()
    await wait_for(
        hass,
        lambda: lock_state(hass, sim) == "unavailable",
        "bridge down",
    )
    sim.bridge_online()
    await wait_for(hass, lambda: lock_state(hass, sim) == "locked", "bridge up")


async def test_broker_outage(
    hass: HomeAssistant,
    mqtt_broker: MosquittoBroker,
    mqtt_setup: MockConfigEntry,
    z2m_lock: Z2mLockFactory,
) -> None:
    """Stopping the broker drops HA and the sim; both come back on restart."""
    sim = await z2m_lock()
    await mqtt_broker.async_stop()
    await wait_for(hass, lambda: not mqtt_connected(hass), "HA to notice")
    await mqtt_broker.async_start()
    await wait_for(hass, lambda: mqtt_connected(hass), "HA to reconnect", timeout=20)
    # The broker kept nothing (no persistence): the sim announced again.
    states = await record_state(hass, sim)
    await send(hass, sim, "set", {"pin_code": {"user": 0, "pin_code": "1000"}})
    await send(hass, sim, "get", {"pin_code": {"user": 0}})
    await wait_for(
        hass, lambda: states.messages, "an answer after the outage", timeout=20
    )
    assert users_seen(states) == {"0": {"status": "enabled", "pin_code": "1000"}}


def test_missing_mosquitto_fails_with_the_remedy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No mosquitto: the error says how to install it (the fixture fails, never skips)."""
    monkeypatch.setattr("tests.z2m.broker.find_mosquitto", lambda: None)
    with pytest.raises(BrokerUnavailable, match="apt-get install mosquitto"):
        start_broker()


async def test_generic_read_and_write(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """``read`` logs the result and puts it in the state; ``write`` only logs."""
    sim = await z2m_lock(pin_users=30)
    states = await record_state(hass, sim)
    log = await record_log(hass, sim)
    await send(
        hass,
        sim,
        "set",
        {
            "read": {
                "cluster": "closuresDoorLock",
                "attributes": ["numOfPinUsersSupported", "maxPinLen", "minPinLen"],
                "state_property": "capacity",
            }
        },
    )
    await wait_for(hass, lambda: states.messages and log.messages, "the read")
    assert log.last() == {
        "message": "Read result of 'closuresDoorLock': "
        '{"numOfPinUsersSupported":30,"maxPinLen":8,"minPinLen":4}',
        "level": "info",
        "namespace": "zhc:tz",
    }
    assert states.last()["capacity"] == {
        "numOfPinUsersSupported": 30,
        "maxPinLen": 8,
        "minPinLen": 4,
    }
    assert sim.state["capacity"]["maxPinLen"] == 8  # cached: repeated from now on

    payload = {"wrongCodeEntryLimit": 3, "userCodeTemporaryDisableTime": 30}
    await send(
        hass, sim, "set", {"write": {"cluster": "closuresDoorLock", "payload": payload}}
    )
    await wait_for(hass, lambda: len(log.messages) == 2, "the write")
    assert log.last()["message"] == (
        'Wrote \'{"wrongCodeEntryLimit":3,"userCodeTemporaryDisableTime":30}\' '
        "to 'closuresDoorLock'"
    )
    assert sim.attributes["wrongCodeEntryLimit"] == 3
    assert len(states.messages) == 1


async def test_unsupported_attribute_fails_the_whole_read(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """herdsman checks every attribute's status: one missing fails the read."""
    sim = await z2m_lock(unsupported_attributes=("numOfRfidUsersSupported",))
    states = await record_state(hass, sim)
    log = await record_log(hass, sim)
    read = {
        "cluster": "closuresDoorLock",
        "attributes": ["numOfPinUsersSupported", "numOfRfidUsersSupported"],
        "state_property": "capacity",
    }
    await send(hass, sim, "set", {"read": read})
    await wait_for(hass, lambda: log.messages, "the error")
    message = log.last()["message"]
    assert message.startswith("Publish 'set' 'read' to 'front_door_lock' failed:")
    assert "Status 'UNSUPPORTED_ATTRIBUTE'" in message
    assert log.last()["level"] == "error"
    assert states.messages == []


async def test_bridge_info_and_log_level(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """``bridge/info`` lists the bridge's locks and their ``expose_pin``."""
    back = await z2m_lock(
        friendly_name="back_gate", ieee="0x00158d0000000002", expose_pin=False
    )
    front = await z2m_lock(ieee=IEEE, log_level="warning")
    info = await Recorder().subscribe(
        hass, f"{front.base_topic}/bridge/info", lambda _token: front.republish_info()
    )
    front.republish_info()
    await wait_for(hass, lambda: info.messages, "bridge/info")
    devices = info.last()["config"]["devices"]
    assert devices == {
        "0x00158d0000000002": {"friendly_name": "back_gate"},
        IEEE: {"friendly_name": "front_door_lock", "expose_pin": True},
    }
    assert info.last()["config"]["mqtt"]["base_topic"] == "zigbee2mqtt"
    # log_level warning: the info line of a write is not published.
    await send(
        hass,
        front,
        "set",
        {"write": {"cluster": "closuresDoorLock", "payload": {"soundVolume": 2}}},
    )
    await wait_for(hass, lambda: front.attributes["soundVolume"] == 2, "the write")
    assert front.logged == []
    await back.stop()
    await wait_for(
        hass,
        lambda: list(info.last()["config"]["devices"]) == [IEEE],
        "bridge/info without back_gate",
    )
