"""Visitor services (seeds 131–134, 4.5–4.7, 8) and the host's phone answers.

Registration, pre-registration, check-in and -out, the watch list and the
household links are admin services (the property office, the guards).
Approving or denying a visit is also open to the host: a user linked to the
visited household may call ``approve_visitor`` / ``deny_visitor`` or answer the
actionable notification on their phone.
"""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from homeassistant.core import (
    Context,
    Event,
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import Unauthorized
from homeassistant.helpers import config_validation as cv

from .const import DOMAIN, LOGGER
from .core.errors import CommunityError
from .core.models import PassKind, Visit
from .core.visitors import PassResult, VisitorDesk
from .names import shown_data
from .runtime import CommunityConfigEntry, visitor_desk
from .service_helpers import (
    CARD_FIELD,
    ENTRY_FIELD,
    Handler,
    actor,
    aware,
    service_error,
)
from .service_numbers import ID, strict_int

ATTR_VISIT_ID = "visit_id"
ATTR_UNIT = "unit"
ATTR_NAME = "name"
ATTR_ID_NUMBER = "id_number"
ATTR_PHONE = "phone"
ATTR_PURPOSE = "purpose"
ATTR_EXPECTED_MINUTES = "expected_minutes"
ATTR_CARD_NUMBER = "card_number"
ATTR_PASS_KIND = "pass_kind"
ATTR_MINUTES = "minutes"
ATTR_ARRIVAL_FROM = "arrival_from"
ATTR_ARRIVAL_UNTIL = "arrival_until"
ATTR_MULTIPLE = "multiple_entries"
ATTR_CODE = "code"
ATTR_CARD_RETURNED = "card_returned"
ATTR_REASON = "reason"
ATTR_NOTIFY_SERVICES = "notify_services"
ATTR_USERS = "users"
#: An accompanied viewer's staff member (4.6).
ATTR_ESCORT = "escort_person_id"

#: Prefix of the actions of the actionable notification (and the blueprint).
ACTION_PREFIX = "COMMUNITY_ACCESS_"
ACTIONS = {"APPROVE": None, "APPROVE2H": 120, "DENY": None}

_ID = ID
_MINUTES = strict_int(1, 24 * 60)

REGISTER_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required(ATTR_UNIT): cv.string,
        vol.Required(ATTR_NAME): cv.string,
        vol.Required(ATTR_ID_NUMBER): cv.string,
        vol.Required(ATTR_PHONE): cv.string,
        vol.Optional(ATTR_PURPOSE): cv.string,
        vol.Optional(ATTR_EXPECTED_MINUTES): _MINUTES,
        vol.Optional(ATTR_CARD_NUMBER): CARD_FIELD,
        vol.Optional(ATTR_PASS_KIND): vol.In([k.value for k in PassKind]),
    }
)
VISIT_SCHEMA = vol.Schema({**ENTRY_FIELD, vol.Required(ATTR_VISIT_ID): _ID})
APPROVE_SCHEMA = VISIT_SCHEMA.extend({vol.Optional(ATTR_MINUTES): _MINUTES})
PREREGISTER_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required(ATTR_UNIT): cv.string,
        vol.Required(ATTR_NAME): cv.string,
        vol.Required(ATTR_PHONE): cv.string,
        vol.Required(ATTR_ARRIVAL_FROM): cv.datetime,
        vol.Required(ATTR_ARRIVAL_UNTIL): cv.datetime,
        vol.Optional(ATTR_ID_NUMBER): cv.string,
        vol.Optional(ATTR_MULTIPLE, default=False): cv.boolean,
        vol.Optional(ATTR_PURPOSE): cv.string,
        vol.Optional(ATTR_ESCORT): _ID,
    }
)
CHECK_IN_SCHEMA = vol.All(
    vol.Schema(
        {
            **ENTRY_FIELD,
            vol.Optional(ATTR_CODE): cv.string,
            vol.Optional(ATTR_NAME): cv.string,
            vol.Optional(ATTR_PHONE): cv.string,
            vol.Optional(ATTR_CARD_NUMBER): CARD_FIELD,
        }
    ),
    cv.has_at_least_one_key(ATTR_CODE, ATTR_PHONE),
)
CHECK_OUT_SCHEMA = VISIT_SCHEMA.extend(
    {vol.Optional(ATTR_CARD_RETURNED, default=True): cv.boolean}
)
BAR_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required(ATTR_ID_NUMBER): cv.string,
        vol.Optional(ATTR_REASON): cv.string,
    }
)
UNBAR_SCHEMA = vol.Schema({**ENTRY_FIELD, vol.Required(ATTR_ID_NUMBER): cv.string})
LINK_SCHEMA = vol.Schema(
    {
        **ENTRY_FIELD,
        vol.Required(ATTR_UNIT): cv.string,
        vol.Optional(ATTR_NOTIFY_SERVICES, default=list): vol.All(
            cv.ensure_list, [cv.string]
        ),
        vol.Optional(ATTR_USERS, default=list): vol.All(cv.ensure_list, [cv.string]),
    }
)


def visit_response(desk: VisitorDesk, visit: Visit) -> dict[str, Any]:
    """Response data of a visit (masked name, no ID number or phone).

    Hosts (not only admins) call the visitor services, so the name is masked.
    """
    data = shown_data(desk.event_data(visit), full_names=False)
    data["deadline"] = visit.deadline_at.isoformat() if visit.deadline_at else None
    data["pass_kind"] = visit.pass_kind.value if visit.pass_kind else None
    if visit.escort_person_id is not None:
        data[ATTR_ESCORT] = visit.escort_person_id
    return data


def _pass_response(desk: VisitorDesk, result: PassResult) -> dict[str, Any]:
    data = visit_response(desk, result.visit)
    # The PIN or QR payload to hand over: shown once, to the caller only.
    data["code"] = result.code
    return data


async def _register(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    data = call.data
    desk = visitor_desk(entry)
    visit = await desk.register(
        unit=data[ATTR_UNIT],
        name=data[ATTR_NAME],
        id_number=data[ATTR_ID_NUMBER],
        phone=data[ATTR_PHONE],
        purpose=data.get(ATTR_PURPOSE),
        expected_minutes=data.get(ATTR_EXPECTED_MINUTES),
        card_number=data.get(ATTR_CARD_NUMBER),
        pass_kind=PassKind(data[ATTR_PASS_KIND]) if ATTR_PASS_KIND in data else None,
        registered_by=actor(call),
    )
    return visit_response(desk, visit)


async def _preregister(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    data = call.data
    desk = visitor_desk(entry)
    window_from, window_until = (
        aware(data[ATTR_ARRIVAL_FROM]),
        aware(data[ATTR_ARRIVAL_UNTIL]),
    )
    assert window_from is not None and window_until is not None
    result = await desk.preregister(
        unit=data[ATTR_UNIT],
        name=data[ATTR_NAME],
        phone=data[ATTR_PHONE],
        window_from=window_from,
        window_until=window_until,
        id_number=data.get(ATTR_ID_NUMBER),
        multiple_entries=data[ATTR_MULTIPLE],
        purpose=data.get(ATTR_PURPOSE),
        registered_by=actor(call),
        escort_person_id=data.get(ATTR_ESCORT),
    )
    return _pass_response(desk, result)


async def _check_in(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    data = call.data
    desk = visitor_desk(entry)
    if ATTR_CODE not in data and ATTR_NAME not in data:
        raise service_error("code_or_name_and_phone_required")
    result = await desk.check_in(
        code=data.get(ATTR_CODE),
        name=data.get(ATTR_NAME),
        phone=data.get(ATTR_PHONE),
        card_number=data.get(ATTR_CARD_NUMBER),
        checked_by=actor(call),
    )
    return _pass_response(desk, result)


async def _check_out(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    desk = visitor_desk(entry)
    visit = await desk.check_out(
        call.data[ATTR_VISIT_ID],
        card_returned=call.data[ATTR_CARD_RETURNED],
        checked_by=actor(call),
    )
    return visit_response(desk, visit) | {"close_reason": visit.close_reason}


async def _bar(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    added = await visitor_desk(entry).bar(
        call.data[ATTR_ID_NUMBER], reason=call.data.get(ATTR_REASON), by=actor(call)
    )
    return {"barred": True, "added": added is not None}


async def _unbar(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    lifted = await visitor_desk(entry).unbar(call.data[ATTR_ID_NUMBER])
    return {"lifted": lifted}


async def _link(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    services = call.data[ATTR_NOTIFY_SERVICES]
    for service in services:
        name = service.removeprefix("notify.")
        if not hass.services.has_service("notify", name):
            raise service_error("unknown_notify_service", service=service[:80])
    users = call.data[ATTR_USERS]
    for user_id in users:
        if await hass.auth.async_get_user(user_id) is None:
            raise service_error("unknown_user", user=user_id[:40])
    await visitor_desk(entry).link_household(
        call.data[ATTR_UNIT],
        notify_services=[s.removeprefix("notify.") for s in services],
        user_ids=list(users),
    )
    return {"unit": call.data[ATTR_UNIT], "notify_services": services, "users": users}


ADMIN_VISITOR_SERVICES: dict[
    str, tuple[Handler, vol.Schema | vol.All, SupportsResponse]
] = {
    "register_visitor": (_register, REGISTER_SCHEMA, SupportsResponse.OPTIONAL),
    "preregister_visitor": (
        _preregister,
        PREREGISTER_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    "check_in_visitor": (_check_in, CHECK_IN_SCHEMA, SupportsResponse.OPTIONAL),
    "check_out_visitor": (_check_out, CHECK_OUT_SCHEMA, SupportsResponse.OPTIONAL),
    "bar_visitor": (_bar, BAR_SCHEMA, SupportsResponse.OPTIONAL),
    "unbar_visitor": (_unbar, UNBAR_SCHEMA, SupportsResponse.OPTIONAL),
    "link_household": (_link, LINK_SCHEMA, SupportsResponse.OPTIONAL),
}


# ---- the host's answer: by service (host or guard) or from the phone
async def async_authorize_host(
    hass: HomeAssistant, entry: CommunityConfigEntry, visit: Visit, context: Context
) -> None:
    """Allow admins, automations, and users linked to the visited household."""
    if context.user_id is None:
        return
    user = await hass.auth.async_get_user(context.user_id)
    if user is None:
        raise Unauthorized(context=context)
    if user.is_admin:
        return
    _services, users = visitor_desk(entry).links_of(visit.household_id)
    if context.user_id not in users:
        raise Unauthorized(context=context, permission="community_access.host")


async def async_answer(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    visit_id: int,
    *,
    approve: bool,
    minutes: int | None,
    context: Context,
) -> PassResult | Visit:
    """Approve or deny a visit for its host (or a guard)."""
    desk = visitor_desk(entry)
    visit = desk.visit(visit_id)
    await async_authorize_host(hass, entry, visit, context)
    if approve:
        return await desk.approve(
            visit_id, minutes=minutes, approved_by=context.user_id
        )
    return await desk.deny(visit_id, denied_by=context.user_id)


async def _approve(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    result = await async_answer(
        hass,
        entry,
        call.data[ATTR_VISIT_ID],
        approve=True,
        minutes=call.data.get(ATTR_MINUTES),
        context=call.context,
    )
    assert isinstance(result, PassResult)
    return _pass_response(visitor_desk(entry), result)


async def _deny(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    result = await async_answer(
        hass,
        entry,
        call.data[ATTR_VISIT_ID],
        approve=False,
        minutes=None,
        context=call.context,
    )
    assert isinstance(result, Visit)
    return visit_response(visitor_desk(entry), result)


HOST_VISITOR_SERVICES: dict[
    str, tuple[Handler, vol.Schema | vol.All, SupportsResponse]
] = {
    "approve_visitor": (_approve, APPROVE_SCHEMA, SupportsResponse.OPTIONAL),
    "deny_visitor": (_deny, VISIT_SCHEMA, SupportsResponse.OPTIONAL),
}


def parse_action(action: str) -> tuple[bool, int | None, int] | None:
    """``COMMUNITY_ACCESS_APPROVE2H_12`` → (approve, minutes, visit id)."""
    if not action.startswith(ACTION_PREFIX):
        return None
    verb, _, number = action.removeprefix(ACTION_PREFIX).rpartition("_")
    if verb not in ACTIONS or not number.isdigit():
        return None
    return verb != "DENY", ACTIONS[verb], int(number)


@callback
def async_listen_phone_answers(hass: HomeAssistant) -> None:
    """Answer visits from the companion app's actionable notifications."""

    async def _answer(event: Event) -> None:
        parsed = parse_action(str(event.data.get("action", "")))
        if parsed is None:
            return
        approve, minutes, visit_id = parsed
        # Visit ids are per community: try each that has it, stop at the first
        # that accepts this user's answer.
        for entry in hass.config_entries.async_loaded_entries(DOMAIN):
            if visit_id not in visitor_desk(entry).visits:
                continue
            try:
                await async_answer(
                    hass,
                    entry,
                    visit_id,
                    approve=approve,
                    minutes=minutes,
                    context=event.context,
                )
            except Unauthorized:
                LOGGER.warning(
                    "A phone answer for visit %s of %s came from a user not linked "
                    "to its household",
                    visit_id,
                    entry.title,
                )
                continue
            except CommunityError as err:
                LOGGER.info("Phone answer for visit %s not applied: %s", visit_id, err)
                continue
            return

    hass.bus.async_listen("mobile_app_notification_action", _answer)
