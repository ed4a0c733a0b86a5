"""Locks no door keeps codes on any more: clear the codes the community wrote.

The door's "keep codes on the lock" was turned off, or the door was deleted
or bound to another lock: the lock must not go on admitting codes nobody
syncs any more (a card reported lost would stay valid there).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant

from .const import LOGGER
from .core.lock_sync import LockSyncer
from .lock_adapters import (
    Z2M_PREFIX,
    ZHA_PREFIX,
    async_find_lock_adapter,
    async_find_lock_adapter_by_id,
    async_lock_entity_pending,
    async_lock_ids_ready,
)
from .runtime import CommunityConfigEntry

#: How often a lock that could not be cleared yet is tried again.
ORPHAN_RETRY = timedelta(minutes=5)


async def async_release_orphans(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    syncer_options: dict[str, Any] | None = None,
) -> None:
    """Clear our codes from Zigbee locks that no door keeps codes on any more.

    Runs until every such lock is cleared and forgotten. A lock is only
    treated so once the lock of every door that keeps codes has been found
    (through ZHA or Zigbee2MQTT), so a lock still in use is never taken for
    an orphan.
    """
    runtime = entry.runtime_data
    community = runtime.community
    while True:
        known = [
            lock_id
            for lock_id in await community.run(community.db.lock_ids)
            if lock_id.startswith((ZHA_PREFIX, Z2M_PREFIX))
        ]
        if not known:
            return
        claimed: set[str] = set()
        complete = all(async_lock_ids_ready(hass, lock_id) for lock_id in known)
        for operator in runtime.doors.values():
            lock = operator.config.lock_entity_id
            if lock is None or not operator.config.manage_codes:
                continue
            codes = runtime.lock_codes.get(operator.id)
            adapter = codes.adapter if codes is not None else None
            if adapter is None:
                adapter = await async_find_lock_adapter(hass, lock)
                if adapter is not None:
                    claimed.add(adapter.lock_id)
                    await adapter.async_stop()
            else:
                claimed.add(adapter.lock_id)
            if adapter is None and async_lock_entity_pending(hass, lock):
                complete = False  # a lock not found yet: cannot tell
        orphans = [lock_id for lock_id in known if lock_id not in claimed]
        if not orphans:
            return
        done = complete and all(
            [
                await _async_release_orphan(hass, entry, lock_id, syncer_options or {})
                for lock_id in orphans
            ]
        )
        if done:
            return
        await asyncio.sleep(ORPHAN_RETRY.total_seconds())


async def _async_release_orphan(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    lock_id: str,
    syncer_options: dict[str, Any],
) -> bool:
    """Clear one orphaned lock; whether it is done (cleared and forgotten)."""
    community = entry.runtime_data.community
    known, adapter = await async_find_lock_adapter_by_id(hass, lock_id)
    if not known:
        # The device left ZHA / Zigbee2MQTT: nothing can be sent to it any more.
        rows = await community.run(community.db.lock_slots, lock_id)
        ours = sum(1 for row in rows if row.credential_id is not None)
        await community.run(community.db.forget_lock, lock_id)
        if ours:
            LOGGER.warning(
                "Lock %s left its Zigbee network holding %d codes the community "
                "wrote; clear them at the lock",
                lock_id,
                ours,
            )
        return True
    if adapter is None:
        return False
    try:
        if not adapter.available:
            return False
        syncer = LockSyncer(
            community, lock_id, "", adapter, release=True, **syncer_options
        )
        report = await syncer.sync()
    finally:
        await adapter.async_stop()
    rows = await community.run(community.db.lock_slots, lock_id)
    if report.aborted or any(row.credential_id is not None for row in rows):
        return False
    await community.run(community.db.forget_lock, lock_id)
    LOGGER.info(
        "Lock %s is no longer used by any door: %d codes the community wrote "
        "there were cleared",
        lock_id,
        report.commands,
    )
    return True
