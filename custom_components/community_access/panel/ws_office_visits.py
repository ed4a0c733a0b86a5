"""Office commands: visits, and an admin's answer to a waiting visitor."""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from custom_components.community_access.core.models import Visit, VisitStatus
from custom_components.community_access.core.visitors import PassResult
from custom_components.community_access.runtime import (
    CommunityConfigEntry,
    visitor_desk,
)
from custom_components.community_access.service_numbers import ID
from custom_components.community_access.services_visitors import async_answer
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.core import Context, HomeAssistant

from .fields import PAGING
from .roles import Role
from .serialize import page, visit_item
from .ws_common import community_command

VISIT = {vol.Required("visit_id"): ID}


def office_visit(entry: CommunityConfigEntry, visit: Visit) -> dict[str, Any]:
    """Return a visit as the office sees it (the visitor's full name)."""
    return visit_item(visit, visitor_desk(entry).unit_of(visit), full_names=True)


@community_command(
    "office/visits",
    {
        vol.Optional("status"): vol.All(
            [vol.In([s.value for s in VisitStatus])], vol.Length(min=1, max=10)
        ),
        **PAGING,
    },
    Role.ADMIN,
)
async def ws_visits(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Visits newest first, of the given statuses (all by default)."""
    community = entry.runtime_data.community
    total, visits = await hass.async_add_executor_job(
        community.db.visits_page, msg.get("status"), msg["offset"], msg["limit"]
    )
    return page(total, [office_visit(entry, v) for v in visits])


async def _answer(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
    approve: bool,
) -> dict[str, Any]:
    user = connection.user
    result = await async_answer(
        hass,
        entry,
        msg["visit_id"],
        approve=approve,
        minutes=None,
        context=Context(user_id=user.id if user else None),
    )
    if isinstance(result, PassResult):
        # The PIN or QR payload to hand over: shown once, to the caller only.
        return office_visit(entry, result.visit) | {"code": result.code}
    return office_visit(entry, result)


@community_command("office/approve_visit", VISIT, Role.ADMIN)
async def ws_approve_visit(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Approve a waiting visitor as the office (``approve_visitor``)."""
    return await _answer(hass, connection, msg, entry, approve=True)


@community_command("office/deny_visit", VISIT, Role.ADMIN)
async def ws_deny_visit(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Refuse a waiting or expected visitor (``deny_visitor``)."""
    return await _answer(hass, connection, msg, entry, approve=False)


COMMANDS = (ws_visits, ws_approve_visit, ws_deny_visit)
