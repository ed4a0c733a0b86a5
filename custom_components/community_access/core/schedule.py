"""Time windows: weekdays with time ranges, and holidays.

A schedule is evaluated in the community's local time. A range whose end is
not after its start runs over midnight (``22:00-06:00``): its early-morning
part belongs to the weekday on which it started.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
import re
from typing import Any

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_DAYS = frozenset(range(7))


@dataclass(frozen=True, slots=True)
class TimeRange:
    """``start`` inclusive, ``end`` exclusive; ``end <= start`` spans midnight."""

    start: time
    end: time

    @property
    def overnight(self) -> bool:
        """Whether the range runs past midnight."""
        return self.end <= self.start

    def contains(self, moment: time) -> bool:
        """Whether a time of day falls in the range (ignoring overnight carry)."""
        if self.overnight:
            return moment >= self.start or moment < self.end
        return self.start <= moment < self.end

    def __str__(self) -> str:
        """``HH:MM-HH:MM`` (seconds only where set; the end of day as 24:00)."""
        return f"{_format_time(self.start)}-{_format_time(self.end)}"

    @classmethod
    def parse(cls, text: str) -> TimeRange:
        """Parse ``HH:MM-HH:MM``; raise ``ValueError`` if malformed."""
        start, sep, end = text.strip().partition("-")
        if not sep:
            raise ValueError(text)
        return cls(_parse_time(start), _parse_time(end))


_TIME_RE = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)(?::([0-5]\d))?$")
END_OF_DAY = time(23, 59, 59, 999999)


def _parse_time(text: str) -> time:
    """``HH:MM`` or ``HH:MM:SS``; ``24:00`` is the end of the day."""
    match = _TIME_RE.match(str(text).strip())
    if match is None:
        raise ValueError(f"not a time of day: {text!r}")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour == 24:
        if minute or second:
            raise ValueError(f"not a time of day: {text!r}")
        return END_OF_DAY
    return time(hour, minute, second)


def _format_time(moment: time) -> str:
    if moment == END_OF_DAY:
        return "24:00"
    if moment.second:
        return f"{moment:%H:%M:%S}"
    return f"{moment:%H:%M}"


@dataclass(frozen=True, slots=True)
class Window:
    """Time ranges on a set of weekdays (0 = Monday)."""

    weekdays: frozenset[int]
    ranges: tuple[TimeRange, ...]


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a credential or door may be used.

    On a date listed in ``holidays`` only ``holiday_ranges`` apply (none means
    closed that day).
    """

    windows: tuple[Window, ...]
    holidays: frozenset[date] = field(default_factory=frozenset)
    holiday_ranges: tuple[TimeRange, ...] = ()

    def allows(self, local: datetime) -> bool:
        """Whether the schedule admits a moment given in local time."""
        moment = local.timetz().replace(tzinfo=None)
        today = local.date()
        if today in self.holidays:
            return any(r.contains(moment) for r in self.holiday_ranges)
        weekday = today.weekday()
        yesterday = (weekday - 1) % 7
        yesterday_was_holiday = (today - timedelta(days=1)) in self.holidays
        for window in self.windows:
            for rng in window.ranges:
                if not rng.overnight:
                    if weekday in window.weekdays and rng.start <= moment < rng.end:
                        return True
                    continue
                if weekday in window.weekdays and moment >= rng.start:
                    return True
                if (
                    yesterday in window.weekdays
                    and not yesterday_was_holiday
                    and moment < rng.end
                ):
                    return True
        return False

    # ---- (de)serialisation: the same shape in services, storage and options
    def as_dict(self) -> dict[str, Any]:
        """Plain data form (JSON-safe)."""
        return {
            "windows": [
                {
                    "days": [WEEKDAYS[d] for d in sorted(w.weekdays)],
                    "ranges": [str(r) for r in w.ranges],
                }
                for w in self.windows
            ],
            "holidays": [d.isoformat() for d in sorted(self.holidays)],
            "holiday_ranges": [str(r) for r in self.holiday_ranges],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Schedule:
        """Build from the plain data form; raise ``ValueError`` when malformed."""
        if not isinstance(data, Mapping):
            raise TypeError("schedule must be a mapping")
        try:
            return cls._from_dict(data)
        except (AttributeError, TypeError) as err:
            raise ValueError(f"malformed schedule: {err}") from err

    @classmethod
    def _from_dict(cls, data: Mapping[str, Any]) -> Schedule:
        windows = []
        for item in data.get("windows", ()):
            days = item.get("days", WEEKDAYS)
            ranges = item.get("ranges", ())
            if isinstance(ranges, str):
                ranges = [ranges]
            windows.append(
                Window(
                    weekdays=_parse_days(days),
                    ranges=tuple(TimeRange.parse(r) for r in ranges),
                )
            )
        if not windows:
            raise ValueError("a schedule needs at least one window")
        return cls(
            windows=tuple(windows),
            holidays=frozenset(
                date.fromisoformat(str(d)) for d in data.get("holidays", ())
            ),
            holiday_ranges=tuple(
                TimeRange.parse(r) for r in data.get("holiday_ranges", ())
            ),
        )

    @classmethod
    def daily(cls, *ranges: str, days: Iterable[str] = WEEKDAYS) -> Schedule:
        """Shortcut: the same ranges on the given days."""
        return cls(
            windows=(
                Window(_parse_days(days), tuple(TimeRange.parse(r) for r in ranges)),
            )
        )


def _parse_days(days: Iterable[str] | str) -> frozenset[int]:
    if isinstance(days, str):
        days = [d for d in days.replace(" ", "").split(",") if d]
    result = set()
    for day in days:
        key = str(day).strip().lower()[:3]
        if key not in WEEKDAYS:
            raise ValueError(f"unknown weekday {day!r}")
        result.add(WEEKDAYS.index(key))
    if not result:
        raise ValueError("a window needs at least one weekday")
    return frozenset(result)
