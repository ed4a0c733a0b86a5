"""Two compounds' entries of the integration on one PostgreSQL database (issue 14 goal 6).

Two entries in one Home Assistant, each with its own doors and compound,
both with ``db_url`` on the same database of the private server. The second
one starts with keys of its own, is refused (the database was written with
the first one's), and gets the first one's keys through the options flow
from the admin-only ``export_keys`` action.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.community_access.const import CONF_COMPOUND, CONF_DB_URL, DOMAIN
from custom_components.community_access.core.carddesk import CardDesk
from custom_components.community_access.core.community import Community
from custom_components.community_access.core.decision import Reason
from custom_components.community_access.core.models import CredentialKind, Role
from homeassistant.auth.models import User
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Context, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import Unauthorized
from homeassistant.util import dt as dt_util

from .conftest import make_entry
from .helpers import ID_NUMBER, setup_community

CARD_A = "4700517391"
CARD_STAFF = "4700528462"


def _reason(community: Community, card: str) -> Reason:
    return community.decide(
        "door_gate", CredentialKind.CARD, card, dt_util.now()
    ).reason


async def _until(community: Community, card: str, reason: Reason) -> float:
    start = time.perf_counter()
    while _reason(community, card) is not reason:
        assert time.perf_counter() - start < 1.0, _reason(community, card)
        await asyncio.sleep(0.005)
    return time.perf_counter() - start


async def _options(hass: HomeAssistant, entry: MockConfigEntry, **changes: Any) -> Any:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    values = {
        "card_quota": 3,
        "card_deposit": 20,
        "reissue_fee": 20,
        "retention_days": 180,
        **changes,
    }
    return await hass.config_entries.options.async_configure(result["flow_id"], values)


async def test_two_compounds_share_one_database(
    hass: HomeAssistant,
    pg_migrated_url: str,
    hass_admin_user: User,
    hass_read_only_user: User,
) -> None:
    first = make_entry(
        title="Compound A", options={CONF_DB_URL: pg_migrated_url, CONF_COMPOUND: "A"}
    )
    await setup_community(hass, first)
    # The keys, for the second compound: administrators only.
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            "export_keys",
            {"config_entry_id": first.entry_id},
            blocking=True,
            return_response=True,
            context=Context(user_id=hass_read_only_user.id),
        )
    exported = await hass.services.async_call(
        DOMAIN,
        "export_keys",
        {"config_entry_id": first.entry_id},
        blocking=True,
        return_response=True,
        context=Context(user_id=hass_admin_user.id),
    )
    assert isinstance(exported, dict)
    keys = str(exported["keys"])

    # The second entry made its own keys: the database refuses them.
    second = make_entry(
        title="Compound B", options={CONF_DB_URL: pg_migrated_url, CONF_COMPOUND: "B"}
    )
    await setup_community(hass, second, expect=ConfigEntryState.SETUP_ERROR)
    assert second.reason is not None
    bad = await _options(
        hass, second, db_url=pg_migrated_url, compound="B", shared_keys="nonsense"
    )
    assert bad["errors"] == {"shared_keys": "invalid_shared_keys"}
    done = await _options(
        hass, second, db_url=pg_migrated_url, compound="B", shared_keys=keys
    )
    assert done["type"] is FlowResultType.CREATE_ENTRY
    assert "shared_keys" not in second.options
    assert keys not in str(second.options)
    assert await hass.config_entries.async_reload(second.entry_id)
    await hass.async_block_till_done()
    assert second.state is ConfigEntryState.LOADED
    a: Community = first.runtime_data.community
    b: Community = second.runtime_data.community
    assert second.runtime_data.change_listener is not None
    assert second.runtime_data.change_listener.connected

    # A resident of A opens A's gate, not B's; B has its own 3-2-501.
    await a.add_household("3-2-501")
    owner = await a.add_person(
        name="张三", role=Role.OWNER, unit="3-2-501", id_number=ID_NUMBER
    )
    await CardDesk(a).issue_card(person_id=owner.id, card_number=CARD_A)
    await b.add_household("3-2-501")
    assert _reason(a, CARD_A) is Reason.GRANTED
    await asyncio.sleep(0.2)
    assert _reason(b, CARD_A) is Reason.UNKNOWN_CREDENTIAL

    # Company staff registered at A: B's gate too; reported lost at A: denied at B.
    staff = await a.add_person(name="Guard", role=Role.STAFF, id_number=ID_NUMBER)
    card = (
        await CardDesk(a).issue_card(person_id=staff.id, card_number=CARD_STAFF)
    ).credential
    await _until(b, CARD_STAFF, Reason.GRANTED)
    await CardDesk(a).report_lost(card.id)
    waited = await _until(b, CARD_STAFF, Reason.LOST)
    assert waited < 1.0

    for entry in (first, second):
        assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
