"""What follows rule events: notices, the household told, suspicions recorded.

- ``penalty_applied``: the household's linked phones are told (a warning
  carries its deadline to correct, 限期整改);
- ``public_notice`` (公告批评): published to the notice notify service, name
  masked, and shown by the latest-notice sensor;
- ``violation_suspected``: recorded as a violation when the option says so.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .const import LOGGER
from .core.errors import CommunityError
from .core.models import ViolationKind
from .names import shown_name
from .notifications import async_send
from .runtime import CommunityConfigEntry, rule_book, visitor_desk
from .words import local_time, yuan

RULE_EVENTS = frozenset({"penalty_applied", "public_notice", "violation_suspected"})

#: Which violation a suspicion stands for when it is recorded automatically.
SUSPICION_KINDS = {
    "anti_passback": ViolationKind.TAILGATING,
    "impossible_travel": ViolationKind.USING_ANOTHERS_CARD,
    "card_face_mismatch": ViolationKind.LENDING_CARD,
}

_PENALTY_TEXT = {
    "warning": (
        "Warning: please correct by {deadline}.",
        "警告:请于 {deadline} 前整改。",
    ),
    "restriction": (
        "Access restricted to the gates and your building until {end}.",
        "门禁使用受限:{end} 前仅可通行大门和本楼。",
    ),
    "suspension": ("Access suspended until {end}.", "暂停出入至 {end}。"),
    "public_notice": ("A public notice was issued.", "已发布公告批评。"),
    "report": ("The case was reported.", "已报告有关部门。"),
    "fine": ("Fine: {amount} yuan.", "罚款 {amount} 元。"),
}


async def async_rule_event(
    hass: HomeAssistant, entry: CommunityConfigEntry, name: str, data: dict[str, Any]
) -> None:
    """Act on one rule event."""
    runtime = entry.runtime_data
    zh = int(hass.config.language.lower().startswith("zh"))
    title = ("Community Access", "小区门禁")[zh]
    if name == "public_notice":
        runtime.last_notice = dict(data) | {"at": dt_util.utcnow().isoformat()}
        runtime.community.notify_changed()
        if runtime.notice_notify:
            text = (
                "Public notice: {person} ({unit}) broke the access rules.",
                "公告批评:{person}({unit})违反门禁管理规定。",
            )[zh].format(person=data.get("person", ""), unit=data.get("unit") or "")
            await async_send(hass, runtime.notice_notify, title, text)
        return
    if name == "penalty_applied":
        household = runtime.community.index.household_by_unit(str(data.get("unit")))
        if household is None:
            return
        services, _users = visitor_desk(entry).links_of(household.id)
        template = _PENALTY_TEXT.get(str(data.get("kind")), ("{kind}", "{kind}"))[zh]
        text = template.format(
            deadline=local_time(data.get("deadline")),
            end=local_time(data.get("end")) or ("further notice", "另行通知")[zh],
            amount=yuan(data.get("amount")),
            kind=data.get("kind"),
        )
        who = shown_name(data.get("person_name"), runtime.full_names) or ""
        for service in services:
            await async_send(hass, service, title, f"{who}: {text}")
        return
    if name == "violation_suspected" and runtime.auto_record:
        kind = SUSPICION_KINDS.get(str(data.get("type")))
        if kind is None or data.get("person_id") is None:
            return
        try:
            await rule_book(entry).record_violation(
                kind=kind,
                person_id=int(data["person_id"]),
                credential_id=data.get("credential_id"),
                evidence=data,
                source="detection",
            )
        except CommunityError as err:
            LOGGER.warning("Could not record the suspected violation: %s", err)
