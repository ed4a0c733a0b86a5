"""Accompanied viewers (看楼人员由售房人员陪同) and official group visits."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.community_access.core.storage import AuditQuery
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from tests.helpers import call, present

from .common import UNIT, Site, make_site

STAFF_CARD = "0077001122"


async def _staff(hass: HomeAssistant) -> int:
    person = await call(
        hass,
        "add_person",
        {"name": "李销售", "role": "staff", "id_number": "11010519491231002X"},
    )
    assert isinstance(person, dict)
    await call(
        hass,
        "issue_card",
        {"person_id": person["person_id"], "card_number": STAFF_CARD},
    )
    return int(person["person_id"])


async def _viewer_pin(hass: HomeAssistant, staff: int) -> str:
    visit = await call(
        hass,
        "preregister_visitor",
        {
            "unit": UNIT,
            "name": "看房客",
            "phone": "13900002222",
            "arrival_from": "2026-06-01T09:30:00+08:00",
            "arrival_until": "2026-06-01T12:00:00+08:00",
            "multiple_entries": True,
            "escort_person_id": staff,
        },
    )
    assert isinstance(visit, dict) and visit["escort_person_id"] == staff
    checked_in = await call(hass, "check_in_visitor", {"code": visit["code"]})
    assert isinstance(checked_in, dict)
    return str(checked_in["code"])


async def test_viewer_needs_the_staff_member(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await make_site(hass, freezer)
    staff = await _staff(hass)
    pin = await _viewer_pin(hass, staff)
    alone = await present(hass, "Main gate", pin, "pin")
    assert (alone["granted"], alone["reason"]) == (False, "not_accompanied")
    assert (await present(hass, "Main gate", STAFF_CARD))["granted"] is True
    freezer.tick(timedelta(minutes=9))
    together = await present(hass, "Main gate", pin, "pin")
    assert together["granted"] is True
    # The staff member's entry at the gate does not open the building for them.
    building = await present(hass, "Building 3 door", pin, "pin")
    assert (building["granted"], building["reason"]) == (False, "not_accompanied")
    # Kept over a restart: the entry is read back from the access record.
    entry = hass.config_entries.async_loaded_entries("community_access")[0]
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert (await present(hass, "Main gate", pin, "pin"))["granted"] is True


async def test_viewer_refused_eleven_minutes_later(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await make_site(hass, freezer)
    staff = await _staff(hass)
    pin = await _viewer_pin(hass, staff)
    assert (await present(hass, "Main gate", STAFF_CARD))["granted"] is True
    freezer.tick(timedelta(minutes=11))
    late = await present(hass, "Main gate", pin, "pin")
    assert (late["granted"], late["reason"]) == (False, "not_accompanied")


async def test_escort_must_be_staff(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    site = await make_site(hass, freezer)
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "preregister_visitor",
            {
                "unit": UNIT,
                "name": "看房客",
                "phone": "13900002222",
                "arrival_from": "2026-06-01T09:30:00+08:00",
                "arrival_until": "2026-06-01T12:00:00+08:00",
                "escort_person_id": site.ids["resident"]["person_id"],
            },
        )
    assert err.value.translation_key == "escort_not_staff"


async def _group(site: Site, who: str, **extra: object) -> dict:
    result = await site.call(
        who,
        "record_group_visit",
        organisation="街道办事处",
        people=8,
        **extra,
    )
    assert isinstance(result, dict)
    return result


async def test_group_visit_recorded_and_listed(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    site = await make_site(hass, freezer)
    staff = await _staff(hass)
    first = await _group(
        site, "guard", host_person_id=staff, door="Main gate", note="检查消防通道"
    )
    assert first["host"] == "李销售" and first["door"] == "Main gate"
    await hass.async_block_till_done()
    # The door opened for the group: a remote open naming the group visit.
    community = site.entry.runtime_data.community
    records = await community.query_access_log(AuditQuery(door_id="door_gate"))
    assert [(r.reason, r.note, r.actor) for r in records] == [
        (
            "remote_open",
            f"group_visit:{first['group_visit_id']}",
            site.users["guard"].id,
        )
    ]
    freezer.tick(timedelta(minutes=30))
    second = await _group(site, "admin", host="物业前台")
    listed = await site.call("admin", "list_group_visits")
    assert isinstance(listed, dict)
    assert [v["group_visit_id"] for v in listed["group_visits"]] == [
        second["group_visit_id"],
        first["group_visit_id"],
    ]
    assert listed["group_visits"][1]["people"] == 8
    early = await site.call(
        "admin", "list_group_visits", end="2026-06-01T10:10:00+08:00"
    )
    assert isinstance(early, dict) and early["count"] == 1
    # Residents and plain users may not record; only admins list.
    for who in ("resident", "plain"):
        with pytest.raises(Unauthorized):
            await _group(site, who)
    for who in ("guard", "resident"):
        with pytest.raises(Unauthorized):
            await site.call(who, "list_group_visits")
    with pytest.raises(ServiceValidationError) as err:
        await _group(site, "guard", host_person_id=site.ids["resident"]["person_id"])
    assert err.value.translation_key == "host_not_staff"
