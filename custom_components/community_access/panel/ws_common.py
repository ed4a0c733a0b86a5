"""What every websocket command of the panels shares.

:func:`community_command` wraps a handler: it resolves the community named
by ``entry_id``, checks the caller's role (refusing everyone else with
``unauthorized``) and turns a core refusal (:class:`CommunityError`) into an
error whose message is translated into the caller's language (the panel
sends ``language``, the Home Assistant user's language).

A handler receives ``(hass, connection, msg, entry)`` and returns the result
to send. A subscription stores its unsubscribe callback in
``connection.subscriptions[msg["id"]]`` and returns the first snapshot; later
changes go out as ``event_message(msg["id"], ...)`` (websocket_api.messages).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
import functools
import logging
from typing import Any

import voluptuous as vol

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.runtime import CommunityConfigEntry
from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.decorators import (
    async_response,
    websocket_command,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import Unauthorized
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.translation import async_get_translations

from .roles import Role, is_guard, resident_units

_LOGGER = logging.getLogger(__name__)

#: Fields every community command takes.
BASE_SCHEMA: dict[vol.Marker, Any] = {
    vol.Required("entry_id"): cv.string,
    vol.Optional("language", default="en"): vol.All(cv.string, vol.Length(max=20)),
}

#: Error codes the panels read.
ERR_UNAUTHORIZED = "unauthorized"
ERR_NOT_FOUND = "not_found"

type Handler = Callable[
    [
        HomeAssistant,
        ActiveConnection,
        dict[str, Any],
        CommunityConfigEntry,
    ],
    Awaitable[Any],
]


async def translated(
    hass: HomeAssistant, language: str, key: str, placeholders: dict[str, str]
) -> str:
    """Return the message of an ``exceptions`` key in the language, filled in."""
    strings = await async_get_translations(hass, language, "exceptions", [DOMAIN])
    text = strings.get(f"component.{DOMAIN}.exceptions.{key}.message")
    if text is None:
        return key
    for name, value in placeholders.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def loaded_entry(hass: HomeAssistant, entry_id: str) -> CommunityConfigEntry | None:
    """Return the loaded community entry with this id, if any."""
    entry = hass.config_entries.async_get_entry(entry_id)
    if (
        entry is None
        or entry.domain != DOMAIN
        or entry.state is not ConfigEntryState.LOADED
    ):
        return None
    return entry


def door_name(entry: CommunityConfigEntry, door_id: str | None) -> str | None:
    """Return a door's name now (None for a door removed since)."""
    operator = entry.runtime_data.doors.get(door_id) if door_id else None
    return operator.config.door.name if operator is not None else None


def allowed(entry: CommunityConfigEntry, user: Any, role: Role) -> bool:
    """Whether the connection's user may use a command of the role."""
    if user is None:
        return False
    if role is Role.ADMIN:
        return bool(user.is_admin)
    if role is Role.GUARD:
        return is_guard(entry, user)
    return bool(user.is_admin) or bool(resident_units(entry, user))


async def _checked(
    handler: Handler,
    role: Role,
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
) -> Any:
    """Run the handler if the caller has the role in the community, else refuse."""
    entry = loaded_entry(hass, msg["entry_id"])
    if entry is None or not allowed(entry, connection.user, role):
        # The same answer whether the community exists or not.
        raise Unauthorized
    return await handler(hass, connection, msg, entry)


def community_command(
    command: str, schema: Mapping[Any, Any], role: Role
) -> Callable[[Handler], Callable[..., None]]:
    """Declare a websocket command of a community for callers of ``role``.

    ``command`` is the part after ``community_access/``. Residents' commands
    must still check that what they touch belongs to the caller's household
    (:func:`.roles.resident_units`); a handler raises
    :class:`~homeassistant.exceptions.Unauthorized` to refuse (``unauthorized``).
    """

    def decorate(handler: Handler) -> Callable[..., None]:
        full: dict[Any, Any] = {
            vol.Required("type"): f"{DOMAIN}/{command}",
            **BASE_SCHEMA,
            **schema,
        }

        @websocket_command(full)
        @async_response
        @functools.wraps(handler)
        async def run(
            hass: HomeAssistant,
            connection: ActiveConnection,
            msg: dict[str, Any],
        ) -> None:
            try:
                result = await _checked(handler, role, hass, connection, msg)
            except Unauthorized:
                # Also what a handler raises for something not the caller's.
                connection.send_error(
                    msg["id"],
                    ERR_UNAUTHORIZED,
                    await translated(hass, msg["language"], "panel_unauthorized", {}),
                )
                return
            except CommunityError as err:
                connection.send_error(
                    msg["id"],
                    err.key,
                    await translated(hass, msg["language"], err.key, err.placeholders),
                )
                return
            connection.send_result(msg["id"], result)

        return run

    return decorate


def register(hass: HomeAssistant, *handlers: Callable[..., None]) -> None:
    """Register websocket commands (once, from ``async_setup``)."""
    for handler in handlers:
        async_register_command(hass, handler)
