"""Codes kept on a ZHA lock: the real ZHA integration, a simulated Door Lock.

The community's door "Building 3 door" is bound to the ZHA lock and keeps
its codes on it. The lock's memory is :class:`DoorLockSimulator`; every
Door Lock command it receives is recorded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.community_access import lock_codes
from custom_components.community_access.const import DOMAIN
from custom_components.community_access.core.storage import AuditQuery
from custom_components.community_access.diagnostics import (
    async_get_config_entry_diagnostics,
)
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import doors_with, make_entry
from .helpers import CARD, ID_NUMBER, call, setup_community, template_lock
from .test_visitors import VISITOR_ID
from .zha_lock_harness import DoorLockSimulator, ZhaLockEnv

DOOR = "door_b3"
SENSOR = "sensor.building_3_door_lock_codes"
ISSUE_UNMANAGED = f"lock_codes_unmanaged_{DOOR}"
ISSUE_FAILED = f"lock_codes_failed_{DOOR}"


@pytest.fixture
def door_lock_sim() -> DoorLockSimulator:
    """A small lock: 8 PIN users and 8 card users (so a full read-back is short)."""
    return DoorLockSimulator(lock_attributes={0x0012: 8, 0x0013: 8})


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """No rate limit and short back-off, so a test runs in a second."""
    monkeypatch.setattr(lock_codes, "DEBOUNCE", 0.05)
    monkeypatch.setattr(
        lock_codes,
        "SYNCER_DEFAULTS",
        {"min_interval": 0.0, "backoff_base": 0.01, "backoff_cap": 0.05},
    )


async def _until(
    hass: HomeAssistant, check: Callable[[], Any], timeout: float = 10.0
) -> None:
    """Wait until ``check()`` is true (the sync runs in the background)."""
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.02)
    await hass.async_block_till_done()


def _state(hass: HomeAssistant) -> str | None:
    state = hass.states.get(SENSOR)
    return None if state is None else state.state


async def _in_sync(hass: HomeAssistant) -> None:
    entry = next(iter(hass.config_entries.async_loaded_entries(DOMAIN)))
    codes = entry.runtime_data.lock_codes[DOOR]
    await _until(
        hass,
        lambda: (
            codes.status() is not None
            and codes.status().state == "in_sync"  # type: ignore[union-attr]
            and not codes._wake.is_set()
        ),
    )


async def _community(hass: HomeAssistant, env: ZhaLockEnv, **options: Any):
    doors = doors_with(DOOR, lock_entity=env.entity_id, manage_codes=True)
    entry = make_entry(doors=doors, options=options)
    await setup_community(hass, entry)
    await _in_sync(hass)
    return entry


async def _person(
    hass: HomeAssistant, unit: str, name: str, pin: str | None = None
) -> int:
    community = next(
        iter(hass.config_entries.async_loaded_entries(DOMAIN))
    ).runtime_data.community
    if community.index.household_by_unit(unit) is None:
        await call(hass, "add_household", {"unit": unit})
    person = await call(
        hass,
        "add_person",
        {"unit": unit, "name": name, "role": "owner", "id_number": ID_NUMBER},
    )
    person_id = int(person["person_id"])
    if pin is not None:
        await call(
            hass,
            "add_credential",
            {"person_id": person_id, "kind": "pin", "value": pin},
        )
    return person_id


async def test_initial_sync_and_one_change_one_command(
    hass: HomeAssistant, zha_lock: ZhaLockEnv, door_lock_sim: DoorLockSimulator
) -> None:
    await _community(hass, zha_lock)
    # First contact: capacity, then every slot read; nothing to write yet.
    names = door_lock_sim.command_names()
    assert names.count("get_pin_code") == 8
    assert names.count("get_rfid_code") == 8
    assert not [n for n in names if n.startswith(("set_", "clear_"))]
    assert _state(hass) == "in_sync"
    assert hass.states.get(SENSOR).attributes["pin_users"] == 8

    # Residents of building 3 go on the lock; building 1's do not.
    zhao = await _person(hass, "3-2-501", "赵磊", "583716")
    await _person(hass, "3-1-102", "钱芳", "790412")
    await _person(hass, "1-1-101", "孙悦", "613927")
    card = await call(
        hass, "issue_card", {"person_id": zhao, "card_number": "0012345678"}
    )
    await _in_sync(hass)
    assert sorted(door_lock_sim.pins().values()) == ["583716", "790412"]
    assert list(door_lock_sim.cards().values()) == ["12345678"]  # as normalized
    assert (
        len(set(door_lock_sim.pins()) | set(door_lock_sim.cards())) == 3
    )  # one user each

    # One change: exactly one command.
    door_lock_sim.reset_records()
    await _person(hass, "3-2-502", "李娜", "824693")
    await _in_sync(hass)
    assert door_lock_sim.command_names() == ["set_pin_code"]

    # A lost card is cleared, and before anything else sent in the same run.
    door_lock_sim.reset_records()
    await call(hass, "report_card_lost", {"credential_id": card["credential_id"]})
    await _person(hass, "3-2-503", "周敏", "357921")
    await _in_sync(hass)
    names = door_lock_sim.command_names()
    assert names[0] == "clear_rfid_code"
    assert names.count("set_pin_code") == 1
    assert door_lock_sim.cards() == {}
    assert sorted(door_lock_sim.pins().values()) == [
        "357921",
        "583716",
        "790412",
        "824693",
    ]

    # Diagnostics show slot states, never a code.
    entry = next(iter(hass.config_entries.async_loaded_entries(DOMAIN)))
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    (lock,) = diagnostics["lock_codes"]
    assert lock["state"] == "in_sync"
    assert lock["capacity"]["pin_users"] == 8
    assert sorted(row["state"] for row in lock["slots"].values()).count("synced") == 4
    text = str(diagnostics)
    assert "583716" not in text and "12345678" not in text

    # Suspending a person clears their PIN from the lock.
    door_lock_sim.reset_records()
    await call(hass, "set_person_status", {"person_id": zhao, "status": "suspended"})
    await _in_sync(hass)
    assert door_lock_sim.command_names() == ["clear_pin_code"]
    assert "583716" not in door_lock_sim.pins().values()


async def test_unmanaged_code_is_reported_never_touched_then_cleared(
    hass: HomeAssistant, zha_lock: ZhaLockEnv, door_lock_sim: DoorLockSimulator
) -> None:
    door_lock_sim.preload_pin(0, "2468013")
    await async_setup_component(hass, "repairs", {})
    await _community(hass, zha_lock)
    issue = ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_UNMANAGED)
    assert issue is not None
    assert issue.translation_placeholders["slots"] == "1"
    assert hass.states.get(SENSOR).attributes["unmanaged"] == 1

    await _person(hass, "3-2-501", "赵磊", "583716")
    await _in_sync(hass)
    assert door_lock_sim.pins()[0] == "2468013"  # not overwritten
    assert "583716" in door_lock_sim.pins().values()
    assert not any(
        c.name in ("set_pin_code", "clear_pin_code") and c.args.get("user_id") == 0
        for c in door_lock_sim.commands
    )

    # The repair: adopting an unknown code needs a person; clearing works.
    manager = repairs_flow_manager(hass)
    assert manager is not None
    flow = await manager.async_init(DOMAIN, data={"issue_id": ISSUE_UNMANAGED})
    assert flow["type"] is FlowResultType.FORM
    result = await manager.async_configure(
        flow["flow_id"], {"slot": "1", "action": "adopt"}
    )
    assert result["errors"] == {"base": "lock_code_not_known"}
    result = await manager.async_configure(
        flow["flow_id"], {"slot": "1", "action": "clear"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert 0 not in door_lock_sim.pins()
    await _in_sync(hass)
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_UNMANAGED) is None


async def test_adopt_an_unmanaged_code_for_a_person(
    hass: HomeAssistant, zha_lock: ZhaLockEnv, door_lock_sim: DoorLockSimulator
) -> None:
    door_lock_sim.preload_pin(2, "9081726")
    await _community(hass, zha_lock)
    person_id = await _person(hass, "3-2-501", "赵磊")
    response = await call(
        hass,
        "resolve_unmanaged_lock_code",
        {
            "door": "Building 3 door",
            "slot": 3,
            "action": "adopt",
            "person_id": person_id,
        },
    )
    assert response["unmanaged"] == 0
    await _in_sync(hass)
    community = next(
        iter(hass.config_entries.async_loaded_entries(DOMAIN))
    ).runtime_data.community
    pins = [
        c
        for c in community.index.credentials.values()
        if c.person_id == person_id and c.kind == "pin"
    ]
    assert len(pins) == 1
    assert door_lock_sim.pins()[2] == "9081726"  # kept where it was
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_UNMANAGED) is None

    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "resolve_unmanaged_lock_code",
            {"door": "Building 3 door", "slot": 3, "action": "clear"},
        )
    assert err.value.translation_key == "lock_slot_not_unmanaged"
    assert err.value.translation_placeholders["user_id"] == "3"


async def test_failing_lock_retries_raises_a_repair_then_recovers(
    hass: HomeAssistant, zha_lock: ZhaLockEnv, door_lock_sim: DoorLockSimulator
) -> None:
    await _community(hass, zha_lock)
    door_lock_sim.time_out(None)
    door_lock_sim.reset_records()
    await _person(hass, "3-2-501", "赵磊", "583716")
    await _until(hass, lambda: _state(hass) == "failed")
    attempts = door_lock_sim.command_names()
    # Each try is a write then a read-back to see whether it landed.
    assert attempts.count("set_pin_code") == 5
    assert attempts.count("get_pin_code") >= 4
    issue = ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_FAILED)
    assert issue is not None
    assert issue.translation_placeholders["count"] == "1"
    assert door_lock_sim.pins() == {}

    # While it does not answer, the service says so.
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "resync_lock_codes", {"door": "Building 3 door"})
    assert err.value.translation_key == "lock_codes_unreachable"

    door_lock_sim.release()
    response = await call(
        hass, "resync_lock_codes", {"door": "Building 3 door", "full": False}
    )
    assert response["state"] == "in_sync"
    assert response["failed"] == 0
    assert list(door_lock_sim.pins().values()) == ["583716"]
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_FAILED) is None


async def test_restart_in_the_middle_of_a_sync_resumes(
    hass: HomeAssistant, zha_lock: ZhaLockEnv, door_lock_sim: DoorLockSimulator
) -> None:
    entry = await _community(hass, zha_lock)
    door_lock_sim.delay = 0.05
    door_lock_sim.reset_records()
    pins = ["583716", "790412", "824693", "357921", "613927", "246813"]
    await call(hass, "add_household", {"unit": "3-2-501"})
    for n, pin in enumerate(pins):
        person = await call(
            hass,
            "add_person",
            {"unit": "3-2-501", "name": f"住户{n}", "role": "family"},
        )
        await call(
            hass,
            "add_credential",
            {"person_id": person["person_id"], "kind": "pin", "value": pin},
        )
    # Stop Home Assistant's side while the lock is being written.
    await _until(hass, lambda: len(door_lock_sim.pins()) >= 2)
    assert await hass.config_entries.async_unload(entry.entry_id)
    written_before = len(door_lock_sim.pins())
    assert written_before < len(pins)

    door_lock_sim.delay = 0.0
    assert await hass.config_entries.async_setup(entry.entry_id)
    await _in_sync(hass)
    assert sorted(door_lock_sim.pins().values()) == sorted(pins)
    # No credential was written twice into two slots, and nothing was read
    # back in full again (the slot table survived the restart).
    writes = [c for c in door_lock_sim.commands if c.name == "set_pin_code"]
    assert len({c.args["user_id"] for c in writes}) == len(pins)
    assert len(writes) <= len(pins) + 1
    assert door_lock_sim.command_names().count("read_attributes") <= 1


async def test_visitor_pass_gets_a_year_day_schedule(
    hass: HomeAssistant, zha_lock: ZhaLockEnv, door_lock_sim: DoorLockSimulator
) -> None:
    await _community(hass, zha_lock)
    await _person(hass, "3-2-501", "赵磊")
    door_lock_sim.reset_records()
    visit = await call(
        hass,
        "register_visitor",
        {
            "unit": "3-2-501",
            "name": "钱多多",
            "id_number": VISITOR_ID,
            "phone": "13900001111",
            "expected_minutes": 60,
        },
    )
    approved = await call(hass, "approve_visitor", {"visit_id": visit["visit_id"]})
    await _in_sync(hass)
    names = door_lock_sim.command_names()
    assert names[0] == "set_pin_code"
    assert sorted(names[1:3]) == ["set_user_type", "set_year_day_schedule"]
    (user_id, code) = next(iter(door_lock_sim.pins().items()))
    assert code == approved["code"]
    assert door_lock_sim.users[user_id].user_type == 1  # year-day schedule user
    (start, end) = door_lock_sim.year_day[(0, user_id)]
    assert 3500 <= end - start <= 3700  # the visit's hour, in lock local seconds


async def test_events_at_the_lock_become_access_records(
    hass: HomeAssistant, zha_lock: ZhaLockEnv, door_lock_sim: DoorLockSimulator
) -> None:
    entry = await _community(hass, zha_lock)
    await _person(hass, "3-2-501", "赵磊", "583716")
    await _in_sync(hass)
    user_id = next(uid for uid, pin in door_lock_sim.pins().items() if pin == "583716")
    granted: list[Any] = []
    denied: list[Any] = []
    programmed: list[Any] = []
    hass.bus.async_listen(f"{DOMAIN}_access_granted", granted.append)
    hass.bus.async_listen(f"{DOMAIN}_access_denied", denied.append)
    hass.bus.async_listen(f"{DOMAIN}_lock_programmed", programmed.append)

    door_lock_sim.emit_operation_event(source=0, code=2, user_id=user_id, pin="583716")
    door_lock_sim.emit_operation_event(source=0, code=5, user_id=0xFF, pin="111111")
    await _until(hass, lambda: granted and denied)
    assert granted[0].data["person_name"] == "赵*"  # masked: every user reads events
    assert granted[0].data["unit"] == "3-2-501"
    assert granted[0].data["kind"] == "pin"
    assert granted[0].data["source"] == f"lock:{zha_lock.entity_id}"
    assert denied[0].data["reason"] == "unknown_credential"
    assert "583716" not in str(granted[0].data) and "111111" not in str(denied[0].data)
    records = await entry.runtime_data.community.query_access_log(
        AuditQuery(door_id=DOOR)
    )
    assert [(r.granted, r.person_name) for r in records][:2] in (
        [(False, None), (True, "赵磊")],
        [(True, "赵磊"), (False, None)],
    )

    # Somebody adds a PIN at the lock's own keypad: reported, then read back.
    door_lock_sim.reset_records()
    door_lock_sim.preload_pin(7, "1357924")
    door_lock_sim.emit_programming_event(source=0, code=3, user_id=7, pin="1357924")
    await _until(hass, lambda: programmed)
    assert programmed[0].data["slot"] == 8
    assert "1357924" not in str(programmed[0].data)
    await _until(
        hass, lambda: ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_UNMANAGED)
    )
    assert door_lock_sim.command_names().count("get_pin_code") == 8


async def test_lockout_follows_the_community_and_door_without_codes_refuses(
    hass: HomeAssistant, zha_lock: ZhaLockEnv, door_lock_sim: DoorLockSimulator
) -> None:
    await _community(hass, zha_lock, pin_attempts=3, pin_lockout_minutes=2)
    attributes = door_lock_sim.attributes[0x0101]
    assert attributes[0x0030] == 3
    assert attributes[0x0031] == 120
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "resync_lock_codes", {"door": "Main gate"})
    assert err.value.translation_key == "lock_codes_not_managed"


async def test_expired_temporary_pin_is_cleared_on_a_lock_without_schedules(
    hass: HomeAssistant, zha_lock: ZhaLockEnv, door_lock_sim: DoorLockSimulator
) -> None:
    door_lock_sim.attributes[0x0101][0x0015] = 0  # no year-day schedules
    await _community(hass, zha_lock)
    person_id = await _person(hass, "3-2-501", "赵磊")
    until = dt_util.utcnow() + timedelta(seconds=1)
    await call(
        hass,
        "add_credential",
        {
            "person_id": person_id,
            "kind": "pin",
            "value": "583716",
            "valid_until": until.isoformat(),
        },
    )
    await _in_sync(hass)
    assert list(door_lock_sim.pins().values()) == ["583716"]
    assert "set_year_day_schedule" not in door_lock_sim.command_names()
    # Its end time wakes the sync, which clears it.
    await _until(hass, lambda: not door_lock_sim.pins(), timeout=10)
    assert isinstance(until, datetime)


async def test_a_lock_that_is_not_zha_raises_a_repair(hass: HomeAssistant) -> None:
    lock = await template_lock(hass, unique_id="front_lock")
    doors = doors_with(DOOR, lock_entity=lock, manage_codes=True)
    entry = make_entry(doors=doors)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    issue_id = f"lock_codes_unsupported_{DOOR}"
    await _until(hass, lambda: ir.async_get(hass).async_get_issue(DOMAIN, issue_id))
    assert _state(hass) == "not_found"

    # The door no longer keeps codes: the issue goes with the reload.
    subentry = entry.subentries[DOOR]
    hass.config_entries.async_update_subentry(
        entry, subentry, data=dict(subentry.data) | {"manage_codes": False}
    )
    await _until(
        hass,
        lambda: (
            entry.state is ConfigEntryState.LOADED
            and ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
        ),
    )
    assert entry.runtime_data.lock_codes == {}


async def test_a_card_lost_during_a_long_run_is_cleared_next(
    hass: HomeAssistant, zha_lock: ZhaLockEnv, door_lock_sim: DoorLockSimulator
) -> None:
    """Clears go first in the queue, also when a run is already under way."""
    await _community(hass, zha_lock)
    zhao = await _person(hass, "3-2-501", "赵磊")
    card = await call(hass, "issue_card", {"person_id": zhao, "card_number": CARD})
    await _in_sync(hass)
    assert len(door_lock_sim.cards()) == 1

    door_lock_sim.delay = 0.05
    door_lock_sim.reset_records()
    pins = ["583716", "790412", "824693", "357921", "613927", "246813"]
    for n, pin in enumerate(pins):
        await _person(hass, "3-1-102", f"住户{n}", pin)
    await _until(hass, lambda: door_lock_sim.command_names().count("set_pin_code") >= 2)
    await call(hass, "report_card_lost", {"credential_id": card["credential_id"]})
    await _in_sync(hass)

    names = door_lock_sim.command_names()
    clear = names.index("clear_rfid_code")
    writes_after = names[clear:].count("set_pin_code")
    assert writes_after >= 2, names  # it did not wait for the end of the run
    assert door_lock_sim.cards() == {}
    assert sorted(door_lock_sim.pins().values()) == sorted(pins)


async def test_a_door_that_stops_keeping_codes_clears_them_from_the_lock(
    hass: HomeAssistant, zha_lock: ZhaLockEnv, door_lock_sim: DoorLockSimulator
) -> None:
    """Turned off, the lock must not keep admitting codes nobody syncs any more."""
    door_lock_sim.preload_pin(0, "2468013")
    entry = await _community(hass, zha_lock)
    await _person(hass, "3-2-501", "赵磊", "583716")
    await _person(hass, "3-2-502", "李娜", "824693")
    await _in_sync(hass)
    assert sorted(door_lock_sim.pins().values()) == ["2468013", "583716", "824693"]
    lock_id = entry.runtime_data.lock_codes[DOOR].syncer.lock_id

    door_lock_sim.reset_records()
    subentry = entry.subentries[DOOR]
    hass.config_entries.async_update_subentry(
        entry, subentry, data=dict(subentry.data) | {"manage_codes": False}
    )
    await _until(hass, lambda: entry.state is ConfigEntryState.LOADED)
    await _until(hass, lambda: door_lock_sim.pins() == {0: "2468013"})
    assert door_lock_sim.command_names().count("clear_pin_code") == 2
    assert entry.runtime_data.lock_codes == {}
    community = entry.runtime_data.community
    async with asyncio.timeout(5):
        while await community.run(community.db.lock_ids):
            await asyncio.sleep(0.05)
    assert await community.run(community.db.lock_slots, lock_id) == []
    assert await community.run(community.db.lock_meta, lock_id) is None


async def test_a_deleted_door_does_not_leave_its_codes_on_the_lock(
    hass: HomeAssistant, zha_lock: ZhaLockEnv, door_lock_sim: DoorLockSimulator
) -> None:
    """A lock no door names any more is cleared of our codes, then forgotten."""
    door_lock_sim.preload_pin(0, "2468013")
    entry = await _community(hass, zha_lock)
    await _person(hass, "3-2-501", "赵磊", "583716")
    await _in_sync(hass)
    lock_id = entry.runtime_data.lock_codes[DOOR].syncer.lock_id

    door_lock_sim.reset_records()
    hass.config_entries.async_remove_subentry(entry, DOOR)
    await _until(hass, lambda: entry.state is ConfigEntryState.LOADED)
    await _until(hass, lambda: door_lock_sim.pins() == {0: "2468013"})
    assert door_lock_sim.command_names() == ["clear_pin_code"]
    community = entry.runtime_data.community
    async with asyncio.timeout(5):
        while await community.run(community.db.lock_ids):
            await asyncio.sleep(0.05)
    assert await community.run(community.db.lock_slots, lock_id) == []


# ---- a resident's PIN that is already on the lock ("duplicate code", status 3)

PIN_ON_LOCK = "5730196"


def _codes(hass: HomeAssistant) -> lock_codes.LockCodes:
    entry = next(iter(hass.config_entries.async_loaded_entries(DOMAIN)))
    return entry.runtime_data.lock_codes[DOOR]


async def _run_settled(hass: HomeAssistant) -> None:
    """Wait until the worker has no run pending nor in progress."""
    codes = _codes(hass)
    await _until(hass, lambda: not codes._wake.is_set() and not codes._running)


class _Clock:
    """The syncer's clock, moved forward by the test (the loop's is not)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return dt_util.utcnow() + self.offset


async def _several_runs_and_time(hass: HomeAssistant, clock: _Clock) -> None:
    """Community changes, rechecks and hours passing: nothing may retry."""
    codes = _codes(hass)
    for _ in range(3):
        codes.async_request_sync()
        await _run_settled(hass)
    await _person(hass, "1-1-101", "孙悦", "613927")  # a change elsewhere
    await _run_settled(hass)
    for _ in range(3):
        clock.offset += timedelta(hours=7)
        # the worker's recheck timer (6 h) fires
        async_fire_time_changed(hass, dt_util.utcnow() + clock.offset)
        await _run_settled(hass)


def _duplicate_issue(hass: HomeAssistant, slot: int) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(
        DOMAIN, f"lock_codes_duplicate_{DOOR}_{slot}"
    )


async def test_pin_already_on_the_lock_is_reported_once_and_not_retried(
    hass: HomeAssistant,
    zha_lock: ZhaLockEnv,
    door_lock_sim: DoorLockSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The lock answers "duplicate": one attempt, one repair; cleared, it goes on."""
    clock = _Clock()
    monkeypatch.setitem(lock_codes.SYNCER_DEFAULTS, "clock", clock)
    door_lock_sim.preload_pin(0, PIN_ON_LOCK)
    await async_setup_component(hass, "repairs", {})
    await _community(hass, zha_lock)
    door_lock_sim.reset_records()
    await _person(hass, "3-2-501", "赵磊", PIN_ON_LOCK)
    await _until(hass, lambda: _state(hass) == "duplicate")
    await _run_settled(hass)
    writes = [c for c in door_lock_sim.commands if c.name == "set_pin_code"]
    assert len(writes) == 1
    assert writes[0].args["user_id"] == 1  # the first free slot

    # One repair for the slot, naming the door, the slots and the person.
    issue = _duplicate_issue(hass, 2)
    assert issue is not None
    assert issue.is_fixable
    assert issue.translation_key == "lock_codes_duplicate"
    assert issue.translation_placeholders == {
        "door": "Building 3 door",
        "lock": zha_lock.entity_id,
        "slot": "2",
        "person": "赵磊",
        "other_slot": "1",
    }
    assert PIN_ON_LOCK not in str(issue)
    assert hass.states.get(SENSOR).attributes["duplicate"] == 1
    # Not a failure: the lock answered, and retrying does not help.
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_FAILED) is None

    await _several_runs_and_time(hass, clock)
    assert door_lock_sim.command_names().count("set_pin_code") == 1
    assert len(door_lock_sim.commands) == 1  # nothing else went to the lock either
    assert _state(hass) == "duplicate"
    assert _duplicate_issue(hass, 2) is not None

    # The fix: clear the other slot (the existing unmanaged-code resolution).
    manager = repairs_flow_manager(hass)
    assert manager is not None
    flow = await manager.async_init(
        DOMAIN, data={"issue_id": f"lock_codes_duplicate_{DOOR}_2"}
    )
    assert flow["type"] is FlowResultType.FORM
    assert flow["step_id"] == "resolve"
    result = await manager.async_configure(flow["flow_id"], {"action": "clear_other"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await _in_sync(hass)
    assert door_lock_sim.pins() == {1: PIN_ON_LOCK}
    assert door_lock_sim.command_names().count("set_pin_code") == 2
    assert _duplicate_issue(hass, 2) is None
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_UNMANAGED) is None


async def test_duplicate_goes_when_the_resident_gets_another_pin(
    hass: HomeAssistant, zha_lock: ZhaLockEnv, door_lock_sim: DoorLockSimulator
) -> None:
    door_lock_sim.preload_pin(0, PIN_ON_LOCK)
    await _community(hass, zha_lock)
    zhao = await _person(hass, "3-2-501", "赵磊")
    old = await call(
        hass,
        "add_credential",
        {"person_id": zhao, "kind": "pin", "value": PIN_ON_LOCK},
    )
    await _until(hass, lambda: _state(hass) == "duplicate")
    assert _duplicate_issue(hass, 2) is not None

    await call(hass, "revoke_credential", {"credential_id": old["credential_id"]})
    await call(
        hass, "add_credential", {"person_id": zhao, "kind": "pin", "value": "583716"}
    )
    await _in_sync(hass)
    assert sorted(door_lock_sim.pins().values()) == [PIN_ON_LOCK, "583716"]
    assert door_lock_sim.pins()[0] == PIN_ON_LOCK  # never touched
    assert _duplicate_issue(hass, 2) is None


async def test_duplicate_of_a_code_the_lock_never_showed_offers_a_retry(
    hass: HomeAssistant, zha_lock: ZhaLockEnv, door_lock_sim: DoorLockSimulator
) -> None:
    """The other code is not in the read-back: retry once it is removed."""
    await async_setup_component(hass, "repairs", {})
    await _community(hass, zha_lock)
    # Entered at the keypad after the read-back, without an event.
    door_lock_sim.preload_pin(5, PIN_ON_LOCK)
    door_lock_sim.reset_records()
    await _person(hass, "3-2-501", "赵磊", PIN_ON_LOCK)
    await _until(hass, lambda: _state(hass) == "duplicate")
    issue = _duplicate_issue(hass, 1)
    assert issue is not None
    assert issue.translation_key == "lock_codes_duplicate_unknown"
    assert issue.translation_placeholders["person"] == "赵磊"
    assert "other_slot" not in issue.translation_placeholders
    codes = _codes(hass)
    for _ in range(3):
        codes.async_request_sync()
        await _run_settled(hass)
    assert door_lock_sim.command_names().count("set_pin_code") == 1

    manager = repairs_flow_manager(hass)
    assert manager is not None
    flow = await manager.async_init(
        DOMAIN, data={"issue_id": f"lock_codes_duplicate_{DOOR}_1"}
    )
    assert flow["step_id"] == "retry"
    del door_lock_sim.users[5]  # removed at the lock
    result = await manager.async_configure(flow["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await _in_sync(hass)
    assert door_lock_sim.pins() == {0: PIN_ON_LOCK}
    assert _duplicate_issue(hass, 1) is None


async def test_duplicate_resolved_by_adopting_the_other_code(
    hass: HomeAssistant, zha_lock: ZhaLockEnv, door_lock_sim: DoorLockSimulator
) -> None:
    """Adopted, the other slot is the resident's PIN; nothing is written twice."""
    door_lock_sim.preload_pin(3, PIN_ON_LOCK)
    await async_setup_component(hass, "repairs", {})
    await _community(hass, zha_lock)
    await _person(hass, "3-2-501", "赵磊", PIN_ON_LOCK)
    await _until(hass, lambda: _state(hass) == "duplicate")
    issue = _duplicate_issue(hass, 1)  # the first free slot, below the other
    assert issue is not None
    assert issue.translation_placeholders["other_slot"] == "4"

    door_lock_sim.reset_records()
    manager = repairs_flow_manager(hass)
    assert manager is not None
    flow = await manager.async_init(
        DOMAIN, data={"issue_id": f"lock_codes_duplicate_{DOOR}_1"}
    )
    result = await manager.async_configure(flow["flow_id"], {"action": "adopt_other"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await _in_sync(hass)
    assert door_lock_sim.pins() == {3: PIN_ON_LOCK}  # kept where it was
    # the refused slot is let go (one clear of an empty slot), never rewritten
    assert "set_pin_code" not in door_lock_sim.command_names()
    codes = _codes(hass)
    assert codes.syncer is not None
    assert codes.syncer.slots[3].state == "synced"
    assert _duplicate_issue(hass, 1) is None
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_UNMANAGED) is None
