"""Shipped blueprints (installed on setup, loaded and run by Home Assistant) and repairs."""

from __future__ import annotations

from pathlib import Path

from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.repairs import door_lock_issue_id
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component

from .conftest import make_entry
from .helpers import add_resident, present

PACKAGE = Path(__file__).parent.parent / "custom_components" / DOMAIN / "blueprints"
TOP = Path(__file__).parent.parent / "blueprints"


def test_top_level_blueprints_match_the_shipped_ones() -> None:
    shipped = sorted(p.relative_to(PACKAGE) for p in PACKAGE.rglob("*.yaml"))
    assert shipped
    assert shipped == sorted(p.relative_to(TOP) for p in TOP.rglob("*.yaml"))
    for rel in shipped:
        assert (PACKAGE / rel).read_text() == (TOP / rel).read_text()


async def test_blueprints_installed_without_overwriting(
    hass: HomeAssistant, setup_entry
) -> None:
    target = Path(hass.config.config_dir) / "blueprints" / "automation" / DOMAIN
    assert (target / "access_denied_alert.yaml").is_file()
    assert (target / "tag_credential.yaml").is_file()


async def test_denied_alert_blueprint_runs(hass: HomeAssistant, setup_entry) -> None:
    await add_resident(hass)
    alerts = async_capture_events(hass, "guard_desk_alert")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": f"{DOMAIN}/access_denied_alert.yaml",
                    "input": {
                        "reasons": ["zone_not_allowed"],
                        "alert": [
                            {
                                "event": "guard_desk_alert",
                                "event_data": {
                                    "text": "{{ door }}: {{ reason }} {{ person_name }}"
                                },
                            }
                        ],
                    },
                }
            }
        },
    )
    await hass.async_block_till_done()
    # events carry the masked name (the default): every HA user can read them
    await present(hass, "Building 1 door")  # zone_not_allowed
    await present(hass, "Main gate", "99999999")  # unknown: filtered out
    await hass.async_block_till_done()
    assert [e.data["text"] for e in alerts] == ["Building 1 door: zone_not_allowed 赵*"]


async def test_tag_blueprint_presents_the_tag(hass: HomeAssistant, setup_entry) -> None:
    await add_resident(hass, card=None)
    from .helpers import call

    await call(
        hass,
        "add_credential",
        {"person_id": 1, "kind": "phone_tag", "value": "04-A2-19-7F"},
    )
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": f"{DOMAIN}/tag_credential.yaml",
                    "input": {"door": "Main gate"},
                }
            }
        },
    )
    await hass.async_block_till_done()
    granted = async_capture_events(hass, "community_access_access_granted")
    hass.bus.async_fire("tag_scanned", {"tag_id": "04A2197F", "device_id": "phone1"})
    await hass.async_block_till_done()
    assert [e.data["person_name"] for e in granted] == ["赵*"]


async def test_missing_bound_lock_raises_a_repair(hass: HomeAssistant) -> None:
    entry = make_entry(
        doors=[
            (
                "door_x",
                "East gate",
                {
                    "zone_kind": "gate",
                    "direction": "in",
                    "open_time": 5,
                    "lock_entity": "lock.gone",
                },
            )
        ]
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, door_lock_issue_id("door_x"))
    assert issue is not None
    assert issue.translation_placeholders == {"door": "East gate", "lock": "lock.gone"}
    # The lock appears; the next check (on reload) clears the issue.
    hass.states.async_set("lock.gone", "locked")
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert (
        ir.async_get(hass).async_get_issue(DOMAIN, door_lock_issue_id("door_x")) is None
    )
