"""Repairs of a Zigbee2MQTT lock's codes: unmanaged, failing, duplicate, write-only.

Real broker, HA's real ``mqtt``, the simulated Zigbee2MQTT lock.
"""

from __future__ import annotations

import asyncio

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.community_access.const import DOMAIN
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from tests.helpers import call

from .conftest import Z2mLockFactory
from .z2m_door import (
    DOOR,
    ISSUE_FAILED,
    ISSUE_UNMANAGED,
    SENSOR,
    codes_of,
    community_with,
    in_sync,
    person,
    pin_writes,
    quick,
    sensor_state,
    until,
)


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    quick(monkeypatch)


def _issue(hass: HomeAssistant, issue_id: str) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, issue_id)


async def test_unmanaged_code_untouched_then_cleared_or_adopted(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    sim = await z2m_lock(pin_users=8, rf_events=True)
    sim.set_slot(0, "2468013")  # set at the lock's own keypad
    sim.set_slot(2, "9081726")
    await async_setup_component(hass, "repairs", {})
    await community_with(hass, sim)
    issue = _issue(hass, ISSUE_UNMANAGED)
    assert issue is not None
    assert issue.translation_placeholders["slots"] == "1, 3"
    assert hass.states.get(SENSOR).attributes["unmanaged"] == 2

    await person(hass, "3-2-501", "赵磊", "583716")
    await in_sync(hass)
    assert sim.codes()[0] == "2468013" and sim.codes()[2] == "9081726"
    assert all(w["user"] not in (0, 2) for w in pin_writes(sim))

    # The repair: adopting an unknown code needs a person; clearing works.
    manager = repairs_flow_manager(hass)
    assert manager is not None
    flow = await manager.async_init(DOMAIN, data={"issue_id": ISSUE_UNMANAGED})
    result = await manager.async_configure(
        flow["flow_id"], {"slot": "1", "action": "adopt"}
    )
    assert result["errors"] == {"base": "lock_code_not_known"}
    result = await manager.async_configure(
        flow["flow_id"], {"slot": "1", "action": "clear"}
    )
    assert result["type"] is FlowResultType.FORM  # slot 3 is still unmanaged
    assert 0 not in sim.codes()

    # The other one is adopted for a person: read from the lock (expose_pin).
    owner = await person(hass, "3-2-502", "钱芳")
    response = await call(
        hass,
        "resolve_unmanaged_lock_code",
        {"door": "Building 3 door", "slot": 3, "action": "adopt", "person_id": owner},
    )
    assert response["unmanaged"] == 0
    await in_sync(hass)
    community = codes_of(hass).entry.runtime_data.community
    (pin,) = [c for c in community.index.credentials.values() if c.person_id == owner]
    assert pin.kind == "pin"
    assert sim.codes()[2] == "9081726"  # kept where it was, not rewritten
    assert _issue(hass, ISSUE_UNMANAGED) is None


async def test_failing_lock_backs_off_raises_a_repair_then_recovers(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """Zigbee2MQTT logs a timeout for every command: retries, a repair, recovery."""
    sim = await z2m_lock(pin_users=8, rf_events=True)
    await community_with(hass, sim)
    sim.drop_next(10)  # five tries, each a write and a read-back
    sim.commands.clear()
    await person(hass, "3-2-501", "赵磊", "583716")
    await until(hass, lambda: sensor_state(hass) == "failed")
    assert len(pin_writes(sim)) == 5
    issue = _issue(hass, ISSUE_FAILED)
    assert issue is not None and issue.translation_placeholders["count"] == "1"
    assert sim.codes() == {}
    # Zigbee2MQTT's log line has the PIN in it: it never reaches ours.
    assert any("583716" in entry["message"] for entry in sim.logged)
    assert "583716" not in str(codes_of(hass).diagnostics())

    response = await call(
        hass, "resync_lock_codes", {"door": "Building 3 door", "full": False}
    )
    assert response["state"] == "in_sync" and response["failed"] == 0
    assert list(sim.codes().values()) == ["583716"]
    assert _issue(hass, ISSUE_FAILED) is None


async def test_an_offline_lock_waits_and_the_service_says_so(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    sim = await z2m_lock(pin_users=8, rf_events=True)
    await community_with(hass, sim)
    sim.offline()
    await until(hass, lambda: hass.states.get(sim.entity_id).state == "unavailable")
    sim.commands.clear()
    await person(hass, "3-2-501", "赵磊", "583716")
    # The worker does not send while the lock entity is unavailable.
    await asyncio.sleep(0.3)
    await hass.async_block_till_done()
    assert pin_writes(sim) == []
    # Asked to sync now, the commands go out, Zigbee2MQTT logs timeouts.
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "resync_lock_codes", {"door": "Building 3 door"})
    assert err.value.translation_key == "lock_codes_unreachable"
    assert sim.codes() == {}
    sim.online()
    await until(hass, lambda: hass.states.get(sim.entity_id).state != "unavailable")
    response = await call(
        hass, "resync_lock_codes", {"door": "Building 3 door", "full": False}
    )
    assert response["state"] == "in_sync"
    assert list(sim.codes().values()) == ["583716"]


async def test_duplicate_code_is_reported_once_not_retried(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """The lock refuses a PIN another of its users has; Zigbee2MQTT is silent."""
    sim = await z2m_lock(pin_users=8, rf_events=True)
    sim.set_slot(0, "583716")  # an unmanaged code the read-back saw
    await community_with(hass, sim)
    sim.commands.clear()
    await person(hass, "3-2-501", "赵磊", "583716")
    await until(hass, lambda: sensor_state(hass) == "duplicate")
    assert len(pin_writes(sim)) == 1  # not retried
    slot = pin_writes(sim)[0]["user"]
    issue = _issue(hass, f"lock_codes_duplicate_{DOOR}_{slot + 1}")
    assert issue is not None
    assert issue.translation_key == "lock_codes_duplicate"
    assert issue.translation_placeholders["other_slot"] == "1"
    # Later runs leave it alone until something changes.
    await person(hass, "3-2-502", "钱芳", "790412")
    await until(hass, lambda: "790412" in sim.codes().values())
    await until(hass, lambda: sensor_state(hass) == "duplicate")
    assert [w["pin_code"] for w in pin_writes(sim)] == ["583716", "790412"]
    assert sim.codes()[0] == "583716" and slot not in sim.codes()


async def test_write_only_codes_without_expose_pin(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """Without ``expose_pin`` codes cannot be read: the sync status says so."""
    sim = await z2m_lock(pin_users=8, expose_pin=False, rf_events=False)
    sim.set_slot(1, "2468013")
    await async_setup_component(hass, "repairs", {})
    entry = await community_with(hass, sim)
    attributes = hass.states.get(SENSOR).attributes
    assert attributes["codes"] == "write_only"
    assert attributes["unmanaged"] == 1
    assert "2468013" not in str(sim.published)  # Zigbee2MQTT never showed it

    # A write the lock does not report is confirmed by "occupied", once.
    sim.commands.clear()
    await person(hass, "3-2-501", "赵磊", "583716")
    await in_sync(hass)
    assert len(pin_writes(sim)) == 1
    assert sorted(sim.codes().values()) == ["2468013", "583716"]

    # The unknown code cannot be registered for a person, only cleared.
    owner = await person(hass, "3-2-502", "钱芳")
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "resolve_unmanaged_lock_code",
            {
                "door": "Building 3 door",
                "slot": 2,
                "action": "adopt",
                "person_id": owner,
            },
        )
    assert err.value.translation_key == "lock_code_write_only"
    await call(
        hass,
        "resolve_unmanaged_lock_code",
        {"door": "Building 3 door", "slot": 2, "action": "clear"},
    )
    assert 1 not in sim.codes()
    diagnostics = codes_of(hass).diagnostics()
    assert diagnostics["codes"] == "write_only"
    assert entry is not None
