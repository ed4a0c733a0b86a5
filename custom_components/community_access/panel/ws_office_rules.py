"""Office commands: violations and penalties (the rules of the community)."""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from custom_components.community_access.core.community import Community
from custom_components.community_access.core.models import (
    Commendation,
    Penalty,
    PenaltyKind,
    ViolationKind,
)
from custom_components.community_access.runtime import CommunityConfigEntry, rule_book
from custom_components.community_access.service_helpers import to_cents
from custom_components.community_access.service_numbers import ID, money, strict_int
from custom_components.community_access.services_rules import (
    penalty_data,
    violation_data,
)
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv

from .fields import PAGING, caller
from .roles import Role
from .serialize import page
from .ws_common import community_command

NOTE = vol.All(cv.string, vol.Length(max=500))


def _named(community: Community, data: dict[str, Any]) -> dict[str, Any]:
    """Response data with the person's full name and unit (the office's view)."""
    who = community.who(data.get("person_id"))
    return data | {"person_name": who["person_name"], "unit": who["unit"]}


def penalty_item(community: Community, penalty: Penalty) -> dict[str, Any]:
    """Return a penalty with its person named."""
    return _named(community, penalty_data(penalty))


@community_command(
    "office/violations",
    {vol.Optional("open_only", default=False): cv.boolean, **PAGING},
    Role.ADMIN,
)
async def ws_violations(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Violations newest first, with the penalties that followed."""
    book = rule_book(entry)
    community = entry.runtime_data.community
    total = await book.count_violations(open_only=msg["open_only"])
    found = await book.list_violations(
        open_only=msg["open_only"], offset=msg["offset"], limit=msg["limit"]
    )
    return page(total, [_named(community, violation_data(v, p)) for v, p in found])


@community_command(
    "office/record_violation",
    {
        vol.Required("person_id"): ID,
        vol.Required("kind"): vol.In([k.value for k in ViolationKind]),
        vol.Optional("note"): NOTE,
    },
    Role.ADMIN,
)
async def ws_record_violation(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Record a violation (``record_violation``); the ladder applies its penalty."""
    result = await rule_book(entry).record_violation(
        kind=ViolationKind(msg["kind"]),
        person_id=msg["person_id"],
        note=msg.get("note"),
        recorded_by=caller(connection),
    )
    return _named(
        entry.runtime_data.community,
        violation_data(result.violation, list(result.penalties)),
    )


@community_command(
    "office/penalties",
    {vol.Optional("active_only", default=False): cv.boolean, **PAGING},
    Role.ADMIN,
)
async def ws_penalties(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Penalties newest first (only those not lifted with ``active_only``)."""
    total, found = await rule_book(entry).list_penalties(
        active_only=msg["active_only"], offset=msg["offset"], limit=msg["limit"]
    )
    community = entry.runtime_data.community
    return page(total, [penalty_item(community, p) for p in found])


@community_command(
    "office/apply_penalty",
    {
        vol.Required("person_id"): ID,
        vol.Required("kind"): vol.In([k.value for k in PenaltyKind]),
        vol.Optional("days"): strict_int(1, 3650),
        vol.Optional("amount"): money(0.01),
        vol.Optional("violation_id"): ID,
        vol.Optional("note"): NOTE,
    },
    Role.ADMIN,
)
async def ws_apply_penalty(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Apply a penalty directly (``apply_penalty``)."""
    penalty = await rule_book(entry).apply_penalty(
        person_id=msg["person_id"],
        kind=PenaltyKind(msg["kind"]),
        days=msg.get("days"),
        amount_cents=to_cents(msg.get("amount")),
        violation_id=msg.get("violation_id"),
        note=msg.get("note"),
        decided_by=caller(connection),
    )
    return penalty_item(entry.runtime_data.community, penalty)


@community_command("office/lift_penalty", {vol.Required("penalty_id"): ID}, Role.ADMIN)
async def ws_lift_penalty(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """End a penalty now (``lift_penalty``); a fine lifted is waived."""
    penalty = await rule_book(entry).lift_penalty(
        msg["penalty_id"], lifted_by=caller(connection)
    )
    return penalty_item(entry.runtime_data.community, penalty)


def commendation_item(
    community: Community, commendation: Commendation
) -> dict[str, Any]:
    """Return a commendation with its person named (the office's view)."""
    return _named(
        community,
        {
            "commendation_id": commendation.id,
            "at": commendation.at.isoformat(),
            "person_id": commendation.person_id,
            "household_id": commendation.household_id,
            "note": commendation.note,
            "recorded_by": commendation.recorded_by,
        },
    )


@community_command("office/commendations", dict(PAGING), Role.ADMIN)
async def ws_commendations(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Commendations newest first (第九条)."""
    total, found = await rule_book(entry).list_commendations(
        offset=msg["offset"], limit=msg["limit"]
    )
    community = entry.runtime_data.community
    return page(total, [commendation_item(community, c) for c in found])


@community_command(
    "office/record_commendation",
    {vol.Required("person_id"): ID, vol.Optional("note"): NOTE},
    Role.ADMIN,
)
async def ws_record_commendation(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Record a commendation (``record_commendation``)."""
    commendation = await rule_book(entry).record_commendation(
        person_id=msg["person_id"],
        note=msg.get("note"),
        recorded_by=caller(connection),
    )
    return commendation_item(entry.runtime_data.community, commendation)


COMMANDS = (
    ws_violations,
    ws_record_violation,
    ws_penalties,
    ws_apply_penalty,
    ws_lift_penalty,
    ws_commendations,
    ws_record_commendation,
)
