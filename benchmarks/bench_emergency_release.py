"""Emergency release: fire panel input on -> every one of 100 escape doors commanded open.

Run from the repository root::

    .venv/bin/python -m pytest benchmarks/bench_emergency_release.py -s -q \\
        -p no:cacheprovider --rootdir=.

A real Home Assistant (pytest-homeassistant-custom-component) runs the
integration with ``BENCH_RELEASE_DOORS`` (100) escape-route doors: 16 relay
doors on two 8-channel LCUS boards (each on a pseudo-terminal) and the rest
bound to real template locks (each on an input boolean, as in the tests).
The trigger is the options' fire panel input, a template binary sensor on
an input boolean.

Each run turns the input on and takes, for every door, the time from the
binary sensor's state change (its event's ``time_fired``) to the door being
commanded open: a template lock's ``unlocked`` state change, or the arrival
of its channel's ``on`` command on the board's pty (read in this process
from the event loop). Between runs an administrator restores (every door
locks again) and the input goes off. Printed: per-door p50/p99 and the
p50/p99 of the time until the last of the 100 doors was commanded.

Sizes: ``BENCH_RELEASE_DOORS`` (100), ``BENCH_RELEASE_RUNS`` (50).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
import sys
import time
from typing import Any

from custom_components.community_access.const import DOMAIN, SUBENTRY_SERIAL_LINE
from custom_components.community_access.drivers.relays import lcus_command
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.conftest import make_entry  # noqa: E402
from tests.helpers import setup_community, subentry  # noqa: E402
from tests.operations.modes_common import FIRE_PANEL, bolt_lock  # noqa: E402
from tests.ptys import PtyDevice, wait_for  # noqa: E402

DOORS = int(os.environ.get("BENCH_RELEASE_DOORS", "100"))
RUNS = int(os.environ.get("BENCH_RELEASE_RUNS", "50"))
BOARDS = 2
CHANNELS = 8
RELAY_DOORS = BOARDS * CHANNELS


class TimedBoard(PtyDevice):
    """An LCUS board on a pty that notes when each channel's ``on`` arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.on_at: dict[int, float] = {}
        self._pending = bytearray()

    def _read(self) -> None:
        before = len(self.received)
        super()._read()
        now = time.perf_counter()
        self._pending += self.received[before:]
        while len(self._pending) >= 4:
            command, self._pending = bytes(self._pending[:4]), self._pending[4:]
            for channel in range(1, CHANNELS + 1):
                if command == lcus_command(channel, True):
                    self.on_at.setdefault(channel, now)


def pct(samples: list[float], p: float) -> float:
    """Percentile of second samples, in ms."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def doors_and_lines(boards: list[TimedBoard]) -> tuple[list[Any], list[Any]]:
    doors: list[tuple[str, str, dict[str, Any]]] = []
    for n in range(DOORS):
        data: dict[str, Any] = {
            "zone_kind": "building",
            "building": str(n % 20 + 1),
            "direction": "in",
            "open_time": 5,
            "escape_route": True,
        }
        if n >= RELAY_DOORS:
            data["lock_entity"] = f"lock.d{n}_lock"
        doors.append((f"d{n}", f"Door {n}", data))
    lines = [
        subentry(
            SUBENTRY_SERIAL_LINE,
            f"board{b}",
            f"Board {b}",
            {
                "baudrate": 9600,
                "port": board.path,
                "protocol": "lcus",
                "board_size": CHANNELS,
                "outputs": {
                    str(c + 1): f"d{b * CHANNELS + c}" for c in range(CHANNELS)
                },
            },
        )
        for b, board in enumerate(boards)
    ]
    return doors, lines


async def setup_entities(hass: HomeAssistant) -> None:
    names = [f"d{n}" for n in range(RELAY_DOORS, DOORS)]
    booleans: dict[str, Any] = {f"{n}_bolt": {"initial": True} for n in names}
    booleans["fire_alarm"] = {"initial": False}
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": booleans}
    )
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "lock": [bolt_lock(n) for n in names],
                    "binary_sensor": [
                        {
                            "name": "Fire panel",
                            "state": "{{ is_state('input_boolean.fire_alarm', 'on') }}",
                        }
                    ],
                }
            ]
        },
    )
    await hass.async_block_till_done()


async def test_emergency_release_benchmark(hass: HomeAssistant) -> None:
    boards = [TimedBoard() for _ in range(BOARDS)]
    try:
        await setup_entities(hass)
        doors, lines = doors_and_lines(boards)
        entry = make_entry(
            doors=doors,
            options={"emergency_triggers": [FIRE_PANEL]},
            extra_subentries=lines,
        )
        await setup_community(hass, entry)
        locks = [f"lock.d{n}_lock" for n in range(RELAY_DOORS, DOORS)]
        per_door: list[float] = []
        last: list[float] = []
        for _ in range(RUNS):
            per_door_run, all_open = await one_run(hass, boards, locks)
            per_door += per_door_run
            last.append(all_open)
        print(
            f"\nEmergency release, {DOORS} escape doors "
            f"({RELAY_DOORS} relay, {DOORS - RELAY_DOORS} template locks), {RUNS} runs:"
        )
        print(
            f"  per door: p50 {pct(per_door, 50):.1f} ms, p99 {pct(per_door, 99):.1f} ms"
        )
        print(
            f"  all {DOORS} open: p50 {pct(last, 50):.1f} ms, p99 {pct(last, 99):.1f} ms"
        )
        assert len(per_door) == DOORS * RUNS
        assert await hass.config_entries.async_unload(entry.entry_id)
    finally:
        for board in boards:
            board.unplug()


async def one_run(
    hass: HomeAssistant, boards: list[TimedBoard], locks: list[str]
) -> tuple[list[float], float]:
    """Trigger once; return each door's latency and the last one (seconds)."""
    for board in boards:
        board.on_at.clear()
    unlocked_at: dict[str, float] = {}
    trigger_at: list[float] = []

    @callback
    def _lock(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is not None and new.state == "unlocked":
            unlocked_at.setdefault(event.data["entity_id"], time.perf_counter())

    @callback
    def _panel(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is not None and new.state == "on":
            trigger_at.append(time.perf_counter())

    unsubs = [
        async_track_state_change_event(hass, locks, _lock),
        async_track_state_change_event(hass, FIRE_PANEL, _panel),
    ]
    try:
        await hass.services.async_call(
            "input_boolean", "turn_on", {"entity_id": "input_boolean.fire_alarm"}
        )
        await wait_for(
            lambda: (
                len(unlocked_at) == len(locks)
                and all(len(b.on_at) == CHANNELS for b in boards)
            ),
            timeout=30,
        )
    finally:
        for unsub in unsubs:
            unsub()
    start = trigger_at[0]
    times = list(unlocked_at.values()) + [
        at for board in boards for at in board.on_at.values()
    ]
    latencies = [at - start for at in times]
    await hass.services.async_call(
        DOMAIN, "emergency_restore", {}, blocking=True, return_response=True
    )
    await hass.services.async_call(
        "input_boolean",
        "turn_off",
        {"entity_id": "input_boolean.fire_alarm"},
        blocking=True,
    )
    await hass.async_block_till_done()
    await wait_for(
        lambda: all(hass.states.get(lock).state == "locked" for lock in locks)
    )
    await asyncio.sleep(0.05)
    await hass.async_block_till_done()
    return latencies, max(latencies)
