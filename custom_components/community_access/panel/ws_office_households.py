"""Office commands: households, one household's file, moving out, finding people."""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from custom_components.community_access.core.carddesk import CardDesk
from custom_components.community_access.core.community import Community
from custom_components.community_access.core.models import (
    CredentialKind,
    CredentialStatus,
    Household,
    LedgerKind,
    Person,
    PersonStatus,
)
from custom_components.community_access.runtime import CommunityConfigEntry
from custom_components.community_access.service_numbers import ID, strict_int
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv

from .fields import PAGING, SEARCH, caller
from .roles import Role
from .serialize import (
    credential_item,
    household_item,
    page,
    person_item,
    statement_item,
    yuan,
)
from .ws_common import community_command

UNIT = vol.All(cv.string, vol.Length(min=1, max=40))


def current_people(community: Community, household: Household) -> list[Person]:
    """Return the people of the household's current occupancy (all, if it moved out)."""
    return [
        p
        for p in community.index.persons_of(household.id)
        if p.occupancy == household.occupancy
        and (
            household.moved_out_at is not None or p.status is not PersonStatus.MOVED_OUT
        )
    ]


def household_summary(community: Community, household: Household) -> dict[str, Any]:
    """Return a household as the office's list shows it."""
    people = current_people(community, household)
    active_cards = sum(
        1
        for person in people
        for c in community.index.credentials_of(person.id)
        if c.kind is CredentialKind.CARD and c.status is CredentialStatus.ACTIVE
    )
    quota = household.card_quota
    return household_item(
        household,
        people=len(people),
        active_cards=active_cards,
        card_quota=community.settings.card_quota if quota is None else quota,
    )


def _matches(community: Community, household: Household, search: str) -> bool:
    wanted = search.strip().casefold()
    if not wanted:
        return True
    if str(household.unit).casefold().startswith(wanted):
        return True
    return any(
        wanted in p.name.casefold() for p in current_people(community, household)
    )


@community_command(
    "office/households",
    {
        vol.Optional("search", default=""): SEARCH,
        vol.Optional("include_moved_out", default=False): cv.boolean,
        **PAGING,
    },
    Role.ADMIN,
)
async def ws_households(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Households by unit, searched by unit prefix or a person's name."""
    community = entry.runtime_data.community
    found = sorted(
        (
            h
            for h in community.index.households.values()
            if (msg["include_moved_out"] or h.moved_out_at is None)
            and _matches(community, h, msg["search"])
        ),
        key=lambda h: (h.unit.building, h.unit.entrance, h.unit.room),
    )
    chosen = found[msg["offset"] : msg["offset"] + msg["limit"]]
    return page(len(found), [household_summary(community, h) for h in chosen])


@community_command("office/household", {vol.Required("unit"): UNIT}, Role.ADMIN)
async def ws_household(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """One household's file: people, credentials, links, statement."""
    community = entry.runtime_data.community
    household = community.household(msg["unit"])
    people = current_people(community, household)
    credentials = [
        credential_item(c)
        for person in people
        for c in sorted(community.index.credentials_of(person.id), key=lambda c: c.id)
    ]
    notify_services, user_ids = community.links.get(household.id, ([], []))
    users = []
    for user_id in user_ids:
        user = await hass.auth.async_get_user(user_id)
        users.append({"id": user_id, "name": user.name if user else None})
    statement = await CardDesk(community).statement(str(household.unit))
    return {
        "household": household_summary(community, household),
        "people": [person_item(p) for p in sorted(people, key=lambda p: p.id)],
        "credentials": credentials,
        "links": {"notify_services": list(notify_services), "users": users},
        "statement": statement_item(statement),
    }


@community_command(
    "office/add_household",
    {vol.Required("unit"): UNIT, vol.Optional("card_quota"): strict_int(0, 50)},
    Role.ADMIN,
)
async def ws_add_household(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Register a household (``add_household``)."""
    community = entry.runtime_data.community
    household = await community.add_household(msg["unit"], msg.get("card_quota"))
    return household_summary(community, household)


@community_command("office/move_out_preview", {vol.Required("unit"): UNIT}, Role.ADMIN)
async def ws_move_out_preview(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Tell what moving out would refund (cards handed back) and keep (lost cards)."""
    preview = CardDesk(entry.runtime_data.community).move_out_preview(msg["unit"])

    def card(c: Any) -> dict[str, Any]:
        return {
            "credential_id": c.id,
            "masked": c.masked,
            "deposit": yuan(c.deposit_cents),
        }

    return {
        "refunds": [card(c) for c in preview.returnable],
        "kept": [card(c) for c in preview.kept],
        "people": len(preview.persons),
    }


@community_command(
    "office/move_out",
    {
        vol.Required("unit"): UNIT,
        vol.Optional("returned_card_ids", default=list): vol.All(
            [ID], vol.Length(max=100)
        ),
    },
    Role.ADMIN,
)
async def ws_move_out(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Move a household out (``move_out``): the household and what was settled."""
    community = entry.runtime_data.community
    result = await CardDesk(community).move_out(
        unit=msg["unit"],
        returned_card_ids=msg["returned_card_ids"],
        recorded_by=caller(connection),
    )
    household = result.household or community.household(msg["unit"])
    return household_summary(community, household) | {
        "credentials_cancelled": len(result.cancelled),
        "refunded": yuan(
            sum(e.amount_cents for e in result.ledger if e.kind is LedgerKind.REFUND)
        ),
        "deposits_kept": yuan(
            sum(
                e.amount_cents
                for e in result.ledger
                if e.kind is LedgerKind.DEPOSIT_KEPT
            )
        ),
    }


@community_command(
    "office/people_search",
    {
        vol.Required("query"): SEARCH,
        vol.Optional("limit", default=20): strict_int(1, 20),
    },
    Role.ADMIN,
)
async def ws_people_search(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> list[dict[str, Any]]:
    """People (not moved out) by name (substring) or unit (prefix), for pickers."""
    community = entry.runtime_data.community
    wanted = msg["query"].strip().casefold()
    if not wanted:
        return []
    found: list[dict[str, Any]] = []
    for person in sorted(community.index.persons.values(), key=lambda p: p.id):
        if person.status is PersonStatus.MOVED_OUT:
            continue
        unit = community.who(person.id)["unit"]
        if wanted in person.name.casefold() or (
            unit is not None and unit.casefold().startswith(wanted)
        ):
            found.append(
                {
                    "person_id": person.id,
                    "name": person.name,
                    "unit": unit,
                    "role": person.role.value,
                }
            )
            if len(found) >= msg["limit"]:
                break
    return found


COMMANDS = (
    ws_households,
    ws_household,
    ws_add_household,
    ws_move_out_preview,
    ws_move_out,
    ws_people_search,
)
