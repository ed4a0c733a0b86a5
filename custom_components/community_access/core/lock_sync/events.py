"""What a lock reports by itself: operations and programming at the lock.

Every lock adapter (ZHA, Zigbee2MQTT) turns its lock's notifications into
these events, with the Door Lock cluster's names (ZCL operation event codes
and programming event codes, as ZHA names them), so that one recorder turns
them into access records whatever the adapter. No PIN ever travels in an
event: ``pin`` is :data:`MASKED_PIN` when the lock sent one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

#: What an event carries instead of the PIN the lock sent with it.
MASKED_PIN: Final = "****"


@dataclass(frozen=True, slots=True)
class LockOperationEvent:
    """An operation at the lock (operation event notification 0x20)."""

    source: str  # keypad / rf / manual / rfid / indeterminate / unknown
    source_code: int
    operation: str  # ZCL operation event name, e.g. "unlock"
    operation_code: int
    user_id: int | None  # ZCL user id (0-based); None when no user
    pin: str | None  # MASKED_PIN when the lock sent one, else None
    local_time: datetime | None


@dataclass(frozen=True, slots=True)
class LockProgrammingEvent:
    """A change of the lock's memory (programming event notification 0x21)."""

    source: str
    source_code: int
    event: str  # ZCL programming event name, e.g. "pin_added"
    event_code: int
    user_id: int | None
    user_type: int
    user_status: int
    pin: str | None  # MASKED_PIN when the lock sent one, else None
    local_time: datetime | None


type LockEvent = LockOperationEvent | LockProgrammingEvent
type LockEventCallback = Callable[[LockEvent], None]
