"""Emergency release in a real Home Assistant: doors held open, restore, restart.

Escape doors bound to real (template) locks that re-lock, a virtual escape
door, a door that is not an escape route, and the fire panel input as a
template binary sensor.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
import time
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    async_test_home_assistant,
)

from custom_components.community_access.const import (
    DOMAIN,
    EVENT_DOOR_ALARM,
    SUBENTRY_DOOR,
    SUBENTRY_SERIAL_LINE,
)
from custom_components.community_access.core.operations import modes_store
from custom_components.community_access.core.operations.modes import FailMode
from custom_components.community_access.core.storage import AuditQuery
from custom_components.community_access.drivers.relays import lcus_command
from custom_components.community_access.logbook import describe_event
from custom_components.community_access.operations.modes import (
    EVENT_EMERGENCY_RELEASE,
    EVENT_EMERGENCY_RESTORED,
    EVENT_LOCKDOWN_LIFTED,
    release_notification_id,
    trigger_issue_id,
)
from custom_components.community_access.operations.modes_doors import (
    MAX_RETRIES,
    lost_notification_id,
)
from custom_components.community_access.shared_keys import async_import_keys
from homeassistant import loader
from homeassistant.auth.models import User
from homeassistant.config_entries import SOURCE_USER, ConfigSubentryData
from homeassistant.core import Context, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from tests.conftest import make_entry
from tests.helpers import (
    CARD,
    add_resident,
    call,
    present,
    setup_community,
    subentry,
    unload_lines,
)
from tests.ptys import PtyDevice, wait_for

from .modes_common import (
    FIRE_PANEL,
    notifications,
    settled,
    setup_locks_and_panel,
    state,
    switch,
)

DOORS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "door_gate",
        "Main gate",
        {
            "zone_kind": "gate",
            "direction": "in",
            "open_time": 5,
            "escape_route": True,
            "lock_entity": "lock.gate_lock",
        },
    ),
    (
        "door_b3",
        "Building 3 door",
        {
            "zone_kind": "building",
            "building": "3",
            "direction": "in",
            "open_time": 5,
            "escape_route": True,
        },
    ),
    (
        "door_b1",
        "Building 1 door",
        {"zone_kind": "building", "building": "1", "direction": "in", "open_time": 5},
    ),
    (
        "door_exit",
        "Gate exit",
        {
            "zone_kind": "gate",
            "direction": "out",
            "open_time": 5,
            "escape_route": True,
            "lock_entity": "lock.exit_lock",
        },
    ),
]
OPTIONS = {"emergency_triggers": [FIRE_PANEL]}


def entity(hass: HomeAssistant, domain: str, unique_suffix: str) -> str:
    """The entity id of one of the community's entities by unique id suffix."""
    registry = er.async_get(hass)
    for item in registry.entities.values():
        if (
            item.platform == DOMAIN
            and item.domain == domain
            and item.unique_id.endswith(unique_suffix)
        ):
            return item.entity_id
    raise AssertionError(unique_suffix)


def community() -> MockConfigEntry:
    return make_entry(doors=DOORS, options=OPTIONS)


async def started(hass: HomeAssistant) -> MockConfigEntry:
    await setup_locks_and_panel(hass, ["gate", "exit"])
    entry = community()
    await setup_community(hass, entry)
    return entry


async def test_release_holds_escape_doors_and_fights_relock(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry = await started(hass)
    await add_resident(hass)  # building 3
    site = entity(hass, "sensor", "_site_mode")
    released = entity(hass, "binary_sensor", "_emergency_active")
    assert state(hass, site) == "normal"
    events = async_capture_events(hass, EVENT_EMERGENCY_RELEASE)

    response = await call(
        hass, "emergency_release", {"cause": "fire", "note": "smoke on floor 2"}
    )
    await hass.async_block_till_done()
    assert response["doors_released"] == ["door_b3", "door_exit", "door_gate"]
    # Escape doors unlock at once; building 1's door is no escape route.
    assert state(hass, "lock.gate_lock") == state(hass, "lock.exit_lock") == "unlocked"
    assert state(hass, "lock.building_3_door") == "unlocked"
    assert state(hass, "lock.building_1_door") == "locked"
    assert (state(hass, site), state(hass, released)) == ("emergency", "on")
    assert hass.states.get(site).attributes["doors_released"] == 3
    assert release_notification_id(entry.entry_id) in notifications(hass)
    assert len(events) == 1
    assert events[0].data["cause"] == "fire"
    assert "note" not in events[0].data  # free text stays out of events

    # Something locks the gate again: it is unlocked again.
    await switch(hass, "input_boolean.gate_bolt", True)
    await settled(hass, "lock.gate_lock", "unlocked")
    # The virtual door locked from its entity: unlocked again.
    await hass.services.async_call(
        "lock", "lock", {"entity_id": "lock.building_3_door"}, blocking=True
    )
    await hass.async_block_till_done()
    assert state(hass, "lock.building_3_door") == "unlocked"

    # Readers still record every presentation; the door stays open after it.
    granted = await present(hass, "Main gate")
    assert (granted["granted"], granted["reason"]) == (True, "emergency_release")
    stranger = await present(hass, "Building 3 door", "0099999999")
    assert (stranger["granted"], stranger["reason"]) == (True, "emergency_release")
    assert stranger["waived"] == "unknown_credential"
    # Building 1: not in the release, the normal rules (not the resident's building).
    normal = await present(hass, "Building 1 door")
    assert (normal["granted"], normal["reason"]) == (False, "zone_not_allowed")
    freezer.tick(timedelta(seconds=30))
    async_fire_time_changed(hass, dt_util.utcnow())
    await hass.async_block_till_done()
    assert state(hass, "lock.gate_lock") == "unlocked"
    community = entry.runtime_data.community
    log = await community.query_access_log(AuditQuery(reason="emergency_release"))
    assert len(log) == 2
    assert {r.note for r in log} == {None, "unknown_credential"}

    restored = async_capture_events(hass, EVENT_EMERGENCY_RESTORED)
    answer = await call(hass, "emergency_restore", {})
    await hass.async_block_till_done()
    assert answer == {"ended": 1, "state": "normal"}
    assert state(hass, "lock.gate_lock") == state(hass, "lock.exit_lock") == "locked"
    assert state(hass, "lock.building_3_door") == "locked"
    assert (state(hass, site), state(hass, released)) == ("normal", "off")
    assert release_notification_id(entry.entry_id) not in notifications(hass)
    assert len(restored) == 1
    actions = await entry.runtime_data.community.admin_actions()
    assert [a.action for a in actions[:2]] == ["emergency_restore", "emergency_release"]
    assert actions[1].details is not None and actions[1].details["cause"] == "fire"
    # Normal again: a grant at the gate locks after its open time.
    assert (await present(hass, "Main gate"))["reason"] == "granted"
    assert state(hass, "lock.gate_lock") == "unlocked"
    freezer.tick(timedelta(seconds=6))
    async_fire_time_changed(hass, dt_util.utcnow())
    await hass.async_block_till_done()
    assert state(hass, "lock.gate_lock") == "locked"


async def test_listed_doors_are_released_escape_route_or_not(
    hass: HomeAssistant,
) -> None:
    await started(hass)
    response = await call(
        hass,
        "emergency_release",
        {"scope": "doors", "doors": ["Building 1 door"], "cause": "earthquake"},
    )
    await hass.async_block_till_done()
    assert response["doors_released"] == ["door_b1"]
    assert state(hass, "lock.building_1_door") == "unlocked"
    assert state(hass, "lock.gate_lock") == "locked"
    building = await call(
        hass, "emergency_release", {"scope": "building", "buildings": ["3"]}
    )
    assert building["doors_released"] == ["door_b1", "door_b3"]
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "emergency_release", {"scope": "building"})
    assert err.value.translation_key == "mode_scope_buildings"
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "lockdown", {"scope": "doors", "doors": []})
    assert err.value.translation_key == "mode_scope_doors"


async def test_every_new_service_is_admin_only(
    hass: HomeAssistant, hass_read_only_user: User
) -> None:
    await started(hass)
    context = Context(user_id=hass_read_only_user.id)
    for service in (
        "emergency_release",
        "emergency_restore",
        "lockdown",
        "lift_lockdown",
        "muster_list",
    ):
        with pytest.raises(Unauthorized):
            await call(hass, service, {}, context=context)
    assert state(hass, "lock.gate_lock") == "locked"


async def test_trigger_releases_and_clearing_does_not_restore(
    hass: HomeAssistant,
) -> None:
    entry = await started(hass)
    await switch(hass, "input_boolean.fire_alarm", True)
    assert state(hass, FIRE_PANEL) == "on"
    await settled(hass, "lock.gate_lock", "unlocked")
    assert state(hass, entity(hass, "sensor", "_site_mode")) == "emergency"
    actions = await entry.runtime_data.community.admin_actions()
    assert (actions[0].action, actions[0].actor) == ("emergency_release", FIRE_PANEL)

    # The alarm clears: the release stays, a repair issue says it may be restored.
    await switch(hass, "input_boolean.fire_alarm", False)
    issue_id = trigger_issue_id(entry.entry_id)
    issues = ir.async_get(hass)
    await wait_for(lambda: issues.async_get_issue(DOMAIN, issue_id) is not None)
    assert state(hass, "lock.gate_lock") == "unlocked"
    assert state(hass, entity(hass, "sensor", "_site_mode")) == "emergency"
    # Only an administrator restores; the issue goes with it.
    await call(hass, "emergency_restore", {})
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert state(hass, "lock.gate_lock") == "locked"


async def test_release_survives_reload_and_a_fresh_start(hass: HomeAssistant) -> None:
    entry = await started(hass)
    await call(hass, "emergency_release", {})
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    # While the community is down, the gate is locked by hand.
    await switch(hass, "input_boolean.gate_bolt", True)
    assert state(hass, "lock.gate_lock") == "locked"

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, "lock.gate_lock") == "unlocked"
    assert state(hass, "lock.building_3_door") == "unlocked"
    assert state(hass, entity(hass, "sensor", "_site_mode")) == "emergency"
    # A grant at the held door does not lock it after the open time.
    assert (await present(hass, "Main gate", CARD))["reason"] == "emergency_release"

    # A fresh start of the community on the same database file (with the
    # keys it was written with: another entry's own keys are refused).
    url = f"sqlite:///{hass.config.path(f'community_access_{entry.entry_id}.db')}"
    keys = (await call(hass, "export_keys", {}))["keys"]
    assert await hass.config_entries.async_unload(entry.entry_id)
    await switch(hass, "input_boolean.gate_bolt", True)
    fresh = make_entry(
        doors=DOORS, options=OPTIONS | {"db_url": url}, title="Sunny Gardens again"
    )
    fresh.add_to_hass(hass)
    assert await async_import_keys(hass, fresh.entry_id, keys, url) is None
    assert await hass.config_entries.async_setup(fresh.entry_id)
    await hass.async_block_till_done()
    assert fresh.runtime_data.ops.modes is not None
    assert fresh.runtime_data.ops.modes.state.value == "emergency"
    assert state(hass, "lock.gate_lock") == "unlocked"
    await call(hass, "emergency_restore", {"config_entry_id": fresh.entry_id})
    await hass.async_block_till_done()
    assert state(hass, "lock.gate_lock") == "locked"


def relay_line(port: str) -> ConfigSubentryData:
    """An LCUS board: channel 1 opens building 3 (escape), 2 building 1 (not)."""
    return subentry(
        SUBENTRY_SERIAL_LINE,
        "relays",
        "Relays",
        {
            "baudrate": 9600,
            "port": port,
            "protocol": "lcus",
            "board_size": 2,
            "outputs": {"1": "door_b3", "2": "door_b1"},
        },
    )


def sent(device: PtyDevice, *commands: bytes) -> bool:
    return all(command in bytes(device.received) for command in commands)


async def test_relay_doors_held_on_and_fail_modes(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    await setup_locks_and_panel(hass, ["gate", "exit"])
    link = tmp_path / "ttyUSB0"
    devices = [PtyDevice()]
    link.symlink_to(devices[0].path)

    async def replug() -> PtyDevice:
        link.unlink()
        devices[-1].unplug()
        await wait_for(lambda: state(hass, "lock.building_3_door") == "unavailable")
        devices.append(PtyDevice())
        link.symlink_to(devices[-1].path)
        return devices[-1]

    entry = make_entry(
        doors=DOORS, options=OPTIONS, extra_subentries=[relay_line(str(link))]
    )
    try:
        await setup_community(hass, entry)
        modes = entry.runtime_data.ops.modes
        assert modes is not None
        # Escape doors fail safe by default; the others fail secure.
        assert modes.keepers["door_b3"].fail_mode is FailMode.FAIL_SAFE
        assert modes.keepers["door_b1"].fail_mode is FailMode.FAIL_SECURE
        b3, b1 = lost_notification_id("door_b3"), lost_notification_id("door_b1")

        # Normal times: a fail-safe door losing its line is now uncontrolled
        # (notified); a fail-secure one stays locked (nothing to do).
        device = await replug()
        assert b3 in notifications(hass) and b1 not in notifications(hass)
        await wait_for(lambda: state(hass, "lock.building_3_door") == "locked")
        assert b3 not in notifications(hass)
        assert bytes(device.received) == b""  # nothing switched

        # Released (both listed): both outputs held on.
        await call(
            hass,
            "emergency_release",
            {"scope": "doors", "doors": ["Building 3 door", "Building 1 door"]},
        )
        on = (lcus_command(1, True), lcus_command(2, True))
        await wait_for(lambda: sent(device, *on))
        # The line goes during the release: the fail-secure door cannot open.
        device = await replug()
        assert {b3, b1} <= notifications(hass)
        # It comes back: both outputs are switched on again.
        await wait_for(lambda: sent(device, *on), timeout=10)
        assert not {b3, b1} & notifications(hass)
        assert state(hass, "lock.building_3_door") == "unlocked"

        # A restart during the release: the line starts, outputs on again.
        await unload_lines(hass, entry)
        assert sent(device, lcus_command(1, False), lcus_command(2, False))
        device.received.clear()
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        await wait_for(lambda: sent(device, *on))
        await call(hass, "emergency_restore", {})
        await wait_for(
            lambda: sent(device, lcus_command(1, False), lcus_command(2, False))
        )

        # Released while the line is already down: the fail-secure door is
        # reported at once; restored, that notice goes (locked is fine now).
        link.unlink()
        device.unplug()
        await wait_for(lambda: state(hass, "lock.building_1_door") == "unavailable")
        assert b1 not in notifications(hass)
        listed = {"scope": "doors", "doors": ["Building 3 door", "Building 1 door"]}
        await call(hass, "emergency_release", listed)
        assert b1 in notifications(hass)
        await call(hass, "emergency_restore", {})
        assert b1 not in notifications(hass) and b3 in notifications(hass)
        await unload_lines(hass, entry)
    finally:
        for device in devices:
            device.unplug()


async def test_fire_panel_blueprint_releases(hass: HomeAssistant) -> None:
    entry = make_entry(doors=DOORS)  # no trigger in the options: the blueprint
    await setup_locks_and_panel(hass, ["gate", "exit"])
    await setup_community(hass, entry)
    target = Path(hass.config.config_dir) / "blueprints" / "automation" / DOMAIN
    assert (target / "fire_panel_release.yaml").is_file()
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": f"{DOMAIN}/fire_panel_release.yaml",
                    "input": {"fire_inputs": [FIRE_PANEL], "buildings": ["3"]},
                }
            }
        },
    )
    await hass.async_block_till_done()
    await switch(hass, "input_boolean.fire_alarm", True)
    await settled(hass, "lock.building_3_door", "unlocked")
    assert state(hass, "lock.gate_lock") == "locked"  # not in building 3
    modes = entry.runtime_data.ops.modes
    assert modes is not None and modes.site.released == {"door_b3"}


async def test_door_fail_mode_option(hass: HomeAssistant) -> None:
    entry = await started(hass)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_DOOR), context={"source": SOURCE_USER}
    )
    form = {
        "name": "Building 5 door",
        "zone_kind": "building",
        "building": "5",
        "direction": "in",
        "open_time": 5,
        "escape_route": True,
        "fail_mode": "fail_secure",
    }
    done = await hass.config_entries.subentries.async_configure(result["flow_id"], form)
    assert done["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # the new door reloads the community
    door_id = next(
        s.subentry_id for s in entry.subentries.values() if s.title == "Building 5 door"
    )
    modes = entry.runtime_data.ops.modes
    assert modes is not None
    # Chosen: fail-secure although an escape route; not chosen: by escape route.
    assert modes.keepers[door_id].fail_mode is FailMode.FAIL_SECURE
    assert modes.keepers["door_b3"].fail_mode is FailMode.FAIL_SAFE
    assert modes.keepers["door_b1"].fail_mode is FailMode.FAIL_SECURE


async def test_relock_fight_is_rate_limited(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """A lock that locks itself again at once is unlocked 5 times a minute at most."""
    await started(hass)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "trigger": {
                    "trigger": "state",
                    "entity_id": "input_boolean.gate_bolt",
                    "to": "off",
                },
                "action": {
                    "action": "input_boolean.turn_on",
                    "target": {"entity_id": "input_boolean.gate_bolt"},
                },
            }
        },
    )
    unlocks = async_capture_events(hass, "call_service")
    await call(hass, "emergency_release", {})

    def gate_unlocks() -> int:
        return sum(
            1
            for e in unlocks
            if e.data["domain"] == "lock"
            and e.data["service"] == "unlock"
            and e.data["service_data"].get("entity_id") == "lock.gate_lock"
        )

    await wait_for(lambda: "keeps locking again" in caplog.text)
    for _ in range(5):
        await asyncio.sleep(0.05)
        await hass.async_block_till_done()
    # The release's unlock and 5 answers, then it waits.
    assert gate_unlocks() == 1 + MAX_RETRIES
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await wait_for(lambda: gate_unlocks() > 1 + MAX_RETRIES)


async def test_logbook_lines_of_the_mode_events(hass: HomeAssistant) -> None:
    await started(hass)
    events = async_capture_events(hass, EVENT_EMERGENCY_RELEASE)
    await call(hass, "emergency_release", {"scope": "building", "buildings": ["3"]})
    line = describe_event(hass, EVENT_EMERGENCY_RELEASE, dict(events[0].data))
    assert line == {
        "name": "Emergency release",
        "message": "emergency release (fire, building 3): doors held open: 1",
    }
    hass.config.language = "zh-Hans"
    chinese = describe_event(hass, EVENT_EMERGENCY_RELEASE, dict(events[0].data))
    assert chinese is not None
    assert chinese["message"] == "紧急释放(火灾,楼栋 3):1 个门保持开启"
    restored = describe_event(hass, EVENT_EMERGENCY_RESTORED, {"ended": 1})
    assert restored is not None and restored["message"] == "紧急释放已结束,门恢复正常"
    lifted = describe_event(hass, EVENT_LOCKDOWN_LIFTED, {"ended": 1})
    assert lifted is not None and lifted["name"] == "封闭管控"


async def test_release_survives_a_fresh_home_assistant(hass: HomeAssistant) -> None:
    """A second Home Assistant on the same configuration folder and database."""
    entry = await started(hass)
    await call(hass, "emergency_release", {"cause": "earthquake"})
    await hass.async_block_till_done()
    keys = (await call(hass, "export_keys", {}))["keys"]
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    async with async_test_home_assistant(config_dir=hass.config.config_dir) as fresh:
        fresh.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)  # this integration
        await setup_locks_and_panel(fresh, ["gate", "exit"])
        url = f"sqlite:///{hass.config.path(f'community_access_{entry.entry_id}.db')}"
        again = make_entry(doors=DOORS, options=OPTIONS | {"db_url": url})
        assert await async_import_keys(fresh, again.entry_id, keys, url) is None
        await setup_community(fresh, again)
        assert state(fresh, "lock.gate_lock") == "unlocked"
        assert state(fresh, "lock.exit_lock") == "unlocked"
        assert state(fresh, "lock.building_3_door") == "unlocked"
        assert state(fresh, entity(fresh, "sensor", "_site_mode")) == "emergency"
        await fresh.config_entries.async_unload(again.entry_id)
        await fresh.async_block_till_done()
        await fresh.async_stop(force=True)


async def test_released_door_raises_no_door_alarm(hass: HomeAssistant) -> None:
    """A door held open by a release may stand open: no forced or held-open alarm."""
    await setup_locks_and_panel(hass, ["gate", "exit"])
    doors = [
        (sid, name, data | {"door_contact": "binary_sensor.gate_contact"})
        if sid == "door_gate"
        else (sid, name, data)
        for sid, name, data in DOORS
    ]
    await setup_community(hass, make_entry(doors=doors, options=OPTIONS))
    alarms = async_capture_events(hass, EVENT_DOOR_ALARM)
    await call(hass, "emergency_release", {})
    await hass.async_block_till_done()
    await switch(hass, "input_boolean.gate_open", True)
    await settled(hass, "binary_sensor.gate_contact", "on")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=5))
    await hass.async_block_till_done()
    assert alarms == []
    # Restored and closed, the same door forced open is an alarm again.
    await switch(hass, "input_boolean.gate_open", False)
    await settled(hass, "binary_sensor.gate_contact", "off")
    await call(hass, "emergency_restore", {})
    await hass.async_block_till_done()
    await switch(hass, "input_boolean.gate_open", True)
    await wait_for(lambda: any(e.data["kind"] == "forced_open" for e in alarms))


async def test_maintenance_and_emergency_holds_kept_apart(
    hass: HomeAssistant,
) -> None:
    """Each hold's end locks the door only when the other is not holding it."""
    entry = await started(hass)
    operator = entry.runtime_data.doors["door_b3"]
    await operator.async_hold_open()  # a maintenance window in open mode
    await call(hass, "emergency_release", {})
    await call(hass, "emergency_restore", {})
    await hass.async_block_till_done()
    assert state(hass, "lock.building_3_door") == "unlocked"  # maintenance holds
    await call(hass, "emergency_release", {})
    await operator.async_release_hold()  # the window ends during the release
    await hass.async_block_till_done()
    assert state(hass, "lock.building_3_door") == "unlocked"  # released
    await call(hass, "emergency_restore", {})
    await hass.async_block_till_done()
    assert state(hass, "lock.building_3_door") == "locked"


async def test_restore_while_the_release_is_being_stored(hass: HomeAssistant) -> None:
    """A restore that lands while the release is written to the database wins."""
    entry = await started(hass)
    modes = entry.runtime_data.ops.modes
    assert modes is not None
    slow_write = modes_store.add_mode

    def add_mode_slowly(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.3)  # in the worker thread: the database is slow today
        return slow_write(*args, **kwargs)

    with patch.object(modes_store, "add_mode", add_mode_slowly):
        release = hass.async_create_task(call(hass, "emergency_release", {}))
        # The doors are commanded while the release is still being stored.
        await wait_for(lambda: state(hass, "lock.gate_lock") == "unlocked")
        assert any(mode_id < 0 for mode_id in modes.site.active)
        await call(hass, "emergency_restore", {})
        await release
    await hass.async_block_till_done()
    assert modes.state.value == "normal"
    assert state(hass, "lock.gate_lock") == "locked"
    # Nothing left active in the database either.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, entity(hass, "sensor", "_site_mode")) == "normal"
    assert state(hass, "lock.gate_lock") == "locked"
