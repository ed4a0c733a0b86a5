"""The lock side of lock sync: what a lock adapter implements.

A lock adapter (the ZHA one, the Zigbee2MQTT one) implements :class:`LockPort`, one
method per Door Lock cluster command. Slot numbering: ``user_id`` is the ZCL
user id exactly as sent on the air (0-based); ZHA's own services number slots
from 1 (slot = user_id + 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

#: ZCL user types (command 0x14).
USER_TYPE_UNRESTRICTED = 0
USER_TYPE_YEAR_DAY = 1
USER_TYPE_WEEK_DAY = 2

#: ZCL attributes 0x30 (wrong code entry limit) and 0x31 (user code temporary
#: disable time, in seconds) are one byte each.
MAX_LOCKOUT_SECONDS = 255
MAX_WRONG_CODE_LIMIT = 255


class CredentialSlotKind(StrEnum):
    """Which kind of code a lock user slot holds."""

    PIN = "pin"
    RFID = "rfid"


@dataclass(frozen=True, slots=True)
class LockCapacity:
    """What a lock can store (Door Lock cluster attributes)."""

    pin_users: int  # ZCL attr 0x12 (0 = no keypad)
    rfid_users: int  # 0x13 (0 = no card reader)
    week_day_schedules_per_user: int  # 0x14
    year_day_schedules_per_user: int  # 0x15
    min_pin_length: int  # 0x18
    max_pin_length: int  # 0x17
    min_rfid_length: int  # 0x1A
    max_rfid_length: int  # 0x19
    #: False when the lock's codes cannot be read back (write-only codes, for
    #: example Zigbee2MQTT without ``expose_pin``); also learned from readings.
    codes_readable: bool = True


@dataclass(frozen=True, slots=True)
class SlotReading:
    """What the lock reports for one user slot."""

    user_id: int
    kind: CredentialSlotKind
    occupied: bool  # user_status != available (0) and a code is present
    code: str | None = field(
        default=None, repr=False
    )  # PIN digits / card number as written
    user_status: int | None = None
    user_type: int | None = None
    #: False when the slot is occupied but the lock (or the bridge in front of
    #: it) does not tell its code: codes are write-only there (Zigbee2MQTT
    #: without ``expose_pin``). The syncer then trusts its own slot table.
    code_readable: bool = True


@dataclass(frozen=True, slots=True)
class YearDaySchedule:
    """A validity window for one user (ZCL year-day schedule)."""

    schedule_id: int
    start: datetime  # aware; the adapter converts to the lock's local epoch
    end: datetime


@dataclass(frozen=True, slots=True)
class WeekDaySchedule:
    """A weekly time window for one user (ZCL week-day schedule)."""

    schedule_id: int
    days_mask: int  # bit 0 Sunday ... bit 6 Saturday (ZCL)
    start_hour: int
    start_minute: int
    end_hour: int
    end_minute: int


class LockCommandError(Exception):
    """The lock answered with a failure status (not a timeout)."""


class LockTimeoutError(LockCommandError):
    """The lock did not answer in time (radio delay, offline)."""


class DuplicateCodeError(LockCommandError):
    """The lock refuses a code because another of its users already has it.

    ZCL set PIN / RFID code status 3. Retrying does not help: the code (or
    the other user's) has to change first.
    """


class LockPort(Protocol):
    """One lock's credential memory. Every method is one ZCL command (one radio round trip)."""

    async def read_capacity(self) -> LockCapacity:
        """Read the capacity attributes (one attribute read)."""
        ...

    async def read_slot(self, kind: CredentialSlotKind, user_id: int) -> SlotReading:
        """Read one user slot (get_pin_code / get_rfid_code)."""
        ...

    async def write_slot(
        self, kind: CredentialSlotKind, user_id: int, code: str, *, user_type: int = 0
    ) -> None:
        """Write a code, user_status 1 enabled (set_pin_code / set_rfid_code)."""
        ...

    async def clear_slot(self, kind: CredentialSlotKind, user_id: int) -> None:
        """Clear one user slot (clear_pin_code / clear_rfid_code)."""
        ...

    async def set_year_day_schedule(
        self, user_id: int, schedule: YearDaySchedule
    ) -> None:
        """Set a year-day schedule (command 0x0E)."""
        ...

    async def clear_year_day_schedule(self, user_id: int, schedule_id: int) -> None:
        """Clear a year-day schedule (command 0x10)."""
        ...

    async def set_week_day_schedule(
        self, user_id: int, schedule: WeekDaySchedule
    ) -> None:
        """Set a week-day schedule (command 0x0B)."""
        ...

    async def clear_week_day_schedule(self, user_id: int, schedule_id: int) -> None:
        """Clear a week-day schedule (command 0x0D)."""
        ...

    async def set_user_type(self, user_id: int, user_type: int) -> None:
        """Set the user type (0x14: 0 unrestricted, 1 year-day schedule user, 2 week-day)."""
        ...

    async def set_lockout(self, wrong_code_limit: int, disable_seconds: int) -> None:
        """Write the wrong-code limit and the user-code disable time (attrs 0x30, 0x31)."""
        ...
