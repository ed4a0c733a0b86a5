"""Send one notification through a notify service chosen in the options.

Shared by the visitor, rule, door-alarm and upkeep notifications: a failing
or missing service is only logged, never raised into the caller's work.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .const import LOGGER


async def async_send(
    hass: HomeAssistant,
    service: str | None,
    title: str,
    message: str,
    data: dict[str, Any] | None = None,
) -> None:
    """Call ``notify.<service>`` with a title, a message and optional data."""
    if not service:
        return
    payload: dict[str, Any] = {"title": title, "message": message}
    if data:
        payload["data"] = data
    try:
        await hass.services.async_call(
            "notify", service.removeprefix("notify."), payload, blocking=True
        )
    except HomeAssistantError as err:
        LOGGER.warning("Could not notify %s: %s", service, err)
