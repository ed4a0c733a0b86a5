"""Office commands: OSDP lines with their readers, and pairing a reader.

Pairing runs the same steps as the options flow (:mod:`..osdp_pairing`):
a reader already configured at that address is paired in place; a new one
is paired first and kept as a reader subentry only once it is paired.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Final

import voluptuous as vol

from custom_components.community_access.const import (
    CONF_PROTOCOL,
    PROTOCOL_OSDP,
    SUBENTRY_SERIAL_LINE,
)
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.osdp_config import (
    Identity,
    PairingError,
    reader_subentries,
)
from custom_components.community_access.osdp_hub import OsdpHub
from custom_components.community_access.osdp_pairing import (
    async_pair_configured,
    async_pair_new,
)
from custom_components.community_access.osdp_reader import OsdpReader
from custom_components.community_access.runtime import CommunityConfigEntry
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv

from .roles import Role
from .ws_common import community_command

ID = vol.All(cv.string, vol.Length(min=1, max=64))
PAIR = {
    vol.Required("line"): ID,
    vol.Required("address"): vol.All(vol.Coerce(int), vol.Range(min=0, max=126)),
    vol.Required("door_id"): ID,
    vol.Optional("name"): vol.All(cv.string, vol.Length(max=60)),
}
#: How long the answer waits for a freshly paired reader's secure channel.
SECURE_WAIT: Final = 5.0


def _door_name(entry: CommunityConfigEntry, door_id: str) -> str | None:
    operator = entry.runtime_data.doors.get(door_id)
    return operator.config.door.name if operator is not None else None


def reader_item(entry: CommunityConfigEntry, reader: OsdpReader) -> dict[str, Any]:
    """Return a reader with its state; the serial masked, no key."""
    identity = reader.identity or (reader.record.identity if reader.record else None)
    return {
        "reader_id": reader.config.id,
        "name": reader.config.title,
        "address": reader.config.address,
        "door_id": reader.config.door_id,
        "door": _door_name(entry, reader.config.door_id),
        "online": reader.hub.connected and reader.online,
        "secure": reader.secure,
        "paired": reader.provisioned,
        # "own": its own key (paired); "none": plaintext, default key never kept
        "key": "own" if reader.provisioned else "none",
        "alarm": reader.alarm,
        "identity": identity.as_dict() if identity else None,
    }


def line_item(
    entry: CommunityConfigEntry, line_id: str, title: str, port: str
) -> dict[str, Any]:
    """Return an OSDP line with its running readers, by address."""
    hub = entry.runtime_data.osdp.get(line_id)
    readers = (
        [reader_item(entry, hub.readers[a]) for a in sorted(hub.readers)] if hub else []
    )
    return {
        "line_id": line_id,
        "title": title,
        "port": port,
        "connected": hub.connected if hub else False,
        "readers": readers,
    }


def _osdp_lines(entry: CommunityConfigEntry) -> list[tuple[str, str, str]]:
    return sorted(
        (
            (s.subentry_id, s.title, str(s.data.get("port", "")))
            for s in entry.subentries.values()
            if s.subentry_type == SUBENTRY_SERIAL_LINE
            and s.data.get(CONF_PROTOCOL) == PROTOCOL_OSDP
        ),
        key=lambda line: line[1],
    )


@community_command("office/osdp_lines", {}, Role.ADMIN)
async def ws_osdp_lines(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> list[dict[str, Any]]:
    """Every OSDP line with its readers and their state."""
    return [line_item(entry, *line) for line in _osdp_lines(entry)]


def _pairing_error(err: PairingError, hub: OsdpHub, address: int) -> CommunityError:
    return CommunityError(
        f"osdp_{err.reason}", line=hub.config.title, address=str(address)
    )


async def _secure_soon(reader: OsdpReader) -> None:
    """Give a freshly paired reader a moment to open its secure channel."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(SECURE_WAIT):
            while not reader.secure and reader.hub.connected:
                await asyncio.sleep(0.05)


@community_command("office/osdp_pair", PAIR, Role.ADMIN)
async def ws_osdp_pair(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Pair the reader at a line's address for a door (as the options flow does)."""
    line_id, address, door_id = msg["line"], msg["address"], msg["door_id"]
    hub = entry.runtime_data.osdp.get(line_id)
    if hub is None:
        raise CommunityError("osdp_unknown_line", line=line_id[:60])
    door = _door_name(entry, door_id)
    if door is None:
        raise CommunityError("unknown_door", door=door_id[:60])
    configured = next(
        (
            s
            for s in reader_subentries(entry)
            if s.data.get("line") == line_id
            and int(s.data.get("address", -1)) == address
        ),
        None,
    )
    identity: Identity
    try:
        if configured is not None:
            if configured.data.get("door") != door_id:
                raise CommunityError(
                    "osdp_address_taken",
                    line=hub.config.title,
                    address=str(address),
                    reader=configured.title,
                )
            reader_id = configured.subentry_id
            identity = await async_pair_configured(entry, reader_id)
        else:
            reader_id, identity = await async_pair_new(
                hass,
                entry,
                hub,
                title=(msg.get("name") or "").strip() or f"{door} #{address}",
                address=address,
                door_id=door_id,
            )
    except PairingError as err:
        raise _pairing_error(err, hub, address) from None
    hub = entry.runtime_data.osdp[line_id]
    reader = hub.readers[address]
    await _secure_soon(reader)
    return {
        "line_id": line_id,
        "reader": reader_item(entry, reader),
        "identity": identity.as_dict(),
        "secure_channel": True,
        "reader_id": reader_id,
    }


COMMANDS = (ws_osdp_lines, ws_osdp_pair)
