"""Planned maintenance windows: validation, storage and the decisions in them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.community_access.core.community import Community
from custom_components.community_access.core.decision import Reason
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.models import CredentialKind, Role
from custom_components.community_access.core.operations.maintenance import (
    MaintenanceGate,
    MaintenanceMode,
    add_window,
    mark_cancelled,
    mark_notified,
    new_window,
    pending_windows,
    windows_between,
)

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
PIN = "583716"


def _window(mode: MaintenanceMode, doors: list[str] | None = None):
    return new_window(
        door_ids=doors or ["b3"],
        start=T0,
        end=T0 + timedelta(hours=2),
        mode=mode,
        message="Reader replaced",
        now=T0 - timedelta(days=1),
        by=None,
    )


@pytest.mark.parametrize(
    ("start", "end", "doors", "key"),
    [
        (T0, T0, ["b3"], "invalid_time_range"),
        (T0, T0 - timedelta(hours=1), ["b3"], "invalid_time_range"),
        (T0, T0 + timedelta(days=15), ["b3"], "invalid_time_range"),
        (T0 - timedelta(days=3), T0 - timedelta(days=2), ["b3"], "invalid_time_range"),
        (T0, T0 + timedelta(hours=1), [], "maintenance_needs_doors"),
    ],
)
def test_window_validated(
    start: datetime, end: datetime, doors: list[str], key: str
) -> None:
    with pytest.raises(CommunityError) as err:
        new_window(
            door_ids=doors,
            start=start,
            end=end,
            mode=MaintenanceMode.OPEN,
            message=None,
            now=T0 - timedelta(days=1),
            by=None,
        )
    assert err.value.key == key


async def _resident(community: Community) -> None:
    await community.add_household("3-2-501")
    person = await community.add_person(name="赵磊", role=Role.OWNER, unit="3-2-501")
    await community.add_credential(
        person_id=person.id, kind=CredentialKind.PIN, value=PIN
    )


@pytest.mark.parametrize(
    ("mode", "granted", "reason"),
    [
        (MaintenanceMode.OPEN, True, Reason.MAINTENANCE),
        (MaintenanceMode.GUARD_ONLY, False, Reason.MAINTENANCE),
        (MaintenanceMode.NORMAL, True, Reason.GRANTED),
    ],
)
async def test_decisions_in_a_window(
    community: Community, mode: MaintenanceMode, granted: bool, reason: Reason
) -> None:
    await _resident(community)
    gate = MaintenanceGate()
    gate.set_active([_window(mode)], T0 + timedelta(minutes=1))
    community.maintenance_hook = gate.apply
    inside = await community.present(
        "b3", CredentialKind.PIN, PIN, T0 + timedelta(minutes=5)
    )
    assert (inside.granted, inside.reason) == (granted, reason)
    assert inside.person_id is not None
    # Another door, and the same door after the window: the rules as always.
    other = await community.present("b5", CredentialKind.PIN, PIN, T0)
    assert other.reason is Reason.ZONE_NOT_ALLOWED
    after = await community.present(
        "b3", CredentialKind.PIN, PIN, T0 + timedelta(hours=2)
    )
    assert (after.granted, after.reason) == (True, Reason.GRANTED)


async def test_an_unknown_card_in_an_open_window(community: Community) -> None:
    gate = MaintenanceGate()
    gate.set_active([_window(MaintenanceMode.OPEN)], T0)
    community.maintenance_hook = gate.apply
    decision = await community.present("b3", CredentialKind.CARD, "0099", T0)
    assert (decision.granted, decision.reason) == (True, Reason.MAINTENANCE)


def test_gate_takes_only_windows_in_force() -> None:
    gate = MaintenanceGate()
    later = new_window(
        door_ids=["gate"],
        start=T0 + timedelta(days=1),
        end=T0 + timedelta(days=1, hours=1),
        mode=MaintenanceMode.OPEN,
        message=None,
        now=T0,
        by=None,
    )
    gate.set_active([_window(MaintenanceMode.OPEN, ["b3", "b5"]), later], T0)
    assert set(gate.by_door) == {"b3", "b5"}


async def test_windows_stored(community: Community) -> None:
    db = community.db
    first = await community.run(add_window, db, _window(MaintenanceMode.OPEN))
    second = await community.run(
        add_window, db, _window(MaintenanceMode.NORMAL, ["gate"])
    )
    assert first.id != second.id
    pending = await community.run(pending_windows, db, T0)
    assert [w.id for w in pending] == [first.id, second.id]
    assert pending[0].door_ids == ("b3",) and pending[0].message == "Reader replaced"
    await community.run(mark_notified, db, first.id, T0)
    await community.run(mark_cancelled, db, second.id, T0)
    (kept,) = await community.run(pending_windows, db, T0)
    assert (kept.id, kept.notified_at) == (first.id, T0)
    assert await community.run(pending_windows, db, T0 + timedelta(hours=2)) == []
    shown = await community.run(
        windows_between, db, T0 - timedelta(days=1), T0 + timedelta(hours=1)
    )
    assert [w.id for w in shown] == [first.id]
