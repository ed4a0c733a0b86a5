"""Faults and their repair ladder; patrol and inspection rules (core, real SQLite)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from custom_components.community_access.core.community import Community
from custom_components.community_access.core.decision import Decision, Reason
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.models import CredentialKind, Role
from custom_components.community_access.core.operations.faults import (
    FaultBook,
    FaultCause,
    FaultStatus,
    check_transition,
    load_faults,
    load_updates,
)
from custom_components.community_access.core.operations.patrols import (
    OVERDUE_AFTER,
    InspectionResult,
    PatrolKind,
    PatrolQuery,
    add_patrol,
    inspection_due,
    last_per_door,
    new_patrol,
    overdue,
    patrol_decision,
    query_patrols,
)

from .common import open_community

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


async def _open(book: FaultBook, device: str = "b3", at: datetime = T0):
    return await book.report(
        device_id=device,
        device_name="Building 3",
        door_id=device,
        cause=FaultCause.LOCK_UNAVAILABLE,
        description=None,
        at=at,
    )


async def test_one_open_fault_per_device_and_cause(community: Community) -> None:
    book = FaultBook(community)
    first, new = await _open(book)
    again, new_again = await _open(book, at=T0 + timedelta(minutes=5))
    assert new and not new_again
    assert again.id == first.id
    other, other_new = await book.report(
        device_id="b3",
        device_name="Building 3",
        door_id="b3",
        cause=FaultCause.TAMPER,
        description="cover open",
        at=T0,
    )
    assert other_new and other.id != first.id
    assert len(book.open) == 2


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (FaultStatus.REPORTED, FaultStatus.DISPATCHED),
        (FaultStatus.REPORTED, FaultStatus.FIXED),
        (FaultStatus.DISPATCHED, FaultStatus.IN_REPAIR),
        (FaultStatus.IN_REPAIR, FaultStatus.IN_REPAIR),
        (FaultStatus.IN_REPAIR, FaultStatus.CANNOT_FIX),
    ],
)
def test_allowed_steps(old: FaultStatus, new: FaultStatus) -> None:
    check_transition(old, new)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        (FaultStatus.FIXED, FaultStatus.DISPATCHED, "fault_closed"),
        (FaultStatus.CANNOT_FIX, FaultStatus.IN_REPAIR, "fault_closed"),
        (FaultStatus.IN_REPAIR, FaultStatus.DISPATCHED, "fault_bad_transition"),
        (FaultStatus.DISPATCHED, FaultStatus.REPORTED, "fault_bad_transition"),
    ],
)
def test_refused_steps(old: FaultStatus, new: FaultStatus, key: str) -> None:
    with pytest.raises(CommunityError) as err:
        check_transition(old, new)
    assert err.value.key == key


async def test_ladder_written_and_reloaded(tmp_path: Path) -> None:
    community = await open_community(tmp_path)
    book = FaultBook(community)
    fault, _ = await _open(book)
    expected = T0 + timedelta(days=1)
    await book.update(
        fault.id,
        FaultStatus.DISPATCHED,
        at=T0 + timedelta(hours=1),
        note="Repairer on the way",
        expected_at=expected,
    )
    await community.async_close()

    reopened = await open_community(tmp_path)
    book = FaultBook(reopened)
    await book.async_load()
    kept = book.open[fault.id]
    assert kept.status is FaultStatus.DISPATCHED
    assert kept.expected_at == expected
    fixed = await book.update(
        fault.id, FaultStatus.FIXED, at=T0 + timedelta(hours=3), note="New lock"
    )
    assert fixed.closed_at == T0 + timedelta(hours=3)
    assert book.open == {}
    updates = await reopened.run(load_updates, reopened.db, fault.id)
    assert [(u.status, u.note) for u in updates] == [
        (FaultStatus.REPORTED, None),
        (FaultStatus.DISPATCHED, "Repairer on the way"),
        (FaultStatus.FIXED, "New lock"),
    ]
    with pytest.raises(CommunityError, match="fault_closed"):
        await book.update(fault.id, FaultStatus.DISPATCHED, at=T0 + timedelta(hours=4))
    closed = await reopened.run(lambda: load_faults(reopened.db, include_closed=True))
    assert [f.status for f in closed] == [FaultStatus.FIXED]
    await reopened.async_close()


async def test_recovery_closes_only_a_reported_fault(community: Community) -> None:
    book = FaultBook(community)
    fault, _ = await _open(book)
    closed = await book.recovered("b3", FaultCause.LOCK_UNAVAILABLE, T0 + timedelta(1))
    assert closed is not None and closed.status is FaultStatus.FIXED
    second, _ = await _open(book, at=T0 + timedelta(days=2))
    await book.update(second.id, FaultStatus.DISPATCHED, at=T0 + timedelta(days=2))
    assert (
        await book.recovered("b3", FaultCause.LOCK_UNAVAILABLE, T0 + timedelta(3))
        is None
    )
    assert second.id in book.open


async def test_unknown_fault(community: Community) -> None:
    with pytest.raises(CommunityError, match="unknown_fault"):
        await FaultBook(community).update(99, FaultStatus.FIXED, at=T0)


def _decision(
    reason: Reason, person_id: int | None = 1, door: str = "gate"
) -> Decision:
    return Decision(
        granted=reason is Reason.GRANTED,
        reason=reason,
        door_id=door,
        kind=CredentialKind.CARD,
        at=T0,
        person_id=person_id,
    )


def test_patrol_decision_only_for_staff_at_a_patrol_point() -> None:
    points = frozenset({"gate"})
    staff = {1: Role.STAFF}
    patrol = patrol_decision(_decision(Reason.GRANTED), points, staff)
    assert patrol is not None
    assert (patrol.granted, patrol.reason, patrol.person_id) == (
        False,
        Reason.PATROL,
        1,
    )
    # A card valid in itself, only not for this door or hour, still patrols.
    assert patrol_decision(_decision(Reason.ZONE_NOT_ALLOWED), points, staff)
    assert patrol_decision(_decision(Reason.GRANTED), points, {1: Role.OWNER}) is None
    assert patrol_decision(_decision(Reason.LOST), points, staff) is None
    assert patrol_decision(_decision(Reason.GRANTED, door="b3"), points, staff) is None
    assert patrol_decision(_decision(Reason.GRANTED, None), points, staff) is None


def test_inspection_due_and_overdue() -> None:
    interval = timedelta(days=30)
    assert inspection_due(None, T0, interval) == T0 + interval
    last = T0 + timedelta(days=10)
    due = inspection_due(last, T0, interval)
    assert due == last + interval
    assert not overdue(due, due + OVERDUE_AFTER - timedelta(seconds=1))
    assert overdue(due, due + OVERDUE_AFTER)


def test_patrol_needs_a_place() -> None:
    with pytest.raises(CommunityError, match="patrol_needs_place"):
        new_patrol(
            at=T0, kind=PatrolKind.PATROL, door_id=None, checkpoint=" ", note=None
        )
    with pytest.raises(CommunityError, match="patrol_needs_place"):
        new_patrol(
            at=T0, kind=PatrolKind.INSPECTION, door_id="b3", checkpoint=None, note=None
        )


async def test_patrols_queried_and_last_per_door(community: Community) -> None:
    db = community.db
    for minutes, kind, door in (
        (0, "patrol", "gate"),
        (10, "patrol", "gate"),
        (20, "inspection", "b3"),
    ):
        patrol = new_patrol(
            at=T0 + timedelta(minutes=minutes),
            kind=PatrolKind(kind),
            door_id=door,
            checkpoint=None,
            note="ok",
            result=InspectionResult.OK if kind == "inspection" else None,
        )
        await community.run(add_patrol, db, patrol)
    await community.run(
        add_patrol,
        db,
        new_patrol(
            at=T0, kind=PatrolKind.PATROL, door_id=None, checkpoint="Shed", note=None
        ),
    )
    gate = await community.run(query_patrols, db, PatrolQuery(door_id="gate"))
    assert [p.at for p in gate] == [T0 + timedelta(minutes=10), T0]
    inspections = await community.run(
        query_patrols, db, PatrolQuery(kind=PatrolKind.INSPECTION)
    )
    assert [(p.door_id, p.result) for p in inspections] == [("b3", InspectionResult.OK)]
    window = await community.run(
        query_patrols, db, PatrolQuery(start=T0 + timedelta(minutes=5), limit=1)
    )
    assert len(window) == 1 and window[0].at == T0 + timedelta(minutes=20)
    last = await community.run(last_per_door, db, PatrolKind.PATROL, ["gate", "b3"])
    assert last == {"gate": T0 + timedelta(minutes=10)}
