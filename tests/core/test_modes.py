"""Emergency release and lockdown rules, their storage and the muster list (no HA)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.community_access.core.community import Community
from custom_components.community_access.core.decision import Reason
from custom_components.community_access.core.models import (
    CredentialKind,
    Direction,
    Door,
    Role,
    Zone,
)
from custom_components.community_access.core.operations import modes_store
from custom_components.community_access.core.operations.modes import (
    FailMode,
    ModeKind,
    Scope,
    ScopeKind,
    SiteMode,
    SiteModes,
    SiteState,
    default_fail_mode,
)
from custom_components.community_access.core.operations.muster import (
    counts_by_building,
    last_passages,
    muster,
    muster_doors,
)
from custom_components.community_access.core.storage import AuditQuery

from .common import make_id_number

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

DOORS = [
    Door("gate_in", "Gate in", Zone.gate(), Direction.IN, escape_route=True),
    Door("gate_out", "Gate out", Zone.gate(), Direction.OUT, escape_route=True),
    Door("b3_in", "B3 in", Zone.building("3"), Direction.IN, escape_route=True),
    Door("b3_out", "B3 out", Zone.building("3"), Direction.OUT),
    Door("b5_in", "B5 in", Zone.building("5"), Direction.IN, escape_route=True),
    Door("gym", "Gym", Zone.public("gym"), Direction.BOTH),
]


@pytest.fixture
def doors() -> list[Door]:
    """This module's doors: entry and exit doors, escape routes."""
    return DOORS


def mode(
    mode_id: int, kind: ModeKind, scope: Scope, started: datetime = T0
) -> SiteMode:
    return SiteMode(mode_id, kind, scope, started)


def test_scopes() -> None:
    site, b3 = Scope(ScopeKind.SITE), Scope(ScopeKind.BUILDING, ("3",))
    listed = Scope(ScopeKind.DOORS, ("gym",))
    by_id = {d.id: d for d in DOORS}
    assert all(site.covers(d) for d in DOORS)
    assert [d.id for d in DOORS if b3.covers(d)] == ["b3_in", "b3_out"]
    # Site and building scopes release escape routes only ...
    assert [d.id for d in DOORS if site.releases(d)] == [
        "gate_in",
        "gate_out",
        "b3_in",
        "b5_in",
    ]
    assert [d.id for d in DOORS if b3.releases(d)] == ["b3_in"]
    # ... a door listed explicitly is released, escape route or not.
    assert listed.releases(by_id["gym"]) and not listed.releases(by_id["b3_in"])
    with pytest.raises(ValueError, match="at least one"):
        Scope(ScopeKind.DOORS)
    assert default_fail_mode(by_id["b3_in"]) is FailMode.FAIL_SAFE
    assert default_fail_mode(by_id["b3_out"]) is FailMode.FAIL_SECURE


def test_release_and_lockdown_reasons() -> None:
    site = SiteModes([Role.STAFF])
    site.set_doors(DOORS)
    assert site.state is SiteState.NORMAL
    assert site.reason("b3_in", Role.OWNER) is None

    site.start(mode(1, ModeKind.LOCKDOWN, Scope(ScopeKind.SITE)))
    assert site.state is SiteState.LOCKDOWN
    # Inward doors (in, both) are locked down; exit doors are not.
    assert site.locked_down == {"gate_in", "b3_in", "b5_in", "gym"}
    assert site.reason("b3_in", Role.OWNER) is Reason.LOCKDOWN
    assert site.reason("b3_in", None) is Reason.LOCKDOWN
    assert site.reason("b3_in", Role.STAFF) is None
    assert site.reason("gate_out", Role.OWNER) is None

    # A release of building 3 overrides the lockdown there only.
    site.start(mode(2, ModeKind.EMERGENCY, Scope(ScopeKind.BUILDING, ("3",))))
    assert site.state is SiteState.EMERGENCY
    assert site.released == {"b3_in"}
    assert site.reason("b3_in", Role.OWNER) is Reason.EMERGENCY_RELEASE
    assert site.reason("b5_in", Role.OWNER) is Reason.LOCKDOWN

    # A provisional release (doors commanded before it is stored) replaced
    # by its stored row keeps the same doors.
    site.start(mode(-1, ModeKind.EMERGENCY, Scope(ScopeKind.DOORS, ("gym",))))
    assert site.released == {"b3_in", "gym"}
    site.replace(-1, mode(3, ModeKind.EMERGENCY, Scope(ScopeKind.DOORS, ("gym",))))
    assert sorted(site.active) == [1, 2, 3]
    assert site.released == {"b3_in", "gym"}
    assert [m.id for m in site.end(ModeKind.EMERGENCY)] == [2, 3]
    assert site.released == frozenset()
    assert site.reason("b3_in", Role.OWNER) is Reason.LOCKDOWN
    site.end(ModeKind.LOCKDOWN)
    assert site.state is SiteState.NORMAL
    assert site.locked_down == frozenset()


async def test_present_during_release_and_lockdown(community: Community) -> None:
    household = await community.add_household("3-1-101")
    owner = await community.add_person(
        name="王芳",
        role=Role.OWNER,
        unit=str(household.unit),
        id_number=make_id_number(1),
    )
    await community.add_credential(
        person_id=owner.id, kind=CredentialKind.PHONE_TAG, value="0000100001"
    )
    staff = await community.add_person(name="李强", role=Role.STAFF)
    await community.add_credential(
        person_id=staff.id, kind=CredentialKind.PHONE_TAG, value="0000100002"
    )
    site = SiteModes()
    site.set_doors(DOORS)
    community.modes = site

    # Lockdown: the owner is refused at an inward door, staff pass, exits open.
    site.start(mode(1, ModeKind.LOCKDOWN, Scope(ScopeKind.SITE)))
    refused = await community.present(
        "b3_in", CredentialKind.PHONE_TAG, "0000100001", T0
    )
    assert (refused.granted, refused.reason) == (False, Reason.LOCKDOWN)
    staff_in = await community.present(
        "b3_in", CredentialKind.PHONE_TAG, "0000100002", T0
    )
    assert (staff_in.granted, staff_in.reason) == (True, Reason.GRANTED)
    out = await community.present("b3_out", CredentialKind.PHONE_TAG, "0000100001", T0)
    assert out.granted

    # Release: everyone passes, recorded as emergency_release; a refusal
    # the rules gave (building 5 is not the owner's) is kept as waived.
    site.start(mode(2, ModeKind.EMERGENCY, Scope(ScopeKind.SITE)))
    own = await community.present("b3_in", CredentialKind.PHONE_TAG, "0000100001", T0)
    other = await community.present("b5_in", CredentialKind.PHONE_TAG, "0000100001", T0)
    unknown = await community.present(
        "gate_in", CredentialKind.PHONE_TAG, "0000999999", T0
    )
    assert (own.granted, own.reason, own.waived) == (
        True,
        Reason.EMERGENCY_RELEASE,
        None,
    )
    assert (other.granted, other.reason, other.waived) == (
        True,
        Reason.EMERGENCY_RELEASE,
        Reason.ZONE_NOT_ALLOWED,
    )
    assert unknown.granted and unknown.waived is Reason.UNKNOWN_CREDENTIAL
    records = await community.run(community.db.query_audit, AuditQuery(limit=100))
    reasons = sorted(r.reason for r in records)
    assert reasons.count("emergency_release") == 3
    assert reasons.count("lockdown") == 1
    noted = [r.note for r in records if r.door_id == "b5_in"]
    assert noted == ["zone_not_allowed"]


async def test_modes_are_stored(community: Community) -> None:
    db = community.db
    release = await community.run(
        lambda: modes_store.add_mode(
            db,
            ModeKind.EMERGENCY,
            Scope(ScopeKind.BUILDING, ("3", "5")),
            at=T0,
            by="binary_sensor.fire_panel",
            cause="fire",
            note="alarm on floor 2",
        )
    )
    await community.run(
        lambda: modes_store.add_mode(
            db, ModeKind.LOCKDOWN, Scope(ScopeKind.SITE), at=T0, by="user1"
        )
    )
    active = await community.run(modes_store.active_modes, db)
    assert [(m.kind, m.scope) for m in active] == [
        (ModeKind.EMERGENCY, Scope(ScopeKind.BUILDING, ("3", "5"))),
        (ModeKind.LOCKDOWN, Scope(ScopeKind.SITE)),
    ]
    assert active[0] == release
    ended = await community.run(
        lambda: modes_store.end_modes(db, ModeKind.EMERGENCY, at=T0, by="admin")
    )
    assert ended == 1
    assert [m.kind for m in await community.run(modes_store.active_modes, db)] == [
        ModeKind.LOCKDOWN
    ]


async def test_muster_from_entry_and_exit_doors(community: Community) -> None:
    people = {}
    for n, (unit, name) in enumerate(
        [("3-1-101", "甲"), ("3-1-102", "乙"), ("5-1-101", "丙"), ("5-1-102", "丁")]
    ):
        household = await community.add_household(unit)
        person = await community.add_person(
            name=name,
            role=Role.OWNER,
            unit=str(household.unit),
            id_number=make_id_number(n),
        )
        await community.add_credential(
            person_id=person.id, kind=CredentialKind.PHONE_TAG, value=f"00002000{n:02d}"
        )
        people[name] = f"00002000{n:02d}"

    async def passes(name: str, door: str, minutes: int) -> None:
        at = T0 + timedelta(minutes=minutes)
        decision = await community.present(
            door, CredentialKind.PHONE_TAG, people[name], at
        )
        assert decision.granted

    await passes("甲", "b3_in", 0)  # in, stays
    await passes("乙", "b3_in", 0)
    await passes("乙", "b3_out", 10)  # in then out: gone
    await passes("丙", "gate_in", 5)  # in at the gate: their home building 5
    await passes("丁", "gate_in", -13 * 60)  # in, but before the window
    await passes("丁", "gym", 20)  # a both-ways door says nothing
    now = T0 + timedelta(minutes=30)
    since = now - timedelta(hours=12)
    door_ids = muster_doors(DOORS)
    assert "gym" not in door_ids
    passages = await community.run(last_passages, community.db, door_ids, since)
    assert len(passages) == 3  # one per person seen in the window
    entries = muster(passages, {d.id: d for d in DOORS})
    assert [(e.name, e.building, e.door_id) for e in entries] == [
        ("甲", "3", "b3_in"),
        ("丙", "5", "gate_in"),
    ]
    assert counts_by_building(entries, ["1", "3", "5"]) == {"1": 0, "3": 1, "5": 1}
    # A wider window finds 丁 too.
    wide = await community.run(
        last_passages, community.db, door_ids, now - timedelta(hours=14)
    )
    assert {e.name for e in muster(wide, {d.id: d for d in DOORS})} == {
        "甲",
        "丙",
        "丁",
    }
