"""Rule services: violations, penalties, commendations, keypad lockouts."""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
)
from homeassistant.helpers import config_validation as cv

from .core.models import Penalty, PenaltyKind, Violation, ViolationKind
from .housekeeping import keypad_lock_key
from .runtime import CommunityConfigEntry, rule_book
from .service_helpers import (
    ENTRY_FIELD,
    Handler,
    actor,
    resolve_door,
    service_error,
    small_json,
    to_cents,
)
from .service_numbers import ID, money, strict_int

_ID = ID

RECORD_SCHEMA = vol.All(
    vol.Schema(
        {
            **ENTRY_FIELD,
            vol.Optional("person_id"): _ID,
            vol.Optional("credential_id"): _ID,
            vol.Required("kind"): vol.In([k.value for k in ViolationKind]),
            vol.Optional("note"): vol.All(cv.string, vol.Length(max=500)),
            vol.Optional("evidence"): small_json(2000),
            vol.Optional("apply_ladder", default=True): cv.boolean,
        }
    ),
    cv.has_at_least_one_key("person_id", "credential_id"),
)
APPLY_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required("person_id"): _ID,
        vol.Required("kind"): vol.In([k.value for k in PenaltyKind]),
        vol.Optional("days"): strict_int(1, 3650),
        vol.Optional("amount"): money(0.01),
        vol.Optional("violation_id"): _ID,
        vol.Optional("note"): vol.All(cv.string, vol.Length(max=500)),
    }
)
LIFT_SCHEMA = vol.Schema({**ENTRY_FIELD, vol.Required("penalty_id"): _ID})
LIST_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Optional("person_id"): _ID,
        vol.Optional("unit"): cv.string,
        vol.Optional("limit", default=100): strict_int(1, 1000),
    }
)
COMMEND_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required("person_id"): _ID,
        vol.Optional("note"): vol.All(cv.string, vol.Length(max=500)),
    }
)
UNLOCK_KEYPAD_SCHEMA = vol.Schema({**ENTRY_FIELD, vol.Required("door"): cv.string})


def penalty_data(penalty: Penalty) -> dict[str, Any]:
    """Return a penalty as response data."""
    return {
        "penalty_id": penalty.id,
        "kind": penalty.kind.value,
        "person_id": penalty.person_id,
        "start": penalty.start.isoformat(),
        "end": penalty.end.isoformat() if penalty.end else None,
        "deadline": penalty.deadline.isoformat() if penalty.deadline else None,
        "amount": penalty.amount_cents / 100 if penalty.amount_cents else None,
        "violation_id": penalty.violation_id,
        "decided_by": penalty.decided_by,
        "lifted_at": penalty.lifted_at.isoformat() if penalty.lifted_at else None,
    }


def violation_data(violation: Violation, penalties: list[Penalty]) -> dict[str, Any]:
    """Return a violation as response data (the evidence holds ids only)."""
    return {
        "violation_id": violation.id,
        "at": violation.at.isoformat(),
        "kind": violation.kind.value,
        "person_id": violation.person_id,
        "household_id": violation.household_id,
        "credential_id": violation.credential_id,
        "note": violation.note,
        "status": violation.status,
        "source": violation.source,
        "recorded_by": violation.recorded_by,
        "evidence": dict(violation.evidence or {}),
        "penalties": [penalty_data(p) for p in penalties],
    }


async def _record(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    data = call.data
    result = await rule_book(entry).record_violation(
        kind=ViolationKind(data["kind"]),
        person_id=data.get("person_id"),
        credential_id=data.get("credential_id"),
        note=data.get("note"),
        evidence=data.get("evidence"),
        recorded_by=actor(call),
        apply_ladder=data["apply_ladder"],
    )
    return violation_data(result.violation, list(result.penalties))


async def _apply(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    data = call.data
    penalty = await rule_book(entry).apply_penalty(
        person_id=data["person_id"],
        kind=PenaltyKind(data["kind"]),
        days=data.get("days"),
        amount_cents=to_cents(data.get("amount")),
        violation_id=data.get("violation_id"),
        note=data.get("note"),
        decided_by=actor(call),
    )
    return penalty_data(penalty)


async def _lift(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    penalty = await rule_book(entry).lift_penalty(
        call.data["penalty_id"], lifted_by=actor(call)
    )
    return penalty_data(penalty)


async def _list(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    community = entry.runtime_data.community
    household_id = (
        community.household(call.data["unit"]).id if "unit" in call.data else None
    )
    found = await rule_book(entry).list_violations(
        person_id=call.data.get("person_id"),
        household_id=household_id,
        limit=call.data["limit"],
    )
    return {
        "count": len(found),
        "violations": [violation_data(v, p) for v, p in found],
    }


async def _commend(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    commendation = await rule_book(entry).record_commendation(
        person_id=call.data["person_id"],
        note=call.data.get("note"),
        recorded_by=actor(call),
    )
    return {"commendation_id": commendation.id}


async def _unlock_keypad(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    door_id = resolve_door(hass, entry, call.data["door"])
    detector = entry.runtime_data.community.detector
    if detector is None:
        raise service_error("no_community")
    detector.unlock_keypad(door_id)
    await hass.async_add_executor_job(
        entry.runtime_data.community.db.set_setting, keypad_lock_key(door_id), ""
    )
    operator = entry.runtime_data.doors.get(door_id)
    if operator is not None:
        operator.async_keypad_changed()
    return {"door_id": door_id, "keypad_locked": False}


RULE_SERVICES: dict[str, tuple[Handler, vol.Schema | vol.All, SupportsResponse]] = {
    "record_violation": (_record, RECORD_SCHEMA, SupportsResponse.OPTIONAL),
    "apply_penalty": (_apply, APPLY_SCHEMA, SupportsResponse.OPTIONAL),
    "lift_penalty": (_lift, LIFT_SCHEMA, SupportsResponse.OPTIONAL),
    "list_violations": (_list, LIST_SCHEMA, SupportsResponse.ONLY),
    "record_commendation": (_commend, COMMEND_SCHEMA, SupportsResponse.OPTIONAL),
    "unlock_keypad": (_unlock_keypad, UNLOCK_KEYPAD_SCHEMA, SupportsResponse.OPTIONAL),
}
