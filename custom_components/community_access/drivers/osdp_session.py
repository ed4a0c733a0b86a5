"""OSDP control panel session for one PD (sans-IO).

The caller owns the wire and the clock::

    frame = session.next_frame()      # write it
    events = session.on_bytes(data)   # whatever came back
    events = session.on_timeout()     # no (complete) reply in time

and :meth:`PdSession.next_frame` again once :attr:`PdSession.awaiting_reply`
is false. Without queued commands the session polls. A timeout makes the
next frame the *same bytes* (same sequence number, same MAC), so the PD
repeats its last reply; after ``max_retries`` timeouts the PD is offline
and the next frame starts over with sequence number 0.

Security: with ``scbk`` (a provisioned reader) or ``install_mode`` (SCBK-D,
pairing only), the session first runs the secure channel handshake and
sends no queued command before it is established. Replies without a valid
MAC (plaintext included) are reported as :class:`SecurityViolation`, never
decoded, and the session restarts the handshake: there is no fallback to
plain mode. A reader without a key and without install mode runs plain.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import Enum
from typing import ClassVar, Final

from .osdp import (
    Ack,
    AnyReply,
    Busy,
    Command,
    CommandCode,
    Frame,
    FrameParser,
    Nak,
    OsdpError,
    Poll,
    SequenceCounter,
    build_frame,
    decode_reply,
    encode_command,
)
from .osdp_secure import (
    ChannelState,
    HandshakeMessage,
    SecureChannel,
    SecureChannelError,
    keyset_payload,
)

DEFAULT_MAX_RETRIES: Final = 3


@dataclass(frozen=True, slots=True)
class KeySet:
    """``osdp_KEYSET``: install a new SCBK (sent on a secure channel only)."""

    CODE: ClassVar[int] = CommandCode.KEYSET
    scbk: bytes = field(repr=False)

    def payload(self) -> bytes:
        """Command data."""
        return keyset_payload(self.scbk)


type SessionCommand = Command | KeySet


# --- events ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Online:
    """The PD answered (first time, or again after being offline)."""


@dataclass(frozen=True, slots=True)
class Offline:
    """The PD missed ``max_retries`` + 1 replies to the same command.

    Or the line went down (``command_code``: the frame outstanding, else POLL).
    """

    command_code: int


@dataclass(frozen=True, slots=True)
class SecureChannelEstablished:
    """The handshake completed; ``default_key``: SCBK-D (install mode)."""

    default_key: bool
    cuid: bytes


@dataclass(frozen=True, slots=True)
class SecureChannelFailed:
    """The handshake failed (wrong key, PD refused); it will be retried."""

    reason: str


@dataclass(frozen=True, slots=True)
class SecurityViolation:
    """A reply on the secure channel was rejected (bad MAC, plaintext)."""

    reason: str


@dataclass(frozen=True, slots=True)
class CommandCompleted:
    """A queued (non-POLL) command got its reply (``ok``: not a NAK)."""

    command: SessionCommand
    reply: AnyReply
    ok: bool


@dataclass(frozen=True, slots=True)
class KeysetAccepted:
    """The PD acknowledged KEYSET; the session now uses the new key."""

    scbk: bytes = field(repr=False)


type SessionEvent = (
    AnyReply
    | Online
    | Offline
    | SecureChannelEstablished
    | SecureChannelFailed
    | SecurityViolation
    | CommandCompleted
    | KeysetAccepted
)


# --- the session -------------------------------------------------------------------


class _Kind(Enum):
    COMMAND = "command"
    CHLNG = "chlng"
    SCRYPT = "scrypt"


@dataclass(slots=True)
class _Pending:
    kind: _Kind
    command: SessionCommand | None
    frame: bytes
    sqn: int
    code: int
    retries: int = 0
    resend: bool = False


class PdSession:
    """Control panel session with one PD address (sans-IO)."""

    def __init__(
        self,
        address: int,
        *,
        scbk: bytes | None = None,
        install_mode: bool = False,
        use_crc: bool = True,
        max_retries: int = DEFAULT_MAX_RETRIES,
    ) -> None:
        """Plain without key nor install mode, else secure (see module doc)."""
        if not 0 <= address < 0x7F:
            raise ValueError("address must be 0 to 0x7E")
        self.address = address
        self.use_crc = use_crc
        self.max_retries = max_retries
        self.secure: SecureChannel | None = (
            SecureChannel(scbk, install_mode=install_mode)
            if scbk is not None or install_mode
            else None
        )
        self.online = False
        #: replies dropped: wrong address or sequence number, none expected
        self.stray_replies = 0
        self._sqn = SequenceCounter()
        self._parser = FrameParser("reply")
        self._queue: deque[SessionCommand] = deque()
        self._pending: _Pending | None = None
        self._scrypt: HandshakeMessage | None = None

    # -- caller API ---------------------------------------------------------------

    @property
    def awaiting_reply(self) -> bool:
        """Whether a frame was sent and its reply is still due."""
        return self._pending is not None and not self._pending.resend

    @property
    def secure_established(self) -> bool:
        """Whether the secure channel is up."""
        return self.secure is not None and self.secure.established

    @property
    def bad_frames(self) -> int:
        """Frames received malformed (check bytes, reserved bits, layout)."""
        return self._parser.bad_frames

    @property
    def queued(self) -> int:
        """Commands waiting to be sent."""
        return len(self._queue)

    def send(self, command: SessionCommand) -> None:
        """Queue a command (sent before the next POLL)."""
        if isinstance(command, KeySet):
            if self.secure is None:
                raise ValueError("KEYSET needs a secure channel")
            command.payload()  # validate the key now
        self._queue.append(command)

    def next_frame(self) -> bytes:
        """Return the bytes to write: a resend, a handshake step, a command, POLL."""
        pending = self._pending
        if pending is not None:
            if not pending.resend:
                raise RuntimeError("a reply is still due: call on_bytes/on_timeout")
            pending.resend = False
            return pending.frame
        secure = self.secure
        if secure is not None and not secure.established:
            if self._scrypt is not None:
                message, self._scrypt = self._scrypt, None
                return self._send_handshake(_Kind.SCRYPT, message, self._sqn.next())
            self._sqn.reset()
            return self._send_handshake(
                _Kind.CHLNG, secure.challenge(), self._sqn.next()
            )
        command: SessionCommand = self._queue.popleft() if self._queue else Poll()
        sqn = self._sqn.next()
        if secure is not None:
            frame = secure.wrap_command(
                self.address, sqn, command.CODE, command.payload(), use_crc=self.use_crc
            )
        elif isinstance(command, KeySet):  # pragma: no cover - refused by send()
            raise ValueError("KEYSET needs a secure channel")
        else:
            frame = encode_command(command, self.address, sqn, use_crc=self.use_crc)
        self._pending = _Pending(_Kind.COMMAND, command, frame, sqn, command.CODE)
        return frame

    def on_timeout(self) -> list[SessionEvent]:
        """No complete reply in time: resend, or declare the PD offline."""
        pending = self._pending
        if pending is None:
            return []
        self._parser.reset()
        pending.retries += 1
        if pending.retries <= self.max_retries:
            pending.resend = True
            return []
        return self._go_offline(pending.code)

    def on_line_lost(self) -> list[SessionEvent]:
        """Give up what is outstanding: the line went down; offline now."""
        if not self.online:
            return []
        self._parser.reset()
        pending = self._pending
        return self._go_offline(pending.code if pending else CommandCode.POLL)

    def on_bytes(self, data: bytes) -> list[SessionEvent]:
        """Consume received bytes; return the events they complete."""
        events: list[SessionEvent] = []
        for frame in self._parser.feed(data):
            pending = self._pending
            if (
                pending is None
                or frame.address != self.address
                or frame.sqn != pending.sqn
            ):
                self.stray_replies += 1
                continue
            self._pending = None
            if not self.online:
                self.online = True
                events.append(Online())
            if pending.kind is _Kind.COMMAND:
                events.extend(self._on_reply(pending, frame))
            else:
                events.extend(self._on_handshake(pending, frame))
        return events

    # -- internals ------------------------------------------------------------------

    def _send_handshake(
        self, kind: _Kind, message: HandshakeMessage, sqn: int
    ) -> bytes:
        frame = build_frame(
            self.address,
            sqn,
            message.code,
            message.data,
            use_crc=self.use_crc,
            scb=message.scb,
        )
        self._pending = _Pending(kind, None, frame, sqn, message.code)
        return frame

    def _on_handshake(self, pending: _Pending, frame: Frame) -> list[SessionEvent]:
        secure = self.secure
        assert secure is not None  # noqa: S101 - handshakes only run with one
        try:
            if frame.scb is None:
                reply = decode_reply(frame)
                detail = f": {reply.error_name}" if isinstance(reply, Nak) else ""
                raise secure.fail(  # noqa: TRY301
                    f"plaintext reply 0x{frame.code:02X} to the handshake{detail}"
                )
            if pending.kind is _Kind.CHLNG:
                self._scrypt = secure.handle_ccrypt(frame)
                return []
            secure.handle_rmac_i(frame)
        except SecureChannelError as err:
            self._scrypt = None
            secure.state = ChannelState.FAILED
            return [SecureChannelFailed(str(err))]
        return [SecureChannelEstablished(secure.uses_default_key, secure.cuid or b"")]

    def _on_reply(self, pending: _Pending, frame: Frame) -> list[SessionEvent]:
        secure = self.secure
        if secure is not None:
            try:
                frame = secure.unwrap_reply(frame)
            except OsdpError as err:
                # The MAC chain is broken or someone strips the channel: start
                # a new handshake, never accept the reply.
                secure.reset()
                self._sqn.reset()
                self._requeue(pending)
                return [SecurityViolation(str(err))]
        reply = decode_reply(frame)
        if isinstance(reply, Busy):
            self._requeue(pending)
            return []
        events: list[SessionEvent] = [reply]
        command = pending.command
        if command is None or isinstance(command, Poll):
            return events
        ok = not isinstance(reply, Nak)
        events.append(CommandCompleted(command, reply, ok))
        if (
            isinstance(command, KeySet)
            and isinstance(reply, Ack)
            and secure is not None
        ):
            secure.set_scbk(command.scbk)
            self._sqn.reset()
            events.append(KeysetAccepted(command.scbk))
        return events

    def _go_offline(self, code: int) -> list[SessionEvent]:
        """Start over (a queued command stays queued); ``Offline`` if it was online."""
        pending, self._pending = self._pending, None
        self._scrypt = None
        self._sqn.reset()
        if self.secure is not None:
            self.secure.reset()
        if pending is not None:
            self._requeue(pending)
        was_online, self.online = self.online, False
        return [Offline(code)] if was_online else []

    def _requeue(self, pending: _Pending) -> None:
        if pending.command is not None and not isinstance(pending.command, Poll):
            self._queue.appendleft(pending.command)
