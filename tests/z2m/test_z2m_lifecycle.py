"""A Zigbee2MQTT lock over time: restart mid-sync, its events, unbinding, foreign locks.

Real broker, HA's real ``mqtt``, the simulated Zigbee2MQTT lock.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.core.storage import AuditQuery
from homeassistant.components import mqtt
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from tests.conftest import doors_with, make_entry
from tests.helpers import call

from . import wait_for
from .conftest import Z2mLockFactory
from .z2m_door import (
    DOOR,
    ISSUE_UNMANAGED,
    codes_of,
    community_with,
    in_sync,
    person,
    pin_clears,
    pin_reads,
    pin_writes,
    quick,
    sensor_state,
    until,
)


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    quick(monkeypatch)


async def test_restart_in_the_middle_of_a_sync_resumes(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    sim = await z2m_lock(pin_users=12, rf_events=True)
    entry = await community_with(hass, sim)
    sim.latency = 0.1
    sim.commands.clear()
    pins = ["583716", "790412", "824693", "357921", "613927", "246813"]
    await call(hass, "add_household", {"unit": "3-2-501"})
    for n, pin in enumerate(pins):
        added = await call(
            hass,
            "add_person",
            {"unit": "3-2-501", "name": f"住户{n}", "role": "family"},
        )
        await call(
            hass,
            "add_credential",
            {"person_id": added["person_id"], "kind": "pin", "value": pin},
        )
    # Stop Home Assistant's side while the lock is being written.
    await until(hass, lambda: len(sim.codes()) >= 2)
    assert await hass.config_entries.async_unload(entry.entry_id)
    written_before = len(sim.codes())
    assert written_before < len(pins)

    sim.latency = 0.0
    assert await hass.config_entries.async_setup(entry.entry_id)
    await in_sync(hass)
    assert sorted(sim.codes().values()) == sorted(pins)
    # No credential went into two slots; at most the one in flight was sent
    # twice; the lock was not read in full again (the slot table survived).
    writes = pin_writes(sim)
    assert len({w["user"] for w in writes}) == len(pins)
    assert len(writes) <= len(pins) + 1
    assert [c for c in sim.commands if c.key == "read"] == []
    assert len(pin_reads(sim)) <= 2


async def test_keypad_unlock_becomes_an_access_record_with_the_person(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    sim = await z2m_lock(pin_users=8, rfid_users=8, rf_events=True)
    entry = await community_with(hass, sim)
    await person(hass, "3-2-501", "赵磊", "583716")
    await in_sync(hass)
    user = next(uid for uid, pin in sim.codes().items() if pin == "583716")
    granted: list[Any] = []
    denied: list[Any] = []
    programmed: list[Any] = []
    hass.bus.async_listen(f"{DOMAIN}_access_granted", granted.append)
    hass.bus.async_listen(f"{DOMAIN}_access_denied", denied.append)
    hass.bus.async_listen(f"{DOMAIN}_lock_programmed", programmed.append)

    await sim.keypad_unlock(user=user)
    await sim.keypad_unlock(user=6)  # an empty slot: a wrong PIN
    await until(hass, lambda: granted and denied)
    assert granted[0].data["person_name"] == "赵*"  # masked in events
    assert granted[0].data["unit"] == "3-2-501"
    assert granted[0].data["kind"] == "pin"
    assert granted[0].data["source"] == f"lock:{sim.entity_id}"
    assert denied[0].data["reason"] == "unknown_credential"
    assert "583716" not in str(granted[0].data)
    records = await entry.runtime_data.community.query_access_log(
        AuditQuery(door_id=DOOR)
    )
    assert sorted((r.granted, r.person_name) for r in records[:2]) == [
        (False, None),
        (True, "赵磊"),
    ]

    # Our own writes come back as "rf" programming events: not reported.
    assert programmed == []
    # A PIN added at the lock's own keypad: reported, then the lock is read.
    sim.commands.clear()
    await sim.keypad_program(user=7, action="pin_code_added", code="1357924")
    await until(hass, lambda: programmed)
    assert programmed[0].data["slot"] == 8
    assert programmed[0].data["event"] == "pin_added"
    assert "1357924" not in str(programmed[0].data)
    await until(
        hass, lambda: ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_UNMANAGED)
    )
    assert sorted(set(pin_reads(sim))) == list(range(8))
    assert sim.codes()[7] == "1357924"

    # A card the lock holds for the same user id as 赵磊's PIN (Zigbee2MQTT
    # cannot write cards: somebody enrolled it at the lock) is not 赵磊's.
    await sim.keypad_program(user=user, action="rfid_code_added")
    granted.clear()
    await sim.rfid_unlock(user=user)
    await until(hass, lambda: granted)
    assert granted[0].data["kind"] == "card"
    assert granted[0].data.get("person_name") is None


async def test_a_door_that_stops_keeping_codes_clears_them_from_the_lock(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    sim = await z2m_lock(pin_users=8, rf_events=True)
    sim.set_slot(0, "2468013")
    entry = await community_with(hass, sim)
    await person(hass, "3-2-501", "赵磊", "583716")
    await person(hass, "3-2-502", "李娜", "824693")
    await in_sync(hass)
    assert sorted(sim.codes().values()) == ["2468013", "583716", "824693"]
    lock_id = codes_of(hass).syncer.lock_id  # type: ignore[union-attr]
    assert lock_id == f"z2m:{sim.ieee}"

    sim.commands.clear()
    subentry = entry.subentries[DOOR]
    hass.config_entries.async_update_subentry(
        entry, subentry, data=dict(subentry.data) | {"manage_codes": False}
    )
    await until(hass, lambda: entry.state is ConfigEntryState.LOADED)
    await until(hass, lambda: sim.codes() == {0: "2468013"})
    assert len(pin_clears(sim)) == 2
    community = entry.runtime_data.community
    async with asyncio.timeout(10):
        while await community.run(community.db.lock_ids):
            await asyncio.sleep(0.05)
    assert await community.run(community.db.lock_slots, lock_id) == []


async def test_an_mqtt_lock_not_from_zigbee2mqtt_raises_a_repair(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry
) -> None:
    config = {
        "name": "Garage lock",
        "unique_id": "garage_lock_1",
        "command_topic": "garage/lock/set",
        "state_topic": "garage/lock",
        "device": {"identifiers": ["garage_bridge_lock1"], "name": "Garage lock"},
    }
    await mqtt.async_publish(
        hass, "homeassistant/lock/garage/config", json.dumps(config), retain=True
    )
    registry = er.async_get(hass)
    await wait_for(
        hass,
        lambda: registry.async_get_entity_id("lock", "mqtt", "garage_lock_1"),
        "the garage lock entity",
    )
    lock = registry.async_get_entity_id("lock", "mqtt", "garage_lock_1")
    assert lock is not None
    entry = make_entry(doors=doors_with(DOOR, lock_entity=lock, manage_codes=True))
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    issue_id = f"lock_codes_unsupported_{DOOR}"
    await until(hass, lambda: ir.async_get(hass).async_get_issue(DOMAIN, issue_id))
    assert sensor_state(hass) == "not_found"


async def test_a_reload_of_mqtt_is_followed(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """HA's MQTT integration reloaded: the adapter subscribes again."""
    sim = await z2m_lock(pin_users=8, rf_events=True)
    await community_with(hass, sim)
    assert await hass.config_entries.async_reload(mqtt_setup.entry_id)
    await wait_for(
        hass,
        lambda: (
            hass.states.get(sim.entity_id) is not None
            and hass.states.get(sim.entity_id).state != "unavailable"
        ),
        "the lock entity after the reload",
    )
    await person(hass, "3-2-501", "赵磊", "583716")
    await until(hass, lambda: "583716" in sim.codes().values())
    await in_sync(hass)
    assert list(sim.codes().values()) == ["583716"]
