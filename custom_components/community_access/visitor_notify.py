"""Notifications of the visitor flow: the host's phone, the guard desk.

An approval request goes, as an actionable notification (Approve / Approve for
2 hours / Deny), to the notify services linked to the visited household; the
answer comes back as ``mobile_app_notification_action`` (services_visitors).
A refusal for an unreachable host and an overdue visitor card go to the guard
desk, and an overdue card to the host too. Names are masked; no ID numbers.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant

from .notifications import async_send
from .runtime import CommunityConfigEntry, visitor_desk
from .services_visitors import ACTION_PREFIX

_TEXT = {
    "visitor_approval_requested": (
        "Visitor {visitor} for {unit} at the gate{purpose}. Let them in?",
        "访客 {visitor} 来访 {unit}{purpose},是否同意进入?",
    ),
    "visitor_refused": (
        "Visitor {visitor} for {unit} was refused: the host did not answer.",
        "访客 {visitor} 来访 {unit} 已被拒绝:无法联系到住户。",
    ),
    # A reason of its own: "<event>:<reason>".
    "visitor_refused:host_moved_out": (
        "Visitor {visitor} for {unit} was refused: the household has moved out.",
        "访客 {visitor} 来访 {unit} 已被拒绝:该住户已迁出。",
    ),
    "visitor_overdue": (
        "The visitor card of {visitor} ({unit}) was not returned by {valid_until}; it is blocked.",
        "访客 {visitor}({unit})的临时访客卡未在 {valid_until} 前交还,已停用。",
    ),
}
_TITLE = ("Community Access", "小区门禁")
_BUTTONS = {
    "APPROVE": ("Approve", "同意"),
    "APPROVE2H": ("Approve for 2 hours", "同意 2 小时"),
    "DENY": ("Deny", "拒绝"),
}


def message(hass: HomeAssistant, name: str, data: dict[str, Any]) -> tuple[str, str]:
    """Title and text of a notification in the configured language."""
    zh = int(hass.config.language.lower().startswith("zh"))
    fields = {k: ("" if v is None else v) for k, v in data.items()}
    purpose = fields.get("purpose")
    fields["purpose"] = (f"({purpose})" if zh else f" ({purpose})") if purpose else ""
    text = _TEXT.get(f"{name}:{data.get('reason')}", _TEXT[name])
    return _TITLE[zh], text[zh].format(**fields)


async def async_visitor_notifications(
    hass: HomeAssistant, entry: CommunityConfigEntry, name: str, data: dict[str, Any]
) -> None:
    """Send the notifications a visitor event calls for."""
    if name not in _TEXT:
        return
    desk = visitor_desk(entry)
    visit = desk.visits.get(int(data["visit_id"]))
    household_id = visit.household_id if visit is not None else None
    if household_id is None:
        household = desk.community.index.household_by_unit(str(data.get("unit")))
        household_id = household.id if household else None
    services, _users = (
        desk.links_of(household_id) if household_id is not None else ([], [])
    )
    title, text = message(hass, name, data)
    zh = int(hass.config.language.lower().startswith("zh"))
    if name == "visitor_approval_requested":
        actions = [
            {"action": f"{ACTION_PREFIX}{verb}_{data['visit_id']}", "title": labels[zh]}
            for verb, labels in _BUTTONS.items()
        ]
        for service in services:
            await async_send(
                hass,
                service,
                title,
                text,
                {
                    "actions": actions,
                    "tag": f"community_access_visit_{data['visit_id']}",
                },
            )
        return
    guard = entry.runtime_data.guard_notify
    targets = [guard] if guard else []
    if name == "visitor_overdue":
        targets += services
    for service in targets:
        await async_send(hass, service, title, text, None)
