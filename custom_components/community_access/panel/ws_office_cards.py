"""Office commands: the card desk (issue, lost, reissue, return) and credentials."""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from custom_components.community_access.core.carddesk import CardDesk
from custom_components.community_access.core.models import CredentialKind
from custom_components.community_access.runtime import CommunityConfigEntry
from custom_components.community_access.service_helpers import (
    CARD_FIELD,
    aware,
    to_cents,
)
from custom_components.community_access.service_numbers import ID, money
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv

from .fields import caller
from .roles import Role
from .serialize import credential_item
from .ws_common import community_command

CREDENTIAL = {vol.Required("credential_id"): ID}


@community_command(
    "office/issue_card",
    {
        vol.Required("person_id"): ID,
        vol.Required("card_number"): CARD_FIELD,
        vol.Optional("deposit"): money(0),
        vol.Optional("valid_until"): cv.datetime,
    },
    Role.ADMIN,
)
async def ws_issue_card(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Issue a card against a deposit (``issue_card``)."""
    result = await CardDesk(entry.runtime_data.community).issue_card(
        person_id=msg["person_id"],
        card_number=msg["card_number"],
        deposit_cents=to_cents(msg.get("deposit")),
        valid_until=aware(msg.get("valid_until")),
        recorded_by=caller(connection),
    )
    return credential_item(result.credential)


@community_command("office/report_card_lost", CREDENTIAL, Role.ADMIN)
async def ws_report_card_lost(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Block a card at once (``report_card_lost``)."""
    credential = await CardDesk(entry.runtime_data.community).report_lost(
        msg["credential_id"], recorded_by=caller(connection)
    )
    return credential_item(credential)


@community_command(
    "office/reissue_card",
    {
        **CREDENTIAL,
        vol.Required("card_number"): CARD_FIELD,
        vol.Optional("fee"): money(0),
    },
    Role.ADMIN,
)
async def ws_reissue_card(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Issue a new card for a lost or damaged one (``reissue_card``): the new card."""
    result = await CardDesk(entry.runtime_data.community).reissue_card(
        msg["credential_id"],
        card_number=msg["card_number"],
        fee_cents=to_cents(msg.get("fee")),
        recorded_by=caller(connection),
    )
    return credential_item(result.credential)


@community_command(
    "office/return_card",
    {**CREDENTIAL, vol.Optional("damaged", default=False): cv.boolean},
    Role.ADMIN,
)
async def ws_return_card(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Take a card back (``return_card``): refunded unless damaged."""
    result = await CardDesk(entry.runtime_data.community).return_card(
        msg["credential_id"], damaged=msg["damaged"], recorded_by=caller(connection)
    )
    return credential_item(result.credential)


@community_command(
    "office/add_credential",
    {
        vol.Required("person_id"): ID,
        vol.Required("kind"): vol.In([k.value for k in CredentialKind]),
        vol.Required("value"): vol.All(cv.string, vol.Length(min=1, max=128)),
        vol.Optional("valid_from"): cv.datetime,
        vol.Optional("valid_until"): cv.datetime,
    },
    Role.ADMIN,
)
async def ws_add_credential(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Give a person a PIN, fingerprint, tag... (``add_credential``)."""
    credential = await entry.runtime_data.community.add_credential(
        person_id=msg["person_id"],
        kind=CredentialKind(msg["kind"]),
        value=msg["value"],
        valid_from=aware(msg.get("valid_from")),
        valid_until=aware(msg.get("valid_until")),
    )
    return credential_item(credential)


@community_command("office/revoke_credential", CREDENTIAL, Role.ADMIN)
async def ws_revoke_credential(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Cancel a credential that is not a card (``revoke_credential``)."""
    credential = await entry.runtime_data.community.revoke_credential(
        msg["credential_id"]
    )
    return credential_item(credential)


COMMANDS = (
    ws_issue_card,
    ws_report_card_lost,
    ws_reissue_card,
    ws_return_card,
    ws_add_credential,
    ws_revoke_credential,
)
