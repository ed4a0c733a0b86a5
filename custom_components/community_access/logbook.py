"""Logbook descriptions of access events, in the user's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback

from .const import DESK_EVENTS, DOMAIN, EVENT_ACCESS_DENIED, EVENT_ACCESS_GRANTED

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
    "guard_verified": "保安核实后放行",
    "face_alone": "人脸不能作为唯一凭证",
}


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
    "keypad_locked": ("keypad locked after wrong PINs", "密码错误过多,键盘已锁定"),
    "commendation_recorded": ("commended", "受到表扬"),
    "lock_programmed": (
        "{event} at the lock's own keypad (slot {slot})",
        "有人在门锁键盘上操作:{event}(槽位 {slot})",
    ),
}


def describe_desk(name: str, data: dict[str, Any], language: str) -> dict[str, str]:
    """Logbook name and message for a card-desk event."""
    zh = language.lower().startswith("zh")
    english, chinese = _DESK_MESSAGES.get(
        f"{name}:{data.get('reason')}",
        _DESK_MESSAGES.get(name, (name.replace("_", " "), name)),
    )
    fields = {k: ("" if v is None else v) for k, v in data.items()}
    try:
        message = (chinese if zh else english).format(**fields)
    except (KeyError, IndexError):
        message = chinese if zh else english
    who = data.get("person_name") or data.get("unit") or data.get("door_id") or ""
    return {LOGBOOK_ENTRY_NAME: str(who), LOGBOOK_ENTRY_MESSAGE: message}


def describe(event_type: str, data: dict[str, Any], language: str) -> dict[str, str]:
    """Logbook name and message for an access event."""
    zh = language.lower().startswith("zh")
    door = data.get("door") or data.get("door_id") or ""
    who = data.get("person_name") or ("未知人员" if zh else "unknown person")
    reason = str(data.get("reason") or "")
    if reason == "remote_open":
        message = "被远程打开" if zh else "was opened remotely"
    elif reason == "guard_verified":
        message = (
            f"保安核实后放行 {who}" if zh else f"let {who} in after a guard's check"
        )
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

    for name in DESK_EVENTS:

        @callback
        def _describe_desk(event: Event, name: str = name) -> dict[str, str]:
            return describe_desk(name, dict(event.data), hass.config.language)

        async_describe_event(DOMAIN, f"{DOMAIN}_{name}", _describe_desk)
