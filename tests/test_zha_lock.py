"""The ZHA lock adapter against the real ZHA integration and a simulated Door Lock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from zigpy.zcl.clusters.closures import DoorLock

from custom_components.community_access.core.lock_sync import (
    CredentialSlotKind,
    DuplicateCodeError,
    LockCapacity,
    LockCommandError,
    LockTimeoutError,
    WeekDaySchedule,
    YearDaySchedule,
)
from custom_components.community_access.zha_lock import (
    MASKED_PIN,
    LockOperationEvent,
    LockProgrammingEvent,
    ZhaDoorLock,
    ZhaDuplicateCodeError,
    ZhaLockRequestError,
    ZhaLockStatusError,
    async_find_door_lock,
)
from homeassistant.components.zha.helpers import get_zha_gateway
from homeassistant.core import HomeAssistant

from .helpers import template_lock
from .zha_lock_harness import (
    LOCK_IEEE,
    STATUS_DUPLICATE_CODE,
    STATUS_GENERAL_FAILURE,
    DoorLockSimulator,
    ZhaLockEnv,
    delivery_error,
    make_lock_device,
)

PIN = CredentialSlotKind.PIN
RFID = CredentialSlotKind.RFID
#: ZCL local time: seconds since 2000-01-01 00:00 on the lock's wall clock.
ZCL_EPOCH = datetime(2000, 1, 1)  # noqa: DTZ001


def _door_lock(hass: HomeAssistant, env: ZhaLockEnv, **kwargs: float) -> ZhaDoorLock:
    lock = async_find_door_lock(hass, env.entity_id, **kwargs)
    assert lock is not None
    return lock


async def _operation(
    hass: HomeAssistant,
    sim: DoorLockSimulator,
    source: DoorLock.OperationEventSource,
    code: DoorLock.OperationEvent = DoorLock.OperationEvent.Unlock,
    user_id: int = 0xFFFF,
) -> None:
    """The lock reports an operation event (unasked); Home Assistant handles it."""
    sim.emit_operation_event(source=source, code=code, user_id=user_id)
    await hass.async_block_till_done()


# -- finding the lock --------------------------------------------------------


async def test_find_door_lock_of_a_zha_lock(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    lock = _door_lock(hass, zha_lock)
    assert lock.entity_id == zha_lock.entity_id
    assert lock.ieee == LOCK_IEEE
    assert lock.available is True
    assert LOCK_IEEE in repr(lock)
    # Finding it sends nothing to the lock.
    assert zha_lock.sim.commands == []

    # ZHA's own availability of the device (as its availability checker sets it).
    zha_device = get_zha_gateway(hass).get_device(zha_lock.device.ieee)
    zha_device.update_available(False)
    await hass.async_block_till_done()
    assert lock.available is False
    assert hass.states.get(zha_lock.entity_id).state == "unavailable"
    zha_device.update_available(True)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert lock.available is True


async def test_find_door_lock_none_for_a_template_lock_beside_zha(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    entity_id = await template_lock(hass)
    assert async_find_door_lock(hass, entity_id) is None
    assert async_find_door_lock(hass, "lock.does_not_exist") is None
    # A ZHA entity that is not a lock (the battery sensor) is not one either.
    sensors = hass.states.async_entity_ids("sensor")
    assert sensors
    assert all(async_find_door_lock(hass, s) is None for s in sensors)


async def test_find_door_lock_none_without_zha(hass: HomeAssistant) -> None:
    entity_id = await template_lock(hass)
    assert async_find_door_lock(hass, entity_id) is None
    assert "zha" not in hass.config.components


async def test_while_zha_is_unloaded_the_lock_is_unreachable(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    lock = _door_lock(hass, zha_lock)
    events: list[object] = []
    lock.add_event_listener(events.append)
    assert await hass.config_entries.async_unload(zha_lock.entry.entry_id)
    await hass.async_block_till_done()

    assert lock.available is False
    assert lock.refresh() is False
    assert async_find_door_lock(hass, zha_lock.entity_id) is None
    with pytest.raises(LockTimeoutError):
        await lock.write_slot(PIN, 0, "583716")
    assert zha_lock.sim.commands == []

    # ZHA comes back: the same adapter reaches the lock and hears it again.
    assert await hass.config_entries.async_setup(zha_lock.entry.entry_id)
    await hass.async_block_till_done()
    assert lock.available is True
    await lock.write_slot(PIN, 0, "583716")
    assert zha_lock.sim.pins() == {0: "583716"}
    await _operation(
        hass, zha_lock.sim, DoorLock.OperationEventSource.Keypad, user_id=0
    )
    assert len(events) == 1


async def test_follows_zha_to_new_device_objects_after_a_reload(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    """A restarted ZHA builds new zigpy objects for the same lock."""
    lock = _door_lock(hass, zha_lock)
    events: list[object] = []
    lock.add_event_listener(events.append)
    assert await hass.config_entries.async_unload(zha_lock.entry.entry_id)
    await hass.async_block_till_done()
    # As if zigpy loaded the network from its database again.
    reloaded = DoorLockSimulator()
    reloaded.attach(zha_lock.app, make_lock_device(zha_lock.app))
    assert await hass.config_entries.async_setup(zha_lock.entry.entry_id)
    await hass.async_block_till_done()
    reloaded.reset_records()

    await lock.write_slot(PIN, 1, "7531")
    assert reloaded.command_names() == ["set_pin_code"]
    assert reloaded.pins() == {1: "7531"}
    assert zha_lock.sim.commands == []
    await _operation(hass, reloaded, DoorLock.OperationEventSource.RFID, user_id=1)
    assert len(events) == 1
    # The old cluster no longer has the adapter's listener.
    await _operation(hass, zha_lock.sim, DoorLock.OperationEventSource.RFID, user_id=1)
    assert len(events) == 1


# -- capacity ----------------------------------------------------------------


async def test_read_capacity_is_one_attribute_read(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    lock = _door_lock(hass, zha_lock)
    attrs = zha_lock.sim.attributes[DoorLock.cluster_id]
    attrs.update({0x12: 30, 0x13: 10, 0x14: 7, 0x15: 3, 0x17: 10, 0x18: 6})
    attrs.update({0x19: 16, 0x1A: 8})

    capacity = await lock.read_capacity()

    assert capacity == LockCapacity(
        pin_users=30,
        rfid_users=10,
        week_day_schedules_per_user=7,
        year_day_schedules_per_user=3,
        min_pin_length=6,
        max_pin_length=10,
        min_rfid_length=8,
        max_rfid_length=16,
    )
    assert zha_lock.sim.command_names() == ["read_attributes"]
    assert sorted(zha_lock.sim.commands[0].args["attribute_ids"]) == [
        0x12,
        0x13,
        0x14,
        0x15,
        0x17,
        0x18,
        0x19,
        0x1A,
    ]


async def test_read_capacity_of_a_keypad_only_lock(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    """A lock without a card reader does not support the RFID attributes."""
    attrs = zha_lock.sim.attributes[DoorLock.cluster_id]
    for attr in (0x13, 0x15, 0x19, 0x1A):
        del attrs[attr]

    capacity = await _door_lock(hass, zha_lock).read_capacity()

    assert capacity.rfid_users == 0
    assert capacity.year_day_schedules_per_user == 0
    assert capacity.pin_users == 20
    assert (capacity.min_pin_length, capacity.max_pin_length) == (4, 8)
    assert len(zha_lock.sim.commands) == 1


# -- slots -------------------------------------------------------------------


async def test_write_read_clear_pin(hass: HomeAssistant, zha_lock: ZhaLockEnv) -> None:
    lock = _door_lock(hass, zha_lock)
    sim = zha_lock.sim

    await lock.write_slot(PIN, 3, "583716", user_type=1)
    assert sim.command_names() == ["set_pin_code"]
    assert sim.commands[0].args == {
        "user_id": 3,
        "user_status": DoorLock.UserStatus.Enabled,
        "user_type": DoorLock.UserType.Year_Day_Schedule_User,
        "pin_code": "583716",
    }
    assert sim.pins() == {3: "583716"}

    reading = await lock.read_slot(PIN, 3)
    assert sim.command_names()[-1] == "get_pin_code"
    assert sim.commands[-1].args == {"user_id": 3}
    assert reading.occupied is True
    assert reading.code == "583716"
    assert reading.user_status == DoorLock.UserStatus.Enabled
    assert reading.user_type == 1
    assert "583716" not in repr(reading)

    await lock.clear_slot(PIN, 3)
    assert sim.command_names()[-1] == "clear_pin_code"
    assert sim.commands[-1].args == {"user_id": 3}
    assert sim.pins() == {}

    empty = await lock.read_slot(PIN, 3)
    assert empty.occupied is False
    assert empty.code is None
    assert empty.user_status == DoorLock.UserStatus.Available
    assert len(sim.commands) == 4


async def test_write_read_clear_card(hass: HomeAssistant, zha_lock: ZhaLockEnv) -> None:
    lock = _door_lock(hass, zha_lock)
    sim = zha_lock.sim

    await lock.write_slot(RFID, 0, "0012345678")
    assert sim.command_names() == ["set_rfid_code"]
    assert sim.commands[0].args["rfid_code"] == "0012345678"
    assert sim.commands[0].args["user_type"] == DoorLock.UserType.Unrestricted
    assert sim.cards() == {0: "0012345678"}

    reading = await lock.read_slot(RFID, 0)
    assert sim.command_names()[-1] == "get_rfid_code"
    assert (reading.kind, reading.occupied, reading.code) == (RFID, True, "0012345678")

    await lock.clear_slot(RFID, 0)
    assert sim.command_names()[-1] == "clear_rfid_code"
    assert sim.cards() == {}


async def test_reads_an_unmanaged_code(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    """A code entered at the lock's own keypad is read back like any other."""
    zha_lock.sim.preload_pin(7, "9911", user_type=DoorLock.UserType.Master_User)
    reading = await _door_lock(hass, zha_lock).read_slot(PIN, 7)
    assert reading.occupied is True
    assert reading.code == "9911"
    assert reading.user_type == DoorLock.UserType.Master_User
    assert zha_lock.sim.command_names() == ["get_pin_code"]


async def test_lock_refusals_map_to_command_errors(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    lock = _door_lock(hass, zha_lock)
    zha_lock.sim.preload_pin(0, "4455")

    with pytest.raises(ZhaLockStatusError) as duplicate:
        await lock.write_slot(PIN, 1, "4455")
    assert duplicate.value.status == STATUS_DUPLICATE_CODE
    assert duplicate.value.reason == "duplicate_code"
    assert "4455" not in str(duplicate.value)
    # a distinct outcome for the reconciler (not retried), still a refusal
    assert isinstance(duplicate.value, DuplicateCodeError)
    assert isinstance(duplicate.value, ZhaDuplicateCodeError)
    # the same code in the same slot is no duplicate
    await lock.write_slot(PIN, 0, "4455")

    with pytest.raises(ZhaLockStatusError) as too_short:
        await lock.write_slot(PIN, 1, "12")
    assert too_short.value.status == STATUS_GENERAL_FAILURE
    assert not isinstance(too_short.value, DuplicateCodeError)

    # A user id beyond the lock's PIN users: get_pin_code gets a default
    # response with INVALID_FIELD.
    with pytest.raises(ZhaLockStatusError) as no_user:
        await lock.read_slot(PIN, 20)
    assert no_user.value.reason == "invalid_field"
    assert zha_lock.sim.pins() == {0: "4455"}


async def test_bad_codes_are_refused_before_sending(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    lock = _door_lock(hass, zha_lock)
    for kind, code in ((PIN, "12a4"), (PIN, ""), (RFID, "卡12345"), (PIN, "１２３４")):
        with pytest.raises(ZhaLockRequestError) as err:
            await lock.write_slot(kind, 0, code)
        assert isinstance(err.value, LockCommandError)
        assert not isinstance(err.value, LockTimeoutError)
        assert code not in str(err.value) or not code
    assert zha_lock.sim.commands == []


# -- schedules and user type -------------------------------------------------


async def test_year_day_schedule_in_the_locks_local_time(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    """The fixture's time zone is Asia/Shanghai (UTC+8)."""
    lock = _door_lock(hass, zha_lock)
    schedule = YearDaySchedule(
        schedule_id=1,
        start=datetime(2026, 12, 1, 2, 0, tzinfo=UTC),
        end=datetime(2026, 12, 3, 14, 30, tzinfo=UTC),
    )

    await lock.set_year_day_schedule(5, schedule)

    start = int((datetime(2026, 12, 1, 10, 0) - ZCL_EPOCH).total_seconds())  # noqa: DTZ001
    end = int((datetime(2026, 12, 3, 22, 30) - ZCL_EPOCH).total_seconds())  # noqa: DTZ001
    assert zha_lock.sim.command_names() == ["set_year_day_schedule"]
    assert zha_lock.sim.commands[0].args == {
        "schedule_id": 1,
        "user_id": 5,
        "local_start_time": start,
        "local_end_time": end,
    }
    assert zha_lock.sim.year_day == {(5, 1): (start, end)}

    await lock.clear_year_day_schedule(5, 1)
    assert zha_lock.sim.command_names()[-1] == "clear_year_day_schedule"
    assert zha_lock.sim.commands[-1].args == {"schedule_id": 1, "user_id": 5}
    assert zha_lock.sim.year_day == {}

    # Schedule slot 2 is beyond the lock's 2 year-day schedules per user.
    with pytest.raises(ZhaLockStatusError):
        await lock.set_year_day_schedule(
            5, YearDaySchedule(2, schedule.start, schedule.end)
        )
    with pytest.raises(ZhaLockRequestError):
        await lock.set_year_day_schedule(
            5, YearDaySchedule(0, schedule.end, schedule.start)
        )
    with pytest.raises(ZhaLockRequestError):  # a naive datetime
        await lock.set_year_day_schedule(
            5,
            YearDaySchedule(0, datetime(2026, 12, 1), schedule.end),  # noqa: DTZ001
        )
    assert len(zha_lock.sim.commands) == 3


async def test_week_day_schedule(hass: HomeAssistant, zha_lock: ZhaLockEnv) -> None:
    lock = _door_lock(hass, zha_lock)
    weekdays = 0b0111110  # Monday to Friday
    await lock.set_week_day_schedule(4, WeekDaySchedule(0, weekdays, 8, 30, 18, 0))

    assert zha_lock.sim.command_names() == ["set_week_day_schedule"]
    assert zha_lock.sim.commands[0].args == {
        "schedule_id": 0,
        "user_id": 4,
        "days_mask": weekdays,
        "start_hour": 8,
        "start_minute": 30,
        "end_hour": 18,
        "end_minute": 0,
    }
    assert zha_lock.sim.week_day == {(4, 0): (weekdays, 8, 30, 18, 0)}

    await lock.clear_week_day_schedule(4, 0)
    assert zha_lock.sim.command_names()[-1] == "clear_week_day_schedule"
    assert zha_lock.sim.commands[-1].args == {"schedule_id": 0, "user_id": 4}
    assert zha_lock.sim.week_day == {}

    # No day at all, or a window that ends before it starts.
    with pytest.raises(ZhaLockRequestError):
        await lock.set_week_day_schedule(4, WeekDaySchedule(0, 0, 8, 0, 9, 0))
    with pytest.raises(ZhaLockStatusError) as refused:
        await lock.set_week_day_schedule(4, WeekDaySchedule(0, weekdays, 18, 0, 8, 0))
    assert refused.value.reason == "invalid_field"
    assert len(zha_lock.sim.commands) == 3


async def test_set_user_type(hass: HomeAssistant, zha_lock: ZhaLockEnv) -> None:
    lock = _door_lock(hass, zha_lock)
    await lock.write_slot(PIN, 2, "246813")
    await lock.set_user_type(2, 2)
    assert zha_lock.sim.command_names() == ["set_pin_code", "set_user_type"]
    assert zha_lock.sim.commands[1].args == {"user_id": 2, "user_type": 2}
    assert zha_lock.sim.users[2].user_type == DoorLock.UserType.Week_Day_Schedule_User


async def test_set_lockout_writes_both_attributes_at_once(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    lock = _door_lock(hass, zha_lock)
    await lock.set_lockout(3, 120)
    attrs = zha_lock.sim.attributes[DoorLock.cluster_id]
    assert (attrs[0x30], attrs[0x31]) == (3, 120)
    assert zha_lock.sim.command_names() == ["write_attributes"]
    written = {
        a.attrid: a.value.value for a in zha_lock.sim.commands[0].args["attributes"]
    }
    assert written == {0x30: 3, 0x31: 120}

    # 5 minutes does not fit the 8-bit attribute: the lock gets its maximum.
    await lock.set_lockout(5, 300)
    assert (attrs[0x30], attrs[0x31]) == (5, 255)


async def test_set_lockout_on_a_lock_without_a_lockout_time(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    attrs = zha_lock.sim.attributes[DoorLock.cluster_id]
    del attrs[0x31]
    with pytest.raises(ZhaLockStatusError) as err:
        await _door_lock(hass, zha_lock).set_lockout(4, 60)
    assert err.value.reason == "unsupported_attribute"
    assert "0x0031" in err.value.command
    # The supported attribute was written (Write Attributes is not undivided).
    assert attrs[0x30] == 4
    assert zha_lock.sim.command_names() == ["write_attributes"]


# -- a lock that does not answer, or refuses ---------------------------------


async def test_timeouts_map_to_lock_timeout_error(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    lock = _door_lock(hass, zha_lock)
    sim = zha_lock.sim

    sim.time_out(2)
    with pytest.raises(LockTimeoutError):
        await lock.write_slot(PIN, 0, "583716")
    with pytest.raises(LockTimeoutError):
        await lock.read_capacity()
    assert sim.pins() == {}
    # The lock answers again.
    await lock.write_slot(PIN, 0, "583716")
    assert sim.pins() == {0: "583716"}
    assert sim.command_names() == ["set_pin_code", "read_attributes", "set_pin_code"]

    sim.time_out(exc=delivery_error)
    for _ in range(3):
        with pytest.raises(LockTimeoutError):
            await lock.clear_slot(PIN, 0)
    sim.release()
    await lock.clear_slot(PIN, 0)
    assert sim.pins() == {}


async def test_adapter_timeout_when_the_lock_stays_silent(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    lock = _door_lock(hass, zha_lock, timeout=0.05)
    zha_lock.sim.hang()
    with pytest.raises(LockTimeoutError) as err:
        await lock.read_slot(PIN, 0)
    assert isinstance(err.value, LockCommandError)
    zha_lock.sim.release()
    reading = await lock.read_slot(PIN, 0)
    assert reading.occupied is False


async def test_failure_status_maps_to_command_error(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    lock = _door_lock(hass, zha_lock)
    zha_lock.sim.fail_with(0x01, count=2)
    with pytest.raises(ZhaLockStatusError) as write_err:
        await lock.write_slot(RFID, 1, "0012345678")
    assert not isinstance(write_err.value, LockTimeoutError)
    assert write_err.value.status == 0x01
    with pytest.raises(ZhaLockStatusError):  # a default response to a get
        await lock.read_slot(RFID, 1)
    await lock.write_slot(RFID, 1, "0012345678")
    assert zha_lock.sim.cards() == {1: "0012345678"}

    # Attribute reads and writes answered with a failure status.
    zha_lock.sim.fail_with(0x01, count=2)
    with pytest.raises(ZhaLockStatusError):
        await lock.read_capacity()
    with pytest.raises(ZhaLockStatusError):
        await lock.set_lockout(3, 60)
    assert zha_lock.sim.attributes[DoorLock.cluster_id][0x30] == 5
    assert zha_lock.sim.command_names()[-2:] == ["read_attributes", "write_attributes"]


async def test_commands_to_one_lock_are_serialised(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    lock = _door_lock(hass, zha_lock)
    zha_lock.sim.delay = 0.01
    await asyncio.gather(
        *(lock.write_slot(PIN, uid, f"{4000 + uid}") for uid in range(5))
    )
    assert zha_lock.sim.pins() == {uid: f"{4000 + uid}" for uid in range(5)}
    assert zha_lock.sim.max_in_flight == 1
    assert len(zha_lock.sim.commands) == 5


# -- events from the lock ----------------------------------------------------


async def test_operation_and_programming_events(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    lock = _door_lock(hass, zha_lock)
    events: list[LockOperationEvent | LockProgrammingEvent] = []
    remove = lock.add_event_listener(events.append)
    at = int((datetime(2026, 11, 27, 8, 15) - ZCL_EPOCH).total_seconds())  # noqa: DTZ001

    zha_lock.sim.emit_operation_event(
        source=DoorLock.OperationEventSource.Keypad,
        code=DoorLock.OperationEvent.Unlock,
        user_id=4,
        pin="583716",
        local_time=at,
    )
    zha_lock.sim.emit_operation_event(
        source=DoorLock.OperationEventSource.RFID,
        code=DoorLock.OperationEvent.UnlockFailureInvalidPINorID,
        user_id=0xFFFF,
    )
    zha_lock.sim.emit_programming_event(
        source=DoorLock.OperationEventSource.Keypad,
        code=DoorLock.ProgrammingEvent.PINCodeAdded,
        user_id=9,
        pin="777111",
        user_type=DoorLock.UserType.Unrestricted,
        user_status=DoorLock.UserStatus.Enabled,
    )
    await hass.async_block_till_done()

    keypad, card, programmed = events
    assert isinstance(keypad, LockOperationEvent)
    assert (keypad.source, keypad.operation, keypad.user_id) == ("keypad", "unlock", 4)
    assert keypad.pin == MASKED_PIN
    assert keypad.local_time is not None
    assert keypad.local_time.isoformat() == "2026-11-27T08:15:00+08:00"
    assert "583716" not in repr(keypad)

    assert isinstance(card, LockOperationEvent)
    assert card.source == "rfid"
    assert card.operation == "unlock_failure_invalid_code"
    assert (card.user_id, card.pin, card.local_time) == (None, None, None)

    assert isinstance(programmed, LockProgrammingEvent)
    assert (programmed.source, programmed.event) == ("keypad", "pin_added")
    assert (programmed.user_id, programmed.user_type, programmed.user_status) == (
        9,
        0,
        1,
    )
    assert "777111" not in repr(programmed)

    # Events are not commands: nothing was sent to the lock.
    assert zha_lock.sim.commands == []

    remove()
    await _operation(
        hass,
        zha_lock.sim,
        DoorLock.OperationEventSource.Manual,
        DoorLock.OperationEvent.Manual_Lock,
    )
    assert len(events) == 3


async def test_a_failing_event_listener_does_not_stop_the_others(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    lock = _door_lock(hass, zha_lock)
    heard: list[object] = []

    def broken(event: object) -> None:
        raise RuntimeError("listener bug")

    remove_broken = lock.add_event_listener(broken)
    remove = lock.add_event_listener(heard.append)
    await _operation(
        hass,
        zha_lock.sim,
        DoorLock.OperationEventSource.Manual,
        DoorLock.OperationEvent.Manual_Unlock,
    )
    assert len(heard) == 1
    remove_broken()
    remove()
