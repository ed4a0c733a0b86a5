"""The gate desk's websocket commands (``community_access/gate/...``), for guards.

A guard (a user the options name, or an admin) registers visitors, checks
them in and out, lets in a resident without a card after checking them, and
watches the visits and the latest entries at the gates live. Each command
calls the same core method as the matching service. The visitor being
handled is named in full; residents and everyone in the access record are
masked unless the community shows full names.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import voluptuous as vol

from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.models import (
    PassKind,
    PersonStatus,
    Role as PersonRole,
    Visit,
    VisitStatus,
    ZoneKind,
)
from custom_components.community_access.core.storage import AuditQuery, AuditRecord
from custom_components.community_access.core.visitors import PassResult
from custom_components.community_access.names import shown_name
from custom_components.community_access.operations.renovation import renovation_fields
from custom_components.community_access.runtime import (
    CommunityConfigEntry,
    async_guard_entry,
    visitor_desk,
)
from custom_components.community_access.service_helpers import CARD_FIELD
from custom_components.community_access.service_numbers import ID, strict_int
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .live import async_track_records, async_track_visits
from .roles import Role, is_guard
from .serialize import access_item, visit_item
from .ws_common import community_command, door_name

RECENT = 30
SEARCH_LIMIT = 20
_TEXT = vol.All(str, vol.Length(min=1, max=200))
_SHORT = vol.All(str, vol.Length(min=1, max=64))


def gate_doors(entry: CommunityConfigEntry) -> set[str]:
    """Ids of the community's gate doors."""
    return {
        door.id
        for door in entry.runtime_data.community.index.doors.values()
        if door.zone.kind is ZoneKind.GATE
    }


def gate_visit(entry: CommunityConfigEntry, visit: Visit) -> dict[str, Any]:
    """Shape a visit for the guard: the visitor they handle is named in full."""
    return visit_item(visit, visitor_desk(entry).unit_of(visit), full_names=True)


def gate_record(
    entry: CommunityConfigEntry, record: AuditRecord, language: str
) -> dict[str, Any]:
    """Shape an access record for the guard (people masked unless shown)."""
    return access_item(
        record,
        door_name(entry, record.door_id),
        language,
        entry.runtime_data.full_names,
    )


def _pass(entry: CommunityConfigEntry, result: PassResult) -> dict[str, Any]:
    # The PIN or QR payload to hand over: shown once, to the guard only.
    return gate_visit(entry, result.visit) | {"code": result.code}


async def _recent(entry: CommunityConfigEntry, language: str) -> list[dict[str, Any]]:
    community = entry.runtime_data.community
    records: list[AuditRecord] = []
    for door_id in sorted(gate_doors(entry)):
        records += await community.query_access_log(
            AuditQuery(door_id=door_id, limit=RECENT)
        )
    records.sort(key=lambda r: (r.at, r.id or 0), reverse=True)
    return [gate_record(entry, r, language) for r in records[:RECENT]]


async def overview(entry: CommunityConfigEntry, language: str) -> dict[str, Any]:
    """Return what the gate desk shows: visits by state and the latest gate entries."""
    visits = sorted(visitor_desk(entry).visits.values(), key=lambda v: v.id)
    now = dt_util.now()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = midnight + timedelta(days=1)

    def items(*statuses: VisitStatus) -> list[dict[str, Any]]:
        return [gate_visit(entry, v) for v in visits if v.status in statuses]

    return {
        "pending": items(VisitStatus.PENDING),
        # Holding a pass: the guard checks them out from here.
        "on_site": items(VisitStatus.APPROVED, VisitStatus.ON_SITE),
        "overdue": items(VisitStatus.OVERDUE),
        "expected_today": [
            gate_visit(entry, v)
            for v in visits
            if v.status is VisitStatus.EXPECTED
            and v.window_from is not None
            and v.window_until is not None
            and v.window_from < tomorrow
            and v.window_until > midnight
        ],
        "recent": await _recent(entry, language),
    }


@community_command("gate/overview", {}, Role.GUARD)
async def ws_overview(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Visits pending, on site, overdue, expected today; the latest gate entries."""
    return await overview(entry, msg["language"])


@community_command("gate/subscribe", {}, Role.GUARD)
async def ws_subscribe(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Send the overview, then each changed visit and each new record at a gate."""
    msg_id, language = msg["id"], msg["language"]
    user = connection.user

    def _still_guard() -> bool:
        return user is not None and is_guard(entry, user)

    @callback
    def _visit(visit: Visit) -> None:
        if _still_guard():
            connection.send_message(
                event_message(msg_id, {"visit": gate_visit(entry, visit)})
            )

    @callback
    def _record(record: AuditRecord) -> None:
        if record.door_id in gate_doors(entry) and _still_guard():
            connection.send_message(
                event_message(msg_id, {"record": gate_record(entry, record, language)})
            )

    unsubs = [
        async_track_visits(hass, entry, _visit),
        async_track_records(hass, entry, _record),
    ]

    @callback
    def _unsubscribe() -> None:
        for unsub in unsubs:
            unsub()

    connection.subscriptions[msg_id] = _unsubscribe
    return await overview(entry, language)


@community_command(
    "gate/register_visitor",
    {
        vol.Required("name"): _TEXT,
        vol.Required("id_number"): _SHORT,
        vol.Required("unit"): _SHORT,
        vol.Required("phone"): _SHORT,
        vol.Optional("purpose"): _TEXT,
        vol.Optional("minutes"): strict_int(1, 24 * 60),
        vol.Optional("pass_kind"): vol.In([k.value for k in PassKind]),
        vol.Optional("card_number"): CARD_FIELD,
    },
    Role.GUARD,
)
async def ws_register_visitor(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Register a visitor at the gate; the host is asked (as the service does)."""
    visit = await visitor_desk(entry).register(
        unit=msg["unit"],
        name=msg["name"],
        id_number=msg["id_number"],
        phone=msg["phone"],
        purpose=msg.get("purpose"),
        expected_minutes=msg.get("minutes"),
        card_number=msg.get("card_number"),
        pass_kind=PassKind(msg["pass_kind"]) if "pass_kind" in msg else None,
        registered_by=connection.user.id if connection.user else None,
    )
    return gate_visit(entry, visit)


@community_command(
    "gate/check_in",
    {
        vol.Optional("code"): _SHORT,
        vol.Inclusive("name", "by_name"): _TEXT,
        vol.Inclusive("phone", "by_name"): _SHORT,
        vol.Optional("card_number"): CARD_FIELD,
    },
    Role.GUARD,
)
async def ws_check_in(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Admit a pre-registered visitor by code, or by name and phone."""
    if "code" not in msg and "name" not in msg:
        raise CommunityError("code_or_name_and_phone_required")
    result = await visitor_desk(entry).check_in(
        code=msg.get("code"),
        name=msg.get("name"),
        phone=msg.get("phone"),
        card_number=msg.get("card_number"),
        checked_by=connection.user.id if connection.user else None,
    )
    return _pass(entry, result)


@community_command(
    "gate/check_out",
    {vol.Required("visit_id"): ID, vol.Required("card_returned"): bool},
    Role.GUARD,
)
async def ws_check_out(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Let a visitor leave (a visitor card not returned leaves the visit overdue)."""
    visit = await visitor_desk(entry).check_out(
        msg["visit_id"],
        card_returned=msg["card_returned"],
        checked_by=connection.user.id if connection.user else None,
    )
    return gate_visit(entry, visit)


@community_command(
    "gate/guard_verified_entry",
    {
        vol.Required("door_id"): _SHORT,
        vol.Required("person_id"): ID,
        vol.Optional("note"): vol.All(str, vol.Length(max=500)),
    },
    Role.GUARD,
)
async def ws_guard_verified_entry(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Let in a resident without a card after the guard's check; the door opens."""
    community = entry.runtime_data.community
    person = community.person(msg["person_id"])
    household = (
        community.index.households.get(person.household_id)
        if person.household_id is not None
        else None
    )
    if household is None:
        raise CommunityError("person_not_in_household", unit="")
    decision = await async_guard_entry(
        hass,
        entry,
        msg["door_id"],
        unit=str(household.unit),
        person_id=person.id,
        note=msg.get("note"),
        context=Context(user_id=connection.user.id if connection.user else None),
    )
    records = await community.query_access_log(
        AuditQuery(person_id=person.id, door_id=decision.door_id, limit=1)
    )
    return gate_record(entry, records[0], msg["language"])


@community_command(
    "gate/people_search",
    {vol.Required("query"): vol.All(str, vol.Length(min=1, max=100))},
    Role.GUARD,
)
async def ws_people_search(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> list[dict[str, Any]]:
    """Residents by unit prefix or name (masked names, units shown), at most 20."""
    index = entry.runtime_data.community.index
    query = msg["query"].strip().casefold()
    found: list[dict[str, Any]] = []
    for person in sorted(index.persons.values(), key=lambda p: p.id):
        household = (
            index.households.get(person.household_id)
            if person.household_id is not None
            else None
        )
        if (
            household is None
            or person.role is PersonRole.VISITOR
            or person.status is PersonStatus.MOVED_OUT
        ):
            continue
        unit = str(household.unit)
        if not (unit.startswith(query) or query in person.name.casefold()):
            continue
        found.append(
            {
                "person_id": person.id,
                "name": shown_name(person.name, entry.runtime_data.full_names),
                "unit": unit,
                "role": person.role.value,
                # A contractor on a renovation: its company and period.
                **renovation_fields(entry, person.id),
            }
        )
        if len(found) >= SEARCH_LIMIT:
            break
    return found


COMMANDS = (
    ws_overview,
    ws_subscribe,
    ws_register_visitor,
    ws_check_in,
    ws_check_out,
    ws_guard_verified_entry,
    ws_people_search,
)
