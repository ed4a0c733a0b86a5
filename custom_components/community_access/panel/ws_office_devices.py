"""Office commands: today's figures, the doors and their devices, remote actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import voluptuous as vol

from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.models import PersonStatus, VisitStatus
from custom_components.community_access.core.storage import AuditQuery
from custom_components.community_access.door import DoorOperator
from custom_components.community_access.runtime import (
    CommunityConfigEntry,
    async_remote_open,
)
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.util import dt as dt_util

from .fields import caller
from .roles import Role
from .ws_common import community_command

DOOR = {vol.Required("door_id"): vol.All(cv.string, vol.Length(min=1, max=64))}
#: Lock-code sync states that need someone to look.
SYNC_PROBLEM_STATES = frozenset({"failed", "duplicate"})


def _line(
    entry: CommunityConfigEntry, door_id: str
) -> tuple[str | None, list[bool], list[str]]:
    """Return the line(s) serving a door: first title, whether each is up, reader ids."""
    runtime = entry.runtime_data
    titles: list[str] = []
    up: list[bool] = []
    readers: list[str] = []
    for hub in runtime.lines.values():
        if hub.config.door_id == door_id or door_id in hub.config.outputs.values():
            titles.append(hub.config.title)
            up.append(hub.connected)
    for osdp in runtime.osdp.values():
        for reader in osdp.readers.values():
            if reader.config.door_id == door_id:
                titles.append(reader.config.title)
                up.append(reader.connected)
                readers.append(reader.config.id)
    return (titles[0] if titles else None), up, readers


def _lock_codes(entry: CommunityConfigEntry, door_id: str) -> dict[str, Any] | None:
    codes = entry.runtime_data.lock_codes.get(door_id)
    if codes is None:
        return None
    status = codes.status()
    if status is None:
        return {"state": "not_found", "problems": 1}
    problems = status.failed + status.duplicate + status.unmanaged + status.unfitted
    return {"state": status.state, "problems": problems}


def device_item(
    hass: HomeAssistant, entry: CommunityConfigEntry, operator: DoorOperator
) -> dict[str, Any]:
    """Return a door with its lock, readers, line and lock-code sync state."""
    config = operator.config
    door = config.door
    line, up, reader_ids = _line(entry, operator.id)
    prefixes = tuple(f"{entry.entry_id}_{key}_" for key in (operator.id, *reader_ids))
    registry = er.async_get(hass)
    reader_entities = sorted(
        e.entity_id
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
        if e.domain == "event"
        and e.unique_id.startswith(prefixes)
        and not e.unique_id.endswith("_alarm")  # the door's alarms: not a reader
    )
    checks = list(up)
    if config.lock_entity_id is not None:
        checks.append(operator.available)
    return {
        "door_id": operator.id,
        "name": door.name,
        "zone": door.zone.id,
        "direction": door.direction.value,
        "escape_route": door.escape_route,
        "lock_entity": config.lock_entity_id,
        "lock_state": operator.state,
        "reader_entities": reader_entities,
        "line": line,
        "online": all(checks) if checks else None,
        "lock_codes": _lock_codes(entry, operator.id),
    }


def _operator(entry: CommunityConfigEntry, door_id: str) -> DoorOperator:
    operator = entry.runtime_data.doors.get(door_id)
    if operator is None:
        raise CommunityError("unknown_door", door=door_id[:60])
    return operator


def local_midnight(now: datetime) -> datetime:
    """Return the start of the community's day, in UTC."""
    return dt_util.as_utc(dt_util.start_of_local_day(dt_util.as_local(now)))


@community_command("office/today", {}, Role.ADMIN)
async def ws_today(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, int]:
    """Today's figures of the office's front page."""
    runtime = entry.runtime_data
    community = runtime.community
    now = dt_util.utcnow()
    since = local_midnight(now)
    granted = await community.count_access_log(AuditQuery(granted=True, start=since))
    denied = await community.count_access_log(AuditQuery(granted=False, start=since))
    statuses = [v.status for v in community.visits.values()]
    index = community.index
    suspended = sum(
        1
        for p in index.persons.values()
        if p.status is PersonStatus.SUSPENDED
        or (
            p.status is PersonStatus.ACTIVE
            and p.id in index.suspended
            and ((end := index.suspended[p.id]) is None or end > now)
        )
    )
    devices = [device_item(hass, entry, op) for op in runtime.doors.values()]
    return {
        "granted_today": granted,
        "denied_today": denied,
        "on_site": statuses.count(VisitStatus.ON_SITE),
        "pending": statuses.count(VisitStatus.PENDING),
        "overdue": statuses.count(VisitStatus.OVERDUE),
        "open_violations": community.open_violation_count,
        "suspended": suspended,
        "devices_offline": sum(1 for d in devices if d["online"] is False),
        "lock_sync_problems": sum(
            1
            for d in devices
            if d["lock_codes"] is not None
            and (
                d["lock_codes"]["state"] in SYNC_PROBLEM_STATES | {"not_found"}
                or d["lock_codes"]["problems"]
            )
        ),
    }


@community_command("office/devices", {}, Role.ADMIN)
async def ws_devices(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> list[dict[str, Any]]:
    """Every door with its devices, by name."""
    operators = sorted(
        entry.runtime_data.doors.values(), key=lambda op: op.config.door.name
    )
    return [device_item(hass, entry, op) for op in operators]


@community_command("office/open_door", DOOR, Role.ADMIN)
async def ws_open_door(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Open a door from the office; recorded as a remote open by the caller."""
    operator = _operator(entry, msg["door_id"])
    try:
        await async_remote_open(
            hass, entry, operator, Context(user_id=caller(connection))
        )
    except HomeAssistantError as err:
        raise CommunityError(
            "panel_door_not_opened",
            door=operator.config.door.name,
            error=str(err)[:100],
        ) from None
    return device_item(hass, entry, operator)


@community_command("office/resync_lock", DOOR, Role.ADMIN)
async def ws_resync_lock(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Bring a door's lock codes in step now (``resync_lock_codes``, full)."""
    operator = _operator(entry, msg["door_id"])
    codes = entry.runtime_data.lock_codes.get(operator.id)
    if codes is None:
        raise CommunityError("lock_codes_not_managed", door=operator.config.door.name)
    report = await codes.async_sync_now(full=True)
    if report is None:
        raise CommunityError("lock_codes_lock_not_found", lock=codes.entity_id)
    if report.aborted:
        raise CommunityError("lock_codes_unreachable", lock=codes.entity_id)
    return device_item(hass, entry, operator) | {"commands": report.commands}


COMMANDS = (ws_today, ws_devices, ws_open_door, ws_resync_lock)
