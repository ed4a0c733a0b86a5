"""Logbook descriptions of access events, in the user's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_ACCESS_DENIED, EVENT_ACCESS_GRANTED

_REASONS_ZH = {
    "granted": "通过",
    "unknown_door": "未知门",
    "unknown_credential": "未登记的凭证",
    "lost": "已挂失",
    "returned": "已退卡",
    "cancelled": "已注销",
    "expired": "已过期",
    "not_yet_valid": "尚未生效",
    "suspended": "已暂停出入",
    "moved_out": "已迁出",
    "zone_not_allowed": "无权进入该区域",
    "outside_time_window": "不在允许时段",
    "remote_open": "远程开门",
}


def describe(event_type: str, data: dict[str, Any], language: str) -> dict[str, str]:
    """Logbook name and message for an access event."""
    zh = language.lower().startswith("zh")
    door = data.get("door") or data.get("door_id") or ""
    who = data.get("person_name") or ("未知人员" if zh else "unknown person")
    reason = str(data.get("reason") or "")
    if reason == "remote_open":
        message = "被远程打开" if zh else "was opened remotely"
    elif event_type == EVENT_ACCESS_GRANTED:
        message = f"允许 {who} 通过" if zh else f"granted access to {who}"
    else:
        text = _REASONS_ZH.get(reason, reason) if zh else reason.replace("_", " ")
        message = f"拒绝 {who}:{text}" if zh else f"denied {who}: {text}"
    return {LOGBOOK_ENTRY_NAME: str(door), LOGBOOK_ENTRY_MESSAGE: message}


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe the integration's bus events."""

    @callback
    def _describe(event: Event) -> dict[str, str]:
        return describe(str(event.event_type), dict(event.data), hass.config.language)

    async_describe_event(DOMAIN, EVENT_ACCESS_GRANTED, _describe)
    async_describe_event(DOMAIN, EVENT_ACCESS_DENIED, _describe)
