"""Services of operations and safety (registered once, from ``services``)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback

from .alarm_services import async_setup_alarm_services
from .upkeep_services import async_setup_upkeep_services


@callback
def async_setup_operation_services(hass: HomeAssistant) -> None:
    """Register each part's services."""
    async_setup_upkeep_services(hass)
    async_setup_alarm_services(hass)
