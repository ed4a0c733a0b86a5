"""The office's visitor pieces and the public notices in a real browser.

The office bars a visitor on the watch list and lifts the bar (the ID number
is nowhere on the page), pre-registers a visitor (its check-in code shown
once, the visit listed under "Today & upcoming"), and reads the public
notices on the Rules page with full names, records a commendation for a
person picked by a search; a resident's My home shows the
same notice with the name masked.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from .conftest import HaInstance
from .harness import DOMAIN
from .test_panels import (
    choose_community,
    confirm,
    dialog,
    id_number,
    office_tab,
    open_panel,
)

UNIT = "9-2-808"  # no other browser test uses it (one package-wide community)


def test_watch_list_preregistration_and_notices(
    ha: HaInstance,
    community: dict[str, Any],
    page_as: Callable[..., Page],
    shot: Callable[[Page, str], Path],
) -> None:
    entry_id = community["entry_id"]
    ha.api.call_service(
        DOMAIN, "add_household", {"config_entry_id": entry_id, "unit": UNIT}
    )
    person = ha.api.call_service(
        DOMAIN,
        "add_person",
        {
            "config_entry_id": entry_id,
            "unit": UNIT,
            "name": "Zhou Min",
            "role": "owner",
            "id_number": id_number(811),
        },
        return_response=True,
    )["service_response"]
    barred_id = id_number(812, birth="19900202")

    page = page_as(ha.owner)
    panel = open_panel(page, ha.base_url, "community-office")
    choose_community(panel, community["title"])
    office_tab(panel, "Visitors")

    # The watch list: bar, see the row without the ID number, lift the bar.
    office_tab(panel, "Watch list")
    panel.get_by_role("button", name="Bar a visitor").click()
    confirm(
        page,
        "Bar a visitor",
        {"Visitor": "Qian Duoduo", "ID number": barred_id, "Reason": "Broke the gate"},
    )
    row = panel.locator("tbody tr", has_text="Qian Duoduo")
    row.get_by_text("Broke the gate").wait_for()
    shown = panel.locator(".card.watchlist").inner_text()
    assert "Qian Duoduo" in shown
    assert barred_id not in shown and barred_id[-4:] not in shown
    shot(page, "office_watch_list")
    row.get_by_role("button", name="Lift the bar").click()
    confirm(page, "Lift the bar")
    row.wait_for(state="detached")

    # Pre-register a visitor for the unit: the code once, then the visit listed.
    office_tab(panel, "Visits")
    panel.get_by_role("button", name="Pre-register", exact=True).click()
    # Not ``confirm``: the form's dialog gives way to the code's at once.
    box = dialog(page)
    for label, value in {
        "Unit": UNIT,
        "Visitor": "Li Lei",
        "Phone": "13900002222",
        "Arrives": "2030-01-01T10:00",
        "Leaves": "2030-01-01T12:00",
    }.items():
        box.get_by_label(label).first.fill(value)
    box.get_by_role("button", name="Pre-register", exact=True).click()
    page.locator("ca-form-dialog dialog[open] .code").wait_for()
    code = dialog(page).locator(".code").inner_text().strip()
    assert len(code) == 8 and code.isdigit()
    dialog(page).get_by_role("button", name="Done").click()
    page.locator("ca-form-dialog").wait_for(state="detached")
    listed = panel.locator("tbody tr", has_text="Li Lei")
    listed.get_by_text("Expected").wait_for()
    assert panel.locator("ca-office-visitors select").input_value() == "upcoming"
    shot(page, "office_visitors_preregistered")

    # A public notice: the office reads the full name on the Rules page.
    ha.api.ws_command(
        {
            "type": f"{DOMAIN}/office/apply_penalty",
            "entry_id": entry_id,
            "person_id": person["person_id"],
            "kind": "public_notice",
            "note": "Lent a card twice",
        }
    )
    office_tab(panel, "Rules")
    notices = panel.locator(".card.notices")
    notices.get_by_text("Zhou Min").wait_for()
    notices.get_by_text("Lent a card twice").wait_for()
    notices.get_by_text("Article 19").wait_for()
    shot(page, "office_rules_notices")

    # A commendation: the person picked by a search, listed at once.
    commendations = panel.locator(".card.commendations")
    commendations.get_by_role("button", name="Record commendation").click()
    box = dialog(page)
    box.get_by_label("Person").fill("Zhou")
    box.get_by_role("button", name=f"Zhou Min {UNIT}").click()
    box.get_by_label("Note").fill("Returned a lost wallet")
    box.get_by_role("button", name="Record commendation", exact=True).click()
    page.locator("ca-form-dialog").wait_for(state="detached")
    row = commendations.locator("tbody tr", has_text="Returned a lost wallet")
    row.get_by_text("Zhou Min").wait_for()
    assert UNIT in row.inner_text()
    panel.get_by_text("Commendation recorded.").wait_for()
    shot(page, "office_rules_commendation")

    # My home (the admin opens the unit): the notice as published, masked.
    home = open_panel(page, ha.base_url, "community-home")
    choose_community(home, community["title"])
    unit_input = home.get_by_label("Unit to open")
    if unit_input.count():
        unit_input.fill(UNIT)
        home.get_by_role("button", name="Open", exact=True).click()
    card = home.locator(".card.notices")
    card.get_by_text("Article 19").wait_for()
    text = card.inner_text()
    assert "Z*** M**" in text and UNIT in text
    # Neither the full name nor the office's note is published.
    assert "Zhou Min" not in text and "Lent a card twice" not in text
    shot(page, "home_notices")
