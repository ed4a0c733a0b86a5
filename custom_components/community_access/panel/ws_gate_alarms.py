"""The gate desk's door alarms (``community_access/gate/alarms...``), for guards.

The guard sees every door alarm that still needs attention (active, or
ended but not acknowledged), with the door's name, kind and times, and
acknowledges one with a note (as the ``acknowledge_alarm`` service does).
``gate/alarms_subscribe`` sends the list, then each alarm as it starts,
ends or is acknowledged. No person is part of an alarm.
"""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from custom_components.community_access.core.operations.alarms import Alarm
from custom_components.community_access.operations.alarm_services import (
    alarm_item,
    door_alarms,
)
from custom_components.community_access.runtime import CommunityConfigEntry
from custom_components.community_access.service_numbers import ID
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.core import Context, HomeAssistant, callback

from .roles import Role, is_guard
from .ws_common import community_command


def open_alarms(entry: CommunityConfigEntry) -> list[dict[str, Any]]:
    """Return the alarms needing attention, newest first."""
    alarms = sorted(
        door_alarms(entry).open.values(),
        key=lambda a: (a.started_at, a.id),
        reverse=True,
    )
    return [alarm_item(entry, alarm) for alarm in alarms]


@community_command("gate/alarms", {}, Role.GUARD)
async def ws_alarms(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> list[dict[str, Any]]:
    """Door alarms active or not yet acknowledged."""
    return open_alarms(entry)


@community_command("gate/alarms_subscribe", {}, Role.GUARD)
async def ws_alarms_subscribe(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> list[dict[str, Any]]:
    """Send the open alarms, then each alarm as it changes."""
    msg_id, user = msg["id"], connection.user

    @callback
    def _changed(event_type: str, alarm: Alarm) -> None:
        if user is not None and is_guard(entry, user):
            connection.send_message(
                event_message(
                    msg_id, {"event": event_type, "alarm": alarm_item(entry, alarm)}
                )
            )

    connection.subscriptions[msg_id] = door_alarms(entry).add_alarm_listener(
        None, _changed
    )
    return open_alarms(entry)


@community_command(
    "gate/acknowledge_alarm",
    {
        vol.Required("alarm_id"): ID,
        vol.Optional("note"): vol.All(str, vol.Length(max=500)),
    },
    Role.GUARD,
)
async def ws_acknowledge_alarm(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Acknowledge an alarm with a note (audited)."""
    user_id = connection.user.id if connection.user is not None else None
    alarm = await door_alarms(entry).async_acknowledge(
        msg["alarm_id"], note=msg.get("note"), context=Context(user_id=user_id)
    )
    return alarm_item(entry, alarm)


COMMANDS = (ws_alarms, ws_alarms_subscribe, ws_acknowledge_alarm)
