"""Patrols while a door is faulty, patrol points, and regular inspections (real HA)."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.community_access.const import (
    DOMAIN,
    EVENT_PATROL_DUE,
    EVENT_PATROL_RECORDED,
)
from custom_components.community_access.logbook import describe_event
from homeassistant.auth.models import User
from homeassistant.components.todo import DOMAIN as TODO_DOMAIN
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from tests.conftest import doors_with, make_entry
from tests.helpers import CARD, ID_NUMBER, call, present, setup_community, template_lock

from .upkeep_common import OPTIONS, messages, upkeep_entry

TODO = "todo.sunny_gardens_maintenance"
SENSOR = "sensor.sunny_gardens_open_faults"


async def tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, **delta: float
) -> None:
    """Let time pass (whole minutes, as the minute tick sees it)."""
    freezer.tick(timedelta(**delta))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def test_reminders_every_interval_until_the_fault_closes(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to("2026-12-01T08:00:00+00:00")
    guard_desk = async_mock_service(hass, "notify", "guard_desk")
    async_mock_service(hass, "notify", "maintenance")
    await upkeep_entry(hass, {"patrol_interval_minutes": 30})
    due = async_capture_events(hass, EVENT_PATROL_DUE)
    fault = await call(hass, "report_fault", {"door": "Gym", "description": "Jammed"})

    await tick(hass, freezer, minutes=29)
    assert due == []
    await tick(hass, freezer, minutes=1)
    assert [e.data["door"] for e in due] == ["Gym"]
    assert messages(guard_desk) == ["Please patrol the faulty door Gym."]
    await tick(hass, freezer, minutes=30)
    assert len(due) == 2

    # A patrol at the door puts the next reminder off by a full interval.
    await call(hass, "record_patrol", {"door": "Gym", "note": "Door held by hand"})
    await tick(hass, freezer, minutes=20)
    assert len(due) == 2
    attributes = hass.states.get(SENSOR).attributes
    assert hass.states.get(SENSOR).state == "1"
    assert attributes["doors"]["Gym"]["last_patrol"] is not None
    await tick(hass, freezer, minutes=10)
    assert len(due) == 3

    await call(hass, "update_fault", {"fault_id": fault["fault_id"], "status": "fixed"})
    await tick(hass, freezer, minutes=90)
    assert len(due) == 3
    assert len(guard_desk) == 3
    assert hass.states.get(SENSOR).state == "0"


async def test_reminders_kept_over_a_restart(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to("2026-12-01T08:00:00+00:00")
    async_mock_service(hass, "notify", "guard_desk")
    async_mock_service(hass, "notify", "maintenance")
    entry = await upkeep_entry(hass, {"patrol_interval_minutes": 15})
    await call(hass, "report_fault", {"door": "Gym", "description": "Jammed"})
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    due = async_capture_events(hass, EVENT_PATROL_DUE)
    await tick(hass, freezer, minutes=15)
    assert [e.data["door_id"] for e in due] == ["door_gym"]


async def test_record_patrol_by_guard_and_admin_not_others(
    hass: HomeAssistant, hass_read_only_user: User
) -> None:
    guard = await hass.auth.async_create_user("Guard", group_ids=["system-users"])
    await upkeep_entry(hass, {"guard_users": [guard.id]})
    await call(hass, "add_household", {"unit": "3-2-501"})
    recorded = async_capture_events(hass, EVENT_PATROL_RECORDED)
    by_guard = await call(
        hass,
        "record_patrol",
        {"checkpoint": "Bicycle shed", "note": "All quiet"},
        context=Context(user_id=guard.id),
    )
    assert by_guard["checkpoint"] == "Bicycle shed" and by_guard["source"] == "manual"
    assert isinstance(by_guard["id"], int)
    await call(hass, "record_patrol", {"door": "Main gate"})
    with pytest.raises(Unauthorized):
        await call(
            hass,
            "record_patrol",
            {"door": "Main gate"},
            context=Context(user_id=hass_read_only_user.id),
        )
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "record_patrol", {"note": "nowhere"})
    assert err.value.translation_key == "patrol_needs_place"
    owner = await call(
        hass,
        "add_person",
        {"name": "赵磊", "role": "owner", "unit": "3-2-501", "id_number": ID_NUMBER},
    )
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "record_patrol", {"door": "Gym", "guard": owner["person_id"]})
    assert err.value.translation_key == "patrol_not_staff"
    assert len(recorded) == 2
    listed = await call(hass, "list_patrols", {"door": "Main gate"})
    assert [p["door_id"] for p in listed["patrols"]] == ["door_gate"]
    everything = await call(hass, "list_patrols", {"kind": "patrol"})
    assert everything["count"] == 2


async def _staff_card(hass: HomeAssistant) -> int:
    person = await call(
        hass, "add_person", {"name": "王保安", "role": "staff", "id_number": ID_NUMBER}
    )
    await call(
        hass, "issue_card", {"person_id": person["person_id"], "card_number": CARD}
    )
    return int(person["person_id"])


async def test_staff_card_at_a_patrol_point_records_a_patrol(
    hass: HomeAssistant,
) -> None:
    entry = await upkeep_entry(hass, patrol_point="door_gate")
    person_id = await _staff_card(hass)
    operator = entry.runtime_data.doors["door_gate"]
    assert operator.state == "locked"

    response = await present(hass, "Main gate")
    await hass.async_block_till_done()
    assert (response["granted"], response["reason"]) == (False, "patrol")
    assert operator.state == "locked"
    listed = await call(hass, "list_patrols", {})
    assert [(p["door_id"], p["source"], p["person_id"]) for p in listed["patrols"]] == [
        ("door_gate", "card", person_id)
    ]
    # The same card at a door that is no patrol point is an ordinary access.
    elsewhere = await present(hass, "Gym")
    assert elsewhere["reason"] != "patrol"


async def test_resident_card_at_a_patrol_point_is_an_entry(
    hass: HomeAssistant,
) -> None:
    await upkeep_entry(hass, patrol_point="door_gate")
    await call(hass, "add_household", {"unit": "3-2-501"})
    person = await call(
        hass,
        "add_person",
        {"unit": "3-2-501", "name": "赵磊", "role": "owner", "id_number": ID_NUMBER},
    )
    await call(
        hass, "issue_card", {"person_id": person["person_id"], "card_number": CARD}
    )
    response = await present(hass, "Main gate")
    assert (response["granted"], response["reason"]) == (True, "granted")
    assert (await call(hass, "list_patrols", {}))["count"] == 0


async def todo_uids(hass: HomeAssistant) -> list[str]:
    result = await hass.services.async_call(
        TODO_DOMAIN,
        "get_items",
        {},
        target={"entity_id": TODO},
        blocking=True,
        return_response=True,
    )
    return [item["uid"] for item in result[TODO]["items"]]


async def test_inspections_due_overdue_and_recorded(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to("2026-12-01T08:00:00+00:00")
    async_mock_service(hass, "notify", "maintenance")
    entry: MockConfigEntry = await upkeep_entry(hass, {"inspection_days": 30})
    issues = ir.async_get(hass)
    assert await todo_uids(hass) == []

    await tick(hass, freezer, days=30)
    assert sorted(await todo_uids(hass)) == sorted(
        f"inspection_{door}" for door in entry.runtime_data.doors
    )
    assert issues.async_get_issue(DOMAIN, "inspection_overdue_door_gate") is None

    await tick(hass, freezer, days=7)
    assert issues.async_get_issue(DOMAIN, "inspection_overdue_door_gate") is not None

    await call(hass, "record_inspection", {"door": "Main gate", "result": "ok"})
    assert issues.async_get_issue(DOMAIN, "inspection_overdue_door_gate") is None
    assert "inspection_door_gate" not in await todo_uids(hass)
    assert issues.async_get_issue(DOMAIN, "inspection_overdue_door_gym") is not None

    await call(
        hass,
        "record_inspection",
        {"door": "Gym", "result": "faulty", "note": "Hinge loose"},
    )
    faults = entry.runtime_data.ops.faults
    assert faults is not None
    assert [(f.door_id, f.cause.value) for f in faults.book.open.values()] == [
        ("door_gym", "inspection")
    ]
    uids = await todo_uids(hass)
    assert "inspection_door_gym" not in uids
    assert any(uid.startswith("fault_") for uid in uids)
    inspections = await call(hass, "list_patrols", {"kind": "inspection"})
    assert [p["result"] for p in inspections["patrols"]] == ["faulty", "ok"]

    # Kept over a restart: the last inspection still counts.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert "inspection_door_gate" not in await todo_uids(hass)
    assert issues.async_get_issue(DOMAIN, "inspection_overdue_door_b1") is not None


async def test_patrol_reminder_blueprint(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to("2026-12-01T08:00:00+00:00")
    phone = async_mock_service(hass, "notify", "mobile_app_guard")
    async_mock_service(hass, "notify", "guard_desk")
    async_mock_service(hass, "notify", "maintenance")
    await upkeep_entry(hass, {"patrol_interval_minutes": 10})
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": f"{DOMAIN}/patrol_reminder.yaml",
                    "input": {"notify_service": "notify.mobile_app_guard"},
                }
            }
        },
    )
    await hass.async_block_till_done()
    await call(hass, "report_fault", {"door": "Main gate", "description": "Stuck"})
    await tick(hass, freezer, minutes=10)
    await hass.async_block_till_done()
    assert messages(phone) == ["Please patrol the faulty door Main gate."]


async def test_patrol_at_an_escape_route_exit_still_opens(hass: HomeAssistant) -> None:
    lock = await template_lock(hass)
    doors = doors_with("door_b3", lock_entity=lock)
    doors.append(
        (
            "door_exit",
            "North exit",
            {
                "zone_kind": "gate",
                "direction": "out",
                "open_time": 5,
                "escape_route": True,
                "patrol_point": True,
            },
        )
    )
    entry = make_entry(doors=doors, options=OPTIONS)
    await setup_community(hass, entry)
    person_id = await _staff_card(hass)
    response = await present(hass, "North exit")
    await hass.async_block_till_done()
    assert (response["granted"], response["reason"], response["waived"]) == (
        True,
        "escape_route",
        "patrol",
    )
    listed = await call(hass, "list_patrols", {"door": "North exit"})
    assert [p["person_id"] for p in listed["patrols"]] == [person_id]


@pytest.mark.parametrize(
    ("event_type", "data", "language", "line"),
    [
        (
            EVENT_PATROL_DUE,
            {"door": "Gym", "door_id": "door_gym"},
            "en",
            ("Gym", "is due a patrol (faulty)"),
        ),
        (
            EVENT_PATROL_RECORDED,
            {"door": "Gym", "kind": "inspection", "result": "faulty"},
            "zh-Hans",
            ("Gym", "已巡检:故障"),
        ),
        (
            EVENT_PATROL_RECORDED,
            {"door": None, "checkpoint": "Bicycle shed", "kind": "patrol"},
            "en",
            ("Bicycle shed", "was patrolled"),
        ),
        (
            f"{DOMAIN}_maintenance",
            {
                "phase": "notice",
                "mode": "guard_only",
                "start": "2026-12-03T08:00:00+00:00",
                "end": "2026-12-03T10:00:00+00:00",
            },
            "zh-Hans",
            (
                "已通知住户设备维护",
                "2026-12-03 16:00 – 2026-12-03 18:00,暂停刷卡,由保安核实放行",
            ),
        ),
    ],
)
async def test_logbook_lines_of_patrols_and_maintenance(
    hass: HomeAssistant,
    event_type: str,
    data: dict,
    language: str,
    line: tuple[str, str],
) -> None:
    await hass.config.async_set_time_zone("Asia/Shanghai")
    hass.config.language = language
    assert describe_event(hass, event_type, data) == {
        "name": line[0],
        "message": line[1],
    }
