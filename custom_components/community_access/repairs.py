"""Repair issues: problems an admin can act on."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, issue_registry as ir

from .const import DOMAIN
from .runtime import CommunityConfigEntry


def door_lock_issue_id(door_id: str) -> str:
    """Issue id of a door whose bound lock is gone."""
    return f"door_lock_missing_{door_id}"


@callback
def async_check_door_locks(hass: HomeAssistant, entry: CommunityConfigEntry) -> None:
    """Raise a repair issue for each door bound to a lock that does not exist."""
    registry = er.async_get(hass)
    for operator in entry.runtime_data.doors.values():
        lock = operator.config.lock_entity_id
        issue_id = door_lock_issue_id(operator.id)
        if (
            lock is None
            or hass.states.get(lock) is not None
            or registry.async_get(lock)
        ):
            ir.async_delete_issue(hass, DOMAIN, issue_id)
            continue
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="door_lock_missing",
            translation_placeholders={"door": operator.config.door.name, "lock": lock},
        )
