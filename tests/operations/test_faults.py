"""Faults in a real Home Assistant: opened by a lock going away, repaired, published."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_mock_service,
)

from custom_components.community_access import lock_codes
from custom_components.community_access.const import (
    DOMAIN,
    EVENT_FAULT_OPENED,
    EVENT_FAULT_UPDATED,
    SUBENTRY_SERIAL_LINE,
)
from custom_components.community_access.logbook import describe_event
from homeassistant.auth.models import User
from homeassistant.components.calendar import DOMAIN as CALENDAR_DOMAIN
from homeassistant.components.todo import DOMAIN as TODO_DOMAIN
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from tests.conftest import doors_with, make_entry
from tests.helpers import ID_NUMBER, call, setup_community, subentry, unload_lines
from tests.ptys import PtyDevice, wait_for
from tests.test_osdp_ha import Setup, Wire, setup_osdp, wire  # noqa: F401 (fixtures)
from tests.zha_lock_harness import DoorLockSimulator, ZhaLockEnv

from .upkeep_common import OPTIONS, link_buildings, messages, upkeep_entry

LOCK = "lock.front_lock"
TODO = "todo.sunny_gardens_maintenance"
CALENDAR = "calendar.sunny_gardens_maintenance"


def open_faults(entry: MockConfigEntry) -> list:
    desk = entry.runtime_data.ops.faults
    assert desk is not None
    return list(desk.book.open.values())


async def todo_items(hass: HomeAssistant) -> list[dict]:
    result = await hass.services.async_call(
        TODO_DOMAIN,
        "get_items",
        {},
        target={"entity_id": TODO},
        blocking=True,
        return_response=True,
    )
    return list(result[TODO]["items"])


async def test_lock_unavailable_opens_one_fault_recovery_closes_it(
    hass: HomeAssistant,
) -> None:
    maintenance = async_mock_service(hass, "notify", "maintenance")
    async_mock_service(hass, "notify", "notice_board")
    entry = await upkeep_entry(hass)
    opened = async_capture_events(hass, EVENT_FAULT_OPENED)
    assert open_faults(entry) == []

    hass.states.async_set(LOCK, "unavailable")
    await hass.async_block_till_done()
    hass.states.async_set(LOCK, "unavailable", {"changed": True})
    await hass.async_block_till_done()
    faults = open_faults(entry)
    assert [(f.door_id, f.cause.value, f.status.value) for f in faults] == [
        ("door_b3", "lock_unavailable", "reported")
    ]
    assert len(opened) == 1 and opened[0].data["device"] == "Building 3 door"
    assert len(maintenance) == 1
    assert "Building 3 door" in messages(maintenance)[0]

    hass.states.async_set(LOCK, "locked")
    await hass.async_block_till_done()
    assert open_faults(entry) == []

    # Once a repair has started, the lock coming back does not close the fault.
    hass.states.async_set(LOCK, "unavailable")
    await hass.async_block_till_done()
    (fault,) = open_faults(entry)
    await call(hass, "update_fault", {"fault_id": fault.id, "status": "dispatched"})
    hass.states.async_set(LOCK, "locked")
    await hass.async_block_till_done()
    assert [f.status.value for f in open_faults(entry)] == ["dispatched"]
    await call(hass, "update_fault", {"fault_id": fault.id, "status": "fixed"})
    assert open_faults(entry) == []


async def test_progress_published_to_the_building_only(hass: HomeAssistant) -> None:
    board = async_mock_service(hass, "notify", "notice_board")
    b3 = async_mock_service(hass, "notify", "b3_phone")
    b1 = async_mock_service(hass, "notify", "b1_phone")
    async_mock_service(hass, "notify", "maintenance")
    entry = await upkeep_entry(hass)
    await link_buildings(hass, entry)
    updated = async_capture_events(hass, EVENT_FAULT_UPDATED)

    fault = await call(
        hass,
        "report_fault",
        {
            "door": "Building 3 door",
            "description": "Reader dark",
            "reported_by": "Desk",
        },
    )
    assert fault["new"] is True and fault["status"] == "reported"
    expected = dt_util.now() + timedelta(days=1)
    await call(
        hass,
        "update_fault",
        {
            "fault_id": fault["fault_id"],
            "status": "dispatched",
            "note": "Repairer comes at 14:00",
            "expected_completion": expected.isoformat(),
        },
    )
    assert len(b3) == 1 and "Repairer comes at 14:00" in messages(b3)[0]
    assert "Building 3 door" in messages(b3)[0]
    assert len(board) == 1
    assert b1 == []
    assert updated[-1].data["status"] == "dispatched"
    assert updated[-1].data["note"] == "Repairer comes at 14:00"
    assert "description" not in updated[-1].data

    # The to-do list shows the fault; the calendar its expected completion.
    items = await todo_items(hass)
    assert [i["uid"] for i in items if i["uid"].startswith("fault_")] == [
        f"fault_{fault['fault_id']}"
    ]
    assert "Building 3 door" in items[0]["summary"]
    events = await hass.services.async_call(
        CALENDAR_DOMAIN,
        "get_events",
        {
            "start_date_time": dt_util.now(),
            "end_date_time": dt_util.now() + timedelta(days=2),
        },
        target={"entity_id": CALENDAR},
        blocking=True,
        return_response=True,
    )
    (event,) = events[CALENDAR]["events"]
    assert "Building 3 door" in event["summary"]
    start = dt_util.parse_datetime(event["start"])
    assert start is not None and abs(start - expected) < timedelta(seconds=1)

    await call(hass, "update_fault", {"fault_id": fault["fault_id"], "status": "fixed"})
    assert len(b3) == 2 and b1 == []
    assert [i for i in await todo_items(hass) if i["uid"].startswith("fault_")] == []


async def test_bad_transitions_refused_translated(hass: HomeAssistant) -> None:
    async_mock_service(hass, "notify", "maintenance")
    async_mock_service(hass, "notify", "notice_board")
    await upkeep_entry(hass)
    fault = await call(
        hass, "report_fault", {"device": "Gate intercom", "description": "No sound"}
    )
    await call(
        hass, "update_fault", {"fault_id": fault["fault_id"], "status": "in_repair"}
    )
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "update_fault",
            {"fault_id": fault["fault_id"], "status": "dispatched"},
        )
    assert err.value.translation_key == "fault_bad_transition"
    await call(hass, "update_fault", {"fault_id": fault["fault_id"], "status": "fixed"})
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "update_fault",
            {"fault_id": fault["fault_id"], "status": "dispatched"},
        )
    assert err.value.translation_key == "fault_closed"
    assert "closed" in str(err.value)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "report_fault", {"description": "Somewhere"})
    assert err.value.translation_key == "fault_needs_device"
    listed = await call(hass, "list_faults", {"include_closed": True})
    assert [f["status"] for f in listed["faults"]] == ["fixed"]


async def test_report_fault_by_guard_not_by_others(
    hass: HomeAssistant, hass_read_only_user: User
) -> None:
    async_mock_service(hass, "notify", "maintenance")
    guard = await hass.auth.async_create_user("Guard", group_ids=["system-users"])
    entry = await upkeep_entry(hass, {"guard_users": [guard.id]})
    fault = await call(
        hass,
        "report_fault",
        {"door": "Main gate", "description": "Barrier stuck"},
        context=Context(user_id=guard.id),
    )
    assert fault["door_id"] == "door_gate"
    again = await call(
        hass,
        "report_fault",
        {"door": "Main gate", "description": "Still stuck"},
        context=Context(user_id=guard.id),
    )
    assert again["new"] is False and again["fault_id"] == fault["fault_id"]
    with pytest.raises(Unauthorized):
        await call(
            hass,
            "report_fault",
            {"door": "Main gate", "description": "x"},
            context=Context(user_id=hass_read_only_user.id),
        )
    assert len(open_faults(entry)) == 1


ADMIN_CALLS = {
    "update_fault": {"fault_id": 1, "status": "fixed"},
    "list_faults": {},
    "list_patrols": {},
    "record_inspection": {"door": "Main gate", "result": "ok"},
    "schedule_maintenance": {
        "doors": ["Main gate"],
        "start": "2030-01-01T08:00:00",
        "end": "2030-01-01T10:00:00",
    },
    "cancel_maintenance": {"window_id": 1},
    "list_maintenance": {},
}


@pytest.mark.parametrize("service", list(ADMIN_CALLS))
async def test_admin_services_refuse_others(
    hass: HomeAssistant, hass_read_only_user: User, service: str
) -> None:
    guard = await hass.auth.async_create_user("Guard", group_ids=["system-users"])
    await upkeep_entry(hass, {"guard_users": [guard.id]})
    for user in (hass_read_only_user, guard):
        with pytest.raises(Unauthorized):
            await call(
                hass, service, ADMIN_CALLS[service], context=Context(user_id=user.id)
            )


async def test_faults_kept_over_a_restart(hass: HomeAssistant) -> None:
    async_mock_service(hass, "notify", "maintenance")
    entry = await upkeep_entry(hass)
    fault = await call(hass, "report_fault", {"door": "Gym", "description": "Jammed"})
    await call(
        hass, "update_fault", {"fault_id": fault["fault_id"], "status": "in_repair"}
    )
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    (kept,) = open_faults(entry)
    assert (kept.id, kept.status.value, kept.door_id) == (
        fault["fault_id"],
        "in_repair",
        "door_gym",
    )


async def test_fault_progress_blueprint_notifies_the_chosen_service(
    hass: HomeAssistant,
) -> None:
    group = async_mock_service(hass, "notify", "residents_group")
    async_mock_service(hass, "notify", "maintenance")
    await upkeep_entry(hass)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": f"{DOMAIN}/fault_progress_residents.yaml",
                    "input": {
                        "notify_service": "notify.residents_group",
                        "statuses": ["in_repair", "fixed"],
                    },
                }
            }
        },
    )
    await hass.async_block_till_done()
    fault = await call(hass, "report_fault", {"door": "Gym", "description": "Jammed"})
    await call(
        hass, "update_fault", {"fault_id": fault["fault_id"], "status": "dispatched"}
    )
    await call(
        hass,
        "update_fault",
        {"fault_id": fault["fault_id"], "status": "in_repair", "note": "Parts ordered"},
    )
    await hass.async_block_till_done()
    assert messages(group) == ["Repair progress: Gym being repaired. Parts ordered"]


async def test_logbook_lines_name_devices_only(hass: HomeAssistant) -> None:
    async_mock_service(hass, "notify", "maintenance")
    await upkeep_entry(hass)
    opened = async_capture_events(hass, EVENT_FAULT_OPENED)
    updated = async_capture_events(hass, EVENT_FAULT_UPDATED)
    fault = await call(
        hass,
        "report_fault",
        {"door": "Gym", "description": "Jammed", "reported_by": "Desk 2"},
    )
    await call(
        hass,
        "update_fault",
        {"fault_id": fault["fault_id"], "status": "dispatched", "note": "On the way"},
    )
    line = describe_event(hass, EVENT_FAULT_OPENED, dict(opened[0].data))
    assert line == {"name": "Gym", "message": "fault: reported"}
    assert "Desk 2" not in str(opened[0].data) and "Jammed" not in str(opened[0].data)
    line = describe_event(hass, EVENT_FAULT_UPDATED, dict(updated[0].data))
    assert line == {
        "name": "Gym",
        "message": "repair: repairer dispatched (On the way)",
    }
    hass.config.language = "zh-Hans"
    line = describe_event(hass, EVENT_FAULT_UPDATED, dict(updated[0].data))
    assert line == {"name": "Gym", "message": "维修进度:已派维修人员(On the way)"}


async def test_serial_line_unplugged_opens_a_fault(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    async_mock_service(hass, "notify", "maintenance")
    link = tmp_path / "ttyUSB0"
    first = PtyDevice()
    link.symlink_to(first.path)
    second: PtyDevice | None = None
    line = {"port": str(link), "baudrate": 9600, "protocol": "lcus"}
    entry = make_entry(
        options=OPTIONS,
        extra_subentries=[
            subentry(
                SUBENTRY_SERIAL_LINE,
                "line1",
                "Line 1",
                line | {"door": "door_gate", "channel": 1},
            )
        ],
    )
    try:
        await setup_community(hass, entry)
        link.unlink()
        first.unplug()
        await wait_for(lambda: bool(open_faults(entry)))
        await hass.async_block_till_done()
        causes = sorted((f.device_id, f.cause.value) for f in open_faults(entry))
        # The line, and the relay door it drives (not bound to a lock: no lock fault).
        assert ("line1", "line_offline") in causes
        assert all(cause != "lock_unavailable" for _device, cause in causes)

        second = PtyDevice()
        link.symlink_to(second.path)
        await wait_for(lambda: not open_faults(entry))
        await unload_lines(hass, entry)
    finally:
        first.unplug()
        if second is not None:
            second.unplug()


async def test_osdp_reader_tamper_and_offline_open_faults(
    hass: HomeAssistant,
    wire: Wire,  # noqa: F811 (the OSDP tests' fixture)
    setup_osdp: Setup,  # noqa: F811
) -> None:
    await wire.start_pd()
    entry, _hub, reader = await setup_osdp()
    await wait_for(lambda: reader.online)
    assert open_faults(entry) == []

    wire.tell("lstat 1 0")
    await wait_for(lambda: bool(open_faults(entry)))
    await hass.async_block_till_done()
    assert [(f.device_id, f.door_id, f.cause.value) for f in open_faults(entry)] == [
        ("reader_b3", "door_b3", "tamper")
    ]

    wire.tell("mute")
    await wait_for(lambda: len(open_faults(entry)) == 2)
    await hass.async_block_till_done()
    assert "reader_offline" in {f.cause.value for f in open_faults(entry)}
    wire.tell("unmute")
    await wait_for(
        lambda: "reader_offline" not in {f.cause.value for f in open_faults(entry)}
    )


async def test_notices_in_the_community_language(hass: HomeAssistant) -> None:
    hass.config.language = "zh-Hans"
    maintenance = async_mock_service(hass, "notify", "maintenance")
    board = async_mock_service(hass, "notify", "notice_board")
    await upkeep_entry(hass)
    fault = await call(hass, "report_fault", {"door": "Gym", "description": "门卡失灵"})
    await call(
        hass,
        "update_fault",
        {"fault_id": fault["fault_id"], "status": "in_repair", "note": "已更换读卡器"},
    )
    assert messages(maintenance) == ["门禁设备故障:Gym(人工报修)。 门卡失灵"]
    assert messages(board) == ["维修进度:Gym维修中。 已更换读卡器"]


async def test_lock_code_sync_giving_up_opens_a_fault(
    hass: HomeAssistant,
    zha_lock: ZhaLockEnv,
    door_lock_sim: DoorLockSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lock_codes, "DEBOUNCE", 0.05)
    monkeypatch.setattr(
        lock_codes,
        "SYNCER_DEFAULTS",
        {"min_interval": 0.0, "backoff_base": 0.01, "backoff_cap": 0.05},
    )
    async_mock_service(hass, "notify", "maintenance")
    doors = doors_with("door_b3", lock_entity=zha_lock.entity_id, manage_codes=True)
    entry = make_entry(doors=doors, options=OPTIONS)
    await setup_community(hass, entry)
    codes = entry.runtime_data.lock_codes["door_b3"]
    await wait_for(lambda: (s := codes.status()) is not None and s.state == "in_sync")

    door_lock_sim.time_out(None)
    await call(hass, "add_household", {"unit": "3-2-501"})
    person = await call(
        hass,
        "add_person",
        {"unit": "3-2-501", "name": "赵磊", "role": "owner", "id_number": ID_NUMBER},
    )
    await call(
        hass,
        "add_credential",
        {"person_id": person["person_id"], "kind": "pin", "value": "583716"},
    )

    def sync_faults() -> list:
        return [f for f in open_faults(entry) if f.cause.value == "lock_sync_failed"]

    await wait_for(lambda: bool(sync_faults()), timeout=10)
    await hass.async_block_till_done()
    (fault,) = sync_faults()
    assert (fault.door_id, fault.device_name) == ("door_b3", "Building 3 door")

    door_lock_sim.release()
    await call(hass, "resync_lock_codes", {"door": "Building 3 door", "full": False})
    await wait_for(lambda: not sync_faults(), timeout=10)


async def test_a_device_back_while_stopped_closes_its_reported_fault(
    hass: HomeAssistant,
) -> None:
    async_mock_service(hass, "notify", "maintenance")
    entry = await upkeep_entry(hass)
    hass.states.async_set(LOCK, "unavailable")
    await hass.async_block_till_done()
    assert len(open_faults(entry)) == 1
    assert await hass.config_entries.async_unload(entry.entry_id)
    hass.states.async_set(LOCK, "locked")
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert open_faults(entry) == []
