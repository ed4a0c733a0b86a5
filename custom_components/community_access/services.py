"""Services of Community Access (registered once in ``async_setup``).

Every service is admin-only (automations and scripts run without a user and
are allowed). Bad input raises ``ServiceValidationError`` with a translated
message. Values of credentials and ID numbers never leave this module except
into the core, which hashes or encrypts them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import voluptuous as vol

from homeassistant.const import ATTR_DOMAIN, ATTR_SERVICE_DATA, EVENT_CALL_SERVICE
from homeassistant.core import (
    Event,
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.service import async_register_admin_service

from .const import DOMAIN, LOGGER
from .core.models import CredentialKind, PersonStatus, Role
from .core.privacy import card_number_presentable
from .core.schedule import Schedule
from .core.storage import AuditQuery
from .operations.renovation import present_extras
from .operations.services import async_setup_operation_services
from .runtime import CommunityConfigEntry, async_present
from .service_helpers import (
    ENTRY_FIELD,
    Handler,
    aware,
    decision_response,
    resolve_door,
    service_error,
    wrap,
)
from .service_numbers import ID, strict_int
from .services_desk import ATTR_CARD_NUMBER, DESK_SERVICES
from .services_locks import async_setup_lock_services
from .services_osdp import async_setup_osdp_services
from .services_rules import RULE_SERVICES
from .services_visitors import (
    ADMIN_VISITOR_SERVICES,
    HOST_VISITOR_SERVICES,
    async_listen_phone_answers,
)
from .shared_keys import export_keys_service

ATTR_DOOR = "door"
ATTR_KIND = "kind"
ATTR_VALUE = "value"
ATTR_UNIT = "unit"
ATTR_CARD_QUOTA = "card_quota"
ATTR_NAME = "name"
ATTR_ROLE = "role"
ATTR_ID_NUMBER = "id_number"
ATTR_PHONE = "phone"
ATTR_VALID_FROM = "valid_from"
ATTR_VALID_UNTIL = "valid_until"
ATTR_EXTRA_ZONES = "extra_zones"
ATTR_PERSON_ID = "person_id"
ATTR_CREDENTIAL_ID = "credential_id"
ATTR_STATUS = "status"
ATTR_SCHEDULE = "schedule"
ATTR_RESULT = "result"
ATTR_START = "start"
ATTR_END = "end"
ATTR_LIMIT = "limit"

SERVICE_PRESENT_CREDENTIAL = "present_credential"
SERVICE_QUERY_ACCESS_LOG = "query_access_log"
SERVICE_ADD_HOUSEHOLD = "add_household"
SERVICE_ADD_PERSON = "add_person"
SERVICE_ADD_CREDENTIAL = "add_credential"
SERVICE_SET_PERSON_STATUS = "set_person_status"

_ENTRY = ENTRY_FIELD
_KIND = vol.All(cv.string, vol.In([k.value for k in CredentialKind]))

PRESENT_SCHEMA = vol.Schema(
    {
        **_ENTRY,
        vol.Required(ATTR_DOOR): cv.string,
        vol.Required(ATTR_KIND): _KIND,
        vol.Required(ATTR_VALUE): vol.All(cv.string, vol.Length(min=1, max=128)),
    }
)
QUERY_SCHEMA = vol.Schema(
    {
        **_ENTRY,
        vol.Optional(ATTR_PERSON_ID): ID,
        vol.Optional(ATTR_UNIT): cv.string,
        vol.Optional(ATTR_DOOR): cv.string,
        vol.Optional(ATTR_RESULT, default="all"): vol.In(["all", "granted", "denied"]),
        vol.Optional(ATTR_START): cv.datetime,
        vol.Optional(ATTR_END): cv.datetime,
        vol.Optional(ATTR_LIMIT, default=100): strict_int(1, 10000),
    }
)
ADD_HOUSEHOLD_SCHEMA = vol.Schema(
    {
        **_ENTRY,
        vol.Required(ATTR_UNIT): cv.string,
        vol.Optional(ATTR_CARD_QUOTA): strict_int(0, 50),
    }
)
ADD_PERSON_SCHEMA = vol.Schema(
    {
        **_ENTRY,
        vol.Required(ATTR_NAME): cv.string,
        vol.Required(ATTR_ROLE): vol.In([r.value for r in Role]),
        vol.Optional(ATTR_UNIT): cv.string,
        vol.Optional(ATTR_ID_NUMBER): cv.string,
        vol.Optional(ATTR_PHONE): cv.string,
        vol.Optional(ATTR_VALID_FROM): cv.datetime,
        vol.Optional(ATTR_VALID_UNTIL): cv.datetime,
        vol.Optional(ATTR_EXTRA_ZONES, default=list): vol.All(
            cv.ensure_list, [cv.string]
        ),
    }
)
ADD_CREDENTIAL_SCHEMA = vol.Schema(
    {
        **_ENTRY,
        vol.Required(ATTR_PERSON_ID): ID,
        vol.Required(ATTR_KIND): _KIND,
        vol.Required(ATTR_VALUE): vol.All(cv.string, vol.Length(min=1, max=128)),
        vol.Optional(ATTR_VALID_FROM): cv.datetime,
        vol.Optional(ATTR_VALID_UNTIL): cv.datetime,
        vol.Optional(ATTR_SCHEDULE): dict,
    }
)
SET_PERSON_STATUS_SCHEMA = vol.Schema(
    {
        **_ENTRY,
        vol.Required(ATTR_PERSON_ID): ID,
        # Moving out goes through move_out (credentials, deposits, erasure).
        vol.Required(ATTR_STATUS): vol.In(
            [PersonStatus.ACTIVE.value, PersonStatus.SUSPENDED.value]
        ),
    }
)


async def _present(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    door_id = resolve_door(hass, entry, call.data[ATTR_DOOR])
    kind = CredentialKind(call.data[ATTR_KIND])
    if kind is CredentialKind.CARD and not card_number_presentable(
        call.data[ATTR_VALUE]
    ):
        # Readers only give digits; this is a typing or a forging mistake.
        raise service_error("invalid_card_number")
    decision = await async_present(
        hass,
        entry,
        door_id,
        kind,
        call.data[ATTR_VALUE],
        source="service",
        context=call.context,
    )
    if decision is None:
        # Read for the card desk (an enrolment capture): no access decided.
        return {"granted": False, "captured": True, "door_id": door_id}
    # A contractor on a renovation: its company and period (goods part).
    return decision_response(decision, door_id) | present_extras(entry, decision)


async def _query(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    community = entry.runtime_data.community
    data = call.data
    household_id = None
    if ATTR_UNIT in data:
        household_id = community.household(data[ATTR_UNIT]).id
    door_id = resolve_door(hass, entry, data[ATTR_DOOR]) if ATTR_DOOR in data else None
    start, end = aware(data.get(ATTR_START)), aware(data.get(ATTR_END))
    if start is not None and end is not None and end <= start:
        raise service_error("invalid_time_range")
    result = data[ATTR_RESULT]
    records = await community.query_access_log(
        AuditQuery(
            person_id=data.get(ATTR_PERSON_ID),
            household_id=household_id,
            door_id=door_id,
            granted=None if result == "all" else result == "granted",
            start=start,
            end=end,
            limit=data[ATTR_LIMIT],
        )
    )
    return {"count": len(records), "records": [r.as_dict() for r in records]}


async def _add_household(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    household = await entry.runtime_data.community.add_household(
        call.data[ATTR_UNIT], call.data.get(ATTR_CARD_QUOTA)
    )
    return {"household_id": household.id, "unit": str(household.unit)}


async def _add_person(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    data = call.data
    person = await entry.runtime_data.community.add_person(
        name=data[ATTR_NAME],
        role=Role(data[ATTR_ROLE]),
        unit=data.get(ATTR_UNIT),
        id_number=data.get(ATTR_ID_NUMBER),
        phone=data.get(ATTR_PHONE),
        valid_from=aware(data.get(ATTR_VALID_FROM)),
        valid_until=aware(data.get(ATTR_VALID_UNTIL)),
        extra_zones=data[ATTR_EXTRA_ZONES],
    )
    return {
        "person_id": person.id,
        "name": person.name,
        "role": person.role.value,
        "id_number": person.id_number_masked,
    }


async def _add_credential(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    data = call.data
    schedule = None
    if ATTR_SCHEDULE in data:
        try:
            schedule = Schedule.from_dict(data[ATTR_SCHEDULE])
        except (ValueError, TypeError, AttributeError) as err:
            raise service_error("invalid_schedule", error=str(err)[:100]) from None
    credential = await entry.runtime_data.community.add_credential(
        person_id=data[ATTR_PERSON_ID],
        kind=CredentialKind(data[ATTR_KIND]),
        value=data[ATTR_VALUE],
        valid_from=aware(data.get(ATTR_VALID_FROM)),
        valid_until=aware(data.get(ATTR_VALID_UNTIL)),
        schedule=schedule,
    )
    return {
        "credential_id": credential.id,
        "kind": credential.kind.value,
        "credential": credential.masked,
    }


async def _set_person_status(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    person = await entry.runtime_data.community.set_person_status(
        call.data[ATTR_PERSON_ID], PersonStatus(call.data[ATTR_STATUS])
    )
    return {"person_id": person.id, "status": person.status.value}


_SERVICES: dict[str, tuple[Handler, vol.Schema | vol.All, SupportsResponse]] = {
    SERVICE_PRESENT_CREDENTIAL: (_present, PRESENT_SCHEMA, SupportsResponse.OPTIONAL),
    SERVICE_QUERY_ACCESS_LOG: (_query, QUERY_SCHEMA, SupportsResponse.ONLY),
    SERVICE_ADD_HOUSEHOLD: (
        _add_household,
        ADD_HOUSEHOLD_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    SERVICE_ADD_PERSON: (_add_person, ADD_PERSON_SCHEMA, SupportsResponse.OPTIONAL),
    SERVICE_ADD_CREDENTIAL: (
        _add_credential,
        ADD_CREDENTIAL_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    SERVICE_SET_PERSON_STATUS: (
        _set_person_status,
        SET_PERSON_STATUS_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    # Several compounds on one database: the keys for another instance.
    "export_keys": (
        export_keys_service,
        vol.Schema(ENTRY_FIELD),
        SupportsResponse.ONLY,
    ),
}


_SERVICES |= DESK_SERVICES | ADMIN_VISITOR_SERVICES | RULE_SERVICES

#: Service fields that carry a secret (credential values, ID numbers, phones).
SECRET_FIELDS = frozenset(
    {ATTR_VALUE, ATTR_ID_NUMBER, ATTR_PHONE, ATTR_CARD_NUMBER, "code"}
)
REDACTED = "**REDACTED**"


@callback
def _is_our_secret_call(event_data: Mapping[str, Any]) -> bool:
    service_data = event_data.get(ATTR_SERVICE_DATA)
    return (
        event_data.get(ATTR_DOMAIN) == DOMAIN
        and isinstance(service_data, Mapping)
        and not SECRET_FIELDS.isdisjoint(service_data)
    )


@callback
def _redact_call_service(event: Event[Mapping[str, Any]]) -> None:
    """Blank secrets in the ``call_service`` event before anyone records it.

    Home Assistant fires ``call_service`` with the raw service data, and the
    recorder stores it. Listeners of a given event type run before the
    match-all listeners (the recorder, websocket subscribers of every event),
    so the payload is replaced here, in place, before they see it. The
    service itself already holds its own validated copy of the data.
    """
    data = event.data
    service_data = data[ATTR_SERVICE_DATA]
    redacted = {
        k: REDACTED if k in SECRET_FIELDS else v for k, v in service_data.items()
    }
    try:
        data[ATTR_SERVICE_DATA] = redacted  # type: ignore[index]
    except TypeError:  # pragma: no cover - only if Home Assistant freezes event data
        LOGGER.warning(
            "Cannot keep secrets out of call_service events; exclude call_service "
            "from the recorder to keep ID numbers and card numbers out of it"
        )


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every service as an admin service."""
    hass.bus.async_listen(
        EVENT_CALL_SERVICE, _redact_call_service, event_filter=_is_our_secret_call
    )
    for name, (handler, schema, supports_response) in _SERVICES.items():
        async_register_admin_service(
            hass, DOMAIN, name, wrap(hass, handler), schema, supports_response
        )
    # The host answers for their own household: checked per call.
    for name, (handler, schema, supports_response) in HOST_VISITOR_SERVICES.items():
        hass.services.async_register(
            DOMAIN,
            name,
            wrap(hass, handler),
            schema=schema,
            supports_response=supports_response,
        )
    async_listen_phone_answers(hass)
    async_setup_osdp_services(hass)
    async_setup_lock_services(hass)
    async_setup_operation_services(hass)


def public_services() -> list[str]:
    """Names of the services (for tests and documentation checks)."""
    return [*_SERVICES, *HOST_VISITOR_SERVICES]
