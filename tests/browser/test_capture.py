"""Issuing a card read at a door's reader, in a real browser.

The administrator opens Issue card, picks a door under "Read from reader",
presses Read; a card shown at that door (present_credential through REST)
fills the card number, the door stays shut, and the card issued with that
number opens the door afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .conftest import HaInstance
from .harness import DOMAIN, add_door, wait_until
from .test_panels import (
    choose_community,
    confirm,
    dialog,
    id_number,
    office_tab,
    open_panel,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

DESK_DOOR = "Office desk"
CARD = "70140101"
NEW_CARD = "70140102"


def _present(ha: HaInstance, entry_id: str, card: str = CARD) -> dict[str, Any]:
    answer = ha.api.call_service(
        DOMAIN,
        "present_credential",
        {
            "config_entry_id": entry_id,
            "door": DESK_DOOR,
            "kind": "card",
            "value": card,
        },
        return_response=True,
    )
    response: dict[str, Any] = answer["service_response"]
    return response


def test_issue_card_read_from_reader(
    ha: HaInstance,
    community: dict[str, Any],
    page_as: Callable[..., Page],
    shot: Callable[[Page, str], Path],
) -> None:
    """Read from reader fills the number; the issued card then opens the door."""
    from playwright.sync_api import expect  # noqa: PLC0415

    entry_id = community["entry_id"]
    add_door(ha.api, entry_id, DESK_DOOR)
    wait_until(
        lambda: any(
            d["name"] == DESK_DOOR
            for d in ha.api.ws_command(
                {"type": f"{DOMAIN}/office/devices", "entry_id": entry_id}
            )
        ),
        60,
        f"door {DESK_DOOR!r} in the community",
    )
    page = page_as(ha.owner)
    panel = open_panel(page, ha.base_url, "community-office")
    choose_community(panel, community["title"])
    office_tab(panel, "Households")
    panel.get_by_role("button", name="Add household").click()
    confirm(page, "Add", {"Unit": "7-1-401"})
    panel.get_by_role("heading", name="Unit 7-1-401").wait_for()
    panel.get_by_role("button", name="Add person").click()
    confirm(page, "Add", {"Name": "Li Na", "ID number": id_number(401)})
    people = panel.locator("tr", has_text="Li Na")
    people.wait_for()
    people.get_by_role("button", name="Issue card").click()

    box = dialog(page)
    box.get_by_label("Read from reader at").select_option(label=DESK_DOOR)
    box.get_by_role("button", name="Read", exact=True).click()
    box.get_by_text(f"Present the new card at {DESK_DOOR} now").wait_for()
    shot(page, "issue_card_waiting_for_reader")

    read = _present(ha, entry_id)
    assert read["granted"] is False and read["captured"] is True, read
    expect(box.get_by_label("Card number").first).to_have_value(CARD)
    box.get_by_text("Card read: ****0101").wait_for()
    shot(page, "issue_card_read_from_reader")
    confirm(page, "Issue card")
    panel.locator("tr", has_text="****0101").get_by_text(
        "Active", exact=True
    ).wait_for()

    # The capture took one card: the same card now opens the door.
    assert _present(ha, entry_id)["granted"] is True

    # Lost: reading it again for the reissue says whose it is; a new card is read.
    card = panel.locator("tr", has_text="****0101")
    card.get_by_role("button", name="Report lost").click()
    confirm(page, "Report lost")
    card.get_by_text("Lost", exact=True).wait_for()
    card.get_by_role("button", name="Reissue").click()
    box = dialog(page)
    box.get_by_label("Read from reader at").select_option(label=DESK_DOOR)
    box.get_by_role("button", name="Read", exact=True).click()
    box.get_by_text(f"Present the new card at {DESK_DOOR} now").wait_for()
    assert _present(ha, entry_id)["captured"] is True
    box.get_by_text(
        "This card was reported lost by Li Na (7-1-401); it cannot be issued again."
    ).wait_for()
    box.get_by_role("button", name="Read", exact=True).click()
    box.get_by_text(f"Present the new card at {DESK_DOOR} now").wait_for()
    assert _present(ha, entry_id, NEW_CARD)["captured"] is True
    expect(box.get_by_label("New card number").first).to_have_value(NEW_CARD)
    box.get_by_text("Card read: ****0102").wait_for()
    assert box.get_by_text("reported lost by").count() == 0
    shot(page, "reissue_read_from_reader")
    confirm(page, "Reissue")
    panel.locator("tr", has_text="****0102").get_by_text(
        "Active", exact=True
    ).wait_for()
    assert _present(ha, entry_id, NEW_CARD)["granted"] is True
