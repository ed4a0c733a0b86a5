"""Door alarm rules: the per-door state machine and the alarm book."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.community_access.core.community import Community
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.operations.alarms import (
    CONTACT_GRACE,
    AlarmBook,
    AlarmKind,
    AlarmQuery,
    Change,
    DoorWatch,
)

T0 = datetime(2026, 12, 5, 8, 0, 0, tzinfo=UTC)
HELD = timedelta(seconds=30)


def _watch() -> DoorWatch:
    return DoorWatch("gate", HELD)


def test_opening_without_a_grant_is_forced() -> None:
    watch = _watch()
    assert watch.contact(True, T0) == [Change(True, AlarmKind.FORCED_OPEN)]
    assert watch.held_due is None  # a forced door is not timed again
    assert watch.contact(True, T0 + timedelta(seconds=1)) == []  # still open
    assert watch.contact(False, T0 + timedelta(seconds=9)) == [
        Change(False, AlarmKind.FORCED_OPEN)
    ]
    assert watch.active == set()


def test_opening_within_the_granted_window_is_legitimate() -> None:
    watch = _watch()
    watch.allow_open(T0 + timedelta(seconds=5))
    at = T0 + timedelta(seconds=5) + CONTACT_GRACE
    assert watch.contact(True, at) == []
    assert watch.held_due == at + HELD
    # closed in time: nothing due
    assert watch.contact(False, at + timedelta(seconds=10)) == []
    assert watch.due(at + HELD) == []


def test_opening_after_the_window_is_forced() -> None:
    watch = _watch()
    watch.allow_open(T0)
    late = T0 + CONTACT_GRACE + timedelta(seconds=1)
    assert watch.contact(True, late) == [Change(True, AlarmKind.FORCED_OPEN)]


def test_a_later_window_is_kept_over_an_earlier_one() -> None:
    watch = _watch()
    watch.allow_open(T0 + timedelta(seconds=60))
    watch.allow_open(T0)  # an older grant does not shorten the window
    assert watch.contact(True, T0 + timedelta(seconds=30)) == []


def test_held_open_after_the_timer() -> None:
    watch = _watch()
    watch.allow_open(T0 + timedelta(seconds=5))
    assert watch.contact(True, T0) == []
    assert watch.due(T0 + HELD - timedelta(seconds=1)) == []
    assert watch.due(T0 + HELD) == [Change(True, AlarmKind.HELD_OPEN)]
    assert watch.due(T0 + HELD * 2) == []  # once
    assert watch.contact(False, T0 + HELD * 2) == [Change(False, AlarmKind.HELD_OPEN)]


def test_a_predicate_allows_opening_and_holding_open() -> None:
    released = {"gate"}

    def predicate(door_id: str, _at: datetime) -> bool:
        return door_id in released

    watch = _watch()
    assert watch.contact(True, T0, (predicate,)) == []
    assert watch.due(T0 + HELD, (predicate,)) == []
    assert watch.active == set()


def test_reader_reports_start_and_end_once() -> None:
    watch = _watch()
    assert watch.reader(AlarmKind.TAMPER, True) == [Change(True, AlarmKind.TAMPER)]
    assert watch.reader(AlarmKind.TAMPER, True) == []
    # the door closing does not end a tamper alarm
    assert watch.contact(False, T0) == []
    assert watch.reader(AlarmKind.TAMPER, False) == [Change(False, AlarmKind.TAMPER)]


def test_resume_open_times_a_door_open_at_restart() -> None:
    watch = _watch()
    assert watch.resume_open(T0) == []
    assert watch.due(T0 + HELD) == [Change(True, AlarmKind.HELD_OPEN)]


async def test_book_start_end_acknowledge(community: Community) -> None:
    book = AlarmBook(community)
    alarm = await book.start(
        "gate", AlarmKind.FORCED_OPEN, T0 + timedelta(microseconds=700)
    )
    assert alarm.started_at == T0  # to the second
    assert alarm.active and alarm.open and not alarm.acknowledged
    ended = await book.end(alarm.id, T0 + timedelta(seconds=12))
    assert ended.ended_at == T0 + timedelta(seconds=12)
    assert ended.open  # not yet acknowledged
    # a second end keeps the first time
    again = await book.end(alarm.id, T0 + timedelta(seconds=99))
    assert again.ended_at == T0 + timedelta(seconds=12)
    done = await book.acknowledge(
        alarm.id, by="user1", note="  propped open by a delivery ", at=T0 + HELD
    )
    assert done.acknowledged_by == "user1"
    assert done.note == "propped open by a delivery"
    assert not done.open
    with pytest.raises(CommunityError) as err:
        await book.acknowledge(alarm.id, by="user2", note=None, at=T0 + HELD)
    assert err.value.key == "alarm_already_acknowledged"
    with pytest.raises(CommunityError) as err:
        await book.acknowledge(9999, by="user2", note=None, at=T0)
    assert err.value.key == "unknown_alarm"
    assert (await book.get(alarm.id)).acknowledged_by == "user1"


async def test_book_filters_and_pages(community: Community) -> None:
    book = AlarmBook(community)
    kinds = [AlarmKind.FORCED_OPEN, AlarmKind.HELD_OPEN, AlarmKind.TAMPER]
    ids = []
    for i in range(9):
        alarm = await book.start(
            "gate" if i % 2 == 0 else "b3", kinds[i % 3], T0 + timedelta(minutes=i)
        )
        ids.append(alarm.id)
    await book.end(ids[0], T0 + timedelta(minutes=30))
    await book.acknowledge(ids[0], by=None, note=None, at=T0 + timedelta(hours=1))
    await book.acknowledge(ids[1], by=None, note=None, at=T0 + timedelta(hours=1))

    everything = await book.find(AlarmQuery())
    assert [a.id for a in everything] == list(reversed(ids))  # newest first
    gate = await book.find(AlarmQuery(door_id="gate"))
    assert {a.door_id for a in gate} == {"gate"} and len(gate) == 5
    tamper = await book.find(AlarmQuery(kind=AlarmKind.TAMPER))
    assert [a.id for a in tamper] == [ids[8], ids[5], ids[2]]
    assert [a.id for a in await book.find(AlarmQuery(active=False))] == [ids[0]]
    assert len(await book.find(AlarmQuery(active=True))) == 8
    acknowledged = await book.find(AlarmQuery(acknowledged=True))
    assert [a.id for a in acknowledged] == [ids[1], ids[0]]
    assert len(await book.find(AlarmQuery(acknowledged=False))) == 7
    # ids[1] is acknowledged but still active: still open
    assert len(await book.open_alarms()) == 8
    window = AlarmQuery(
        since=T0 + timedelta(minutes=2), until=T0 + timedelta(minutes=5)
    )
    assert [a.id for a in await book.find(window)] == [ids[4], ids[3], ids[2]]
    page = await book.find(AlarmQuery(limit=4, offset=4))
    assert [a.id for a in page] == [ids[4], ids[3], ids[2], ids[1]]
    assert await book.count(AlarmQuery(limit=1, door_id="b3")) == 4
