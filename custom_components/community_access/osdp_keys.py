"""OSDP reader keys: pairing, rotation, the pending key and the stored records.

A reader's secure channel key (SCBK) is created only by pairing
(:func:`async_pair`, called through :meth:`.osdp_hub.OsdpHub.async_pair`
from the config flow's time-limited pair step and the office panel, see
:mod:`.osdp_pairing`) and changed only by
:func:`async_rotate`. Keys live encrypted with the community vault in the
database settings table, keyed by the reader's subentry id
(:func:`~.osdp_config.key_setting`), never in subentry data, logs or events.
A reader with a key always runs the secure channel (see :mod:`.osdp_reader`
for what happens when it does not).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
import secrets
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER
from .drivers.osdp import IdRequest, PdId
from .drivers.osdp_session import (
    KeySet,
    KeysetAccepted,
    SecureChannelEstablished,
    SecureChannelFailed,
    SessionEvent,
)
from .osdp_config import (
    COMMAND_TIMEOUT,
    KEY_SETTING_PREFIX,
    PAIR_TIMEOUT,
    Identity,
    KeyRecord,
    PairingError,
    key_setting,
    mask_serial,
    reader_subentries,
)
from .runtime import CommunityConfigEntry

if TYPE_CHECKING:
    from .osdp_hub import OsdpHub
    from .osdp_reader import OsdpReader

type _Match = Callable[[int, SessionEvent], bool]


# ---- stored records
async def async_load_record(
    entry: CommunityConfigEntry, reader_id: str
) -> KeyRecord | None:
    """Return a reader's stored key record, or ``None`` if it was never paired."""
    community = entry.runtime_data.community
    token = await community.run(community.db.setting, key_setting(reader_id))
    if not token:
        return None
    return KeyRecord.loads(community.vault.decrypt(token))


async def async_store_record(
    entry: CommunityConfigEntry, reader_id: str, record: KeyRecord
) -> None:
    """Keep a reader's key record, encrypted with the community vault."""
    community = entry.runtime_data.community
    token = community.vault.encrypt(record.dumps())
    await community.run(community.db.set_setting, key_setting(reader_id), token)


async def async_forget_removed_readers(entry: CommunityConfigEntry) -> list[str]:
    """Delete the stored keys of readers that are no longer configured."""
    community = entry.runtime_data.community
    configured = {key_setting(s.subentry_id) for s in reader_subentries(entry)}
    stored = await community.run(community.db.setting_keys, KEY_SETTING_PREFIX)
    removed = [key for key in stored if key not in configured]
    for key in removed:
        await community.run(community.db.delete_setting, key)
        LOGGER.info(
            "Deleted the secure-channel key of a removed OSDP reader (%s)",
            key.removeprefix(KEY_SETTING_PREFIX),
        )
    return removed


async def _store(hub: OsdpHub, reader: OsdpReader, record: KeyRecord) -> None:
    await async_store_record(hub.entry, reader.config.id, record)


# ---- waiting for the reader
def _keyset_accepted_by(address: int) -> _Match:
    def _accepted(addr: int, event: SessionEvent) -> bool:
        return addr == address and isinstance(event, KeysetAccepted)

    return _accepted


def _handshake_of(address: int) -> _Match:
    def _done(addr: int, event: SessionEvent) -> bool:
        return addr == address and isinstance(
            event, SecureChannelEstablished | SecureChannelFailed
        )

    return _done


# ---- pairing
async def async_pair(
    hub: OsdpHub, reader: OsdpReader, timeout: float = PAIR_TIMEOUT
) -> Identity:
    """Pair a reader in install mode.

    Handshake with the default key,
    read its identity, KEYSET a fresh key, keep key and identity.

    Install mode on our side lasts at most ``timeout`` seconds; on any
    failure the reader's previous session comes back. ``PairingError``
    with a flow error key on failure.
    """
    if not hub.connected:
        raise PairingError("line_down")
    if reader.pairing:
        raise PairingError("pair_in_progress")
    address = reader.config.address
    reader.pairing = True
    reader.trusted = False
    hub.replace_session(reader, reader.new_session(install_mode=True))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + min(timeout, PAIR_TIMEOUT)
    scbk = secrets.token_bytes(16)
    success = False
    try:
        try:
            event = await hub.within(
                hub.expect(_handshake_of(address)), deadline - loop.time()
            )
            if isinstance(event, SecureChannelFailed):
                raise PairingError("pair_refused")
            ident = await hub.async_command(reader, IdRequest(), deadline - loop.time())
            if not isinstance(ident.reply, PdId):
                raise PairingError("pair_refused")
            identity = Identity.from_pdid(ident.reply)
            accepted = hub.expect(_keyset_accepted_by(address))
            try:
                done = await hub.async_command(
                    reader, KeySet(scbk), deadline - loop.time()
                )
                if not done.ok:
                    raise PairingError("pair_refused")
                await hub.within(accepted, deadline - loop.time())
            finally:
                accepted.cancel()
        except TimeoutError as err:
            raise PairingError("pair_timeout") from err
        now = dt_util.utcnow().isoformat()
        record = KeyRecord(scbk=scbk, identity=identity, paired_at=now)
        await _store(hub, reader, record)
        reader.record = record
        reader.identity = identity
        success = True
    finally:
        reader.pairing = False
        hub.replace_session(reader, reader.new_session())
        if not success:
            reader.notify()
    LOGGER.info(
        "OSDP reader %s paired (model %d, serial %s)",
        reader.config.title,
        identity.model,
        mask_serial(identity.serial),
    )
    reader.clear_alarm()
    async_update_unpaired_issues(hub.hass, hub.entry)
    reader.notify()
    return identity


# ---- rotation
async def async_rotate(hub: OsdpHub, reader: OsdpReader) -> str:
    """Give a paired reader a new key on its secure channel.

    The new key is kept only once the reader acknowledged it; until then
    the old key stays (and the new one is remembered as pending, tried
    if the old one stops working: a lost acknowledgement never locks the
    reader out). Returns ``rotated``, ``not_paired``, ``offline`` or
    ``failed``.
    """
    record = reader.record
    if record is None:
        return "not_paired"
    if not (reader.online and reader.secure and reader.trusted):
        return "offline"
    scbk = secrets.token_bytes(16)
    record.pending = scbk
    await _store(hub, reader, record)
    accepted = hub.expect(_keyset_accepted_by(reader.config.address))
    try:
        done = await hub.async_command(reader, KeySet(scbk))
        if not done.ok:
            record.pending = None
            await _store(hub, reader, record)
            return "failed"
        await hub.within(accepted, COMMAND_TIMEOUT)
    except TimeoutError:
        LOGGER.warning(
            "%s: no acknowledgement of the new key; the old one is kept",
            reader.config.title,
        )
        return "failed"
    finally:
        accepted.cancel()
    # keyset_accepted already made it the key (KeysetAccepted); keep it now.
    await _store(hub, reader, record)
    return "rotated"


@callback
def keyset_accepted(hub: OsdpHub, reader: OsdpReader, scbk: bytes) -> None:
    """Make an acknowledged new key the key."""
    record = reader.record
    if reader.pairing or record is None or record.pending != scbk:
        return
    record.scbk = scbk
    record.pending = None
    record.rotated_at = dt_util.utcnow().isoformat()
    hub.entry.async_create_background_task(
        hub.hass, _store(hub, reader, record), f"{DOMAIN} keep OSDP key"
    )


def try_pending_key(hub: OsdpHub, reader: OsdpReader) -> bool:
    """After a failed handshake, try a key sent but never acknowledged.

    Returns whether a retry was started (the pending key becomes the
    key once that handshake succeeds).
    """
    record = reader.record
    if record is None or record.pending is None:
        return False
    pending, record.pending = record.pending, None
    old = record.scbk
    record.scbk = pending
    LOGGER.info(
        "%s: trying the key sent last (acknowledgement lost)", reader.config.title
    )
    hub.replace_session(reader, reader.new_session())

    async def _keep() -> None:
        # Keep the pending key as the key only once it works.
        try:
            event: SessionEvent | None = await hub.within(
                hub.expect(_handshake_of(reader.config.address)), PAIR_TIMEOUT
            )
        except TimeoutError:
            event = None
        if isinstance(event, SecureChannelEstablished):
            record.rotated_at = dt_util.utcnow().isoformat()
            await _store(hub, reader, record)
        else:
            record.scbk = old
            hub.replace_session(reader, reader.new_session())

    hub.entry.async_create_background_task(
        hub.hass, _keep(), f"{DOMAIN} OSDP pending key"
    )
    return True


async def async_rotate_due(
    entry: CommunityConfigEntry, now: datetime, max_age: timedelta
) -> dict[str, str]:
    """Rotate the keys of paired readers whose key is ``max_age`` old or older.

    Returns the result per reader title (see :func:`async_rotate`).
    """
    results: dict[str, str] = {}
    for hub in list(entry.runtime_data.osdp.values()):
        for reader in list(hub.readers.values()):
            record = reader.record
            if record is None:
                continue
            changed = dt_util.parse_datetime(record.rotated_at or record.paired_at)
            if changed is not None and now - changed < max_age:
                continue
            results[reader.config.title] = await async_rotate(hub, reader)
    return results


def unpaired_issue_id(reader_id: str) -> str:
    """Repair issue id of a reader that still talks in plaintext."""
    return f"osdp_reader_unpaired_{reader_id}"


@callback
def async_update_unpaired_issues(
    hass: HomeAssistant, entry: CommunityConfigEntry
) -> None:
    """Warn about each reader not paired yet (plaintext on the wire).

    Issues of readers that are paired now, or no longer configured, go.
    """
    wanted: dict[str, OsdpReader] = {
        unpaired_issue_id(reader.config.id): reader
        for hub in entry.runtime_data.osdp.values()
        for reader in hub.readers.values()
        if reader.record is None
    }
    registry = ir.async_get(hass)
    prefix = unpaired_issue_id("")
    for domain, issue_id in list(registry.issues):
        if domain == DOMAIN and issue_id.startswith(prefix) and issue_id not in wanted:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
    for issue_id, reader in wanted.items():
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="osdp_reader_unpaired",
            translation_placeholders={"reader": reader.config.title},
        )
