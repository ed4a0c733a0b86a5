"""An in-memory Zigbee lock implementing ``LockPort``, driven by a fake clock.

It behaves like a Door Lock cluster's credential memory: user ids
``0 .. pin_users-1`` take PINs and ``0 .. rfid_users-1`` cards, each user id
holds one code, codes outside the length limits and ids outside the range
are refused. Every command takes ``delay`` seconds of the fake clock. Tests
make it fail (``fail_next``), time out (``offline``) or lose answers after a
write landed (``lose_answers``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from custom_components.community_access.core.lock_sync import (
    CredentialSlotKind,
    LockCapacity,
    LockCommandError,
    LockTimeoutError,
    SlotReading,
    WeekDaySchedule,
    YearDaySchedule,
)

START = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai


class FakeClock:
    """A clock that moves only when something sleeps on it."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += timedelta(seconds=seconds)
        await asyncio.sleep(0)

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def capacity(
    *,
    pins: int = 30,
    cards: int = 30,
    week_days: int = 4,
    year_days: int = 1,
    pin_length: tuple[int, int] = (4, 8),
    rfid_length: tuple[int, int] = (1, 20),
) -> LockCapacity:
    """A lock's capacity attributes."""
    return LockCapacity(
        pin_users=pins,
        rfid_users=cards,
        week_day_schedules_per_user=week_days,
        year_day_schedules_per_user=year_days,
        min_pin_length=pin_length[0],
        max_pin_length=pin_length[1],
        min_rfid_length=rfid_length[0],
        max_rfid_length=rfid_length[1],
    )


@dataclass
class FakeLock:
    """The lock's memory and a log of the commands it received (no codes)."""

    clock: FakeClock
    caps: LockCapacity = field(default_factory=capacity)
    delay: float = 0.0
    #: (kind, user id) -> code
    memory: dict[tuple[CredentialSlotKind, int], str] = field(default_factory=dict)
    user_types: dict[int, int] = field(default_factory=dict)
    year_days: dict[tuple[int, int], YearDaySchedule] = field(default_factory=dict)
    week_days: dict[tuple[int, int], WeekDaySchedule] = field(default_factory=dict)
    lockout: tuple[int, int] | None = None
    log: list[tuple[object, ...]] = field(default_factory=list)
    #: Every command times out while set.
    offline: bool = False
    #: The next n commands answer with a failure status.
    fail_next: int = 0
    #: The next n writes land but their answer is lost (a timeout).
    lose_answers: int = 0
    #: Raised (once) after the n-th write landed: a crash in the middle.
    crash_after_writes: int | None = None
    writes: int = 0
    #: Reads tell whether a slot is occupied, never its code (write-only
    #: codes, like Zigbee2MQTT without ``expose_pin``).
    hide_codes: bool = False

    async def _command(self, *entry: object) -> None:
        if self.delay:
            await self.clock.sleep(self.delay)
        else:
            await asyncio.sleep(0)
        self.log.append(entry)
        if self.offline:
            raise LockTimeoutError("no answer")
        if self.fail_next:
            self.fail_next -= 1
            raise LockCommandError("failure status")

    def _range(self, kind: CredentialSlotKind) -> int:
        if kind is CredentialSlotKind.PIN:
            return self.caps.pin_users
        return self.caps.rfid_users

    def commands(self, name: str | None = None) -> list[tuple[object, ...]]:
        """The log, or the entries of one command."""
        return [e for e in self.log if name is None or e[0] == name]

    def codes(self) -> dict[int, tuple[CredentialSlotKind, str]]:
        """User id -> (kind, code) of every occupied user."""
        return {uid: (kind, code) for (kind, uid), code in self.memory.items()}

    # ---- LockPort
    async def read_capacity(self) -> LockCapacity:
        await self._command("read_capacity")
        return self.caps

    async def read_slot(self, kind: CredentialSlotKind, user_id: int) -> SlotReading:
        await self._command("read_slot", kind, user_id)
        code = self.memory.get((kind, user_id))
        return SlotReading(
            user_id,
            kind,
            occupied=code is not None,
            code=None if self.hide_codes else code,
            user_status=1 if code else 0,
            user_type=self.user_types.get(user_id, 0),
            code_readable=not (self.hide_codes and code is not None),
        )

    async def write_slot(
        self, kind: CredentialSlotKind, user_id: int, code: str, *, user_type: int = 0
    ) -> None:
        await self._command("write_slot", kind, user_id)
        if user_id >= self._range(kind):
            raise LockCommandError("invalid user id")
        low, high = (
            (self.caps.min_pin_length, self.caps.max_pin_length)
            if kind is CredentialSlotKind.PIN
            else (self.caps.min_rfid_length, self.caps.max_rfid_length)
        )
        if not low <= len(code) <= high:
            raise LockCommandError("invalid code length")
        other = (
            CredentialSlotKind.RFID
            if kind is CredentialSlotKind.PIN
            else CredentialSlotKind.PIN
        )
        self.memory.pop((other, user_id), None)
        self.memory[(kind, user_id)] = code
        self.user_types[user_id] = user_type
        self.writes += 1
        if (
            self.crash_after_writes is not None
            and self.writes >= self.crash_after_writes
        ):
            self.crash_after_writes = None
            raise asyncio.CancelledError
        if self.lose_answers:
            self.lose_answers -= 1
            raise LockTimeoutError("answer lost")

    async def clear_slot(self, kind: CredentialSlotKind, user_id: int) -> None:
        await self._command("clear_slot", kind, user_id)
        self.memory.pop((kind, user_id), None)
        self.user_types.pop(user_id, None)

    async def set_year_day_schedule(
        self, user_id: int, schedule: YearDaySchedule
    ) -> None:
        await self._command("set_year_day_schedule", user_id, schedule.schedule_id)
        self.year_days[(user_id, schedule.schedule_id)] = schedule

    async def clear_year_day_schedule(self, user_id: int, schedule_id: int) -> None:
        await self._command("clear_year_day_schedule", user_id, schedule_id)
        self.year_days.pop((user_id, schedule_id), None)

    async def set_week_day_schedule(
        self, user_id: int, schedule: WeekDaySchedule
    ) -> None:
        await self._command("set_week_day_schedule", user_id, schedule.schedule_id)
        self.week_days[(user_id, schedule.schedule_id)] = schedule

    async def clear_week_day_schedule(self, user_id: int, schedule_id: int) -> None:
        await self._command("clear_week_day_schedule", user_id, schedule_id)
        self.week_days.pop((user_id, schedule_id), None)

    async def set_user_type(self, user_id: int, user_type: int) -> None:
        await self._command("set_user_type", user_id, user_type)
        self.user_types[user_id] = user_type

    async def set_lockout(self, wrong_code_limit: int, disable_seconds: int) -> None:
        await self._command("set_lockout", wrong_code_limit, disable_seconds)
        self.lockout = (wrong_code_limit, disable_seconds)
