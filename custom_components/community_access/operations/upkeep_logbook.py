"""Logbook lines of the fault, patrol and maintenance events (devices and doors only)."""

from __future__ import annotations

from typing import Any

from custom_components.community_access.const import (
    EVENT_FAULT_OPENED,
    EVENT_FAULT_UPDATED,
    EVENT_MAINTENANCE,
    EVENT_PATROL_DUE,
    EVENT_PATROL_RECORDED,
)
from custom_components.community_access.words import (
    FAULT_CAUSES,
    FAULT_STATUSES,
    MAINTENANCE_MODES,
    is_chinese,
    local_time,
    word,
)
from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)

UPKEEP_EVENTS = (
    EVENT_FAULT_OPENED,
    EVENT_FAULT_UPDATED,
    EVENT_PATROL_DUE,
    EVENT_PATROL_RECORDED,
    EVENT_MAINTENANCE,
)

_PHASES = {
    "notice": ("residents were told of maintenance", "已通知住户设备维护"),
    "started": ("maintenance started", "设备维护开始"),
    "ended": ("maintenance ended", "设备维护结束"),
    "cancelled": ("maintenance was cancelled", "设备维护已取消"),
}


def _fault(event_type: str, data: dict[str, Any], language: str, zh: bool) -> str:
    if event_type == EVENT_FAULT_OPENED:
        cause = word(FAULT_CAUSES, data.get("cause"), language)
        return f"故障:{cause}" if zh else f"fault: {cause}"
    status = word(FAULT_STATUSES, data.get("status"), language)
    note = data.get("note")
    text = f"维修进度:{status}" if zh else f"repair: {status}"
    if not note:
        return text
    return f"{text}({note})" if zh else f"{text} ({note})"


def describe_upkeep(
    event_type: str, data: dict[str, Any], language: str
) -> dict[str, str] | None:
    """Return the logbook line of one of these events (None for another event)."""
    zh = is_chinese(language)
    if event_type in (EVENT_FAULT_OPENED, EVENT_FAULT_UPDATED):
        name = data.get("device") or data.get("device_id")
        message = _fault(event_type, data, language, zh)
    elif event_type == EVENT_PATROL_DUE:
        name = data.get("door") or data.get("door_id")
        message = "需要巡查(设备故障中)" if zh else "is due a patrol (faulty)"
    elif event_type == EVENT_PATROL_RECORDED:
        name = data.get("door") or data.get("checkpoint") or ""
        kind = data.get("kind")
        if kind == "inspection":
            result = data.get("result")
            message = (
                f"已巡检:{'正常' if result == 'ok' else '故障'}"
                if zh
                else f"was inspected: {result}"
            )
        else:
            message = "已巡查" if zh else "was patrolled"
    elif event_type == EVENT_MAINTENANCE:
        phase = _PHASES.get(str(data.get("phase")), ("maintenance", "设备维护"))
        mode = word(MAINTENANCE_MODES, data.get("mode"), language)
        start = local_time(data.get("start"))
        end = local_time(data.get("end"))
        name = phase[1] if zh else phase[0]
        message = f"{start} – {end},{mode}" if zh else f"{start} – {end}, {mode}"
    else:
        return None
    return {LOGBOOK_ENTRY_NAME: str(name or ""), LOGBOOK_ENTRY_MESSAGE: message}
