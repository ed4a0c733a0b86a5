"""Renovations as services, and their check on the decision path.

``register_renovation`` and ``cancel_renovation`` are the office's (admins);
``renovation_for_person`` is the gate's (guards and admins). At set-up the
renovations are read into memory and their check joins the community's
grant checks, so a contractor outside their renovation is refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import voluptuous as vol

from custom_components.community_access.core.decision import Decision
from custom_components.community_access.core.operations.renovation import (
    Renovation,
    RenovationBook,
)
from custom_components.community_access.runtime import CommunityConfigEntry
from custom_components.community_access.service_helpers import (
    ENTRY_FIELD,
    Handler,
    actor,
    aware,
)
from custom_components.community_access.service_numbers import ID
from homeassistant.core import (
    CALLBACK_TYPE,
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from .callers import async_authorize_guard

REGISTER_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required("unit"): cv.string,
        vol.Required("company"): vol.All(cv.string, vol.Length(min=1, max=100)),
        vol.Required("start"): cv.datetime,
        vol.Required("end"): cv.datetime,
        vol.Optional("materials", default=list): vol.All(
            cv.ensure_list, [vol.All(cv.string, vol.Length(min=1, max=100))]
        ),
        vol.Optional("contractor_ids", default=list): vol.All(cv.ensure_list, [ID]),
    }
)
CANCEL_SCHEMA = vol.Schema({**ENTRY_FIELD, vol.Required("renovation_id"): ID})
PERSON_SCHEMA = vol.Schema({**ENTRY_FIELD, vol.Required("person_id"): ID})


def book(entry: CommunityConfigEntry) -> RenovationBook:
    """Return the renovations of a loaded community (loaded at set-up)."""
    renovations = entry.runtime_data.ops.renovations
    assert renovations is not None
    return renovations


def renovation_item(
    entry: CommunityConfigEntry, renovation: Renovation, at: datetime | None = None
) -> dict[str, Any]:
    """Shape a renovation as answered (company, period, tools and materials)."""
    at = at or dt_util.utcnow()
    return {
        "renovation_id": renovation.id,
        "unit": book(entry).unit_of(renovation),
        "company": renovation.company,
        "start": renovation.start.isoformat(),
        "end": renovation.end.isoformat(),
        "materials": list(renovation.materials),
        "contractor_ids": list(renovation.contractor_ids),
        "cancelled": renovation.cancelled_at is not None,
        "current": renovation.covers(at),
    }


def renovation_fields(
    entry: CommunityConfigEntry, person_id: int | None, at: datetime | None = None
) -> dict[str, Any]:
    """Return ``{"renovation": ...}`` for a contractor on a renovation, else ``{}``."""
    renovations = entry.runtime_data.ops.renovations
    if renovations is None or person_id is None:
        return {}
    at = at or dt_util.utcnow()
    renovation = renovations.for_person(person_id, at)
    if renovation is None:
        return {}
    return {"renovation": renovation_item(entry, renovation, at)}


def present_extras(entry: CommunityConfigEntry, decision: Decision) -> dict[str, Any]:
    """Return what a gate check adds for a contractor on a renovation, if any."""
    return renovation_fields(entry, decision.person_id, decision.at)


async def async_start_renovations(entry: CommunityConfigEntry) -> CALLBACK_TYPE:
    """Read the renovations and check contractors' grants against them."""
    runtime = entry.runtime_data
    community = runtime.community
    renovations = RenovationBook(community)
    await renovations.async_load()
    runtime.ops.renovations = renovations
    community.grant_checks.append(renovations.check)

    @callback
    def _stop() -> None:
        if renovations.check in community.grant_checks:
            community.grant_checks.remove(renovations.check)

    return _stop


async def _register(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    data = call.data
    start, end = aware(data["start"]), aware(data["end"])
    assert start is not None and end is not None
    renovation = await book(entry).register(
        unit=data["unit"],
        company=data["company"],
        start=start,
        end=end,
        materials=data["materials"],
        contractor_ids=data["contractor_ids"],
        by=actor(call),
    )
    return renovation_item(entry, renovation)


async def _cancel(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    renovation = await book(entry).cancel(call.data["renovation_id"], by=actor(call))
    return renovation_item(entry, renovation)


async def _for_person(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    await async_authorize_guard(hass, entry, call.context)
    person_id = call.data["person_id"]
    entry.runtime_data.community.person(person_id)
    now = dt_util.utcnow()
    renovation = book(entry).for_person(person_id, now)
    return {
        "person_id": person_id,
        "renovation": renovation_item(entry, renovation, now) if renovation else None,
    }


ADMIN_RENOVATION_SERVICES: dict[str, tuple[Handler, vol.Schema, SupportsResponse]] = {
    "register_renovation": (_register, REGISTER_SCHEMA, SupportsResponse.OPTIONAL),
    "cancel_renovation": (_cancel, CANCEL_SCHEMA, SupportsResponse.OPTIONAL),
}
GUARD_RENOVATION_SERVICES: dict[str, tuple[Handler, vol.Schema, SupportsResponse]] = {
    "renovation_for_person": (_for_person, PERSON_SCHEMA, SupportsResponse.ONLY),
}
