"""One Zigbee2MQTT lock's credential memory over MQTT (implements ``LockPort``).

Every port method is one MQTT request to the lock's device topic, sent with
``homeassistant.components.mqtt.async_publish``; its answer is what
Zigbee2MQTT then publishes, received through ``async_subscribe``. What
Zigbee2MQTT 2.12.1 and zigbee-herdsman-converters 26.99.0 do, and what is
relied on here:

* ``<device>/get`` ``{"pin_code": {"user": N}}`` (``toZigbee.pincode_lock``
  ``convertGet``) sends ``getPinCode``; the answer (``fromZigbee.
  lock_pin_code_response``) is published on ``<device>`` as ``{"users":
  {"N": {"status": "available"|"enabled"|"disabled"}}}`` plus
  ``"pin_code"`` only when the device option ``expose_pin`` is on. User ids
  are ZCL user ids, 0-based (Zigbee2MQTT refuses ids outside
  ``0 .. pinCodeCount-1``).
* ``<device>/set`` ``{"pin_code": {"user": N, "user_type": ...,
  "user_enabled": true, "pin_code": "1234"}}`` sends ``setPinCode``;
  ``"pin_code": null`` sends ``clearPinCode``. Zigbee2MQTT publishes
  **nothing** for these on success (herdsman does not check the status of
  ``setPinCodeRsp``, so a lock's "duplicate code" answer is silent too). A
  write counts as answered when the lock tells about it: a programming event
  for that user (``action`` ``pin_code_added``/``pin_code_changed``/
  ``pin_code_deleted``, which locks send for codes set over the air when
  their event masks allow), ``last_successful_pincode_save``/``_clear``
  (``fromZigbee.lock_set_pin_code_response``) or a new ``users`` entry for
  the slot. Otherwise the write times out after ``write_timeout`` and the
  reconciler reads the slot back, exactly as for an unconfirmed ZHA write.
* A command that fails (no answer from the lock, not delivered, refused by
  the converter) is logged by Zigbee2MQTT (``lib/extension/publish.ts``) as
  ``Publish 'set' 'pin_code' to '<friendly name>' failed: '<error>'`` at
  error level, which it publishes on ``<base>/bridge/logging``. That message
  includes the PIN: it is matched, never logged or kept.
* The capacity attributes are read with Zigbee2MQTT's generic ``read``
  converter, ``{"read": {"cluster": "closuresDoorLock", "attributes": [...],
  "state_property": ...}}``, whose result is published in the device's state
  under that property. Wrong-code limit and lock-out time are written with
  the generic ``write`` converter; Zigbee2MQTT confirms that only in its log
  (``Wrote '<json>' to 'closuresDoorLock'``, info level), so without that
  line the write is taken as sent.
* Zigbee2MQTT has no converter for year-day or week-day schedules, user
  types or RFID codes of a generic Door Lock: the capacity says 0 schedules
  and 0 RFID users, so the reconciler enforces time windows by writing and
  clearing codes, and cards "do not fit" on the lock.
* ``expose_pin`` is read from ``<base>/bridge/info`` (Zigbee2MQTT's settings,
  retained); without it codes are write-only: a read only says whether a
  slot is occupied, and the reconciler trusts its own slot table.

Every state message is the whole cached state (deep-merged), so an earlier
answer is repeated in every later message. A message counts as the answer
to a read when it changes that slot's entry, or when nothing else in it
changed (no ``action``, no other value different): a report of something
else carrying the cached entry is not taken for the answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
import contextlib
from dataclasses import dataclass, field
import json
import logging
from typing import Any, Final

from custom_components.community_access.core.lock_sync import (
    CredentialSlotKind,
    DuplicateCodeError,
    LockCapacity,
    LockCommandError,
    LockTimeoutError,
    SlotReading,
    WeekDaySchedule,
    YearDaySchedule,
)
from custom_components.community_access.core.lock_sync.events import LockEventCallback
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError

from .discovery import Z2mLockTopics, async_find_lock_topics, async_mqtt_running
from .events import action_user, parse_action

_LOGGER = logging.getLogger(__name__)

#: Seconds to wait for an answer to a read. Zigbee2MQTT gives a command
#: about 10 s before it logs a failure; a sleepy lock may take longer.
DEFAULT_COMMAND_TIMEOUT: Final = 20.0
#: Seconds to wait for a lock to tell about a write before reading it back.
DEFAULT_WRITE_TIMEOUT: Final = 10.0

#: Where the capacity read's result lands in the device's state.
CAPACITY_PROPERTY: Final = "community_access_capacity"
#: What is read of the capacity: PINs only (Zigbee2MQTT writes nothing else).
#: herdsman checks the status of every attribute of a read: one unsupported
#: attribute fails the whole read, which is then repeated with the first
#: (essential) one alone.
CAPACITY_ATTRIBUTES: Final = ("numOfPinUsersSupported", "maxPinLen", "minPinLen")
#: Longest code an octet string can carry.
MAX_CODE: Final = 254
#: ``constants.lockUserStatus``.
USER_STATUS: Final = {"available": 0, "enabled": 1, "disabled": 3}
#: ``toZigbee.pincode_lock``'s ``user_type`` names.
USER_TYPES: Final = {0: "unrestricted", 1: "year_day_schedule", 2: "week_day_schedule"}
#: State keys that change without being news about the lock's memory.
_NOISE: Final = frozenset(
    {"users", "last_seen", "linkquality", "update", CAPACITY_PROPERTY}
)
#: Words of a failure Zigbee2MQTT logs that mean the lock did not answer.
_UNREACHABLE: Final = (
    "timeout",
    "timed out",
    "no network route",
    "no route",
    "no ack",
    "mac_no_ack",
    "mac_transaction_expired",
    "transaction expired",
    "nwk_no_route",
    "delivery failed",
    "not delivered",
    "channel access failure",
)
#: herdsman's wording of a failed ZCL command: ``ZCL command <ieee>/<ep>
#: <cluster>.<command>(<payload>, <options>) failed (<reason>)``; the options
#: always hold ``"timeout":10000``, so only the reason is looked at.
_ZCL_REASON: Final = " failed ("

type _LogAnswer = bool | LockCommandError | None


class Z2mLockError(LockCommandError):
    """Zigbee2MQTT reported that a command to the lock failed."""

    def __init__(self, command: str, reason: str) -> None:
        """Keep the command and a reason (never Zigbee2MQTT's text: it has the PIN)."""
        super().__init__(f"{command}: {reason} (Zigbee2MQTT)")
        self.command = command
        self.reason = reason


class Z2mDuplicateCodeError(Z2mLockError, DuplicateCodeError):
    """The lock refused a code another of its users has."""


class Z2mLockRequestError(LockCommandError, ValueError):
    """The request cannot be put to the lock through Zigbee2MQTT; not sent."""


@dataclass(slots=True)
class _Message:
    """A state message as the waiting request sees it."""

    payload: Mapping[str, Any]
    changed_users: set[int]
    changed_keys: set[str]

    @property
    def quiet(self) -> bool:
        """Nothing but slot entries (or noise) changed, and no event."""
        return "action" not in self.payload and not (self.changed_keys - _NOISE)


@dataclass(slots=True)
class _Waiter:
    """The one request in flight and how its answer is recognised."""

    command: str
    future: asyncio.Future[None]
    accept: Callable[[_Message], bool]
    #: (level, message) of Zigbee2MQTT's log → True (answered), an error, None
    accept_log: Callable[[str, str], _LogAnswer] = field(default=lambda _l, _m: None)


def _json_object(payload: Any) -> dict[str, Any] | None:
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8", "replace")
    try:
        value = json.loads(payload)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _check_code(kind: CredentialSlotKind, code: str) -> None:
    if kind is not CredentialSlotKind.PIN:
        raise Z2mLockRequestError("Zigbee2MQTT cannot write RFID codes")
    if not code or not code.isascii() or not code.isdigit():
        raise Z2mLockRequestError("a PIN must be digits")
    if len(code) > MAX_CODE:
        raise Z2mLockRequestError("code too long")


def _status(entry: Mapping[str, Any]) -> int | None:
    name = entry.get("status")
    if not isinstance(name, str):
        return None
    if name in USER_STATUS:
        return USER_STATUS[name]
    number = name.removeprefix("not_supported_")
    return int(number) if number.isdigit() else None


def _occupied(entry: Mapping[str, Any] | None) -> bool:
    return entry is not None and _status(entry) not in (None, 0)


def _merge(target: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge like Zigbee2MQTT's state cache (object-assign-deep)."""
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        elif isinstance(value, Mapping):
            target[key] = _merge({}, value)
        else:
            target[key] = value
    return target


class Z2mDoorLock:
    """One Zigbee2MQTT lock's PIN memory, through Home Assistant's MQTT.

    Commands go one at a time (one request in flight per lock). The topics
    are looked up again before each command, so a device renamed in
    Zigbee2MQTT is followed once Home Assistant has its new discovery config.
    """

    #: Which integration the lock is paired with (diagnostics).
    backend: Final = "zigbee2mqtt"

    def __init__(
        self,
        hass: HomeAssistant,
        topics: Z2mLockTopics,
        *,
        timeout: float = DEFAULT_COMMAND_TIMEOUT,
        write_timeout: float = DEFAULT_WRITE_TIMEOUT,
    ) -> None:
        """Wrap the lock; :meth:`async_start` subscribes to its topics."""
        self._hass = hass
        self.topics = topics
        self.entity_id = topics.entity_id
        self.ieee = topics.ieee
        self.timeout = timeout
        self.write_timeout = write_timeout
        self._radio = asyncio.Lock()
        self._state: dict[str, Any] = {}
        self._users: dict[int, dict[str, Any]] = {}
        #: slots cleared since they were last read (their cached code is gone)
        self._cleared: set[int] = set()
        self._expose_pin: bool | None = None
        self._hidden_seen = False
        self._read_result: dict[str, Any] | None = None
        self._waiter: _Waiter | None = None
        self._callbacks: list[LockEventCallback] = []
        self._unsubs: list[CALLBACK_TYPE] = []
        self._subscribed: Z2mLockTopics | None = None

    def __repr__(self) -> str:
        """Name the lock, nothing else."""
        return f"<Z2mDoorLock {self.entity_id} {self.ieee}>"

    @property
    def lock_id(self) -> str:
        """The lock's key in the slot table: ``z2m:<ieee>``."""
        return f"z2m:{self.ieee}"

    @property
    def codes_readable(self) -> bool | None:
        """Whether reads tell codes (``expose_pin``); None while not known."""
        if self._expose_pin is not None:
            return self._expose_pin
        return False if self._hidden_seen else None

    @property
    def available(self) -> bool:
        """MQTT is connected and the lock entity is not unavailable."""
        state = self._hass.states.get(self.entity_id)
        return (
            async_mqtt_running(self._hass)
            and state is not None
            and state.state != STATE_UNAVAILABLE
        )

    @callback
    def refresh(self) -> bool:
        """Follow the lock's discovery config (a rename); whether it is known."""
        topics = async_find_lock_topics(self._hass, self.entity_id)
        if topics is None or topics.ieee != self.ieee:
            return False
        self.topics = topics
        return True

    # -- subscriptions -------------------------------------------------------

    async def async_start(self) -> None:
        """Subscribe to the lock's state, Zigbee2MQTT's log and its settings."""
        await self._subscribe(self.topics)

    async def async_stop(self) -> None:
        """Unsubscribe; a request in flight ends as unanswered."""
        self._unsubscribe()
        self._callbacks.clear()
        waiter = self._waiter
        if waiter is not None and not waiter.future.done():
            waiter.future.set_exception(
                LockTimeoutError(f"{waiter.command}: adapter stopped")
            )

    def _unsubscribe(self) -> None:
        for unsub in self._unsubs:
            # After a reload of MQTT these belong to its former client.
            with contextlib.suppress(HomeAssistantError, KeyError, ValueError):
                unsub()
        self._unsubs.clear()
        self._subscribed = None

    async def _subscribe(self, topics: Z2mLockTopics) -> None:
        from homeassistant.components import mqtt  # noqa: PLC0415

        self._unsubscribe()
        subscriptions: list[tuple[str, Callable[[Any], None]]] = [
            (topics.device_topic, self._on_state)
        ]
        if topics.logging_topic is not None:
            subscriptions.append((topics.logging_topic, self._on_log))
        if topics.info_topic is not None:
            subscriptions.append((topics.info_topic, self._on_info))
        pending = {topic for topic, _handler in subscriptions}
        done = asyncio.Event()

        def subscribed(topic: str) -> Callable[[], None]:
            @callback
            def _done() -> None:
                pending.discard(topic)
                if not pending:
                    done.set()

            return _done

        watches = [
            mqtt.async_on_subscribe_done(self._hass, topic, 0, subscribed(topic))
            for topic, _handler in subscriptions
        ]
        try:
            for topic, handler in subscriptions:
                self._unsubs.append(
                    await mqtt.async_subscribe(self._hass, topic, handler)
                )
            self._subscribed = topics
            # Until the broker has the subscriptions, answers would be lost.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.timeout):
                    await done.wait()
        finally:
            for watch in watches:
                watch()

    async def _ensure_subscribed(self) -> None:
        self.refresh()
        if self._subscribed != self.topics:
            await self._subscribe(self.topics)

    # -- incoming messages -----------------------------------------------------

    @callback
    def _on_state(self, msg: Any) -> None:
        payload = _json_object(msg.payload)
        if payload is None:
            return
        changed_keys = {
            key
            for key, value in payload.items()
            if key in self._state and self._state[key] != value
        } | {
            key
            for key in ("last_successful_pincode_save", "last_successful_pincode_clear")
            if key in payload and key not in self._state
        }
        changed_users = self._merge_users(payload.get("users"))
        _merge(self._state, {k: v for k, v in payload.items() if k != "users"})
        self._state.pop("action", None)
        if "action" in payload:
            self._dispatch(payload)
        waiter = self._waiter
        if waiter is None or waiter.future.done():
            return
        message = _Message(payload, changed_users, changed_keys)
        try:
            answered = waiter.accept(message)
        except (TypeError, ValueError, KeyError):
            answered = False
        if answered:
            waiter.future.set_result(None)

    def _merge_users(self, users: Any) -> set[int]:
        changed: set[int] = set()
        if not isinstance(users, Mapping):
            return changed
        for key, entry in users.items():
            if not str(key).isdigit() or not isinstance(entry, Mapping):
                continue
            uid = int(key)
            old = self._users.get(uid)
            new = _merge(_merge({}, old or {}), entry)
            if new != old:
                changed.add(uid)
                self._cleared.discard(uid)
            self._users[uid] = new
        return changed

    @callback
    def _on_log(self, msg: Any) -> None:
        payload = _json_object(msg.payload)
        waiter = self._waiter
        if payload is None or waiter is None or waiter.future.done():
            return
        level, message = payload.get("level"), payload.get("message")
        if not isinstance(level, str) or not isinstance(message, str):
            return
        answer = waiter.accept_log(level, message)
        if answer is True:
            waiter.future.set_result(None)
        elif isinstance(answer, LockCommandError):
            waiter.future.set_exception(answer)

    @callback
    def _on_info(self, msg: Any) -> None:
        payload = _json_object(msg.payload)
        config = payload.get("config") if payload is not None else None
        if not isinstance(config, Mapping):
            return
        devices = config.get("devices")
        device = devices.get(self.ieee) if isinstance(devices, Mapping) else None
        defaults = config.get("device_options")
        for options in (device, defaults):
            if isinstance(options, Mapping) and "expose_pin" in options:
                self._expose_pin = bool(options["expose_pin"])
                return
        self._expose_pin = False  # Zigbee2MQTT's default

    # -- events ------------------------------------------------------------------

    @callback
    def add_event_listener(self, on_event: LockEventCallback) -> Callable[[], None]:
        """Call ``on_event`` for each unlock / programming event of the lock."""
        self._callbacks.append(on_event)

        @callback
        def remove() -> None:
            if on_event in self._callbacks:
                self._callbacks.remove(on_event)

        return remove

    def _dispatch(self, payload: Mapping[str, Any]) -> None:
        event = parse_action(payload)
        if event is None:
            return
        for on_event in list(self._callbacks):
            try:
                on_event(event)
            except Exception:
                _LOGGER.exception("Error handling an event from %s", self.entity_id)

    # -- one request, one answer ---------------------------------------------------

    def _failure(
        self, kind: str, key: str, command: str, *, set_code: bool = False
    ) -> Callable[[str, str], _LogAnswer]:
        """Recognise Zigbee2MQTT's log line about this command failing."""
        failed = f"Publish '{kind}' '{key}' to '{self.topics.friendly_name}' failed: "
        no_converter = (
            f"No converter available for '{key}' on '{self.topics.friendly_name}'"
        )

        def accept_log(level: str, message: str) -> _LogAnswer:
            if level != "error":
                return None
            if message.startswith(no_converter):
                return Z2mLockError(command, "not supported by the device")
            if not message.startswith(failed):
                return None
            reason = message.removeprefix(failed).lower()
            if (cut := reason.rfind(_ZCL_REASON)) >= 0:
                reason = reason[cut + len(_ZCL_REASON) :]
            if set_code and "duplicate" in reason:
                return Z2mDuplicateCodeError(command, "duplicate code")
            if any(word in reason for word in _UNREACHABLE):
                return LockTimeoutError(
                    f"{command}: no answer from the lock (Zigbee2MQTT)"
                )
            return Z2mLockError(command, "refused")

        return accept_log

    async def _request(
        self,
        command: str,
        *,
        topic_kind: str,
        payload: Mapping[str, Any],
        accept: Callable[[_Message], bool],
        accept_log: Callable[[str, str], _LogAnswer],
        timeout: float,
    ) -> bool:
        """Publish one request and wait for its answer; False: none came in time.

        Raises the error Zigbee2MQTT reported, or LockTimeoutError when MQTT
        is down.
        """
        from homeassistant.components import mqtt  # noqa: PLC0415

        async with self._radio:
            try:
                await self._ensure_subscribed()
            except HomeAssistantError as err:
                raise LockTimeoutError(f"{command}: MQTT is not set up") from err
            if not async_mqtt_running(self._hass):
                raise LockTimeoutError(f"{command}: MQTT is not connected")
            topics = self.topics
            waiter = _Waiter(
                command, asyncio.get_running_loop().create_future(), accept, accept_log
            )
            self._waiter = waiter
            try:
                try:
                    await mqtt.async_publish(
                        self._hass,
                        topics.set_topic if topic_kind == "set" else topics.get_topic,
                        json.dumps(payload),
                    )
                except HomeAssistantError as err:
                    raise LockTimeoutError(f"{command}: not published") from err
                try:
                    async with asyncio.timeout(timeout):
                        await waiter.future
                except TimeoutError:
                    return False
                return True
            finally:
                self._waiter = None

    async def _read_user(self, user_id: int) -> Mapping[str, Any]:
        if user_id < 0:
            raise Z2mLockRequestError("user ids start at 0")

        def accept(message: _Message) -> bool:
            users = message.payload.get("users")
            return (
                "action" not in message.payload
                and isinstance(users, Mapping)
                and str(user_id) in users
                and (user_id in message.changed_users or message.quiet)
            )

        answered = await self._request(
            "get pin_code",
            topic_kind="get",
            payload={"pin_code": {"user": user_id}},
            accept=accept,
            accept_log=self._failure("get", "pin_code", "get pin_code"),
            timeout=self.timeout,
        )
        if not answered:
            self._resubscribe_later()
            raise LockTimeoutError("get pin_code: no answer from the lock")
        return self._users.get(user_id, {})

    def _resubscribe_later(self) -> None:
        """Subscribe again before the next command.

        A read that gets no answer may mean that the MQTT integration was
        reloaded: its new client does not know the old subscriptions.
        """
        self._unsubscribe()

    # -- LockPort --------------------------------------------------------------------

    async def read_capacity(self) -> LockCapacity:
        """Read the Door Lock capacity attributes (Zigbee2MQTT's ``read``).

        One request; when the lock refuses it (an attribute it does not
        have), a second one with the number of PIN users alone.
        """
        try:
            values = await self._read_attributes(CAPACITY_ATTRIBUTES)
        except Z2mLockError:
            values = await self._read_attributes(CAPACITY_ATTRIBUTES[:1])

        def get(name: str, missing: int) -> int:
            value = values.get(name)
            return missing if not isinstance(value, int) else int(value)

        readable = self.codes_readable
        return LockCapacity(
            pin_users=get("numOfPinUsersSupported", 0),
            # Zigbee2MQTT has no generic RFID write, nor schedule commands.
            rfid_users=0,
            week_day_schedules_per_user=0,
            year_day_schedules_per_user=0,
            min_pin_length=get("minPinLen", 1),
            max_pin_length=get("maxPinLen", MAX_CODE),
            min_rfid_length=1,
            max_rfid_length=MAX_CODE,
            codes_readable=readable is not False,
        )

    async def _read_attributes(self, attributes: tuple[str, ...]) -> Mapping[str, Any]:
        """Read Door Lock attributes with the generic ``read`` converter."""
        self._read_result = None

        def accept(message: _Message) -> bool:
            value = message.payload.get(CAPACITY_PROPERTY)
            return (
                isinstance(value, Mapping)
                and set(attributes) <= set(value)
                and (CAPACITY_PROPERTY in message.changed_keys or message.quiet)
            )

        failure = self._failure("set", "read", "read capacity")

        def accept_log(level: str, message: str) -> _LogAnswer:
            prefix = "Read result of 'closuresDoorLock': "
            if level == "info" and message.startswith(prefix):
                result = _json_object(message.removeprefix(prefix))
                if result is not None and set(attributes) <= set(result):
                    self._read_result = result
                    return True
            return failure(level, message)

        answered = await self._request(
            "read capacity",
            topic_kind="set",
            payload={
                "read": {
                    "cluster": "closuresDoorLock",
                    "attributes": list(attributes),
                    "state_property": CAPACITY_PROPERTY,
                }
            },
            accept=accept,
            accept_log=accept_log,
            timeout=self.timeout,
        )
        if not answered:
            self._resubscribe_later()
            raise LockTimeoutError("read capacity: no answer from the lock")
        values = self._read_result or self._state.get(CAPACITY_PROPERTY)
        return values if isinstance(values, Mapping) else {}

    async def read_slot(self, kind: CredentialSlotKind, user_id: int) -> SlotReading:
        """Read one user's PIN slot (``get`` ``pin_code``)."""
        if kind is not CredentialSlotKind.PIN:
            raise Z2mLockRequestError("Zigbee2MQTT cannot read RFID codes")
        entry = await self._read_user(user_id)
        occupied = _occupied(entry)
        pin = entry.get("pin_code")
        code = (
            str(pin)
            if occupied and pin not in (None, "") and self._expose_pin is not False
            else None
        )
        readable = not occupied or code is not None
        if not readable:
            self._hidden_seen = True
        return SlotReading(
            user_id=user_id,
            kind=kind,
            occupied=occupied,
            code=code,
            user_status=_status(entry),
            user_type=None,
            code_readable=readable,
        )

    async def write_slot(
        self, kind: CredentialSlotKind, user_id: int, code: str, *, user_type: int = 0
    ) -> None:
        """Store a PIN for a user, enabled (``set`` ``pin_code``)."""
        _check_code(kind, code)
        if user_id < 0 or user_type not in USER_TYPES:
            raise Z2mLockRequestError("user id or user type out of range")

        def accept(message: _Message) -> bool:
            payload = message.payload
            if payload.get("action") in ("pin_code_added", "pin_code_changed"):
                return action_user(payload) == user_id
            if "last_successful_pincode_save" in message.changed_keys:
                return True
            entry = self._users.get(user_id)
            if user_id not in message.changed_users or not _occupied(entry):
                return False
            assert entry is not None
            pin = entry.get("pin_code")
            return pin in (None, "") or str(pin) == code

        answered = await self._request(
            "set pin_code",
            topic_kind="set",
            payload={
                "pin_code": {
                    "user": user_id,
                    "user_type": USER_TYPES[user_type],
                    "user_enabled": True,
                    "pin_code": code,
                }
            },
            accept=accept,
            accept_log=self._failure("set", "pin_code", "set pin_code", set_code=True),
            timeout=self.write_timeout,
        )
        if answered:
            return
        if self._held_elsewhere(user_id, code):
            # Zigbee2MQTT does not report the lock's "duplicate" answer; the
            # slot stayed empty while another slot holds this very code.
            raise Z2mDuplicateCodeError("set pin_code", "duplicate code")
        raise LockTimeoutError("set pin_code: the lock did not tell about the write")

    def _held_elsewhere(self, user_id: int, code: str) -> bool:
        if self.codes_readable is False:
            return False
        return any(
            uid != user_id
            and uid not in self._cleared
            and _occupied(entry)
            and str(entry.get("pin_code")) == code
            for uid, entry in self._users.items()
        )

    async def clear_slot(self, kind: CredentialSlotKind, user_id: int) -> None:
        """Remove a user's PIN (``set`` ``pin_code`` null)."""
        if kind is not CredentialSlotKind.PIN:
            raise Z2mLockRequestError("Zigbee2MQTT cannot clear RFID codes")
        if user_id < 0:
            raise Z2mLockRequestError("user ids start at 0")

        def accept(message: _Message) -> bool:
            payload = message.payload
            if payload.get("action") == "pin_code_deleted":
                return action_user(payload) == user_id
            if "last_successful_pincode_clear" in message.changed_keys:
                return True
            return user_id in message.changed_users and not _occupied(
                self._users.get(user_id)
            )

        answered = await self._request(
            "clear pin_code",
            topic_kind="set",
            payload={"pin_code": {"user": user_id, "pin_code": None}},
            accept=accept,
            accept_log=self._failure("set", "pin_code", "clear pin_code"),
            timeout=self.write_timeout,
        )
        if not answered:
            raise LockTimeoutError("clear pin_code: the lock did not tell about it")
        self._cleared.add(user_id)

    async def set_year_day_schedule(
        self, user_id: int, schedule: YearDaySchedule
    ) -> None:
        """Not available: Zigbee2MQTT has no year-day schedule command."""
        raise Z2mLockRequestError("Zigbee2MQTT has no year-day schedule command")

    async def clear_year_day_schedule(self, user_id: int, schedule_id: int) -> None:
        """Not available: Zigbee2MQTT has no year-day schedule command."""
        raise Z2mLockRequestError("Zigbee2MQTT has no year-day schedule command")

    async def set_week_day_schedule(
        self, user_id: int, schedule: WeekDaySchedule
    ) -> None:
        """Not available: Zigbee2MQTT has no week-day schedule command."""
        raise Z2mLockRequestError("Zigbee2MQTT has no week-day schedule command")

    async def clear_week_day_schedule(self, user_id: int, schedule_id: int) -> None:
        """Not available: Zigbee2MQTT has no week-day schedule command."""
        raise Z2mLockRequestError("Zigbee2MQTT has no week-day schedule command")

    async def set_user_type(self, user_id: int, user_type: int) -> None:
        """Only "unrestricted", which every PIN written here already is.

        Zigbee2MQTT sets the user type with the PIN (``user_type``) and has
        no command of its own for it; without schedules nothing else is used.
        """
        if user_type != 0:
            raise Z2mLockRequestError("Zigbee2MQTT sets user types only with a PIN")

    async def set_lockout(self, wrong_code_limit: int, disable_seconds: int) -> None:
        """Write the wrong-code limit and lock-out time (Zigbee2MQTT's ``write``).

        Zigbee2MQTT confirms an attribute write only in its log (info level);
        with a quieter log level nothing comes back, and the write is taken
        as sent once ``write_timeout`` passed without an error.
        """
        limit = min(max(wrong_code_limit, 1), 255)
        seconds = min(max(disable_seconds, 1), 255)
        values = {
            "wrongCodeEntryLimit": limit,
            "userCodeTemporaryDisableTime": seconds,
        }
        wrote = (
            f"Wrote '{json.dumps(values, separators=(',', ':'))}' to 'closuresDoorLock'"
        )
        failure = self._failure("set", "write", "write lockout")

        def accept_log(level: str, message: str) -> _LogAnswer:
            if level == "info" and message == wrote:
                return True
            return failure(level, message)

        await self._request(
            "write lockout",
            topic_kind="set",
            payload={"write": {"cluster": "closuresDoorLock", "payload": values}},
            accept=lambda _message: False,
            accept_log=accept_log,
            timeout=self.write_timeout,
        )
