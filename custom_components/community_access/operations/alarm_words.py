"""Door alarms in words: the guard desk's notification and the logbook line."""

from __future__ import annotations

from typing import Any

from custom_components.community_access.core.operations.alarms import AlarmKind
from custom_components.community_access.words import is_chinese, local_time

#: (English, Chinese) per kind.
KIND_WORDS: dict[str, tuple[str, str]] = {
    AlarmKind.FORCED_OPEN: ("forced open", "被强行打开"),
    AlarmKind.HELD_OPEN: ("held open too long", "开门超时未关"),
    AlarmKind.TAMPER: ("reader tampered with", "读卡器被撬"),
    AlarmKind.POWER_FAILURE: ("reader power failure", "读卡器断电"),
}
#: (English, Chinese) per state of the bus event.
_STATES: dict[str, tuple[str, str]] = {
    "started": ("alarm: {what} at {at}", "报警:{what}({at})"),
    "ended": ("alarm ended: {what} at {at}", "报警结束:{what}({at})"),
    "acknowledged": ("alarm acknowledged: {what}", "报警已确认:{what}"),
}


def kind_words(kind: Any, language: str) -> str:
    """Return the words of an alarm kind in the language."""
    pair = KIND_WORDS.get(str(kind))
    return pair[int(is_chinese(language))] if pair else str(kind)


def alarm_text(door: str, kind: AlarmKind, language: str) -> tuple[str, str]:
    """Title and message of the guard desk's notification, in the language."""
    zh = is_chinese(language)
    title = "门禁报警" if zh else "Door alarm"
    what = kind_words(kind, language)
    return title, (f"{door}:{what}" if zh else f"{door}: {what}")


def describe_alarm(data: dict[str, Any], language: str) -> tuple[str, str]:
    """Logbook name (the door) and message of a ``door_alarm`` bus event."""
    zh = int(is_chinese(language))
    template = _STATES.get(str(data.get("state")), _STATES["started"])[zh]
    message = template.format(
        what=kind_words(data.get("kind"), language), at=local_time(data.get("at"))
    )
    return str(data.get("door") or data.get("door_id") or ""), message
