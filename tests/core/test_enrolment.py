"""The registry of enrolment captures: one per door, cards only, until it expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.community_access.core.enrolment import (
    Capture,
    CardCaptures,
    audit_details,
)
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.models import CredentialKind
from custom_components.community_access.core.privacy import plain_card_number

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _capture(door_id: str = "gate", seconds: int = 60) -> Capture:
    return Capture(door_id, "admin", NOW + timedelta(seconds=seconds), lambda _: None)


def test_one_live_capture_per_door() -> None:
    """A second capture at a door is refused by name; after expiry it is allowed."""
    captures = CardCaptures()
    first = _capture()
    captures.open(first, NOW, "Main gate")
    with pytest.raises(CommunityError) as err:
        captures.open(_capture(), NOW, "Main gate")
    assert err.value.key == "card_capture_busy"
    assert err.value.placeholders == {"door": "Main gate"}
    captures.open(_capture("b3"), NOW, "Building 3")
    assert len(captures) == 2
    later = _capture(seconds=120)
    captures.open(later, NOW + timedelta(seconds=61), "Main gate")
    # The old capture's release no longer touches the new one.
    captures.release(first)
    assert captures.take("gate", CredentialKind.CARD, NOW + timedelta(seconds=62)) is (
        later
    )


def test_take_cards_only_once_and_before_expiry() -> None:
    """PINs and faces pass by; a card closes the capture; an expired one takes none."""
    captures = CardCaptures()
    capture = _capture(seconds=10)
    captures.open(capture, NOW, "Main gate")
    assert captures.take("gate", CredentialKind.PIN, NOW) is None
    assert captures.take("gate", CredentialKind.FACE, NOW) is None
    assert captures.take("b3", CredentialKind.CARD, NOW) is None
    assert captures.take("gate", CredentialKind.CARD, NOW) is capture
    assert captures.take("gate", CredentialKind.CARD, NOW) is None
    captures.open(_capture(seconds=10), NOW, "Main gate")
    assert captures.take("gate", CredentialKind.CARD, NOW + timedelta(seconds=10)) is (
        None
    )


def test_number_kept_as_read_and_audit_without_it() -> None:
    """Leading zeros stay (issuable as read); the audit details hold a mask only."""
    assert plain_card_number(" 00-12:34.56_78 ") == "0012345678"
    assert plain_card_number("04a1b2c3") == "04A1B2C3"
    details = audit_details("gate", "Main gate", "0012345678")
    assert details == {"door_id": "gate", "door": "Main gate", "masked": "****5678"}
    assert "12345678" not in str(details)
