"""Home Assistant's real frontend, with the integration, in a real browser.

A real ``python -m homeassistant`` (see conftest.py), headless Chromium from
Debian's package, logins through Home Assistant's own login form.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .browser import SIDEBAR_ITEMS, sidebar_panels, wait_frontend_ready
from .conftest import HaInstance
from .harness import DOMAIN, ROOT, add_community, set_options, wait_until

if TYPE_CHECKING:
    from playwright.sync_api import Page

PANEL_REGISTER = ROOT / "custom_components" / DOMAIN / "panel" / "register.py"


def test_owner_logs_in_and_sees_the_sidebar(
    ha: HaInstance, page_as: Callable[..., Page], shot: Callable[[Page, str], Path]
) -> None:
    """The owner logs in through the login form and gets HA's sidebar."""
    page = page_as(ha.owner)
    panels = sidebar_panels(page)
    # An admin's sidebar: the default dashboard, and Settings (admins only).
    assert panels.get("Overview") == "/home", panels
    assert panels.get("Settings") == "/config", panels
    shot(page, "owner_home")


def test_community_is_set_up_through_the_config_flow(
    ha: HaInstance,
    community: dict[str, Any],
    page_as: Callable[..., Page],
    shot: Callable[[Page, str], Path],
) -> None:
    """The config flow REST API adds the community; the integrations page shows it."""
    assert community["state"] == "loaded"
    assert community["title"] == "Sunny Gardens"
    # The options flow works through REST too (the panel tests name guards
    # there); the entry reloads with the new options.
    set_options(ha.api, community["entry_id"], {"card_quota": 4})
    wait_until(
        lambda: (
            {e["entry_id"]: e["state"] for e in ha.api.entries()}.get(
                community["entry_id"]
            )
            == "loaded"
        ),
        60,
        "the community loaded again",
    )
    page = page_as(ha.owner)
    page.goto(f"{ha.base_url}/config/integrations/integration/{DOMAIN}")
    wait_frontend_ready(page)
    page.get_by_text("Sunny Gardens").first.wait_for(state="visible")
    shot(page, "integration_page")


def test_non_admin_logs_in_without_settings(
    ha: HaInstance, page_as: Callable[..., Page], shot: Callable[[Page, str], Path]
) -> None:
    """A user who is not an admin logs in; the sidebar has no Settings."""
    user = ha.user("resident", "Resident")
    assert not user.is_admin
    page = page_as(user)
    panels = sidebar_panels(page)
    assert panels.get("Overview") == "/home", panels
    assert "/config" not in panels.values(), panels
    shot(page, "non_admin_home")


def test_users_are_created_through_the_websocket_api(ha: HaInstance) -> None:
    """Owner-created users log in with their own password; only admins are admins."""
    guard = ha.user("guard", "Guard")
    resident = ha.user("resident", "Resident")
    deputy = ha.user("deputy", "Deputy", admin=True)
    for user in (guard, resident, deputy):
        me = ha.api_as(user).ws_command({"type": "auth/current_user"})
        assert (me["id"], me["name"], me["is_admin"]) == (
            user.user_id,
            user.name,
            user.is_admin,
        )
    assert (guard.is_admin, resident.is_admin, deputy.is_admin) == (False, False, True)
    # A non-admin is refused an admin command.
    (answer,) = ha.api_as(guard).ws({"type": "config/auth/list"})
    assert answer["success"] is False
    assert answer["error"]["code"] == "unauthorized"


def test_present_credential_through_rest(
    ha: HaInstance,
    community: dict[str, Any],
    page_as: Callable[..., Page],
    shot: Callable[[Page, str], Path],
) -> None:
    """A card presented through the REST API decides; the frontend keeps working."""
    demo = add_community(ha.api, "Demo Gardens", demo=True)
    granted = ha.api.call_service(
        DOMAIN,
        "present_credential",
        {
            "config_entry_id": demo["entry_id"],
            "door": "Building 1 unit door",
            "kind": "card",
            "value": "10000101",
        },
        return_response=True,
    )
    assert granted["service_response"]["granted"] is True, granted
    denied = ha.api.call_service(
        DOMAIN,
        "present_credential",
        {
            "config_entry_id": demo["entry_id"],
            "door": "Building 3 unit door",
            "kind": "card",
            "value": "10000101",
        },
        return_response=True,
    )
    assert denied["service_response"]["granted"] is False, denied
    # Nothing broke: the process runs, the integration logged no error, both
    # communities stay loaded, and the logbook page renders the decisions.
    assert ha.process.alive()
    assert ha.process.log_records("ERROR", "custom_components.community_access") == []
    assert {e["title"]: e["state"] for e in ha.api.entries()} == {
        "Sunny Gardens": "loaded",
        "Demo Gardens": "loaded",
    }
    page = page_as(ha.owner)
    page.goto(f"{ha.base_url}/logbook")
    wait_frontend_ready(page)
    # The integration describes both decisions in words.
    page.get_by_text("Building 1 unit door granted access").first.wait_for()
    page.get_by_text("Building 3 unit door denied").first.wait_for()
    shot(page, "logbook_after_presentations")


@pytest.mark.skipif(
    not PANEL_REGISTER.exists(),
    reason="the office panel is not registered yet "
    f"({PANEL_REGISTER.relative_to(ROOT)} does not exist)",
)
def test_owner_sidebar_shows_the_community_office(
    ha: HaInstance,
    community: dict[str, Any],
    page_as: Callable[..., Page],
    shot: Callable[[Page, str], Path],
) -> None:
    """With the panel registered, the owner's sidebar has "Community office"."""
    page = page_as(ha.owner)
    office = page.locator(SIDEBAR_ITEMS).filter(has_text="Community office")
    office.wait_for(state="visible")
    shot(page, "sidebar_community_office")
