"""The three panels in a real browser, against a real Home Assistant.

The office (admin): a household, a person, a card issued and reported lost,
and the denial of that card at a gate shown live in the open access log.
The gate desk (a guard who is no admin) registers a visitor; the resident,
in a second browser context, approves the visit from My home; the guard's
desk shows the answer live. A household issues a goods pass from My home
and the guard checks its code at the gate desk (valid once, then used). Screenshots of every page in en and zh-Hans; a
user with no role sees no community data.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
import time
from typing import TYPE_CHECKING, Any

import pytest
import pytest_socket

from .browser import wait_frontend_ready
from .conftest import TIMINGS, HaInstance
from .harness import DOMAIN, add_door, set_options, wait_until

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

GATE = "Main gate"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number(serial: int, birth: str = "19850101") -> str:
    """A valid 18-character resident ID number (GB 11643 check digit)."""
    body = f"110105{birth}{serial % 1000:03d}"
    total = sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + _ID_CHECK[total % 11]


@pytest.fixture(scope="package")
def gate(ha: HaInstance, community: dict[str, Any]) -> str:
    """A gate door in the community (added through the subentry flow).

    The user "guard" is named a guard first (options flow): both changes
    reload the entry, and the new door is listed only once the entry is
    loaded again after both. A package fixture sets up before the test's
    own ``sockets_on``: it turns sockets on itself, as ``community`` does
    (in a whole run, ``ha`` and ``community`` already exist by then).
    """
    pytest_socket.enable_socket()
    entry_id = community["entry_id"]
    guard = ha.user("guard", "Guard")
    set_options(ha.api, entry_id, {"guard_users": [guard.user_id]})
    add_door(ha.api, entry_id, GATE)

    def listed() -> bool:
        answer = ha.api.ws({"type": f"{DOMAIN}/office/devices", "entry_id": entry_id})
        return bool(answer[0].get("success")) and any(
            d["name"] == GATE for d in answer[0]["result"]
        )

    wait_until(listed, 60, f"door {GATE!r} in the community")
    return GATE


def open_panel(page: Page, base_url: str, path: str) -> Locator:
    """Go to a panel; the panel element once its view is shown."""
    page.goto(f"{base_url}/{path}")
    wait_frontend_ready(page)
    panel = page.locator("community-access-panel")
    panel.locator("main").wait_for(state="visible")
    return panel


def choose_community(panel: Locator, title: str) -> None:
    """Pick the community in the header's picker when there are several."""
    picker = panel.locator("header select")
    if picker.count():
        picker.select_option(label=title)


def dialog(page: Page) -> Locator:
    """The open form dialog (appended to the document's body)."""
    found = page.locator("ca-form-dialog dialog[open]")
    found.wait_for(state="visible")
    return found


def confirm(page: Page, button: str, fill: dict[str, str] | None = None) -> None:
    """Fill the open dialog's fields by label, press ``button``; wait until it closes."""
    box = dialog(page)
    for label, value in (fill or {}).items():
        box.get_by_label(label).first.fill(value)
    box.get_by_role("button", name=button, exact=True).click()
    page.locator("ca-form-dialog").wait_for(state="detached")


def office_tab(panel: Locator, name: str) -> None:
    """Open an office tab by its (translated) name."""
    panel.get_by_role("tab", name=name, exact=True).click()
    panel.get_by_role("tab", name=name, exact=True).and_(
        panel.locator("[aria-selected='true']")
    ).wait_for()


def test_office_lost_card_denied_live_in_access_log(
    ha: HaInstance,
    community: dict[str, Any],
    gate: str,
    page_as: Callable[..., Page],
    shot: Callable[[Page, str], Path],
) -> None:
    """Household, person, card, lost; the gate's denial appears in the open log."""
    page = page_as(ha.owner)
    panel = open_panel(page, ha.base_url, "community-office")
    choose_community(panel, community["title"])
    office_tab(panel, "Households")
    panel.get_by_role("button", name="Add household").click()
    confirm(page, "Add", {"Unit": "7-1-301"})
    panel.get_by_role("heading", name="Unit 7-1-301").wait_for()
    panel.get_by_role("button", name="Add person").click()
    confirm(page, "Add", {"Name": "Wang Fang", "ID number": id_number(301)})
    people = panel.locator("tr", has_text="Wang Fang")
    people.wait_for()
    people.get_by_role("button", name="Issue card").click()
    confirm(page, "Issue card", {"Card number": "70130101"})
    card = panel.locator("tr").filter(
        has=page.locator("td[data-label='Kind']", has_text="Card")
    )
    card.get_by_text("Active", exact=True).wait_for()
    card.get_by_role("button", name="Report lost").click()
    confirm(page, "Report lost")
    card.get_by_text("Lost", exact=True).wait_for()
    shot(page, "household_card_lost")

    office_tab(panel, "Access log")
    panel.get_by_text("● Live").wait_for()
    rows = panel.locator("tbody tr", has_text="Wang Fang")
    assert rows.count() == 0
    called = time.monotonic()
    answer = ha.api.call_service(
        DOMAIN,
        "present_credential",
        {
            "config_entry_id": community["entry_id"],
            "door": gate,
            "kind": "card",
            "value": "70130101",
        },
        return_response=True,
    )
    returned = time.monotonic()
    assert answer["service_response"]["granted"] is False, answer
    row = rows.filter(has_text="card reported lost")
    row.wait_for(state="visible")
    seconds = time.monotonic() - returned
    # From the REST call's answer (the figure asked for), and from its start.
    TIMINGS["present_to_access_log_row_s"] = round(seconds, 3)
    TIMINGS["present_call_start_to_access_log_row_s"] = round(
        time.monotonic() - called, 3
    )
    print(f"present_credential -> access log row visible: {seconds:.3f} s")  # noqa: T201
    assert row.get_by_text("Denied").is_visible()
    assert row.get_by_text(gate).is_visible()
    assert row.get_by_text("new").is_visible()
    shot(page, "access_log_live_denial")


def test_guard_registers_resident_approves_live(
    ha: HaInstance,
    community: dict[str, Any],
    gate: str,
    page_as: Callable[..., Page],
    shot: Callable[[Page, str], Path],
) -> None:
    """A guard registers a visitor; the resident approves; the desk turns approved."""
    entry_id = community["entry_id"]
    guard = ha.user("guard", "Guard")
    resident = ha.user("resident", "Resident")
    unit = "7-2-502"
    ha.api.call_service(
        DOMAIN, "add_household", {"config_entry_id": entry_id, "unit": unit}
    )
    ha.api.call_service(
        DOMAIN,
        "add_person",
        {
            "config_entry_id": entry_id,
            "unit": unit,
            "name": "Chen Jing",
            "role": "owner",
            "id_number": id_number(502),
        },
    )
    ha.api.call_service(
        DOMAIN,
        "link_household",
        {"config_entry_id": entry_id, "unit": unit, "users": [resident.user_id]},
    )

    desk_page = page_as(guard)
    desk = open_panel(desk_page, ha.base_url, "community-gate")
    desk.get_by_text("● Live").wait_for()
    form = desk.locator("form").filter(
        has=desk_page.get_by_role("button", name="Register and ask the host")
    )
    form.get_by_label("Visitor", exact=True).fill("Zhou Min")
    form.get_by_label("ID number").fill(id_number(77, birth="19900505"))
    form.get_by_label("Visiting unit").fill(unit)
    form.get_by_label("Phone").fill("13800138000")
    # A card pass with its card number: approving a card visit registered
    # without one fails today (core/visitors.py decrypts a missing number).
    form.get_by_label("Visitor card number").fill("90000001")
    form.get_by_role("button", name="Register and ask the host").click()
    waiting = desk.locator("tr", has_text="Zhou Min").first
    waiting.get_by_text("Waiting for the host").wait_for()
    shot(desk_page, "gate_desk_waiting")

    home_page = page_as(resident)
    home = open_panel(home_page, ha.base_url, "community-home")
    home.get_by_text("● Live").wait_for()
    # My home names the household's own visitor in full (the phone
    # notification, sent through a push service, still masks it).
    asking = home.locator(".card", has_text="Visitors waiting for your answer").locator(
        ".row", has_text="Zhou Min"
    )
    asking.get_by_role("button", name="Approve").click()
    confirm(home_page, "Approve")
    home.get_by_text("Nobody is waiting.").wait_for()
    shot(home_page, "my_home_after_approval")

    # The guard's desk, never reloaded, shows the host's answer.
    desk.locator("tr", has_text="Zhou Min").get_by_text("Approved").first.wait_for()
    assert desk.locator("tr", has_text="Waiting for the host").count() == 0
    shot(desk_page, "gate_desk_approved")


def test_resident_issues_goods_pass_guard_checks_it(
    ha: HaInstance,
    community: dict[str, Any],
    gate: str,
    page_as: Callable[..., Page],
    shot: Callable[[Page, str], Path],
) -> None:
    """My home issues a goods pass (code shown once); the gate desk checks it once."""
    entry_id = community["entry_id"]
    guard = ha.user("guard", "Guard")
    mover = ha.user("mover", "Mover")
    unit = "7-3-603"
    ha.api.call_service(
        DOMAIN, "add_household", {"config_entry_id": entry_id, "unit": unit}
    )
    ha.api.call_service(
        DOMAIN,
        "link_household",
        {"config_entry_id": entry_id, "unit": unit, "users": [mover.user_id]},
    )
    home_page = page_as(mover)
    home = open_panel(home_page, ha.base_url, "community-home")
    home.locator("h2", has_text=unit).wait_for()
    home.get_by_role("button", name="Issue a goods pass").click()
    box = dialog(home_page)
    box.get_by_label("Items").fill("Sofa\nDining table")
    box.get_by_role("button", name="Issue a goods pass", exact=True).click()
    shown = home_page.locator("ca-form-dialog dialog[open] .code")
    shown.wait_for()
    code = shown.inner_text().strip()
    assert len(code) == 8 and code.isdigit()
    shot(home_page, "my_home_goods_pass_code")
    home_page.locator("ca-form-dialog dialog[open]").get_by_role(
        "button", name="Done"
    ).click()

    desk_page = page_as(guard)
    desk = open_panel(desk_page, ha.base_url, "community-gate")
    desk.get_by_text("● Live").wait_for()
    form = desk.locator("form").filter(
        has=desk_page.get_by_role("button", name="Check the pass")
    )
    # The door is picked from the doors of the latest gate records once they
    # are read (typed as an id while there are none).
    desk.locator(".card", has_text="Latest at the gates").locator(
        "table, p.muted"
    ).first.wait_for()
    door = form.locator("select")
    if door.count():
        door.select_option(label=gate)
    else:
        devices = ha.api.ws({"type": f"{DOMAIN}/office/devices", "entry_id": entry_id})
        door_id = next(d["door_id"] for d in devices[0]["result"] if d["name"] == gate)
        form.get_by_label("Door id").fill(door_id)
    for attempt in ("Valid: the goods may go out", "Already used"):
        form.get_by_label("Code").fill(code)
        form.get_by_role("button", name="Check the pass").click()
        result = desk.locator(".card", has_text="Goods pass")
        result.get_by_text(attempt).wait_for()
        assert result.get_by_text("Sofa, Dining table").is_visible()
        assert result.get_by_text(unit).first.is_visible()
    shot(desk_page, "gate_desk_goods_pass_used")


OFFICE_TABS = {
    "en": [
        "Today",
        "Households",
        "Visitors",
        "Rules",
        "Access log",
        "Devices",
        "Import and export",
    ],
    "zh-Hans": ["今日", "住户", "访客", "违规处理", "通行记录", "设备", "导入导出"],
}
SLUGS = ["today", "households", "visitors", "rules", "access_log", "devices", "import"]


@pytest.mark.parametrize(
    ("language", "locale"), [("en", "en-US"), ("zh-Hans", "zh-CN")]
)
def test_screenshots_of_every_page(  # noqa: PLR0917 - fixtures and parameters
    ha: HaInstance,
    community: dict[str, Any],
    gate: str,
    page_as: Callable[..., Page],
    shot: Callable[[Page, str], Path],
    language: str,
    locale: str,
) -> None:
    """Every office tab, a household's file, the gate desk and My home, in en and zh-Hans."""
    entry_id = community["entry_id"]
    guard = ha.user("guard", "Guard")
    resident = ha.user("resident", "Resident")
    unit = "8-1-101"
    if not ha.api_as(ha.owner).ws(
        {"type": f"{DOMAIN}/office/household", "entry_id": entry_id, "unit": unit}
    )[0]["success"]:
        ha.api.call_service(
            DOMAIN, "add_household", {"config_entry_id": entry_id, "unit": unit}
        )
        ha.api.call_service(
            DOMAIN,
            "add_person",
            {
                "config_entry_id": entry_id,
                "unit": unit,
                "name": "李娜",
                "role": "owner",
                "id_number": id_number(101, birth="19700707"),
            },
        )
        ha.api.call_service(
            DOMAIN,
            "link_household",
            {"config_entry_id": entry_id, "unit": unit, "users": [resident.user_id]},
        )

    page = page_as(ha.owner, language=locale)
    assert (
        page.evaluate("document.querySelector('home-assistant').hass.language")
        == language
    )
    panel = open_panel(page, ha.base_url, "community-office")
    choose_community(panel, community["title"])
    for name, slug in zip(OFFICE_TABS[language], SLUGS, strict=True):
        office_tab(panel, name)
        shot(page, f"{language}_office_{slug}")
        if slug == "households":
            panel.locator("tr", has_text=unit).click()
            panel.locator("h2", has_text=unit).wait_for()
            shot(page, f"{language}_office_household_{unit}")
    gate_page = page_as(guard, language=locale)
    desk = open_panel(gate_page, ha.base_url, "community-gate")
    desk.locator(".chip.good").first.wait_for()
    shot(gate_page, f"{language}_gate_desk")
    home_page = page_as(resident, language=locale)
    home = open_panel(home_page, ha.base_url, "community-home")
    # Live, with the household's statement shown (one unit or a unit picker).
    home.locator(".chip.good").first.wait_for()
    home.locator("ca-home-view .card").nth(3).wait_for()
    shot(home_page, f"{language}_my_home")
    if language == "zh-Hans":
        desk.get_by_text("访客登记").first.wait_for()


def test_plain_user_sees_no_community_on_the_gate_desk(
    ha: HaInstance,
    community: dict[str, Any],
    page_as: Callable[..., Page],
    shot: Callable[[Page, str], Path],
) -> None:
    """A user who is neither guard nor resident gets the "no community" message."""
    plain = ha.user("plain", "Plain")
    page = page_as(plain)
    panel = open_panel(page, ha.base_url, "community-gate")
    panel.get_by_text("You have no role in any community for this page.").wait_for()
    assert panel.locator("ca-gate-view").count() == 0
    assert community["title"] not in panel.inner_text()
    shot(page, "gate_desk_no_community")
