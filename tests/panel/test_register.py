"""The sidebar panels: registered with the first community, removed with the last."""

from __future__ import annotations

from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.community_access.panel.register import FRONTEND_DIR
from homeassistant.components.frontend import DATA_PANELS
from homeassistant.core import HomeAssistant
from tests.conftest import make_entry
from tests.helpers import setup_community
from tests.panel.common import OTHER_UNIT, UNIT, make_desk

PANELS = {"community-office", "community-gate", "community-home"}


async def test_panels_follow_the_entries(hass: HomeAssistant) -> None:
    first = make_entry()
    second = make_entry(title="Moon Court")
    await setup_community(hass, first)
    panels = hass.data[DATA_PANELS]
    assert set(panels) >= PANELS
    office = panels["community-office"]
    assert office.require_admin is True
    assert office.sidebar_icon == "mdi:office-building-cog"
    assert office.sidebar_title == "Community office"
    assert office.config["view"] == "office"
    custom = office.config["_panel_custom"]
    assert custom["name"] == "community-access-panel"
    assert custom["module_url"].startswith(
        "/community_access_static/community-access-panel.js?v="
    )
    assert panels["community-gate"].require_admin is False
    assert panels["community-gate"].config["view"] == "gate"
    assert panels["community-home"].require_admin is False
    assert panels["community-home"].config["view"] == "home"

    await setup_community(hass, second)
    assert await hass.config_entries.async_unload(first.entry_id)
    assert set(hass.data[DATA_PANELS]) >= PANELS  # another community is loaded
    assert await hass.config_entries.async_unload(second.entry_id)
    assert not PANELS & set(hass.data[DATA_PANELS])

    assert await hass.config_entries.async_setup(second.entry_id)
    await hass.async_block_till_done()
    assert set(hass.data[DATA_PANELS]) >= PANELS
    # A reload removes and registers them again.
    assert await hass.config_entries.async_reload(second.entry_id)
    await hass.async_block_till_done()
    assert set(hass.data[DATA_PANELS]) >= PANELS


async def test_sidebar_titles_in_chinese(hass: HomeAssistant) -> None:
    hass.config.language = "zh-Hans"
    await setup_community(hass, make_entry())
    panels = hass.data[DATA_PANELS]
    assert panels["community-office"].sidebar_title == "社区门禁管理"
    assert panels["community-gate"].sidebar_title == "门岗"
    assert panels["community-home"].sidebar_title == "我的家"


async def test_static_path_serves_the_bundle(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    await setup_community(hass, make_entry())
    url = hass.data[DATA_PANELS]["community-gate"].config["_panel_custom"]["module_url"]
    client = await hass_client()
    response = await client.get(url)
    assert response.status == 200
    body = await response.read()
    bundle = await hass.async_add_executor_job(
        (FRONTEND_DIR / "community-access-panel.js").read_bytes
    )
    assert body == bundle


async def test_panels_command_lists_the_callers_roles(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    desk = await make_desk(hass, hass_ws_client)
    entry_id = desk.entry.entry_id

    async def communities(who: str) -> list[dict[str, object]]:
        result = await desk.ok(who, "panels")
        return list(result["communities"])

    assert await communities("admin") == [
        {
            "entry_id": entry_id,
            "title": "Sunny Gardens",
            "roles": ["admin", "guard"],
            "units": [],
        }
    ]
    assert await communities("guard") == [
        {
            "entry_id": entry_id,
            "title": "Sunny Gardens",
            "roles": ["guard"],
            "units": [],
        }
    ]
    assert await communities("resident") == [
        {
            "entry_id": entry_id,
            "title": "Sunny Gardens",
            "roles": ["resident"],
            "units": [UNIT],
        }
    ]
    assert (await communities("neighbour"))[0]["units"] == [OTHER_UNIT]
    assert await communities("plain") == []
