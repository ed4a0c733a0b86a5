"""Config flow, options flow and the door subentry flow."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.community_access.config_flow import OPTION_LIMITS
from custom_components.community_access.const import (
    CONF_CARD_QUOTA,
    CONF_DB_URL,
    CONF_RETENTION_DAYS,
    DOMAIN,
    SUBENTRY_DOOR,
)
from custom_components.community_access.core.models import PenaltyKind
from custom_components.community_access.rules_setup import parse_ladder
from homeassistant import config_entries
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import selector

TRANSLATIONS = (
    Path(__file__).parent.parent
    / "custom_components"
    / "community_access"
    / "translations"
)


def translations(language: str) -> dict[str, Any]:
    """A translation file of the integration."""
    return json.loads((TRANSLATIONS / f"{language}.json").read_text())


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
    guard = await hass.auth.async_create_user("Guard", group_ids=["system-users"])
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
        "penalty_ladder_1": "warning",
        "penalty_ladder_2": "suspension",
        "penalty_ladder_3": "none",
        "penalty_ladder_4": "none",
        "penalty_ladder_5": "none",
        "reader_key_days": 30,
        "guard_users": [guard.id],
        CONF_DB_URL: "",
        "compound": "A",
        "patrol_interval_minutes": 15,
        "inspection_days": 14,
        "maintenance_notice_hours": 48,
        # emergency release, lockdown, muster list (operations/modes_options.py)
        "emergency_triggers": ["binary_sensor.fire_panel"],
        "lockdown_roles": ["staff", "owner"],
        "muster_hours": 24,
    }
    done = await hass.config_entries.options.async_configure(result["flow_id"], changed)
    assert done["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    saved = dict(setup_entry.options)
    rungs = {f"penalty_ladder_{n}" for n in range(1, 6)}
    assert saved == {k: v for k, v in changed.items() if k not in rungs} | {
        "penalty_ladder": ["warning", "suspension"],
        "guard_notify": "",
        "notice_notify": "",
        "maintenance_notify": "",
        "residents_notify": "",
    }
    assert runtime_ladder(setup_entry) == (
        PenaltyKind.WARNING,
        PenaltyKind.SUSPENSION,
    )
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


def runtime_ladder(entry: MockConfigEntry) -> tuple[PenaltyKind, ...]:
    """The ladder the running rule book uses."""
    return tuple(entry.runtime_data.rule_settings.ladder)


def form_field(result: dict[str, Any], name: str) -> Any:
    """The selector of a field of a shown form, and its default."""
    for marker, value in result["data_schema"].schema.items():
        if str(marker) == name:
            return value, marker.default() if callable(marker.default) else None
    raise KeyError(name)


async def test_options_out_of_range_gives_translated_errors(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """Limits are checked by the step: a translated error per field, not voluptuous'."""
    result = await hass.config_entries.options.async_init(setup_entry.entry_id)
    bad = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_CARD_QUOTA: 80, CONF_RETENTION_DAYS: 30, "pin_attempts": -1},
    )
    assert bad["type"] is FlowResultType.FORM
    assert bad["errors"] == {
        CONF_CARD_QUOTA: "card_quota_range",
        CONF_RETENTION_DAYS: "retention_days_range",
        "pin_attempts": "pin_attempts_range",
    }
    for language in ("en", "zh-Hans"):
        errors = translations(language)["options"]["error"]
        for key in bad["errors"].values():
            assert errors[key]
    # the form keeps what was typed, so it can be corrected
    _, default = form_field(bad, CONF_RETENTION_DAYS)
    assert default == 30
    assert setup_entry.options[CONF_RETENTION_DAYS] == 180


def test_every_range_error_is_translated() -> None:
    """Each number field of the options form has its range error in both languages."""
    for language in ("en", "zh-Hans"):
        errors = translations(language)["options"]["error"]
        for field, (low, high) in OPTION_LIMITS.items():
            text = errors[f"{field}_range"]
            assert f"{low:g}" in text
            assert f"{high:g}" in text


async def test_options_ladder_is_chosen_rung_by_rung(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(setup_entry.entry_id)
    first, default = form_field(result, "penalty_ladder_1")
    assert isinstance(first, selector.SelectSelector)
    assert first.config["translation_key"] == "penalty_rung"
    assert set(first.config["options"]) == {
        "warning",
        "restriction",
        "suspension",
        "public_notice",
        "report",
        "none",
    }
    assert default == "warning"
    assert form_field(result, "penalty_ladder_5")[1] == "report"
    for language in ("en", "zh-Hans"):
        labels = translations(language)["selector"]["penalty_rung"]["options"]
        assert set(labels) == set(first.config["options"])

    # a rung after "nothing further" is refused
    bad = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "penalty_ladder_1": "warning",
            "penalty_ladder_2": "none",
            "penalty_ladder_3": "report",
            "penalty_ladder_4": "none",
            "penalty_ladder_5": "none",
        },
    )
    assert bad["errors"] == {"penalty_ladder_3": "ladder_gap"}

    done = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {f"penalty_ladder_{n}": "none" for n in range(1, 6)},
    )
    assert done["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert setup_entry.options["penalty_ladder"] == []
    assert runtime_ladder(setup_entry) == ()

    # round trip: the form shows what was saved
    again = await hass.config_entries.options.async_init(setup_entry.entry_id)
    assert form_field(again, "penalty_ladder_1")[1] == "none"


async def test_old_comma_separated_ladder_still_loads(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """Options saved before the ladder became a list keep working and show in the form."""
    assert parse_ladder("warning, report") == (PenaltyKind.WARNING, PenaltyKind.REPORT)
    assert parse_ladder(["warning", "report"]) == parse_ladder("warning,report")
    assert parse_ladder("") == ()
    with pytest.raises(ValueError):
        parse_ladder(["fine"])
    hass.config_entries.async_update_entry(
        setup_entry,
        options=dict(setup_entry.options) | {"penalty_ladder": "restriction,report"},
    )
    await hass.async_block_till_done()
    assert setup_entry.state is ConfigEntryState.LOADED
    assert runtime_ladder(setup_entry) == (PenaltyKind.RESTRICTION, PenaltyKind.REPORT)
    result = await hass.config_entries.options.async_init(setup_entry.entry_id)
    assert [form_field(result, f"penalty_ladder_{n}")[1] for n in range(1, 6)] == [
        "restriction",
        "report",
        "none",
        "none",
        "none",
    ]


async def test_options_notify_services_are_chosen_from_a_list(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    hass.services.async_register("notify", "guard_phone", lambda call: None)
    hass.services.async_register("notify", "notice_board", lambda call: None)
    result = await hass.config_entries.options.async_init(setup_entry.entry_id)
    guard, default = form_field(result, "guard_notify")
    assert isinstance(guard, selector.SelectSelector)
    values = [o["value"] for o in guard.config["options"]]
    assert values[0] == "none"
    assert {"guard_phone", "notice_board"} <= set(values)
    assert default == "none"
    assert guard.config["custom_value"] is True
    assert (
        form_field(result, "notice_notify")[0].config["options"]
        == (guard.config["options"])
    )

    bad = await hass.config_entries.options.async_configure(
        result["flow_id"], {"guard_notify": "no_such_phone"}
    )
    assert bad["errors"] == {"guard_notify": "unknown_notify_service"}
    done = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"guard_notify": "notify.guard_phone", "notice_notify": "notice_board"},
    )
    assert done["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert setup_entry.options["guard_notify"] == "guard_phone"
    assert setup_entry.options["notice_notify"] == "notice_board"

    again = await hass.config_entries.options.async_init(setup_entry.entry_id)
    assert form_field(again, "guard_notify")[1] == "guard_phone"
    done = await hass.config_entries.options.async_configure(
        again["flow_id"], {"guard_notify": "none", "notice_notify": "none"}
    )
    assert done["type"] is FlowResultType.CREATE_ENTRY
    assert setup_entry.options["guard_notify"] == ""
    assert setup_entry.options["notice_notify"] == ""
