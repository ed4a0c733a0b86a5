"""SerialLine and the reader/relay adapters on real pseudo-terminals.

The test plays the device on the pty master with ``loop.add_reader``: no
threads. The line opens the slave by name with serialx, as it would open
``/dev/ttyUSB0``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import errno
import logging
import os
from pathlib import Path
import types

import pytest
from serialx import descriptor_transport

from custom_components.community_access.drivers import transport
from custom_components.community_access.drivers.em4100 import encode_frame
from custom_components.community_access.drivers.readers import (
    CardPresentation,
    Em4100Reader,
    LcusRelays,
    LineCardReader,
    RelayError,
)
from custom_components.community_access.drivers.transport import (
    NotConnectedError,
    PortUnavailableError,
    SerialLine,
)
from tests.ptys import PtyDevice, wait_for

FAST = {"retry_initial": 0.05, "retry_max": 0.2, "stable_after": 0.5}


@pytest.fixture
async def line(device: PtyDevice) -> AsyncIterator[SerialLine]:
    serial_line = SerialLine(device.path, name="test line", **FAST)
    await serial_line.start()
    assert serial_line.connected
    yield serial_line
    await serial_line.stop()
    assert not serial_line.running
    assert not serial_line.connected


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_em4100_split_chunks_and_repeats(
    device: PtyDevice, line: SerialLine
) -> None:
    cards: list[CardPresentation] = []
    chunks: list[bytes] = []
    line.add_data_listener(chunks.append)
    clock = FakeClock()
    Em4100Reader(line, "gate-rfid", cards.append, debounce=1.5, clock=clock)
    frame = encode_frame(0x62, 0xE3086CED)

    # One frame in three pieces, each read on its own.
    for start, end in ((0, 3), (3, 9), (9, 14)):
        device.send(frame[start:end])
        await wait_for(lambda end=end: sum(map(len, chunks)) == end)
    await wait_for(lambda: len(cards) == 1)
    assert len(chunks) == 3
    assert cards == [
        CardPresentation("gate-rfid", str(0xE3086CED), "62E3086CED"),
    ]

    # The card held on the module: repeats inside the window, glued and
    # with noise, give nothing new.
    for _ in range(3):
        clock.now += 0.2
        device.send(b"\x00" + frame + frame)
    clock.now += 0.2
    device.send(frame)
    await wait_for(lambda: sum(map(len, chunks)) == 14 + 3 * 29 + 14)
    await asyncio.sleep(0.05)
    assert len(cards) == 1

    # Another card at once, then the first one after the window.
    other = encode_frame(0x01, 1234)
    device.send(other)
    await wait_for(lambda: len(cards) == 2)
    assert cards[1].card_number == "1234"
    clock.now += 2.0
    device.send(frame)
    await wait_for(lambda: len(cards) == 3)
    assert cards[2].card_number == str(0xE3086CED)
    assert cards[2].reader_id == "gate-rfid"


async def test_line_reader_hex_pattern(device: PtyDevice, line: SerialLine) -> None:
    cards: list[CardPresentation] = []
    LineCardReader(
        line,
        "b3-door",
        cards.append,
        pattern=r"CARD:(?P<card>[0-9A-F]{8})",
        radix=16,
    )
    device.send(b"CARD:0012AB34\r\nnoise\r\nCARD:00FF")
    await asyncio.sleep(0.05)
    device.send(b"0001\n\r\n")
    await wait_for(lambda: len(cards) == 2)
    assert [c.card_number for c in cards] == [str(0x0012AB34), str(0x00FF0001)]
    assert cards[1].raw == "CARD:00FF0001"
    assert {c.reader_id for c in cards} == {"b3-door"}


async def test_lcus_command_bytes(device: PtyDevice, line: SerialLine) -> None:
    relays = LcusRelays(line, channels=4)
    await relays.switch(1, True)
    await wait_for(lambda: len(device.received) == 4)
    assert bytes(device.received) == bytes.fromhex("A00101A2")
    await relays.switch(1, False)
    await wait_for(lambda: len(device.received) == 8)
    assert bytes(device.received[4:]) == bytes.fromhex("A00100A1")
    assert relays.states == {1: False, 2: None, 3: None, 4: None}

    # Concurrent writers never interleave: whole 4-byte commands only.
    device.received.clear()
    commands = [(ch, on) for ch in range(1, 5) for on in (True, False)] * 10
    await asyncio.gather(*(relays.switch(ch, on) for ch, on in commands))
    await wait_for(lambda: len(device.received) == 4 * len(commands))
    got = [bytes(device.received[i : i + 4]) for i in range(0, len(device.received), 4)]
    assert sorted(got) == sorted(
        bytes([0xA0, ch, int(on), (0xA0 + ch + int(on)) & 0xFF]) for ch, on in commands
    )
    with pytest.raises(ValueError):
        await relays.switch(5, True)


async def test_probe_and_start_missing_port(tmp_path: Path) -> None:
    missing = str(tmp_path / "ttyUSB9")
    line = SerialLine(missing, **FAST)
    with pytest.raises(PortUnavailableError, match="ttyUSB9"):
        await line.probe()
    with pytest.raises(PortUnavailableError):
        await line.start()
    assert not line.running
    assert not line.connected
    with pytest.raises(NotConnectedError):
        await line.write(b"x")
    with pytest.raises(RelayError):
        await LcusRelays(line).switch(1, True)
    await line.stop()


async def test_probe_existing_port(device: PtyDevice) -> None:
    line = SerialLine(device.path)
    await line.probe()
    assert not line.connected
    # The port was closed again: it can be opened by the line.
    await line.start()
    assert line.connected
    await line.stop()


async def test_stop_right_after_start(device: PtyDevice) -> None:
    states: list[bool] = []
    line = SerialLine(device.path, on_state=states.append)
    await line.start()
    await line.stop()
    await line.stop()
    assert states == [True, False]
    assert not line.connected


async def test_backoff_while_missing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=transport.__name__)
    link = tmp_path / "ttyUSB0"
    line = SerialLine(str(link), retry_initial=0.02, retry_max=0.08)
    await line.start(require_port=False)

    def delays() -> list[object]:
        return [
            r.args[1]
            for r in caplog.records
            if r.levelno == logging.DEBUG
            and isinstance(r.args, tuple)
            and "retrying in" in r.msg
        ]

    await wait_for(lambda: len(delays()) >= 5)
    assert delays()[:5] == [0.02, 0.04, 0.08, 0.08, 0.08]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "unavailable" in warnings[0].getMessage()

    device = PtyDevice()
    try:
        link.symlink_to(device.path)
        await wait_for(lambda: line.connected)
        assert any("is back" in r.getMessage() for r in caplog.records)
    finally:
        await line.stop()
        device.unplug()


async def test_unplug_replug(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=transport.__name__)
    link = tmp_path / "ttyUSB0"
    first = PtyDevice()
    link.symlink_to(first.path)
    states: list[bool] = []
    line = SerialLine(str(link), name="gate", on_state=states.append, **FAST)
    cards: list[CardPresentation] = []
    Em4100Reader(line, "gate-rfid", cards.append, debounce=1.5)
    second: PtyDevice | None = None
    await line.start()
    try:
        first.send(encode_frame(0x01, 1111))
        await wait_for(lambda: len(cards) == 1)

        # Unplugged mid-frame: the node disappears, reads fail.
        first.send(encode_frame(0x01, 2222)[:5])
        await asyncio.sleep(0.05)
        link.unlink()
        first.unplug()
        await wait_for(lambda: not line.connected)
        assert states == [True, False]
        await asyncio.sleep(0.5)  # several failed reopens
        gone = [r for r in caplog.records if "unavailable" in r.getMessage()]
        assert len(gone) == 1
        assert gone[0].levelno == logging.WARNING
        with pytest.raises(NotConnectedError):
            await line.write(b"x")

        # Plugged in again: a new pty behind the same name.
        second = PtyDevice()
        link.symlink_to(second.path)
        await wait_for(lambda: line.connected)
        assert states == [True, False, True]
        back = [r for r in caplog.records if "is back" in r.getMessage()]
        assert len(back) == 1
        assert line.connections == 2

        # The partial frame from before is gone; the next card arrives.
        second.send(encode_frame(0x01, 3333))
        await wait_for(lambda: len(cards) == 2)
        assert [c.card_number for c in cards] == ["1111", "3333"]
        await line.write(b"ping")
        await wait_for(lambda: bytes(second.received) == b"ping")
        gone = [r for r in caplog.records if "unavailable" in r.getMessage()]
        assert len(gone) == 1
    finally:
        await line.stop()
        first.unplug()
        if second is not None:
            second.unplug()


async def test_listener_errors_do_not_stop_the_line(
    device: PtyDevice, line: SerialLine, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(data: bytes) -> None:
        raise RuntimeError("boom")

    got: list[bytes] = []
    remove = line.add_data_listener(broken)
    line.add_data_listener(got.append)
    device.send(b"abc")
    await wait_for(lambda: b"".join(got) == b"abc")
    assert "error in a serial line listener" in caplog.text
    remove()
    device.send(b"def")
    await wait_for(lambda: b"".join(got) == b"abcdef")
    assert line.connected


async def test_read_error_eio_reconnects(
    device: PtyDevice, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An unplugged USB adapter fails reads with EIO (a pty gives EOF)."""
    failing = {"armed": False}

    def read(fd: int, size: int) -> bytes:
        if failing["armed"]:
            failing["armed"] = False
            raise OSError(errno.EIO, "Input/output error")
        return os.read(fd, size)

    fake_os = types.SimpleNamespace(**{**vars(os), "read": read})
    monkeypatch.setattr(descriptor_transport, "os", fake_os)
    states: list[bool] = []
    line = SerialLine(device.path, name="usb", on_state=states.append, **FAST)
    got: list[bytes] = []
    line.add_data_listener(got.append)
    await line.start()
    try:
        failing["armed"] = True
        device.send(b"lost")
        await wait_for(lambda: states == [True, False, True])
        assert "Input/output error" in caplog.text
        device.send(b"after")
        await wait_for(lambda: b"".join(got) == b"after")
    finally:
        await line.stop()
