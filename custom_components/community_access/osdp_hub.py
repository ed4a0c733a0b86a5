"""OSDP lines: one :class:`OsdpHub` per ``serial_line`` subentry of protocol osdp.

A hub owns the line (:class:`~.drivers.transport.SerialLine`) and its
multi-drop bus (:class:`~.drivers.osdp_bus.OsdpBus`), with one
:class:`~.osdp_reader.OsdpReader` per ``osdp_reader`` subentry on that line.
It routes the bus's events to its readers and to whoever waits for one,
sends commands and waits for their replies, and presents what its readers
read at their doors. Configuration and key records are in
:mod:`.osdp_config`; pairing and key rotation in :mod:`.osdp_keys`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady, HomeAssistantError

from . import osdp_keys
from .const import CONF_PROTOCOL, LOGGER, PROTOCOL_OSDP, SUBENTRY_SERIAL_LINE
from .core.decision import Decision
from .core.models import CredentialKind
from .drivers.osdp_bus import OsdpBus
from .drivers.osdp_session import (
    CommandCompleted,
    PdSession,
    SessionCommand,
    SessionEvent,
)
from .drivers.transport import SerialLine
from .osdp_config import (
    COMMAND_TIMEOUT,
    PAIR_TIMEOUT,
    Identity,
    KeyRecord,
    OsdpLineConfig,
    ReaderConfig,
    reader_subentries,
)
from .osdp_keys import (
    async_forget_removed_readers,
    async_load_record,
    async_update_unpaired_issues,
)
from .osdp_reader import OsdpReader
from .runtime import CommunityConfigEntry, async_present
from .serial_hub import async_open_line, claim_door

type _Waiter = tuple[Callable[[int, SessionEvent], bool], asyncio.Future[SessionEvent]]


class OsdpHub:
    """One OSDP line, its bus and its readers."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CommunityConfigEntry,
        config: OsdpLineConfig,
        readers: list[tuple[ReaderConfig, KeyRecord | None]],
    ) -> None:
        """Build the line, the bus and a session per reader; nothing opened yet."""
        self.hass = hass
        self.entry = entry
        self.config = config
        self.line = SerialLine(config.port, config.baudrate, name=config.title)
        self.bus = OsdpBus(self.line, self._on_event, name=config.title)
        self.readers: dict[int, OsdpReader] = {}
        self._waiters: list[_Waiter] = []
        self._listeners: list[Callable[[], None]] = []
        self._detach = self.line.add_state_listener(self._state_changed)
        for reader_config, record in readers:
            reader = OsdpReader(self, reader_config, record)
            self.readers[reader_config.address] = reader
            self.bus.add_session(reader.new_session())

    @property
    def connected(self) -> bool:
        """Whether the port is open."""
        return self.line.connected

    def reader(self, reader_id: str) -> OsdpReader | None:
        """Return a reader by subentry id."""
        for reader in self.readers.values():
            if reader.config.id == reader_id:
                return reader
        return None

    @callback
    def add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Be told when the line connects or disconnects."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def add_reader(self, config: ReaderConfig) -> OsdpReader:
        """Poll a reader not configured yet (to pair it); see :mod:`.osdp_pairing`."""
        if config.address in self.readers:
            raise ValueError("address taken")
        reader = OsdpReader(self, config, None)
        self.readers[config.address] = reader
        self.bus.add_session(reader.new_session())
        return reader

    def remove_reader(self, reader: OsdpReader) -> None:
        """Stop polling a reader added with :meth:`add_reader`."""
        if self.readers.get(reader.config.address) is not reader:
            return
        reader.stop()
        del self.readers[reader.config.address]
        self.bus.remove_session(reader.config.address)

    # ---- life cycle
    async def async_start(self) -> None:
        """Open the port and poll; ``ConfigEntryNotReady`` if it cannot be opened."""
        await async_open_line(self.line)
        await self.bus.start()
        doors = self.entry.runtime_data.doors
        for reader in self.readers.values():
            operator = doors.get(reader.config.door_id)
            if reader.config.output is not None and operator is not None:
                claim_door(operator, reader, f"reader {reader.config.title}'s output")

    async def async_stop(self) -> None:
        """Stop polling and close the port."""
        for reader in self.readers.values():
            reader.stop()
        for _match, future in self._waiters:
            if not future.done():
                future.cancel()
        self._waiters.clear()
        self._detach()
        await self.bus.stop()
        await self.line.stop()

    # ---- events
    @callback
    def _state_changed(self, connected: bool) -> None:
        for listener in list(self._listeners):
            listener()
        for reader in self.readers.values():
            reader.notify()

    @callback
    def _on_event(self, address: int, event: SessionEvent) -> None:
        # Waiters registered while the reader handles this event wait for
        # the next ones, not for this one.
        waiters = list(self._waiters)
        reader = self.readers.get(address)
        if reader is not None:
            reader.on_event(event)
        for match, future in waiters:
            if not future.done() and match(address, event):
                future.set_result(event)

    def expect(
        self, match: Callable[[int, SessionEvent], bool]
    ) -> asyncio.Future[SessionEvent]:
        """Return a future for the next event matching ``match`` (registered now)."""
        future: asyncio.Future[SessionEvent] = (
            asyncio.get_running_loop().create_future()
        )
        waiter = (match, future)
        self._waiters.append(waiter)
        future.add_done_callback(lambda _f: self._drop_waiter(waiter))
        return future

    def _drop_waiter(self, waiter: _Waiter) -> None:
        if waiter in self._waiters:
            self._waiters.remove(waiter)

    @staticmethod
    async def within(
        future: asyncio.Future[SessionEvent], timeout: float
    ) -> SessionEvent:
        """Wait for ``future``; cancel it and raise ``TimeoutError`` after ``timeout``."""
        try:
            async with asyncio.timeout(max(timeout, 0.01)):
                return await future
        finally:
            future.cancel()

    async def async_command(
        self,
        reader: OsdpReader,
        command: SessionCommand,
        timeout: float = COMMAND_TIMEOUT,
    ) -> CommandCompleted:
        """Send a command and wait for its reply; ``TimeoutError`` without one."""
        address = reader.config.address

        def _match(addr: int, event: SessionEvent) -> bool:
            return (
                addr == address
                and isinstance(event, CommandCompleted)
                and event.command is command
            )

        future = self.expect(_match)
        self.bus.send(address, command)
        result = await self.within(future, timeout)
        assert isinstance(result, CommandCompleted)  # noqa: S101 - matched above
        return result

    # ---- presentations
    @callback
    def present(self, reader: OsdpReader, kind: CredentialKind, value: str) -> None:
        """Present a card or PIN at the reader's door, then give feedback."""
        self.entry.async_create_task(
            self.hass,
            self._present(reader, kind, value),
            f"{kind.value} at {reader.config.title}",
        )

    async def _present(
        self, reader: OsdpReader, kind: CredentialKind, value: str
    ) -> Decision | None:
        try:
            decision = await async_present(
                self.hass,
                self.entry,
                reader.config.door_id,
                kind,
                value,
                source=reader.source,
            )
        except HomeAssistantError as err:
            LOGGER.warning("%s: %s not presented: %s", reader.config.title, kind, err)
            return None
        if decision is not None:  # None: read for the card desk, no verdict
            reader.feedback(decision.granted)
        return decision

    # ---- keys (see .osdp_keys)
    def replace_session(self, reader: OsdpReader, session: PdSession) -> None:
        """Put a new session for ``reader`` on the bus in place of its old one."""
        self.bus.remove_session(reader.config.address)
        self.bus.add_session(session)

    async def async_pair(
        self, reader: OsdpReader, timeout: float = PAIR_TIMEOUT
    ) -> Identity:
        """Pair a reader in install mode; see :func:`.osdp_keys.async_pair`."""
        return await osdp_keys.async_pair(self, reader, timeout)

    async def async_rotate(self, reader: OsdpReader) -> str:
        """Give a paired reader a new key; see :func:`.osdp_keys.async_rotate`."""
        return await osdp_keys.async_rotate(self, reader)

    @callback
    def keyset_accepted(self, reader: OsdpReader, scbk: bytes) -> None:
        """Make an acknowledged new key the key."""
        osdp_keys.keyset_accepted(self, reader, scbk)

    def try_pending_key(self, reader: OsdpReader) -> bool:
        """After a failed handshake, try a key sent but never acknowledged."""
        return osdp_keys.try_pending_key(self, reader)

    def diagnostics(self) -> dict[str, Any]:
        """Return the line and its readers, without keys."""
        return {
            "port": self.config.port,
            "baudrate": self.config.baudrate,
            "connected": self.connected,
            "frames_sent": self.bus.frames_sent,
            "bad_frames": self.bus.bad_frames,
            "readers": [reader.diagnostics() for reader in self.readers.values()],
        }


async def async_start_osdp(hass: HomeAssistant, entry: CommunityConfigEntry) -> None:
    """Start a hub per OSDP line with its readers; all or none."""
    await async_forget_removed_readers(entry)
    hubs = entry.runtime_data.osdp
    readers: dict[str, list[tuple[ReaderConfig, KeyRecord | None]]] = {}
    for subentry in reader_subentries(entry):
        try:
            config = ReaderConfig.from_subentry(subentry)
            record = await async_load_record(entry, subentry.subentry_id)
        except (ValueError, KeyError) as err:
            LOGGER.error(
                "OSDP reader %s is misconfigured and was skipped: %s",
                subentry.title,
                err,
            )
            continue
        taken = readers.setdefault(config.line_id, [])
        if any(c.address == config.address for c, _ in taken):
            LOGGER.error(
                "OSDP reader %s: address %d is taken on its line; skipped",
                subentry.title,
                config.address,
            )
            continue
        taken.append((config, record))
    for subentry in entry.subentries.values():
        if (
            subentry.subentry_type != SUBENTRY_SERIAL_LINE
            or subentry.data.get(CONF_PROTOCOL) != PROTOCOL_OSDP
        ):
            continue
        try:
            line = OsdpLineConfig.from_subentry(subentry)
        except (ValueError, KeyError) as err:
            LOGGER.error("OSDP line %s is misconfigured: %s", subentry.title, err)
            continue
        hub = OsdpHub(hass, entry, line, readers.get(line.id, []))
        try:
            await hub.async_start()
        except ConfigEntryNotReady:
            await async_stop_osdp(entry)
            raise
        hubs[line.id] = hub
    async_update_unpaired_issues(hass, entry)


async def async_stop_osdp(entry: CommunityConfigEntry) -> None:
    """Stop every OSDP line of the entry."""
    hubs = list(entry.runtime_data.osdp.values())
    entry.runtime_data.osdp.clear()
    for hub in hubs:
        for reader in hub.readers.values():
            operator = entry.runtime_data.doors.get(reader.config.door_id)
            if operator is not None and operator.relay is reader:
                operator.relay = None
        await hub.async_stop()


def find_reader(
    entry: CommunityConfigEntry, reader_id: str
) -> tuple[OsdpHub, OsdpReader] | None:
    """Return the hub and reader of a reader subentry, if its line runs."""
    for hub in entry.runtime_data.osdp.values():
        reader = hub.reader(reader_id)
        if reader is not None:
            return hub, reader
    return None
