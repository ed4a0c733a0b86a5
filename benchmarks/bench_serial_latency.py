"""Serial latency: card frame on one pty -> relay command on another, inside HA.

Run from the repository root (``scripts/bench`` runs it too)::

    .venv/bin/python -m pytest benchmarks/bench_serial_latency.py -s -q \\
        -p no:cacheprovider --rootdir=.

A real Home Assistant (pytest-homeassistant-custom-component) runs the
integration with a community of ``BENCH_SERIAL_HOUSEHOLDS`` (1,000)
households written into its SQLite database. Two serial lines, on two
pseudo-terminals, serve the same gate: an EM4100 (RDM6300) reader and a
relay board, first an LCUS board, then a Modbus-RTU board (a real pymodbus
server in a subprocess).

A writer thread plays the reader: it writes one 14-byte EM4100 frame every
``BENCH_SERIAL_INTERVAL_MS`` (50 ms) and takes the time right after the
write of the frame's last byte returned. A reader thread plays the relay
board's side: it takes the time when ``read()`` returns the first byte of
each command. Both use ``time.perf_counter_ns`` in this process, so neither
waits for Home Assistant's event loop. The path measured is the one a real
reader takes: serialx transport -> EM4100 decoder -> ``async_present``
(decision, access record committed to SQLite, bus event, entities) -> door
operator -> relay output -> serialx write.

Every swipe is a different enrolled card (the reader's 1.5 s repeat
debounce would swallow a card read twice in a row); one swipe in 20 is an
unknown card, which must be denied with no relay command. The ``on``
commands are paired in order with the granted swipes; their counts must
match (none missing, none after a denial).

Sizes: ``BENCH_SERIAL_SWIPES`` (1000, LCUS), ``BENCH_SERIAL_MODBUS_SWIPES``
(200, 0 skips the Modbus pass), ``BENCH_SERIAL_INTERVAL_MS`` (50),
``BENCH_SERIAL_HOUSEHOLDS`` (1000).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import os
from pathlib import Path
import random
import select
import sys
import threading
import time
import tty
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.community_access.const import (
    EVENT_ACCESS_DENIED,
    EVENT_ACCESS_GRANTED,
    SUBENTRY_SERIAL_LINE,
)
from custom_components.community_access.drivers.em4100 import encode_frame
from custom_components.community_access.drivers.relays import (
    lcus_command,
    modbus_write_coil,
)
from homeassistant.core import Event, HomeAssistant, callback

sys.path.insert(0, str(Path(__file__).resolve().parent))
from community_fixtures import populate, swipe_cards  # noqa: E402

from tests.conftest import make_entry as community_entry  # noqa: E402
from tests.drivers.test_modbus_peer import SERVER  # noqa: E402
from tests.helpers import setup_community, subentry  # noqa: E402

SWIPES = int(os.environ.get("BENCH_SERIAL_SWIPES", "1000"))
MODBUS_SWIPES = int(os.environ.get("BENCH_SERIAL_MODBUS_SWIPES", "200"))
INTERVAL_MS = float(os.environ.get("BENCH_SERIAL_INTERVAL_MS", "50"))
HOUSEHOLDS = int(os.environ.get("BENCH_SERIAL_HOUSEHOLDS", "1000"))
WARMUP = 20
UNKNOWN_EVERY = 20
#: After the last swipe, how long the relay side is still listened to.
SETTLE_S = 1.5


@dataclass
class Pass:
    """One measured pass: what was written and what came back."""

    name: str
    #: (perf_counter_ns after the frame's last byte, expected granted)
    swipes: list[tuple[int, bool]] = field(default_factory=list)
    #: perf_counter_ns of the first byte of each ``on`` command
    on_at: list[int] = field(default_factory=list)
    other_commands: int = 0
    granted_events: int = 0
    denied_events: int = 0


class RelaySide:
    """Reads the relay commands the line writes, on a thread of its own.

    ``forward``: a file descriptor the commands are copied to and whose
    bytes are copied back (the Modbus board's end), or ``None`` (LCUS).
    """

    def __init__(
        self, fd: int, command_len: int, on: bytes, forward: int | None
    ) -> None:
        """Listen on ``fd`` for commands of ``command_len`` bytes."""
        self.fd = fd
        self.command_len = command_len
        self.on = on
        self.forward = forward
        self.pass_: Pass | None = None
        self._buffer = bytearray()
        self._first_at = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="relay side")

    def start(self, measured: Pass) -> None:
        """Drop what is pending (an earlier pass's off command), start reading."""
        self.pass_ = measured
        os.set_blocking(self.fd, False)
        try:
            while os.read(self.fd, 4096):
                pass
        except BlockingIOError:
            pass
        os.set_blocking(self.fd, True)
        self._thread.start()

    def stop(self) -> None:
        """Stop and join the thread."""
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        fds = [self.fd] if self.forward is None else [self.fd, self.forward]
        while not self._stop.is_set():
            ready, _, _ = select.select(fds, [], [], 0.05)
            for fd in ready:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    return
                at = time.perf_counter_ns()
                if fd == self.fd:
                    if self.forward is not None:
                        os.write(self.forward, data)
                    self._commands(data, at)
                elif self.forward is not None:
                    os.write(self.fd, data)

    def _commands(self, data: bytes, at: int) -> None:
        assert self.pass_ is not None
        for byte in data:
            if not self._buffer:
                self._first_at = at
            self._buffer.append(byte)
            if len(self._buffer) == self.command_len:
                if bytes(self._buffer) == self.on:
                    self.pass_.on_at.append(self._first_at)
                else:
                    self.pass_.other_commands += 1
                self._buffer.clear()


def write_swipes(
    fd: int, frames: list[tuple[bytes, bool]], interval_ns: int, measured: Pass
) -> None:
    """Write one frame every ``interval_ns`` (thread body)."""
    start = time.perf_counter_ns()
    for i, (frame, granted) in enumerate(frames):
        delay = start + i * interval_ns - time.perf_counter_ns()
        if delay > 0:
            time.sleep(delay / 1e9)
        os.write(fd, frame)
        measured.swipes.append((time.perf_counter_ns(), granted))


def raw_pty() -> tuple[int, int, str]:
    """A pty pair in raw mode: (master, slave, slave's path)."""
    master, slave = os.openpty()
    tty.setraw(slave)
    return master, slave, os.ttyname(slave)


def make_entry(reader_port: str, relay_data: dict[str, Any]) -> MockConfigEntry:
    """The test community: its doors, the reader line and the relay line."""
    return community_entry(
        extra_subentries=[
            subentry(
                SUBENTRY_SERIAL_LINE,
                "reader",
                "Gate reader",
                {"port": reader_port, "baudrate": 9600, "protocol": "em4100",
                 "door": "door_gate"},
            ),
            subentry(
                SUBENTRY_SERIAL_LINE,
                "relays",
                "Gate relays",
                {"baudrate": 9600, **relay_data},
            ),
        ]
    )  # fmt: skip


def pct(samples: list[int], p: float) -> float:
    """Percentile of nanosecond samples, in ms."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] / 1e6


async def measure(
    hass: HomeAssistant,
    measured: Pass,
    *,
    source: str,
    relay: RelaySide,
    sender: threading.Thread,
    settle_s: float,
) -> None:
    """Run ``sender`` (the reader's side) while ``relay`` reads the commands.

    Counts the access events whose source starts with ``source`` into
    ``measured``; listens ``settle_s`` more after the last swipe.
    """

    @callback
    def on_event(event: Event) -> None:
        if event.data.get("source", "").startswith(source):
            if event.event_type == EVENT_ACCESS_GRANTED:
                measured.granted_events += 1
            else:
                measured.denied_events += 1

    unsub = [
        hass.bus.async_listen(EVENT_ACCESS_GRANTED, on_event),
        hass.bus.async_listen(EVENT_ACCESS_DENIED, on_event),
    ]
    relay.start(measured)
    sender.start()
    try:
        while sender.is_alive():
            await asyncio.sleep(0.05)
        sender.join()
        await asyncio.sleep(settle_s)
        await hass.async_block_till_done()
    finally:
        relay.stop()
        for u in unsub:
            u()


async def run_pass(
    hass: HomeAssistant,
    measured: Pass,
    reader_fd: int,
    relay: RelaySide,
    frames: list[tuple[bytes, bool]],
) -> None:
    """Write ``frames`` at the rate, collect the commands, count the events."""
    writer = threading.Thread(
        target=write_swipes,
        args=(reader_fd, frames, int(INTERVAL_MS * 1e6), measured),
        name="card reader side",
    )
    await measure(
        hass,
        measured,
        source="serial:",
        relay=relay,
        sender=writer,
        settle_s=SETTLE_S,
    )


def report(measured: Pass) -> tuple[Any, ...]:
    """Pair the ``on`` commands with the granted swipes; one table row."""
    granted_at = [at for at, granted in measured.swipes if granted]
    denied = len(measured.swipes) - len(granted_at)
    paired = list(zip(granted_at, measured.on_at, strict=False))
    latencies = [on - swipe for swipe, on in paired]
    missed = len(granted_at) - len(measured.on_at)
    row = (
        measured.name,
        f"{len(latencies):,}",
        f"{pct(latencies, 50):.2f}",
        f"{pct(latencies, 95):.2f}",
        f"{pct(latencies, 99):.2f}",
        f"{max(latencies) / 1e6:.2f}",
        str(max(missed, 0)),
        f"{denied} / {max(-missed, 0)}",
    )
    assert measured.granted_events == len(granted_at), "a granted swipe was lost"
    assert measured.denied_events == denied, "a denied swipe was lost"
    assert missed == 0, f"{missed} granted swipes did not open (negative: extra)"
    assert min(latencies) > 0
    return row


def frames_for(
    cards: list[str], count: int, rng: random.Random, unknown: list[str]
) -> list[tuple[bytes, bool]]:
    """``count`` frames of distinct cards, one in 20 unknown (denied)."""
    frames = []
    for i in range(count):
        if i % UNKNOWN_EVERY == UNKNOWN_EVERY - 1:
            frames.append((encode_frame(0x01, int(unknown.pop())), False))
        else:
            frames.append((encode_frame(0x01, int(cards.pop())), True))
    rng.shuffle(frames)
    return frames


async def test_serial_latency_benchmark(hass: HomeAssistant) -> None:
    """Card frame -> relay command, LCUS then Modbus (figures printed)."""
    rng = random.Random(20261127)
    reader_master, reader_slave, reader_path = raw_pty()
    lcus_master, lcus_slave, lcus_path = raw_pty()
    link_master, link_slave, link_path = raw_pty()
    board: asyncio.subprocess.Process | None = None
    entry = make_entry(
        reader_path,
        {"port": lcus_path, "protocol": "lcus", "board_size": 1,
         "outputs": {"1": "door_gate"}},
    )  # fmt: skip
    try:
        await setup_community(hass, entry)

        # ---- the community, written straight into the entry's database
        pop, community = await populate(hass, entry, HOUSEHOLDS)
        counts = community.counts()
        cards, unknown = swipe_cards(pop, community, "door_gate", rng, 2000)
        print(
            f"\nSerial latency benchmark: {counts['households']:,} households, "
            f"{counts['credentials']:,} credentials ({len(cards):,} cards open "
            f"the gate), one EM4100 frame every {INTERVAL_MS:g} ms, Python "
            f"{sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
            f"{os.getloadavg()[0]:.2f}"
        )
        needed = WARMUP * 2 + SWIPES + MODBUS_SWIPES
        assert len(cards) >= needed, "not enough cards: raise the households"

        rows = []
        # ---- LCUS
        lcus = RelaySide(lcus_master, 4, lcus_command(1, True), None)
        await run_pass(
            hass,
            Pass("warm-up"),
            reader_master,
            lcus,
            frames_for(cards, WARMUP, rng, unknown),
        )
        lcus = RelaySide(lcus_master, 4, lcus_command(1, True), None)
        measured = Pass("LCUS relay")
        await run_pass(
            hass, measured, reader_master, lcus, frames_for(cards, SWIPES, rng, unknown)
        )
        rows.append(report(measured))

        # ---- Modbus: the same gate, its relay line now a Modbus board
        if MODBUS_SWIPES > 0:
            # The board (tests/drivers/test_modbus_peer.py's server) takes
            # this pty's master; this process copies between the line's pty
            # and its slave, timing the commands on the way.
            board = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                SERVER,
                str(link_master),
                pass_fds=(link_master,),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
            assert board.stdout is not None
            async with asyncio.timeout(15):
                assert await board.stdout.readline() == b"READY\n"
            subentry = entry.subentries["relays"]
            hass.config_entries.async_update_subentry(
                entry,
                subentry,
                data={"port": lcus_path, "baudrate": 9600, "protocol": "modbus",
                      "unit_id": 1, "coil": 0, "board_size": 1,
                      "outputs": {"0": "door_gate"}},
            )  # fmt: skip
            await hass.async_block_till_done()
            assert await hass.config_entries.async_reload(entry.entry_id)
            await hass.async_block_till_done()
            assert entry.runtime_data.lines["relays"].config.protocol == "modbus"
            on = modbus_write_coil(1, 0, True)
            for name, count in (("warm-up", WARMUP), ("Modbus relay", MODBUS_SWIPES)):
                side = RelaySide(lcus_master, len(on), on, link_slave)
                measured = Pass(name)
                await run_pass(
                    hass,
                    measured,
                    reader_master,
                    side,
                    frames_for(cards, count, rng, unknown),
                )
            rows.append(report(measured))

        header = (
            "",
            "swipes opened",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "max ms",
            "did not open",
            "denied / relay after",
        )
        cells = [header, *rows]
        widths = [max(len(str(r[i])) for r in cells) for i in range(len(header))]
        line = "-" * (sum(widths) + 2 * len(widths) + 2)
        print(
            "\nLast byte of the card frame -> first byte of the relay's on command"
            f"\n{line}"
        )
        for n, row in enumerate(cells):
            print(
                "  "
                + "  ".join(
                    str(c).ljust(w) if i == 0 else str(c).rjust(w)
                    for i, (c, w) in enumerate(zip(row, widths, strict=True))
                )
            )
            if n == 0:
                print(line)
        print(line)
        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
    finally:
        if board is not None and board.returncode is None:
            board.kill()
            await board.wait()
        for fd in (reader_master, reader_slave, lcus_master, lcus_slave):
            os.close(fd)
        os.close(link_master)
        os.close(link_slave)
