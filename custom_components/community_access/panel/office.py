"""Every command of the property office's panel (Role.ADMIN), for registration."""

from __future__ import annotations

from . import (
    ws_notices,
    ws_office_capture,
    ws_office_cards,
    ws_office_devices,
    ws_office_households,
    ws_office_log,
    ws_office_osdp,
    ws_office_people,
    ws_office_rules,
    ws_office_visitors,
    ws_office_visits,
    ws_transfer,
)

OFFICE_COMMANDS = (
    *ws_office_devices.COMMANDS,
    *ws_office_osdp.COMMANDS,
    *ws_office_households.COMMANDS,
    *ws_office_people.COMMANDS,
    *ws_office_cards.COMMANDS,
    *ws_office_capture.COMMANDS,
    *ws_office_visits.COMMANDS,
    *ws_office_visitors.COMMANDS,
    *ws_notices.OFFICE_COMMANDS,
    *ws_office_rules.COMMANDS,
    *ws_office_log.COMMANDS,
    *ws_transfer.COMMANDS,
)
