"""Services of operations and safety (registered once, from ``services``)."""

from __future__ import annotations

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.service_helpers import wrap
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.service import async_register_admin_service

from .modes_services import MODES_SERVICES


@callback
def async_setup_operation_services(hass: HomeAssistant) -> None:
    """Register each part's services."""
    # Emergency release, lockdown, muster list: administrators only.
    for name, (handler, schema, supports_response) in MODES_SERVICES.items():
        async_register_admin_service(
            hass, DOMAIN, name, wrap(hass, handler), schema, supports_response
        )
