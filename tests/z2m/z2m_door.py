"""A community door bound to a simulated Zigbee2MQTT lock that keeps its codes.

Shared by the ``test_z2m_*`` tests: the door "Building 3 door" is bound to
the lock entity HA's MQTT discovery made for the simulated lock, with "keep
codes on the lock" on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from custom_components.community_access import lock_adapters, lock_codes
from custom_components.community_access.const import DOMAIN
from custom_components.community_access.lock_codes import LockCodes
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from tests.conftest import doors_with, make_entry
from tests.helpers import ID_NUMBER, call, setup_community

from .lock_sim import Z2mLockSim

DOOR = "door_b3"
SENSOR = "sensor.building_3_door_lock_codes"
ISSUE_UNMANAGED = f"lock_codes_unmanaged_{DOOR}"
ISSUE_FAILED = f"lock_codes_failed_{DOOR}"
ISSUE_UNFITTED = f"lock_codes_unfitted_{DOOR}"


def quick(monkeypatch: pytest.MonkeyPatch, *, write_timeout: float = 0.5) -> None:
    """No rate limit, short back-off and short MQTT answer timeouts."""
    monkeypatch.setattr(lock_codes, "DEBOUNCE", 0.05)
    monkeypatch.setattr(
        lock_codes,
        "SYNCER_DEFAULTS",
        {"min_interval": 0.0, "backoff_base": 0.01, "backoff_cap": 0.05},
    )
    monkeypatch.setattr(
        lock_adapters,
        "Z2M_DEFAULTS",
        {"timeout": 3.0, "write_timeout": write_timeout},
    )


async def until(
    hass: HomeAssistant, check: Callable[[], Any], timeout: float = 20.0
) -> None:
    """Wait until ``check()`` is true (the sync runs in the background)."""
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.02)
    await hass.async_block_till_done()


def codes_of(hass: HomeAssistant) -> LockCodes:
    """The door's LockCodes."""
    entry = next(iter(hass.config_entries.async_loaded_entries(DOMAIN)))
    return entry.runtime_data.lock_codes[DOOR]


def sensor_state(hass: HomeAssistant) -> str | None:
    """The door's lock-sync sensor."""
    state = hass.states.get(SENSOR)
    return None if state is None else state.state


async def in_sync(hass: HomeAssistant, timeout: float = 20.0) -> None:
    """Wait until the door's lock is in sync and nothing more is asked."""
    await until(
        hass,
        lambda: (
            (status := codes_of(hass).status()) is not None
            and status.state == "in_sync"
            and not codes_of(hass)._wake.is_set()
        ),
        timeout,
    )


async def community_with(
    hass: HomeAssistant, sim: Z2mLockSim, **options: Any
) -> ConfigEntry:
    """The community, its door bound to ``sim``'s lock entity; first sync done."""
    assert sim.entity_id is not None
    doors = doors_with(DOOR, lock_entity=sim.entity_id, manage_codes=True)
    entry = make_entry(doors=doors, options=options)
    await setup_community(hass, entry)
    await in_sync(hass)
    return entry


async def person(
    hass: HomeAssistant, unit: str, name: str, pin: str | None = None
) -> int:
    """A person of ``unit`` (household made if needed), with a PIN if given."""
    community = next(
        iter(hass.config_entries.async_loaded_entries(DOMAIN))
    ).runtime_data.community
    if community.index.household_by_unit(unit) is None:
        await call(hass, "add_household", {"unit": unit})
    added = await call(
        hass,
        "add_person",
        {"unit": unit, "name": name, "role": "owner", "id_number": ID_NUMBER},
    )
    person_id = int(added["person_id"])
    if pin is not None:
        await call(
            hass,
            "add_credential",
            {"person_id": person_id, "kind": "pin", "value": pin},
        )
    return person_id


def pin_writes(sim: Z2mLockSim) -> list[dict[str, Any]]:
    """Every ``set`` of ``pin_code`` with a code (a write), in order."""
    return [
        c.value
        for c in sim.commands
        if c.kind == "set"
        and c.key == "pin_code"
        and isinstance(c.value, dict)
        and c.value.get("pin_code") is not None
    ]


def pin_clears(sim: Z2mLockSim) -> list[dict[str, Any]]:
    """Every ``set`` of ``pin_code`` null (a clear), in order."""
    return [
        c.value
        for c in sim.commands
        if c.kind == "set"
        and c.key == "pin_code"
        and isinstance(c.value, dict)
        and c.value.get("pin_code") is None
    ]


def pin_reads(sim: Z2mLockSim) -> list[int]:
    """The users read with ``get`` ``pin_code``, in order."""
    return [
        c.value["user"]
        for c in sim.commands
        if c.kind == "get" and c.key == "pin_code" and isinstance(c.value, dict)
    ]
