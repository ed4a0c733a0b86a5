"""Time ranges and schedules: parsing, evaluation and (de)serialisation."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.community_access.core.schedule import (
    WEEKDAYS,
    Schedule,
    TimeRange,
    Window,
)

TZ = ZoneInfo("Asia/Shanghai")
# 2024-01-01 is a Monday.
MONDAY = date(2024, 1, 1)


def at(day_offset: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """Local time on MONDAY + day_offset."""
    day = MONDAY + timedelta(days=day_offset)
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=TZ)


MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


# ---- TimeRange


def test_timerange_parse() -> None:
    rng = TimeRange.parse("08:00-18:30")
    assert rng == TimeRange(time(8, 0), time(18, 30))
    assert not rng.overnight
    assert str(rng) == "08:00-18:30"


def test_timerange_parse_whitespace() -> None:
    assert TimeRange.parse("  08:00 - 18:00 ") == TimeRange(time(8), time(18))


def test_timerange_parse_end_of_day() -> None:
    rng = TimeRange.parse("20:00-24:00")
    assert rng.start == time(20)
    assert rng.end == time(23, 59, 59, 999999)
    assert not rng.overnight
    assert rng.contains(time(23, 59, 59))


def test_timerange_contains_half_open() -> None:
    rng = TimeRange.parse("08:00-18:00")
    assert rng.contains(time(8))
    assert rng.contains(time(17, 59, 59))
    assert not rng.contains(time(18))
    assert not rng.contains(time(7, 59, 59))


def test_timerange_overnight_contains() -> None:
    rng = TimeRange.parse("22:00-06:00")
    assert rng.overnight
    assert str(rng) == "22:00-06:00"
    assert rng.contains(time(22))
    assert rng.contains(time(23, 30))
    assert rng.contains(time(0))
    assert rng.contains(time(5, 59))
    assert not rng.contains(time(6))
    assert not rng.contains(time(12))
    assert not rng.contains(time(21, 59))


def test_timerange_equal_ends_is_whole_day() -> None:
    rng = TimeRange.parse("00:00-00:00")
    assert rng.overnight
    assert all(rng.contains(time(h, m)) for h in range(24) for m in (0, 30, 59))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "08:00",
        "08:00 18:00",
        "08:00-",
        "-18:00",
        "8h-18h",
        "08:00-25:00",
        "08:60-09:00",
        "ab:cd-ef:gh",
        "08:00/18:00",
    ],
)
def test_timerange_parse_invalid(text: str) -> None:
    with pytest.raises(ValueError):
        TimeRange.parse(text)


@pytest.mark.parametrize(
    "text", ["08:00-18:00-20:00", "08:00+08:00-18:00", "08:00-18:00+01:00"]
)
def test_timerange_parse_rejects_utc_offsets(text: str) -> None:
    """A third field must not be read as a UTC offset of the end time.

    ``time.fromisoformat`` accepts ``18:00-20:00`` as 18:00 at UTC-20:00: the
    range then holds an aware and a naive time and every comparison raises
    ``TypeError`` (in ``overnight``, ``contains`` and ``Schedule.allows``).
    """
    with pytest.raises(ValueError):
        TimeRange.parse(text)


# ---- Schedule.allows


def test_allows_normal_range_on_weekdays() -> None:
    schedule = Schedule.daily("08:00-18:00", days=["mon", "tue", "wed", "thu", "fri"])
    assert schedule.allows(at(MON, 9))
    assert schedule.allows(at(FRI, 8))
    assert schedule.allows(at(FRI, 17, 59, 59))
    assert not schedule.allows(at(MON, 7, 59))
    assert not schedule.allows(at(MON, 18))
    assert not schedule.allows(at(SAT, 9))
    assert not schedule.allows(at(SUN, 12))


def test_allows_several_windows_and_ranges() -> None:
    schedule = Schedule.from_dict(
        {
            "windows": [
                {
                    "days": "mon,tue,wed,thu,fri",
                    "ranges": ["07:00-09:00", "17:00-20:00"],
                },
                {"days": ["sat", "sun"], "ranges": "10:00-12:00"},
            ]
        }
    )
    assert schedule.allows(at(TUE, 8))
    assert schedule.allows(at(TUE, 19))
    assert not schedule.allows(at(TUE, 12))
    assert not schedule.allows(at(TUE, 10, 30))
    assert schedule.allows(at(SAT, 10, 30))
    assert not schedule.allows(at(SAT, 8))
    assert not schedule.allows(at(SUN, 19))


def test_allows_overnight_range() -> None:
    schedule = Schedule.daily("22:00-06:00", days=["mon"])
    assert schedule.allows(at(MON, 23))
    assert schedule.allows(at(MON, 22))
    assert schedule.allows(at(TUE, 0))
    assert schedule.allows(at(TUE, 5))
    assert schedule.allows(at(TUE, 5, 59, 59))
    assert not schedule.allows(at(TUE, 6))
    assert not schedule.allows(at(TUE, 7))
    assert not schedule.allows(at(MON, 21, 59))
    # Monday's early morning belongs to Sunday, which is not in the window.
    assert not schedule.allows(at(MON, 5))
    # Tuesday evening is not in the window either.
    assert not schedule.allows(at(TUE, 23))


def test_allows_overnight_range_sunday_into_monday() -> None:
    schedule = Schedule.daily("23:00-01:00", days=["sun"])
    assert schedule.allows(at(SUN, 23, 30))
    assert schedule.allows(at(SUN + 1, 0, 30))  # the next Monday
    assert schedule.allows(at(MON, 0, 30))  # after Sunday 2023-12-31
    assert not schedule.allows(at(MON, 1))
    assert not schedule.allows(at(TUE, 0, 30))
    assert not schedule.allows(at(SAT, 23, 30))


def test_allows_evaluates_local_wall_clock() -> None:
    schedule = Schedule.daily("08:00-18:00")
    assert schedule.allows(datetime(2024, 1, 1, 10, 0, tzinfo=TZ))
    assert not schedule.allows(datetime(2024, 1, 1, 20, 0, tzinfo=TZ))
    # Naive datetimes are taken as they are.
    assert schedule.allows(datetime(2024, 1, 1, 10, 0))


def test_holiday_closes_the_day() -> None:
    schedule = Schedule(
        windows=Schedule.daily("08:00-18:00").windows,
        holidays=frozenset({MONDAY + timedelta(days=WED)}),
    )
    assert schedule.allows(at(TUE, 10))
    assert not schedule.allows(at(WED, 10))
    assert not schedule.allows(at(WED, 0))
    assert schedule.allows(at(THU, 10))


def test_holiday_ranges_apply_on_holidays_only() -> None:
    schedule = Schedule(
        windows=Schedule.daily("08:00-18:00").windows,
        holidays=frozenset({MONDAY + timedelta(days=WED)}),
        holiday_ranges=(TimeRange.parse("10:00-12:00"),),
    )
    assert schedule.allows(at(WED, 11))
    assert not schedule.allows(at(WED, 9))
    assert not schedule.allows(at(WED, 12))
    assert not schedule.allows(at(WED, 15))
    assert schedule.allows(at(THU, 9))
    assert schedule.allows(at(THU, 15))


def test_overnight_does_not_carry_from_a_holiday() -> None:
    schedule = Schedule(
        windows=Schedule.daily("22:00-06:00", days=["mon", "tue"]).windows,
        holidays=frozenset({MONDAY}),
    )
    assert not schedule.allows(at(MON, 23))
    assert not schedule.allows(at(TUE, 5))
    assert schedule.allows(at(TUE, 23))
    assert schedule.allows(at(WED, 5))


def test_overnight_does_not_carry_into_a_holiday() -> None:
    schedule = Schedule(
        windows=Schedule.daily("22:00-06:00", days=["mon"]).windows,
        holidays=frozenset({MONDAY + timedelta(days=TUE)}),
    )
    assert schedule.allows(at(MON, 23))
    assert not schedule.allows(at(TUE, 5))


# ---- (de)serialisation


def test_as_dict_shape() -> None:
    schedule = Schedule(
        windows=(
            Window(frozenset({FRI, MON}), (TimeRange.parse("08:00-12:00"),)),
            Window(frozenset({SUN}), (TimeRange.parse("22:00-06:00"),)),
        ),
        holidays=frozenset({date(2024, 10, 1), date(2024, 2, 10)}),
        holiday_ranges=(TimeRange.parse("09:00-11:00"),),
    )
    assert schedule.as_dict() == {
        "windows": [
            {"days": ["mon", "fri"], "ranges": ["08:00-12:00"]},
            {"days": ["sun"], "ranges": ["22:00-06:00"]},
        ],
        "holidays": ["2024-02-10", "2024-10-01"],
        "holiday_ranges": ["09:00-11:00"],
    }
    assert Schedule.from_dict(schedule.as_dict()) == schedule


def test_from_dict_defaults_and_spellings() -> None:
    schedule = Schedule.from_dict(
        {
            "windows": [
                {"ranges": "08:00-09:00"},
                {"days": "Monday, Tuesday", "ranges": []},
            ]
        }
    )
    assert schedule.windows[0].weekdays == frozenset(range(7))
    assert schedule.windows[0].ranges == (TimeRange.parse("08:00-09:00"),)
    assert schedule.windows[1].weekdays == frozenset({MON, TUE})
    assert schedule.holidays == frozenset()
    assert schedule.holiday_ranges == ()


def test_daily_shortcut() -> None:
    schedule = Schedule.daily("08:00-12:00", "14:00-18:00", days="sat,sun")
    assert schedule.windows == (
        Window(
            frozenset({SAT, SUN}),
            (TimeRange.parse("08:00-12:00"), TimeRange.parse("14:00-18:00")),
        ),
    )


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"windows": []},
        {"windows": [{"days": [], "ranges": ["08:00-18:00"]}]},
        {"windows": [{"days": "", "ranges": ["08:00-18:00"]}]},
        {"windows": [{"days": ["xyz"], "ranges": ["08:00-18:00"]}]},
        {"windows": [{"days": ["mon"], "ranges": ["08:00"]}]},
        {"windows": [{"days": ["mon"], "ranges": ["25:00-26:00"]}]},
        {"windows": [{"ranges": ["08:00-18:00"]}], "holidays": ["2024-13-01"]},
        {"windows": [{"ranges": ["08:00-18:00"]}], "holiday_ranges": ["bad"]},
    ],
)
def test_from_dict_malformed(data: Any) -> None:
    with pytest.raises(ValueError):
        Schedule.from_dict(data)


@pytest.mark.parametrize(
    "data",
    [
        [],
        "08:00-18:00",
        {"windows": ["mon 08:00-18:00"]},
        {"windows": 5},
        {"windows": [{"days": 5, "ranges": ["08:00-18:00"]}]},
        {"windows": [{"days": ["mon"], "ranges": [800]}]},
        {"windows": [{"ranges": ["08:00-18:00"]}], "holidays": 5},
    ],
)
def test_from_dict_wrong_types(data: Any) -> None:
    """Data of the wrong shape is refused with ``ValueError`` or ``TypeError``.

    The docstring promises ``ValueError``; a non-mapping gives ``TypeError``.
    Either is acceptable, but an ``AttributeError`` from deep inside is not.
    """
    with pytest.raises((ValueError, TypeError)):
        Schedule.from_dict(data)


def test_round_trip_keeps_end_of_day() -> None:
    """``24:00`` parses as the end of the day and must survive ``as_dict``.

    Storage keeps schedules as ``as_dict`` JSON, so a lossy form changes what
    a stored credential admits: 23:59:30 is inside ``20:00-24:00`` but not
    inside ``20:00-23:59``.
    """
    schedule = Schedule.daily("20:00-24:00")
    restored = Schedule.from_dict(schedule.as_dict())
    assert schedule.allows(at(MON, 23, 59, 30))
    assert restored.allows(at(MON, 23, 59, 30))
    assert restored == schedule


# ---- properties

minute_times = st.builds(time, hour=st.integers(0, 23), minute=st.integers(0, 59))
time_ranges = st.builds(TimeRange, start=minute_times, end=minute_times)
weekday_sets = st.frozensets(st.integers(0, 6), min_size=1, max_size=7)
windows = st.builds(
    Window,
    weekdays=weekday_sets,
    ranges=st.lists(time_ranges, min_size=1, max_size=3).map(tuple),
)
schedules = st.builds(
    Schedule,
    windows=st.lists(windows, min_size=1, max_size=4).map(tuple),
    holidays=st.frozensets(st.dates(date(2000, 1, 1), date(2100, 12, 31)), max_size=5),
    holiday_ranges=st.lists(time_ranges, max_size=3).map(tuple),
)
local_moments = st.datetimes(
    min_value=datetime(2023, 1, 1), max_value=datetime(2026, 12, 31)
).map(lambda d: d.replace(tzinfo=TZ))


@settings(max_examples=200, deadline=None)
@given(schedule=schedules)
def test_round_trip_property(schedule: Schedule) -> None:
    data = schedule.as_dict()
    assert Schedule.from_dict(data) == schedule
    assert Schedule.from_dict(data).as_dict() == data


@settings(max_examples=200, deadline=None)
@given(schedule=schedules, moment=local_moments)
def test_allows_is_weekly_without_holidays(
    schedule: Schedule, moment: datetime
) -> None:
    plain = Schedule(windows=schedule.windows)
    assert plain.allows(moment) == plain.allows(moment + timedelta(days=7))


@settings(max_examples=200, deadline=None)
@given(first=schedules, second=schedules, moment=local_moments)
def test_allows_is_union_of_windows(
    first: Schedule, second: Schedule, moment: datetime
) -> None:
    combined = Schedule(windows=first.windows + second.windows)
    expected = Schedule(windows=first.windows).allows(moment) or Schedule(
        windows=second.windows
    ).allows(moment)
    assert combined.allows(moment) == expected


@settings(max_examples=200, deadline=None)
@given(schedule=schedules, moment=local_moments)
def test_holiday_without_ranges_is_closed(schedule: Schedule, moment: datetime) -> None:
    closed = Schedule(windows=schedule.windows, holidays=frozenset({moment.date()}))
    assert not closed.allows(moment)


@settings(max_examples=200, deadline=None)
@given(days=weekday_sets, rng=time_ranges, moment=local_moments)
def test_allows_matches_single_range_reference(
    days: frozenset[int], rng: TimeRange, moment: datetime
) -> None:
    schedule = Schedule(windows=(Window(days, (rng,)),))
    now = moment.time()
    today = moment.weekday()
    yesterday = (today - 1) % 7
    if rng.start < rng.end:
        expected = today in days and rng.start <= now < rng.end
    else:
        expected = (today in days and now >= rng.start) or (
            yesterday in days and now < rng.end
        )
    assert schedule.allows(moment) == expected


def test_weekday_names() -> None:
    assert WEEKDAYS == ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    assert MONDAY.weekday() == MON
