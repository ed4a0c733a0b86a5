"""Set-up's own work that runs on after set-up returns (issue 14, goal 3).

The first expiry sweep and the muster counts' read still run when the entry
is loaded; the memory the loading's worker threads freed is handed back to
the system (``release_free_heap``) only once both are done, so that what
they allocate and free is trimmed too.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import custom_components.community_access as integration
from custom_components.community_access import housekeeping
from custom_components.community_access.operations.muster import MusterWatch
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from .conftest import make_entry


async def test_heap_trimmed_after_expiry_and_muster(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The trim waits for the first expiry sweep and the muster read."""
    order: list[str] = []
    expiry_gate = asyncio.Event()
    muster_gate = asyncio.Event()
    real_expire = housekeeping.async_expire
    real_load = MusterWatch._async_load

    async def gated_expire(entry: Any) -> int:
        await expiry_gate.wait()
        expired = await real_expire(entry)
        order.append("expiry")
        return expired

    async def gated_load(self: MusterWatch) -> None:
        await muster_gate.wait()
        await real_load(self)
        order.append("muster")

    def trim() -> bool:
        order.append("trim")
        return True

    monkeypatch.setattr(housekeeping, "async_expire", gated_expire)
    monkeypatch.setattr(MusterWatch, "_async_load", gated_load)
    monkeypatch.setattr(integration, "release_free_heap", trim)

    entry = make_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.LOADED
    # Let everything that can run run: the executor, several loop turns.
    for _ in range(3):
        await hass.async_add_executor_job(lambda: None)
        await asyncio.sleep(0)
    assert order == []
    assert len(entry.runtime_data.startup_work) == 2

    muster_gate.set()
    for _ in range(50):
        if order:
            break
        await hass.async_add_executor_job(lambda: None)
        await asyncio.sleep(0)
    for _ in range(3):  # time for a trim that should not come
        await hass.async_add_executor_job(lambda: None)
        await asyncio.sleep(0)
    assert order == ["muster"]  # the expiry sweep still runs: no trim yet

    expiry_gate.set()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert order == ["muster", "expiry", "trim"]
    assert entry.runtime_data.startup_work == []
