"""A resident's "My home" websocket commands (``community_access/home/...``).

Every command takes the ``unit`` and refuses (``unauthorized``) a unit the
caller is not linked to (:func:`.roles.resident_units`; admins may use any
unit), and anything (a visit, a card) that is not that unit's. Each action
calls the same core method as the matching service. The household's own
people and the household's own visitors are named in full; anyone else as
the community shows names to its users (masked unless ``show_full_names``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import voluptuous as vol

from custom_components.community_access.core.carddesk import CardDesk
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.models import (
    Household,
    Person,
    Role as PersonRole,
    Visit,
    VisitStatus,
)
from custom_components.community_access.core.storage import AuditQuery
from custom_components.community_access.core.visitors import PassResult
from custom_components.community_access.runtime import (
    CommunityConfigEntry,
    rule_book,
    visitor_desk,
)
from custom_components.community_access.service_numbers import ID, strict_int
from custom_components.community_access.services_visitors import async_answer
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.exceptions import Unauthorized
from homeassistant.util import dt as dt_util

from .fields import PREREGISTER, async_preregister
from .live import async_track_visits
from .roles import Role, resident_units
from .serialize import access_item, credential_item, iso, notice_item, visit_item
from .ws_common import community_command, door_name

_UNIT = vol.All(str, vol.Length(min=1, max=32))
UNIT_FIELD: dict[vol.Marker, Any] = {vol.Required("unit"): _UNIT}
#: Records read at most for one household's page of the last 30 days.
ACCESS_CAP = 5000


def caller_id(connection: ActiveConnection) -> str | None:
    """Return the calling user's id."""
    return connection.user.id if connection.user else None


def own_household(
    entry: CommunityConfigEntry, connection: ActiveConnection, unit: str
) -> Household:
    """Return the household of ``unit`` if the caller may see it, else refuse.

    An unknown unit gets the same answer as someone else's (a resident learns
    nothing about other units); an admin is told it is unknown.
    """
    user = connection.user
    if user is None:
        raise Unauthorized
    try:
        household = entry.runtime_data.community.household(unit)
    except CommunityError:
        if user.is_admin:
            raise
        raise Unauthorized from None
    if not user.is_admin and str(household.unit) not in resident_units(entry, user):
        raise Unauthorized
    return household


def household_people(entry: CommunityConfigEntry, household: Household) -> list[Person]:
    """Return the people of the household now in the unit (not former ones, no visitors).

    A re-occupied unit keeps its record: its former occupants are another
    occupancy, and the new household sees nothing of them.
    """
    return [
        person
        for person in entry.runtime_data.community.index.persons_of(household.id)
        if person.occupancy == household.occupancy
        and person.role is not PersonRole.VISITOR
    ]


def own_visit(
    entry: CommunityConfigEntry, household: Household, visit_id: int
) -> Visit:
    """Return an active visit to the household; refuse another unit's (or none)."""
    visit = visitor_desk(entry).visits.get(visit_id)
    if visit is None or visit.household_id != household.id:
        raise Unauthorized
    return visit


def home_visit(entry: CommunityConfigEntry, visit: Visit) -> dict[str, Any]:
    """Shape a visit for the host: their own guest, named in full.

    Only the household's own visits reach here (:func:`own_visit`, the
    overview's and the subscription's filters).
    """
    return visit_item(visit, visitor_desk(entry).unit_of(visit), full_names=True)


def _pass(entry: CommunityConfigEntry, result: PassResult) -> dict[str, Any]:
    # The PIN, QR payload or check-in code for the visitor: shown once, to the host.
    return home_visit(entry, result.visit) | {"code": result.code}


async def overview(
    entry: CommunityConfigEntry, household: Household, language: str
) -> dict[str, Any]:
    """Return the household's people, credentials, visits, statement, notice.

    The notice is the newest public notice in force, as published (name
    masked), read from the database: gone once lifted, kept over a restart.
    """
    runtime = entry.runtime_data
    community = runtime.community
    index = community.index
    people = sorted(household_people(entry, household), key=lambda p: p.id)
    visits = sorted(
        (
            v
            for v in runtime.community.visits.values()
            if v.household_id == household.id
        ),
        key=lambda v: v.id,
    )
    statement = await CardDesk(community).statement(str(household.unit))
    _, notices = await rule_book(entry).list_notices(active_only=True, limit=1)
    notice = (
        notice_item(community, *notices[0], language, full_names=False)
        if notices
        else None
    )
    return {
        "unit": str(household.unit),
        "people": [
            {
                "person_id": p.id,
                "name": p.name,
                "role": p.role.value,
                "status": p.status.value,
            }
            for p in people
        ],
        "credentials": [
            credential_item(c)
            for p in people
            for c in sorted(index.credentials_of(p.id), key=lambda c: c.id)
        ],
        "pending": [
            home_visit(entry, v) for v in visits if v.status is VisitStatus.PENDING
        ],
        "upcoming": [
            home_visit(entry, v) for v in visits if v.status is not VisitStatus.PENDING
        ],
        "statement": {
            "entries": [
                {
                    "at": iso(e.at),
                    "kind": e.kind.value,
                    "amount": e.amount_cents / 100,
                    "credential_id": e.credential_id,
                    "note": e.note,
                    "by": e.recorded_by,
                }
                for e in statement.entries
            ],
            "balance": statement.balance / 100,
            "deposits_held": statement.deposits_held / 100,
        },
        "notice": notice,
    }


@community_command("home/overview", UNIT_FIELD, Role.RESIDENT)
async def ws_overview(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Show the caller's household at a glance."""
    return await overview(
        entry, own_household(entry, connection, msg["unit"]), msg["language"]
    )


@community_command(
    "home/access",
    {
        **UNIT_FIELD,
        vol.Optional("days", default=30): strict_int(1, 30),
        vol.Optional("offset", default=0): strict_int(0, ACCESS_CAP),
        vol.Optional("limit", default=50): strict_int(1, 500),
    },
    Role.RESIDENT,
)
async def ws_access(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """List the household's entries and denials of the last ``days`` days."""
    household = own_household(entry, connection, msg["unit"])
    start = dt_util.utcnow() - timedelta(days=msg["days"])
    if household.occupied_since is not None:
        # Nothing of a former household of the unit (records keep whole seconds).
        start = max(start, household.occupied_since.replace(microsecond=0))
    community = entry.runtime_data.community
    former = {
        p.id
        for p in community.index.persons_of(household.id)
        if p.occupancy != household.occupancy
    }
    records = [
        record
        for record in await community.query_access_log(
            AuditQuery(household_id=household.id, start=start, limit=ACCESS_CAP)
        )
        if record.person_id not in former
    ]
    page = records[msg["offset"] : msg["offset"] + msg["limit"]]
    # The household's own people are named in full; their visitors' passes
    # also carry the household, and are named as the community shows names.
    own = {p.id for p in household_people(entry, household)}
    full = entry.runtime_data.full_names
    return {
        "total": len(records),
        "items": [
            access_item(
                r,
                door_name(entry, r.door_id),
                msg["language"],
                full or r.person_id in own,
            )
            for r in page
        ],
    }


async def _answer(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
    *,
    approve: bool,
) -> PassResult | Visit:
    """Answer one of the household's visits, as from the phone notification."""
    household = own_household(entry, connection, msg["unit"])
    visit = own_visit(entry, household, msg["visit_id"])
    return await async_answer(
        hass,
        entry,
        visit.id,
        approve=approve,
        minutes=None,
        context=Context(user_id=caller_id(connection)),
    )


@community_command(
    "home/approve_visit",
    {**UNIT_FIELD, vol.Required("visit_id"): ID},
    Role.RESIDENT,
)
async def ws_approve_visit(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Approve a visitor waiting at the gate (as from the phone notification)."""
    result = await _answer(hass, connection, msg, entry, approve=True)
    assert isinstance(result, PassResult)
    return _pass(entry, result)


@community_command(
    "home/deny_visit",
    {**UNIT_FIELD, vol.Required("visit_id"): ID},
    Role.RESIDENT,
)
async def ws_deny_visit(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Refuse a visitor waiting at the gate, or a pre-registered one."""
    result = await _answer(hass, connection, msg, entry, approve=False)
    assert isinstance(result, Visit)
    return home_visit(entry, result)


@community_command(
    "home/preregister_visitor", {**UNIT_FIELD, **PREREGISTER}, Role.RESIDENT
)
async def ws_preregister_visitor(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Announce a visitor; the answer carries the check-in code (shown once)."""
    household = own_household(entry, connection, msg["unit"])
    result = await async_preregister(
        entry, msg, str(household.unit), caller_id(connection)
    )
    return _pass(entry, result)


@community_command(
    "home/report_card_lost",
    {**UNIT_FIELD, vol.Required("credential_id"): ID},
    Role.RESIDENT,
)
async def ws_report_card_lost(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Report one of the household's cards lost: it is blocked at once."""
    household = own_household(entry, connection, msg["unit"])
    index = entry.runtime_data.community.index
    credential = index.credentials.get(msg["credential_id"])
    if credential is None or credential.person_id not in {
        p.id for p in household_people(entry, household)
    }:
        raise Unauthorized
    lost = await CardDesk(entry.runtime_data.community).report_lost(
        msg["credential_id"], recorded_by=caller_id(connection)
    )
    return credential_item(lost)


@community_command("home/subscribe", UNIT_FIELD, Role.RESIDENT)
async def ws_subscribe(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Send the overview, then each change to one of the household's visits."""
    household = own_household(entry, connection, msg["unit"])
    msg_id = msg["id"]

    user = connection.user
    unit = str(household.unit)

    @callback
    def _visit(visit: Visit) -> None:
        # Checked on every change: a user unlinked since stops hearing at once.
        if visit.household_id == household.id and (
            user is not None and (user.is_admin or unit in resident_units(entry, user))
        ):
            connection.send_message(
                event_message(msg_id, {"visit": home_visit(entry, visit)})
            )

    connection.subscriptions[msg_id] = async_track_visits(hass, entry, _visit)
    return await overview(entry, household, msg["language"])


COMMANDS = (
    ws_overview,
    ws_access,
    ws_approve_visit,
    ws_deny_visit,
    ws_preregister_visitor,
    ws_report_card_lost,
    ws_subscribe,
)
