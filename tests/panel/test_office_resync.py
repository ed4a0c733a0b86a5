"""``office/resync_lock`` on a real ZHA Door Lock (the test harness's radio)."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.community_access import lock_codes
from homeassistant.core import HomeAssistant
from tests.conftest import doors_with, make_entry
from tests.helpers import PIN, add_resident, call
from tests.zha_lock_harness import DoorLockSimulator, ZhaLockEnv

from .office_common import ok

DOOR = "door_b3"


@pytest.fixture
def door_lock_sim() -> DoorLockSimulator:
    """A small lock: 8 PIN users and 8 card users."""
    return DoorLockSimulator(lock_attributes={0x0012: 8, 0x0013: 8})


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """No rate limit and short back-off."""
    monkeypatch.setattr(lock_codes, "DEBOUNCE", 0.05)
    monkeypatch.setattr(
        lock_codes,
        "SYNCER_DEFAULTS",
        {"min_interval": 0.0, "backoff_base": 0.01, "backoff_cap": 0.05},
    )


@pytest.fixture
def config_entry(zha_lock: ZhaLockEnv) -> MockConfigEntry:
    """Building 3's door keeps its codes on the ZHA lock."""
    return make_entry(
        doors=doors_with(DOOR, lock_entity=zha_lock.entity_id, manage_codes=True)
    )


async def test_resync_lock_writes_the_codes(
    hass: HomeAssistant,
    office: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    door_lock_sim: DoorLockSimulator,
) -> None:
    """A resync from the office brings the lock in step and says so."""
    ids = await add_resident(hass, card=None)
    await call(
        hass,
        "add_credential",
        {"person_id": ids["person_id"], "kind": "pin", "value": PIN},
    )
    ws = await hass_ws_client(hass)
    door = await ok(ws, "office/resync_lock", office, door_id=DOOR)
    assert door["door_id"] == DOOR
    assert door["lock_codes"] == {"state": "in_sync", "problems": 0}
    assert list(door_lock_sim.pins().values()) == [PIN]
    assert PIN not in str(door)
    devices = await ok(ws, "office/devices", office)
    assert {d["door_id"]: d["online"] for d in devices}[DOOR] is True
