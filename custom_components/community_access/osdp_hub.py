"""OSDP lines: one :class:`OsdpHub` per ``serial_line`` subentry of protocol osdp.

A hub owns the line (:class:`~.drivers.transport.SerialLine`) and its
multi-drop bus (:class:`~.drivers.osdp_bus.OsdpBus`), with one
:class:`OsdpReader` per ``osdp_reader`` subentry on that line.

A reader turns card reads (RAW, Wiegand 26/34 parity-checked by the codec)
and keypad input (digits until ``#`` or a pause) into presentations at its
door, answers every decision with its LED (green / red) and buzzer, and,
with an output configured, is the door's relay (``osdp_OUT``).

Security. A reader's secure channel key (SCBK) is created only by pairing
(:meth:`OsdpHub.async_pair`, called from the config flow's time-limited
pair step) and changed only by :meth:`OsdpHub.async_rotate`. Keys live
encrypted with the community vault in the database settings table, keyed
by the reader's subentry id, never in subentry data, logs or events. A
reader with a key always runs the secure channel; a paired reader that
answers without it (plaintext, wrong key, broken MACs) or reports another
identity than at pairing raises :data:`EVENT_READER_ALARM` and a repair
issue, and nothing it reads is presented until it is back on the secure
channel with its own identity.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import json
import secrets
from typing import Any, Final

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady, HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .const import (
    CONF_ADDRESS,
    CONF_BAUDRATE,
    CONF_DOOR,
    CONF_FEEDBACK,
    CONF_LINE,
    CONF_OUTPUT,
    CONF_PORT,
    CONF_PROTOCOL,
    DEFAULT_BAUDRATE,
    DOMAIN,
    EVENT_READER_ALARM,
    LOGGER,
    PROTOCOL_OSDP,
    SUBENTRY_OSDP_READER,
    SUBENTRY_SERIAL_LINE,
)
from .core.decision import Decision
from .core.models import CredentialKind
from .drivers.osdp import (
    BuzzerControl,
    CardRead,
    IdRequest,
    Keypad,
    LedColor,
    LedControl,
    LedRecord,
    LocalStatus,
    LocalStatusRequest,
    OutputControl,
    OutputControlCode,
    OutputRecord,
    PdId,
)
from .drivers.osdp_bus import OsdpBus
from .drivers.osdp_session import (
    CommandCompleted,
    KeySet,
    KeysetAccepted,
    Offline,
    Online,
    PdSession,
    SecureChannelEstablished,
    SecureChannelFailed,
    SecurityViolation,
    SessionCommand,
    SessionEvent,
)
from .drivers.transport import PortUnavailableError, SerialLine
from .runtime import CommunityConfigEntry, async_present

#: Install mode is open at most this long while pairing.
PAIR_TIMEOUT: Final = 60.0
#: How long a command (OUT, KEYSET) may take to be answered.
COMMAND_TIMEOUT: Final = 3.0
#: Keypad: digits are collected until ``#`` or this pause.
KEYPAD_TIMEOUT: Final = 4.0
KEYPAD_MAX_DIGITS: Final = 16
#: Consecutive rejected secure replies (bad MAC, plaintext) before an alarm.
#: One alone happens on a noisy line (libosdp drops the channel after a
#: lost reply); the session re-establishes and the count starts over.
VIOLATIONS_BEFORE_ALARM: Final = 3
#: LED feedback: 100 ms units.
FEEDBACK_LED_TIME: Final = 20

ALARM_INSECURE: Final = "insecure"
ALARM_IDENTITY: Final = "identity_mismatch"


#: Settings keys of the readers' key records start with this.
KEY_SETTING_PREFIX: Final = "osdp_reader_key:"


def key_setting(reader_id: str) -> str:
    """Return the settings key of a reader's encrypted secure channel record."""
    return f"{KEY_SETTING_PREFIX}{reader_id}"


def alarm_issue_id(reader_id: str) -> str:
    """Repair issue id of a reader alarm."""
    return f"osdp_reader_alarm_{reader_id}"


def mask_serial(serial: int) -> str:
    """Show only the last 2 hex digits of a serial number."""
    text = f"{serial:08X}"
    return "*" * (len(text) - 2) + text[-2:]


class PairingError(HomeAssistantError):
    """Pairing failed; ``reason`` is a flow error key."""

    def __init__(self, reason: str) -> None:
        """Keep the reason (``pair_timeout``, ``pair_refused`` ...)."""
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Identity:
    """What a reader says it is (PDID)."""

    vendor: str
    model: int
    version: int
    serial: int
    firmware: str = ""

    @classmethod
    def from_pdid(cls, pdid: PdId) -> Identity:
        """From a PDID reply."""
        return cls(
            vendor=pdid.vendor_code.hex(),
            model=pdid.model,
            version=pdid.version,
            serial=pdid.serial_number,
            firmware=".".join(str(p) for p in pdid.firmware),
        )

    def same_device(self, other: Identity) -> bool:
        """Vendor, model and serial agree (firmware may be updated)."""
        return (self.vendor, self.model, self.serial) == (
            other.vendor,
            other.model,
            other.serial,
        )

    def as_dict(self, *, masked: bool = True) -> dict[str, Any]:
        """As data; the serial masked unless told otherwise."""
        return {
            "vendor": self.vendor,
            "model": self.model,
            "version": self.version,
            "serial": mask_serial(self.serial) if masked else self.serial,
            "firmware": self.firmware,
        }


@dataclass(slots=True)
class KeyRecord:
    """A paired reader's secrets, as kept (encrypted) in the settings table."""

    scbk: bytes = field(repr=False)
    identity: Identity
    paired_at: str
    rotated_at: str | None = None
    #: A key sent with KEYSET whose acknowledgement never came.
    pending: bytes | None = field(default=None, repr=False)

    def dumps(self) -> str:
        """As JSON (to be encrypted)."""
        return json.dumps(
            {
                "scbk": self.scbk.hex(),
                "pending": self.pending.hex() if self.pending else None,
                "identity": self.identity.as_dict(masked=False),
                "paired_at": self.paired_at,
                "rotated_at": self.rotated_at,
            }
        )

    @classmethod
    def loads(cls, text: str) -> KeyRecord:
        """From JSON; ``ValueError``/``KeyError`` if invalid."""
        raw = json.loads(text)
        ident = raw["identity"]
        scbk = bytes.fromhex(raw["scbk"])
        if len(scbk) != 16:
            raise ValueError("SCBK must be 16 bytes")
        return cls(
            scbk=scbk,
            identity=Identity(
                vendor=str(ident["vendor"]),
                model=int(ident["model"]),
                version=int(ident["version"]),
                serial=int(ident["serial"]),
                firmware=str(ident.get("firmware", "")),
            ),
            paired_at=str(raw["paired_at"]),
            rotated_at=raw.get("rotated_at"),
            pending=bytes.fromhex(raw["pending"]) if raw.get("pending") else None,
        )


@dataclass(frozen=True, slots=True)
class OsdpLineConfig:
    """An OSDP line as configured."""

    id: str
    title: str
    port: str
    baudrate: int
    protocol: str = PROTOCOL_OSDP

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry) -> OsdpLineConfig:
        """Read a ``serial_line`` subentry of protocol osdp."""
        data = subentry.data
        if data.get(CONF_PROTOCOL) != PROTOCOL_OSDP:
            raise ValueError("not an OSDP line")
        return cls(
            id=subentry.subentry_id,
            title=subentry.title,
            port=str(data[CONF_PORT]),
            baudrate=int(data.get(CONF_BAUDRATE, DEFAULT_BAUDRATE)),
        )


@dataclass(frozen=True, slots=True)
class ReaderConfig:
    """An OSDP reader as configured."""

    id: str
    title: str
    line_id: str
    address: int
    door_id: str
    output: int | None
    feedback: bool

    @classmethod
    def from_data(
        cls, reader_id: str, title: str, data: Mapping[str, Any]
    ) -> ReaderConfig:
        """Read a subentry's data; ``ValueError``/``KeyError`` if invalid."""
        address = int(data[CONF_ADDRESS])
        if not 0 <= address <= 126:
            raise ValueError("address must be 0 to 126")
        output = data.get(CONF_OUTPUT)
        return cls(
            id=reader_id,
            title=title,
            line_id=str(data[CONF_LINE]),
            address=address,
            door_id=str(data[CONF_DOOR]),
            output=None if output is None or output == "" else int(output),
            feedback=bool(data.get(CONF_FEEDBACK, True)),
        )

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry) -> ReaderConfig:
        """Read an ``osdp_reader`` subentry."""
        return cls.from_data(subentry.subentry_id, subentry.title, subentry.data)


class OsdpReader:
    """One reader (PD) on an OSDP line; also its door's relay with an output."""

    def __init__(
        self, hub: OsdpHub, config: ReaderConfig, record: KeyRecord | None
    ) -> None:
        """Create; the session is made by the hub."""
        self.hub = hub
        self.config = config
        self.record = record
        self.online = False
        self.tamper = False
        self.power_failure = False
        self.identity: Identity | None = None
        #: Cards and PINs are presented only from a trusted reader: a plain
        #: one that answers, or a paired one on its secure channel whose
        #: identity was checked.
        self.trusted = False
        self.alarm: str | None = None
        self.pairing = False
        self.violations = 0
        self._digits = ""
        self._keypad_timer: CALLBACK_TYPE | None = None
        self._listeners: list[Callable[[], None]] = []

    # ---- state
    @property
    def provisioned(self) -> bool:
        """Whether the reader was paired (runs the secure channel only)."""
        return self.record is not None

    @property
    def session(self) -> PdSession:
        """The reader's session on the bus."""
        return self.hub.bus.session(self.config.address)

    @property
    def secure(self) -> bool:
        """Whether the secure channel is up now."""
        try:
            return self.session.secure_established
        except KeyError:
            return False

    @property
    def connected(self) -> bool:
        """Whether the reader can act now (also: its door's relay can switch)."""
        return self.hub.connected and self.online and self.trusted

    @property
    def source(self) -> str:
        """The source recorded with what is read here."""
        return f"osdp:{self.hub.config.port}:{self.config.address}"

    @callback
    def add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Be told when the reader's state changes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def notify(self) -> None:
        """Tell entities and the door that something changed."""
        for listener in list(self._listeners):
            listener()
        operator = self.hub.entry.runtime_data.doors.get(self.config.door_id)
        if operator is not None and operator.relay is self:
            operator.async_relay_changed()

    def new_session(self, *, install_mode: bool = False) -> PdSession:
        """Return a new session for the reader: secure with its key, else plain."""
        if install_mode:
            return PdSession(self.config.address, install_mode=True)
        scbk = self.record.scbk if self.record is not None else None
        return PdSession(self.config.address, scbk=scbk)

    # ---- DoorRelay
    async def async_switch(self, on: bool) -> None:
        """Drive the reader's output: on for the door's open time, or off."""
        output = self.config.output
        if output is None:  # pragma: no cover - only outputs become relays
            return
        if on:
            operator = self.hub.entry.runtime_data.doors.get(self.config.door_id)
            seconds = operator.config.open_time if operator is not None else 5.0
            record = OutputRecord(
                output,
                OutputControlCode.TEMPORARY_ON_RESUME,
                min(round(seconds * 10), 0xFFFF),
            )
        else:
            record = OutputRecord(output, OutputControlCode.PERMANENT_OFF_ABORT_TIMED)
        if not self.connected:
            raise self._relay_error("reader offline")
        try:
            done = await self.hub.async_command(self, OutputControl((record,)))
        except TimeoutError as err:
            raise self._relay_error("no answer") from err
        if not done.ok:
            raise self._relay_error("refused")

    def _relay_error(self, error: str) -> HomeAssistantError:
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="relay_failed",
            translation_placeholders={"line": self.config.title, "error": error},
        )

    # ---- session events
    @callback
    def on_event(self, event: SessionEvent) -> None:
        """Handle one event of the reader's session."""
        if isinstance(event, Online):
            self.online = True
            if self.session.secure is None:
                self._ask_identity()
        elif isinstance(event, Offline):
            self.online = False
            self.trusted = False
            self._clear_keypad()
        elif isinstance(event, SecureChannelEstablished):
            self.violations = 0
            if not event.default_key:
                self._ask_identity()
        elif isinstance(event, SecureChannelFailed):
            self._on_secure_failure(event.reason)
        elif isinstance(event, SecurityViolation):
            self.trusted = False
            self.violations += 1
            if self.provisioned and self.violations >= VIOLATIONS_BEFORE_ALARM:
                self.raise_alarm(ALARM_INSECURE)
        elif isinstance(event, PdId):
            self._on_identity(Identity.from_pdid(event))
        elif isinstance(event, KeysetAccepted):
            self.hub.keyset_accepted(self, event.scbk)
            return
        elif isinstance(event, LocalStatus):
            self.tamper = event.tamper
            self.power_failure = event.power_failure
        elif isinstance(event, CardRead):
            self._on_card(event)
            return
        elif isinstance(event, Keypad):
            self._on_keys(event.digits)
            return
        else:
            return
        self.notify()

    def _ask_identity(self) -> None:
        self.hub.bus.send(self.config.address, IdRequest())
        self.hub.bus.send(self.config.address, LocalStatusRequest())

    def _on_secure_failure(self, reason: str) -> None:
        self.trusted = False
        if self.pairing or not self.provisioned:
            return
        LOGGER.debug("%s: secure channel failed: %s", self.config.title, reason)
        if self.hub.try_pending_key(self):
            return
        self.raise_alarm(ALARM_INSECURE)

    def _on_identity(self, identity: Identity) -> None:
        self.identity = identity
        if self.pairing:
            return
        if self.record is None:
            self.trusted = True
            return
        if not self.secure:  # pragma: no cover - the session decodes only MACed replies
            return
        if not identity.same_device(self.record.identity):
            self.trusted = False
            self.raise_alarm(ALARM_IDENTITY)
            return
        self.trusted = True
        self.clear_alarm()

    @callback
    def raise_alarm(self, reason: str) -> None:
        """Fire the alarm event and raise the repair issue (once per alarm)."""
        self.trusted = False
        if self.alarm == reason:
            return
        self.alarm = reason
        LOGGER.warning(
            "OSDP reader %s (address %d on %s): %s",
            self.config.title,
            self.config.address,
            self.hub.config.title,
            "answers without its secure channel"
            if reason == ALARM_INSECURE
            else "reports another identity than at pairing",
        )
        hass = self.hub.hass
        hass.bus.async_fire(
            EVENT_READER_ALARM,
            {
                "reader_id": self.config.id,
                "reader": self.config.title,
                "line": self.hub.config.title,
                "address": self.config.address,
                "door_id": self.config.door_id,
                "reason": reason,
            },
        )
        ir.async_create_issue(
            hass,
            DOMAIN,
            alarm_issue_id(self.config.id),
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.CRITICAL,
            translation_key=f"osdp_reader_{reason}",
            translation_placeholders={
                "reader": self.config.title,
                "line": self.hub.config.title,
                "address": str(self.config.address),
            },
        )
        self.notify()

    @callback
    def clear_alarm(self) -> None:
        """Clear the alarm: the reader is back, secure, with its own identity."""
        if self.alarm is None:
            return
        self.alarm = None
        LOGGER.info("OSDP reader %s is secure again", self.config.title)
        ir.async_delete_issue(self.hub.hass, DOMAIN, alarm_issue_id(self.config.id))

    # ---- reads
    def _on_card(self, read: CardRead) -> None:
        if not self.trusted or self.pairing:
            LOGGER.debug(
                "%s: card read ignored (reader not trusted)", self.config.title
            )
            return
        number = read.card_number
        if number is None:
            LOGGER.debug("%s: card read failed its parity check", self.config.title)
            return
        self.hub.present(self, CredentialKind.CARD, number)

    def _on_keys(self, keys: str) -> None:
        if not self.trusted or self.pairing:
            return
        for key in keys:
            if key == "#":
                self._submit_pin()
            elif key == "*":
                self._clear_keypad()
            elif key.isdigit() and len(self._digits) < KEYPAD_MAX_DIGITS:
                self._digits += key
        self._cancel_keypad_timer()
        if self._digits:
            self._keypad_timer = async_call_later(
                self.hub.hass, KEYPAD_TIMEOUT, self._keypad_pause
            )

    @callback
    def _keypad_pause(self, _now: datetime) -> None:
        self._keypad_timer = None
        self._submit_pin()

    def _submit_pin(self) -> None:
        digits, self._digits = self._digits, ""
        self._cancel_keypad_timer()
        if digits:
            self.hub.present(self, CredentialKind.PIN, digits)

    def _clear_keypad(self) -> None:
        self._digits = ""
        self._cancel_keypad_timer()

    def _cancel_keypad_timer(self) -> None:
        if self._keypad_timer is not None:
            self._keypad_timer()
            self._keypad_timer = None

    @callback
    def stop(self) -> None:
        """Cancel timers."""
        self._clear_keypad()

    # ---- feedback
    def feedback(self, granted: bool) -> None:
        """Green LED and one beep on a grant; red LED and three beeps on a denial."""
        if not self.config.feedback or not self.online:
            return
        color = LedColor.GREEN if granted else LedColor.RED
        led = LedRecord(
            temp_control=2,
            temp_on_time=FEEDBACK_LED_TIME,
            temp_off_time=0,
            temp_on_color=color,
            temp_off_color=LedColor.BLACK,
            temp_timer=FEEDBACK_LED_TIME,
        )
        # libosdp NAKs a buzzer command with 0 on-time: always at least 100 ms.
        buzzer = (
            BuzzerControl(tone=2, on_time=3, off_time=1, count=1)
            if granted
            else BuzzerControl(tone=2, on_time=1, off_time=1, count=3)
        )
        self.hub.bus.send(self.config.address, LedControl((led,)))
        self.hub.bus.send(self.config.address, buzzer)

    def diagnostics(self) -> dict[str, Any]:
        """State for diagnostics: no key, the serial masked."""
        return {
            "address": self.config.address,
            "door_id": self.config.door_id,
            "output": self.config.output,
            "feedback": self.config.feedback,
            "online": self.online,
            "secure": self.secure,
            "provisioned": self.provisioned,
            "trusted": self.trusted,
            "alarm": self.alarm,
            "tamper": self.tamper,
            "power_failure": self.power_failure,
            "identity": self.identity.as_dict() if self.identity else None,
            "paired_identity": self.record.identity.as_dict() if self.record else None,
            "paired_at": self.record.paired_at if self.record else None,
            "rotated_at": self.record.rotated_at if self.record else None,
        }


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

    # ---- life cycle
    async def async_start(self) -> None:
        """Open the port and poll; ``ConfigEntryNotReady`` if it cannot be opened."""
        try:
            await self.line.start()
        except PortUnavailableError as err:
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN,
                translation_key="port_unavailable",
                translation_placeholders={
                    "port": self.config.port,
                    "error": str(err.__cause__ or err),
                },
            ) from err
        await self.bus.start()
        doors = self.entry.runtime_data.doors
        for reader in self.readers.values():
            operator = doors.get(reader.config.door_id)
            if reader.config.output is None or operator is None:
                continue
            if operator.config.lock_entity_id is not None or operator.relay is not None:
                LOGGER.error(
                    "Door %s already opens otherwise; reader %s's output is not used",
                    operator.config.door.name,
                    reader.config.title,
                )
                continue
            operator.relay = reader

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

    def _expect(
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
    async def _within(
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

        future = self._expect(_match)
        self.bus.send(address, command)
        result = await self._within(future, timeout)
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
        reader.feedback(decision.granted)
        return decision

    # ---- keys
    async def _store(self, reader: OsdpReader, record: KeyRecord) -> None:
        community = self.entry.runtime_data.community
        token = community.vault.encrypt(record.dumps())
        await community.run(
            community.db.set_setting, key_setting(reader.config.id), token
        )

    def _replace_session(self, reader: OsdpReader, session: PdSession) -> None:
        self.bus.remove_session(reader.config.address)
        self.bus.add_session(session)

    async def async_pair(
        self, reader: OsdpReader, timeout: float = PAIR_TIMEOUT
    ) -> Identity:
        """Pair a reader in install mode.

        Handshake with the default key,
        read its identity, KEYSET a fresh key, keep key and identity.

        Install mode on our side lasts at most ``timeout`` seconds; on any
        failure the reader's previous session comes back. ``PairingError``
        with a flow error key on failure.
        """
        if not self.connected:
            raise PairingError("line_down")
        if reader.pairing:
            raise PairingError("pair_in_progress")
        address = reader.config.address
        reader.pairing = True
        reader.trusted = False
        self._replace_session(reader, reader.new_session(install_mode=True))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(timeout, PAIR_TIMEOUT)
        scbk = secrets.token_bytes(16)
        success = False
        try:

            def _secure(addr: int, event: SessionEvent) -> bool:
                return addr == address and isinstance(
                    event, SecureChannelEstablished | SecureChannelFailed
                )

            try:
                event = await self._within(
                    self._expect(_secure), deadline - loop.time()
                )
                if isinstance(event, SecureChannelFailed):
                    raise PairingError("pair_refused")
                ident = await self.async_command(
                    reader, IdRequest(), deadline - loop.time()
                )
                if not isinstance(ident.reply, PdId):
                    raise PairingError("pair_refused")
                identity = Identity.from_pdid(ident.reply)

                def _accepted(addr: int, event: SessionEvent) -> bool:
                    return addr == address and isinstance(event, KeysetAccepted)

                accepted = self._expect(_accepted)
                try:
                    done = await self.async_command(
                        reader, KeySet(scbk), deadline - loop.time()
                    )
                    if not done.ok:
                        raise PairingError("pair_refused")
                    await self._within(accepted, deadline - loop.time())
                finally:
                    accepted.cancel()
            except TimeoutError as err:
                raise PairingError("pair_timeout") from err
            now = dt_util.utcnow().isoformat()
            record = KeyRecord(scbk=scbk, identity=identity, paired_at=now)
            await self._store(reader, record)
            reader.record = record
            reader.identity = identity
            success = True
        finally:
            reader.pairing = False
            self._replace_session(reader, reader.new_session())
            if not success:
                reader.notify()
        LOGGER.info(
            "OSDP reader %s paired (model %d, serial %s)",
            reader.config.title,
            identity.model,
            mask_serial(identity.serial),
        )
        reader.clear_alarm()
        reader.notify()
        return identity

    async def async_rotate(self, reader: OsdpReader) -> str:
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
        await self._store(reader, record)
        address = reader.config.address

        def _accepted(addr: int, event: SessionEvent) -> bool:
            return addr == address and isinstance(event, KeysetAccepted)

        accepted = self._expect(_accepted)
        try:
            done = await self.async_command(reader, KeySet(scbk))
            if not done.ok:
                record.pending = None
                await self._store(reader, record)
                return "failed"
            await self._within(accepted, COMMAND_TIMEOUT)
        except TimeoutError:
            LOGGER.warning(
                "%s: no acknowledgement of the new key; the old one is kept",
                reader.config.title,
            )
            return "failed"
        finally:
            accepted.cancel()
        # on_event already made it the key (KeysetAccepted); keep it now.
        await self._store(reader, record)
        return "rotated"

    @callback
    def keyset_accepted(self, reader: OsdpReader, scbk: bytes) -> None:
        """Make an acknowledged new key the key."""
        record = reader.record
        if reader.pairing or record is None or record.pending != scbk:
            return
        record.scbk = scbk
        record.pending = None
        record.rotated_at = dt_util.utcnow().isoformat()
        self.entry.async_create_background_task(
            self.hass, self._store(reader, record), f"{DOMAIN} keep OSDP key"
        )

    def try_pending_key(self, reader: OsdpReader) -> bool:
        """After a failed handshake, try a key sent but never acknowledged.

        Returns whether a retry was started (the pending key becomes the
        key once that handshake succeeds; see :meth:`_on_event` users).
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
        self._replace_session(reader, reader.new_session())

        async def _keep() -> None:
            # Keep the pending key as the key only once it works.
            def _established(addr: int, event: SessionEvent) -> bool:
                return addr == reader.config.address and isinstance(
                    event, SecureChannelEstablished | SecureChannelFailed
                )

            try:
                event: SessionEvent | None = await self._within(
                    self._expect(_established), PAIR_TIMEOUT
                )
            except TimeoutError:
                event = None
            if isinstance(event, SecureChannelEstablished):
                record.rotated_at = dt_util.utcnow().isoformat()
                await self._store(reader, record)
            else:
                record.scbk = old
                self._replace_session(reader, reader.new_session())

        self.entry.async_create_background_task(
            self.hass, _keep(), f"{DOMAIN} OSDP pending key"
        )
        return True

    def diagnostics(self) -> dict[str, Any]:
        """Return the line and its readers, without keys."""
        return {
            "port": self.config.port,
            "baudrate": self.config.baudrate,
            "connected": self.connected,
            "frames_sent": self.bus.frames_sent,
            "readers": [reader.diagnostics() for reader in self.readers.values()],
        }


async def async_load_record(
    entry: CommunityConfigEntry, reader_id: str
) -> KeyRecord | None:
    """Return a reader's stored key record, or ``None`` if it was never paired."""
    community = entry.runtime_data.community
    token = await community.run(community.db.setting, key_setting(reader_id))
    if not token:
        return None
    return KeyRecord.loads(community.vault.decrypt(token))


def reader_subentries(entry: CommunityConfigEntry) -> list[ConfigSubentry]:
    """Return the entry's ``osdp_reader`` subentries."""
    return [
        s for s in entry.subentries.values() if s.subentry_type == SUBENTRY_OSDP_READER
    ]


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


async def async_rotate_due(
    entry: CommunityConfigEntry, now: datetime, max_age: timedelta
) -> dict[str, str]:
    """Rotate the keys of paired readers whose key is ``max_age`` old or older.

    Returns the result per reader title (see :meth:`OsdpHub.async_rotate`).
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
            results[reader.config.title] = await hub.async_rotate(reader)
    return results


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
