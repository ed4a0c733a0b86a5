"""OSDP latency (issue #6): a card-read reply on the wire -> the relay's command.

Run from the repository root (``scripts/bench`` runs it too)::

    .venv/bin/python -m pytest benchmarks/bench_osdp_latency.py -s -q \\
        -p no:cacheprovider --rootdir=.

A real Home Assistant (pytest-homeassistant-custom-component) runs the
integration with a community of ``BENCH_OSDP_HOUSEHOLDS`` (1,000)
households written into its SQLite database (as in
``bench_serial_latency.py``). Its main gate has an OSDP line with one OSDP
reader subentry (address 1, LED/buzzer feedback, no output of its own) and
is opened by an LCUS relay line on another pty.

The reader is libosdp 3.2.9's PD in a subprocess
(``tests/drivers/peers/osdp_pd.py``), on a pty of its own. A thread of this
process sits between that pty and the pty Home Assistant opens, copying the
bytes both ways (``os.read`` / ``os.write``) and taking
``time.perf_counter_ns`` when each chunk from the reader is read. It parses
the reader's side with the project's sans-IO ``FrameParser``: the time of
an ``osdp_RAW`` reply frame is that of the chunk holding its last byte,
taken before the chunk is passed on. Another thread reads the relay's pty
and takes the time when the first byte of each ``on`` command is read
(``RelaySide`` of ``bench_serial_latency.py``). Both clocks are this
process's, so neither waits for Home Assistant's event loop.

Figures, per swipe:

* RAW -> relay on: the issue #6 figure; the path is serialx transport ->
  OSDP bus (frame parser, session, RAW decoder, Wiegand parity) -> reader ->
  ``async_present`` (decision, access record committed to SQLite, bus
  event) -> door operator -> LCUS relay output -> serialx write.
* told -> RAW: from writing ``card ...`` to the reader's stdin to the RAW
  frame's last byte: libosdp's event queue, the wait for the bus's next
  poll (one every ~50 ms) and the reader's time to answer it. A real reader
  waits the same poll, so a card held to it sees told -> relay on, the sum.
* POLL to POLL (idle, and the gaps holding a card read) and how long the
  reader takes to answer a POLL and the other commands (its LED and buzzer
  feedback): what the poll wait is made of.

Swipes are spread over random gaps of 60 to 140 % of
``BENCH_OSDP_INTERVAL_MS`` (200 ms on average: a busy reader, each swipe
done long before the next, and no lock-step with the 50 ms polls). Each is a
different enrolled card, sent as Wiegand 34 (the cards' numbers are 32-bit);
one in 20 is an unknown card. Each relay ``on`` command is attributed to
the last RAW frame before it: it must be a granted swipe's, once; a denied
swipe must have none.

Passes: plaintext (``BENCH_OSDP_SWIPES``, 300), then the reader restarted
in install mode, paired through the hub (a fresh key over KEYSET), and the
secure channel (``BENCH_OSDP_SECURE_SWIPES``, 100; 0 skips it). In secure
mode the RAW data is encrypted, so swipes and frames are paired by order
(their counts must match); in plaintext the card number of every frame is
checked against the swipe.

The ptys have no baud rate: on a 9600 baud RS-485 line each POLL/ACK
exchange takes ~16 ms on the wire and the RAW frame itself ~17 ms (its last
byte is the start of the measure, so that is not counted).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import queue
import random
import select
import sys
import threading
import time
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.community_access.const import (
    SUBENTRY_OSDP_READER,
    SUBENTRY_SERIAL_LINE,
)
from custom_components.community_access.drivers.osdp import (
    CardRead,
    CommandCode,
    FrameParser,
    OsdpError,
    ReplyCode,
    decode_reply,
)
from custom_components.community_access.drivers.relays import lcus_command
from custom_components.community_access.drivers.wiegand import encode_facility_number
from homeassistant.core import HomeAssistant

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_serial_latency import Pass, RelaySide, measure, pct, raw_pty  # noqa: E402
from community_fixtures import populate, swipe_cards  # noqa: E402

from tests.conftest import make_entry as community_entry  # noqa: E402
from tests.helpers import setup_community, subentry  # noqa: E402
from tests.ptys import start_osdp_pd, stop_osdp_pd  # noqa: E402

SWIPES = int(os.environ.get("BENCH_OSDP_SWIPES", "300"))
SECURE_SWIPES = int(os.environ.get("BENCH_OSDP_SECURE_SWIPES", "100"))
INTERVAL_MS = float(os.environ.get("BENCH_OSDP_INTERVAL_MS", "200"))
HOUSEHOLDS = int(os.environ.get("BENCH_OSDP_HOUSEHOLDS", "1000"))
WARMUP = 10
UNKNOWN_EVERY = 20
ADDRESS = 1
DOOR = "door_gate"
#: libosdp's command numbers, as the reader prints them
LIBOSDP_LED, LIBOSDP_BUZZER = 2, 3
#: After the last swipe, how long the relay side is still listened to.
SETTLE_S = 1.0


class Reader:
    """libosdp's PD in a subprocess; its stdout is drained on a thread."""

    def __init__(self, fd: int, *, install_mode: bool = False) -> None:
        """Start the reader on ``fd`` (one end of its pty)."""
        self.proc = start_osdp_pd(fd, ADDRESS, install_mode=install_mode)
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        #: commands the reader got, by OSDP command code
        self.commands: dict[int, int] = {}
        self._thread = threading.Thread(target=self._drain, name="osdp reader out")
        self._thread.start()

    def _drain(self) -> None:
        # The reader blocks in libosdp's thread if its stdout pipe fills.
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            message = json.loads(line)
            command = message.get("command")
            if command is None:
                self.messages.put(message)
            else:
                code = int(command["command"])
                self.commands[code] = self.commands.get(code, 0) + 1

    def wait_ready(self) -> None:
        """Wait for the reader's ``ready`` line."""
        assert self.messages.get(timeout=10) == {"ready": True}

    def tell(self, line: bytes) -> int:
        """Write a line to the reader; the time right after the write."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(line)
        return time.perf_counter_ns()

    def stop(self) -> None:
        """Quit, join the drain thread."""
        stop_osdp_pd(self.proc, timeout=5)
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self._thread.join()
        assert self.proc.stdout is not None
        self.proc.stdout.close()


class Wire:
    """Copies bytes between the reader's pty and Home Assistant's, timing them.

    ``pd_fd`` is this process's end of the reader's pty, ``ha_fd`` the master
    of the pty whose slave Home Assistant opens.
    """

    def __init__(self, pd_fd: int, ha_fd: int) -> None:
        """Start copying."""
        self.pd_fd = pd_fd
        self.ha_fd = ha_fd
        #: (perf_counter_ns of the chunk with the frame's last byte, card
        #: number in plaintext, None when the data is encrypted)
        self.raw: list[tuple[int, str | None]] = []
        #: perf_counter_ns of the POLL commands sent to the reader
        self.polls: list[int] = []
        #: (command code, ns from the command's chunk to its reply's): how long
        #: the reader took to answer
        self.turnaround: list[tuple[int, int]] = []
        #: bytes Home Assistant had no room for (its port closed, a reload)
        self.dropped = 0
        self._replies = FrameParser("reply")
        self._commands = FrameParser("command")
        self._command: tuple[int, int] | None = None
        self._stop = threading.Event()
        for fd in (pd_fd, ha_fd):
            os.set_blocking(fd, False)
        self._thread = threading.Thread(target=self._run, name="osdp wire")
        self._thread.start()

    def stop(self) -> None:
        """Stop copying."""
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.pd_fd, self.ha_fd], [], [], 0.05)
            for fd in ready:
                try:
                    data = os.read(fd, 4096)
                except BlockingIOError:
                    continue
                except OSError:
                    return
                at = time.perf_counter_ns()
                if fd == self.pd_fd:
                    self._send(self.ha_fd, data)
                    self._from_reader(data, at)
                else:
                    self._send(self.pd_fd, data)
                    for frame in self._commands.feed(data):
                        self._command = (frame.code, at)
                        if frame.code == CommandCode.POLL:
                            self.polls.append(at)

    def _send(self, fd: int, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(fd, view) :]
            except BlockingIOError:
                self.dropped += len(view)
                return

    def _from_reader(self, data: bytes, at: int) -> None:
        for frame in self._replies.feed(data):
            if self._command is not None:
                code, sent_at = self._command
                self.turnaround.append((code, at - sent_at))
                self._command = None
            if frame.code != ReplyCode.RAW:
                continue
            card: str | None = None
            if frame.scb is None:
                try:
                    reply = decode_reply(frame)
                except OsdpError:
                    reply = None
                if isinstance(reply, CardRead):
                    card = reply.card_number
            self.raw.append((at, card))


@dataclass
class OsdpPass:
    """One measured pass: what the reader was told, what came back."""

    name: str
    #: (perf_counter_ns after the "card" line was written, card, granted)
    told: list[tuple[int, str, bool]] = field(default_factory=list)
    raw: list[tuple[int, str | None]] = field(default_factory=list)
    relay: Pass = field(default_factory=lambda: Pass("relay"))
    polls: list[int] = field(default_factory=list)
    turnaround: list[tuple[int, int]] = field(default_factory=list)


def drain(fd: int) -> None:
    """Drop the bytes waiting on ``fd`` (a non-blocking pty end)."""
    blocking = os.get_blocking(fd)
    os.set_blocking(fd, False)
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass
    finally:
        os.set_blocking(fd, blocking)


def card_line(card: str) -> bytes:
    """The reader's ``card`` command: a Wiegand 34 read of ``card`` (32 bits)."""
    value = int(card)
    pattern = encode_facility_number(value >> 16, value & 0xFFFF, 34)
    return f"card {(pattern << 6).to_bytes(5, 'big').hex()} 34\n".encode()


def tell_swipes(
    reader: Reader,
    swipes: list[tuple[str, bool]],
    gaps_ns: list[int],
    measured: OsdpPass,
) -> None:
    """Tell the reader the cards, at the gaps given (thread body)."""
    lines = [card_line(card) for card, _ in swipes]
    due = time.perf_counter_ns()
    for (card, granted), line, gap in zip(swipes, lines, gaps_ns, strict=True):
        due += gap
        delay = due - time.perf_counter_ns()
        if delay > 0:
            time.sleep(delay / 1e9)
        measured.told.append((reader.tell(line), card, granted))


def make_entry(osdp_port: str, relay_port: str) -> MockConfigEntry:
    """The test community: doors, the OSDP line and reader, the relay line."""
    return community_entry(
        extra_subentries=[
            subentry(
                SUBENTRY_SERIAL_LINE,
                "osdp_line",
                "OSDP bus",
                {"port": osdp_port, "baudrate": 9600, "protocol": "osdp"},
            ),
            subentry(
                SUBENTRY_OSDP_READER,
                "gate_reader",
                "Gate reader",
                {"line": "osdp_line", "address": ADDRESS, "door": DOOR,
                 "output": None, "feedback": True},
            ),
            subentry(
                SUBENTRY_SERIAL_LINE,
                "relays",
                "Gate relays",
                {"port": relay_port, "baudrate": 9600, "protocol": "lcus",
                 "board_size": 1, "outputs": {"1": DOOR}},
            ),
        ]
    )  # fmt: skip


async def until(check: Any, timeout: float = 10.0) -> None:
    """Wait until ``check()`` holds."""
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.02)


async def run_pass(
    hass: HomeAssistant,
    measured: OsdpPass,
    *,
    reader: Reader,
    wire: Wire,
    relay_fd: int,
    swipes: list[tuple[str, bool]],
    rng: random.Random,
) -> None:
    """Tell the reader the swipes at the rate; collect frames, commands, events."""
    relay = RelaySide(relay_fd, 4, lcus_command(1, True), None)
    raw_from, polls_from = len(wire.raw), len(wire.polls)
    turnaround_from = len(wire.turnaround)
    mean = INTERVAL_MS * 1e6
    gaps = [int(rng.uniform(0.6 * mean, 1.4 * mean)) for _ in swipes]
    teller = threading.Thread(
        target=tell_swipes, args=(reader, swipes, gaps, measured), name="swipes"
    )
    await measure(
        hass,
        measured.relay,
        source="osdp:",
        relay=relay,
        sender=teller,
        settle_s=SETTLE_S,
    )
    measured.raw = wire.raw[raw_from:]
    measured.polls = wire.polls[polls_from:]
    measured.turnaround = wire.turnaround[turnaround_from:]


@dataclass
class Figures:
    """What one pass measured."""

    raw_to_on: list[int]
    told_to_raw: list[int]
    told_to_on: list[int]
    granted: int
    denied: int
    missed: int
    after_denied: int


def analyse(measured: OsdpPass) -> Figures:
    """Pair swipes with RAW frames (in order), relay commands with frames."""
    told, raw = measured.told, measured.raw
    assert len(raw) == len(told), (
        f"{measured.name}: {len(told)} swipes but {len(raw)} RAW frames"
    )
    for (_, card, _), (_, seen) in zip(told, raw, strict=True):
        assert seen is None or seen == card, "a RAW frame of another card"
    raw_at = [at for at, _ in raw]
    owner: dict[int, int] = {}
    after_denied = doubles = 0
    for on in measured.relay.on_at:
        before = [k for k, at in enumerate(raw_at) if at < on]
        assert before, "a relay command before any card"
        k = before[-1]
        if not told[k][2]:
            after_denied += 1
        elif k in owner:
            doubles += 1
        else:
            owner[k] = on
    granted = [k for k, (_, _, ok) in enumerate(told) if ok]
    denied = len(told) - len(granted)
    missed = sum(1 for k in granted if k not in owner)
    relay = measured.relay
    assert relay.granted_events == len(granted), "a granted swipe was not granted"
    assert relay.denied_events == denied, "a denied swipe was not denied"
    assert doubles == 0, f"{doubles} swipes opened twice"
    assert min(owner[k] - raw_at[k] for k in owner) > 0
    return Figures(
        raw_to_on=[owner[k] - raw_at[k] for k in sorted(owner)],
        told_to_raw=[raw_at[k] - told[k][0] for k in range(len(told))],
        told_to_on=[owner[k] - told[k][0] for k in sorted(owner)],
        granted=len(granted),
        denied=denied,
        missed=missed,
        after_denied=after_denied,
    )


def stats(samples: list[int]) -> str:
    """p50 / p95 / p99 / max in ms."""
    return " / ".join(
        f"{v:6.2f}"
        for v in (
            pct(samples, 50),
            pct(samples, 95),
            pct(samples, 99),
            max(samples) / 1e6,
        )
    )


def poll_gaps(polls: list[int], raw_at: list[int]) -> tuple[list[int], list[int]]:
    """POLL-to-POLL gaps: those with a card read in them, and the others."""
    with_card: list[int] = []
    quiet: list[int] = []
    k = 0
    for a, b in zip(polls, polls[1:], strict=False):
        while k < len(raw_at) and raw_at[k] < a:
            k += 1
        (with_card if k < len(raw_at) and raw_at[k] < b else quiet).append(b - a)
    return with_card, quiet


def print_table(results: list[tuple[OsdpPass, Figures]]) -> None:
    """The figures of every pass."""
    print(
        "\nOSDP: p50 / p95 / p99 / max, ms (RAW = the last byte of the reader's "
        "osdp_RAW reply frame; relay on = the first byte of the LCUS on command)"
    )
    line = "-" * 96
    print(line)
    for measured, fig in results:
        name = measured.name
        with_card, quiet = poll_gaps(measured.polls, [at for at, _ in measured.raw])
        polled = [ns for code, ns in measured.turnaround if code == CommandCode.POLL]
        other = [ns for code, ns in measured.turnaround if code != CommandCode.POLL]
        print(
            f"  {name}: {fig.granted + fig.denied} swipes, {fig.granted} granted, "
            f"{fig.denied} unknown cards denied"
        )
        rows = [
            ("RAW -> relay on", fig.raw_to_on, "the issue #6 figure"),
            ("told -> RAW", fig.told_to_raw, "libosdp's queue + the poll wait"),
            ("told -> relay on", fig.told_to_on, ""),
            ("POLL to POLL, idle", quiet, f"{len(quiet)} gaps"),
            ("POLL to POLL, card", with_card, f"{len(with_card)} gaps with a RAW"),
            ("reader answers POLL", polled, "command chunk -> reply chunk"),
            ("reader answers other", other, f"{len(other)} LED/buzzer/other"),
        ]
        for label, samples, note in rows:
            if samples:
                print(f"    {label:<22}{stats(samples)}   {note}".rstrip())
        print(
            f"    granted swipes that did not open: {fig.missed}; relay commands "
            f"after a denied swipe: {fig.after_denied}"
        )
    print(line)


def swipes_for(
    cards: list[str], count: int, unknown: list[str]
) -> list[tuple[str, bool]]:
    """``count`` swipes of distinct cards, one in 20 unknown."""
    return [
        (unknown.pop(), False)
        if i % UNKNOWN_EVERY == UNKNOWN_EVERY - 1
        else (cards.pop(), True)
        for i in range(count)
    ]


async def test_osdp_latency_benchmark(hass: HomeAssistant) -> None:
    """RAW reply frame -> relay command, plaintext then secure (figures printed)."""
    rng = random.Random(20261127)
    # The reader's pty (it holds the master) and Home Assistant's.
    pd_master, pd_slave, _ = raw_pty()
    ha_master, ha_slave, ha_path = raw_pty()
    relay_master, relay_slave, relay_path = raw_pty()
    wire = Wire(pd_slave, ha_master)
    reader = Reader(pd_master)
    readers = [reader]
    entry = make_entry(ha_path, relay_path)
    try:
        reader.wait_ready()
        await setup_community(hass, entry)

        # ---- the community, written straight into the entry's database
        pop, community = await populate(hass, entry, HOUSEHOLDS)
        counts = community.counts()
        cards, unknown = swipe_cards(pop, community, DOOR, rng, 1000)
        needed = 2 * WARMUP + SWIPES + SECURE_SWIPES
        assert len(cards) >= needed, "not enough cards: raise the households"
        hub = entry.runtime_data.osdp["osdp_line"]
        gate = hub.readers[ADDRESS]
        await until(lambda: gate.online and gate.trusted)
        print(
            f"\nOSDP latency benchmark: {counts['households']:,} households, "
            f"{counts['credentials']:,} credentials ({len(cards):,} cards open "
            f"the gate), one swipe every {INTERVAL_MS:g} ms on average (gaps "
            f"{0.6 * INTERVAL_MS:g}-{1.4 * INTERVAL_MS:g} ms), libosdp PD at "
            f"address {ADDRESS}, Python {sys.version.split()[0]}, "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
        )

        results: list[tuple[OsdpPass, Figures]] = []
        passes = [("plaintext", SWIPES)]
        if SECURE_SWIPES > 0:
            passes.append(("secure channel", SECURE_SWIPES))
        for name, count in passes:
            if name == "secure channel":
                # A new reader in install mode, paired through the hub once
                # the bus has seen the old one go and the new one come.
                reader.stop()
                await until(lambda: not gate.online)
                # A pty keeps what the bus sent meanwhile; a wire would not.
                drain(pd_master)
                reader = Reader(pd_master, install_mode=True)
                readers.append(reader)
                reader.wait_ready()
                await until(lambda: gate.online and gate.trusted and not gate.secure)
                await hub.async_pair(gate, timeout=10)
                await until(lambda: gate.secure and gate.trusted)
            await run_pass(
                hass,
                OsdpPass("warm-up"),
                reader=reader,
                wire=wire,
                relay_fd=relay_master,
                swipes=swipes_for(cards, WARMUP, unknown),
                rng=rng,
            )
            measured = OsdpPass(name)
            await run_pass(
                hass,
                measured,
                reader=reader,
                wire=wire,
                relay_fd=relay_master,
                swipes=swipes_for(cards, count, unknown),
                rng=rng,
            )
            assert (name == "secure channel") == all(c is None for _, c in measured.raw)
            results.append((measured, analyse(measured)))
            print(
                f"  {name}: load average {os.getloadavg()[0]:.2f} after the pass; "
                f"reader got {reader.commands.get(LIBOSDP_LED, 0)} LED and "
                f"{reader.commands.get(LIBOSDP_BUZZER, 0)} buzzer commands"
            )
        print_table(results)
        if wire.dropped:
            print(
                f"  (bytes dropped by the wire while HA's port was closed: {wire.dropped})"
            )
        for _measured, fig in results:
            assert fig.missed == 0, f"{fig.missed} granted swipes did not open"
            assert fig.after_denied == 0, "a relay command after a denied swipe"
        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
    finally:
        for r in readers:
            r.stop()
        wire.stop()
        for fd in (pd_master, pd_slave, ha_master, ha_slave, relay_master, relay_slave):
            os.close(fd)
