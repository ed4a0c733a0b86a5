"""Logbook lines of the site's mode events (no personal data in them)."""

from __future__ import annotations

from typing import Any

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.words import is_chinese
from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)

from .modes import (
    EVENT_EMERGENCY_RELEASE,
    EVENT_EMERGENCY_RESTORED,
    EVENT_LOCKDOWN,
    EVENT_LOCKDOWN_LIFTED,
)

_CAUSES = {"fire": "火灾", "earthquake": "地震", "other": "其他"}
_SCOPES = {"site": "整个小区", "building": "楼栋", "doors": "指定的门"}


def describe_mode_event(
    event_type: str, data: dict[str, Any], language: str
) -> dict[str, str]:
    """Return the logbook name and message of a mode event."""
    zh = is_chinese(language)
    scope = str(data.get("scope") or "site")
    keys = ", ".join(str(k) for k in data.get("keys") or [])
    where = (_SCOPES.get(scope, scope) if zh else scope) + (f" {keys}" if keys else "")
    if event_type == EVENT_EMERGENCY_RELEASE:
        cause = str(data.get("cause") or "other")
        count = data.get("doors_released", 0)
        message = (
            f"紧急释放({_CAUSES.get(cause, cause)},{where}):{count} 个门保持开启"
            if zh
            else f"emergency release ({cause}, {where}): doors held open: {count}"
        )
        name = "紧急释放" if zh else "Emergency release"
    elif event_type == EVENT_EMERGENCY_RESTORED:
        message = (
            "紧急释放已结束,门恢复正常"
            if zh
            else "emergency release ended; doors back to normal"
        )
        name = "紧急释放" if zh else "Emergency release"
    elif event_type == EVENT_LOCKDOWN:
        count = data.get("doors", 0)
        message = (
            f"封闭管控({where}):{count} 个进门只允许指定角色"
            if zh
            else f"lockdown ({where}): entry doors for the chosen roles only: {count}"
        )
        name = "封闭管控" if zh else "Lockdown"
    elif event_type == EVENT_LOCKDOWN_LIFTED:
        message = "封闭管控已解除" if zh else "lockdown lifted"
        name = "封闭管控" if zh else "Lockdown"
    else:
        message, name = event_type, DOMAIN
    return {LOGBOOK_ENTRY_NAME: name, LOGBOOK_ENTRY_MESSAGE: message}
