"""Config flow, options flow and the door subentry flow."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.community_access.const import (
    CONF_CARD_QUOTA,
    CONF_DB_URL,
    CONF_RETENTION_DAYS,
    DOMAIN,
    SUBENTRY_DOOR,
)
from homeassistant import config_entries
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType


async def test_user_flow_creates_entry(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "阳光花园", "demo": False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "阳光花园"
    entry = result["result"]
    assert entry.options[CONF_RETENTION_DAYS] == 180
    assert entry.options[CONF_CARD_QUOTA] == 4
    assert not entry.subentries
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def test_user_flow_demo_creates_doors_and_households(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Demo", "demo": True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    await hass.async_block_till_done()
    titles = {s.title for s in entry.subentries.values()}
    assert {"North gate in", "Building 1 unit door", "Gym", "Parking"} <= titles
    community = entry.runtime_data.community
    assert community.counts()["households"] == 5
    assert hass.states.get("lock.building_1_unit_door") is not None
    # The demo card of 1-1-101 opens building 1 and not building 3.
    response = await hass.services.async_call(
        DOMAIN,
        "present_credential",
        {"door": "Building 1 unit door", "kind": "card", "value": "10000101"},
        blocking=True,
        return_response=True,
    )
    assert response["granted"] is True
    response = await hass.services.async_call(
        DOMAIN,
        "present_credential",
        {"door": "Building 3 unit door", "kind": "card", "value": "10000101"},
        blocking=True,
        return_response=True,
    )
    assert response["reason"] == "zone_not_allowed"
    # Seeding happens once: a reload does not add the demo households again.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.community.counts()["households"] == 5


async def test_user_flow_rejects_duplicates_and_blank_names(
    hass: HomeAssistant,
) -> None:
    MockConfigEntry(domain=DOMAIN, title="Sunny", unique_id="sunny").add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    result2 = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "   ", "demo": False}
    )
    assert result2["type"] is FlowResultType.FORM
    assert result2["errors"] == {"name": "invalid_name"}
    result3 = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Sunny", "demo": False}
    )
    assert result3["type"] is FlowResultType.ABORT
    assert result3["reason"] == "already_configured"


async def test_options_flow(hass: HomeAssistant, setup_entry: MockConfigEntry) -> None:
    result = await hass.config_entries.options.async_init(setup_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    bad = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_CARD_QUOTA: 3,
            "card_deposit": 50,
            "reissue_fee": 20,
            CONF_RETENTION_DAYS: 365,
            CONF_DB_URL: "::not a url::",
        },
    )
    assert bad["type"] is FlowResultType.FORM
    assert bad["errors"] == {CONF_DB_URL: "invalid_db_url"}
    done = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_CARD_QUOTA: 3,
            "card_deposit": 50,
            "reissue_fee": 20,
            CONF_RETENTION_DAYS: 365,
            CONF_DB_URL: "",
        },
    )
    assert done["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert setup_entry.options[CONF_CARD_QUOTA] == 3
    assert setup_entry.state is ConfigEntryState.LOADED
    assert setup_entry.runtime_data.community.settings.retention_days == 365


async def test_add_and_reconfigure_door(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    result = await hass.config_entries.subentries.async_init(
        (setup_entry.entry_id, SUBENTRY_DOOR),
        context={"source": config_entries.SOURCE_USER},
    )
    assert result["type"] is FlowResultType.FORM
    form = {
        "name": "Building 5 door",
        "zone_kind": "building",
        "direction": "in",
        "open_time": 7,
        "escape_route": True,
    }
    missing = await hass.config_entries.subentries.async_configure(
        result["flow_id"], form
    )
    assert missing["errors"] == {"building": "building_required"}
    bad_hours = await hass.config_entries.subentries.async_configure(
        result["flow_id"], form | {"building": "5", "hours": "25:00-26:00"}
    )
    assert bad_hours["errors"] == {"hours": "invalid_hours"}
    no_lock = await hass.config_entries.subentries.async_configure(
        result["flow_id"], form | {"building": "5", "manage_codes": True}
    )
    assert no_lock["errors"] == {"manage_codes": "manage_codes_needs_lock"}
    done = await hass.config_entries.subentries.async_configure(
        result["flow_id"], form | {"building": "5"}
    )
    assert done["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    state = hass.states.get("lock.building_5_door")
    assert state is not None
    assert state.attributes["zone"] == "building:5"
    assert state.attributes["open_time"] == 7

    subentry_id = next(
        s.subentry_id
        for s in setup_entry.subentries.values()
        if s.title == "Building 5 door"
    )
    result = await setup_entry.start_subentry_reconfigure_flow(hass, subentry_id)
    assert result["type"] is FlowResultType.FORM
    done = await hass.config_entries.subentries.async_configure(
        result["flow_id"], form | {"building": "6", "name": "Building 5 door"}
    )
    assert done["type"] is FlowResultType.ABORT
    assert done["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert hass.states.get("lock.building_5_door").attributes["zone"] == "building:6"


async def test_public_door_needs_area(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    result = await hass.config_entries.subentries.async_init(
        (setup_entry.entry_id, SUBENTRY_DOOR),
        context={"source": config_entries.SOURCE_USER},
    )
    form = {
        "name": "Pool",
        "zone_kind": "public",
        "direction": "in",
        "open_time": 5,
        "escape_route": False,
    }
    assert (
        await hass.config_entries.subentries.async_configure(result["flow_id"], form)
    )["errors"] == {"area": "area_required"}
    bad = await hass.config_entries.subentries.async_configure(
        result["flow_id"], form | {"area": "Swimming Pool!"}
    )
    assert bad["errors"] == {"area": "invalid_area"}
    ok = await hass.config_entries.subentries.async_configure(
        result["flow_id"], form | {"area": "pool", "allowed_roles": ["owner"]}
    )
    assert ok["type"] is FlowResultType.CREATE_ENTRY


async def test_options_flow_keeps_every_field(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """Every field of the form is saved (rules and visitor settings included)."""
    result = await hass.config_entries.options.async_init(setup_entry.entry_id)
    changed = {
        CONF_CARD_QUOTA: 2,
        "card_deposit": 30,
        "reissue_fee": 10,
        CONF_RETENTION_DAYS: 200,
        "review_interval_days": 30,
        "revoke_unused_days": 90,
        "approval_timeout_minutes": 7,
        "visit_minutes": 45,
        "travel_seconds": 120,
        "face_card_seconds": 20,
        "pin_attempts": 3,
        "show_full_names": True,
        "pin_lockout_minutes": 15,
        "auto_record_suspicions": True,
        "penalty_ladder": "warning, suspension",
        "reader_key_days": 30,
        CONF_DB_URL: "",
    }
    done = await hass.config_entries.options.async_configure(result["flow_id"], changed)
    assert done["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    saved = dict(setup_entry.options)
    assert saved == changed | {
        "penalty_ladder": "warning,suspension",
        "guard_notify": "",
        "notice_notify": "",
    }
    runtime = setup_entry.runtime_data
    assert runtime.community.detector.settings.pin_attempts == 3
    assert runtime.visitor_settings.default_visit.total_seconds() == 45 * 60


@pytest.mark.parametrize(
    "name", ["Gate\x00", "\u202eetaG niaM", "Ga\u200bte", "x" * 101]
)
async def test_door_and_community_names_are_printable(
    hass: HomeAssistant, setup_entry: MockConfigEntry, name: str
) -> None:
    result = await hass.config_entries.subentries.async_init(
        (setup_entry.entry_id, SUBENTRY_DOOR),
        context={"source": config_entries.SOURCE_USER},
    )
    form = {
        "zone_kind": "gate",
        "direction": "in",
        "open_time": 5,
        "escape_route": False,
    }
    bad = await hass.config_entries.subentries.async_configure(
        result["flow_id"], form | {"name": name}
    )
    assert bad["errors"] == {"name": "invalid_name"}
    done = await hass.config_entries.subentries.async_configure(
        result["flow_id"], form | {"name": "  North   gate "}
    )
    assert done["type"] is FlowResultType.CREATE_ENTRY
    assert done["title"] == "North gate"

    flow = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    refused = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"name": name, "demo": False}
    )
    assert refused["errors"] == {"name": "invalid_name"}
