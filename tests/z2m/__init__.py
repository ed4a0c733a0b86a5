"""Zigbee2MQTT tests: a private Mosquitto broker, HA's real ``mqtt``
integration and a simulated Zigbee2MQTT lock (``lock_sim.py``).

Small helpers shared by the tests of this folder live here; the fixtures
are in ``conftest.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import time

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .lock_sim import Z2mLockSim

#: How long a wait on MQTT traffic may take before the test fails.
WAIT_TIMEOUT = 10.0


async def wait_for(
    hass: HomeAssistant,
    predicate: Callable[[], object],
    what: str,
    timeout: float = WAIT_TIMEOUT,
) -> None:
    """Let MQTT traffic flow until ``predicate()`` is truthy, else fail.

    MQTT messages travel over real sockets, so this waits in real time
    (short sleeps), letting Home Assistant run its jobs in between.
    """
    deadline = time.monotonic() + timeout
    while True:
        await hass.async_block_till_done()
        if predicate():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.01)


def lock_entity_id(hass: HomeAssistant, sim: Z2mLockSim) -> str | None:
    """The ``lock`` entity HA's MQTT discovery created for ``sim`` (or None)."""
    return er.async_get(hass).async_get_entity_id("lock", "mqtt", sim.unique_id)


def lock_state(hass: HomeAssistant, sim: Z2mLockSim) -> str | None:
    """The HA state of ``sim``'s lock entity (``locked``, ``unavailable``...)."""
    state = hass.states.get(sim.entity_id) if sim.entity_id else None
    return state.state if state is not None else None


async def wait_for_lock_entity(
    hass: HomeAssistant, sim: Z2mLockSim, timeout: float = WAIT_TIMEOUT
) -> str:
    """Wait until HA discovered ``sim`` and shows its state; its entity id.

    Zigbee2MQTT's state messages are not retained: once the entity exists
    (and so has subscribed to the state topic) the sim publishes its state
    again, and this waits until HA shows it.
    """
    await wait_for(
        hass,
        lambda: lock_entity_id(hass, sim),
        f"the lock entity of {sim.friendly_name}",
        timeout,
    )
    entity_id = lock_entity_id(hass, sim)
    assert entity_id is not None
    sim.entity_id = entity_id
    expected = "locked" if sim.state.get("state") == "LOCK" else "unlocked"

    def shown() -> bool:
        state = hass.states.get(entity_id)
        return state is not None and state.state == expected

    deadline = time.monotonic() + timeout
    while not shown():
        sim.publish_state()
        await wait_for(hass, lambda: True, "HA", timeout)
        for _ in range(20):
            await asyncio.sleep(0.01)
            await hass.async_block_till_done()
            if shown():
                break
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{entity_id} never showed the lock's state {expected!r}"
            )
    return entity_id
