"""Pairing an OSDP reader: the steps the options flow and the office panel share.

:func:`async_pair_configured` pairs a reader that is configured already (the
options flow's pair step; the office panel for a reader configured at that
address). :func:`async_pair_new` pairs a reader at an address of a running
line that no reader subentry names yet: it polls the address for a moment,
pairs (install mode with the default key, then KEYSET to a fresh key, kept
encrypted: :func:`.osdp_keys.async_pair`), and only then keeps the reader as
an ``osdp_reader`` subentry, exactly what the flow's add step creates. Adding
the subentry reloads the entry; :func:`async_pair_new` returns once that
reload has settled. A reader that does not answer, or refuses, leaves nothing
behind.
"""

from __future__ import annotations

import asyncio
from types import MappingProxyType
from typing import Final

from homeassistant.config_entries import ConfigEntryState, ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.util import ulid as ulid_util

from .const import (
    CONF_ADDRESS,
    CONF_DOOR,
    CONF_FEEDBACK,
    CONF_LINE,
    CONF_OUTPUT,
    SUBENTRY_OSDP_READER,
)
from .drivers.osdp_session import Online, SessionEvent
from .osdp_config import PAIR_TIMEOUT, Identity, PairingError, ReaderConfig
from .osdp_hub import OsdpHub, find_reader
from .runtime import CommunityConfigEntry

#: How long an address is polled for an answer before pairing is given up.
PROBE_TIMEOUT: Final = 3.0
#: How long the entry may take to reload with the new reader.
RELOAD_TIMEOUT: Final = 60.0


async def async_pair_configured(
    entry: CommunityConfigEntry, reader_id: str, timeout: float = PAIR_TIMEOUT
) -> Identity:
    """Pair a configured reader; ``PairingError`` (flow error key) on failure."""
    found = find_reader(entry, reader_id)
    if found is None:
        raise PairingError("reader_not_running")
    hub, reader = found
    return await hub.async_pair(reader, timeout)


async def async_pair_new(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    hub: OsdpHub,
    *,
    title: str,
    address: int,
    door_id: str,
    timeout: float = PAIR_TIMEOUT,
) -> tuple[str, Identity]:
    """Pair the reader answering at ``address`` and keep it; return its id.

    ``PairingError``: ``no_answer`` (nobody at that address), or what
    :func:`.osdp_keys.async_pair` raises; then nothing is kept.
    """
    data = {
        CONF_LINE: hub.config.id,
        CONF_ADDRESS: address,
        CONF_DOOR: door_id,
        CONF_OUTPUT: None,
        CONF_FEEDBACK: True,
    }
    config = ReaderConfig.from_data(ulid_util.ulid_now(), title, data)
    if not hub.connected:
        raise PairingError("line_down")
    reader = hub.add_reader(config)
    try:
        if not reader.online:

            def _answered(addr: int, event: SessionEvent) -> bool:
                return addr == address and isinstance(event, Online)

            try:
                await hub.within(hub.expect(_answered), PROBE_TIMEOUT)
            except TimeoutError as err:
                raise PairingError("no_answer") from err
        identity = await hub.async_pair(reader, timeout)
    finally:
        hub.remove_reader(reader)
    # The key is kept under the subentry's id: the subentry gets that id.
    subentry = ConfigSubentry(
        data=MappingProxyType(data),
        subentry_type=SUBENTRY_OSDP_READER,
        title=title,
        unique_id=None,
        subentry_id=config.id,
    )
    before = entry.runtime_data
    hass.config_entries.async_add_subentry(entry, subentry)
    await async_settle_reload(entry, before)
    return config.id, identity


async def async_settle_reload(entry: CommunityConfigEntry, before: object) -> None:
    """Wait until the reload a subentry change scheduled is over.

    The update listener schedules the reload; it holds the entry's setup
    lock while it runs. ``PairingError("reload_failed")`` if the entry did
    not load again.
    """
    try:
        async with asyncio.timeout(RELOAD_TIMEOUT):
            while True:
                await asyncio.sleep(0)
                async with entry.setup_lock:
                    if (
                        entry.state is ConfigEntryState.LOADED
                        and getattr(entry, "runtime_data", None) is not before
                    ):
                        return
                    if entry.state in (
                        ConfigEntryState.SETUP_ERROR,
                        ConfigEntryState.SETUP_RETRY,
                    ):
                        raise PairingError("reload_failed")
                await asyncio.sleep(0.05)
    except TimeoutError as err:
        raise PairingError("reload_failed") from err
