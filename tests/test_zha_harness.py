"""Smoke tests of the ZHA test harness: real ZHA, fake radio, a Door Lock joined."""

from __future__ import annotations

from zigpy.zcl.clusters.closures import DoorLock

from homeassistant.components.zha import const as zha_const
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .zha_lock_harness import (
    LOCK_IEEE,
    LOCK_MANUFACTURER,
    LOCK_MODEL,
    DoorLockSimulator,
    ZhaLockEnv,
    async_join_door_lock,
)


async def test_zha_loads_and_creates_the_lock_entity(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    assert zha_lock.entry.state is ConfigEntryState.LOADED
    entity = er.async_get(hass).async_get(zha_lock.entity_id)
    assert entity is not None
    assert entity.platform == zha_const.DOMAIN
    assert entity.domain == Platform.LOCK
    device = dr.async_get(hass).async_get(entity.device_id)
    assert device is not None
    assert device.manufacturer == LOCK_MANUFACTURER
    assert device.model == LOCK_MODEL
    assert (dr.CONNECTION_ZIGBEE, LOCK_IEEE) in device.connections
    # ZHA read the lock state from the simulated lock while joining.
    assert hass.states.get(zha_lock.entity_id).state == "locked"


async def test_zha_set_lock_user_code_lands_in_the_lock_memory(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    await hass.services.async_call(
        zha_const.DOMAIN,
        "set_lock_user_code",
        {"entity_id": zha_lock.entity_id, "code_slot": 3, "user_code": "482913"},
        blocking=True,
    )
    # ZHA's slot 3 is ZCL user id 2.
    assert zha_lock.sim.pins() == {2: "482913"}
    assert zha_lock.sim.users[2].status == DoorLock.UserStatus.Enabled
    assert zha_lock.sim.command_names() == ["set_pin_code"]
    assert zha_lock.sim.commands[0].args["user_id"] == 2

    await hass.services.async_call(
        zha_const.DOMAIN,
        "clear_lock_user_code",
        {"entity_id": zha_lock.entity_id, "code_slot": 3},
        blocking=True,
    )
    assert zha_lock.sim.pins() == {}
    assert zha_lock.sim.command_names() == ["set_pin_code", "clear_pin_code"]


async def test_lock_and_unlock_through_zha(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    await hass.services.async_call(
        "lock", "unlock", {"entity_id": zha_lock.entity_id}, blocking=True
    )
    assert zha_lock.sim.attributes[DoorLock.cluster_id][0x0000] == (
        DoorLock.LockState.Unlocked
    )
    assert zha_lock.sim.command_names() == ["unlock_door"]


async def test_operation_event_reaches_a_cluster_listener_and_zha(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    heard: list[tuple[int, int, list[object]]] = []

    class Listener:
        def cluster_command(
            self, tsn: int, command_id: int, args: list[object]
        ) -> None:
            heard.append((tsn, command_id, args))

    zha_events: list[Event] = []

    @callback
    def on_zha_event(event: Event) -> None:
        zha_events.append(event)

    unsub = hass.bus.async_listen("zha_event", on_zha_event)
    zha_lock.cluster.add_listener(Listener())
    zha_lock.sim.emit_operation_event(
        source=DoorLock.OperationEventSource.Keypad,
        code=DoorLock.OperationEvent.Unlock,
        user_id=4,
        pin="123456",
        local_time=100,
    )
    zha_lock.sim.emit_programming_event(
        source=DoorLock.OperationEventSource.Keypad,
        code=DoorLock.ProgrammingEvent.PINCodeAdded,
        user_id=7,
    )
    await hass.async_block_till_done()
    unsub()

    assert [command_id for _tsn, command_id, _args in heard] == [0x20, 0x21]
    operation = heard[0][2]
    assert operation.operation_event_source == DoorLock.OperationEventSource.Keypad
    assert operation.operation_event_code == DoorLock.OperationEvent.Unlock
    assert operation.user_id == 4
    assert operation.local_time == 100
    assert heard[1][2].program_event_code == DoorLock.ProgrammingEvent.PINCodeAdded
    # ZHA turns the operation event (only) into a zha_event, slots from 1.
    assert len(zha_events) == 1
    assert zha_events[0].data["command"] == "operation_event_notification"
    assert zha_events[0].data["args"]["code_slot"] == 5


async def test_zha_reload_keeps_the_joined_lock_and_its_memory(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    """After ZHA restarts, the lock is restored (not re-joined) with its memory."""
    zha_lock.sim.preload_pin(1, "2468")
    assert await hass.config_entries.async_reload(zha_lock.entry.entry_id)
    await hass.async_block_till_done()
    assert zha_lock.entry.state is ConfigEntryState.LOADED
    assert hass.states.get(zha_lock.entity_id) is not None

    zha_lock.sim.reset_records()
    await hass.services.async_call(
        zha_const.DOMAIN,
        "set_lock_user_code",
        {"entity_id": zha_lock.entity_id, "code_slot": 1, "user_code": "1357"},
        blocking=True,
    )
    assert zha_lock.sim.pins() == {0: "1357", 1: "2468"}
    assert zha_lock.sim.command_names() == ["set_pin_code"]


async def test_a_second_lock_has_its_own_memory(
    hass: HomeAssistant, zha_lock: ZhaLockEnv
) -> None:
    second = DoorLockSimulator()
    _device, entity_id = await async_join_door_lock(
        hass, zha_lock.app, second, ieee="68:0a:e2:ff:fe:6a:10:02", nwk=0x4C22
    )
    assert entity_id != zha_lock.entity_id
    second.reset_records()
    await hass.services.async_call(
        zha_const.DOMAIN,
        "set_lock_user_code",
        {"entity_id": entity_id, "code_slot": 1, "user_code": "8080"},
        blocking=True,
    )
    assert second.pins() == {0: "8080"}
    assert zha_lock.sim.pins() == {}
    assert zha_lock.sim.commands == []

    heard: list[int] = []

    class Listener:
        def cluster_command(self, tsn: int, command_id: int, args: object) -> None:
            heard.append(command_id)

    zha_lock.cluster.add_listener(Listener())
    second.emit_operation_event(
        source=DoorLock.OperationEventSource.Keypad,
        code=DoorLock.OperationEvent.Unlock,
        user_id=0,
    )
    await hass.async_block_till_done()
    assert heard == []  # the first lock's cluster heard nothing
