"""Tag reader → door unlocked: the integration's listener against a plain automation.

Run from the repository root::

    .venv/bin/python -m pytest benchmarks/bench_tag_reader.py -s -q \\
        -p no:cacheprovider --rootdir=.

One real Home Assistant (pytest-homeassistant-custom-component), two
template locks on input booleans, measured interleaved in rounds:

(a) ``tag_scanned`` fired for a device bound to the main gate (the door
    option ``tag_readers``): the integration's own listener presents the tag
    as a phone tag (decision, access record, access event) and unlocks the
    gate's template lock;
(b) for comparison, the shipped ``tag_credential`` blueprint inlined (an
    automation on ``tag_scanned`` from its reader → ``present_credential``)
    at Building 3's door, on a third template lock;
(c) the baseline: an automation with a ``tag`` trigger over ``N`` tag ids
    → ``lock.unlock`` on its own template lock (no access control, no
    record). Its scans come from another device, bound to no door.

Each sample runs from just before ``hass.bus.async_fire`` to the lock's
``unlocked`` state change; then the lock is locked again and the loop
drained. Printed: p50/p99 of (a), (b) and (c) and the ratio (a)/(c), for each
``N`` of ``BENCH_TAG_IDS`` (1000,100000).

Sizes: ``BENCH_TAG_ROUNDS`` (1000), ``BENCH_TAG_IDS`` ("1000,100000"),
``BENCH_TAG_RESIDENTS`` (20 residents with a phone tag each).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
import random
import sys
import time
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.community_access.const import EVENT_ACCESS_GRANTED
from homeassistant.components.lock.const import LockState
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.conftest import TEST_DOORS, make_entry  # noqa: E402
from tests.helpers import call, setup_community  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_TAG_ROUNDS", "1000"))
SIZES = [int(n) for n in os.environ.get("BENCH_TAG_IDS", "1000,100000").split(",")]
RESIDENTS = int(os.environ.get("BENCH_TAG_RESIDENTS", "20"))
LOCKS = ("gate", "base", "blue")
GATE_LOCK = "lock.gate_lock"
BASE_LOCK = "lock.base_lock"
BLUE_LOCK = "lock.blue_lock"


def bolt_lock(name: str) -> dict[str, Any]:
    """A template lock ``lock.<name>_lock`` on ``input_boolean.<name>_bolt``."""
    bolt = f"input_boolean.{name}_bolt"
    return {
        "name": f"{name} lock",
        "unique_id": f"{name}_lock",
        "state": f"{{{{ is_state('{bolt}', 'on') }}}}",
        "lock": {"action": "input_boolean.turn_on", "target": {"entity_id": bolt}},
        "unlock": {"action": "input_boolean.turn_off", "target": {"entity_id": bolt}},
    }


def pct(samples: list[int], p: float) -> float:
    """Percentile of nanosecond samples, in ms."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] / 1e6


def device(hass: HomeAssistant, name: str) -> str:
    """A reader device in the registry; its id."""
    owner = MockConfigEntry(domain="esphome", title=name)
    owner.add_to_hass(hass)
    return (
        dr.async_get(hass)
        .async_get_or_create(
            config_entry_id=owner.entry_id, identifiers={("esphome", name)}, name=name
        )
        .id
    )


async def setup_locks(hass: HomeAssistant, locks: tuple[str, ...] = LOCKS) -> None:
    """The template locks ``lock.<name>_lock``, locked; the tag integration."""
    assert await async_setup_component(
        hass,
        "input_boolean",
        {"input_boolean": {f"{n}_bolt": {"initial": True} for n in locks}},
    )
    assert await async_setup_component(
        hass,
        "template",
        {"template": [{"lock": [bolt_lock(n) for n in locks]}]},
    )
    assert await async_setup_component(hass, "tag", {})
    await hass.async_block_till_done()


async def register_tags(
    hass: HomeAssistant,
    rng: random.Random,
    unit: str = "3-1-101",
    residents: int = RESIDENTS,
) -> list[str]:
    """Residents of ``unit`` (building 3), each with a phone tag; the tag ids."""
    tags = []
    await call(hass, "add_household", {"unit": unit})
    for i in range(residents):
        person = await call(
            hass,
            "add_person",
            {"unit": unit, "name": f"住户{i}", "role": "family"},
        )
        tag = f"04{rng.randrange(16**12):012X}"
        await call(
            hass,
            "add_credential",
            {"person_id": person["person_id"], "kind": "phone_tag", "value": tag},
        )
        tags.append(tag)
    return tags


def blueprint(reader: str) -> dict[str, Any]:
    """The shipped tag_credential blueprint, inlined, for ``reader`` at Building 3.

    The blueprint's device condition is an event filter here (cheaper: the
    automation does not run for other readers' scans).
    """
    return {
        "id": "tag_blueprint",
        "alias": "Tag blueprint",
        "mode": "queued",
        "max": 10,
        "triggers": [
            {
                "trigger": "event",
                "event_type": "tag_scanned",
                "event_data": {"device_id": reader},
            }
        ],
        "actions": [
            {
                "action": "community_access.present_credential",
                "data": {
                    "door": "Building 3 door",
                    "kind": "phone_tag",
                    "value": "{{ trigger.event.data.tag_id }}",
                },
            }
        ],
    }


async def baselines(
    hass: HomeAssistant, sizes: dict[int, list[str]], reader: str
) -> None:
    """One automation per size: a tag trigger over its ids → unlock the base lock.

    All start off (a turned-off automation's trigger is detached); the
    benchmark turns on one at a time. And the blueprint's automation, on.
    """
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "id": f"tag_baseline_{size}",
                    "alias": f"Tag baseline {size}",
                    "initial_state": False,
                    "triggers": [{"trigger": "tag", "tag_id": tag_ids}],
                    "actions": [
                        {"action": "lock.unlock", "target": {"entity_id": BASE_LOCK}}
                    ],
                }
                for size, tag_ids in sizes.items()
            ]
            + [blueprint(reader)]
        },
    )
    await hass.async_block_till_done()


async def switch(hass: HomeAssistant, size: int, on: bool) -> None:
    """Turn the baseline automation of ``size`` on or off."""
    await hass.services.async_call(
        "automation",
        "turn_on" if on else "turn_off",
        {"entity_id": f"automation.tag_baseline_{size}"},
        blocking=True,
    )
    await hass.async_block_till_done()


class Timer:
    """The time from a fired scan to a lock's ``unlocked`` state."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Track both locks."""
        self.hass = hass
        self.waiting: dict[str, asyncio.Future[int]] = {}
        #: Nanoseconds from the scan to the access event, of the last (a) sample.
        self.decided = 0
        self._t0 = 0
        async_track_state_change_event(
            hass, [f"lock.{n}_lock" for n in LOCKS], self._changed
        )
        hass.bus.async_listen(EVENT_ACCESS_GRANTED, self._granted)

    @callback
    def _granted(self, _event: Event) -> None:
        self.decided = time.perf_counter_ns() - self._t0

    @callback
    def _changed(self, event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is None or new.state != LockState.UNLOCKED:
            return
        future = self.waiting.pop(event.data["entity_id"], None)
        if future is not None:
            future.set_result(time.perf_counter_ns())

    async def sample(self, lock: str, device_id: str, tag_id: str) -> int:
        """Fire one scan; nanoseconds until ``lock`` is unlocked, then relock."""
        future: asyncio.Future[int] = self.hass.loop.create_future()
        self.waiting[lock] = future
        t0 = self._t0 = time.perf_counter_ns()
        self.hass.bus.async_fire(
            "tag_scanned", {"tag_id": tag_id, "device_id": device_id}
        )
        done = await asyncio.wait_for(future, 10)
        await self.hass.async_block_till_done()
        bolt = lock.replace("lock.", "input_boolean.").replace("_lock", "_bolt")
        await self.hass.services.async_call(
            "input_boolean", "turn_on", {"entity_id": bolt}, blocking=True
        )
        await self.hass.async_block_till_done()
        assert self.hass.states.get(lock).state == LockState.LOCKED
        return done - t0


async def test_tag_reader_latency(hass: HomeAssistant) -> None:
    """Print p50/p99 of (a) our listener, (b) the blueprint, (c) an automation."""
    rng = random.Random(14)
    await setup_locks(hass)
    bound, other = device(hass, "gate-reader"), device(hass, "other-reader")
    blue = device(hass, "blueprint-reader")
    bindings = {
        "door_gate": {"lock_entity": GATE_LOCK, "tag_readers": [bound]},
        "door_b3": {"lock_entity": BLUE_LOCK},
    }
    doors = [
        (sid, title, door | bindings.get(sid, {}) | {"open_time": 60})
        for sid, title, door in TEST_DOORS
    ]
    entry = make_entry(doors=doors)
    await setup_community(hass, entry)
    ours = await register_tags(hass, rng)
    timer = Timer(hass)

    sizes = {
        size: [f"B{size}-{rng.randrange(16**12):012X}" for _ in range(size)]
        for size in SIZES
    }
    t0 = time.perf_counter()
    await baselines(hass, sizes, blue)
    print(
        f"\nTag reader → unlocked, {ROUNDS} rounds, interleaved"
        f" (automations set up in {time.perf_counter() - t0:.2f} s),"
        f" database {entry.runtime_data.community.db.engine.dialect.name},"
        f" load average {os.getloadavg()[0]:.2f}"
    )
    for size, theirs in sizes.items():
        await switch(hass, size, True)
        a: list[int] = []
        b: list[int] = []
        c: list[int] = []
        decided: list[int] = []
        for _ in range(ROUNDS):
            runs = [
                (a, GATE_LOCK, bound, rng.choice(ours)),
                (b, BLUE_LOCK, blue, rng.choice(ours)),
                (c, BASE_LOCK, other, rng.choice(theirs)),
            ]
            rng.shuffle(runs)  # interleaved, in a new order each round
            for samples, lock, dev, tag in runs:
                samples.append(await timer.sample(lock, dev, tag))
                if samples is a:
                    decided.append(timer.decided)
        await switch(hass, size, False)
        log = await call(hass, "query_access_log", {"door": "Main gate", "limit": 1})
        assert log["records"][0]["source"] == "tag"
        assert log["records"][0]["granted"] is True
        print(
            f"N={size:,} tag ids in the automation's trigger\n"
            f"  (a) integration listener:   p50 {pct(a, 50):.2f} ms"
            f"  p99 {pct(a, 99):.2f} ms\n"
            f"      scan → access event (fired once the record is committed):"
            f" p50 {pct(decided, 50):.2f} ms  p99 {pct(decided, 99):.2f} ms\n"
            f"  (b) shipped blueprint:      p50 {pct(b, 50):.2f} ms"
            f"  p99 {pct(b, 99):.2f} ms\n"
            f"  (c) tag-trigger automation: p50 {pct(c, 50):.2f} ms"
            f"  p99 {pct(c, 99):.2f} ms\n"
            f"  ratio (a)/(c): p50 {pct(a, 50) / pct(c, 50):.2f}x"
            f"  p99 {pct(a, 99) / pct(c, 99):.2f}x;"
            f"  (b)/(c): p50 {pct(b, 50) / pct(c, 50):.2f}x"
        )
