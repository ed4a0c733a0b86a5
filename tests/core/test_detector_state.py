"""The detector keeps what its windows hold, not every credential ever seen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import random

from custom_components.community_access.core.detection import (
    DetectionSettings,
    Detector,
    PassbackMode,
    subject,
)
from custom_components.community_access.core.models import Direction, Door, Zone

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
B3_IN = Door("b3_in", "B3 in", Zone.building("3"), direction=Direction.IN)
B3_OUT = Door("b3_out", "B3 out", Zone.building("3"), direction=Direction.OUT)
GYM = Door("gym", "Gym", Zone.public("gym"), direction=Direction.BOTH)


def detector(travel: int = 600) -> Detector:
    found = Detector(DetectionSettings(travel_seconds=travel))
    found.set_doors(
        [
            (B3_IN, PassbackMode.ENFORCE),
            (B3_OUT, PassbackMode.ENFORCE),
            (GYM, PassbackMode.NONE),
        ]
    )
    return found


def test_state_is_bounded_by_the_windows_and_answers_stay_the_same() -> None:
    """Two days of churn (a new visitor credential a minute): only the windows stay."""
    rng = random.Random(14)
    kept = detector()
    grants = []
    for minute in range(48 * 60):
        door = rng.choice([B3_IN, B3_OUT, GYM])
        credential = 10_000 + minute  # each used once: visitors, reissued cards
        grants.append((credential, None, door, T0 + timedelta(minutes=minute)))
    for grant in grants:
        kept.restore([grant])
    end = grants[-1][3]
    sizes = kept.sizes()
    # Travel window 10 min: at most the last 11 minutes' grants.
    assert sizes["last_grants"] <= 11
    # Presence (24 h) only in building 3, the zone with anti-passback.
    in_window = {
        (subject(c, p), d.zone.id)
        for c, p, d, at in grants
        if d is not GYM and end - at <= timedelta(hours=24)
    }
    assert sizes["presences"] == len(in_window)
    # What a check reads is unchanged: the last 24 hours known, older unknown.
    for credential, person, door, _at in grants[-5:]:
        if door is not GYM:
            assert kept.presence(subject(credential, person), door.zone.id, end) is (
                door.direction is Direction.IN
            )
    old = grants[0]
    assert kept.presence(subject(old[0], None), "building:3", end) is None


def test_a_renewed_entry_moves_to_the_back() -> None:
    """A resident seen every hour is never dropped, however old their first pass."""
    kept = detector()
    for hour in range(72):
        at = T0 + timedelta(hours=hour)
        kept.restore([(1, 7, B3_IN if hour % 2 else B3_OUT, at)])
        kept.restore([(1000 + hour, None, B3_IN, at + timedelta(minutes=1))])
    end = T0 + timedelta(hours=71, minutes=1)
    assert kept.presence(subject(1, 7), "building:3", end) is True
    assert kept.sizes()["presences"] <= 26  # the resident + one visitor an hour


def test_without_the_checks_nothing_is_kept() -> None:
    kept = Detector(DetectionSettings(travel_seconds=0))
    kept.set_doors([(B3_IN, PassbackMode.NONE)])
    kept.restore([(n, None, B3_IN, T0 + timedelta(seconds=n)) for n in range(500)])
    assert kept.sizes() == {"last_grants": 0, "presences": 0}
