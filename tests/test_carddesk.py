"""The card desk through Home Assistant's service layer (issue 3)."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    async_fire_time_changed,
)
import voluptuous as vol

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.logbook import describe_desk
from homeassistant.components.lock.const import LockState
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .conftest import make_entry
from .helpers import CARD, ID_NUMBER, PIN, add_resident, call, present

# Each test on SQLite and on PostgreSQL (the entry's db_url option).
pytestmark = [pytest.mark.both_databases, pytest.mark.usefixtures("entry_db")]


def _id(serial: int) -> str:
    body = f"44030519900101{serial:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


async def _refused(hass: HomeAssistant, service: str, data: dict) -> str:
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, service, data)
    assert err.value.translation_domain == DOMAIN
    return str(err.value.translation_key)


_SENSORS = {
    "cards_lost_this_month": "cards_reported_lost_this_month",
    "deposits_held": "card_deposits_held",
}


def _state(hass: HomeAssistant, key: str) -> str:
    return hass.states.get(f"sensor.sunny_gardens_{_SENSORS.get(key, key)}").state


async def test_the_entry_keeps_its_data_in_the_test_database(
    hass: HomeAssistant, setup_entry, db_kind: str
) -> None:
    """The parametrisation is real: the entry's database is the test's kind."""
    db = setup_entry.runtime_data.community.db
    assert db.engine.dialect.name == db_kind
    await call(hass, "add_household", {"unit": "3-2-501", "card_quota": 2})
    loaded = await hass.async_add_executor_job(db.load)
    assert [str(h.unit) for h in loaded.households] == ["3-2-501"]


async def test_issue_card_rules(hass: HomeAssistant, setup_entry) -> None:
    await call(hass, "add_household", {"unit": "3-2-501", "card_quota": 2})
    owner = await call(
        hass,
        "add_person",
        {"unit": "3-2-501", "name": "赵磊", "role": "owner", "id_number": _id(1)},
    )
    child = await call(
        hass, "add_person", {"unit": "3-2-501", "name": "赵小明", "role": "family"}
    )
    # Seed 121: only against an ID number on record.
    assert (
        await _refused(
            hass, "issue_card", {"person_id": child["person_id"], "card_number": "A1"}
        )
        == "id_required"
    )
    await call(
        hass, "update_person", {"person_id": child["person_id"], "id_number": _id(2)}
    )
    first = await call(
        hass, "issue_card", {"person_id": owner["person_id"], "card_number": "10000001"}
    )
    assert first["ledger"] == {"deposit": 20.0}
    assert first["deposit_held"] == 20.0
    await call(
        hass,
        "issue_card",
        {"person_id": child["person_id"], "card_number": "10000002", "deposit": 50},
    )
    # 1.2: limited cards per household.
    assert (
        await _refused(
            hass,
            "issue_card",
            {"person_id": owner["person_id"], "card_number": "10000003"},
        )
        == "card_quota_reached"
    )
    # A card can never be in two households.
    await call(hass, "add_household", {"unit": "1-1-101"})
    other = await call(
        hass,
        "add_person",
        {"unit": "1-1-101", "name": "王建国", "role": "owner", "id_number": _id(3)},
    )
    assert (
        await _refused(
            hass,
            "issue_card",
            {"person_id": other["person_id"], "card_number": "10000001"},
        )
        == "credential_in_use"
    )
    assert _state(hass, "active_cards") == "2"
    assert float(_state(hass, "deposits_held")) == 70.0


async def test_lost_reissue_return_and_statement(
    hass: HomeAssistant, setup_entry, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to("2026-06-10T10:00:00+08:00")
    events = {
        name: async_capture_events(hass, f"{DOMAIN}_{name}")
        for name in ("card_issued", "card_lost", "card_reissued", "card_returned")
    }
    ids = await add_resident(hass)
    card2 = await call(
        hass, "issue_card", {"person_id": ids["person_id"], "card_number": "22223333"}
    )
    assert (await present(hass, "Building 3 door"))["granted"] is True

    await call(hass, "report_card_lost", {"credential_id": ids["credential_id"]})
    assert (await present(hass, "Building 3 door"))["reason"] == "lost"
    assert _state(hass, "cards_lost_this_month") == "1"

    new = await call(
        hass,
        "reissue_card",
        {"credential_id": ids["credential_id"], "card_number": "44445555", "fee": 30},
    )
    assert new["ledger"] == {"reissue_fee": 30.0}
    assert new["deposit_held"] == 20.0  # the deposit moved to the new card
    assert (await present(hass, "Building 3 door", "44445555"))["granted"] is True
    # The old card stays blocked for ever and can not come back.
    assert (await present(hass, "Building 3 door"))["reason"] == "lost"
    assert (
        await _refused(
            hass, "issue_card", {"person_id": ids["person_id"], "card_number": CARD}
        )
        == "credential_reported_lost"
    )

    refund = await call(hass, "return_card", {"credential_id": new["credential_id"]})
    assert refund["ledger"] == {"refund": 20.0}
    kept = await call(
        hass, "return_card", {"credential_id": card2["credential_id"], "damaged": True}
    )
    assert kept["ledger"] == {"deposit_kept": 20.0}
    assert (await present(hass, "Building 3 door", "44445555"))["reason"] == "returned"

    statement = await call(hass, "household_statement", {"unit": "3-2-501"})
    assert [e["entry"] for e in statement["entries"]] == [
        "deposit",
        "deposit",
        "reissue_fee",
        "refund",
        "deposit_kept",
    ]
    assert statement["deposits_paid"] == 40.0
    assert statement["refunded"] == 20.0
    assert statement["deposits_kept"] == 20.0
    assert statement["fees"] == 30.0
    assert statement["deposits_held"] == 0.0
    assert statement["balance"] == 50.0
    assert float(_state(hass, "deposits_held")) == 0.0
    assert _state(hass, "active_cards") == "0"

    assert [len(events[n]) for n in events] == [2, 1, 1, 2]
    reissued = events["card_reissued"][0].data
    # Bus events name people masked (the community does not show full names).
    assert reissued["person_name"] == "赵*"
    assert reissued["fee"] == 30.0
    for captured in events.values():
        for event in captured:
            text = str(event.data)
            assert CARD not in text
            assert "44445555" not in text
            assert "22223333" not in text
    assert (
        describe_desk("card_reissued", dict(reissued), "zh-Hans")["message"]
        == "补办了门禁卡(费用 30 元)"
    )
    assert (
        describe_desk("card_lost", dict(events["card_lost"][0].data), "en")["name"]
        == "赵*"
    )


async def test_pin_and_face_rules(hass: HomeAssistant, setup_entry) -> None:
    ids = await add_resident(hass, card=None)
    for trivial in ("1111", "1234", "987654", "7890", "1212", "123123"):
        assert (
            await _refused(
                hass,
                "add_credential",
                {"person_id": ids["person_id"], "kind": "pin", "value": trivial},
            )
            == "trivial_pin"
        )
    # Face never the only way in.
    assert (
        await _refused(
            hass,
            "add_credential",
            {"person_id": ids["person_id"], "kind": "face", "value": "face-77"},
        )
        == "face_needs_other_credential"
    )
    pin = await call(
        hass,
        "add_credential",
        {"person_id": ids["person_id"], "kind": "pin", "value": PIN},
    )
    face = await call(
        hass,
        "add_credential",
        {"person_id": ids["person_id"], "kind": "face", "value": "face-77"},
    )
    assert (await present(hass, "Building 3 door", "face-77", "face"))[
        "granted"
    ] is True
    assert (
        await _refused(
            hass, "revoke_credential", {"credential_id": pin["credential_id"]}
        )
        == "face_needs_other_credential"
    )
    # PINs are unique within the community.
    other = await add_resident(hass, unit="1-1-101", name="王建国", card=None)
    assert (
        await _refused(
            hass,
            "add_credential",
            {"person_id": other["person_id"], "kind": "pin", "value": PIN},
        )
        == "credential_in_use"
    )
    await call(hass, "revoke_credential", {"credential_id": face["credential_id"]})
    await call(hass, "revoke_credential", {"credential_id": pin["credential_id"]})
    assert (await present(hass, "Building 3 door", PIN, "pin"))["reason"] == "cancelled"


async def test_temporary_card_voids_itself(
    hass: HomeAssistant, setup_entry, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to("2026-06-01T10:00:00+08:00")
    owner = await add_resident(hass, card=None)
    family = await add_resident(hass, name="赵小明", role="family", card=None)
    until = (dt_util.now() + timedelta(days=30)).isoformat()
    base = {
        "name": "钱阿姨",
        "role": "helper",
        "id_number": _id(7),
        "card_number": "66667777",
        "valid_until": until,
    }
    assert (
        await _refused(
            hass,
            "issue_temporary_card",
            base | {"owner_person_id": family["person_id"]},
        )
        == "owner_required"
    )
    card = await call(
        hass, "issue_temporary_card", base | {"owner_person_id": owner["person_id"]}
    )
    assert card["ledger"] == {"deposit": 20.0}
    assert (await present(hass, "Building 3 door", "66667777"))["granted"] is True
    freezer.tick(timedelta(days=30) - timedelta(seconds=1))
    assert (await present(hass, "Building 3 door", "66667777"))["granted"] is True
    freezer.tick(timedelta(seconds=1))
    assert (await present(hass, "Building 3 door", "66667777"))["reason"] == "expired"
    # The sweep marks it expired; its deposit is still held until it is returned.
    expired = async_capture_events(hass, f"{DOMAIN}_credential_expired")
    freezer.tick(timedelta(minutes=10))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [e.data["person_name"] for e in expired] == ["钱**"]
    refund = await call(hass, "return_card", {"credential_id": card["credential_id"]})
    assert refund["ledger"] == {"refund": 20.0}


async def test_contractor_and_staff(
    hass: HomeAssistant, setup_entry, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to("2026-06-01T10:00:00+08:00")  # Monday
    await call(hass, "add_household", {"unit": "3-2-501"})
    until = (dt_util.now() + timedelta(days=20)).isoformat()
    contractor = await call(
        hass,
        "register_contractor",
        {
            "unit": "3-2-501",
            "name": "周师傅",
            "id_number": _id(8),
            "company": "安居装饰",
            "tools": ["电钻", "瓷砖 20 箱"],
            "card_number": "80000001",
            "valid_until": until,
        },
    )
    assert contractor["tools"] == ["电钻", "瓷砖 20 箱"]
    assert (await present(hass, "Building 3 door", "80000001"))["granted"] is True
    assert (await present(hass, "Building 1 door", "80000001"))[
        "reason"
    ] == "zone_not_allowed"
    freezer.move_to("2026-06-01T19:00:00+08:00")
    assert (await present(hass, "Building 3 door", "80000001"))[
        "reason"
    ] == "outside_time_window"
    freezer.move_to("2026-06-07T10:00:00+08:00")  # Sunday
    assert (await present(hass, "Building 3 door", "80000001"))[
        "reason"
    ] == "outside_time_window"

    staff = await call(
        hass, "add_person", {"name": "保洁 吴姐", "role": "staff", "id_number": _id(9)}
    )
    await call(
        hass,
        "issue_card",
        {
            "person_id": staff["person_id"],
            "card_number": "90000009",
            "deposit": 0,
            "schedule": {
                "windows": [
                    {
                        "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                        "ranges": ["06:00-14:00"],
                    }
                ]
            },
        },
    )
    assert (await present(hass, "Building 1 door", "90000009"))["granted"] is True
    freezer.move_to("2026-06-07T15:00:00+08:00")
    assert (await present(hass, "Building 1 door", "90000009"))[
        "reason"
    ] == "outside_time_window"


async def test_move_out_denies_everything_at_once(
    hass: HomeAssistant, config_entry, freezer: FrozenDateTimeFactory
) -> None:
    setup_entry = await _setup_at(
        hass, config_entry, freezer, "2026-06-01T10:00:00+08:00"
    )
    owner = await add_resident(hass)
    spouse = await add_resident(hass, name="孙丽", role="family", card="55556666")
    await call(
        hass,
        "add_credential",
        {"person_id": spouse["person_id"], "kind": "pin", "value": PIN},
    )
    moved = async_capture_events(hass, f"{DOMAIN}_moved_out")
    result = await call(
        hass,
        "move_out",
        {"unit": "3-2-501", "returned_card_ids": [owner["credential_id"]]},
    )
    assert result["credentials_cancelled"] == 3
    assert result["refunded"] == 20.0
    assert result["deposits_kept"] == 20.0
    for value, kind in ((CARD, "card"), ("55556666", "card"), (PIN, "pin")):
        assert (await present(hass, "Main gate", value, kind))["reason"] == "moved_out"
    assert moved[0].data["unit"] == "3-2-501"
    assert _state(hass, "residents") == "0"
    assert (
        await _refused(
            hass, "add_person", {"unit": "3-2-501", "name": "新住户", "role": "owner"}
        )
        == "household_moved_out"
    )
    assert (
        await _refused(hass, "move_out", {"unit": "3-2-501"}) == "household_moved_out"
    )

    # Personal data is erased after the retention period (180 days).
    community = setup_entry.runtime_data.community
    row = await hass.async_add_executor_job(community.db.person_row, owner["person_id"])
    assert row["id_number_enc"] is not None
    freezer.move_to("2026-11-29T03:17:00+08:00")
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    row = await hass.async_add_executor_job(community.db.person_row, owner["person_id"])
    assert row["id_number_enc"] is None
    assert row["id_number_hash"] is None
    assert row["name"] == "赵*"


async def test_update_person(hass: HomeAssistant, setup_entry) -> None:
    ids = await add_resident(hass, card=None, phone="13812345678")
    updated = await call(
        hass,
        "update_person",
        {
            "person_id": ids["person_id"],
            "name": "赵磊磊",
            "phone": "",
            "extra_zones": ["public:gym"],
        },
    )
    assert updated["name"] == "赵磊磊"
    assert updated["phone"] is None
    assert updated["extra_zones"] == ["public:gym"]
    assert (
        await _refused(
            hass,
            "update_person",
            {
                "person_id": ids["person_id"],
                "valid_from": "2026-05-01T00:00:00+08:00",
                "valid_until": "2026-04-01T00:00:00+08:00",
            },
        )
        == "invalid_validity"
    )


async def test_guard_verified_entry(
    hass: HomeAssistant, setup_entry, hass_admin_user
) -> None:
    ids = await add_resident(hass, card=None)
    granted = async_capture_events(hass, "community_access_access_granted")
    await call(
        hass,
        "set_person_status",
        {"person_id": ids["person_id"], "status": "suspended"},
    )
    response = await call(
        hass,
        "guard_verified_entry",
        {
            "door": "Building 3 door",
            "unit": "3-2-501",
            "person_id": ids["person_id"],
            "note": "查验身份证",
        },
        context=Context(user_id=hass_admin_user.id),
    )
    assert response["reason"] == "guard_verified"
    await hass.async_block_till_done()
    assert hass.states.get("lock.building_3_door").state == LockState.UNLOCKED
    assert granted[0].data["source"] == "guard"
    record = (await call(hass, "query_access_log", {}))["records"][0]
    assert record["note"] == "查验身份证"
    assert record["actor"] == hass_admin_user.id
    assert (
        await _refused(
            hass,
            "guard_verified_entry",
            {
                "door": "Building 1 door",
                "unit": "3-2-501",
                "person_id": ids["person_id"],
            },
        )
        == "guard_entry_wrong_door"
    )
    assert (
        await _refused(
            hass,
            "guard_verified_entry",
            {"door": "Main gate", "unit": "1-1-101", "person_id": ids["person_id"]},
        )
        == "unknown_household"
    )


async def _setup_at(hass: HomeAssistant, entry, freezer, when: str):
    """Set the community up at a frozen time (the nightly timer is set from it)."""
    await hass.config.async_set_time_zone("Asia/Shanghai")
    freezer.move_to(when)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def test_permission_review(
    hass: HomeAssistant, config_entry, freezer: FrozenDateTimeFactory
) -> None:
    setup_entry = await _setup_at(
        hass, config_entry, freezer, "2026-01-01T10:00:00+08:00"
    )
    used = await add_resident(hass)
    unused = await add_resident(hass, name="李秀英", role="family", card="87654321")
    until = (dt_util.now() + timedelta(days=110)).isoformat()
    tenant = await call(
        hass,
        "add_person",
        {
            "unit": "3-2-501",
            "name": "租客",
            "role": "tenant",
            "id_number": ID_NUMBER,
            "valid_until": until,
        },
    )
    temp = await call(
        hass,
        "issue_card",
        {
            "person_id": tenant["person_id"],
            "card_number": "31313131",
            "valid_until": until,
        },
    )
    freezer.move_to("2026-04-01T10:00:00+08:00")
    await present(hass, "Main gate")  # the first card is used
    await present(hass, "Main gate", "31313131")

    # 90 days after the first credential: a repair issue says a review is due.
    freezer.move_to("2026-04-02T03:17:00+08:00")
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    issue_id = f"permission_review_due_{setup_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    review = await call(
        hass, "review_permissions", {"unused_days": 60, "expiring_days": 30}
    )
    findings = {item["credential_id"]: item["finding"] for item in review["items"]}
    assert findings == {
        unused["credential_id"]: "unused",
        temp["credential_id"]: "expiring",
    }
    assert used["credential_id"] not in findings
    assert review["items"][0]["credential"].startswith("****")
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_unused_credentials_revoked_nightly(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup_at(
        hass,
        make_entry(options={"revoke_unused_days": 60}),
        freezer,
        "2026-01-01T10:00:00+08:00",
    )
    pin_owner = await add_resident(hass, card=None)
    await call(
        hass,
        "add_credential",
        {"person_id": pin_owner["person_id"], "kind": "pin", "value": PIN},
    )
    revoked = async_capture_events(hass, f"{DOMAIN}_credential_revoked")
    freezer.move_to("2026-03-10T03:17:00+08:00")
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [e.data["reason"] for e in revoked] == ["unused"]
    assert (await present(hass, "Main gate", PIN, "pin"))["reason"] == "cancelled"


async def test_bulk_import_and_ledger(hass: HomeAssistant, setup_entry) -> None:
    """2,000 households with 3 cards each, through the services; the ledger balances."""
    households = 2000
    for n in range(households):
        unit = f"{n % 20 + 1}-{n // 20 % 5 + 1}-{n // 100 + 101}"
        await call(hass, "add_household", {"unit": unit})
        for k in range(3):
            person = await call(
                hass,
                "add_person",
                {
                    "unit": unit,
                    "name": f"住户{n}-{k}",
                    "role": "owner" if k == 0 else "family",
                    "id_number": ID_NUMBER,
                },
            )
            await call(
                hass,
                "issue_card",
                {
                    "person_id": person["person_id"],
                    "card_number": f"{7_000_000 + n * 3 + k}",
                },
            )
    assert _state(hass, "households") == str(households)
    assert _state(hass, "active_cards") == str(households * 3)
    assert float(_state(hass, "deposits_held")) == households * 3 * 20.0
    statement = await call(hass, "household_statement", {"unit": "20-5-120"})
    assert statement["deposits_held"] == 60.0
    assert len(statement["entries"]) == 3
    totals = await hass.async_add_executor_job(
        setup_entry.runtime_data.community.db.ledger_totals
    )
    assert totals == {"deposit": households * 3 * 2000}


async def test_returning_the_last_card_of_a_face_user_is_refused(
    hass: HomeAssistant, setup_entry
) -> None:
    ids = await add_resident(hass)
    face = await call(
        hass,
        "add_credential",
        {"person_id": ids["person_id"], "kind": "face", "value": "face-9"},
    )
    assert (
        await _refused(hass, "return_card", {"credential_id": ids["credential_id"]})
        == "face_needs_other_credential"
    )
    await call(hass, "revoke_credential", {"credential_id": face["credential_id"]})
    refund = await call(hass, "return_card", {"credential_id": ids["credential_id"]})
    assert refund["ledger"] == {"refund": 20.0}


async def test_reoccupied_unit_statement_and_reissue_rules(
    hass: HomeAssistant, setup_entry
) -> None:
    """Issue 11: a new household's own ledger; a lost card is reissued once, within the quota."""
    await call(hass, "add_household", {"unit": "3-2-501", "card_quota": 2})
    owner = await add_resident(hass, card=None, id_number=_id(31))
    ids = owner["person_id"]
    first = await call(
        hass, "issue_card", {"person_id": ids, "card_number": "47330001"}
    )
    second = await call(
        hass, "issue_card", {"person_id": ids, "card_number": "47330002"}
    )
    await call(hass, "report_card_lost", {"credential_id": first["credential_id"]})
    await call(hass, "issue_card", {"person_id": ids, "card_number": "47330003"})
    # Quota 2: two active cards already; reissuing the lost one would make three.
    assert (
        await _refused(
            hass,
            "reissue_card",
            {"credential_id": first["credential_id"], "card_number": "47330004"},
        )
        == "card_quota_reached"
    )
    await call(hass, "return_card", {"credential_id": second["credential_id"]})
    await call(
        hass,
        "reissue_card",
        {"credential_id": first["credential_id"], "card_number": "47330004"},
    )
    assert (
        await _refused(
            hass,
            "reissue_card",
            {"credential_id": first["credential_id"], "card_number": "47330005"},
        )
        == "card_already_replaced"
    )

    await call(hass, "move_out", {"unit": "3-2-501"})
    former = await call(hass, "household_statement", {"unit": "3-2-501"})
    await call(hass, "add_household", {"unit": "3-2-501"})
    current = await call(hass, "household_statement", {"unit": "3-2-501"})
    assert (current["occupancy"], current["occupancies"]) == (2, 2)
    assert current["entries"] == []
    assert current["balance"] == 0.0
    history = await call(
        hass, "household_statement", {"unit": "3-2-501", "occupancy": 1}
    )
    assert (history["occupancy"], history["occupancies"]) == (1, 2)
    assert history["entries"] == former["entries"]
    assert history["balance"] == former["balance"] > 0
    assert (
        await _refused(hass, "household_statement", {"unit": "3-2-501", "occupancy": 3})
        == "invalid_occupancy"
    )
    for wrong in (0, -1, 1.5, True, "one"):
        with pytest.raises(vol.Invalid):
            await call(
                hass, "household_statement", {"unit": "3-2-501", "occupancy": wrong}
            )
