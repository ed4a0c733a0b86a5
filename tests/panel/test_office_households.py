"""Office commands on households, people and cards, checked through the core."""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import MockHAClientWebSocket

from custom_components.community_access.core.models import (
    CredentialStatus,
    PersonStatus,
)
from homeassistant.core import HomeAssistant
from tests.helpers import CARD, ID_NUMBER, PIN, add_resident, call, present

from .office_common import ok, refused


async def test_households_search_and_paging(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """Households sorted by unit, found by unit prefix or a person's name, paged."""
    await add_resident(hass, "3-2-501", "赵磊")
    await add_resident(hass, "3-2-502", "钱芳", card=None)
    await add_resident(hass, "1-1-101", "孙伟", card=None)
    first = await ok(ws, "office/households", office, limit=2)
    assert first["total"] == 3
    assert [h["unit"] for h in first["items"]] == ["1-1-101", "3-2-501"]
    second = await ok(ws, "office/households", office, limit=2, offset=2)
    assert [h["unit"] for h in second["items"]] == ["3-2-502"]
    by_unit = await ok(ws, "office/households", office, search="3-2")
    assert [h["unit"] for h in by_unit["items"]] == ["3-2-501", "3-2-502"]
    by_name = await ok(ws, "office/households", office, search="钱")
    assert [h["unit"] for h in by_name["items"]] == ["3-2-502"]
    zhao = by_unit["items"][0]
    assert zhao["people"] == 1
    assert zhao["active_cards"] == 1
    assert zhao["card_quota"] == 4
    assert zhao["moved_out"] is False


async def test_add_household_and_person_edit_and_suspend(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """Add a household and a person, edit and suspend them: the core has it."""
    community = office.runtime_data.community
    household = await ok(ws, "office/add_household", office, unit="5-1-301")
    assert household["unit"] == "5-1-301"
    assert community.household("5-1-301").id == household["household_id"]
    person = await ok(
        ws,
        "office/add_person",
        office,
        unit="5-1-301",
        name="李娜",
        role="owner",
        id_number=ID_NUMBER,
        phone="13812345678",
        valid_until="2030-01-01T00:00:00+08:00",
    )
    stored = community.person(person["person_id"])
    assert stored.name == "李娜"
    assert person["id_number_masked"] == stored.id_number_masked
    assert ID_NUMBER not in str(person)
    assert "13812345678" not in str(person)
    assert person["valid_until"] == "2029-12-31T16:00:00+00:00"
    updated = await ok(
        ws,
        "office/update_person",
        office,
        person_id=person["person_id"],
        name="李娜娜",
        phone="",
    )
    assert community.person(person["person_id"]).name == "李娜娜"
    assert updated["phone_masked"] is None
    suspended = await ok(
        ws,
        "office/set_person_status",
        office,
        person_id=person["person_id"],
        status="suspended",
    )
    assert suspended["status"] == "suspended"
    assert community.person(person["person_id"]).status is PersonStatus.SUSPENDED


async def test_household_file(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """A household's people, masked credentials, links and statement."""
    ids = await add_resident(hass)
    await call(
        hass,
        "add_credential",
        {"person_id": ids["person_id"], "kind": "pin", "value": PIN},
    )
    file = await ok(ws, "office/household", office, unit="3-2-501")
    assert file["household"]["unit"] == "3-2-501"
    (person,) = file["people"]
    assert person["name"] == "赵磊"
    assert person["id_number_masked"] and ID_NUMBER not in str(file)
    kinds = {c["kind"]: c for c in file["credentials"]}
    assert kinds["card"]["masked"] != CARD and CARD not in str(file)
    assert PIN not in str(file)
    assert kinds["card"]["deposit"] == 20.0
    assert file["statement"]["deposits_held"] == 20.0
    assert file["statement"]["entries"][0]["kind"] == "deposit"
    assert file["links"] == {"notify_services": [], "users": []}


async def test_card_desk_round(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """Issue, report lost (denied at once), reissue, return: as the services do."""
    ids = await add_resident(hass, card=None)
    community = office.runtime_data.community
    card = await ok(
        ws,
        "office/issue_card",
        office,
        person_id=ids["person_id"],
        card_number=CARD,
        deposit=30,
    )
    assert card["deposit"] == 30.0 and card["status"] == "active"
    assert (await present(hass, "Main gate"))["granted"] is True
    lost = await ok(
        ws, "office/report_card_lost", office, credential_id=card["credential_id"]
    )
    assert lost["status"] == "lost"
    denied = await present(hass, "Main gate")
    assert (denied["granted"], denied["reason"]) == (False, "lost")
    new = await ok(
        ws,
        "office/reissue_card",
        office,
        credential_id=card["credential_id"],
        card_number="0087654321",
        fee=10,
    )
    assert new["replaces"] == card["credential_id"]
    assert (await present(hass, "Main gate", "0087654321"))["granted"] is True
    returned = await ok(
        ws, "office/return_card", office, credential_id=new["credential_id"]
    )
    assert returned["status"] == "returned"
    assert (
        community.credential(new["credential_id"]).status is CredentialStatus.RETURNED
    )
    statement = await call(hass, "household_statement", {"unit": "3-2-501"})
    assert statement["fees"] == 10.0
    assert statement["refunded"] == 30.0


async def test_add_and_revoke_credential(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """A PIN added works at the door; revoked, it no longer does."""
    ids = await add_resident(hass)
    pin = await ok(
        ws,
        "office/add_credential",
        office,
        person_id=ids["person_id"],
        kind="pin",
        value=PIN,
    )
    assert pin["kind"] == "pin" and PIN not in str(pin)
    assert (await present(hass, "Main gate", PIN, "pin"))["granted"] is True
    await ok(ws, "office/revoke_credential", office, credential_id=pin["credential_id"])
    assert (await present(hass, "Main gate", PIN, "pin"))["granted"] is False


async def test_core_refusal_translated(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """A refusal of the core comes back in the caller's language, with its key."""
    ids = await add_resident(hass)
    error = await refused(
        ws,
        "office/revoke_credential",
        office,
        credential_id=ids["credential_id"],
        language="zh-Hans",
    )
    assert error["code"] == "use_return_card"
    english = await refused(
        ws, "office/household", office, unit="9-9-999", language="en"
    )
    assert english["code"] == "unknown_household"
    assert "9-9-999" in english["message"]
    chinese = await refused(
        ws, "office/household", office, unit="9-9-999", language="zh-Hans"
    )
    assert "9-9-999" in chinese["message"]
    assert chinese["message"] != english["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese["message"])
    bad_name = await refused(
        ws,
        "office/add_person",
        office,
        unit="3-2-501",
        name="\u202eevil",
        role="family",
        language="zh-Hans",
    )
    assert bad_name["code"] == "invalid_name"


async def test_move_out_preview_then_move_out(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """The preview lists the refunds and the kept deposits; move-out settles them."""
    first = await add_resident(hass)
    second = await add_resident(hass, name="赵敏", role="family", card="0011112222")
    await call(hass, "report_card_lost", {"credential_id": second["credential_id"]})
    preview = await ok(ws, "office/move_out_preview", office, unit="3-2-501")
    assert preview["people"] == 2
    assert [c["credential_id"] for c in preview["refunds"]] == [first["credential_id"]]
    assert preview["refunds"][0]["deposit"] == 20.0
    assert [c["credential_id"] for c in preview["kept"]] == [second["credential_id"]]
    assert CARD not in str(preview)
    # Nothing was written by the preview.
    community = office.runtime_data.community
    assert community.household("3-2-501").moved_out_at is None
    moved = await ok(
        ws,
        "office/move_out",
        office,
        unit="3-2-501",
        returned_card_ids=[first["credential_id"]],
    )
    assert moved["moved_out"] is True
    assert moved["refunded"] == 20.0
    assert moved["deposits_kept"] == 20.0
    assert community.person(first["person_id"]).status is PersonStatus.MOVED_OUT
    error = await refused(ws, "office/move_out_preview", office, unit="3-2-501")
    assert error["code"] == "household_moved_out"
    listed = await ok(ws, "office/households", office)
    assert listed["total"] == 0
    everyone = await ok(ws, "office/households", office, include_moved_out=True)
    assert everyone["items"][0]["moved_out"] is True


async def test_people_search(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """People found by name or unit prefix, at most ``limit``, never the moved-out."""
    await add_resident(hass, "3-2-501", "赵磊", card=None)
    await add_resident(hass, "3-2-502", "赵敏", card=None)
    await add_resident(hass, "1-1-101", "孙伟", card=None)
    found = await ok(ws, "office/people_search", office, query="赵")
    assert [(p["name"], p["unit"]) for p in found] == [
        ("赵磊", "3-2-501"),
        ("赵敏", "3-2-502"),
    ]
    assert await ok(ws, "office/people_search", office, query="1-1") == [
        {"person_id": 3, "name": "孙伟", "unit": "1-1-101", "role": "owner"}
    ]
    one = await ok(ws, "office/people_search", office, query="赵", limit=1)
    assert len(one) == 1
    error = await refused(ws, "office/people_search", office, query="赵", limit=21)
    assert error["code"] == "invalid_format"


async def test_household_file_names_linked_users(
    hass: HomeAssistant,
    office: MockConfigEntry,
    ws: MockHAClientWebSocket,
    hass_admin_user,
) -> None:
    """The users linked to a household are listed by id and name."""
    await add_resident(hass)
    await call(
        hass, "link_household", {"unit": "3-2-501", "users": [hass_admin_user.id]}
    )
    file = await ok(ws, "office/household", office, unit="3-2-501")
    assert file["links"]["users"] == [
        {"id": hass_admin_user.id, "name": hass_admin_user.name}
    ]
