"""Planned maintenance windows in a real Home Assistant (提前告知)."""

from __future__ import annotations

from datetime import datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    async_mock_service,
)

from homeassistant.components.calendar import DOMAIN as CALENDAR_DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from tests.conftest import doors_with, make_entry
from tests.helpers import add_resident, call, present, setup_community

from .upkeep_common import OPTIONS, link_buildings, messages, upkeep_entry

START = "2026-12-03T08:00:00+00:00"
CALENDAR = "calendar.sunny_gardens_maintenance"


async def until(hass: HomeAssistant, freezer: FrozenDateTimeFactory, at: str) -> None:
    """Move the clock to ``at`` and let the timers run."""
    freezer.move_to(at)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


def at(hours: float) -> str:
    """``START`` plus hours, as ISO text."""
    start = dt_util.parse_datetime(START)
    assert start is not None
    return (start + timedelta(hours=hours)).isoformat()


async def schedule(hass: HomeAssistant, door: str, mode: str, **extra: str) -> dict:
    response = await call(
        hass,
        "schedule_maintenance",
        {"doors": [door], "start": START, "end": at(2), "mode": mode, **extra},
    )
    assert isinstance(response, dict)
    return response


async def records(hass: HomeAssistant, door: str) -> list[tuple[bool, str]]:
    log = await call(hass, "query_access_log", {"door": door})
    return [(r["granted"], r["reason"]) for r in log["records"]]


async def test_notice_sent_hours_before_to_the_building(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(at(-48))
    board = async_mock_service(hass, "notify", "notice_board")
    b3 = async_mock_service(hass, "notify", "b3_phone")
    b1 = async_mock_service(hass, "notify", "b1_phone")
    entry = await upkeep_entry(hass, {"maintenance_notice_hours": 24})
    await link_buildings(hass, entry)
    window = await schedule(
        hass, "Building 3 door", "guard_only", message="Reader replaced"
    )
    assert window["notified"] is False

    await until(hass, freezer, at(-24.02))
    assert b3 == [] and board == []
    await until(hass, freezer, at(-24))
    assert len(b3) == 1 and len(board) == 1 and b1 == []
    text = messages(b3)[0]
    assert "Building 3 door" in text and "Reader replaced" in text

    events = await hass.services.async_call(
        CALENDAR_DOMAIN,
        "get_events",
        {"start_date_time": at(-1), "end_date_time": at(3)},
        target={"entity_id": CALENDAR},
        blocking=True,
        return_response=True,
    )
    (event,) = events[CALENDAR]["events"]
    assert "Building 3 door" in event["summary"]
    assert dt_util.parse_datetime(event["start"]) == dt_util.parse_datetime(START)

    # Restarting does not send the notice again.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await until(hass, freezer, at(-1))
    assert len(b3) == 1


async def test_open_mode_holds_the_door_and_records_maintenance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(at(-1))
    entry = await upkeep_entry(hass)
    await add_resident(hass)
    operator = entry.runtime_data.doors["door_gate"]
    await schedule(hass, "Main gate", "open")
    assert operator.state == "locked"

    await until(hass, freezer, START)
    assert operator.state == "unlocked"
    response = await present(hass, "Main gate", "0099999999")
    assert (response["granted"], response["reason"]) == (True, "maintenance")
    # Held: the open time passing (or a presentation's opening) does not relock.
    await until(hass, freezer, at(0.5))
    assert operator.state == "unlocked"
    assert await records(hass, "Main gate") == [(True, "maintenance")]

    await until(hass, freezer, at(2))
    assert operator.state == "locked"
    after = await present(hass, "Main gate")
    assert (after["granted"], after["reason"]) == (True, "granted")
    unknown = await present(hass, "Main gate", "0099999999")
    assert unknown["reason"] == "unknown_credential"


async def test_guard_only_refuses_cards_guard_lets_in(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(at(-1))
    await upkeep_entry(hass)
    resident = await add_resident(hass)
    await schedule(hass, "Main gate", "guard_only")
    await until(hass, freezer, at(0.1))
    refused = await present(hass, "Main gate")
    assert (refused["granted"], refused["reason"]) == (False, "maintenance")
    other_door = await present(hass, "Building 3 door")
    assert other_door["reason"] == "granted"
    guard = await call(
        hass,
        "guard_verified_entry",
        {"door": "Main gate", "unit": "3-2-501", "person_id": resident["person_id"]},
    )
    assert guard["granted"] is True
    await until(hass, freezer, at(2.1))
    again = await present(hass, "Main gate")
    assert (again["granted"], again["reason"]) == (True, "granted")


async def test_window_kept_over_a_restart_and_cancelled(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(at(-1))
    entry: MockConfigEntry = await upkeep_entry(hass)
    window = await schedule(hass, "Gym", "open")
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await until(hass, freezer, at(0.5))
    operator = entry.runtime_data.doors["door_gym"]
    assert operator.state == "unlocked"
    # Reloaded in the window: the door is held again.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    operator = entry.runtime_data.doors["door_gym"]
    assert operator.state == "unlocked"

    listed = await call(hass, "list_maintenance", {})
    assert [(w["window_id"], w["mode"]) for w in listed["windows"]] == [
        (window["window_id"], "open")
    ]
    cancelled = await call(
        hass, "cancel_maintenance", {"window_id": window["window_id"]}
    )
    assert cancelled["cancelled"] is True
    assert operator.state == "locked"
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "cancel_maintenance", {"window_id": window["window_id"]})
    assert err.value.translation_key == "unknown_maintenance"
    assert (await call(hass, "list_maintenance", {}))["count"] == 0


async def test_bad_windows_refused(hass: HomeAssistant) -> None:
    await upkeep_entry(hass)
    now: datetime = dt_util.utcnow()
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "schedule_maintenance",
            {
                "doors": ["Gym"],
                "start": (now + timedelta(hours=2)).isoformat(),
                "end": (now + timedelta(hours=1)).isoformat(),
            },
        )
    assert err.value.translation_key == "invalid_time_range"
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "schedule_maintenance",
            {
                "doors": ["Nowhere"],
                "start": (now + timedelta(hours=1)).isoformat(),
                "end": (now + timedelta(hours=2)).isoformat(),
            },
        )
    assert err.value.translation_key == "unknown_door"


async def test_a_bound_lock_held_open_is_locked_after_a_window_that_ended_while_down(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(at(-1))
    await hass.config.async_set_time_zone("Asia/Shanghai")
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "lock": [
                        {
                            "name": "Front lock",
                            "state": "{{ true }}",
                            "lock": [{"event": "front_lock_locked"}],
                            "unlock": [{"event": "front_lock_unlocked"}],
                        }
                    ]
                }
            ]
        },
    )
    await hass.async_block_till_done()
    unlocked = async_capture_events(hass, "front_lock_unlocked")
    locked = async_capture_events(hass, "front_lock_locked")
    entry = make_entry(
        doors=doors_with("door_b3", lock_entity="lock.front_lock"), options=OPTIONS
    )
    await setup_community(hass, entry)
    await schedule(hass, "Building 3 door", "open")
    await until(hass, freezer, at(0.1))
    assert len(unlocked) == 1 and locked == []
    # Held: the open time passing does not lock it again.
    await until(hass, freezer, at(0.2))
    assert locked == []

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    freezer.move_to(at(3))
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert len(locked) == 1
    assert entry.runtime_data.ops.maintenance is not None
    assert entry.runtime_data.ops.maintenance.held == set()
