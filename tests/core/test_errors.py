"""CommunityError: translation key and placeholders."""

from __future__ import annotations

import pytest

from custom_components.community_access.core.errors import CommunityError


def test_key_without_placeholders() -> None:
    err = CommunityError("invalid_pin")
    assert err.key == "invalid_pin"
    assert err.placeholders == {}
    assert str(err) == "invalid_pin"
    assert err.args == ("invalid_pin",)


def test_placeholders_sorted_in_str() -> None:
    err = CommunityError("household_exists", unit="3-2-501", building="3")
    assert err.key == "household_exists"
    assert err.placeholders == {"unit": "3-2-501", "building": "3"}
    assert str(err) == "household_exists (building=3, unit=3-2-501)"


def test_is_an_exception() -> None:
    with pytest.raises(CommunityError) as info:
        raise CommunityError("unknown_person", person_id="7")
    assert info.value.placeholders["person_id"] == "7"
