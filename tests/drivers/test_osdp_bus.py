"""OsdpBus on a real line: libosdp PDs and codec-made PDs on one pty.

The bus opens the slave end of a pty ("the RS-485 adapter") with
:class:`SerialLine`. The test plays the wire on the master end from the
event loop (``add_reader``, no threads): every command is copied to every
drop, as on a multi-drop bus, and every reply goes back to the bus. A drop
is a libosdp PD in a subprocess (``peers/osdp_pd.py``) on a pty of its own,
or a small in-test PD built with the codec. Both answer only their address.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import contextlib
from dataclasses import dataclass, field
import importlib.util
import os
import tty

import pytest

from custom_components.community_access.drivers.osdp import (
    Ack,
    CardRead,
    CommandCode,
    FrameParser,
    LedColor,
    LedControl,
    LedRecord,
    ReplyCode,
    build_frame,
    crc16_aug_ccitt,
)
from custom_components.community_access.drivers.osdp_bus import OsdpBus
from custom_components.community_access.drivers.osdp_session import (
    CommandCompleted,
    Offline,
    Online,
    PdSession,
    SessionEvent,
)
from custom_components.community_access.drivers.transport import SerialLine
from custom_components.community_access.drivers.wiegand import encode_facility_number
from tests.drivers.test_osdp_secure import FakePd, _card_data
from tests.ptys import OsdpPd

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("osdp_sys") is None, reason="libosdp is not installed"
)


class CodecPd:
    """A minimal plain PD: ACKs everything, reports queued card reads."""

    def __init__(self, address: int) -> None:
        self.address = address
        self.parser = FrameParser("command")
        self.cards: list[tuple[bytes, int]] = []
        self.commands: list[int] = []
        self.mute = False

    def feed(self, data: bytes) -> bytes:
        out = b""
        for frame in self.parser.feed(data):
            if frame.address != self.address or self.mute:
                continue
            self.commands.append(frame.code)
            if frame.code == CommandCode.POLL and self.cards:
                card, bits = self.cards.pop(0)
                payload = bytes([0, 1]) + bits.to_bytes(2, "little") + card
                out += build_frame(
                    self.address, frame.sqn, ReplyCode.RAW, payload, reply=True
                )
            else:
                out += build_frame(self.address, frame.sqn, ReplyCode.ACK, reply=True)
        return out


class LibosdpPd(OsdpPd):
    """A libosdp PD subprocess on a pty of its own; ``fd`` is this end of it."""

    def __init__(self, address: int) -> None:
        """Start the PD at ``address`` on a new pty."""
        master, slave = os.openpty()
        tty.setraw(master)
        tty.setraw(slave)
        try:
            super().__init__(slave, address)
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        self.fd = master


class Wire:
    """The bus wire: the line's pty master, copied to and from every drop."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.master, self._slave = os.openpty()
        tty.setraw(self.master)
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)
        os.set_blocking(self.master, False)
        self.loop.add_reader(self.master, self._from_line)
        self.codec_pds: list[CodecPd] = []
        self.pds: list[LibosdpPd] = []
        self.unplugged = False

    def _from_line(self) -> None:
        try:
            data = os.read(self.master, 4096)
        except BlockingIOError:
            return
        except OSError:
            self.loop.remove_reader(self.master)
            return
        for pd in self.pds:
            if pd.proc.poll() is None:
                with contextlib.suppress(OSError):
                    os.write(pd.fd, data)
        for codec in self.codec_pds:
            if reply := codec.feed(data):
                self._to_line(reply)

    def _to_line(self, data: bytes) -> None:
        if not self.unplugged:
            os.write(self.master, data)

    def _from_pd(self, pd: LibosdpPd) -> None:
        try:
            data = os.read(pd.fd, 4096)
        except BlockingIOError:
            return
        except OSError:  # the PD is gone
            self.loop.remove_reader(pd.fd)
            return
        self._to_line(data)

    async def spawn(self, address: int) -> LibosdpPd:
        pd = LibosdpPd(address)
        await pd.wait_ready()
        self.pds.append(pd)
        self.loop.add_reader(pd.fd, self._from_pd, pd)
        return pd

    def kill(self, pd: LibosdpPd) -> None:
        pd.proc.kill()
        pd.proc.wait(timeout=5)

    def unplug(self) -> None:
        """Close the line's pty: its reads fail, as with a pulled adapter."""
        if self.unplugged:
            return
        self.unplugged = True
        self.loop.remove_reader(self.master)
        os.close(self.master)
        os.close(self._slave)

    def close(self) -> None:
        self.unplug()
        for pd in self.pds:
            self.loop.remove_reader(pd.fd)
            pd.stop()
            pd.close()
            os.close(pd.fd)


@dataclass
class Recorder:
    events: list[tuple[int, SessionEvent]] = field(default_factory=list)

    def __call__(self, address: int, event: SessionEvent) -> None:
        self.events.append((address, event))

    def of[T](self, address: int, kind: type[T]) -> list[T]:
        return [e for a, e in self.events if a == address and isinstance(e, kind)]

    async def wait(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        try:
            async with asyncio.timeout(timeout):
                while not predicate():
                    await asyncio.sleep(0.01)
        except TimeoutError:
            pytest.fail(f"condition not met; events {self.events[-10:]}")


@pytest.fixture
async def wire() -> AsyncIterator[Wire]:
    w = Wire()
    yield w
    w.close()


@pytest.fixture
async def line(wire: Wire) -> AsyncIterator[SerialLine]:
    # No reopening within a test: after an unplug the pty's name may be
    # reused by another process's pty.
    serial = SerialLine(wire.path, 115200, retry_initial=5.0, retry_max=5.0)
    await serial.start()
    yield serial
    await serial.stop()


def _card(pd: LibosdpPd, facility: int, number: int) -> None:
    pattern = encode_facility_number(facility, number, 26)
    pd.tell(f"card {(pattern << 6).to_bytes(4, 'big').hex()} 26")


async def test_libosdp_pd_online_card_led_offline_again(
    wire: Wire, line: SerialLine
) -> None:
    """Online, a card read, an LED command ACKed, killed -> offline, restarted."""
    pd = await wire.spawn(1)
    recorder = Recorder()
    bus = OsdpBus(
        line,
        recorder,
        [PdSession(1, max_retries=2)],
        reply_timeout=0.1,
        offline_poll_interval=0.2,
    )
    await bus.start()
    try:
        await recorder.wait(lambda: bus.is_online(1))
        assert recorder.of(1, Online) == [Online()]

        _card(pd, 123, 45678)
        await recorder.wait(lambda: bool(recorder.of(1, CardRead)))
        (card,) = recorder.of(1, CardRead)
        assert card.wiegand is not None
        assert (card.wiegand.facility, card.wiegand.number) == (123, 45678)

        record = LedRecord(
            perm_control=1,
            perm_on_time=5,
            perm_off_time=5,
            perm_on_color=LedColor.GREEN,
            perm_off_color=LedColor.BLACK,
        )
        led = LedControl((record,))
        bus.send(1, led)
        await recorder.wait(lambda: bool(recorder.of(1, CommandCompleted)))
        (done,) = recorder.of(1, CommandCompleted)
        assert done.ok
        assert isinstance(done.reply, Ack)
        assert done.command == led
        seen = await pd.message()
        assert seen["command"]["on_color"] == LedColor.GREEN

        wire.kill(pd)
        await recorder.wait(lambda: not bus.is_online(1), timeout=3)
        assert len(recorder.of(1, Offline)) == 1

        await wire.spawn(1)
        await recorder.wait(lambda: bus.is_online(1))
        assert recorder.of(1, Online) == [Online(), Online()]
    finally:
        await bus.stop()
    assert not bus.running


async def test_two_pds_one_line_routing(wire: Wire, line: SerialLine) -> None:
    """A libosdp PD (address 1) and a codec PD (address 2) share the line."""
    pd = await wire.spawn(1)
    codec = CodecPd(2)
    wire.codec_pds.append(codec)
    recorder = Recorder()
    bus = OsdpBus(line, recorder, [PdSession(1), PdSession(2)])
    await bus.start()
    try:
        await recorder.wait(lambda: bus.online == {1: True, 2: True})
        codec.cards.append(((0xABCDEF12).to_bytes(4, "big"), 32))
        _card(pd, 7, 8)
        await recorder.wait(
            lambda: bool(recorder.of(1, CardRead) and recorder.of(2, CardRead))
        )
        (card1,) = recorder.of(1, CardRead)
        (card2,) = recorder.of(2, CardRead)
        assert card1.address == 1
        assert card1.wiegand is not None
        assert (card1.wiegand.facility, card1.wiegand.number) == (7, 8)
        assert card2.address == 2
        assert card2.bits == 0xABCDEF12

        bus.send(2, LedControl((LedRecord(perm_control=1),)))
        await recorder.wait(lambda: bool(recorder.of(2, CommandCompleted)))
        assert not recorder.of(1, CommandCompleted)
        assert CommandCode.LED in codec.commands

        # one PD going silent does not take the other offline
        codec.mute = True
        await recorder.wait(lambda: not bus.is_online(2), timeout=3)
        assert bus.is_online(1)
        assert not recorder.of(1, Offline)
        assert bus.session(1).stray_replies == 0
        assert bus.unknown_replies == 0
    finally:
        await bus.stop()


async def test_line_loss_takes_pds_offline(wire: Wire, line: SerialLine) -> None:
    """The adapter goes away: Offline for every PD, no writes, clean stop."""
    for address in (3, 4):
        wire.codec_pds.append(CodecPd(address))
    recorder = Recorder()
    bus = OsdpBus(line, recorder, [PdSession(3), PdSession(4)])
    await bus.start()
    try:
        await recorder.wait(lambda: bus.online == {3: True, 4: True})
        wire.unplug()
        await recorder.wait(lambda: bus.online == {3: False, 4: False})
        assert [type(e) for _, e in recorder.events].count(Offline) == 2
        await asyncio.sleep(0.05)  # a write under way when the line went
        sent = bus.frames_sent
        await asyncio.sleep(0.2)
        assert bus.frames_sent == sent
    finally:
        await bus.stop()
    assert not bus.running


class FakeLine:
    """An in-process line: codec PDs answer after ``delay`` seconds."""

    def __init__(self, *pds: CodecPd, delay: float = 0.005) -> None:
        self.baudrate = 115200
        self.connected = True
        self.pds = list(pds)
        self.delay = delay
        self.writes: list[tuple[float, bytes]] = []
        self.overlaps = 0
        self._due_until = 0.0
        self._data: list[Callable[[bytes], None]] = []
        self._state: list[Callable[[bool], None]] = []
        self.loop = asyncio.get_running_loop()

    def add_data_listener(
        self, listener: Callable[[bytes], None]
    ) -> Callable[[], None]:
        self._data.append(listener)
        return lambda: self._data.remove(listener)

    def add_state_listener(
        self, listener: Callable[[bool], None]
    ) -> Callable[[], None]:
        self._state.append(listener)
        return lambda: self._state.remove(listener)

    def set_connected(self, connected: bool) -> None:
        self.connected = connected
        for listener in list(self._state):
            listener(connected)

    async def write(self, data: bytes) -> None:
        now = self.loop.time()
        if now < self._due_until:
            self.overlaps += 1
        self._due_until = now + 0.1
        self.writes.append((now, data))
        for pd in self.pds:
            if reply := pd.feed(data):
                self.loop.call_later(self.delay, self._reply, reply)

    def _reply(self, data: bytes) -> None:
        self._due_until = 0.0
        for listener in list(self._data):
            listener(data)

    def frames_to(self, address: int) -> list[bytes]:
        return [data for _, data in self.writes if data[1] == address]


async def test_pause_and_resume_with_the_line() -> None:
    """Line down: Offline, no writes; line back: polling resumes, Online."""
    line = FakeLine(CodecPd(1), CodecPd(2))
    recorder = Recorder()
    bus = OsdpBus(line, recorder, [PdSession(1), PdSession(2)], reply_timeout=0.1)
    await bus.start()
    try:
        await recorder.wait(lambda: bus.online == {1: True, 2: True})
        bus.send(2, LedControl((LedRecord(perm_control=1),)))
        line.set_connected(False)
        assert bus.online == {1: False, 2: False}
        assert len(recorder.of(1, Offline)) == len(recorder.of(2, Offline)) == 1
        count = len(line.writes)
        await asyncio.sleep(0.15)
        assert len(line.writes) == count
        line.set_connected(True)
        await recorder.wait(lambda: bus.online == {1: True, 2: True})
        assert len(recorder.of(1, Online)) == len(recorder.of(2, Online)) == 2
        # the queued command survived the loss and went out afterwards
        await recorder.wait(lambda: bool(recorder.of(2, CommandCompleted)))
    finally:
        await bus.stop()
    assert line.overlaps == 0
    assert not line._data
    assert not line._state
    assert asyncio.all_tasks() == {asyncio.current_task()}


async def test_cadence_one_outstanding_and_resend() -> None:
    """~poll_interval per PD, never two frames in flight, same bytes resent."""
    quiet = CodecPd(2)
    line = FakeLine(CodecPd(1), quiet, delay=0.01)
    recorder = Recorder()
    bus = OsdpBus(
        line,
        recorder,
        [PdSession(1), PdSession(2, max_retries=2)],
        reply_timeout=0.05,
        poll_interval=0.05,
        offline_poll_interval=10.0,
    )
    await bus.start()
    try:
        await recorder.wait(lambda: bus.online == {1: True, 2: True})
        start = len(line.frames_to(1))
        await asyncio.sleep(0.5)
        polls = len(line.frames_to(1)) - start
        assert 6 <= polls <= 12, polls
        assert line.overlaps == 0

        quiet.mute = True
        sent = len(line.frames_to(2))
        await recorder.wait(lambda: not bus.is_online(2), timeout=2)
        missed = line.frames_to(2)[sent:]
        # the first unanswered frame, then max_retries identical resends
        assert len(missed) == 3
        assert len(set(missed)) == 1
        assert bus.is_online(1)
        # an offline PD is probed once per offline_poll_interval only
        await asyncio.sleep(0.3)
        assert len(line.frames_to(2)) == sent + 3
    finally:
        await bus.stop()


class TamperingSecurePd:
    """A secure PD (the reference of test_osdp_secure) behind a tampering wire.

    While ``tamper`` is set, every reply reaches the bus with CTRL bit 4 set
    and its CRC fixed up.
    """

    def __init__(self, scbk: bytes) -> None:
        self.pd = FakePd(scbk)
        self.tamper = False

    def feed(self, data: bytes) -> bytes:
        reply = self.pd.handle(data)  # the fake line writes whole frames
        if self.tamper:
            body = reply[:4] + bytes([reply[4] | 0x10]) + reply[5:-2]
            reply = body + crc16_aug_ccitt(body).to_bytes(2, "little")
        return reply


async def test_reply_altered_in_reserved_bits_never_reaches_the_session() -> None:
    """Through the bus: the altered secure card read is dropped as a bad frame."""
    key = bytes(range(16))
    pd = TamperingSecurePd(key)
    line = FakeLine(pd)  # type: ignore[arg-type]
    recorder = Recorder()
    session = PdSession(1, scbk=key, max_retries=2)
    bus = OsdpBus(
        line, recorder, [session], reply_timeout=0.05, offline_poll_interval=10.0
    )
    await bus.start()
    try:
        await recorder.wait(lambda: session.secure_established)
        pd.tamper = True
        pd.pd.card = _card_data(7, 4242)
        await recorder.wait(lambda: not bus.is_online(1))
        assert recorder.of(1, CardRead) == []
        assert bus.bad_frames >= 3  # the reply and its two repeats
    finally:
        await bus.stop()


async def test_bus_api_errors() -> None:
    """Unknown addresses and duplicates are refused; start twice refused."""
    line = FakeLine()
    bus = OsdpBus(line, Recorder(), [PdSession(1)])
    with pytest.raises(ValueError, match="already"):
        bus.add_session(PdSession(1))
    with pytest.raises(KeyError):
        bus.send(9, LedControl(()))
    with pytest.raises(ValueError, match="positive"):
        OsdpBus(line, Recorder(), reply_timeout=0)
    bus.add_session(PdSession(5))
    assert bus.addresses == [1, 5]
    await bus.start()
    try:
        with pytest.raises(RuntimeError):
            await bus.start()
        assert bus.remove_session(5).address == 5
        assert bus.addresses == [1]
    finally:
        await bus.stop()
        await bus.stop()
    assert not bus.running


async def test_restart_after_stop_mid_exchange() -> None:
    """Stopped while a reply is due: a restarted bus carries on."""
    pd = CodecPd(1)
    line = FakeLine(pd, delay=0.2)
    recorder = Recorder()
    bus = OsdpBus(line, recorder, [PdSession(1)], reply_timeout=0.5)
    await bus.start()
    await asyncio.sleep(0.05)
    assert bus.session(1).awaiting_reply
    await bus.stop()
    assert not bus.session(1).awaiting_reply
    line.delay = 0.005
    await asyncio.sleep(0.25)  # the late reply arrives while stopped
    await bus.start()
    try:
        await recorder.wait(lambda: bus.is_online(1))
    finally:
        await bus.stop()
