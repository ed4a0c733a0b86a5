"""Goods passes and checks of goods as services (放行条, the guard's check).

``issue_goods_pass``: a user linked to the household (or an admin);
``verify_goods_pass`` and ``inspect_goods``: a guard (or an admin);
``list_goods_passes``: the office (admins). The code is in the answer of
``issue_goods_pass`` only; ``code`` is a secret field of the service call
(blanked in ``call_service`` events).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import voluptuous as vol

from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.operations.goods import (
    GoodsDesk,
    GoodsPass,
    PassCheck,
    day_window,
    qr_payload,
)
from custom_components.community_access.names import shown_name
from custom_components.community_access.runtime import CommunityConfigEntry
from custom_components.community_access.service_helpers import (
    ENTRY_FIELD,
    Handler,
    actor,
    aware,
    resolve_door,
    service_error,
)
from custom_components.community_access.service_numbers import ID, strict_int
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
)
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from .callers import async_authorize_guard, async_authorize_household, async_user_name

_TEXT = vol.All(cv.string, vol.Length(min=1, max=500))
_ITEMS = vol.All(cv.ensure_list, [vol.All(cv.string, vol.Length(min=1, max=100))])

ISSUE_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required("unit"): cv.string,
        vol.Required("items"): _ITEMS,
        vol.Optional("person_id"): ID,
        vol.Optional("large_or_valuable", default=False): cv.boolean,
        vol.Optional("date"): cv.date,
        vol.Inclusive("valid_from", "window"): cv.datetime,
        vol.Inclusive("valid_until", "window"): cv.datetime,
        vol.Optional("note"): _TEXT,
    }
)
VERIFY_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required("code"): vol.All(cv.string, vol.Length(min=1, max=100)),
        vol.Required("door"): cv.string,
    }
)
INSPECT_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required("note"): _TEXT,
        vol.Optional("door"): cv.string,
        vol.Optional("goods_pass_id"): ID,
        vol.Optional("unit"): cv.string,
    }
)
LIST_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Optional("unit"): cv.string,
        vol.Optional("start"): cv.datetime,
        vol.Optional("end"): cv.datetime,
        vol.Optional("used"): cv.boolean,
        vol.Optional("limit", default=100): strict_int(1, 200),
    }
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def issue_window(
    day: Any, valid_from: datetime | None, valid_until: datetime | None
) -> tuple[datetime, datetime]:
    """Return the pass's window: the window given, else the day given, else today."""
    if day is not None and valid_from is not None:
        raise CommunityError("goods_date_or_window")
    if valid_from is not None and valid_until is not None:
        start, end = aware(valid_from), aware(valid_until)
        assert start is not None and end is not None
        return start, end
    local_day = day if day is not None else dt_util.now().date()
    start, end = day_window(local_day, dt_util.get_default_time_zone())
    return dt_util.as_utc(start), dt_util.as_utc(end)


async def pass_item(
    hass: HomeAssistant, entry: CommunityConfigEntry, goods_pass: GoodsPass
) -> dict[str, Any]:
    """Shape a pass as the gate and the office see it (never its code).

    Names (the person on the pass, the user who issued it) are masked unless
    the community shows full names.
    """
    runtime = entry.runtime_data
    community = runtime.community
    person = (
        community.index.persons.get(goods_pass.person_id)
        if goods_pass.person_id is not None
        else None
    )
    door = runtime.doors.get(goods_pass.used_door_id or "")
    return {
        "goods_pass_id": goods_pass.id,
        "unit": GoodsDesk(community).unit_of(goods_pass.household_id),
        "items": list(goods_pass.items),
        "large_or_valuable": goods_pass.large_or_valuable,
        "person_id": goods_pass.person_id,
        "person": shown_name(person.name if person else None, runtime.full_names),
        "issued_by": shown_name(
            await async_user_name(hass, goods_pass.issued_by), runtime.full_names
        ),
        "issued_at": _iso(goods_pass.issued_at),
        "valid_from": _iso(goods_pass.valid_from),
        "valid_until": _iso(goods_pass.valid_until),
        "note": goods_pass.note,
        "used": goods_pass.used_at is not None,
        "used_at": _iso(goods_pass.used_at),
        "used_door_id": goods_pass.used_door_id,
        "used_door": door.config.door.name if door is not None else None,
    }


async def async_issue(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    data: dict[str, Any],
    user_id: str | None,
) -> dict[str, Any]:
    """Issue a pass (the caller already allowed); the answer holds the code once."""
    start, end = issue_window(
        data.get("date"), data.get("valid_from"), data.get("valid_until")
    )
    issued = await GoodsDesk(entry.runtime_data.community).issue(
        unit=data["unit"],
        items=data["items"],
        person_id=data.get("person_id"),
        large_or_valuable=data.get("large_or_valuable", False),
        valid_from=start,
        valid_until=end,
        note=data.get("note"),
        issued_by=user_id,
    )
    item = await pass_item(hass, entry, issued.goods_pass)
    # Shown once, to the caller only: the code and its QR payload.
    return item | {
        "code": issued.code,
        "qr": qr_payload(entry.entry_id[:8], issued.code),
    }


async def async_verify(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    code: str,
    door_id: str,
    user_id: str | None,
) -> dict[str, Any]:
    """Check a code at a door: ``valid`` once (then used), else why not."""
    result = await GoodsDesk(entry.runtime_data.community).verify(
        code, door_id=door_id, by=user_id
    )
    answer: dict[str, Any] = {
        "valid": result.status is PassCheck.VALID,
        "status": result.status.value,
        "door_id": door_id,
    }
    if result.goods_pass is not None:
        answer |= await pass_item(hass, entry, result.goods_pass)
    return answer


async def _issue(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    household = entry.runtime_data.community.household(call.data["unit"])
    await async_authorize_household(hass, entry, household.id, call.context)
    return await async_issue(hass, entry, dict(call.data), actor(call))


async def _verify(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    await async_authorize_guard(hass, entry, call.context)
    door_id = resolve_door(hass, entry, call.data["door"])
    return await async_verify(hass, entry, call.data["code"], door_id, actor(call))


async def _inspect(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    await async_authorize_guard(hass, entry, call.context)
    data = call.data
    door_id = resolve_door(hass, entry, data["door"]) if "door" in data else None
    check = await GoodsDesk(entry.runtime_data.community).inspect(
        note=data["note"],
        door_id=door_id,
        goods_pass_id=data.get("goods_pass_id"),
        unit=data.get("unit"),
        by=actor(call),
    )
    return {
        "goods_check_id": check.id,
        "at": _iso(check.at),
        "door_id": check.door_id,
        "goods_pass_id": check.goods_pass_id,
    }


async def _list(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    data = call.data
    start, end = aware(data.get("start")), aware(data.get("end"))
    if start is not None and end is not None and end <= start:
        raise service_error("invalid_time_range")
    passes = await GoodsDesk(entry.runtime_data.community).passes(
        unit=data.get("unit"),
        start=start,
        end=end,
        used=data.get("used"),
        limit=data["limit"],
    )
    items: list[Any] = [await pass_item(hass, entry, p) for p in passes]
    return {"count": len(items), "passes": items}


#: Checked per call (a household's users, guards).
CALLER_GOODS_SERVICES: dict[str, tuple[Handler, vol.Schema, SupportsResponse]] = {
    "issue_goods_pass": (_issue, ISSUE_SCHEMA, SupportsResponse.OPTIONAL),
    "verify_goods_pass": (_verify, VERIFY_SCHEMA, SupportsResponse.OPTIONAL),
    "inspect_goods": (_inspect, INSPECT_SCHEMA, SupportsResponse.OPTIONAL),
}
ADMIN_GOODS_SERVICES: dict[str, tuple[Handler, vol.Schema, SupportsResponse]] = {
    "list_goods_passes": (_list, LIST_SCHEMA, SupportsResponse.ONLY),
}
