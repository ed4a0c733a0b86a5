"""Zigbee2MQTT's lock ``action`` messages as lock events.

zigbee-herdsman-converters (26.99.0, ``src/converters/fromZigbee.ts``):

- ``lock_operation_event`` (Door Lock operation event notification):
  ``action`` = the ZCL operation name (``unlock``, ``lock``,
  ``unlock_failure_invalid_pin_or_id``, ...), ``action_user`` = the ZCL user
  id, ``action_source`` = 0 keypad / 1 rf / 2 manual / 3 rfid / 4
  fingerprint and ``action_source_name`` its name (``constants.lockSourceName``);
- ``lock_programming_event``: ``action`` = ``pin_code_added``,
  ``pin_code_deleted``, ``pin_code_changed``, ``rfid_code_added``,
  ``rfid_code_deleted`` or ``master_code_changed``, same user and source;
- some vendor converters (Yale, EasyAccess) name the source in the action
  itself: ``keypad_unlock``, ``password_unlock``, ``rfid_unlock``,
  ``fingerprint_unlock``, ``zigbee_unlock``, with ``action_user`` or
  ``action_source_user``.

Names are turned into the ZHA adapter's names (:mod:`..zha_lock`), so one
recorder handles both. The state message that carries an ``action`` may
carry the lock's ``users`` map (PINs included with ``expose_pin``): nothing
but the fields above is read from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from custom_components.community_access.core.lock_sync.events import (
    LockEvent,
    LockOperationEvent,
    LockProgrammingEvent,
)

#: ZCL user id of a notification that belongs to no user.
NO_USER: Final = 0xFFFF

#: Zigbee2MQTT's ``constants.lockSourceName``.
SOURCES: Final = {0: "keypad", 1: "rf", 2: "manual", 3: "rfid", 4: "fingerprint"}
SOURCE_CODES: Final = {name: code for code, name in SOURCES.items()} | {
    "indeterminate": 0xFF
}

#: ``lock_operation_event`` names → (ZHA's name, ZCL operation event code).
OPERATIONS: Final = {
    "unknown": ("unknown", 0x00),
    "lock": ("lock", 0x01),
    "unlock": ("unlock", 0x02),
    "lock_failure_invalid_pin_or_id": ("lock_failure_invalid_code", 0x03),
    "lock_failure_invalid_schedule": ("lock_failure_invalid_schedule", 0x04),
    "unlock_failure_invalid_pin_or_id": ("unlock_failure_invalid_code", 0x05),
    "unlock_failure_invalid_schedule": ("unlock_failure_invalid_schedule", 0x06),
    "one_touch_lock": ("one_touch_lock", 0x07),
    "key_lock": ("key_lock", 0x08),
    "key_unlock": ("key_unlock", 0x09),
    "auto_lock": ("auto_lock", 0x0A),
    "schedule_lock": ("schedule_lock", 0x0B),
    "schedule_unlock": ("schedule_unlock", 0x0C),
    "manual_lock": ("manual_lock", 0x0D),
    "manual_unlock": ("manual_unlock", 0x0E),
    "non_access_user_operational_event": ("non_access_user_event", 0x0F),
}
#: Vendor actions that name their source: action → source name.
SOURCED_UNLOCKS: Final = {
    "keypad_unlock": "keypad",
    "password_unlock": "keypad",
    "rfid_unlock": "rfid",
    "fingerprint_unlock": "fingerprint",
    "zigbee_unlock": "rf",
}
#: ``lock_programming_event`` names → (ZHA's name, ZCL programming event code).
PROGRAMMING: Final = {
    "master_code_changed": ("master_code_changed", 0x01),
    "pin_code_added": ("pin_added", 0x02),
    "pin_code_deleted": ("pin_deleted", 0x03),
    "pin_code_changed": ("pin_changed", 0x04),
    "rfid_code_added": ("rfid_added", 0x05),
    "rfid_code_deleted": ("rfid_deleted", 0x06),
}


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return int(value)
    except ValueError:
        return None


def action_user(payload: Mapping[str, Any]) -> int | None:
    """Return the ZCL user id an action names (None: no user)."""
    user = _int(payload.get("action_user"))
    if user is None:
        user = _int(payload.get("action_source_user"))
    return None if user is None or user == NO_USER or user < 0 else user


def _source(payload: Mapping[str, Any], default: str) -> tuple[str, int]:
    name = payload.get("action_source_name")
    code = _int(payload.get("action_source"))
    if not isinstance(name, str) or not name:
        name = SOURCES.get(code, default) if code is not None else default
    return name, code if code is not None else SOURCE_CODES.get(name, 0xFF)


def parse_action(payload: Mapping[str, Any]) -> LockEvent | None:
    """Turn a state message with an ``action`` into a lock event (None: not one)."""
    action = payload.get("action")
    if not isinstance(action, str) or not action:
        return None
    if action in PROGRAMMING:
        event, code = PROGRAMMING[action]
        source, source_code = _source(payload, "indeterminate")
        return LockProgrammingEvent(
            source=source,
            source_code=source_code,
            event=event,
            event_code=code,
            user_id=action_user(payload),
            user_type=0,
            user_status=0,
            pin=None,
            local_time=None,
        )
    if action in SOURCED_UNLOCKS:
        operation, code = OPERATIONS["unlock"]
        source = SOURCED_UNLOCKS[action]
        source_code = SOURCE_CODES[source]
    elif action in OPERATIONS:
        operation, code = OPERATIONS[action]
        source, source_code = _source(payload, "indeterminate")
    else:
        return None
    return LockOperationEvent(
        source=source,
        source_code=source_code,
        operation=operation,
        operation_code=code,
        user_id=action_user(payload),
        pin=None,
        local_time=None,
    )
