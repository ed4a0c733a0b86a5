"""A simulated Zigbee2MQTT Door Lock with a PIN keypad, over a real MQTT broker.

:class:`Z2mLockSim` is what Home Assistant sees of one lock paired with
Zigbee2MQTT: its own paho-mqtt client (network thread of paho, commands
handled one at a time by a task on the test's event loop) that publishes
what Zigbee2MQTT publishes and answers the ``set``/``get`` topics the way
Zigbee2MQTT's converters do for a ZCL Door Lock. Nothing of Zigbee2MQTT runs;
the shapes below were read in its source and mirrored.

What was relied on (Zigbee2MQTT 2.12.1, commit 6835cbf5 of
github.com/Koenkk/zigbee2mqtt; zigbee-herdsman-converters 26.99.0, commit
df720053; zigbee-herdsman commit a70284ac):

* Discovery (``lib/extension/homeassistant.ts``, ``case "lock"``,
  ``discover()``, ``getDevicePayload()``, ``getDiscoveryTopic()``): retained,
  QoS 1, on ``homeassistant/lock/<ieee>/lock/config``; ``command_topic``
  ``<base>/<friendly_name>/set``, ``state_topic`` ``<base>/<friendly_name>``,
  ``value_template`` ``{{ value_json["state"] }}``, ``state_locked`` ``LOCK``,
  ``state_unlocked`` ``UNLOCK`` (no ``payload_lock``/``payload_unlock``: HA's
  defaults ``LOCK``/``UNLOCK`` apply), ``name`` null, ``object_id`` and
  ``default_entity_id`` ``lock.<friendly_name>``, ``unique_id``
  ``<ieee>_lock_<base_topic>`` (the base topic, not the word
  ``zigbee2mqtt``: ``<ieee>_lock_zigbee2mqtt`` only with the default base
  topic), ``availability`` ``[{topic: <base>/bridge/state}, {topic:
  <base>/<friendly_name>/availability}]`` each with ``value_template``
  ``{{ value_json.state }}`` and ``availability_mode`` ``all`` (the second
  only when device availability is enabled), ``device`` ``{identifiers:
  ["zigbee2mqtt_<ieee>"], name, model (description), model_id, manufacturer,
  sw_version, via_device: "zigbee2mqtt_bridge_<coordinator ieee>"}``,
  ``origin`` ``{name: "Zigbee2MQTT", sw, url}``. The simulated device is the
  Weiser SmartCode 10 (``src/devices/weiser.ts``: ``m.lock({pinCodeCount:
  30, readPinCodeOnProgrammingEvent: true})``).
* ``<base>/bridge/state`` is ``{"state":"online"}`` retained (also the will,
  ``offline``); ``<base>/<friendly_name>/availability`` likewise.
* Device state (``lib/state.ts``): every publish on ``<base>/<friendly_name>``
  is the whole cached state, deep-merged (object-assign-deep) with the
  update, not retained; ``action`` and ``action_*`` are published with the
  message that carries them but never cached.
* ``toZigbee.lock`` (key ``state``): ``LOCK``/``UNLOCK``/``TOGGLE`` (or
  ``{"state": ..., "code": ...}``) sends ``lockDoor``/``unlockDoor``; it
  returns no optimistic state: the new ``state``/``lock_state`` comes from
  the lock's ``lockState`` attribute report (``fromZigbee.lock``).
* ``toZigbee.pincode_lock`` (key ``pin_code``): ``user`` must be in
  ``0 .. pinCodeCount-1`` (**0-based** ZCL user ids) or it throws ``user must
  be in range for device``; ``pin_code`` null → ``clearPinCode``, otherwise
  ``setPinCode`` with ``userstatus`` 1 (``user_enabled`` true, the default)
  or 3, ``usertype`` from ``unrestricted`` (default) / ``year_day_schedule``
  / ``week_day_schedule`` / ``master`` / ``non_access``, ``pincodevalue``
  ``str(pin_code)`` (the expose is numeric: a number loses its leading
  zeros, a string keeps them). ``convertSet`` returns nothing: **Zigbee2MQTT
  publishes no state for a write**. ``convertGet`` with ``{"pin_code":
  {"user": N}}`` sends ``getPinCode`` for N, without a user it reads every
  slot.
* The answer of ``setPinCode``/``clearPinCode`` (``setPinCodeRsp``, status 0
  ok, 1 failure, 2 memory full, 3 duplicate code) is not checked:
  herdsman's ``Endpoint.command`` calls ``zclCommand(..., checkStatus=false)``
  and ``m.lock`` has no converter for it (only Onesti definitions add
  ``fromZigbee.lock_set_pin_code_response``, which publishes
  ``last_successful_pincode_save``/``_clear`` on status 0 only: the
  ``pin_code_response`` knob). So **a duplicate code (or any refusal) is
  silent**: nothing on the device topic, nothing at error level on
  ``<base>/bridge/logging``; only a read-back shows that the slot was not
  written. The adapter must infer "duplicate" (e.g. another slot holding
  the same code when PINs are exposed).
* A command the lock never answers (or cannot be delivered) makes herdsman
  throw, and ``lib/extension/publish.ts`` logs ``Publish 'set' 'pin_code' to
  '<friendly_name>' failed: 'Error: ZCL command <ieee>/<ep>
  closuresDoorLock.setPinCode(<payload json>, <options json>) failed
  (<reason>)'`` at error level, which ``lib/extension/bridge.ts`` publishes
  on ``<base>/bridge/logging`` as ``{"message", "level", "namespace"}``.
  Note that the payload, **PIN included**, is in that message. The sim
  publishes it ``latency`` after the command (Zigbee2MQTT: after its
  timeout, about 10 s).
* ``fromZigbee.lock_pin_code_response`` (``getPinCodeRsp``): ``{"users":
  {"<N>": {"status": "available"|"enabled"|"disabled"}}}``, plus
  ``"pin_code"`` only when the device option ``expose_pin`` is on (an empty
  slot answers an empty octet string, which is truthy in JavaScript: with
  ``expose_pin`` an available slot reads ``"pin_code": ""``).
* ``fromZigbee.lock_operation_event``: ``action`` (``lock``, ``unlock``,
  ``unlock_failure_invalid_pin_or_id``, ``manual_unlock``...),
  ``action_user`` (the ZCL user id), ``action_source`` (0 keypad, 1 rf,
  2 manual, 3 rfid, 4 fingerprint), ``action_source_name``.
  ``fromZigbee.lock_programming_event``: ``action`` ``pin_code_added`` /
  ``pin_code_deleted`` / ``pin_code_changed`` / ``rfid_code_added`` /
  ``rfid_code_deleted`` / ``master_code_changed``, same ``action_user`` /
  ``action_source`` / ``action_source_name``. With
  ``readPinCodeOnProgrammingEvent`` (Weiser) a programming event whose
  source is not ``rf`` makes Zigbee2MQTT read that slot (``getPinCode``),
  which publishes ``users`` again.
* The generic ``read``/``write`` converters every definition gets
  (``toZigbee.read``/``write``, ``src/index.ts``): ``{"read": {"cluster":
  "closuresDoorLock", "attributes": [...], "state_property": P}}`` reads
  with herdsman's status check (**one unsupported attribute fails the whole
  read**: ``unsupported_attributes`` knob), logs ``Read result of
  'closuresDoorLock': <json>`` (info, namespace ``zhc:tz``) and, with
  ``state_property``, caches and publishes the result under P;
  ``{"write": {"cluster": ..., "payload": {...}}}`` logs ``Wrote '<json>'
  to 'closuresDoorLock'`` (info) and publishes nothing. Info lines reach
  ``bridge/logging`` only when the bridge's ``log_level`` is ``info`` or
  lower (``log_level`` knob; debug lines never in this sim).
* ``<base>/bridge/info`` (retained, ``publishInfo``): ``config.devices``
  by IEEE address with ``friendly_name`` and ``expose_pin`` (only when on),
  ``config.device_options`` (empty here); all sims on one broker and base
  topic are one bridge.
* Home Assistant's MQTT runs a subscriber's plain function in the executor
  (out of order); handlers must be ``@callback`` to see messages in order.
* No RFID write exists in Zigbee2MQTT's generic converters: RFID slots of
  the sim (``rfid_users``) only change at the "keypad" (``keypad_program``
  with ``rfid_code_added``) and only show in events.

Knobs: ``latency`` (seconds per Zigbee answer), :meth:`drop_next`,
:meth:`fail_next`, :meth:`offline`/:meth:`online`,
:meth:`bridge_offline`/:meth:`bridge_online`, ``rf_events`` (the lock
reports programming/operation events for commands sent over the air, as
many locks do; off by default, so a write gets no answer at all).
Assertions: :attr:`slots` (what the lock holds, codes included),
:attr:`commands` (every message received on ``set``/``get``),
:attr:`published` (every state message published).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
import copy
from dataclasses import dataclass, field
import json
import threading
import time
from typing import Any

from paho.mqtt.client import Client, ConnectFlags, MQTTMessage
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

Z2M_VERSION = "2.12.1"
COORDINATOR_IEEE = "0x00124b0029a1b2c3"
MODEL = {"model": "SmartCode 10", "model_id": "9GED18000-009", "manufacturer": "Weiser"}

USER_TYPES = {
    "unrestricted": 0,
    "year_day_schedule": 1,
    "week_day_schedule": 2,
    "master": 3,
    "non_access": 4,
}
#: ``constants.lockSourceName`` of zigbee-herdsman-converters.
SOURCE_NAMES = {0: "keypad", 1: "rf", 2: "manual", 3: "rfid", 4: "fingerprint"}
SOURCE_IDS = {name: number for number, name in SOURCE_NAMES.items()}
PROGRAMMING_ACTIONS = (
    "unknown",
    "master_code_changed",
    "pin_code_added",
    "pin_code_deleted",
    "pin_code_changed",
    "rfid_code_added",
    "rfid_code_deleted",
)
OPERATION_ACTIONS = (
    "unknown",
    "lock",
    "unlock",
    "lock_failure_invalid_pin_or_id",
    "lock_failure_invalid_schedule",
    "unlock_failure_invalid_pin_or_id",
    "unlock_failure_invalid_schedule",
    "one_touch_lock",
    "key_lock",
    "key_unlock",
    "auto_lock",
    "schedule_lock",
    "schedule_unlock",
    "manual_lock",
    "manual_unlock",
    "non_access_user_operational_event",
)
#: Zigbee2MQTT's log levels (``bridge/logging`` carries those >= ``log_level``).
LOG_LEVELS = {"debug": 0, "info": 1, "warning": 2, "error": 3}
#: Door Lock attributes a ``write`` may change (writable in herdsman's cluster).
WRITABLE = frozenset(
    {
        "autoRelockTime",
        "soundVolume",
        "operatingMode",
        "wrongCodeEntryLimit",
        "userCodeTemporaryDisableTime",
    }
)
#: How Zigbee2MQTT/herdsman words a request the device never answered.
TIMEOUT_REASON = "Timeout - 12345 - 2 - {tsn} - 257 - {cmd} after 10000ms"
FAILURE_REASON = "Delivery failed for '12345'"


#: Running sims by (broker host, port, base topic): one Zigbee2MQTT bridge each.
_BRIDGES: dict[tuple[str, int, str], list[Z2mLockSim]] = {}


class SimError(RuntimeError):
    """The simulator could not do what the test asked (not a lock answer)."""


@dataclass
class Slot:
    """One user slot of the lock, as the lock holds it."""

    status: str = "available"  # available | enabled | disabled
    user_type: str = "unrestricted"
    code: str | None = None

    @property
    def occupied(self) -> bool:
        """Whether the slot holds a code."""
        return self.status != "available"


@dataclass
class Command:
    """One message received on ``<device>/set`` or ``<device>/get``."""

    kind: str  # "set" | "get"
    key: str  # "state", "pin_code", ...
    value: Any
    at: float = field(default_factory=time.monotonic)


@dataclass
class _Fault:
    kind: str  # "drop" | "fail"
    written: bool = False
    how: str = "status"


class Z2mLockSim:
    """One simulated lock behind a simulated Zigbee2MQTT (see the module doc)."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        friendly_name: str = "front_door_lock",
        base_topic: str = "zigbee2mqtt",
        ieee: str = "0x00158d0001a2b3c4",
        pin_users: int = 30,
        rfid_users: int = 0,
        expose_pin: bool = True,
        latency: float = 0.0,
        discovery_prefix: str = "homeassistant",
        device_availability: bool = True,
        rf_events: bool = False,
        read_pin_on_programming_event: bool = True,
        pin_code_response: bool = False,
        coordinator_ieee: str = COORDINATOR_IEEE,
        log_level: str = "info",
        unsupported_attributes: tuple[str, ...] = (),
    ) -> None:
        """Describe the lock; :meth:`start` connects it."""
        self.host = host
        self.port = port
        self.friendly_name = friendly_name
        self.base_topic = base_topic
        self.ieee = ieee
        self.expose_pin = expose_pin
        self.latency = latency
        self.discovery_prefix = discovery_prefix
        self.device_availability = device_availability
        self.rf_events = rf_events
        self.read_pin_on_programming_event = read_pin_on_programming_event
        self.pin_code_response = pin_code_response
        self.coordinator_ieee = coordinator_ieee
        if log_level not in LOG_LEVELS:
            raise ValueError(log_level)
        self.log_level = log_level
        #: The Door Lock cluster's attributes the lock has (ZCL names).
        self.attributes: dict[str, int | bool] = {
            name: value
            for name, value in {
                "lockState": 1,
                "lockType": 0,
                "actuatorEnabled": True,
                "numOfTotalUsersSupported": pin_users + rfid_users,
                "numOfPinUsersSupported": pin_users,
                "numOfRfidUsersSupported": rfid_users,
                "numOfWeekDaySchedulesSupportedPerUser": 0,
                "numOfYearDaySchedulesSupportedPerUser": 0,
                "numOfHolidayScheduledsSupported": 0,
                "maxPinLen": 8,
                "minPinLen": 4,
                "maxRfidLen": 20,
                "minRfidLen": 8,
                "autoRelockTime": 0,
                "soundVolume": 1,
                "operatingMode": 0,
                "wrongCodeEntryLimit": 5,
                "userCodeTemporaryDisableTime": 60,
            }.items()
            if name not in unsupported_attributes
        }
        #: What the lock holds, by 0-based ZCL user id.
        self.slots: dict[int, Slot] = {n: Slot() for n in range(pin_users)}
        #: RFID slots (not writable through Zigbee2MQTT).
        self.rfid_slots: dict[int, Slot] = {n: Slot() for n in range(rfid_users)}
        #: Every message received on ``set``/``get``, in order.
        self.commands: list[Command] = []
        #: Every state message published on the device topic, decoded.
        self.published: list[dict[str, Any]] = []
        #: Every message published on ``<base>/bridge/logging``, decoded.
        self.logged: list[dict[str, Any]] = []
        #: The HA entity id of the lock (set by the ``z2m_lock`` fixture).
        self.entity_id: str | None = None
        #: Zigbee2MQTT's state cache of the device.
        self.state: dict[str, Any] = {
            "battery": 87,
            "linkquality": 132,
            "lock_state": "locked",
            "state": "LOCK",
        }
        self.available = True
        self.bridge_available = True
        #: Door Lock attributes written with the generic ``write``.
        self.written_attributes: dict[str, Any] = {}
        self._faults: list[_Fault] = []
        self._tsn = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._connected = threading.Event()
        self._client: Client | None = None
        self._listeners: list[Callable[[str, Any], None]] = []

    # --- topics -----------------------------------------------------------

    @property
    def device_topic(self) -> str:
        """``<base>/<friendly_name>``: the state topic."""
        return f"{self.base_topic}/{self.friendly_name}"

    @property
    def discovery_topic(self) -> str:
        """Where the lock's HA discovery config is published."""
        return f"{self.discovery_prefix}/lock/{self.ieee}/lock/config"

    @property
    def unique_id(self) -> str:
        """The HA unique id Zigbee2MQTT gives the lock entity."""
        return f"{self.ieee}_lock_{self.base_topic}"

    @property
    def pin_users(self) -> int:
        """How many PIN slots the lock has (Zigbee2MQTT's ``pinCodeCount``)."""
        return len(self.slots)

    def discovery_config(self) -> dict[str, Any]:
        """The discovery payload, as Zigbee2MQTT builds it for a Door Lock."""
        availability = [
            {
                "topic": f"{self.base_topic}/bridge/state",
                "value_template": "{{ value_json.state }}",
            }
        ]
        config: dict[str, Any] = {"availability": availability}
        if self.device_availability:
            config["availability_mode"] = "all"
            availability.append(
                {
                    "topic": f"{self.device_topic}/availability",
                    "value_template": "{{ value_json.state }}",
                }
            )
        config.update(
            {
                "command_topic": f"{self.device_topic}/set",
                "default_entity_id": f"lock.{self.friendly_name}",
                "device": {
                    "hw_version": 1,
                    "identifiers": [f"zigbee2mqtt_{self.ieee}"],
                    "manufacturer": MODEL["manufacturer"],
                    "model": MODEL["model"],
                    "model_id": MODEL["model_id"],
                    "name": self.friendly_name,
                    "sw_version": "1.21",
                    "via_device": f"zigbee2mqtt_bridge_{self.coordinator_ieee}",
                },
                "name": None,
                "object_id": self.friendly_name,
                "origin": {
                    "name": "Zigbee2MQTT",
                    "sw": Z2M_VERSION,
                    "url": "https://www.zigbee2mqtt.io",
                },
                "state_locked": "LOCK",
                "state_topic": self.device_topic,
                "state_unlocked": "UNLOCK",
                "unique_id": self.unique_id,
                "value_template": '{{ value_json["state"] }}',
            }
        )
        return config

    def bridge_info(self) -> dict[str, Any]:
        """``<base>/bridge/info`` (retained), cut down to what matters here.

        ``config`` is Zigbee2MQTT's settings (``lib/extension/bridge.ts``
        ``publishInfo``): ``devices`` by IEEE address with their options,
        ``expose_pin`` among them when it is on (off is the default and is
        then absent), ``device_options`` the defaults of every device. All
        running sims of one broker and base topic are one bridge.
        """
        devices = {
            sim.ieee: {"friendly_name": sim.friendly_name}
            | ({"expose_pin": True} if sim.expose_pin else {})
            for sim in _BRIDGES.get(self._bridge_key, [self])
        }
        return {
            "version": Z2M_VERSION,
            "commit": "6835cbf",
            "coordinator": {"ieee_address": self.coordinator_ieee, "type": "EmberZNet"},
            "log_level": self.log_level,
            "permit_join": False,
            "restart_required": False,
            "config": {
                "homeassistant": {
                    "enabled": True,
                    "discovery_topic": self.discovery_prefix,
                    "status_topic": f"{self.discovery_prefix}/status",
                },
                "mqtt": {"base_topic": self.base_topic, "server": "mqtt://127.0.0.1"},
                "advanced": {"log_level": self.log_level, "cache_state": True},
                "availability": {"enabled": self.device_availability},
                "device_options": {},
                "devices": devices,
            },
        }

    @property
    def _bridge_key(self) -> tuple[str, int, str]:
        return (self.host, self.port, self.base_topic)

    # --- lifecycle ----------------------------------------------------------

    async def start(self, timeout: float = 10.0) -> None:
        """Connect to the broker, announce the lock and serve its topics."""
        self._loop = asyncio.get_running_loop()
        client = Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"z2m-sim-{self.base_topic}-{self.ieee}",
            protocol=MQTTProtocolVersion.MQTTv311,
        )
        client.will_set(
            f"{self.base_topic}/bridge/state",
            json.dumps({"state": "offline"}),
            qos=1,
            retain=True,
        )
        client.reconnect_delay_set(1, 2)
        client.on_connect = self._on_connect
        client.on_message = self._on_message
        self._client = client
        _BRIDGES.setdefault(self._bridge_key, []).append(self)
        self._worker = self._loop.create_task(self._serve(), name="z2m lock sim")
        client.connect_async(self.host, self.port, keepalive=30)
        client.loop_start()
        connected = await self._loop.run_in_executor(
            None, self._connected.wait, timeout
        )
        if not connected:
            await self.stop()
            raise SimError(
                f"the simulated Zigbee2MQTT could not connect to {self.host}:{self.port}"
            )

    async def stop(self) -> None:
        """Disconnect and end the command task (joins paho's thread)."""
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        bridge = _BRIDGES.get(self._bridge_key, [])
        if self in bridge:
            bridge.remove(self)
            if bridge:  # the bridge's other devices stay: info without this one
                bridge[0].republish_info()
            else:
                del _BRIDGES[self._bridge_key]
        client, self._client = self._client, None
        if client is not None:
            client.disconnect()
            await asyncio.get_running_loop().run_in_executor(None, client.loop_stop)

    def _on_connect(
        self,
        client: Client,
        userdata: Any,
        flags: ConnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        """(paho thread) Subscribe and (re)announce, as Zigbee2MQTT does on connect."""
        if reason_code.is_failure:
            return
        client.subscribe(
            [
                (f"{self.device_topic}/set", 0),
                (f"{self.device_topic}/set/+", 0),
                (f"{self.device_topic}/get", 0),
                (f"{self.device_topic}/get/+", 0),
                (f"{self.discovery_prefix}/status", 0),
            ]
        )
        self._announce(client)
        self._connected.set()

    def _announce(self, client: Client) -> None:
        """Bridge state, availability and discovery, all retained."""
        client.publish(
            f"{self.base_topic}/bridge/state",
            json.dumps({"state": "online" if self.bridge_available else "offline"}),
            qos=1,
            retain=True,
        )
        if self.device_availability:
            client.publish(
                f"{self.device_topic}/availability",
                json.dumps({"state": "online" if self.available else "offline"}),
                qos=1,
                retain=True,
            )
        client.publish(
            f"{self.base_topic}/bridge/info",
            _js_json(self.bridge_info()),
            qos=1,
            retain=True,
        )
        client.publish(
            self.discovery_topic,
            json.dumps(self.discovery_config(), separators=(",", ":")),
            qos=1,
            retain=True,
        )

    def republish_info(self) -> None:
        """Publish ``bridge/info`` again (after a change of the bridge's devices)."""
        if self._client is not None:
            self._client.publish(
                f"{self.base_topic}/bridge/info",
                _js_json(self.bridge_info()),
                qos=1,
                retain=True,
            )

    def _on_message(self, client: Client, userdata: Any, message: MQTTMessage) -> None:
        """(paho thread) Hand the message to the command task."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(
                self._queue.put_nowait, (message.topic, bytes(message.payload))
            )

    # --- publishing -------------------------------------------------------

    def publish(self, topic: str, payload: Any, *, retain: bool = False) -> None:
        """Publish any JSON message from the sim's client (test probes)."""
        self._publish(topic, payload, retain=retain)

    def _publish(self, topic: str, payload: Any, *, retain: bool = False) -> None:
        if self._client is None:
            raise SimError("the simulated lock is stopped")
        self._client.publish(
            topic, json.dumps(payload, separators=(",", ":")), qos=0, retain=retain
        )

    def publish_state(self, update: dict[str, Any] | None = None) -> dict[str, Any]:
        """Merge ``update`` into the cached state and publish the whole state.

        ``action``/``action_*`` keys are published but not cached, like
        Zigbee2MQTT's ``CACHE_IGNORE_PROPERTIES``.
        """
        message = _deep_merge(copy.deepcopy(self.state), update or {})
        self.state = {
            k: v
            for k, v in message.items()
            if k != "action" and not k.startswith("action_")
        }
        self.published.append(message)
        self._publish(self.device_topic, message)
        return message

    def log(self, message: str, level: str = "error", namespace: str = "z2m") -> None:
        """Publish a line of Zigbee2MQTT's log on ``<base>/bridge/logging``.

        As ``lib/extension/bridge.ts``: only lines at or above the bridge's
        ``log_level``, never debug ones.
        """
        if level == "debug" or LOG_LEVELS[level] < LOG_LEVELS[self.log_level]:
            return
        entry = {"message": message, "level": level, "namespace": namespace}
        self.logged.append(entry)
        self._publish(f"{self.base_topic}/bridge/logging", entry)

    # --- knobs ------------------------------------------------------------

    def drop_next(self, n: int = 1, *, written: bool = False) -> None:
        """The next ``n`` Zigbee commands get no answer.

        Nothing is published for them; the timeout error Zigbee2MQTT logs is
        published on ``bridge/logging``. ``written``: the lock still applied
        a write (only its answer was lost).
        """
        self._faults.extend(_Fault("drop", written=written) for _ in range(n))

    def fail_next(self, n: int = 1, *, how: str = "status") -> None:
        """The lock refuses the next ``n`` Zigbee commands.

        ``how="status"``: it answers with a failure status, which Zigbee2MQTT
        does not check (nothing published, nothing logged above debug).
        ``how="error"``: the command cannot be delivered; Zigbee2MQTT logs
        the error on ``bridge/logging``.
        """
        if how not in ("status", "error"):
            raise ValueError(how)
        self._faults.extend(_Fault("fail", how=how) for _ in range(n))

    def offline(self) -> None:
        """The lock stops answering; its availability says ``offline``."""
        self.available = False
        if self.device_availability:
            self._publish(
                f"{self.device_topic}/availability", {"state": "offline"}, retain=True
            )

    def online(self) -> None:
        """The lock answers again; its availability says ``online``."""
        self.available = True
        if self.device_availability:
            self._publish(
                f"{self.device_topic}/availability", {"state": "online"}, retain=True
            )

    def bridge_offline(self) -> None:
        """Zigbee2MQTT itself goes away (``bridge/state`` offline)."""
        self.bridge_available = False
        self._publish(
            f"{self.base_topic}/bridge/state", {"state": "offline"}, retain=True
        )

    def bridge_online(self) -> None:
        """Zigbee2MQTT is back."""
        self.bridge_available = True
        self._publish(
            f"{self.base_topic}/bridge/state", {"state": "online"}, retain=True
        )

    def set_slot(
        self,
        user: int,
        code: str | None,
        *,
        enabled: bool = True,
        user_type: str = "unrestricted",
    ) -> None:
        """Put a code in a slot directly (set up a lock that already holds codes)."""
        self.slots[user] = (
            Slot("enabled" if enabled else "disabled", user_type, code)
            if code
            else Slot()
        )

    def codes(self) -> dict[int, str]:
        """The occupied PIN slots and their codes."""
        return {
            n: s.code
            for n, s in self.slots.items()
            if s.occupied and s.code is not None
        }

    def add_listener(self, listener: Callable[[str, Any], None]) -> Callable[[], None]:
        """Call ``listener(kind, value)`` for each command handled (test hooks)."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    # --- events at the lock -------------------------------------------------

    async def operation_event(self, action: str, user: int | None, source: str) -> None:
        """The lock sends an operation event notification (unlock, lock, ...)."""
        if action not in OPERATION_ACTIONS:
            raise ValueError(action)
        self.publish_state(
            {
                "action": action,
                "action_source": SOURCE_IDS[source],
                "action_source_name": source,
                "action_user": user,
            }
        )
        if action in (
            "lock",
            "unlock",
            "key_lock",
            "key_unlock",
            "manual_lock",
            "manual_unlock",
        ):
            locked = action.endswith("lock") and not action.endswith("unlock")
            self._set_lock_state(locked)

    async def keypad_unlock(self, user: int) -> None:
        """Someone unlocks with the PIN of slot ``user`` at the keypad."""
        slot = self.slots.get(user)
        if slot is None or slot.status != "enabled":
            await self.operation_event(
                "unlock_failure_invalid_pin_or_id", user, "keypad"
            )
            return
        await self.operation_event("unlock", user, "keypad")

    async def rfid_unlock(self, user: int) -> None:
        """Someone unlocks with the card of RFID slot ``user``."""
        slot = self.rfid_slots.get(user)
        if slot is None or slot.status != "enabled":
            await self.operation_event("unlock_failure_invalid_pin_or_id", user, "rfid")
            return
        await self.operation_event("unlock", user, "rfid")

    async def keypad_program(
        self, user: int, action: str = "pin_code_added", code: str | None = None
    ) -> None:
        """A code is programmed at the lock itself (not through Zigbee2MQTT).

        The slot changes, the lock sends a programming event (source
        ``keypad``), and Zigbee2MQTT reads the slot back (Weiser's
        ``readPinCodeOnProgrammingEvent``) after ``latency``.
        """
        if action not in PROGRAMMING_ACTIONS:
            raise ValueError(action)
        if action in ("pin_code_added", "pin_code_changed"):
            self.slots[user] = Slot("enabled", "unrestricted", code or f"{7000 + user}")
        elif action == "pin_code_deleted":
            self.slots[user] = Slot()
        elif action == "rfid_code_added":
            self.rfid_slots[user] = Slot(
                "enabled", "unrestricted", code or f"C{user:04d}"
            )
        elif action == "rfid_code_deleted":
            self.rfid_slots[user] = Slot()
        self.publish_state(
            {
                "action": action,
                "action_source": 0,
                "action_source_name": "keypad",
                "action_user": user,
            }
        )
        if self.read_pin_on_programming_event and user in self.slots:
            await self._answer_delay()
            self._publish_user(user)

    # --- the command task -------------------------------------------------

    async def _serve(self) -> None:
        while True:
            topic, raw = await self._queue.get()
            try:
                await self._handle(topic, raw)
            except asyncio.CancelledError:
                raise
            except Exception as err:  # noqa: BLE001 - a test double must keep serving
                self.log(f"simulator error: {err!r}")

    async def _handle(self, topic: str, raw: bytes) -> None:
        if topic == f"{self.discovery_prefix}/status":
            if raw.decode(errors="replace") == "online" and self._client is not None:
                # Zigbee2MQTT re-announces and republishes states when HA
                # comes online (it waits 30 s for the states; not here).
                self._announce(self._client)
                self.publish_state()
            return
        rest = topic[len(self.device_topic) + 1 :]
        kind, _, attribute = rest.partition("/")
        text = raw.decode(errors="replace")
        message: dict[str, Any]
        if attribute:
            try:
                value: Any = json.loads(text)
            except ValueError:
                value = text
            message = {attribute: value}
        else:
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                # publish.ts: a bare "ON"/"LOCK" is read as {"state": ...}
                parsed = {"state": text} if text and kind == "set" else None
            if parsed is None:
                self.log(f"Invalid message '{text}', skipping...")
                return
            message = parsed
        for key, value in message.items():
            self.commands.append(Command(kind, key, value))
            for listener in list(self._listeners):
                listener(kind, value)
            if key == "state":
                await self._lock_command(kind, value)
            elif key == "pin_code":
                await self._pin_command(kind, value)
            elif key in ("read", "write") and kind == "set":
                await self._generic_command(key, value)
            else:
                self.log(
                    f"No converter available for '{key}' on '{self.friendly_name}': "
                    f"({json.dumps(value)})"
                )

    async def _answer_delay(self) -> None:
        if self.latency > 0:
            await asyncio.sleep(self.latency)

    def _next_fault(self) -> _Fault | None:
        if not self.available:
            return _Fault("drop")
        return self._faults.pop(0) if self._faults else None

    def _zcl_error(
        self, kind: str, key: str, command: str, payload: Any, reason: str
    ) -> None:
        self._tsn = (self._tsn + 1) % 256
        options = {
            "timeout": 10000,
            "disableResponse": False,
            "direction": 0,
            "srcEndpoint": None,
        }
        self.log(
            f"Publish '{kind}' '{key}' to '{self.friendly_name}' failed: "
            f"'Error: ZCL command {self.ieee}/2 closuresDoorLock.{command}"
            f"({json.dumps(payload, separators=(',', ':'))}, "
            f"{json.dumps(options, separators=(',', ':'))}) failed ({reason.format(tsn=self._tsn, cmd=command)})'"
        )

    def _set_lock_state(self, locked: bool) -> None:
        if "lockState" in self.attributes:
            self.attributes["lockState"] = 1 if locked else 2
        self.publish_state(
            {
                "state": "LOCK" if locked else "UNLOCK",
                "lock_state": "locked" if locked else "unlocked",
            }
        )

    async def _lock_command(self, kind: str, value: Any) -> None:
        if kind == "get":
            fault = self._next_fault()
            await self._answer_delay()
            if fault is None or fault.kind == "fail" and fault.how == "status":
                self.publish_state()
            else:
                self._zcl_error(
                    "get", "state", "read", {"lockState": 0}, TIMEOUT_REASON
                )
            return
        state: Any = value.get("state") if isinstance(value, dict) else value
        state = state.upper() if isinstance(state, str) else None
        if state not in ("LOCK", "UNLOCK", "TOGGLE"):
            self.log(
                f"Publish 'set' 'state' to '{self.friendly_name}' failed: "
                f"'Error: '{state}' not allowed, expected one of: LOCK,UNLOCK,TOGGLE'"
            )
            return
        command = f"{state.lower()}Door"
        fault = self._next_fault()
        await self._answer_delay()
        if fault is not None:
            if fault.kind == "drop" or fault.how == "error":
                reason = TIMEOUT_REASON if fault.kind == "drop" else FAILURE_REASON
                self._zcl_error(
                    "set",
                    "state",
                    command,
                    {"pincodevalue": {"type": "Buffer", "data": []}},
                    reason,
                )
            return
        locked = (
            state == "LOCK" or state == "TOGGLE" and self.state.get("state") != "LOCK"
        )
        if self.rf_events:
            self.publish_state(
                {
                    "action": "lock" if locked else "unlock",
                    "action_source": 1,
                    "action_source_name": "rf",
                    "action_user": None,
                }
            )
        self._set_lock_state(locked)

    async def _generic_command(self, key: str, value: Any) -> None:
        """Zigbee2MQTT's generic ``read``/``write`` converters on the Door Lock.

        ``read`` (``toZigbee.read``): herdsman reads the attributes with its
        status checked (one unsupported attribute fails the whole read), the
        converter logs ``Read result of '<cluster>': <json>`` at info level and,
        with ``state_property``, puts the result in the device's state
        (cached, published). ``write`` (``toZigbee.write``): logs ``Wrote
        '<json>' to '<cluster>'`` at info level, publishes nothing.
        """
        if not isinstance(value, dict) or value.get("cluster") != "closuresDoorLock":
            cluster = value.get("cluster") if isinstance(value, dict) else None
            self.log(
                f"Publish 'set' '{key}' to '{self.friendly_name}' failed: "
                f"'Error: the simulated lock has only closuresDoorLock, not {cluster!r}'"
            )
            return
        fault = self._next_fault()
        await self._answer_delay()
        names = value.get("attributes") if key == "read" else value.get("payload")
        if key == "read" and not isinstance(names, list):
            names = []
        if key == "write" and not isinstance(names, dict):
            names = {}
        assert isinstance(names, (list, dict))
        command_payload: Any = (
            [{"attrId": name} for name in names] if key == "read" else names
        )
        if fault is not None and (fault.kind == "drop" or fault.how == "error"):
            reason = TIMEOUT_REASON if fault.kind == "drop" else FAILURE_REASON
            self._zcl_error("set", key, key, command_payload, reason)
            return
        refused = fault is not None or any(
            name not in self.attributes or key == "write" and name not in WRITABLE
            for name in names
        )
        if refused:
            status = "FAILURE" if fault is not None else "UNSUPPORTED_ATTRIBUTE"
            self._zcl_error("set", key, key, command_payload, f"Status '{status}'")
            return
        if key == "write":
            assert isinstance(names, dict)
            for name, new in names.items():
                self.attributes[name] = new
            self.written_attributes.update(names)
            self.log(
                f"Wrote '{_js_json(names)}' to 'closuresDoorLock'", "info", "zhc:tz"
            )
            return
        result = {name: self.attributes[name] for name in names}
        self.log(
            f"Read result of 'closuresDoorLock': {_js_json(result)}", "info", "zhc:tz"
        )
        update: dict[str, Any] = {}
        if "lockState" in result:  # the readResponse also goes through fz.lock
            locked = result["lockState"] == 1
            update["state"] = "LOCK" if locked else "UNLOCK"
            update["lock_state"] = ["not_fully_locked", "locked", "unlocked"][
                int(result["lockState"])
            ]
        if value.get("state_property") is not None:
            update[str(value["state_property"])] = result
        if update:
            self.publish_state(update)

    def door_lock_attributes(self) -> dict[str, int | bool]:
        """The Door Lock attributes the generic ``read`` answers (herdsman names)."""
        return dict(self.attributes)

    def _user_error(self, kind: str, message: str) -> None:
        self.log(
            f"Publish '{kind}' 'pin_code' to '{self.friendly_name}' failed: 'Error: {message}'"
        )

    def _valid_user(self, kind: str, user: Any) -> int | None:
        try:
            number = int(user)
        except (TypeError, ValueError):
            number = -1
        if isinstance(user, bool) or not 0 <= number < self.pin_users:
            self._user_error(
                kind,
                "user must be in range for device"
                if kind == "set"
                else "userId must be in range for device",
            )
            return None
        return number

    async def _pin_command(self, kind: str, value: Any) -> None:
        if kind == "get":
            user_value = value.get("user") if isinstance(value, dict) else None
            if user_value is None:
                users = list(range(self.pin_users))
            else:
                single = self._valid_user("get", user_value)
                if single is None:
                    return
                users = [single]
            for user in users:
                fault = self._next_fault()
                await self._answer_delay()
                if fault is None:
                    self._publish_user(user)
                elif fault.kind == "drop" or fault.how == "error":
                    reason = TIMEOUT_REASON if fault.kind == "drop" else FAILURE_REASON
                    self._zcl_error(
                        "get", "pin_code", "getPinCode", {"userid": user}, reason
                    )
                    return  # the converter throws: the rest of a read-all is not sent
            return
        if not isinstance(value, dict):
            self._user_error(
                "set",
                f"pin_code is not an object, got {type(value).__name__} ({value})",
            )
            return
        target = self._valid_user("set", value.get("user"))
        if target is None:
            return
        user = target
        code = value.get("pin_code")
        if code is None:
            payload: dict[str, Any] = {"userid": user}
            command = "clearPinCode"
        else:
            user_type = value.get("user_type") or "unrestricted"
            if user_type not in USER_TYPES:
                self._user_error(
                    "set",
                    f"Expected one of: {', '.join(USER_TYPES)}, got: '{user_type}'",
                )
                return
            enabled = value.get("user_enabled")
            enabled = True if enabled is None else bool(enabled)
            payload = {
                "userid": user,
                "userstatus": 1 if enabled else 3,
                "usertype": USER_TYPES[user_type],
                "pincodevalue": str(code),
            }
            command = "setPinCode"
        fault = self._next_fault()
        await self._answer_delay()
        if fault is not None and fault.kind == "fail":
            if fault.how == "error":
                self._zcl_error("set", "pin_code", command, payload, FAILURE_REASON)
            return  # status 1: unchecked, nothing published
        if fault is not None and not fault.written:
            self._zcl_error("set", "pin_code", command, payload, TIMEOUT_REASON)
            return
        previous = self.slots[user]
        if command == "clearPinCode":
            self.slots[user] = Slot()
            event = "pin_code_deleted"
        else:
            pin = payload["pincodevalue"]
            if any(
                n != user and s.occupied and s.code == pin
                for n, s in self.slots.items()
            ):
                # setPinCodeRsp status 3 (duplicate): unchecked, silent.
                return
            self.slots[user] = Slot(
                "enabled" if payload["userstatus"] == 1 else "disabled", user_type, pin
            )
            event = "pin_code_changed" if previous.occupied else "pin_code_added"
        if fault is not None:  # written, but the answer is lost
            self._zcl_error("set", "pin_code", command, payload, TIMEOUT_REASON)
            return
        if self.pin_code_response:
            stamp = int(time.time() * 1000)
            key = (
                "last_successful_pincode_clear"
                if command == "clearPinCode"
                else "last_successful_pincode_save"
            )
            self.publish_state({key: stamp})
        if self.rf_events:
            self.publish_state(
                {
                    "action": event,
                    "action_source": 1,
                    "action_source_name": "rf",
                    "action_user": user,
                }
            )

    def _publish_user(self, user: int) -> None:
        """What Zigbee2MQTT publishes for a ``getPinCodeRsp`` of ``user``."""
        slot = self.slots[user]
        entry: dict[str, Any] = {"status": slot.status}
        if self.expose_pin:
            entry["pin_code"] = slot.code if slot.occupied and slot.code else ""
        self.publish_state({"users": {str(user): entry}})


def _js_json(value: Any) -> str:
    """``JSON.stringify`` of a plain object."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _deep_merge(target: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """object-assign-deep: nested objects merge, everything else replaces."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
    return target
