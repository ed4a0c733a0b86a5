"""Muster counts kept record by record agree with the list read from the record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import random

from custom_components.community_access.core.models import Direction, Door, Zone
from custom_components.community_access.core.operations.muster import (
    MusterCounts,
    Passage,
    counts_by_building,
    muster,
)

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
WINDOW = timedelta(hours=12)
DOORS = {
    d.id: d
    for d in (
        Door("gate_in", "Gate in", Zone.gate(), direction=Direction.IN),
        Door("gate_out", "Gate out", Zone.gate(), direction=Direction.OUT),
        Door("b3_in", "B3 in", Zone.building("3"), direction=Direction.IN),
        Door("b3_out", "B3 out", Zone.building("3"), direction=Direction.OUT),
        Door("b5_in", "B5 in", Zone.building("5"), direction=Direction.IN),
    )
}
BUILDINGS = ["3", "5"]
UNITS = ["3-1-101", "5-2-202", None]


def passage(record_id: int, person: int, door: str, minutes: float) -> Passage:
    unit = UNITS[person % len(UNITS)]
    return Passage(record_id, person, door, T0 + timedelta(minutes=minutes), unit, None)


def expected(passages: list[Passage], now: datetime) -> dict[str, int]:
    """What the query-based list gives: each person's last passage in the window."""
    latest: dict[int, Passage] = {}
    for p in sorted(passages, key=lambda p: p.record_id):
        if p.at >= now - WINDOW:
            latest[p.person_id] = p
    return counts_by_building(muster(latest.values(), DOORS), BUILDINGS)


def test_in_out_and_a_late_older_passage() -> None:
    tally = MusterCounts(DOORS, WINDOW)
    tally.add(passage(1, 3, "b3_in", 0))
    tally.add(passage(2, 1, "gate_in", 0))  # unit 5-2-202: building 5
    tally.add(passage(3, 2, "gate_in", 0))  # no unit: inside, no building
    assert tally.counts(BUILDINGS) == {"3": 1, "5": 1}
    tally.add(passage(4, 3, "b3_out", 5))
    assert tally.counts(BUILDINGS) == {"3": 0, "5": 1}
    tally.add(passage(2, 1, "gate_out", -5))  # an older record: ignored
    assert tally.counts(BUILDINGS) == {"3": 0, "5": 1}


def test_expiry_drops_people_and_says_when_next() -> None:
    tally = MusterCounts(DOORS, WINDOW)
    tally.add(passage(1, 4, "b3_in", 0))
    tally.add(passage(2, 5, "b5_in", 60))
    assert tally.expire(T0 + timedelta(hours=1)) == T0 + WINDOW
    assert tally.expire(T0 + timedelta(hours=12, minutes=1)) == T0 + timedelta(hours=13)
    assert tally.counts(BUILDINGS) == {"3": 0, "5": 1}
    # A person who passed again stays counted when their older passage expires.
    tally.add(passage(3, 5, "b5_in", 12 * 60 + 30))
    tally.expire(T0 + timedelta(hours=13, minutes=5))
    assert tally.counts(BUILDINGS) == {"3": 0, "5": 1}
    assert tally.expire(T0 + timedelta(hours=30)) is None
    assert tally.counts(BUILDINGS) == {"3": 0, "5": 0}


def test_random_runs_agree_with_the_list() -> None:
    rng = random.Random(7)
    for _ in range(50):
        tally = MusterCounts(DOORS, WINDOW)
        passages: list[Passage] = []
        minutes = 0.0
        for record_id in range(1, 300):
            minutes += rng.uniform(0, 20)
            p = passage(record_id, rng.randrange(30), rng.choice(list(DOORS)), minutes)
            passages.append(p)
            tally.add(p)
            if rng.random() < 0.2:
                now = p.at
                tally.expire(now)
                assert tally.counts(BUILDINGS) == expected(passages, now)
