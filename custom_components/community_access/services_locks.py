"""Lock code services: bring a door's Zigbee lock in step now, adopt or clear codes."""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.service import async_register_admin_service

from .const import DOMAIN
from .core.errors import CommunityError
from .lock_codes import LockCodes
from .runtime import CommunityConfigEntry
from .service_helpers import ENTRY_FIELD, resolve_door, service_error, wrap
from .service_numbers import ID, strict_int

SERVICE_RESYNC = "resync_lock_codes"
SERVICE_UNMANAGED = "resolve_unmanaged_lock_code"

RESYNC_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required("door"): cv.string,
        vol.Optional("full", default=True): cv.boolean,
    }
)
UNMANAGED_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required("door"): cv.string,
        #: The slot as ZHA numbers it (user id + 1).
        vol.Required("slot"): strict_int(1, 65535),
        vol.Required("action"): vol.In(["adopt", "clear"]),
        vol.Optional("person_id"): ID,
    }
)


def lock_codes_of(
    hass: HomeAssistant, entry: CommunityConfigEntry, door: str
) -> LockCodes:
    """Return the lock codes of a door named in a call, else a translated error."""
    door_id = resolve_door(hass, entry, door)
    codes = entry.runtime_data.lock_codes.get(door_id)
    if codes is None:
        raise service_error(
            "lock_codes_not_managed",
            door=entry.runtime_data.doors[door_id].config.door.name,
        )
    return codes


def report_response(codes: LockCodes, commands: int | None) -> dict[str, Any]:
    """Describe what a run did and where the lock stands now."""
    status = codes.status()
    return {
        "door_id": codes.door_id,
        "lock": codes.entity_id,
        "commands": commands,
        "state": "not_found" if status is None else status.state,
        "pending": status.pending if status else None,
        "failed": status.failed if status else None,
        "unfitted": status.unfitted if status else None,
        "unmanaged": status.unmanaged if status else None,
        "duplicate": status.duplicate if status else None,
    }


async def _resync(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    codes = lock_codes_of(hass, entry, call.data["door"])
    report = await codes.async_sync_now(full=call.data["full"])
    if report is None:
        raise service_error("lock_codes_lock_not_found", lock=codes.entity_id)
    if report.aborted:
        raise service_error("lock_codes_unreachable", lock=codes.entity_id)
    return report_response(codes, report.commands)


async def _unmanaged(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    codes = lock_codes_of(hass, entry, call.data["door"])
    await async_resolve_unmanaged(
        codes, call.data["slot"] - 1, call.data["action"], call.data.get("person_id")
    )
    return report_response(codes, None)


async def async_resolve_unmanaged(
    codes: LockCodes, user_id: int, action: str, person_id: int | None
) -> int | None:
    """Adopt (optionally for a person) or clear one unmanaged code; CommunityError."""
    if codes.syncer is None:
        raise service_error("lock_codes_lock_not_found", lock=codes.entity_id)
    credential_id: int | None = None
    try:
        if action == "adopt":
            credential_id = await codes.syncer.adopt_unmanaged(user_id, person_id)
        else:
            await codes.syncer.clear_unmanaged(user_id)
    except CommunityError as err:
        if "user_id" in err.placeholders:
            # People see slots as ZHA numbers them (user id + 1).
            err.placeholders["user_id"] = str(user_id + 1)
        raise
    codes.async_refresh_issues()
    codes.async_request_sync()
    return credential_id


@callback
def async_setup_lock_services(hass: HomeAssistant) -> None:
    """Register the lock code services (admin only)."""
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_RESYNC,
        wrap(hass, _resync),
        RESYNC_SCHEMA,
        SupportsResponse.OPTIONAL,
    )
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_UNMANAGED,
        wrap(hass, _unmanaged),
        UNMANAGED_SCHEMA,
        SupportsResponse.OPTIONAL,
    )
