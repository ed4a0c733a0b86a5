"""Zigbee locks through ZHA: the Door Lock cluster (0x0101) of a ZHA lock entity.

This is the only module of the integration that touches ZHA internals: the
gateway proxy that maps an entity id to its zigpy device, and the zigpy
Door Lock cluster of that device. Everything above it codes against
:class:`~.core.lock_sync.LockPort`.

Every :class:`ZhaDoorLock` method is exactly one ZCL command (one radio
round trip), sent straight to the zigpy cluster without ZHA's retries; the
reconciler decides when to read back and retry. A command that gets no
answer within the timeout raises :class:`~.core.lock_sync.LockTimeoutError`;
an answer with a failure status raises :class:`ZhaLockStatusError` (a
:class:`~.core.lock_sync.LockCommandError`); "duplicate code" (status 3) of
a set code command raises :class:`ZhaDuplicateCodeError`, also a
:class:`~.core.lock_sync.DuplicateCodeError`, so that the reconciler does
not retry it.

User ids are ZCL user ids exactly as sent on the air (0-based); ZHA's own
``set_lock_user_code`` service counts slots from 1 (slot = user id + 1).

Times: the lock keeps ZCL "local time", seconds since 2000-01-01 00:00 on
its own wall clock, which ZHA sets from Home Assistant's time zone. Aware
datetimes are converted through Home Assistant's configured time zone.

No code, PIN or card number is logged, kept in an event, or shown in a
``repr``: events carry a masked PIN only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
import logging
from typing import Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .core.lock_sync import (
    CredentialSlotKind,
    DuplicateCodeError,
    LockCapacity,
    LockCommandError,
    LockTimeoutError,
    SlotReading,
    WeekDaySchedule,
    YearDaySchedule,
)
from .core.lock_sync.events import (
    MASKED_PIN,
    LockEvent,
    LockEventCallback,
    LockOperationEvent,
    LockProgrammingEvent,
)

__all__ = [
    "MASKED_PIN",
    "LockEvent",
    "LockOperationEvent",
    "LockProgrammingEvent",
    "ZhaDoorLock",
]

_LOGGER = logging.getLogger(__name__)

ZHA_DOMAIN: Final = "zha"
DOOR_LOCK_CLUSTER_ID: Final = 0x0101
#: Seconds to wait for the lock's answer to one command. A sleepy lock polls
#: its parent every few seconds; zigpy itself gives end devices 30 s.
DEFAULT_COMMAND_TIMEOUT: Final = 30.0

# Door Lock attribute ids (ZCL 7.3.2.2)
ATTR_NUM_PIN_USERS: Final = 0x0012
ATTR_NUM_RFID_USERS: Final = 0x0013
ATTR_WEEK_DAY_SCHEDULES_PER_USER: Final = 0x0014
ATTR_YEAR_DAY_SCHEDULES_PER_USER: Final = 0x0015
ATTR_MAX_PIN_LEN: Final = 0x0017
ATTR_MIN_PIN_LEN: Final = 0x0018
ATTR_MAX_RFID_LEN: Final = 0x0019
ATTR_MIN_RFID_LEN: Final = 0x001A
ATTR_WRONG_CODE_ENTRY_LIMIT: Final = 0x0030
ATTR_USER_CODE_TEMPORARY_DISABLE_TIME: Final = 0x0031

CAPACITY_ATTRIBUTES: Final = (
    ATTR_NUM_PIN_USERS,
    ATTR_NUM_RFID_USERS,
    ATTR_WEEK_DAY_SCHEDULES_PER_USER,
    ATTR_YEAR_DAY_SCHEDULES_PER_USER,
    ATTR_MAX_PIN_LEN,
    ATTR_MIN_PIN_LEN,
    ATTR_MAX_RFID_LEN,
    ATTR_MIN_RFID_LEN,
)
#: Longest code a ZCL character string can carry; used when a lock does not
#: report its maximum length.
MAX_ZCL_STRING: Final = 254

# Door Lock commands (client → lock)
CMD_SET_PIN_CODE: Final = 0x05
CMD_GET_PIN_CODE: Final = 0x06
CMD_CLEAR_PIN_CODE: Final = 0x07
CMD_SET_WEEK_DAY_SCHEDULE: Final = 0x0B
CMD_CLEAR_WEEK_DAY_SCHEDULE: Final = 0x0D
CMD_SET_YEAR_DAY_SCHEDULE: Final = 0x0E
CMD_CLEAR_YEAR_DAY_SCHEDULE: Final = 0x10
CMD_SET_USER_TYPE: Final = 0x14
CMD_SET_RFID_CODE: Final = 0x16
CMD_GET_RFID_CODE: Final = 0x17
CMD_CLEAR_RFID_CODE: Final = 0x18
# Notifications (lock → client)
CMD_OPERATION_EVENT: Final = 0x20
CMD_PROGRAMMING_EVENT: Final = 0x21

USER_STATUS_AVAILABLE: Final = 0x00
USER_STATUS_ENABLED: Final = 0x01
STATUS_SUCCESS: Final = 0x00
STATUS_UNSUPPORTED_ATTRIBUTE: Final = 0x86
#: ZCL "user id" of a notification that belongs to no user.
NO_USER: Final = 0xFFFF
#: ZCL local time epoch (2000-01-01 00:00 on the lock's wall clock).
ZCL_EPOCH: Final = datetime(2000, 1, 1)  # noqa: DTZ001 - a wall-clock epoch
ZCL_TIME_INVALID: Final = 0xFFFFFFFF

#: Set PIN / RFID code status: another user of the lock has this code.
STATUS_DUPLICATE_CODE: Final = 0x03
#: Statuses of set PIN / RFID code responses (ZCL 7.3.2.17.6).
SET_CODE_STATUS: Final = {
    0x01: "general_failure",
    0x02: "memory_full",
    0x03: "duplicate_code",
}
#: Foundation statuses a lock answers with (ZCL 2.6.3).
ZCL_STATUS: Final = {
    0x01: "failure",
    0x7E: "not_authorized",
    0x80: "malformed_command",
    0x81: "unsupported_cluster_command",
    0x85: "invalid_field",
    0x86: "unsupported_attribute",
    0x87: "invalid_value",
    0x88: "read_only",
    0x89: "insufficient_space",
    0x8B: "not_found",
    0x94: "timeout",
}

EVENT_SOURCES: Final = {
    0x00: "keypad",
    0x01: "rf",
    0x02: "manual",
    0x03: "rfid",
    0xFF: "indeterminate",
}
OPERATION_EVENTS: Final = {
    0x00: "unknown",
    0x01: "lock",
    0x02: "unlock",
    0x03: "lock_failure_invalid_code",
    0x04: "lock_failure_invalid_schedule",
    0x05: "unlock_failure_invalid_code",
    0x06: "unlock_failure_invalid_schedule",
    0x07: "one_touch_lock",
    0x08: "key_lock",
    0x09: "key_unlock",
    0x0A: "auto_lock",
    0x0B: "schedule_lock",
    0x0C: "schedule_unlock",
    0x0D: "manual_lock",
    0x0E: "manual_unlock",
    0x0F: "non_access_user_event",
}
PROGRAMMING_EVENTS: Final = {
    0x00: "unknown",
    0x01: "master_code_changed",
    0x02: "pin_added",
    0x03: "pin_deleted",
    0x04: "pin_changed",
    0x05: "rfid_added",
    0x06: "rfid_deleted",
}


class ZhaLockStatusError(LockCommandError):
    """The lock answered a command with a failure status."""

    def __init__(self, command: str, status: int, reason: str) -> None:
        """Keep the command name and the status the lock answered with."""
        super().__init__(f"{command}: lock answered {reason} (0x{status:02x})")
        self.command = command
        self.status = status
        self.reason = reason


class ZhaDuplicateCodeError(ZhaLockStatusError, DuplicateCodeError):
    """The lock answered a set code command with "duplicate code" (status 3)."""


class ZhaLockRequestError(LockCommandError, ValueError):
    """The request cannot be put to the lock (bad code, time or mask); not sent.

    A :class:`~.core.lock_sync.LockCommandError`, so a reconciler handles it
    like a refusal, and a ``ValueError``, since retrying does not help.
    """


def _status_name(status: Any, *, set_code: bool = False) -> str:
    status = int(status)
    if set_code and status in SET_CODE_STATUS:
        return SET_CODE_STATUS[status]
    return ZCL_STATUS.get(status, "status")


def to_zcl_local_time(moment: datetime) -> int:
    """Convert an aware datetime to seconds since 2000-01-01 on the local wall clock."""
    if moment.tzinfo is None:
        raise ZhaLockRequestError("an aware datetime is needed")
    local = moment.astimezone(dt_util.get_default_time_zone()).replace(tzinfo=None)
    seconds = int((local - ZCL_EPOCH).total_seconds())
    if not 0 <= seconds < ZCL_TIME_INVALID:
        raise ZhaLockRequestError("time outside the range of a ZCL local time")
    return seconds


def from_zcl_local_time(seconds: int) -> datetime | None:
    """Convert ZCL local time to an aware datetime in Home Assistant's time zone."""
    if seconds in (0, ZCL_TIME_INVALID):
        return None
    wall = ZCL_EPOCH + timedelta(seconds=seconds)
    return wall.replace(tzinfo=dt_util.get_default_time_zone())


def _user(user_id: int) -> int | None:
    return None if user_id == NO_USER else int(user_id)


def _masked(pin: Any) -> str | None:
    return MASKED_PIN if pin else None


def parse_lock_event(command_id: int, args: Any) -> LockEvent | None:
    """Turn a decoded Door Lock notification into an event (None for other commands)."""
    if command_id == CMD_OPERATION_EVENT:
        source = int(args.operation_event_source)
        code = int(args.operation_event_code)
        return LockOperationEvent(
            source=EVENT_SOURCES.get(source, "unknown"),
            source_code=source,
            operation=OPERATION_EVENTS.get(code, "unknown"),
            operation_code=code,
            user_id=_user(args.user_id),
            pin=_masked(args.pin),
            local_time=from_zcl_local_time(int(args.local_time)),
        )
    if command_id == CMD_PROGRAMMING_EVENT:
        source = int(args.program_event_source)
        code = int(args.program_event_code)
        return LockProgrammingEvent(
            source=EVENT_SOURCES.get(source, "unknown"),
            source_code=source,
            event=PROGRAMMING_EVENTS.get(code, "unknown"),
            event_code=code,
            user_id=_user(args.user_id),
            user_type=int(args.user_type),
            user_status=int(args.user_status),
            pin=_masked(args.pin),
            local_time=from_zcl_local_time(int(args.local_time)),
        )
    return None


class _ClusterListener:
    """Receives zigpy's ``cluster_command`` calls for one Door Lock cluster."""

    def __init__(self, owner: ZhaDoorLock) -> None:
        self._owner = owner

    def cluster_command(self, tsn: int, command_id: int, args: Any) -> None:
        """zigpy: a cluster command arrived from the lock."""
        self._owner.dispatch(command_id, args)


def _check_code(kind: CredentialSlotKind, code: str) -> None:
    if not code or not code.isascii() or not code.isprintable():
        raise ZhaLockRequestError(f"a {kind} code must be printable ASCII")
    if kind is CredentialSlotKind.PIN and not code.isdigit():
        raise ZhaLockRequestError("a PIN must be digits")
    if len(code) > MAX_ZCL_STRING:
        raise ZhaLockRequestError("code too long for a ZCL string")


class ZhaDoorLock:
    """One ZHA lock's credential memory (implements ``LockPort``).

    The zigpy cluster is looked up again through ZHA's gateway for every
    command (a dictionary lookup), so the adapter follows ZHA through a
    reload; while ZHA is not loaded or the device is gone, commands raise
    :class:`~.core.lock_sync.LockTimeoutError` like an unreachable lock.
    Event listeners move to the new cluster at the next command, at
    :attr:`available` or at :meth:`refresh`.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        cluster: Any,
        *,
        entity_id: str,
        timeout: float = DEFAULT_COMMAND_TIMEOUT,
    ) -> None:
        """Wrap the zigpy Door Lock ``cluster`` of a ZHA lock entity."""
        self._hass = hass
        self._cluster = cluster
        self._device_ieee = cluster.endpoint.device.ieee
        self._endpoint_id: int = cluster.endpoint.endpoint_id
        self.entity_id = entity_id
        self.ieee = str(self._device_ieee)
        self.timeout = timeout
        self._radio = asyncio.Lock()
        self._callbacks: list[LockEventCallback] = []
        self._listener: _ClusterListener | None = None

    def __repr__(self) -> str:
        """Name the lock, nothing else."""
        return f"<ZhaDoorLock {self.entity_id} {self.ieee}>"

    #: Which integration the lock is paired with (diagnostics).
    backend: Final = "zha"
    #: ZHA reads codes back (get_pin_code answers with the code).
    codes_readable: Final = True

    @property
    def lock_id(self) -> str:
        """The lock's key in the slot table: ``zha:<ieee>``."""
        return f"zha:{self.ieee}"

    async def async_start(self) -> None:
        """Nothing to set up: ZHA's cluster is looked up per command."""

    async def async_stop(self) -> None:
        """Remove the event listener from the cluster."""
        if self._listener is not None:
            self._cluster.remove_listener(self._listener)
            self._listener = None
        self._callbacks.clear()

    def _zha_device(self) -> Any | None:
        """Return ZHA's device for the lock, None if ZHA or the device is gone."""
        proxy = _gateway_proxy(self._hass)
        return None if proxy is None else proxy.gateway.get_device(self._device_ieee)

    def _live_cluster(self) -> Any | None:
        """Look up the Door Lock cluster in the running ZHA; listeners follow it."""
        zha_device = self._zha_device()
        if zha_device is None:
            return None
        endpoint = zha_device.device.endpoints.get(self._endpoint_id)
        cluster = (
            None if endpoint is None else endpoint.in_clusters.get(DOOR_LOCK_CLUSTER_ID)
        )
        if cluster is not None and cluster is not self._cluster:
            if self._listener is not None:
                self._cluster.remove_listener(self._listener)
                cluster.add_listener(self._listener)
            self._cluster = cluster
        return cluster

    @callback
    def refresh(self) -> bool:
        """Follow ZHA to the lock's current cluster; whether it is reachable."""
        return self._live_cluster() is not None

    @property
    def available(self) -> bool:
        """Whether ZHA is running and considers the lock's device available."""
        zha_device = self._zha_device()
        return bool(zha_device is not None and self.refresh() and zha_device.available)

    # -- one command, one answer ---------------------------------------------

    async def _call(
        self, command: str, send: Callable[[Any], Coroutine[Any, Any, Any]]
    ) -> Any:
        """Send one command under the per-lock radio lock, within the timeout."""
        import zigpy.exceptions  # noqa: PLC0415

        async with self._radio:
            cluster = self._live_cluster()
            if cluster is None:
                raise LockTimeoutError(f"{command}: ZHA or the lock's device is gone")
            try:
                async with asyncio.timeout(self.timeout):
                    return await send(cluster)
            except TimeoutError as err:
                raise LockTimeoutError(f"{command}: no answer from the lock") from err
            except zigpy.exceptions.DeliveryError as err:
                raise LockTimeoutError(f"{command}: not delivered") from err
            except zigpy.exceptions.ZigbeeException as err:
                raise LockCommandError(f"{command}: {type(err).__name__}") from err

    @staticmethod
    def _check_status(command: str, response: Any, *, set_code: bool = False) -> None:
        """Raise unless ``response`` (a status or default response) is success."""
        status = getattr(response, "status", None)
        if status is None:
            raise LockCommandError(f"{command}: unexpected answer from the lock")
        if int(status) == STATUS_SUCCESS:
            return
        if set_code and int(status) == STATUS_DUPLICATE_CODE:
            raise ZhaDuplicateCodeError(
                command, int(status), SET_CODE_STATUS[STATUS_DUPLICATE_CODE]
            )
        raise ZhaLockStatusError(
            command, int(status), _status_name(int(status), set_code=set_code)
        )

    async def _command(self, name: str, *args: Any, set_code: bool = False) -> None:
        """Send a Door Lock command whose answer is a status."""
        response = await self._call(name, lambda c: getattr(c, name)(*args))
        self._check_status(name, response, set_code=set_code)

    # -- LockPort --------------------------------------------------------------

    async def read_capacity(self) -> LockCapacity:
        """Read the capacity attributes in one Read Attributes command."""
        result = await self._call(
            "read_attributes",
            lambda c: c.read_attributes(list(CAPACITY_ATTRIBUTES), allow_cache=False),
        )
        values: dict[int, Any] = result[0]
        failures: dict[int, Any] = result[1]
        for attr, status in failures.items():
            if int(status) != STATUS_UNSUPPORTED_ATTRIBUTE:
                raise ZhaLockStatusError(
                    f"read_attributes 0x{attr:04x}", int(status), _status_name(status)
                )

        def get(attr: int, missing: int) -> int:
            value = values.get(attr)
            return missing if value is None else int(value)

        return LockCapacity(
            pin_users=get(ATTR_NUM_PIN_USERS, 0),
            rfid_users=get(ATTR_NUM_RFID_USERS, 0),
            week_day_schedules_per_user=get(ATTR_WEEK_DAY_SCHEDULES_PER_USER, 0),
            year_day_schedules_per_user=get(ATTR_YEAR_DAY_SCHEDULES_PER_USER, 0),
            min_pin_length=get(ATTR_MIN_PIN_LEN, 1),
            max_pin_length=get(ATTR_MAX_PIN_LEN, MAX_ZCL_STRING),
            min_rfid_length=get(ATTR_MIN_RFID_LEN, 1),
            max_rfid_length=get(ATTR_MAX_RFID_LEN, MAX_ZCL_STRING),
        )

    async def read_slot(self, kind: CredentialSlotKind, user_id: int) -> SlotReading:
        """Read one user's PIN (get_pin_code) or card (get_rfid_code)."""
        name = "get_pin_code" if kind is CredentialSlotKind.PIN else "get_rfid_code"
        response = await self._call(name, lambda c: getattr(c, name)(user_id))
        if not hasattr(response, "user_status"):
            # A default response: the lock refused (for example, no such user).
            self._check_status(name, response)
            raise LockCommandError(f"{name}: unexpected answer from the lock")
        if int(response.user_id) != user_id:
            raise LockCommandError(f"{name}: answer for another user")
        code = response.code if kind is CredentialSlotKind.PIN else response.rfid_code
        text = str(code) if code else None
        user_status = int(response.user_status)
        return SlotReading(
            user_id=user_id,
            kind=kind,
            occupied=user_status != USER_STATUS_AVAILABLE and text is not None,
            code=text,
            user_status=user_status,
            user_type=int(response.user_type),
        )

    async def write_slot(
        self, kind: CredentialSlotKind, user_id: int, code: str, *, user_type: int = 0
    ) -> None:
        """Store a code for a user, enabled (set_pin_code / set_rfid_code)."""
        _check_code(kind, code)
        name = "set_pin_code" if kind is CredentialSlotKind.PIN else "set_rfid_code"
        await self._command(
            name, user_id, USER_STATUS_ENABLED, user_type, code, set_code=True
        )

    async def clear_slot(self, kind: CredentialSlotKind, user_id: int) -> None:
        """Remove a user's code (clear_pin_code / clear_rfid_code)."""
        name = "clear_pin_code" if kind is CredentialSlotKind.PIN else "clear_rfid_code"
        await self._command(name, user_id)

    async def set_year_day_schedule(
        self, user_id: int, schedule: YearDaySchedule
    ) -> None:
        """Set a year-day schedule (0x0E) in the lock's local time."""
        start = to_zcl_local_time(schedule.start)
        end = to_zcl_local_time(schedule.end)
        if end <= start:
            raise ZhaLockRequestError("a schedule must end after it starts")
        await self._command(
            "set_year_day_schedule", schedule.schedule_id, user_id, start, end
        )

    async def clear_year_day_schedule(self, user_id: int, schedule_id: int) -> None:
        """Clear a year-day schedule (0x10)."""
        await self._command("clear_year_day_schedule", schedule_id, user_id)

    async def set_week_day_schedule(
        self, user_id: int, schedule: WeekDaySchedule
    ) -> None:
        """Set a week-day schedule (0x0B)."""
        if not 0 < schedule.days_mask < 0x80:
            raise ZhaLockRequestError("days_mask must name at least one day (bits 0-6)")
        await self._command(
            "set_week_day_schedule",
            schedule.schedule_id,
            user_id,
            schedule.days_mask,
            schedule.start_hour,
            schedule.start_minute,
            schedule.end_hour,
            schedule.end_minute,
        )

    async def clear_week_day_schedule(self, user_id: int, schedule_id: int) -> None:
        """Clear a week-day schedule (0x0D)."""
        await self._command("clear_week_day_schedule", schedule_id, user_id)

    async def set_user_type(self, user_id: int, user_type: int) -> None:
        """Set a user's type (0x14)."""
        await self._command("set_user_type", user_id, user_type)

    async def set_lockout(self, wrong_code_limit: int, disable_seconds: int) -> None:
        """Write the wrong-code limit and lock-out time in one Write Attributes.

        Both attributes are 8-bit (ZCL range 1-255); values are clamped to it.
        """
        limit = min(max(wrong_code_limit, 1), 255)
        seconds = min(max(disable_seconds, 1), 255)
        records = await self._call(
            "write_attributes",
            lambda c: c.write_attributes(
                {
                    ATTR_WRONG_CODE_ENTRY_LIMIT: limit,
                    ATTR_USER_CODE_TEMPORARY_DISABLE_TIME: seconds,
                }
            ),
        )
        for record in records[0]:
            status = int(record.status)
            if status != STATUS_SUCCESS:
                raise ZhaLockStatusError(
                    f"write_attributes 0x{int(record.attrid):04x}",
                    status,
                    _status_name(status),
                )

    # -- events ----------------------------------------------------------------

    @callback
    def add_event_listener(self, on_event: LockEventCallback) -> Callable[[], None]:
        """Call ``on_event`` for each operation / programming event from the lock.

        Listens on the zigpy cluster itself (not only ``zha_event``, which
        carries operation events only). Returns a function that removes it.
        """
        self._callbacks.append(on_event)
        if self._listener is None:
            self._listener = _ClusterListener(self)
            self._cluster.add_listener(self._listener)

        @callback
        def remove() -> None:
            if on_event in self._callbacks:
                self._callbacks.remove(on_event)
            if not self._callbacks and self._listener is not None:
                self._cluster.remove_listener(self._listener)
                self._listener = None

        return remove

    def dispatch(self, command_id: int, args: Any) -> None:
        """Turn a notification into an event for every listener."""
        try:
            event = parse_lock_event(command_id, args)
        except (AttributeError, TypeError, ValueError):
            _LOGGER.warning(
                "Unreadable Door Lock notification 0x%02x from %s",
                command_id,
                self.entity_id,
            )
            return
        if event is None:
            return
        for on_event in list(self._callbacks):
            try:
                on_event(event)
            except Exception:
                _LOGGER.exception("Error handling an event from %s", self.entity_id)


@callback
def async_find_door_lock(
    hass: HomeAssistant, entity_id: str, *, timeout: float = DEFAULT_COMMAND_TIMEOUT
) -> ZhaDoorLock | None:
    """Return the Door Lock behind a ZHA lock entity, or None.

    None when ZHA is not loaded, the entity is not a lock of ZHA, or its
    device has no Door Lock server cluster.
    """
    if not entity_id.startswith("lock.") or (proxy := _gateway_proxy(hass)) is None:
        return None
    reference = proxy.get_entity_reference(entity_id)
    if reference is None:
        return None
    device = reference.entity_data.device_proxy.device.device
    return _door_lock_of(hass, device, entity_id, timeout)


@callback
def async_find_door_lock_by_ieee(
    hass: HomeAssistant, ieee: str, *, timeout: float = DEFAULT_COMMAND_TIMEOUT
) -> ZhaDoorLock | None:
    """Return the Door Lock of the ZHA device with this IEEE address, or None.

    For a lock that no door names any more (its codes are to be cleared).
    """
    if (proxy := _gateway_proxy(hass)) is None:
        return None
    from zigpy.types import EUI64  # noqa: PLC0415

    try:
        zha_device = proxy.gateway.get_device(EUI64.convert(ieee))
    except (KeyError, ValueError):
        return None
    if zha_device is None:
        return None
    return _door_lock_of(hass, zha_device.device, f"zha:{ieee}", timeout)


def _door_lock_of(
    hass: HomeAssistant, device: Any, label: str, timeout: float
) -> ZhaDoorLock | None:
    """Return the adapter of a zigpy device's Door Lock server cluster, if any."""
    for endpoint_id, endpoint in sorted(device.endpoints.items()):
        if endpoint_id == 0:  # ZDO
            continue
        cluster = endpoint.in_clusters.get(DOOR_LOCK_CLUSTER_ID)
        if cluster is not None:
            return ZhaDoorLock(hass, cluster, entity_id=label, timeout=timeout)
    return None


@callback
def async_zha_running(hass: HomeAssistant) -> bool:
    """Whether ZHA is loaded with its gateway up (its devices can be looked up)."""
    return _gateway_proxy(hass) is not None


def _gateway_proxy(hass: HomeAssistant) -> Any | None:
    """Return ZHA's gateway proxy, None while ZHA is not loaded."""
    if ZHA_DOMAIN not in hass.config.components:
        return None
    # ZHA is loaded, so its modules are already imported.
    from homeassistant.components.zha.helpers import get_zha_gateway_proxy  # noqa: PLC0415

    try:
        return get_zha_gateway_proxy(hass)
    except ValueError:  # ZHA set up but its entry is not loaded
        return None
