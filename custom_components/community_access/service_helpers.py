"""Shared pieces of the service modules: resolving the community and doors, errors."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime
import json
from typing import Any

import voluptuous as vol

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .core.decision import Decision
from .core.errors import CommunityError
from .runtime import CommunityConfigEntry

ATTR_CONFIG_ENTRY_ID = "config_entry_id"
#: Every service takes the community as an optional field.
ENTRY_FIELD: dict[vol.Marker, Any] = {vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string}


#: A card number as typed; the core checks its digits (separators may make
#: the text longer than the 64 digits a number may have).
CARD_FIELD = vol.All(cv.string, vol.Length(min=1, max=128))


def small_json(max_length: int) -> Callable[[Any], dict[str, Any]]:
    """Return a validator of a mapping kept as JSON text: finite numbers, bounded."""
    message = f"must be plain data of at most {max_length} characters as JSON"

    def validate(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise vol.Invalid("expected a dictionary")
        try:
            text = json.dumps(value, allow_nan=False, default=str)
        except (ValueError, TypeError, RecursionError):
            raise vol.Invalid(message) from None
        if len(text) > max_length:
            raise vol.Invalid(message)
        return value

    return validate


def service_error(key: str, **placeholders: str) -> ServiceValidationError:
    """Return a translated validation error of this integration."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def resolve_entry(hass: HomeAssistant, call: ServiceCall) -> CommunityConfigEntry:
    """Return the community a call is for: named, or the only one loaded."""
    entry_id = call.data.get(ATTR_CONFIG_ENTRY_ID)
    if entry_id:
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            raise service_error("unknown_community", entry_id=entry_id)
        if entry.state is not ConfigEntryState.LOADED:
            raise service_error("community_not_loaded", name=entry.title)
        return entry
    loaded = hass.config_entries.async_loaded_entries(DOMAIN)
    if not loaded:
        raise service_error("no_community")
    if len(loaded) > 1:
        raise service_error("community_required")
    return loaded[0]


def resolve_door(hass: HomeAssistant, entry: CommunityConfigEntry, door: str) -> str:
    """Return a door id from an id, a door device id or a name (case-insensitive)."""
    doors = entry.runtime_data.doors
    if door in doors:
        return door
    device = dr.async_get(hass).async_get(door)
    if device is not None:
        for domain, ident in device.identifiers:
            if domain == DOMAIN and ident in doors:
                return ident
    wanted = door.strip().casefold()
    for door_id, operator in doors.items():
        if operator.config.door.name.casefold() == wanted:
            return door_id
    raise service_error("unknown_door", door=door[:60])


def aware(value: datetime | None) -> datetime | None:
    """Return a service datetime in UTC; a naive one is in the community time zone."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt_util.get_default_time_zone())
    return dt_util.as_utc(value)


def to_cents(yuan: float | None) -> int | None:
    """Yuan from a service field to integer fen."""
    return None if yuan is None else round(yuan * 100)


def actor(call: ServiceCall) -> str | None:
    """Who made the call (a Home Assistant user id), for the ledger and records."""
    return call.context.user_id


type Handler = Callable[
    [HomeAssistant, CommunityConfigEntry, ServiceCall],
    Coroutine[Any, Any, ServiceResponse],
]


def wrap(
    hass: HomeAssistant, handler: Handler
) -> Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    """Resolve the community, run the handler, translate core refusals."""

    async def _call(call: ServiceCall) -> ServiceResponse:
        entry = resolve_entry(hass, call)
        try:
            return await handler(hass, entry, call)
        except CommunityError as err:
            raise service_error(err.key, **err.placeholders) from None

    return _call


def decision_response(decision: Decision, door_id: str) -> dict[str, Any]:
    """Response data of a decision at a door (``waived``: see ``event_data``)."""
    response: dict[str, Any] = {
        "granted": decision.granted,
        "reason": decision.reason.value,
        "door_id": door_id,
        "person_id": decision.person_id,
        "person_name": decision.person_name,
        "unit": decision.unit,
    }
    if decision.waived is not None:
        response["waived"] = decision.waived.value
    return response
