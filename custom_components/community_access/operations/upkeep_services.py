"""Services of faults, patrols, inspections and planned maintenance.

Admin-only, except ``report_fault`` and ``record_patrol``: an administrator,
a guard of the community (option ``guard_users``) or an automation (no user)
may call those; anyone else is refused with ``Unauthorized``.
"""

from __future__ import annotations

from datetime import datetime

import voluptuous as vol

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.core.models import Role
from custom_components.community_access.core.operations.faults import (
    FaultCause,
    FaultStatus,
    load_faults,
)
from custom_components.community_access.core.operations.maintenance import (
    MaintenanceMode,
)
from custom_components.community_access.core.operations.patrols import (
    InspectionResult,
    PatrolKind,
    PatrolQuery,
    new_patrol,
    query_patrols,
)
from custom_components.community_access.core.text import clean_free_text
from custom_components.community_access.runtime import CommunityConfigEntry
from custom_components.community_access.service_helpers import (
    ENTRY_FIELD,
    Handler,
    actor,
    aware,
    resolve_door,
    service_error,
    wrap,
)
from custom_components.community_access.service_numbers import ID, strict_int
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.service import async_register_admin_service
from homeassistant.util import dt as dt_util

from .callers import async_authorize_guard
from .faults import FaultDesk
from .maintenance import MaintenancePlanner
from .patrols import PatrolDesk

_TEXT = vol.All(cv.string, vol.Length(max=500))

REPORT_FAULT_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Optional("door"): cv.string,
        vol.Optional("device"): vol.All(cv.string, vol.Length(min=1, max=100)),
        vol.Required("description"): vol.All(cv.string, vol.Length(min=1, max=500)),
        vol.Optional("reported_by"): vol.All(cv.string, vol.Length(max=64)),
    }
)
UPDATE_FAULT_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required("fault_id"): ID,
        vol.Required("status"): vol.In([s.value for s in FaultStatus]),
        vol.Optional("note"): _TEXT,
        vol.Optional("expected_completion"): cv.datetime,
    }
)
LIST_FAULTS_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Optional("include_closed", default=False): cv.boolean,
        vol.Optional("limit", default=100): strict_int(1, 1000),
    }
)
RECORD_PATROL_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Optional("door"): cv.string,
        vol.Optional("checkpoint"): vol.All(cv.string, vol.Length(min=1, max=100)),
        vol.Optional("guard"): ID,
        vol.Optional("note"): _TEXT,
    }
)
LIST_PATROLS_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Optional("kind"): vol.In([k.value for k in PatrolKind]),
        vol.Optional("door"): cv.string,
        vol.Optional("start"): cv.datetime,
        vol.Optional("end"): cv.datetime,
        vol.Optional("limit", default=100): strict_int(1, 1000),
    }
)
RECORD_INSPECTION_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required("door"): cv.string,
        vol.Required("result"): vol.In([r.value for r in InspectionResult]),
        vol.Optional("note"): _TEXT,
    }
)
SCHEDULE_MAINTENANCE_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required("doors"): vol.All(cv.ensure_list, [cv.string], vol.Length(min=1)),
        vol.Required("start"): cv.datetime,
        vol.Required("end"): cv.datetime,
        vol.Optional("message"): _TEXT,
        vol.Optional("mode", default=MaintenanceMode.NORMAL.value): vol.In(
            [m.value for m in MaintenanceMode]
        ),
    }
)
LIST_MAINTENANCE_SCHEMA = vol.Schema(ENTRY_FIELD)
CANCEL_MAINTENANCE_SCHEMA = vol.Schema({**ENTRY_FIELD, vol.Required("window_id"): ID})


def _faults(entry: CommunityConfigEntry) -> FaultDesk:
    desk = entry.runtime_data.ops.faults
    if desk is None:
        raise service_error("community_not_loaded", name=entry.title)
    return desk


def _patrols(entry: CommunityConfigEntry) -> PatrolDesk:
    desk = entry.runtime_data.ops.patrols
    if desk is None:
        raise service_error("community_not_loaded", name=entry.title)
    return desk


def _planner(entry: CommunityConfigEntry) -> MaintenancePlanner:
    planner = entry.runtime_data.ops.maintenance
    if planner is None:
        raise service_error("community_not_loaded", name=entry.title)
    return planner


async def _report_fault(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    await async_authorize_guard(hass, entry, call.context)
    data = call.data
    door_id = resolve_door(hass, entry, data["door"]) if "door" in data else None
    device = clean_free_text(data.get("device"), max_length=100)
    if door_id is None and device is None:
        raise service_error("fault_needs_device")
    name = (
        entry.runtime_data.doors[door_id].config.door.name
        if door_id is not None
        else device
    )
    device_id = f"{door_id or 'device'}:{device}" if device is not None else door_id
    assert device_id is not None
    fault, new = await _faults(entry).async_open(
        device_id=device_id,
        device_name=name if device is None else device,
        door_id=door_id,
        cause=FaultCause.REPORTED,
        description=data["description"],
        by=clean_free_text(data.get("reported_by"), max_length=64) or actor(call),
        context=call.context,
    )
    await entry.runtime_data.community.record_admin_action(
        "report_fault", actor=actor(call), details={"fault_id": fault.id, "new": new}
    )
    return fault.as_dict() | {"new": new}


async def _update_fault(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    data = call.data
    fault = await _faults(entry).async_update(
        data["fault_id"],
        FaultStatus(data["status"]),
        note=data.get("note"),
        expected_at=aware(data.get("expected_completion")),
        by=actor(call),
        context=call.context,
    )
    await entry.runtime_data.community.record_admin_action(
        "update_fault",
        actor=actor(call),
        details={"fault_id": fault.id, "status": fault.status.value},
    )
    return fault.as_dict()


async def _list_faults(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    community = entry.runtime_data.community
    rows = await community.run(
        lambda: load_faults(
            community.db,
            include_closed=call.data["include_closed"],
            limit=call.data["limit"],
        )
    )
    return {"count": len(rows), "faults": [f.as_dict() for f in rows]}


async def _record_patrol(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    await async_authorize_guard(hass, entry, call.context)
    data = call.data
    door_id = resolve_door(hass, entry, data["door"]) if "door" in data else None
    guard = data.get("guard")
    if guard is not None:
        person = entry.runtime_data.community.person(guard)
        if person.role is not Role.STAFF:
            raise service_error("patrol_not_staff")
    patrol = await _patrols(entry).async_record(
        new_patrol(
            at=_now(),
            kind=PatrolKind.PATROL,
            door_id=door_id,
            checkpoint=data.get("checkpoint"),
            note=data.get("note"),
            by=actor(call),
            person_id=guard,
        ),
        call.context,
    )
    return patrol.as_dict()


async def _list_patrols(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    data = call.data
    start, end = aware(data.get("start")), aware(data.get("end"))
    if start is not None and end is not None and end <= start:
        raise service_error("invalid_time_range")
    query = PatrolQuery(
        kind=PatrolKind(data["kind"]) if "kind" in data else None,
        door_id=resolve_door(hass, entry, data["door"]) if "door" in data else None,
        start=start,
        end=end,
        limit=data["limit"],
    )
    community = entry.runtime_data.community
    rows = await community.run(query_patrols, community.db, query)
    return {"count": len(rows), "patrols": [p.as_dict() for p in rows]}


async def _record_inspection(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    data = call.data
    door_id = resolve_door(hass, entry, data["door"])
    patrol = await _patrols(entry).async_record(
        new_patrol(
            at=_now(),
            kind=PatrolKind.INSPECTION,
            door_id=door_id,
            checkpoint=None,
            note=data.get("note"),
            by=actor(call),
            result=InspectionResult(data["result"]),
        ),
        call.context,
    )
    await entry.runtime_data.community.record_admin_action(
        "record_inspection",
        actor=actor(call),
        details={"door_id": door_id, "result": data["result"]},
    )
    return patrol.as_dict()


async def _schedule_maintenance(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    data = call.data
    start, end = aware(data["start"]), aware(data["end"])
    assert start is not None and end is not None
    window = await _planner(entry).async_add(
        door_ids=[resolve_door(hass, entry, d) for d in data["doors"]],
        start=start,
        end=end,
        mode=MaintenanceMode(data["mode"]),
        message=data.get("message"),
        by=actor(call),
    )
    await entry.runtime_data.community.record_admin_action(
        "schedule_maintenance",
        actor=actor(call),
        details={"window_id": window.id, "mode": window.mode.value},
    )
    return window.as_dict()


async def _cancel_maintenance(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    window = await _planner(entry).async_cancel(call.data["window_id"])
    await entry.runtime_data.community.record_admin_action(
        "cancel_maintenance", actor=actor(call), details={"window_id": window.id}
    )
    return window.as_dict() | {"cancelled": True}


async def _list_maintenance(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    windows = sorted(_planner(entry).windows.values(), key=lambda w: w.start)
    return {"count": len(windows), "windows": [w.as_dict() for w in windows]}


def _now() -> datetime:
    return dt_util.utcnow()


_OPTIONAL = SupportsResponse.OPTIONAL
ADMIN_SERVICES: dict[str, tuple[Handler, vol.Schema, SupportsResponse]] = {
    "update_fault": (_update_fault, UPDATE_FAULT_SCHEMA, _OPTIONAL),
    "list_faults": (_list_faults, LIST_FAULTS_SCHEMA, SupportsResponse.ONLY),
    "list_patrols": (_list_patrols, LIST_PATROLS_SCHEMA, SupportsResponse.ONLY),
    "record_inspection": (_record_inspection, RECORD_INSPECTION_SCHEMA, _OPTIONAL),
    "schedule_maintenance": (
        _schedule_maintenance,
        SCHEDULE_MAINTENANCE_SCHEMA,
        _OPTIONAL,
    ),
    "cancel_maintenance": (_cancel_maintenance, CANCEL_MAINTENANCE_SCHEMA, _OPTIONAL),
    "list_maintenance": (
        _list_maintenance,
        LIST_MAINTENANCE_SCHEMA,
        SupportsResponse.ONLY,
    ),
}
#: Guards may call these too (checked per call).
GUARD_SERVICES: dict[str, tuple[Handler, vol.Schema, SupportsResponse]] = {
    "report_fault": (_report_fault, REPORT_FAULT_SCHEMA, _OPTIONAL),
    "record_patrol": (_record_patrol, RECORD_PATROL_SCHEMA, _OPTIONAL),
}


@callback
def async_setup_upkeep_services(hass: HomeAssistant) -> None:
    """Register the services of faults, patrols, inspections and maintenance."""
    for name, (handler, schema, supports) in ADMIN_SERVICES.items():
        async_register_admin_service(
            hass, DOMAIN, name, wrap(hass, handler), schema, supports
        )
    for name, (handler, schema, supports) in GUARD_SERVICES.items():
        hass.services.async_register(
            DOMAIN, name, wrap(hass, handler), schema=schema, supports_response=supports
        )
