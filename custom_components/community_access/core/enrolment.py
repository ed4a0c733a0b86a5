"""Enrolment captures: the next card shown at a door goes to the card desk.

An administrator issuing a card may read it at a door's reader instead of
typing its number. While a capture is open for a door (one at a time per
door), the next card presented there is handed to the capture instead of
being decided as an access: the door stays shut and nothing is recorded as
an access. PINs, faces and the like are decided as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .community import Community
from .errors import CommunityError
from .models import CredentialKind, CredentialStatus
from .privacy import mask_credential, plain_card_number

#: Audit-trail action of a card read for enrolment (``admin_log``).
CARD_READ_FOR_ENROLMENT = "card_read_for_enrolment"

#: A card in these states is someone's: the card desk would refuse to issue it.
_HELD = (CredentialStatus.ACTIVE, CredentialStatus.LOST)


@dataclass(eq=False, slots=True)
class Capture:
    """An administrator waiting for a card at a door."""

    door_id: str
    #: Home Assistant user id of the administrator.
    user_id: str | None
    expires_at: datetime
    #: Called once with the card number as read.
    deliver: Callable[[str], None]


class CardCaptures:
    """The open captures of a community, by door."""

    def __init__(self) -> None:
        """Start with none."""
        self._by_door: dict[str, Capture] = {}

    def open(self, capture: Capture, now: datetime, door_name: str) -> None:
        """Open a capture; refuse when the door already has a live one."""
        current = self._by_door.get(capture.door_id)
        if current is not None and current.expires_at > now:
            raise CommunityError("card_capture_busy", door=door_name)
        self._by_door[capture.door_id] = capture

    def release(self, capture: Capture) -> None:
        """Close a capture (no-op if it already took a card or was replaced)."""
        if self._by_door.get(capture.door_id) is capture:
            del self._by_door[capture.door_id]

    def take(self, door_id: str, kind: CredentialKind, at: datetime) -> Capture | None:
        """Return (and close) the live capture a presentation belongs to, if any."""
        if kind is not CredentialKind.CARD:
            return None
        capture = self._by_door.get(door_id)
        if capture is None or capture.expires_at <= at:
            return None
        del self._by_door[door_id]
        return capture

    def __len__(self) -> int:
        """How many doors have a capture open."""
        return len(self._by_door)


def card_read(community: Community, value: str) -> dict[str, Any]:
    """Return what the administrator is told of a card read: number, mask, holder.

    ``known``: someone holds the card (active, or reported lost); a card
    handed back, cancelled or expired may be issued again and is not known.
    """
    number = plain_card_number(value)
    read: dict[str, Any] = {
        "card_number": number,
        "masked": mask_credential(CredentialKind.CARD, number),
        "known": False,
    }
    index = community.index
    credential = index.credential_by_digest(
        community.vault.credential_digest(CredentialKind.CARD, number)
    )
    if (
        credential is None
        or credential.kind is not CredentialKind.CARD
        or credential.status not in _HELD
    ):
        return read
    person = index.persons.get(credential.person_id)
    household = (
        index.households.get(person.household_id)
        if person is not None and person.household_id is not None
        else None
    )
    read["known"] = True
    read["holder"] = {
        "person_id": credential.person_id,
        "name": person.name if person is not None else None,
        "unit": str(household.unit) if household is not None else None,
        "status": credential.status.value,
    }
    return read


def audit_details(door_id: str, door_name: str | None, value: str) -> dict[str, Any]:
    """Details of the audit line of a card read: the door and the masked number."""
    return {
        "door_id": door_id,
        "door": door_name,
        "masked": mask_credential(CredentialKind.CARD, value),
    }
