"""The CP session against a real OSDP reader: libosdp's PD in a subprocess.

The PD (``peers/osdp_pd.py``) talks on the slave end of a pty; the test
drives :class:`PdSession` synchronously on the master end. libosdp runs its
own thread, so it never runs in the test process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
import importlib.util
import json
import os
import secrets
import select
import subprocess
import time
import tty
from typing import Any

import pytest

from custom_components.community_access.drivers.osdp import (
    Ack,
    BuzzerControl,
    CapRequest,
    CardRead,
    IdRequest,
    Keypad,
    LedColor,
    LedControl,
    LedRecord,
    Nak,
    PdCap,
    PdId,
    TextOutput,
)
from custom_components.community_access.drivers.osdp_secure import SCBK_DEFAULT
from custom_components.community_access.drivers.osdp_session import (
    CommandCompleted,
    KeySet,
    KeysetAccepted,
    Online,
    PdSession,
    SecureChannelEstablished,
    SecureChannelFailed,
    SecurityViolation,
    SessionEvent,
)
from custom_components.community_access.drivers.wiegand import encode_facility_number
from tests.ptys import start_osdp_pd, stop_osdp_pd

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("osdp_sys") is None, reason="libosdp is not installed"
)

ADDRESS = 1
REPLY_TIMEOUT = 0.2


@dataclass
class PdPeer:
    """One libosdp PD subprocess and the CP end of its pty."""

    proc: subprocess.Popen[bytes]
    fd: int
    _lines: bytearray = field(default_factory=bytearray)
    #: everything the test saw on the wire, for failure messages
    log: list[str] = field(default_factory=list)

    def tell(self, line: str) -> None:
        """Send a line to the PD script's stdin."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def message(self, timeout: float = 2.0) -> dict[str, Any] | None:
        """Next JSON line printed by the PD script, ``None`` on timeout."""
        assert self.proc.stdout is not None
        out = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._lines:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([out], [], [], left)[0]:
                return None
            chunk = os.read(out, 4096)
            if not chunk:
                return None
            self._lines += chunk
        line, _, rest = bytes(self._lines).partition(b"\n")
        self._lines[:] = rest
        result: dict[str, Any] = json.loads(line)
        return result

    def exchange(self, session: PdSession) -> list[SessionEvent]:
        """Write the session's next frame, feed the reply or a timeout."""
        frame = session.next_frame()
        self.log.append(f"-> {frame.hex()}")
        os.write(self.fd, frame)
        events: list[SessionEvent] = []
        deadline = time.monotonic() + REPLY_TIMEOUT
        while session.awaiting_reply:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                break
            data = os.read(self.fd, 1024)
            self.log.append(f"<- {data.hex()}")
            events += session.on_bytes(data)
        if session.awaiting_reply:
            self.log.append("timeout")
            events += session.on_timeout()
        return events

    def run_until(
        self,
        session: PdSession,
        done: Callable[[SessionEvent], bool],
        max_exchanges: int = 20,
    ) -> list[SessionEvent]:
        """Exchange until an event satisfies ``done``; return all events."""
        events: list[SessionEvent] = []
        for _ in range(max_exchanges):
            new = self.exchange(session)
            events += new
            if any(done(event) for event in new):
                return events
        pytest.fail(f"condition not met; events {events}; wire {self.log[-10:]}")


@pytest.fixture
def spawn_pd() -> Iterator[Callable[..., PdPeer]]:
    """Start libosdp PDs in subprocesses; always stop them."""
    peers: list[PdPeer] = []

    def spawn(*, scbk: bytes | None = None, install_mode: bool = False) -> PdPeer:
        master, slave = os.openpty()
        tty.setraw(master)
        tty.setraw(slave)
        try:
            proc = start_osdp_pd(slave, ADDRESS, scbk=scbk, install_mode=install_mode)
        finally:
            os.close(slave)
        peer = PdPeer(proc, master)
        peers.append(peer)
        assert peer.message(timeout=10) == {"ready": True}
        return peer

    yield spawn
    for peer in peers:
        try:
            stop_osdp_pd(peer.proc)
        finally:
            for stream in (peer.proc.stdin, peer.proc.stdout):
                if stream is not None:
                    stream.close()
            os.close(peer.fd)


def _of[T](kind: type[T], events: list[SessionEvent]) -> list[T]:
    return [event for event in events if isinstance(event, kind)]


def _card(peer: PdPeer, facility: int, number: int) -> None:
    pattern = encode_facility_number(facility, number, 26)
    data = (pattern << 6).to_bytes(4, "big")  # 26 bits, first bit = MSB
    peer.tell(f"card {data.hex()} 26")


def _wait_card(peer: PdPeer, session: PdSession) -> CardRead:
    events = peer.run_until(session, lambda e: isinstance(e, CardRead))
    return _of(CardRead, events)[0]


def test_plain_poll_id_cap(spawn_pd: Callable[..., PdPeer]) -> None:
    """(a) Plain mode: POLL -> ACK, ID -> PDID, CAP -> PDCAP."""
    peer = spawn_pd()
    session = PdSession(ADDRESS)
    events = peer.exchange(session)
    assert events[0] == Online()
    assert _of(Ack, events) == [Ack(address=ADDRESS, sqn=0)]

    session.send(IdRequest())
    events = peer.exchange(session)
    (pdid,) = _of(PdId, events)
    assert pdid.vendor_code == bytes.fromhex("c3b2a1")
    assert (pdid.model, pdid.version, pdid.serial_number) == (3, 2, 0x12345678)
    assert pdid.firmware == (1, 2, 3)
    (done,) = _of(CommandCompleted, events)
    assert done.ok
    assert done.command == IdRequest()

    session.send(CapRequest())
    (pdcap,) = _of(PdCap, peer.exchange(session))
    functions = {cap.function: cap for cap in pdcap.capabilities}
    assert functions[9].compliance == 1  # communication security: AES-128
    assert 5 in functions  # LED control

    # the sequence runs 0, 1, 2, 3, 1, ... and the PD keeps answering
    for _ in range(5):
        assert _of(Ack, peer.exchange(session))
    assert session.stray_replies == 0


def test_plain_card_read_and_keypad(spawn_pd: Callable[..., PdPeer]) -> None:
    """(b) A card read (Wiegand 26) and key presses arrive with the polls."""
    peer = spawn_pd()
    session = PdSession(ADDRESS)
    peer.exchange(session)
    _card(peer, 123, 45678)
    card = _wait_card(peer, session)
    assert card.bit_count == 26
    assert card.wiegand is not None
    assert (card.wiegand.facility, card.wiegand.number) == (123, 45678)
    assert card.card_number == str(123 << 16 | 45678)

    peer.tell("keys 1234#")
    events = peer.run_until(session, lambda e: isinstance(e, Keypad))
    assert _of(Keypad, events)[0].digits == "1234#"


def test_resend_after_timeout_same_sequence(spawn_pd: Callable[..., PdPeer]) -> None:
    """A lost reply: the resend is byte-identical (same SQN) and answered.

    libosdp 3.2.9's PD does not replay its last reply for a repeated SQN
    (a documented TODO in libosdp): it answers the POLL again, so the card
    read carried by the lost reply is gone. A spec-conformant reader would
    repeat it; the session side is the same either way.
    """
    peer = spawn_pd()
    session = PdSession(ADDRESS)
    peer.exchange(session)
    _card(peer, 1, 2)
    time.sleep(0.1)
    frame = session.next_frame()
    os.write(peer.fd, frame)
    time.sleep(REPLY_TIMEOUT)
    lost = os.read(peer.fd, 1024)  # the reply is "lost"
    assert lost
    assert session.on_timeout() == []
    resend = session.next_frame()
    assert resend == frame
    os.write(peer.fd, resend)
    events: list[SessionEvent] = []
    while session.awaiting_reply and select.select([peer.fd], [], [], 0.5)[0]:
        events += session.on_bytes(os.read(peer.fd, 1024))
    assert not session.awaiting_reply
    replies = [e for e in events if isinstance(e, Ack | CardRead)]
    assert len(replies) == 1
    assert replies[0].sqn == frame[4] & 0x03
    # and the exchange goes on normally
    assert _of(Ack, peer.exchange(session))


def test_led_buzzer_text_acknowledged(spawn_pd: Callable[..., PdPeer]) -> None:
    """(e) LED, BUZ and TEXT are acknowledged and reach the PD's app."""
    peer = spawn_pd()
    session = PdSession(ADDRESS)
    peer.exchange(session)
    led = LedControl(
        (
            LedRecord(
                perm_control=1,
                perm_on_time=5,
                perm_off_time=5,
                perm_on_color=LedColor.GREEN,
                perm_off_color=LedColor.BLACK,
            ),
        )
    )
    for command in (led, BuzzerControl(tone=2, on_time=3, off_time=1, count=2)):
        session.send(command)
        events = peer.exchange(session)
        (done,) = _of(CommandCompleted, events)
        assert done.ok
        assert isinstance(done.reply, Ack)
    seen = [peer.message(), peer.message()]
    assert seen[0] is not None
    assert seen[0]["command"]["on_color"] == LedColor.GREEN
    assert seen[1] is not None
    assert seen[1]["command"]["rep_count"] == 2

    session.send(TextOutput("Hello"))
    (done,) = _of(CommandCompleted, peer.exchange(session))
    assert done.ok
    message = peer.message()
    assert message is not None
    assert message["command"]["data"] == "Hello"


def test_secure_install_keyset_and_reconnect(spawn_pd: Callable[..., PdPeer]) -> None:
    """(c) SCBK-D in install mode, KEYSET a fresh key, reconnect with it."""
    peer = spawn_pd(install_mode=True)
    session = PdSession(ADDRESS, install_mode=True)
    events = peer.run_until(session, lambda e: isinstance(e, SecureChannelEstablished))
    (established,) = _of(SecureChannelEstablished, events)
    assert established.default_key
    assert _of(Ack, peer.exchange(session))

    new_key = secrets.token_bytes(16)
    session.send(KeySet(new_key))
    events = peer.run_until(session, lambda e: isinstance(e, KeysetAccepted))
    assert _of(KeysetAccepted, events)[0].scbk == new_key
    message = peer.message()
    assert message is not None
    assert bytes.fromhex(message["command"]["data"]) == new_key

    # the same PD, the same session: the next handshake uses the new key
    events = peer.run_until(session, lambda e: isinstance(e, SecureChannelEstablished))
    assert not _of(SecureChannelEstablished, events)[0].default_key
    peer.tell("quit")
    peer.proc.wait(timeout=5)

    # a restarted reader holding the new key, not in install mode
    peer = spawn_pd(scbk=new_key)
    session = PdSession(ADDRESS, scbk=new_key)
    events = peer.run_until(session, lambda e: isinstance(e, SecureChannelEstablished))
    assert not _of(SecureChannelEstablished, events)[0].default_key
    assert _of(Ack, peer.exchange(session))
    _card(peer, 200, 65535)
    card = _wait_card(peer, session)
    assert card.wiegand is not None
    assert (card.wiegand.facility, card.wiegand.number) == (200, 65535)

    # encrypted commands: one libosdp refuses (buzzer on for 0 ms), one fine;
    # the NAK comes back under the MAC and is decoded, the channel stays up
    session.send(BuzzerControl(on_time=0, off_time=0))
    session.send(BuzzerControl(on_time=2, off_time=1, count=1))
    events = peer.run_until(session, lambda e: isinstance(e, CommandCompleted))
    (refused,) = _of(CommandCompleted, events)
    assert not refused.ok
    assert isinstance(refused.reply, Nak)
    events = peer.run_until(session, lambda e: isinstance(e, CommandCompleted))
    assert _of(CommandCompleted, events)[0].ok
    assert session.secure_established


def test_wrong_key_fails_cleanly(spawn_pd: Callable[..., PdPeer]) -> None:
    """(d) A PD with another key: the handshake fails, nothing goes plain."""
    peer = spawn_pd(scbk=secrets.token_bytes(16))
    session = PdSession(ADDRESS, scbk=secrets.token_bytes(16))
    session.send(LedControl((LedRecord(perm_control=1, perm_on_color=LedColor.RED),)))
    _card(peer, 1, 1)
    events: list[SessionEvent] = []
    for _ in range(6):
        events += peer.exchange(session)
    failures = _of(SecureChannelFailed, events)
    assert failures
    assert "wrong key" in failures[0].reason
    assert not _of(SecureChannelEstablished, events)
    assert not _of(CardRead, events)
    assert not _of(CommandCompleted, events)
    assert not session.secure_established
    assert session.queued == 1  # the LED command was never sent
    assert peer.message(timeout=0.3) is None  # and never reached the PD


def test_default_key_refused_by_provisioned_pd(spawn_pd: Callable[..., PdPeer]) -> None:
    """Install mode against a provisioned PD (not in install mode) fails."""
    peer = spawn_pd(scbk=secrets.token_bytes(16))
    session = PdSession(ADDRESS, install_mode=True)
    events: list[SessionEvent] = []
    for _ in range(4):
        events += peer.exchange(session)
    assert _of(SecureChannelFailed, events)
    assert not _of(SecureChannelEstablished, events)


def test_provisioned_session_against_plain_only_pd(
    spawn_pd: Callable[..., PdPeer],
) -> None:
    """A provisioned session never talks plain, even to a PD holding SCBK-D."""
    peer = spawn_pd(scbk=SCBK_DEFAULT)
    session = PdSession(ADDRESS, scbk=secrets.token_bytes(16))
    events: list[SessionEvent] = []
    for _ in range(4):
        events += peer.exchange(session)
    assert _of(SecureChannelFailed, events)
    assert not [e for e in events if isinstance(e, Ack)]


def test_secure_resend_recovers_through_new_handshake(
    spawn_pd: Callable[..., PdPeer],
) -> None:
    """A lost secure reply: libosdp 3.2.9 cannot replay it, so it drops the
    channel (MAC of the repeated frame no longer chains) and answers in
    plaintext; the session refuses that reply and re-establishes."""
    peer = spawn_pd(install_mode=True)
    session = PdSession(ADDRESS, install_mode=True)
    peer.run_until(session, lambda e: isinstance(e, SecureChannelEstablished))
    os.write(peer.fd, session.next_frame())
    time.sleep(REPLY_TIMEOUT)
    assert os.read(peer.fd, 1024)  # the reply is "lost"
    session.on_timeout()
    os.write(peer.fd, session.next_frame())
    events: list[SessionEvent] = []
    while session.awaiting_reply and select.select([peer.fd], [], [], 0.5)[0]:
        events += session.on_bytes(os.read(peer.fd, 1024))
    assert [type(e) for e in events] == [SecurityViolation]
    assert not session.secure_established
    peer.run_until(session, lambda e: isinstance(e, SecureChannelEstablished))
    assert _of(Ack, peer.exchange(session))
