"""One OSDP reader (PD) on a line: :class:`OsdpReader`.

A reader turns card reads (RAW, Wiegand 26/34 parity-checked by the codec)
and keypad input (digits until ``#`` or a pause) into presentations at its
door, answers every decision with its LED (green / red) and buzzer, and,
with an output configured, is the door's relay (``osdp_OUT``).

Trust. A paired reader that answers without its secure channel (plaintext,
wrong key, broken MACs) or reports another identity than at pairing raises
:data:`EVENT_READER_ALARM` and a repair issue, and nothing it reads is
presented until it is back on the secure channel with its own identity.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later

from .const import DOMAIN, EVENT_READER_ALARM, LOGGER
from .core.models import CredentialKind
from .core.operations.alarms import AlarmKind
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
from .drivers.osdp_session import (
    KeysetAccepted,
    Offline,
    Online,
    PdSession,
    SecureChannelEstablished,
    SecureChannelFailed,
    SecurityViolation,
    SessionEvent,
)
from .osdp_config import Identity, KeyRecord, ReaderConfig, alarm_issue_id
from .serial_hub import relay_error

if TYPE_CHECKING:
    from .osdp_hub import OsdpHub

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
        """Drive the reader's output: on for the door's open time, or off.

        A door held open (an emergency release, a maintenance window) is
        switched on for good: a timed pulse would let the reader lock it
        again by itself after the open time.
        """
        output = self.config.output
        if output is None:  # pragma: no cover - only outputs become relays
            return
        operator = self.hub.entry.runtime_data.doors.get(self.config.door_id)
        if on and operator is not None and operator.held_open:
            record = OutputRecord(output, OutputControlCode.PERMANENT_ON_ABORT_TIMED)
        elif on:
            seconds = operator.config.open_time if operator is not None else 5.0
            record = OutputRecord(
                output,
                OutputControlCode.TEMPORARY_ON_RESUME,
                min(round(seconds * 10), 0xFFFF),
            )
        else:
            record = OutputRecord(output, OutputControlCode.PERMANENT_OFF_ABORT_TIMED)
        if not self.connected:
            raise relay_error(self.config.title, "reader offline")
        try:
            done = await self.hub.async_command(self, OutputControl((record,)))
        except TimeoutError as err:
            raise relay_error(self.config.title, "no answer") from err
        if not done.ok:
            raise relay_error(self.config.title, "refused")

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
            self._report_local_status()
        elif isinstance(event, CardRead):
            self._on_card(event)
            return
        elif isinstance(event, Keypad):
            self._on_keys(event.digits)
            return
        else:
            return
        self.notify()

    def _report_local_status(self) -> None:
        """Tamper and power failure raise (or end) the door's alarms."""
        alarms = self.hub.entry.runtime_data.ops.alarms
        if alarms is not None:
            door_id = self.config.door_id
            alarms.reader_status(door_id, AlarmKind.TAMPER, self.tamper)
            alarms.reader_status(door_id, AlarmKind.POWER_FAILURE, self.power_failure)

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
