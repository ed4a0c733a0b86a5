"""OSDP reader services: key rotation (定期更换门禁卡的加密密钥)."""

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
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.service import async_register_admin_service

from .const import DOMAIN
from .osdp_hub import OsdpHub
from .osdp_reader import OsdpReader
from .runtime import CommunityConfigEntry
from .service_helpers import ENTRY_FIELD, service_error, wrap

SERVICE_ROTATE_READER_KEYS = "rotate_reader_keys"
ATTR_READERS = "readers"

ROTATE_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Optional(ATTR_READERS): vol.All(cv.ensure_list, [cv.string]),
    }
)


def _resolve_readers(
    hass: HomeAssistant, entry: CommunityConfigEntry, wanted: list[str] | None
) -> list[tuple[OsdpHub, OsdpReader]]:
    """Readers named by device id, subentry id or name; default: all paired."""
    everything = [
        (hub, reader)
        for hub in entry.runtime_data.osdp.values()
        for reader in hub.readers.values()
    ]
    if wanted is None:
        return [(hub, reader) for hub, reader in everything if reader.provisioned]
    registry = dr.async_get(hass)
    chosen: list[tuple[OsdpHub, OsdpReader]] = []
    for name in wanted:
        ids = {name}
        if (device := registry.async_get(name)) is not None:
            ids |= {ident for domain, ident in device.identifiers if domain == DOMAIN}
        match = [
            (hub, reader)
            for hub, reader in everything
            if reader.config.id in ids
            or reader.config.title.casefold() == name.strip().casefold()
        ]
        if not match:
            raise service_error("unknown_reader", reader=name[:60])
        chosen.extend(m for m in match if m not in chosen)
    return chosen


async def _rotate(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    results: list[dict[str, Any]] = []
    for hub, reader in _resolve_readers(hass, entry, call.data.get(ATTR_READERS)):
        result = await hub.async_rotate(reader)
        results.append(
            {
                "reader_id": reader.config.id,
                "reader": reader.config.title,
                "result": result,
            }
        )
    return {
        "rotated": sum(r["result"] == "rotated" for r in results),
        "readers": results,
    }


@callback
def async_setup_osdp_services(hass: HomeAssistant) -> None:
    """Register the OSDP services (admin only)."""
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_ROTATE_READER_KEYS,
        wrap(hass, _rotate),
        ROTATE_SCHEMA,
        SupportsResponse.OPTIONAL,
    )
