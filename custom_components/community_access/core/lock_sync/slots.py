"""One lock user slot as the integration keeps it.

Its state in the slot table (:class:`SlotState`) and the form a credential
takes in it besides its code (:class:`SlotSchedule`: user type, year-day or
week-day schedules), with the fingerprint the slot table stores.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
import hashlib

from custom_components.community_access.core.schedule import END_OF_DAY, Schedule

from .port import USER_TYPE_UNRESTRICTED, WeekDaySchedule, YearDaySchedule

#: Year-day schedules need both ends: an open start is the ZCL epoch, an open
#: end a far future (both stable, so the schedule fingerprint does not move).
OPEN_START = datetime(2000, 1, 1, tzinfo=UTC)
OPEN_END = datetime(2099, 12, 31, 23, 59, tzinfo=UTC)


class SlotState(StrEnum):
    """What the integration knows about one lock user id."""

    SYNCED = "synced"  # holds our credential, confirmed
    PENDING = "pending"  # a write or clear was sent (or is due) and is not confirmed
    FAILED = "failed"  # gave up after repeated failures; retried later
    #: the lock refused our code: another of its users has the same code.
    #: Not retried until something changes (see the planner).
    DUPLICATE = "duplicate"
    UNMANAGED = "unmanaged"  # a code the integration did not write: never touched
    EMPTY = "empty"  # known to be empty


@dataclass(frozen=True, slots=True)
class SlotSchedule:
    """How one credential is stored on a lock besides its code."""

    user_type: int = USER_TYPE_UNRESTRICTED
    year_day: YearDaySchedule | None = None
    week_days: tuple[WeekDaySchedule, ...] = ()

    @property
    def fingerprint(self) -> str:
        """Short stable text naming the schedules (kept in the slot table)."""
        if self.year_day is not None:
            start = int(self.year_day.start.timestamp())
            end = int(self.year_day.end.timestamp())
            return f"y:{start}:{end}"
        if self.week_days:
            text = ";".join(
                f"{w.days_mask},{w.start_hour}:{w.start_minute},{w.end_hour}:{w.end_minute}"
                for w in self.week_days
            )
            return f"w:{len(self.week_days)}:{hashlib.sha256(text.encode()).hexdigest()[:12]}"
        return ""


def week_day_schedules(schedule: Schedule) -> tuple[WeekDaySchedule, ...]:
    """ZCL week-day schedules for a community schedule (holidays are not kept).

    A range over midnight becomes two: to 23:59 on its days and from 00:00
    on the following days. Identical entries are merged.
    """
    entries: set[tuple[int, int, int, int, int]] = set()
    for window in schedule.windows:
        mask = _days_mask(window.weekdays, 0)
        next_mask = _days_mask(window.weekdays, 1)
        for rng in window.ranges:
            end = (23, 59) if rng.end == END_OF_DAY else (rng.end.hour, rng.end.minute)
            start = (rng.start.hour, rng.start.minute)
            if not rng.overnight:
                entries.add((mask, *start, *end))
                continue
            entries.add((mask, *start, 23, 59))
            if end != (0, 0):
                entries.add((next_mask, 0, 0, *end))
    return tuple(
        WeekDaySchedule(i, mask, sh, sm, eh, em)
        for i, (mask, sh, sm, eh, em) in enumerate(sorted(entries))
    )


def _days_mask(weekdays: Iterable[int], shift: int) -> int:
    # Community weekdays: 0 = Monday; ZCL: bit 0 = Sunday ... bit 6 = Saturday.
    return sum(1 << ((day + shift + 1) % 7) for day in weekdays)


def week_day_count(fingerprint: str | None) -> int | None:
    """How many week-day schedule ids a fingerprint says were written (None: unknown)."""
    if fingerprint is None:
        return None
    if fingerprint.startswith("w:"):
        return int(fingerprint.split(":")[1])
    return 0
