"""Every service through Home Assistant's service layer, with its error paths."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.services import public_services
from homeassistant.auth.models import User
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.util import dt as dt_util

from .conftest import make_entry
from .helpers import CARD, ID_NUMBER, PIN, add_resident, call, present


async def test_services_registered_and_described(
    hass: HomeAssistant, setup_entry
) -> None:
    services = hass.services.async_services_for_domain(DOMAIN)
    assert set(public_services()) <= set(services)


async def test_add_household_person_credential(
    hass: HomeAssistant, setup_entry
) -> None:
    household = await call(
        hass, "add_household", {"unit": " 3-2-501 ", "card_quota": 2}
    )
    assert household == {"household_id": 1, "unit": "3-2-501"}
    person = await call(
        hass,
        "add_person",
        {
            "unit": "3-2-501",
            "name": "赵磊",
            "role": "owner",
            "id_number": ID_NUMBER,
            "phone": "13812345678",
        },
    )
    assert person["id_number"] == "110***********002X"
    cred = await call(
        hass, "issue_card", {"person_id": person["person_id"], "card_number": CARD}
    )
    assert cred["credential"] == "****5678"
    assert cred["ledger"] == {"deposit": 20.0}
    assert hass.states.get("sensor.sunny_gardens_households").state == "1"
    assert hass.states.get("sensor.sunny_gardens_residents").state == "1"
    assert hass.states.get("sensor.sunny_gardens_active_credentials").state == "1"


@pytest.mark.parametrize(
    ("service", "data", "key"),
    [
        ("add_household", {"unit": "3-2"}, "invalid_unit"),
        (
            "add_person",
            {"unit": "9-9-999", "name": "A", "role": "owner"},
            "unknown_household",
        ),
        ("add_person", {"name": "A", "role": "owner"}, "household_required"),
        (
            "add_person",
            {
                "unit": "3-2-501",
                "name": "A",
                "role": "owner",
                "id_number": "110105194912310021",
            },
            "invalid_id_number",
        ),
        (
            "add_person",
            {"unit": "3-2-501", "name": "A", "role": "owner", "extra_zones": ["pool"]},
            "invalid_zone",
        ),
        (
            "add_person",
            {
                "unit": "3-2-501",
                "name": "A",
                "role": "tenant",
                "valid_from": "2026-05-01T00:00:00+08:00",
                "valid_until": "2026-04-01T00:00:00+08:00",
            },
            "invalid_validity",
        ),
        (
            "add_credential",
            {"person_id": 99, "kind": "pin", "value": "583716"},
            "unknown_person",
        ),
        (
            "add_credential",
            {"person_id": 1, "kind": "card", "value": "55555"},
            "use_issue_card",
        ),
        (
            "add_credential",
            {"person_id": 1, "kind": "pin", "value": "123456"},
            "trivial_pin",
        ),
        (
            "revoke_credential",
            {"credential_id": 1},
            "use_return_card",
        ),
        (
            "add_credential",
            {"person_id": 1, "kind": "pin", "value": "12"},
            "invalid_pin",
        ),
        (
            "issue_card",
            {"person_id": 1, "card_number": CARD},
            "credential_in_use",
        ),
        (
            "issue_card",
            {"person_id": 1, "card_number": "77", "schedule": {"windows": []}},
            "invalid_schedule",
        ),
        (
            "add_credential",
            {
                "person_id": 1,
                "kind": "pin",
                "value": "583716",
                "schedule": {"windows": []},
            },
            "invalid_schedule",
        ),
        (
            "report_card_lost",
            {"credential_id": 42},
            "unknown_credential",
        ),
        (
            "present_credential",
            {"door": "Back door", "kind": "card", "value": "1"},
            "unknown_door",
        ),
        ("query_access_log", {"unit": "8-8-808"}, "unknown_household"),
        (
            "query_access_log",
            {"start": "2026-05-01T00:00:00+08:00", "end": "2026-04-01T00:00:00+08:00"},
            "invalid_time_range",
        ),
    ],
)
async def test_validation_errors_are_translated(
    hass: HomeAssistant, setup_entry, service: str, data: dict, key: str
) -> None:
    await add_resident(hass)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, service, data)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == key
    # The message exists in both languages.
    assert str(err.value)  # rendered from translations/en.json


async def test_lost_card_is_denied_and_never_comes_back(
    hass: HomeAssistant, setup_entry
) -> None:
    ids = await add_resident(hass)
    assert (await present(hass, "Building 3 door"))["granted"] is True
    await call(hass, "report_card_lost", {"credential_id": ids["credential_id"]})
    response = await present(hass, "Building 3 door")
    assert response == response | {
        "granted": False,
        "reason": "lost",
        "person_id": ids["person_id"],
    }
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "report_card_lost", {"credential_id": ids["credential_id"]})
    assert err.value.translation_key == "credential_not_active"
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass, "issue_card", {"person_id": ids["person_id"], "card_number": CARD}
        )
    assert err.value.translation_key == "credential_reported_lost"


async def test_suspended_and_moved_out(hass: HomeAssistant, setup_entry) -> None:
    ids = await add_resident(hass)
    await call(
        hass,
        "set_person_status",
        {"person_id": ids["person_id"], "status": "suspended"},
    )
    assert (await present(hass, "Main gate"))["reason"] == "suspended"
    await call(
        hass, "set_person_status", {"person_id": ids["person_id"], "status": "active"}
    )
    assert (await present(hass, "Main gate"))["granted"] is True
    await call(hass, "move_out", {"person_id": ids["person_id"]})
    assert (await present(hass, "Main gate"))["reason"] == "moved_out"
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "add_credential",
            {"person_id": ids["person_id"], "kind": "pin", "value": PIN},
        )
    assert err.value.translation_key == "person_moved_out"


async def test_resident_rules_at_each_door(
    hass: HomeAssistant, setup_entry, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to("2026-06-01T10:00:00+08:00")
    await add_resident(hass)
    staff = await call(
        hass,
        "add_person",
        {"name": "保安 孙强", "role": "staff", "id_number": ID_NUMBER},
    )
    await call(
        hass, "issue_card", {"person_id": staff["person_id"], "card_number": "900001"}
    )
    assert (await present(hass, "Main gate"))["granted"] is True
    assert (await present(hass, "Building 3 door"))["granted"] is True
    assert (await present(hass, "Building 1 door"))["reason"] == "zone_not_allowed"
    assert (await present(hass, "Gym"))["granted"] is True  # residents use public areas
    assert (await present(hass, "Building 1 door", "900001"))[
        "granted"
    ] is True  # staff
    assert (await present(hass, "Gym", "999999"))["reason"] == "unknown_credential"
    freezer.move_to("2026-06-01T23:30:00+08:00")
    assert (await present(hass, "Gym"))["reason"] == "outside_time_window"


async def test_pin_and_schedule(
    hass: HomeAssistant, setup_entry, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to("2026-06-01T10:00:00+08:00")  # a Monday
    ids = await add_resident(hass, role="tenant", card=None)
    await call(
        hass,
        "add_credential",
        {
            "person_id": ids["person_id"],
            "kind": "pin",
            "value": PIN,
            "schedule": {
                "windows": [{"days": ["mon", "tue"], "ranges": ["08:00-18:00"]}]
            },
        },
    )
    assert (await present(hass, "Building 3 door", PIN, "pin"))["granted"] is True
    assert (await present(hass, "Building 3 door", "000000", "pin"))[
        "reason"
    ] == "unknown_credential"
    freezer.move_to("2026-06-03T10:00:00+08:00")  # Wednesday
    assert (await present(hass, "Building 3 door", PIN, "pin"))[
        "reason"
    ] == "outside_time_window"


async def test_temporary_credential_voids_itself(
    hass: HomeAssistant, setup_entry, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to("2026-06-01T10:00:00+08:00")
    ids = await add_resident(hass, card=None, role="tenant")
    until = dt_util.now() + timedelta(days=7)
    await call(
        hass,
        "issue_card",
        {
            "person_id": ids["person_id"],
            "card_number": CARD,
            "valid_until": until.isoformat(),
        },
    )
    freezer.tick(timedelta(days=7) - timedelta(seconds=1))
    assert (await present(hass, "Building 3 door"))["granted"] is True
    freezer.tick(timedelta(seconds=1))
    assert (await present(hass, "Building 3 door"))["reason"] == "expired"


async def test_door_by_device_id(hass: HomeAssistant, setup_entry) -> None:
    from homeassistant.helpers import device_registry as dr

    await add_resident(hass)
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, "door_b3")})
    assert device is not None
    assert (await present(hass, device.id))["granted"] is True
    assert (await present(hass, "door_b3"))["granted"] is True
    assert (await present(hass, "building 3 DOOR"))["granted"] is True


async def test_query_access_log(
    hass: HomeAssistant, setup_entry, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to("2026-06-01T10:00:00+08:00")
    ids = await add_resident(hass)
    await add_resident(hass, unit="1-1-101", name="王建国", card="55667788")
    await present(hass, "Building 3 door")
    freezer.tick(60)
    await present(hass, "Building 1 door")  # denied
    freezer.tick(60)
    await present(hass, "Building 1 door", "55667788")
    freezer.tick(60)
    everything = await call(hass, "query_access_log", {})
    assert everything["count"] == 3
    assert [r["door_name"] for r in everything["records"]] == [
        "Building 1 door",
        "Building 1 door",
        "Building 3 door",
    ]
    first = everything["records"][-1]
    assert first["at"] == "2026-06-01T02:00:00+00:00"
    assert first["credential"] == "****5678"
    assert first["person_name"] == "赵磊"
    assert first["unit"] == "3-2-501"
    assert first["source"] == "service"
    mine = await call(hass, "query_access_log", {"person_id": ids["person_id"]})
    assert mine["count"] == 2
    denied = await call(hass, "query_access_log", {"result": "denied"})
    assert [r["reason"] for r in denied["records"]] == ["zone_not_allowed"]
    household = await call(hass, "query_access_log", {"unit": "1-1-101"})
    assert household["count"] == 1
    door = await call(hass, "query_access_log", {"door": "Building 1 door", "limit": 1})
    assert door["count"] == 1
    window = await call(
        hass,
        "query_access_log",
        {"start": "2026-06-01T10:00:30+08:00", "end": "2026-06-01T10:01:30+08:00"},
    )
    assert window["count"] == 1


async def test_services_are_admin_only(
    hass: HomeAssistant, setup_entry, hass_read_only_user: User, hass_admin_user: User
) -> None:
    await add_resident(hass)
    with pytest.raises(Unauthorized):
        await call(
            hass,
            "present_credential",
            {"door": "Main gate", "kind": "card", "value": CARD},
            context=Context(user_id=hass_read_only_user.id),
        )
    with pytest.raises(Unauthorized):
        await call(
            hass,
            "add_household",
            {"unit": "1-1-1"},
            context=Context(user_id=hass_read_only_user.id),
        )
    response = await call(
        hass,
        "present_credential",
        {"door": "Main gate", "kind": "card", "value": CARD},
        context=Context(user_id=hass_admin_user.id),
    )
    assert response["granted"] is True
    log = await call(hass, "query_access_log", {})
    assert log["records"][0]["actor"] == hass_admin_user.id


async def test_choosing_the_community(hass: HomeAssistant, setup_entry) -> None:
    other = make_entry(doors=[], title="Moonlight Court")
    other.add_to_hass(hass)
    assert await hass.config_entries.async_setup(other.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "add_household", {"unit": "1-1-101"})
    assert err.value.translation_key == "community_required"
    await call(
        hass, "add_household", {"unit": "1-1-101", "config_entry_id": other.entry_id}
    )
    assert other.runtime_data.community.counts()["households"] == 1
    assert setup_entry.runtime_data.community.counts()["households"] == 0
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass, "add_household", {"unit": "1-1-101", "config_entry_id": "nope"}
        )
    assert err.value.translation_key == "unknown_community"
    await hass.config_entries.async_unload(other.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "add_household",
            {"unit": "1-1-102", "config_entry_id": other.entry_id},
        )
    assert err.value.translation_key == "community_not_loaded"


async def test_no_community(hass: HomeAssistant, config_entry: MockConfigEntry) -> None:
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.config_entries.async_unload(config_entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "add_household", {"unit": "1-1-101"})
    assert err.value.translation_key == "no_community"
