"""Plain dicts of the core's objects, as the panels' websocket commands send them.

Every function here is pure: the caller says whether names go out in full
(office commands; a guard's own visitor; a resident's own household) or
masked (:func:`.names.shown_name`). ID numbers never leave (except a person's
``id_number_masked`` for the office), card numbers and phones only masked,
PINs never. Times are ISO 8601 in UTC, money in yuan.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from custom_components.community_access.core.carddesk import Statement
from custom_components.community_access.core.community import Community
from custom_components.community_access.core.models import (
    Credential,
    Household,
    Penalty,
    Person,
    Visit,
    VisitStatus,
)
from custom_components.community_access.core.storage import AuditRecord
from custom_components.community_access.names import shown_name
from custom_components.community_access.words import (
    REASONS,
    REGULATIONS,
    VIOLATIONS,
    word,
)


def iso(value: datetime | None) -> str | None:
    """Return an ISO 8601 string in UTC (``None`` stays ``None``)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def yuan(cents: int | None) -> float:
    """Fen to yuan."""
    return (cents or 0) / 100


def page(total: int, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Return a page of a list, as every paged command answers."""
    return {"total": total, "items": items}


def visit_item(visit: Visit, unit: str, *, full_names: bool) -> dict[str, Any]:
    """Return a visit: who (masked unless ``full_names``), for which unit, where it stands."""
    on_site = visit.status in (VisitStatus.ON_SITE, VisitStatus.OVERDUE)
    return {
        "visit_id": visit.id,
        "visitor_name": shown_name(visit.visitor_name, full_names),
        "unit": unit,
        "status": visit.status.value,
        "pass_kind": visit.pass_kind.value if visit.pass_kind else None,
        "purpose": visit.purpose,
        "pre_registered": visit.pre_registered,
        "deadline": iso(visit.deadline_at),
        "close_reason": visit.close_reason,
        "window_start": iso(visit.window_from),
        "window_end": iso(visit.window_until),
        "valid_until": iso(visit.valid_until),
        "registered_at": iso(visit.created_at),
        # A check-in stores the arrival; otherwise the pass's start stands in.
        "on_site_since": iso(
            visit.checked_in_at or (visit.valid_from if on_site else None)
        ),
    }


def access_item(
    record: AuditRecord, door_name: str | None, language: str, full_names: bool
) -> dict[str, Any]:
    """One access record, its reason in words in ``language``.

    ``door_name``: the door's name now (a renamed door), else the recorded one.
    """
    return {
        "record_id": record.id,
        "at": iso(record.at),
        "door_id": record.door_id,
        "door": door_name or record.door_name,
        "granted": record.granted,
        "reason": record.reason,
        "reason_text": word(REASONS, record.reason, language),
        "kind": record.kind,
        "person_id": record.person_id,
        "person_name": shown_name(record.person_name, full_names),
        "unit": record.unit,
        "source": record.source,
    }


def person_item(person: Person) -> dict[str, Any]:
    """Return a person for the office (full name; ID number and phone masked)."""
    return {
        "person_id": person.id,
        "name": person.name,
        "role": person.role.value,
        "status": person.status.value,
        "valid_from": iso(person.valid_from),
        "valid_until": iso(person.valid_until),
        "id_number_masked": person.id_number_masked,
        "phone_masked": person.phone_masked,
        "zones": sorted(person.extra_zones),
    }


def credential_item(credential: Credential) -> dict[str, Any]:
    """Return a credential, masked as the core masks it; never its value."""
    return {
        "credential_id": credential.id,
        "person_id": credential.person_id,
        "kind": credential.kind.value,
        "masked": credential.masked,
        "status": credential.status.value,
        "valid_from": iso(credential.valid_from),
        "valid_until": iso(credential.valid_until),
        "deposit": yuan(credential.deposit_cents),
        "replaces": credential.replaces_id,
    }


def household_item(
    household: Household,
    *,
    people: int,
    active_cards: int,
    card_quota: int,
) -> dict[str, Any]:
    """Return a household in the office's list."""
    return {
        "household_id": household.id,
        "unit": str(household.unit),
        "people": people,
        "active_cards": active_cards,
        "card_quota": card_quota,
        "moved_out": household.moved_out_at is not None,
        "occupancy": household.occupancy,
    }


def statement_item(statement: Statement) -> dict[str, Any]:
    """Return a household's statement: ledger entries, balance and deposits held (yuan)."""
    return {
        "entries": [
            {
                "at": iso(e.at),
                "kind": e.kind.value,
                "amount": yuan(e.amount_cents),
                "credential_id": e.credential_id,
                "note": e.note,
                "by": e.recorded_by,
            }
            for e in statement.entries
        ],
        "balance": yuan(statement.balance),
        "deposits_held": yuan(statement.deposits_held),
    }


def notice_item(
    community: Community,
    penalty: Penalty,
    violation_kind: str | None,
    language: str,
    *,
    full_names: bool,
) -> dict[str, Any]:
    """Return a public notice: the office's (``full_names``) or as published.

    As published (for residents) the name is masked and the office's own
    note is left out: the notice says who, which unit, what kind of breach.
    """
    who = community.who(penalty.person_id)
    return {
        "penalty_id": penalty.id,
        "person_name": shown_name(who["person_name"], full_names),
        "unit": who["unit"],
        "reason": word(VIOLATIONS, violation_kind, language)
        if violation_kind
        else None,
        "note": penalty.note if full_names else None,
        "start": iso(penalty.start),
        "end": iso(penalty.end),
        "lifted_at": iso(penalty.lifted_at),
        # A public notice is a rung of the penalty ladder.
        "regulation": word(REGULATIONS, "penalty_ladder", language),
    }
