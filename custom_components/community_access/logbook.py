"""Logbook descriptions of our bus events, in the user's language.

One line per access (the door as name; who and why as message). Names are
masked unless every loaded community shows full names; keys read as words
and times as local time (see words.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback

from . import words
from .const import (
    CONF_SHOW_FULL_NAMES,
    DESK_EVENTS,
    DOMAIN,
    EVENT_ACCESS_DENIED,
    EVENT_ACCESS_GRANTED,
    EVENT_DOOR_ALARM,
)
from .names import shown_data
from .operations.alarm_words import describe_alarm
from .operations.modes import MODE_EVENTS
from .operations.modes_logbook import describe_mode_event
from .operations.upkeep_logbook import UPKEEP_EVENTS, describe_upkeep

#: Card-desk events: (English, Chinese) message templates.
_DESK_MESSAGES = {
    "card_issued": (
        "was issued a card (deposit {deposit} yuan)",
        "办理了门禁卡(押金 {deposit} 元)",
    ),
    "card_lost": ("reported a card lost; it is blocked", "挂失了门禁卡,该卡已停用"),
    "card_reissued": (
        "was reissued a card (fee {fee} yuan)",
        "补办了门禁卡(费用 {fee} 元)",
    ),
    "card_returned": (
        "returned a card (refund {refund} yuan)",
        "退还了门禁卡(退押金 {refund} 元)",
    ),
    "temporary_card_issued": (
        "was issued a temporary card until {valid_until}",
        "办理了临时门禁卡,有效期至 {valid_until}",
    ),
    "contractor_registered": ("was registered as a contractor", "登记为施工人员"),
    "credential_revoked": ("had a {kind} revoked", "的{kind}已撤销"),
    "credential_expired": ("had a {kind} expire", "的{kind}已过期"),
    "moved_out": (
        "moved out: {credentials_cancelled} credentials cancelled",
        "已迁出:注销 {credentials_cancelled} 个凭证",
    ),
    "visitor_approval_requested": (
        "visitor {visitor} waits for approval",
        "访客 {visitor} 等待确认",
    ),
    "visitor_preregistered": (
        "visitor {visitor} pre-registered",
        "访客 {visitor} 已预约",
    ),
    "visitor_approved": (
        "visitor {visitor} approved until {valid_until}",
        "访客 {visitor} 已获准,至 {valid_until}",
    ),
    "visitor_denied": ("visitor {visitor} denied", "访客 {visitor} 被拒绝"),
    "visitor_refused": (
        "visitor {visitor} refused: host unreachable",
        "访客 {visitor} 被拒:无法联系住户",
    ),
    # A reason of its own: "<event>:<reason>".
    "visitor_refused:host_moved_out": (
        "visitor {visitor} refused: the household moved out",
        "访客 {visitor} 被拒:住户已迁出",
    ),
    "visitor_on_site": ("visitor {visitor} entered", "访客 {visitor} 已进入"),
    "visitor_checked_out": ("visitor {visitor} left", "访客 {visitor} 已离开"),
    "visitor_overdue": (
        "visitor card of {visitor} not returned",
        "访客 {visitor} 的访客卡未交还",
    ),
    "visitor_expired": ("visit of {visitor} ended", "访客 {visitor} 的来访已结束"),
    "violation_recorded": ("violation recorded: {kind}", "记录违规:{kind}"),
    "violation_suspected": ("suspected violation: {type}", "疑似违规:{type}"),
    "penalty_applied": ("penalty applied: {kind}", "执行处罚:{kind}"),
    "penalty_lifted": ("penalty lifted: {kind}", "解除处罚:{kind}"),
    "public_notice": ("public notice for {person}", "公告批评 {person}"),
    "keypad_locked": (
        "keypad locked after wrong PINs until {until}",
        "密码错误过多,键盘已锁定至 {until}",
    ),
    "commendation_recorded": ("commended", "受到表扬"),
    "lock_programmed": (
        "{event} at the lock's own keypad{slot}",
        "有人在门锁键盘上操作:{event}{slot}",
    ),
}


#: Fields holding an ISO time, shown as local time.
_TIMES = ("valid_until", "until", "deadline", "start", "end")
#: Fields holding an amount of money, shown in yuan.
_MONEY = ("deposit", "fee", "refund", "refunded", "deposits_kept", "amount")


def _fields(name: str, data: dict[str, Any], language: str) -> dict[str, Any]:
    """Return the event's fields as words: times local, money in yuan, keys translated."""
    fields = {k: ("" if v is None else v) for k, v in data.items()}
    for key in _TIMES:
        if fields.get(key):
            fields[key] = words.local_time(fields[key])
    for key in _MONEY:
        if fields.get(key) != "" and key in fields:
            fields[key] = words.yuan(fields[key])
    if name.startswith("violation_recorded"):
        fields["kind"] = words.word(words.VIOLATIONS, data.get("kind"), language)
    elif name.startswith("penalty_"):
        fields["kind"] = words.penalty(data.get("kind"), data.get("amount"), language)
    elif name.startswith("credential_"):
        fields["kind"] = words.word(words.CREDENTIALS, data.get("kind"), language)
    if name == "violation_suspected":
        fields["type"] = words.word(words.SUSPICIONS, data.get("type"), language)
    if name == "lock_programmed":
        fields["event"] = words.word(
            words.LOCK_PROGRAMMING, data.get("event"), language
        )
        slot = data.get("slot")
        zh = words.is_chinese(language)
        fields["slot"] = (
            "" if slot is None else (f"(槽位 {slot})" if zh else f" (slot {slot})")
        )
    return fields


def describe_desk(name: str, data: dict[str, Any], language: str) -> dict[str, str]:
    """Logbook name and message for a card-desk event."""
    zh = words.is_chinese(language)
    english, chinese = _DESK_MESSAGES.get(
        f"{name}:{data.get('reason')}",
        _DESK_MESSAGES.get(name, (name.replace("_", " "), name)),
    )
    fields = _fields(name, data, language)
    try:
        message = (chinese if zh else english).format(**fields)
    except (KeyError, IndexError):
        message = chinese if zh else english
    who = (
        data.get("person_name")
        or data.get("unit")
        or data.get("door")
        or data.get("door_id")
        or ""
    )
    return {LOGBOOK_ENTRY_NAME: str(who), LOGBOOK_ENTRY_MESSAGE: message}


def describe(event_type: str, data: dict[str, Any], language: str) -> dict[str, str]:
    """Logbook line of an access: the door as name, who and why as message."""
    zh = words.is_chinese(language)
    door = data.get("door") or data.get("door_id") or ""
    who = data.get("person_name") or ("未知人员" if zh else "unknown person")
    reason = str(data.get("reason") or "")
    if reason == "remote_open":
        message = "被远程打开" if zh else "was opened remotely"
    elif reason == "guard_verified":
        message = (
            f"保安核实后放行 {who}" if zh else f"let {who} in after a guard's check"
        )
    elif reason == "escape_route":
        text = words.word(words.REASONS, str(data.get("waived") or ""), language)
        message = (
            f"经疏散通道放行 {who}(本应拒绝:{text})"
            if zh
            else f"let {who} out by an escape route (would have been refused: {text})"
        )
    elif event_type == EVENT_ACCESS_GRANTED:
        message = f"允许 {who} 通过" if zh else f"granted access to {who}"
    else:
        text = words.word(words.REASONS, reason, language)
        message = f"拒绝 {who}:{text}" if zh else f"denied {who}: {text}"
    return {LOGBOOK_ENTRY_NAME: str(door), LOGBOOK_ENTRY_MESSAGE: message}


def _full_names(hass: HomeAssistant) -> bool:
    """Full names only when every loaded community shows them."""
    entries = hass.config_entries.async_loaded_entries(DOMAIN)
    return bool(entries) and all(
        entry.options.get(CONF_SHOW_FULL_NAMES, False) for entry in entries
    )


def _door_name(hass: HomeAssistant, door_id: Any) -> str | None:
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        runtime = getattr(entry, "runtime_data", None)
        operator = runtime.doors.get(str(door_id)) if runtime is not None else None
        if operator is not None:
            return str(operator.config.door.name)
    return None


@callback
def describe_event(
    hass: HomeAssistant, event_type: str, data: dict[str, Any]
) -> dict[str, str] | None:
    """Logbook line of one of our bus events, names as users may see them.

    Events recorded before names were masked are masked here too.
    """
    shown = shown_data(data, _full_names(hass))
    language = hass.config.language
    if event_type in (EVENT_ACCESS_GRANTED, EVENT_ACCESS_DENIED):
        return describe(event_type, shown, language)
    if event_type in UPKEEP_EVENTS:
        return describe_upkeep(event_type, shown, language)
    if event_type == EVENT_DOOR_ALARM:
        name, message = describe_alarm(shown, language)
        return {LOGBOOK_ENTRY_NAME: name, LOGBOOK_ENTRY_MESSAGE: message}
    if event_type in MODE_EVENTS:
        return describe_mode_event(event_type, shown, language)
    name = event_type.removeprefix(f"{DOMAIN}_")
    if name not in DESK_EVENTS:
        return None
    if not shown.get("door") and shown.get("door_id"):
        shown["door"] = _door_name(hass, shown["door_id"])
    return describe_desk(name, shown, language)


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe the integration's bus events."""

    @callback
    def _describe(event: Event) -> dict[str, str]:
        return describe_event(hass, str(event.event_type), dict(event.data)) or {}

    async_describe_event(DOMAIN, EVENT_ACCESS_GRANTED, _describe)
    async_describe_event(DOMAIN, EVENT_ACCESS_DENIED, _describe)
    async_describe_event(DOMAIN, EVENT_DOOR_ALARM, _describe)
    for name in DESK_EVENTS:
        async_describe_event(DOMAIN, f"{DOMAIN}_{name}", _describe)
    for event_type in UPKEEP_EVENTS:
        async_describe_event(DOMAIN, event_type, _describe)
    for event_type in MODE_EVENTS:
        async_describe_event(DOMAIN, event_type, _describe)
