"""Card-desk services (seeds 121–124, 1.2, 4.2, 4.4, 4.8, 4.9, 143, 权限管理规范).

Thin: validate the shape of the call, hand it to the core's card desk and
permission review, and turn the result into response data (amounts in yuan).
"""

from __future__ import annotations

from typing import Any, cast

import voluptuous as vol

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
)
from homeassistant.helpers import config_validation as cv, issue_registry as ir
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonValueType

from .const import DOMAIN
from .core.carddesk import CardDesk, CardResult
from .core.models import TEMPORARY_ROLES, LedgerKind, Role
from .core.review import PermissionReview
from .core.schedule import Schedule
from .runtime import CommunityConfigEntry, async_guard_entry
from .service_helpers import (
    CARD_FIELD,
    ENTRY_FIELD,
    Handler,
    actor,
    aware,
    decision_response,
    resolve_door,
    service_error,
    to_cents,
)
from .service_numbers import ID, money, strict_int

ATTR_CARD_NUMBER = "card_number"
ATTR_PERSON_ID = "person_id"
ATTR_CREDENTIAL_ID = "credential_id"
ATTR_DEPOSIT = "deposit"
ATTR_FEE = "fee"
ATTR_DAMAGED = "damaged"
ATTR_UNIT = "unit"
ATTR_VALID_FROM = "valid_from"
ATTR_VALID_UNTIL = "valid_until"
ATTR_SCHEDULE = "schedule"
ATTR_NAME = "name"
ATTR_ROLE = "role"
ATTR_ID_NUMBER = "id_number"
ATTR_PHONE = "phone"
ATTR_EXTRA_ZONES = "extra_zones"
ATTR_RETURNED_CARDS = "returned_card_ids"
ATTR_OWNER = "owner_person_id"
ATTR_COMPANY = "company"
ATTR_TOOLS = "tools"
ATTR_HOURS = "hours"
ATTR_UNUSED_DAYS = "unused_days"
ATTR_EXPIRING_DAYS = "expiring_days"
ATTR_DOOR = "door"
ATTR_NOTE = "note"
ATTR_OCCUPANCY = "occupancy"

REVIEW_ISSUE_ID = "permission_review_due"

_ID = ID
_MONEY = money(0)
_CARD = CARD_FIELD


ISSUE_CARD_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required(ATTR_PERSON_ID): _ID,
        vol.Required(ATTR_CARD_NUMBER): _CARD,
        vol.Optional(ATTR_DEPOSIT): _MONEY,
        vol.Optional(ATTR_VALID_FROM): cv.datetime,
        vol.Optional(ATTR_VALID_UNTIL): cv.datetime,
        vol.Optional(ATTR_SCHEDULE): dict,
    }
)
CREDENTIAL_SCHEMA = vol.Schema({**ENTRY_FIELD, vol.Required(ATTR_CREDENTIAL_ID): _ID})
REISSUE_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required(ATTR_CREDENTIAL_ID): _ID,
        vol.Required(ATTR_CARD_NUMBER): _CARD,
        vol.Optional(ATTR_FEE): _MONEY,
    }
)
RETURN_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required(ATTR_CREDENTIAL_ID): _ID,
        vol.Optional(ATTR_DAMAGED, default=False): cv.boolean,
    }
)
UPDATE_PERSON_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required(ATTR_PERSON_ID): _ID,
        vol.Optional(ATTR_NAME): cv.string,
        vol.Optional(ATTR_ROLE): vol.In([r.value for r in Role]),
        vol.Optional(ATTR_ID_NUMBER): vol.Any(None, cv.string),
        vol.Optional(ATTR_PHONE): vol.Any(None, cv.string),
        vol.Optional(ATTR_VALID_FROM): vol.Any(None, cv.datetime),
        vol.Optional(ATTR_VALID_UNTIL): vol.Any(None, cv.datetime),
        vol.Optional(ATTR_EXTRA_ZONES): vol.All(cv.ensure_list, [cv.string]),
    }
)
MOVE_OUT_SCHEMA = vol.All(
    vol.Schema(
        {
            **ENTRY_FIELD,
            vol.Optional(ATTR_UNIT): cv.string,
            vol.Optional(ATTR_PERSON_ID): _ID,
            vol.Optional(ATTR_RETURNED_CARDS, default=list): vol.All(
                cv.ensure_list, [_ID]
            ),
        }
    ),
    cv.has_at_least_one_key(ATTR_UNIT, ATTR_PERSON_ID),
    cv.has_at_most_one_key(ATTR_UNIT, ATTR_PERSON_ID),
)
TEMPORARY_CARD_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required(ATTR_OWNER): _ID,
        vol.Required(ATTR_NAME): cv.string,
        vol.Required(ATTR_ROLE): vol.In(sorted(r.value for r in TEMPORARY_ROLES)),
        vol.Required(ATTR_ID_NUMBER): cv.string,
        vol.Required(ATTR_CARD_NUMBER): _CARD,
        vol.Required(ATTR_VALID_UNTIL): cv.datetime,
        vol.Optional(ATTR_VALID_FROM): cv.datetime,
        vol.Optional(ATTR_PHONE): cv.string,
        vol.Optional(ATTR_DEPOSIT): _MONEY,
    }
)
CONTRACTOR_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required(ATTR_UNIT): cv.string,
        vol.Required(ATTR_NAME): cv.string,
        vol.Required(ATTR_ID_NUMBER): cv.string,
        vol.Required(ATTR_VALID_UNTIL): cv.datetime,
        vol.Optional(ATTR_COMPANY): cv.string,
        vol.Optional(ATTR_TOOLS, default=list): vol.All(cv.ensure_list, [cv.string]),
        vol.Optional(ATTR_PHONE): cv.string,
        vol.Optional(ATTR_CARD_NUMBER): _CARD,
        vol.Optional(ATTR_HOURS): dict,
        vol.Optional(ATTR_DEPOSIT): _MONEY,
    }
)
STATEMENT_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required(ATTR_UNIT): cv.string,
        # From 1; no more than the unit has had is checked in the core.
        vol.Optional(ATTR_OCCUPANCY): strict_int(1, 1000),
    }
)
REVIEW_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Optional(ATTR_UNUSED_DAYS, default=90): strict_int(1, 3650),
        vol.Optional(ATTR_EXPIRING_DAYS, default=30): strict_int(0, 3650),
    }
)
GUARD_ENTRY_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required(ATTR_DOOR): cv.string,
        vol.Required(ATTR_UNIT): cv.string,
        vol.Required(ATTR_PERSON_ID): _ID,
        vol.Optional(ATTR_NOTE): vol.All(cv.string, vol.Length(max=500)),
    }
)


def _schedule(data: dict[str, Any] | None) -> Schedule | None:
    if data is None:
        return None
    try:
        return Schedule.from_dict(data)
    except (ValueError, TypeError) as err:
        raise service_error("invalid_schedule", error=str(err)[:100]) from None


def _yuan(cents: int) -> float:
    return cents / 100


def _card_response(result: CardResult) -> dict[str, Any]:
    credential = result.credential
    amounts = {kind.value: 0 for kind in LedgerKind}
    for entry in result.ledger:
        amounts[entry.kind.value] += entry.amount_cents
    return {
        "credential_id": credential.id,
        "person_id": credential.person_id,
        "credential": credential.masked,
        "status": credential.status.value,
        "deposit_held": _yuan(credential.deposit_cents),
        "ledger": {kind: _yuan(cents) for kind, cents in amounts.items() if cents},
    }


async def _issue_card(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    data = call.data
    result = await CardDesk(entry.runtime_data.community).issue_card(
        person_id=data[ATTR_PERSON_ID],
        card_number=data[ATTR_CARD_NUMBER],
        deposit_cents=to_cents(data.get(ATTR_DEPOSIT)),
        valid_from=aware(data.get(ATTR_VALID_FROM)),
        valid_until=aware(data.get(ATTR_VALID_UNTIL)),
        schedule=_schedule(data.get(ATTR_SCHEDULE)),
        recorded_by=actor(call),
    )
    return _card_response(result)


async def _report_lost(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    credential = await CardDesk(entry.runtime_data.community).report_lost(
        call.data[ATTR_CREDENTIAL_ID], recorded_by=actor(call)
    )
    return {"credential_id": credential.id, "status": credential.status.value}


async def _reissue(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    result = await CardDesk(entry.runtime_data.community).reissue_card(
        call.data[ATTR_CREDENTIAL_ID],
        card_number=call.data[ATTR_CARD_NUMBER],
        fee_cents=to_cents(call.data.get(ATTR_FEE)),
        recorded_by=actor(call),
    )
    return _card_response(result) | {"replaces": call.data[ATTR_CREDENTIAL_ID]}


async def _return(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    result = await CardDesk(entry.runtime_data.community).return_card(
        call.data[ATTR_CREDENTIAL_ID],
        damaged=call.data[ATTR_DAMAGED],
        recorded_by=actor(call),
    )
    return _card_response(result)


async def _revoke(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    credential = await entry.runtime_data.community.revoke_credential(
        call.data[ATTR_CREDENTIAL_ID]
    )
    return {"credential_id": credential.id, "status": credential.status.value}


async def _update_person(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    changes: dict[str, Any] = {}
    for key in (ATTR_NAME, ATTR_ROLE, ATTR_EXTRA_ZONES):
        if key in call.data:
            changes[key] = call.data[key]
    for key in (ATTR_ID_NUMBER, ATTR_PHONE):
        if key in call.data:
            changes[key] = call.data[key] or None  # empty clears
    for key in (ATTR_VALID_FROM, ATTR_VALID_UNTIL):
        if key in call.data:
            changes[key] = aware(call.data[key])
    person = await entry.runtime_data.community.update_person(
        call.data[ATTR_PERSON_ID], **changes
    )
    return {
        "person_id": person.id,
        "name": person.name,
        "role": person.role.value,
        "id_number": person.id_number_masked,
        "phone": person.phone_masked,
        "valid_from": person.valid_from.isoformat() if person.valid_from else None,
        "valid_until": person.valid_until.isoformat() if person.valid_until else None,
        "extra_zones": cast("list[JsonValueType]", sorted(person.extra_zones)),
    }


async def _move_out(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    result = await CardDesk(entry.runtime_data.community).move_out(
        unit=call.data.get(ATTR_UNIT),
        person_id=call.data.get(ATTR_PERSON_ID),
        returned_card_ids=call.data[ATTR_RETURNED_CARDS],
        recorded_by=actor(call),
    )
    return {
        "person_ids": [p.id for p in result.persons],
        "credentials_cancelled": len(result.cancelled),
        "refunded": _yuan(
            sum(e.amount_cents for e in result.ledger if e.kind is LedgerKind.REFUND)
        ),
        "deposits_kept": _yuan(
            sum(
                e.amount_cents
                for e in result.ledger
                if e.kind is LedgerKind.DEPOSIT_KEPT
            )
        ),
        "personal_data_erased_after": result.erase_after.isoformat(),
    }


async def _temporary_card(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    data = call.data
    valid_until = aware(data[ATTR_VALID_UNTIL])
    assert valid_until is not None
    result = await CardDesk(entry.runtime_data.community).issue_temporary_card(
        declared_by=data[ATTR_OWNER],
        name=data[ATTR_NAME],
        role=Role(data[ATTR_ROLE]),
        id_number=data[ATTR_ID_NUMBER],
        card_number=data[ATTR_CARD_NUMBER],
        valid_until=valid_until,
        valid_from=aware(data.get(ATTR_VALID_FROM)),
        phone=data.get(ATTR_PHONE),
        deposit_cents=to_cents(data.get(ATTR_DEPOSIT)),
        recorded_by=actor(call),
    )
    return _card_response(result)


async def _contractor(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    data = call.data
    valid_until = aware(data[ATTR_VALID_UNTIL])
    assert valid_until is not None
    person, result = await CardDesk(entry.runtime_data.community).register_contractor(
        unit=data[ATTR_UNIT],
        name=data[ATTR_NAME],
        id_number=data[ATTR_ID_NUMBER],
        valid_until=valid_until,
        company=data.get(ATTR_COMPANY),
        tools=data[ATTR_TOOLS],
        phone=data.get(ATTR_PHONE),
        card_number=data.get(ATTR_CARD_NUMBER),
        hours=_schedule(data.get(ATTR_HOURS)),
        deposit_cents=to_cents(data.get(ATTR_DEPOSIT)),
        recorded_by=actor(call),
    )
    response: dict[str, Any] = {
        "person_id": person.id,
        "company": (person.details or {}).get("company"),
        "tools": (person.details or {}).get("tools", []),
    }
    if result is not None:
        response |= _card_response(result)
    return response


async def _statement(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    statement = await CardDesk(entry.runtime_data.community).statement(
        call.data[ATTR_UNIT], call.data.get(ATTR_OCCUPANCY)
    )
    return {
        "unit": str(statement.household.unit),
        "occupancy": statement.occupancy,
        "occupancies": statement.occupancies,
        "entries": [
            {
                "at": e.at.isoformat(),
                "entry": e.kind.value,
                "amount": _yuan(e.amount_cents),
                "person_id": e.person_id,
                "credential_id": e.credential_id,
                "recorded_by": e.recorded_by,
                "note": e.note,
            }
            for e in statement.entries
        ],
        "deposits_paid": _yuan(statement.deposits_paid),
        "refunded": _yuan(statement.refunded),
        "deposits_kept": _yuan(statement.deposits_kept),
        "fees": _yuan(statement.fees),
        "fines": _yuan(statement.fines),
        "deposits_held": _yuan(statement.deposits_held),
        "balance": _yuan(statement.balance),
    }


async def _review(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    community = entry.runtime_data.community
    items = await PermissionReview(community).review(
        dt_util.utcnow(),
        unused_days=call.data[ATTR_UNUSED_DAYS],
        expiring_days=call.data[ATTR_EXPIRING_DAYS],
    )
    ir.async_delete_issue(hass, DOMAIN, f"{REVIEW_ISSUE_ID}_{entry.entry_id}")
    return {
        "count": len(items),
        "items": [
            {
                "credential_id": item.credential.id,
                "kind": item.credential.kind.value,
                "credential": item.credential.masked,
                "finding": item.finding,
                "last_used": item.last_used.isoformat() if item.last_used else None,
                "valid_until": item.credential.valid_until.isoformat()
                if item.credential.valid_until
                else None,
                **community.who(item.credential.person_id),
            }
            for item in items
        ],
    }


async def _guard_entry(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    door_id = resolve_door(hass, entry, call.data[ATTR_DOOR])
    decision = await async_guard_entry(
        hass,
        entry,
        door_id,
        unit=call.data[ATTR_UNIT],
        person_id=call.data[ATTR_PERSON_ID],
        note=call.data.get(ATTR_NOTE),
        context=call.context,
    )
    return decision_response(decision, door_id)


DESK_SERVICES: dict[str, tuple[Handler, vol.Schema | vol.All, SupportsResponse]] = {
    "issue_card": (_issue_card, ISSUE_CARD_SCHEMA, SupportsResponse.OPTIONAL),
    "report_card_lost": (_report_lost, CREDENTIAL_SCHEMA, SupportsResponse.OPTIONAL),
    "reissue_card": (_reissue, REISSUE_SCHEMA, SupportsResponse.OPTIONAL),
    "return_card": (_return, RETURN_SCHEMA, SupportsResponse.OPTIONAL),
    "revoke_credential": (_revoke, CREDENTIAL_SCHEMA, SupportsResponse.OPTIONAL),
    "update_person": (_update_person, UPDATE_PERSON_SCHEMA, SupportsResponse.OPTIONAL),
    "move_out": (_move_out, MOVE_OUT_SCHEMA, SupportsResponse.OPTIONAL),
    "issue_temporary_card": (
        _temporary_card,
        TEMPORARY_CARD_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    "register_contractor": (_contractor, CONTRACTOR_SCHEMA, SupportsResponse.OPTIONAL),
    "household_statement": (_statement, STATEMENT_SCHEMA, SupportsResponse.ONLY),
    "review_permissions": (_review, REVIEW_SCHEMA, SupportsResponse.ONLY),
    "guard_verified_entry": (
        _guard_entry,
        GUARD_ENTRY_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
}
