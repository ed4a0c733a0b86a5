"""The access path in a running Home Assistant: events, doors, locks, records."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import threading
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.community_access.const import (
    DOMAIN,
    EVENT_ACCESS_DENIED,
    EVENT_ACCESS_GRANTED,
)
from custom_components.community_access.core.storage import AuditQuery
from homeassistant.components.lock.const import LockState
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import Context, HomeAssistant
from homeassistant.setup import async_setup_component

from .conftest import make_entry
from .helpers import CARD, add_resident, call, enable_disabled_entities, present


async def test_grant_fires_event_updates_entities_and_opens(
    hass: HomeAssistant, setup_entry, freezer: FrozenDateTimeFactory
) -> None:
    # The reader event entities are disabled by default (see test_logbook.py).
    await enable_disabled_entities(hass, setup_entry)
    ids = await add_resident(hass)
    granted = async_capture_events(hass, EVENT_ACCESS_GRANTED)
    denied = async_capture_events(hass, EVENT_ACCESS_DENIED)
    assert hass.states.get("lock.building_3_door").state == LockState.LOCKED

    await present(hass, "Building 3 door")
    await hass.async_block_till_done()
    assert len(granted) == 1
    assert granted[0].data == {
        "door_id": "door_b3",
        "door": "Building 3 door",
        "granted": True,
        "reason": "granted",
        "kind": "card",
        "person_id": ids["person_id"],
        "person_name": "赵*",  # masked: the community does not show full names
        "unit": "3-2-501",
        "source": "service",
    }
    reader = hass.states.get("event.building_3_door_reader")
    assert reader.attributes["event_type"] == "granted"
    assert reader.attributes["person_name"] == "赵*"
    assert hass.states.get("lock.building_3_door").state == LockState.UNLOCKED

    # The virtual door locks itself again after its open time (5 s).
    freezer.tick(timedelta(seconds=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get("lock.building_3_door").state == LockState.LOCKED

    await present(hass, "Building 1 door")
    await hass.async_block_till_done()
    assert len(denied) == 1
    assert denied[0].data["reason"] == "zone_not_allowed"
    assert (
        hass.states.get("event.building_1_door_reader").attributes["event_type"]
        == "denied"
    )
    assert hass.states.get("lock.building_1_door").state == LockState.LOCKED


async def _setup_bound_lock(hass: HomeAssistant) -> None:
    """A real lock entity (template lock on an input_boolean) for doors to drive."""
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {"front_bolt": {"initial": True}}}
    )
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "lock": [
                        {
                            "name": "Front lock",
                            "state": "{{ is_state('input_boolean.front_bolt', 'on') }}",
                            "lock": {
                                "action": "input_boolean.turn_on",
                                "target": {"entity_id": "input_boolean.front_bolt"},
                            },
                            "unlock": {
                                "action": "input_boolean.turn_off",
                                "target": {"entity_id": "input_boolean.front_bolt"},
                            },
                        }
                    ]
                }
            ]
        },
    )
    await hass.async_block_till_done()
    assert hass.states.get("lock.front_lock").state == LockState.LOCKED


async def _setup_front_gate(hass: HomeAssistant, **door: Any) -> Any:
    """The bound lock and an entry whose one door, "Front gate", drives it."""
    await _setup_bound_lock(hass)
    entry = make_entry(
        doors=[
            (
                "door_front",
                "Front gate",
                {
                    "zone_kind": "gate",
                    "direction": "in",
                    "lock_entity": "lock.front_lock",
                }
                | door,
            )
        ]
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def test_bound_lock_unlocks_and_relocks(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup_front_gate(hass, open_time=8)
    seen = []
    hass.bus.async_listen(
        "state_changed",
        lambda e: seen.append(
            (
                e.data["entity_id"],
                e.data["new_state"] and e.data["new_state"].state,
                str(e.time_fired),
            )
        ),
    )
    await add_resident(hass)
    assert hass.states.get("lock.front_gate").state == LockState.LOCKED

    await present(hass, "Front gate")
    await hass.async_block_till_done()
    assert hass.states.get("lock.front_lock").state == LockState.UNLOCKED
    assert hass.states.get("lock.front_gate").state == LockState.UNLOCKED

    freezer.tick(timedelta(seconds=7))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get("lock.front_lock").state == LockState.UNLOCKED
    freezer.tick(timedelta(seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get("lock.front_lock").state == LockState.LOCKED
    assert hass.states.get("lock.front_gate").state == LockState.LOCKED, seen

    # Our door entity follows the bound lock, also when it goes away.
    hass.states.async_set("lock.front_lock", "unavailable")
    await hass.async_block_till_done()
    assert hass.states.get("lock.front_gate").state == "unavailable"


async def test_remote_unlock_is_recorded_with_the_user(
    hass: HomeAssistant, setup_entry, hass_admin_user
) -> None:
    granted = async_capture_events(hass, EVENT_ACCESS_GRANTED)
    await hass.services.async_call(
        "lock",
        "unlock",
        {ATTR_ENTITY_ID: "lock.main_gate"},
        blocking=True,
        context=Context(user_id=hass_admin_user.id),
    )
    await hass.async_block_till_done()
    assert hass.states.get("lock.main_gate").state == LockState.UNLOCKED
    assert granted[0].data["reason"] == "remote_open"
    log = await call(hass, "query_access_log", {"door": "Main gate"})
    assert log["records"][0]["reason"] == "remote_open"
    assert log["records"][0]["actor"] == hass_admin_user.id
    await hass.services.async_call(
        "lock", "lock", {ATTR_ENTITY_ID: "lock.main_gate"}, blocking=True
    )
    assert hass.states.get("lock.main_gate").state == LockState.LOCKED


async def test_restart_keeps_everything(hass: HomeAssistant, setup_entry) -> None:
    ids = await add_resident(hass)
    lost = await add_resident(hass, name="李秀英", role="family", card="87654321")
    await call(hass, "report_card_lost", {"credential_id": lost["credential_id"]})
    await present(hass, "Building 3 door")
    before = setup_entry.runtime_data.community.counts()

    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    assert setup_entry.state is ConfigEntryState.NOT_LOADED
    assert await hass.config_entries.async_setup(setup_entry.entry_id)
    await hass.async_block_till_done()

    assert setup_entry.runtime_data.community.counts() == before
    assert (await present(hass, "Building 3 door"))["granted"] is True
    assert (await present(hass, "Building 3 door", "87654321"))["reason"] == "lost"
    log = await call(hass, "query_access_log", {"person_id": ids["person_id"]})
    assert log["count"] == 2


async def test_daily_purge_keeps_the_retention_period(
    hass: HomeAssistant, config_entry, freezer: FrozenDateTimeFactory
) -> None:
    await hass.config.async_set_time_zone("Asia/Shanghai")
    freezer.move_to("2026-01-01T12:00:00+08:00")
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await add_resident(hass)
    await present(hass, "Main gate")  # 181 days old at the purge below
    freezer.move_to("2026-06-01T12:00:00+08:00")
    await present(hass, "Main gate")  # recent
    assert (await call(hass, "query_access_log", {}))["count"] == 2

    # The purge runs every night at 03:17 local time.
    for day in ("2026-06-30", "2026-07-01"):
        freezer.move_to(f"{day}T03:17:00+08:00")
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
    records = (await call(hass, "query_access_log", {}))["records"]
    assert [r["at"] for r in records] == ["2026-06-01T04:00:00+00:00"]


async def test_database_unavailable_retries(hass: HomeAssistant, tmp_path) -> None:
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("x")
    entry = make_entry(options={"db_url": f"sqlite:///{blocker}/sub/community.db"})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_keys_survive_restart_and_are_private(
    hass: HomeAssistant, setup_entry, hass_storage
) -> None:
    key = f"{DOMAIN}.{setup_entry.entry_id}.keys"
    assert set(hass_storage[key]["data"]) == {"hmac_key", "aes_key"}
    await add_resident(hass)
    assert await hass.config_entries.async_reload(setup_entry.entry_id)
    await hass.async_block_till_done()
    # Same keys: the card written before the reload still matches.
    assert (await present(hass, "Main gate", CARD))["granted"] is True


async def test_door_opens_before_the_record_is_committed(hass: HomeAssistant) -> None:
    """The door does not wait for the disk; the call returns once it has written.

    The commit of the access record is held back: the bound lock is already
    unlocked while the ``present_credential`` call is still waiting, and the
    call answers (with the record in the database) only once the commit is let go.
    """
    entry = await _setup_front_gate(hass)
    await add_resident(hass)
    community = entry.runtime_data.community
    granted = async_capture_events(hass, EVENT_ACCESS_GRANTED)
    release = threading.Event()
    write = community.db.add_audits

    def held_write(records: Any) -> list[int]:
        assert release.wait(10)
        return write(records)

    community.writer._write_batch = held_write  # noqa: SLF001 - hold the commit
    call_task = hass.async_create_task(present(hass, "Front gate"))
    for _ in range(100):
        await asyncio.sleep(0.01)
        if hass.states.get("lock.front_lock").state == LockState.UNLOCKED:
            break
    assert hass.states.get("lock.front_lock").state == LockState.UNLOCKED
    assert not call_task.done()
    assert community.writer.stats.records == 0
    assert granted == []  # announced once recorded

    release.set()
    response = await call_task
    assert response["granted"] is True
    assert community.writer.stats.records == 1
    rows = await community.query_access_log(AuditQuery(door_id="door_front"))
    assert [(r.granted, r.reason) for r in rows] == [(True, "granted")]
    assert len(granted) == 1
