"""AccessIndex.decide: every reason, the identity carried, and invariants."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
import string
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.community_access.core.decision import (
    AccessIndex,
    Decision,
    Reason,
)
from custom_components.community_access.core.models import (
    RESIDENT_ROLES,
    Credential,
    CredentialKind,
    CredentialStatus,
    Door,
    Household,
    Person,
    PersonStatus,
    Role,
    Unit,
    Zone,
)
from custom_components.community_access.core.schedule import Schedule

TZ = ZoneInfo("Asia/Shanghai")
# Monday 2024-01-01 10:00 in Shanghai (02:00 UTC).
AT = datetime(2024, 1, 1, 10, 0, tzinfo=TZ)
SATURDAY = datetime(2024, 1, 6, 10, 0, tzinfo=TZ)

HOME = Household(1, Unit.parse("3-2-501"))
OTHER_HOME = Household(2, Unit.parse("5-1-101"))

DOORS = [
    Door("gate", "North gate", Zone.gate()),
    Door("b3", "Building 3", Zone.building("3")),
    Door("b5", "Building 5", Zone.building("5")),
    Door("gym", "Gym", Zone.public("gym")),
    Door("pool", "Pool", Zone.public("pool"), allowed_roles=frozenset({Role.OWNER})),
    Door(
        "staff_room",
        "Staff room",
        Zone.public("staff"),
        allowed_roles=frozenset({Role.STAFF}),
    ),
    Door(
        "b3_owners",
        "Building 3 lift",
        Zone.building("3"),
        allowed_roles=frozenset({Role.OWNER}),
    ),
    Door(
        "b3_day",
        "Building 3 day door",
        Zone.building("3"),
        schedule=Schedule.daily("06:00-22:00"),
    ),
    Door(
        "gate_visitors",
        "Visitor gate",
        Zone.gate(),
        allowed_roles=frozenset({Role.VISITOR}),
    ),
]

DIGEST = "digest-of-the-card"


def build(
    *,
    role: Role = Role.OWNER,
    household: Household | None = HOME,
    person_status: PersonStatus = PersonStatus.ACTIVE,
    person_from: datetime | None = None,
    person_until: datetime | None = None,
    extra_zones: frozenset[str] = frozenset(),
    status: CredentialStatus = CredentialStatus.ACTIVE,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    schedule: Schedule | None = None,
    kind: CredentialKind = CredentialKind.CARD,
    doors: list[Door] | None = None,
) -> AccessIndex:
    """An index with two households, one person and one credential (id 7)."""
    index = AccessIndex(TZ)
    index.put_household(HOME)
    index.put_household(OTHER_HOME)
    if household is not None:
        index.put_household(household)
    index.put_person(
        Person(
            id=11,
            household_id=household.id if household else None,
            name="Zhang San",
            role=role,
            status=person_status,
            valid_from=person_from,
            valid_until=person_until,
            extra_zones=extra_zones,
        )
    )
    index.put_credential(
        Credential(
            id=7,
            person_id=11,
            kind=kind,
            digest=DIGEST,
            masked="****5678",
            status=status,
            valid_from=valid_from,
            valid_until=valid_until,
            schedule=schedule,
        )
    )
    index.set_doors(DOORS if doors is None else doors)
    return index


def decide(index: AccessIndex, door: str, at: datetime = AT) -> Decision:
    return index.decide(CredentialKind.CARD, DIGEST, door, at)


# ---- unknowns


def test_unknown_door() -> None:
    decision = decide(build(), "nowhere")
    assert decision == Decision(
        False, Reason.UNKNOWN_DOOR, "nowhere", CredentialKind.CARD, AT
    )
    assert decision.person_id is None
    assert decision.masked is None


def test_unknown_credential() -> None:
    decision = build().decide(CredentialKind.CARD, "no-such-digest", "gate", AT)
    assert not decision.granted
    assert decision.reason is Reason.UNKNOWN_CREDENTIAL
    assert decision.credential_id is None
    assert decision.person_id is None
    assert decision.door_id == "gate"


def test_unknown_credential_of_another_kind() -> None:
    decision = build().decide(CredentialKind.PIN, DIGEST, "gate", AT)
    assert not decision.granted
    assert decision.reason is Reason.UNKNOWN_CREDENTIAL
    assert decision.kind is CredentialKind.PIN


def test_credential_without_person_is_unknown() -> None:
    index = build()
    index.remove_person(11)
    decision = decide(index, "gate")
    assert decision.reason is Reason.UNKNOWN_CREDENTIAL
    assert not decision.granted
    assert decision.credential_id == 7
    assert decision.person_id is None


# ---- credential status and validity


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (CredentialStatus.LOST, Reason.LOST),
        (CredentialStatus.RETURNED, Reason.RETURNED),
        (CredentialStatus.CANCELLED, Reason.CANCELLED),
        (CredentialStatus.EXPIRED, Reason.EXPIRED),
    ],
)
def test_credential_status_refuses(status: CredentialStatus, reason: Reason) -> None:
    decision = decide(build(status=status), "gate")
    assert not decision.granted
    assert decision.reason is reason
    # The record still says whose card it was.
    assert decision.person_id == 11
    assert decision.person_name == "Zhang San"
    assert decision.credential_id == 7
    assert decision.masked == "****5678"


def test_status_checked_before_person_status() -> None:
    index = build(status=CredentialStatus.LOST, person_status=PersonStatus.SUSPENDED)
    assert decide(index, "gate").reason is Reason.LOST


@pytest.mark.parametrize(
    "offset", [timedelta(0), timedelta(seconds=-1), timedelta(days=-30)]
)
def test_credential_valid_until_expires(offset: timedelta) -> None:
    decision = decide(build(valid_until=AT + offset), "gate")
    assert not decision.granted
    assert decision.reason is Reason.EXPIRED


def test_credential_valid_until_in_future_grants() -> None:
    assert decide(build(valid_until=AT + timedelta(seconds=1)), "gate").granted


def test_person_valid_until_expires() -> None:
    assert decide(build(person_until=AT), "gate").reason is Reason.EXPIRED
    assert decide(build(person_until=AT + timedelta(hours=1)), "gate").granted


def test_credential_not_yet_valid() -> None:
    decision = decide(build(valid_from=AT + timedelta(seconds=1)), "gate")
    assert not decision.granted
    assert decision.reason is Reason.NOT_YET_VALID
    assert decide(build(valid_from=AT), "gate").granted


def test_person_not_yet_valid() -> None:
    assert (
        decide(build(person_from=AT + timedelta(days=1)), "gate").reason
        is Reason.NOT_YET_VALID
    )
    assert decide(build(person_from=AT - timedelta(days=1)), "gate").granted


def test_validity_compares_instants_across_time_zones() -> None:
    # 02:00 UTC is 10:00 in Shanghai: the same instant as AT.
    until = datetime(2024, 1, 1, 2, 0, tzinfo=UTC)
    assert decide(build(valid_until=until), "gate").reason is Reason.EXPIRED
    assert decide(build(valid_until=until + timedelta(seconds=1)), "gate").granted


# ---- person status


def test_suspended() -> None:
    decision = decide(build(person_status=PersonStatus.SUSPENDED), "b3")
    assert not decision.granted
    assert decision.reason is Reason.SUSPENDED


def test_moved_out() -> None:
    decision = decide(build(person_status=PersonStatus.MOVED_OUT), "b3")
    assert not decision.granted
    assert decision.reason is Reason.MOVED_OUT


def test_moved_out_checked_before_validity() -> None:
    index = build(
        person_status=PersonStatus.MOVED_OUT, valid_until=AT - timedelta(days=1)
    )
    assert decide(index, "gate").reason is Reason.MOVED_OUT


# ---- zones


@pytest.mark.parametrize("role", sorted(RESIDENT_ROLES))
def test_resident_at_another_building(role: Role) -> None:
    decision = decide(build(role=role), "b5")
    assert not decision.granted
    assert decision.reason is Reason.ZONE_NOT_ALLOWED


@pytest.mark.parametrize("role", [Role.VISITOR, Role.CONTRACTOR])
def test_visitor_and_contractor_at_public_area(role: Role) -> None:
    decision = decide(build(role=role), "gym")
    assert not decision.granted
    assert decision.reason is Reason.ZONE_NOT_ALLOWED


def test_door_allowed_roles_refuse() -> None:
    assert decide(build(role=Role.TENANT), "pool").reason is Reason.ZONE_NOT_ALLOWED
    assert (
        decide(build(role=Role.OWNER), "staff_room").reason is Reason.ZONE_NOT_ALLOWED
    )
    assert (
        decide(build(role=Role.FAMILY), "b3_owners").reason is Reason.ZONE_NOT_ALLOWED
    )
    assert (
        decide(build(role=Role.OWNER), "gate_visitors").reason
        is Reason.ZONE_NOT_ALLOWED
    )


def test_allowed_roles_do_not_override_own_building_rule() -> None:
    index = build(role=Role.OWNER, household=OTHER_HOME)
    assert decide(index, "b3_owners").reason is Reason.ZONE_NOT_ALLOWED


def test_visitor_without_household_at_building() -> None:
    assert (
        decide(build(role=Role.VISITOR, household=None), "b3").reason
        is Reason.ZONE_NOT_ALLOWED
    )


def test_staff_without_household_at_public_area_needs_role() -> None:
    assert (
        decide(build(role=Role.STAFF, household=None), "pool").reason
        is Reason.ZONE_NOT_ALLOWED
    )


# ---- time windows


def test_credential_schedule_refuses_outside() -> None:
    weekdays = Schedule.daily("08:00-18:00", days="mon,tue,wed,thu,fri")
    index = build(schedule=weekdays)
    assert decide(index, "gate", AT).granted
    decision = decide(index, "gate", SATURDAY)
    assert not decision.granted
    assert decision.reason is Reason.OUTSIDE_TIME_WINDOW
    assert (
        decide(index, "gate", AT.replace(hour=18)).reason is Reason.OUTSIDE_TIME_WINDOW
    )


def test_door_schedule_refuses_outside() -> None:
    index = build()
    assert decide(index, "b3_day", AT.replace(hour=21, minute=59)).granted
    decision = decide(index, "b3_day", AT.replace(hour=23))
    assert not decision.granted
    assert decision.reason is Reason.OUTSIDE_TIME_WINDOW
    assert decide(index, "b3", AT.replace(hour=23)).granted


def test_schedule_evaluated_in_community_time_zone() -> None:
    index = build(schedule=Schedule.daily("08:00-18:00"))
    # 02:00 UTC = 10:00 Shanghai; 12:00 UTC = 20:00 Shanghai.
    assert decide(index, "gate", datetime(2024, 1, 1, 2, 0, tzinfo=UTC)).granted
    late = decide(index, "gate", datetime(2024, 1, 1, 12, 0, tzinfo=UTC))
    assert late.reason is Reason.OUTSIDE_TIME_WINDOW
    # Same decision the other way round: 23:00 UTC Sunday is 07:00 Monday in Shanghai.
    early = decide(index, "gate", datetime(2023, 12, 31, 23, 0, tzinfo=UTC))
    assert early.reason is Reason.OUTSIDE_TIME_WINDOW


def test_zone_checked_before_time() -> None:
    index = build(schedule=Schedule.daily("08:00-09:00"))
    assert decide(index, "b5", AT).reason is Reason.ZONE_NOT_ALLOWED


# ---- granted


@pytest.mark.parametrize("role", sorted(RESIDENT_ROLES))
@pytest.mark.parametrize("door", ["gate", "b3", "gym", "b3_day"])
def test_resident_granted(role: Role, door: str) -> None:
    decision = decide(build(role=role), door)
    assert decision.granted
    assert decision.reason is Reason.GRANTED


def test_granted_decision_carries_identity() -> None:
    decision = decide(build(), "b3")
    assert decision == Decision(
        granted=True,
        reason=Reason.GRANTED,
        door_id="b3",
        kind=CredentialKind.CARD,
        at=AT,
        credential_id=7,
        person_id=11,
        person_name="Zhang San",
        household_id=1,
        unit="3-2-501",
        masked="****5678",
    )


def test_tenant_of_other_building() -> None:
    index = build(role=Role.TENANT, household=OTHER_HOME)
    assert decide(index, "b5").granted
    assert decide(index, "b5").unit == "5-1-101"
    assert decide(index, "b3").reason is Reason.ZONE_NOT_ALLOWED


@pytest.mark.parametrize("door", ["gate", "b3", "b5", "b3_day", "gym", "staff_room"])
def test_staff_granted(door: str) -> None:
    index = build(role=Role.STAFF, household=None)
    decision = decide(index, door)
    assert decision.granted, door
    assert decision.household_id is None
    assert decision.unit is None
    assert decision.person_id == 11


def test_staff_refused_by_door_roles() -> None:
    index = build(role=Role.STAFF, household=None)
    decision = decide(index, "b3_owners")
    assert not decision.granted
    assert decision.reason is Reason.ZONE_NOT_ALLOWED


@pytest.mark.parametrize("role", [Role.VISITOR, Role.CONTRACTOR])
def test_visitor_granted_at_gate_and_host_building(role: Role) -> None:
    index = build(role=role)
    assert decide(index, "gate").granted
    assert decide(index, "b3").granted
    assert decide(index, "gate_visitors").granted is (role is Role.VISITOR)
    assert decide(index, "b5").reason is Reason.ZONE_NOT_ALLOWED


def test_extra_zone_grants_public_area() -> None:
    index = build(role=Role.VISITOR, extra_zones=frozenset({"public:gym"}))
    assert decide(index, "gym").granted
    assert decide(index, "pool").reason is Reason.ZONE_NOT_ALLOWED


def test_extra_zone_overrides_door_roles() -> None:
    index = build(role=Role.TENANT, extra_zones=frozenset({"public:pool"}))
    assert decide(index, "pool").granted


def test_extra_zone_grants_another_building() -> None:
    index = build(role=Role.OWNER, extra_zones=frozenset({"building:5"}))
    assert decide(index, "b5").granted


def test_extra_zone_does_not_bypass_schedule_or_status() -> None:
    zones = frozenset({"public:gym"})
    index = build(
        role=Role.VISITOR, extra_zones=zones, schedule=Schedule.daily("12:00-13:00")
    )
    assert decide(index, "gym").reason is Reason.OUTSIDE_TIME_WINDOW
    index = build(role=Role.VISITOR, extra_zones=zones, status=CredentialStatus.LOST)
    assert decide(index, "gym").reason is Reason.LOST


def test_door_allowed_roles_grant() -> None:
    assert decide(build(role=Role.OWNER), "pool").granted
    assert decide(build(role=Role.OWNER), "b3_owners").granted
    assert decide(build(role=Role.VISITOR), "gate_visitors").granted


def test_public_door_with_allowed_roles_admits_listed_visitors() -> None:
    doors = [
        Door(
            "cafe", "Cafe", Zone.public("cafe"), allowed_roles=frozenset({Role.VISITOR})
        )
    ]
    index = build(role=Role.VISITOR, doors=doors)
    assert decide(index, "cafe").granted


# ---- index maintenance


def test_newest_credential_owns_digest() -> None:
    index = build(status=CredentialStatus.RETURNED)
    assert decide(index, "gate").reason is Reason.RETURNED
    index.put_person(Person(id=12, household_id=2, name="Li Si", role=Role.TENANT))
    index.put_credential(Credential(8, 12, CredentialKind.CARD, DIGEST, "****5678"))
    decision = decide(index, "gate")
    assert decision.granted
    assert decision.person_id == 12
    # Updating the old credential does not take the digest back.
    old = index.credentials[7]
    index.put_credential(replace(old, status=CredentialStatus.CANCELLED))
    assert decide(index, "gate").person_id == 12
    assert index.credential_by_digest(DIGEST) == index.credentials[8]


def test_credential_digest_change_releases_old_digest() -> None:
    index = build()
    index.put_credential(replace(index.credentials[7], digest="new-digest"))
    assert index.credential_by_digest(DIGEST) is None
    assert index.decide(CredentialKind.CARD, "new-digest", "gate", AT).granted
    assert decide(index, "gate").reason is Reason.UNKNOWN_CREDENTIAL


def test_remove_credential() -> None:
    index = build()
    index.remove_credential(7)
    index.remove_credential(7)
    assert decide(index, "gate").reason is Reason.UNKNOWN_CREDENTIAL
    assert index.credentials_of(11) == []


def test_credentials_of() -> None:
    index = build()
    index.put_credential(Credential(8, 11, CredentialKind.PIN, "pin-digest", "****"))
    index.put_credential(Credential(9, 99, CredentialKind.PIN, "other", "****"))
    assert sorted(c.id for c in index.credentials_of(11)) == [7, 8]


def test_household_by_unit_follows_updates() -> None:
    index = build()
    assert index.household_by_unit("3-2-501") == HOME
    index.put_household(Household(1, Unit.parse("3-2-502")))
    assert index.household_by_unit("3-2-501") is None
    assert index.household_by_unit("3-2-502") == Household(1, Unit.parse("3-2-502"))
    index.remove_household(1)
    assert index.household_by_unit("3-2-502") is None
    index.remove_household(1)
    assert index.household_by_unit("5-1-101") == OTHER_HOME


def test_set_doors_replaces() -> None:
    index = build()
    index.set_doors([Door("only", "Only", Zone.gate())])
    assert set(index.doors) == {"only"}
    assert decide(index, "gate").reason is Reason.UNKNOWN_DOOR
    assert decide(index, "only").granted


# ---- properties

buildings = st.text(string.ascii_uppercase + string.digits, min_size=1, max_size=6)
role_sets = st.none() | st.frozensets(st.sampled_from(list(Role)), max_size=6)
zone_ids = st.sampled_from(
    ["gate", "building:3", "building:5", "building:9", "public:gym", "public:pool"]
)
doors = st.builds(
    Door,
    id=st.just("door"),
    name=st.just("Door"),
    zone=st.one_of(
        st.just(Zone.gate()),
        buildings.map(Zone.building),
        st.sampled_from(["gym", "pool", "parking"]).map(Zone.public),
    ),
    allowed_roles=role_sets,
    schedule=st.none()
    | st.just(Schedule.daily("00:00-00:00"))
    | st.just(Schedule.daily("08:00-18:00")),
)
moments = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2030, 1, 1),
    timezones=st.just(UTC),
)
households = st.one_of(st.none(), st.just(HOME), st.just(OTHER_HOME))
dead_statuses = st.sampled_from(
    [
        CredentialStatus.LOST,
        CredentialStatus.CANCELLED,
        CredentialStatus.RETURNED,
        CredentialStatus.EXPIRED,
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    role=st.sampled_from(list(Role)),
    household=households,
    status=dead_statuses,
    door=doors,
    at=moments,
    extra=st.frozensets(zone_ids),
)
def test_dead_credential_never_granted(
    *,
    role: Role,
    household: Household | None,
    status: CredentialStatus,
    door: Door,
    at: datetime,
    extra: frozenset[str],
) -> None:
    index = build(
        role=role, household=household, status=status, extra_zones=extra, doors=[door]
    )
    decision = decide(index, "door", at)
    assert not decision.granted
    assert decision.reason.value == status.value


@settings(max_examples=200, deadline=None)
@given(
    role=st.sampled_from(list(Role)),
    household=households,
    door=doors,
    at=moments,
    before=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)),
    extra=st.frozensets(zone_ids),
    person_status=st.sampled_from(list(PersonStatus)),
)
def test_credential_past_valid_until_never_granted(
    *,
    role: Role,
    household: Household | None,
    door: Door,
    at: datetime,
    before: timedelta,
    extra: frozenset[str],
    person_status: PersonStatus,
) -> None:
    index = build(
        role=role,
        household=household,
        valid_until=at - before,
        extra_zones=extra,
        person_status=person_status,
        doors=[door],
    )
    decision = decide(index, "door", at)
    assert not decision.granted
    if person_status is PersonStatus.ACTIVE:
        assert decision.reason is Reason.EXPIRED


@settings(max_examples=200, deadline=None)
@given(
    role=st.sampled_from(sorted(RESIDENT_ROLES)),
    home=buildings,
    other=buildings,
    allowed=role_sets,
    at=moments,
)
def test_resident_never_enters_another_building(
    role: Role, home: str, other: str, allowed: frozenset[Role] | None, at: datetime
) -> None:
    if home == other:
        other = other + "X" if len(other) < 6 else other[:-1]
    household = Household(1, Unit(home, "1", "101"))
    door = Door("door", "Door", Zone.building(other), allowed_roles=allowed)
    index = build(role=role, household=household, doors=[door])
    decision = decide(index, "door", at)
    assert not decision.granted
    assert decision.reason is Reason.ZONE_NOT_ALLOWED
    # ... while the door of their own building lets them in unless roles forbid it.
    own = Door("own", "Own", Zone.building(home), allowed_roles=allowed)
    index.set_doors([own])
    granted = index.decide(CredentialKind.CARD, DIGEST, "own", at).granted
    assert granted == (allowed is None or role in allowed)


@settings(max_examples=200, deadline=None)
@given(
    role=st.sampled_from(list(Role)),
    household=households,
    status=st.sampled_from(list(CredentialStatus)),
    person_status=st.sampled_from(list(PersonStatus)),
    door=doors,
    at=moments,
)
def test_known_credential_decision_identity(
    *,
    role: Role,
    household: Household | None,
    status: CredentialStatus,
    person_status: PersonStatus,
    door: Door,
    at: datetime,
) -> None:
    index = build(
        role=role,
        household=household,
        status=status,
        person_status=person_status,
        doors=[door],
    )
    decision = decide(index, "door", at)
    assert decision.granted == (decision.reason is Reason.GRANTED)
    assert decision.credential_id == 7
    assert decision.person_id == 11
    assert decision.person_name == "Zhang San"
    assert decision.masked == "****5678"
    assert decision.household_id == (household.id if household else None)
    assert decision.unit == (str(household.unit) if household else None)
    assert decision.at == at
    if decision.granted:
        assert status is CredentialStatus.ACTIVE
        assert person_status is PersonStatus.ACTIVE


# ---- face never the only credential (face-recognition rules in force since 2025)


def _face_index(*others: Credential) -> AccessIndex:
    """Person 11 with a face (credential 7) and ``others``."""
    index = build(kind=CredentialKind.FACE)
    for other in others:
        index.put_credential(other)
    return index


def _face(index: AccessIndex, at: datetime = AT) -> Decision:
    return index.decide(CredentialKind.FACE, DIGEST, "b3", at)


def test_face_alone_is_refused() -> None:
    decision = _face(_face_index())
    assert not decision.granted
    assert decision.reason is Reason.FACE_ALONE
    assert decision.person_id == 11


def test_face_with_an_active_pin_is_granted() -> None:
    pin = Credential(8, 11, CredentialKind.PIN, "pin-digest", "****")
    assert _face(_face_index(pin)).granted


@pytest.mark.parametrize(
    "status",
    [
        CredentialStatus.LOST,
        CredentialStatus.RETURNED,
        CredentialStatus.CANCELLED,
        CredentialStatus.EXPIRED,
    ],
)
def test_face_with_only_a_dead_card_is_refused(status: CredentialStatus) -> None:
    card = Credential(8, 11, CredentialKind.CARD, "card-digest", "****", status=status)
    assert _face(_face_index(card)).reason is Reason.FACE_ALONE


def test_face_refused_from_the_end_of_the_last_card() -> None:
    # The card ended but no sweep marked it expired yet: the decision sees the end.
    end = AT + timedelta(hours=1)
    card = Credential(
        8, 11, CredentialKind.CARD, "card-digest", "****", valid_until=end
    )
    index = _face_index(card)
    assert _face(index, end - timedelta(seconds=1)).granted
    assert _face(index, end).reason is Reason.FACE_ALONE


def test_face_refused_before_the_other_credential_starts() -> None:
    start = AT + timedelta(hours=1)
    pin = Credential(8, 11, CredentialKind.PIN, "pin-digest", "****", valid_from=start)
    index = _face_index(pin)
    assert _face(index).reason is Reason.FACE_ALONE
    assert _face(index, start).granted


def test_a_second_face_does_not_count() -> None:
    other_face = Credential(8, 11, CredentialKind.FACE, "face-2", "****")
    assert _face(_face_index(other_face)).reason is Reason.FACE_ALONE


def test_another_persons_card_does_not_count() -> None:
    index = _face_index()
    index.put_person(Person(12, HOME.id, "Li Si", Role.FAMILY))
    index.put_credential(Credential(8, 12, CredentialKind.CARD, "card-digest", "****"))
    assert _face(index).reason is Reason.FACE_ALONE


def test_face_alone_after_the_stronger_reasons() -> None:
    index = build(kind=CredentialKind.FACE, person_status=PersonStatus.SUSPENDED)
    assert _face(index).reason is Reason.SUSPENDED
