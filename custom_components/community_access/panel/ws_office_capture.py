"""Office command: read a new card at a door's reader (``office/capture_card``).

A subscription: the result names the door and when the wait ends; then one
event, the card read (number, mask, whether someone holds it already) or
``{"timeout": true}``. Closing the subscription or the connection releases
the door. The card desk gets the number (it would type it anyway); the
audit trail, logs and events never do (see ``runtime.async_present``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import voluptuous as vol

from custom_components.community_access.core.enrolment import Capture, card_read
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.runtime import CommunityConfigEntry
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .fields import caller
from .roles import Role
from .ws_common import community_command

#: Seconds to wait for a card, unless the command says otherwise.
DEFAULT_TIMEOUT = 60


@community_command(
    "office/capture_card",
    {
        vol.Required("door_id"): vol.All(cv.string, vol.Length(max=64)),
        vol.Optional("timeout", default=DEFAULT_TIMEOUT): vol.All(
            vol.Coerce(int), vol.Range(min=10, max=300)
        ),
    },
    Role.ADMIN,
)
async def ws_capture_card(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Wait for the next card at a door; send it to the caller, not to the door."""
    runtime = entry.runtime_data
    door_id: str = msg["door_id"]
    operator = runtime.doors.get(door_id)
    if operator is None:
        raise CommunityError("unknown_door", door=door_id[:60])
    msg_id: int = msg["id"]
    now = dt_util.utcnow()
    cancel_timer: list[Any] = []

    @callback
    def deliver(value: str) -> None:
        for cancel in cancel_timer:
            cancel()
        cancel_timer.clear()
        connection.send_message(
            event_message(msg_id, card_read(runtime.community, value))
        )

    capture = Capture(
        door_id=door_id,
        user_id=caller(connection),
        expires_at=now + timedelta(seconds=msg["timeout"]),
        deliver=deliver,
    )
    runtime.captures.open(capture, now, operator.config.door.name)

    @callback
    def timed_out(_now: Any) -> None:
        cancel_timer.clear()
        runtime.captures.release(capture)
        connection.send_message(event_message(msg_id, {"timeout": True}))

    @callback
    def unsubscribe() -> None:
        for cancel in cancel_timer:
            cancel()
        cancel_timer.clear()
        runtime.captures.release(capture)

    cancel_timer.append(async_call_later(hass, msg["timeout"], timed_out))
    connection.subscriptions[msg_id] = unsubscribe
    return {
        "door_id": door_id,
        "door": operator.config.door.name,
        "expires_at": capture.expires_at.isoformat(),
    }


COMMANDS = (ws_capture_card,)
