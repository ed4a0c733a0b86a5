"""Services of operations and safety (registered once, from ``services``)."""

from __future__ import annotations

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.service_helpers import wrap
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.service import async_register_admin_service

from .alarm_services import async_setup_alarm_services
from .goods import ADMIN_GOODS_SERVICES, CALLER_GOODS_SERVICES
from .group_visits import ADMIN_GROUP_SERVICES, GUARD_GROUP_SERVICES
from .modes_services import MODES_SERVICES
from .renovation import ADMIN_RENOVATION_SERVICES, GUARD_RENOVATION_SERVICES
from .upkeep_services import async_setup_upkeep_services


@callback
def async_setup_operation_services(hass: HomeAssistant) -> None:
    """Register each part's services."""
    async_setup_upkeep_services(hass)
    async_setup_alarm_services(hass)
    _register_goods_services(hass)
    # Emergency release, lockdown, muster list: administrators only.
    for name, (handler, schema, supports_response) in MODES_SERVICES.items():
        async_register_admin_service(
            hass, DOMAIN, name, wrap(hass, handler), schema, supports_response
        )


#: Goods, renovations, group visits: admin-only services.
GOODS_ADMIN_SERVICES = (
    ADMIN_GOODS_SERVICES | ADMIN_RENOVATION_SERVICES | ADMIN_GROUP_SERVICES
)
#: Goods, renovations, group visits: services that check their caller per call
#: (a household's linked users, the community's guards).
GOODS_CALLER_SERVICES = (
    CALLER_GOODS_SERVICES | GUARD_RENOVATION_SERVICES | GUARD_GROUP_SERVICES
)


@callback
def _register_goods_services(hass: HomeAssistant) -> None:
    for name, (handler, schema, supports) in GOODS_ADMIN_SERVICES.items():
        async_register_admin_service(
            hass, DOMAIN, name, wrap(hass, handler), schema, supports
        )
    for name, (handler, schema, supports) in GOODS_CALLER_SERVICES.items():
        hass.services.async_register(
            DOMAIN, name, wrap(hass, handler), schema=schema, supports_response=supports
        )
