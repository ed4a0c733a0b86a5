"""Units and zones: parsing, canonical forms and identifiers."""

from __future__ import annotations

import string

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.community_access.core.models import (
    DEFAULT_PUBLIC_ROLES,
    RESIDENT_ROLES,
    Role,
    Unit,
    Zone,
    ZoneKind,
)

ALNUM = string.ascii_letters + string.digits


def test_unit_parse_valid() -> None:
    unit = Unit.parse("3-2-501")
    assert unit == Unit("3", "2", "501")
    assert unit.building == "3"
    assert unit.entrance == "2"
    assert unit.room == "501"
    assert str(unit) == "3-2-501"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" 3-2-501 ", Unit("3", "2", "501")),
        ("\t3-2-501\n", Unit("3", "2", "501")),
        ("12a-b-1201c", Unit("12A", "B", "1201C")),
        ("abcdef-abcd-abcdef", Unit("ABCDEF", "ABCD", "ABCDEF")),
        ("0-0-0", Unit("0", "0", "0")),
    ],
)
def test_unit_parse_normalises(text: str, expected: Unit) -> None:
    unit = Unit.parse(text)
    assert unit == expected
    assert str(unit) == f"{expected.building}-{expected.entrance}-{expected.room}"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "3",
        "3-2",
        "3-2-501-1",
        "3--501",
        "-2-501",
        "3-2-",
        "3 -2-501",
        "3-2 -501",
        "3_2_501",
        "3/2/501",
        "3.2.501",
        "1234567-1-1",
        "1-12345-1",
        "1-1-1234567",
        "3号-2-501",
        "3-2-501!",
    ],
)
def test_unit_parse_invalid(text: str) -> None:
    with pytest.raises(ValueError):
        Unit.parse(text)


@settings(max_examples=150, deadline=None)
@given(
    building=st.text(ALNUM, min_size=1, max_size=6),
    entrance=st.text(ALNUM, min_size=1, max_size=4),
    room=st.text(ALNUM, min_size=1, max_size=6),
)
def test_unit_parse_round_trip(building: str, entrance: str, room: str) -> None:
    text = f"{building}-{entrance}-{room}"
    unit = Unit.parse(text)
    assert unit == Unit(building.upper(), entrance.upper(), room.upper())
    assert str(unit) == text.upper()
    assert Unit.parse(str(unit)) == unit


@pytest.mark.parametrize(
    ("text", "zone", "zone_id"),
    [
        ("gate", Zone(ZoneKind.GATE), "gate"),
        (" gate ", Zone(ZoneKind.GATE), "gate"),
        ("building:3", Zone(ZoneKind.BUILDING, "3"), "building:3"),
        ("building:3a", Zone(ZoneKind.BUILDING, "3A"), "building:3A"),
        ("public:gym", Zone(ZoneKind.PUBLIC, "gym"), "public:gym"),
        ("public:car_park_2", Zone(ZoneKind.PUBLIC, "car_park_2"), "public:car_park_2"),
    ],
)
def test_zone_parse_and_id(text: str, zone: Zone, zone_id: str) -> None:
    parsed = Zone.parse(text)
    assert parsed == zone
    assert parsed.id == zone_id
    assert Zone.parse(parsed.id) == parsed


def test_zone_constructors_match_parse() -> None:
    assert Zone.gate() == Zone.parse("gate")
    assert Zone.gate().id == "gate"
    assert Zone.building("3") == Zone.parse("building:3")
    assert Zone.building("3b") == Zone.parse("building:3B")
    assert Zone.building("3b").id == "building:3B"
    assert Zone.public("gym") == Zone.parse("public:gym")
    assert Zone.public("gym").id == "public:gym"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "gates",
        "GATE",
        "gate:1",
        "building",
        "building:",
        "building:3-2",
        "building:1234567",
        "building: 3",
        ":3",
        "public",
        "public:",
        "public:Gym",
        "public:gym room",
        "public:gym-2",
        "public:" + "a" * 41,
        "park:gym",
        "Building:3",
    ],
)
def test_zone_parse_invalid(text: str) -> None:
    with pytest.raises(ValueError):
        Zone.parse(text)


@settings(max_examples=150, deadline=None)
@given(
    zone=st.one_of(
        st.just(Zone.gate()),
        st.text(ALNUM, min_size=1, max_size=6).map(Zone.building),
        st.text(
            string.ascii_lowercase + string.digits + "_", min_size=1, max_size=40
        ).map(Zone.public),
    )
)
def test_zone_id_round_trip(zone: Zone) -> None:
    assert Zone.parse(zone.id) == zone
    assert Zone.parse(zone.id).id == zone.id


def test_role_sets() -> None:
    assert {Role.OWNER, Role.FAMILY, Role.TENANT} == RESIDENT_ROLES
    assert RESIDENT_ROLES < DEFAULT_PUBLIC_ROLES
    assert Role.STAFF in DEFAULT_PUBLIC_ROLES
    assert Role.VISITOR not in DEFAULT_PUBLIC_ROLES
    assert Role.CONTRACTOR not in DEFAULT_PUBLIC_ROLES
