"""Services of emergency release, lockdown and the muster list (administrators only)."""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from custom_components.community_access.core.models import Unit
from custom_components.community_access.core.operations.modes import (
    Cause,
    Scope,
    ScopeKind,
)
from custom_components.community_access.core.text import clean_free_text
from custom_components.community_access.runtime import CommunityConfigEntry
from custom_components.community_access.service_helpers import (
    ENTRY_FIELD,
    Handler,
    actor,
    resolve_door,
    service_error,
)
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
)
from homeassistant.helpers import config_validation as cv

from .modes import ModesController
from .muster import MusterWatch, entry_data

_SCOPE_FIELDS: dict[vol.Marker, Any] = {
    vol.Optional("scope", default=ScopeKind.SITE.value): vol.In(
        [k.value for k in ScopeKind]
    ),
    vol.Optional("buildings"): vol.All(
        cv.ensure_list, [vol.All(cv.string, vol.Length(min=1, max=6))]
    ),
    vol.Optional("doors"): vol.All(cv.ensure_list, [cv.string]),
}
RELEASE_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        **_SCOPE_FIELDS,
        vol.Optional("cause", default=Cause.FIRE.value): vol.In(
            [c.value for c in Cause]
        ),
        vol.Optional("note"): vol.All(cv.string, vol.Length(max=500)),
    }
)
LOCKDOWN_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        **_SCOPE_FIELDS,
        vol.Optional("reason"): vol.All(cv.string, vol.Length(max=500)),
    }
)
END_SCHEMA = vol.Schema({**ENTRY_FIELD})
MUSTER_SCHEMA = vol.Schema(
    {**ENTRY_FIELD, vol.Optional("building"): vol.All(cv.string, vol.Length(max=6))}
)


def _controller(entry: CommunityConfigEntry) -> ModesController:
    modes = entry.runtime_data.ops.modes
    if modes is None:
        raise service_error("community_not_loaded", name=entry.title)
    return modes


def _scope(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> Scope:
    """Return the scope of a call: the site, buildings (``3``) or doors."""
    kind = ScopeKind(call.data["scope"])
    if kind is ScopeKind.SITE:
        return Scope(kind)
    if kind is ScopeKind.BUILDING:
        buildings = [str(b).strip().upper() for b in call.data.get("buildings") or []]
        if not buildings or not all(_building_ok(b) for b in buildings):
            raise service_error("mode_scope_buildings")
        return Scope(kind, tuple(sorted(set(buildings))))
    doors = [resolve_door(hass, entry, str(d)) for d in call.data.get("doors") or []]
    if not doors:
        raise service_error("mode_scope_doors")
    return Scope(kind, tuple(sorted(set(doors))))


def _building_ok(building: str) -> bool:
    try:
        Unit.parse(f"{building}-1-1")
    except ValueError:
        return False
    return True


def _mode_response(controller: ModesController, mode_id: int) -> dict[str, Any]:
    return {
        "mode_id": mode_id,
        "state": controller.state.value,
        "doors_released": sorted(controller.site.released),
        "doors_locked_down": sorted(controller.site.locked_down),
    }


async def _release(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    controller = _controller(entry)
    note = clean_free_text(call.data.get("note"), max_length=500, multiline=True)
    mode = await controller.async_release(
        _scope(hass, entry, call),
        Cause(call.data["cause"]),
        note=note,
        actor=actor(call),
    )
    return _mode_response(controller, mode.id)


async def _restore(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    controller = _controller(entry)
    ended = await controller.async_restore(actor=actor(call))
    return {"ended": ended, "state": controller.state.value}


async def _lockdown(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    controller = _controller(entry)
    reason = clean_free_text(call.data.get("reason"), max_length=500, multiline=True)
    mode = await controller.async_lockdown(
        _scope(hass, entry, call), reason=reason, actor=actor(call)
    )
    return _mode_response(controller, mode.id)


async def _lift(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    controller = _controller(entry)
    ended = await controller.async_lift(actor=actor(call))
    return {"ended": ended, "state": controller.state.value}


async def _muster(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    watch: MusterWatch | None = entry.runtime_data.ops.muster
    if watch is None:
        raise service_error("community_not_loaded", name=entry.title)
    entries = await watch.async_list()
    building = call.data.get("building")
    if building:
        wanted = str(building).strip().upper()
        entries = [e for e in entries if (e.building or "").upper() == wanted]
    return {
        "count": len(entries),
        "hours": int(watch.window.total_seconds() // 3600),
        "people": [entry_data(e) for e in entries],
    }


#: name → (handler, schema, response)
MODES_SERVICES: dict[str, tuple[Handler, vol.Schema, SupportsResponse]] = {
    "emergency_release": (_release, RELEASE_SCHEMA, SupportsResponse.OPTIONAL),
    "emergency_restore": (_restore, END_SCHEMA, SupportsResponse.OPTIONAL),
    "lockdown": (_lockdown, LOCKDOWN_SCHEMA, SupportsResponse.OPTIONAL),
    "lift_lockdown": (_lift, END_SCHEMA, SupportsResponse.OPTIONAL),
    "muster_list": (_muster, MUSTER_SCHEMA, SupportsResponse.ONLY),
}
