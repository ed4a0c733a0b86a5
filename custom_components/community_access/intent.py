"""Assist (voice) intents: how many visitors are here, approve a visitor.

Home Assistant's ``intent`` integration calls :func:`async_setup_intents` of
every loaded integration that has an ``intent`` platform. The sentences that
lead here ship in ``sentences/`` and are installed into
``custom_sentences/`` on setup (see ``blueprints.py``).

Approving is allowed only to an administrator or to a user linked to the
visited household (``link_household``). A voice satellite speaks without a
user, so it can ask for the count but never approve.
"""

from __future__ import annotations

from datetime import datetime
import re
from typing import cast

import voluptuous as vol

from homeassistant.core import HomeAssistant
from homeassistant.helpers import intent
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .core.errors import CommunityError
from .core.models import Visit, VisitStatus
from .names import shown_name
from .runtime import CommunityConfigEntry, visitor_desk

INTENT_VISITOR_COUNT = "CommunityAccessVisitorCount"
INTENT_APPROVE_VISITOR = "CommunityAccessApproveVisitor"
SLOT_UNIT = "unit"

_UNIT_PART = re.compile(r"[0-9A-Za-z]+")


async def async_setup_intents(hass: HomeAssistant) -> None:
    """Register the intent handlers (called by the intent integration)."""
    intent.async_register(hass, VisitorCountHandler())
    intent.async_register(hass, ApproveVisitorHandler())


def _loaded(hass: HomeAssistant) -> list[CommunityConfigEntry]:
    return cast(
        "list[CommunityConfigEntry]", hass.config_entries.async_loaded_entries(DOMAIN)
    )


def _chinese(intent_obj: intent.Intent) -> bool:
    return intent_obj.language.lower().startswith("zh")


def _say(intent_obj: intent.Intent, english: str, chinese: str) -> str:
    return chinese if _chinese(intent_obj) else english


def spoken_unit(text: str) -> str:
    """Return a spoken unit in the ``3-2-501`` form (or trimmed if not one).

    Speech gives "3 2 501", "3栋2单元501" or "building 3 unit 2 room 501".
    """
    parts = _UNIT_PART.findall(text)
    if len(parts) > 3:
        parts = [part for part in parts if any(c.isdigit() for c in part)]
    if len(parts) == 3 and any(c.isdigit() for c in "".join(parts)):
        return "-".join(parts).upper()
    return text.strip()


def _local_time(moment: datetime | None) -> str:
    return dt_util.as_local(moment).strftime("%H:%M") if moment else ""


class VisitorCountHandler(intent.IntentHandler):
    """How many visitors are on site, and how many wait for their host."""

    intent_type = INTENT_VISITOR_COUNT
    description = (
        "Tells how many visitors are on site in the residential community "
        "and how many wait at the gate for their host's approval"
    )

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Count the visits of every loaded community."""
        on_site = pending = 0
        for entry in _loaded(intent_obj.hass):
            for visit in entry.runtime_data.community.visits.values():
                if visit.status is VisitStatus.ON_SITE:
                    on_site += 1
                elif visit.status is VisitStatus.PENDING:
                    pending += 1
        response = intent_obj.create_response()
        response.response_type = intent.IntentResponseType.QUERY_ANSWER
        response.async_set_speech_slots({"on_site": on_site, "pending": pending})
        if _chinese(intent_obj):
            speech = f"小区里现在有 {on_site} 位访客"
            if pending:
                speech += f",另有 {pending} 位在等待业主同意"
            speech += "。"
        else:
            speech = (
                f"{on_site} visitor is on site in the community"
                if on_site == 1
                else f"{on_site} visitors are on site in the community"
            )
            if pending:
                speech += f", and {pending} waiting for approval"
            speech += "."
        response.async_set_speech(speech)
        return response


class ApproveVisitorHandler(intent.IntentHandler):
    """Approve the oldest visitor waiting for a household."""

    intent_type = INTENT_APPROVE_VISITOR
    description = (
        "Approves the visitor who has waited longest at the gate for a "
        "household of the residential community (its unit, such as 3-2-501). "
        "Only for administrators and the household's linked users"
    )

    @property
    def slot_schema(self) -> dict[vol.Marker, object]:
        """The household's unit."""
        return {vol.Required(SLOT_UNIT): intent.non_empty_string}

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Approve if the speaker may answer for the household; else refuse."""
        hass = intent_obj.hass
        slots = self.async_validate_slots(intent_obj.slots)
        unit = spoken_unit(str(slots[SLOT_UNIT]["value"]))
        response = intent_obj.create_response()

        def refuse(english: str, chinese: str) -> intent.IntentResponse:
            response.async_set_error(
                intent.IntentResponseErrorCode.FAILED_TO_HANDLE,
                _say(intent_obj, english, chinese),
            )
            return response

        user_id = intent_obj.context.user_id
        user = await hass.auth.async_get_user(user_id) if user_id else None
        if user is None or not user.is_active:
            return refuse(
                "Sorry, visitors can only be approved by a signed-in user.",
                "抱歉,只有已登录的用户才能同意访客。",
            )

        found: tuple[CommunityConfigEntry, Visit] | None = None
        allowed = False
        for entry in _loaded(hass):
            desk = visitor_desk(entry)
            try:
                household = desk.community.household(unit)
            except CommunityError:
                continue
            _services, users = desk.links_of(household.id)
            if not (user.is_admin or user.id in users):
                continue
            allowed = True
            waiting = [
                visit
                for visit in desk.visits.values()
                if visit.household_id == household.id
                and visit.status is VisitStatus.PENDING
            ]
            if waiting:
                visit = min(waiting, key=lambda v: v.id)
                found = (entry, visit)
                break

        if not allowed and not user.is_admin:
            return refuse(
                f"Sorry, you may not approve visitors for {unit}.",
                f"抱歉,您无权同意 {unit} 的访客。",
            )
        if found is None:
            return refuse(
                f"No visitor is waiting for {unit}.",
                f"没有等待 {unit} 同意的访客。",
            )

        entry, visit = found
        desk = visitor_desk(entry)
        try:
            result = await desk.approve(visit.id, approved_by=user.id)
        except CommunityError as err:
            return refuse(
                f"The visitor for {unit} could not be approved ({err.key}).",
                f"无法同意 {unit} 的访客({err.key})。",
            )
        approved = result.visit
        masked = shown_name(approved.visitor_name, entry.runtime_data.full_names)
        until = _local_time(approved.valid_until)
        response.response_type = intent.IntentResponseType.ACTION_DONE
        response.async_set_speech_slots(
            {"visit_id": approved.id, "unit": unit, "visitor": masked, "until": until}
        )
        response.async_set_speech(
            _say(
                intent_obj,
                f"Approved {masked}, visiting {unit}, until {until}.",
                f"已同意 {unit} 的访客 {masked},有效至 {until}。",
            )
        )
        return response
