"""Plain JSON shapes of visits and access records for the panels.

Small functions, no logic beyond shaping: the caller decides whether a name
is shown in full (:func:`..names.shown_name` otherwise masks it). No ID
number, phone or credential value ever appears here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from custom_components.community_access.core.models import Credential, Visit
from custom_components.community_access.core.storage import AuditRecord
from custom_components.community_access.names import shown_name
from custom_components.community_access.words import REASONS, word


def iso(value: datetime | None) -> str | None:
    """Return an ISO 8601 string in UTC (``None`` stays ``None``)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def visit_item(visit: Visit, unit: str, *, full_name: bool) -> dict[str, Any]:
    """Shape a visit as the panels list it (visitor masked unless ``full_name``)."""
    return {
        "visit_id": visit.id,
        "visitor_name": shown_name(visit.visitor_name, full_name),
        "unit": unit,
        "status": visit.status.value,
        "pass_kind": visit.pass_kind.value if visit.pass_kind else None,
        "purpose": visit.purpose,
        "pre_registered": visit.pre_registered,
        "window_start": iso(visit.window_from),
        "window_end": iso(visit.window_until),
        "valid_until": iso(visit.valid_until),
        "deadline": iso(visit.deadline_at),
        "registered_at": iso(visit.created_at),
        # Only a check-in stores when the visitor arrived.
        "on_site_since": iso(visit.checked_in_at),
        "close_reason": visit.close_reason,
    }


def access_item(
    record: AuditRecord, language: str, *, full_name: bool
) -> dict[str, Any]:
    """Shape an access record for the panels (person masked unless ``full_name``)."""
    return {
        "record_id": record.id,
        "at": iso(record.at),
        "door_id": record.door_id,
        "door": record.door_name,
        "granted": record.granted,
        "reason": record.reason,
        "reason_text": word(REASONS, record.reason, language),
        "kind": record.kind,
        "person_id": record.person_id,
        "person_name": shown_name(record.person_name, full_name),
        "unit": record.unit,
        "source": record.source,
    }


def credential_item(credential: Credential) -> dict[str, Any]:
    """Shape a credential as a resident sees it: kind, masked value, status, end."""
    return {
        "credential_id": credential.id,
        "person_id": credential.person_id,
        "kind": credential.kind.value,
        "masked": credential.masked,
        "status": credential.status.value,
        "valid_until": iso(credential.valid_until),
    }
