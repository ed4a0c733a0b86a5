"""A credential at a door, end to end, against what an HA user builds without us.

Run from the repository root::

    .venv/bin/python -m pytest benchmarks/bench_door.py -s -q \\
        -p no:cacheprovider --rootdir=.

Issue 14, goal 1. One real Home Assistant per size ``N`` (1,000 and 100,000
credentials in the community and tag ids in the automations), four template
locks on input booleans, measured interleaved in rounds (a new order each
round):

(a) ``community_access.present_credential`` (a phone tag at Building 3's
    door) → that door's bound lock is ``unlocked``;
(b) the reader path a user really wires: ``tag_scanned`` from a reader
    device bound to the main gate (door option ``tag_readers``) → the gate's
    bound lock is ``unlocked``;
(c) the baseline: an automation with a ``tag`` trigger over ``N`` tag ids →
    ``lock.unlock`` (no access control, no record);
(d) an automation on ``tag_scanned`` from its reader with a template
    condition over a list of ``N`` ids → ``lock.unlock``.

Each sample runs from just before the call or the fired event to the lock's
``unlocked`` state change; then the lock is locked again and the loop
drained. (a) and (b) write their access record; the record is committed by
the integration's batching writer while the door opens, and the call
returns once it is. After the rounds the benchmark checks that every (a)
and (b) sample left its access record.

Printed per ``N``: p50/p99 of (a)–(d), the ratios (a)/(c) and (b)/(c), the
writer's batches. Sizes: ``BENCH_DOOR_ROUNDS`` (1000), ``BENCH_DOOR_SIZES``
("1000,100000"), ``BENCH_DOOR_RESIDENTS`` (20 residents with a phone tag).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import os
from pathlib import Path
import random
import sys
import time
from typing import Any

import pytest

from homeassistant.components.lock.const import LockState
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "benchmarks"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from bench_tag_reader import device, pct, register_tags, setup_locks  # noqa: E402
from community_fixtures import populate  # noqa: E402

from tests.conftest import TEST_DOORS, make_entry  # noqa: E402
from tests.helpers import call, setup_community  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_DOOR_ROUNDS", "1000"))
SIZES = [int(n) for n in os.environ.get("BENCH_DOOR_SIZES", "1000,100000").split(",")]
RESIDENTS = int(os.environ.get("BENCH_DOOR_RESIDENTS", "20"))
#: Credentials per generated household (bench_decide's population), about.
PER_HOUSEHOLD = 3
LOCKS = ("svc", "gate", "base", "tmpl")


async def automations(
    hass: HomeAssistant,
    tag_ids: list[str],
    template_ids: list[str],
    template_reader: str,
) -> None:
    """(c) the tag-trigger automation and (d) the template-condition one.

    Their id lists are disjoint: a tag trigger fires whichever device scans.
    """
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "id": "tag_trigger",
                    "alias": "Tag trigger",
                    "triggers": [{"trigger": "tag", "tag_id": tag_ids}],
                    "actions": [
                        {
                            "action": "lock.unlock",
                            "target": {"entity_id": "lock.base_lock"},
                        }
                    ],
                },
                {
                    "id": "tag_template",
                    "alias": "Tag template",
                    "variables": {"allowed": template_ids},
                    "triggers": [
                        {
                            "trigger": "event",
                            "event_type": "tag_scanned",
                            "event_data": {"device_id": template_reader},
                        }
                    ],
                    "conditions": [
                        {
                            "condition": "template",
                            "value_template": "{{ trigger.event.data.tag_id in allowed }}",
                        }
                    ],
                    "actions": [
                        {
                            "action": "lock.unlock",
                            "target": {"entity_id": "lock.tmpl_lock"},
                        }
                    ],
                },
            ]
        },
    )
    await hass.async_block_till_done()


class Unlocks:
    """The time from a start to a lock's ``unlocked`` state."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Track the four locks."""
        self.hass = hass
        self.waiting: dict[str, asyncio.Future[int]] = {}
        async_track_state_change_event(
            hass, [f"lock.{n}_lock" for n in LOCKS], self._changed
        )

    @callback
    def _changed(self, event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is None or new.state != LockState.UNLOCKED:
            return
        future = self.waiting.pop(event.data["entity_id"], None)
        if future is not None:
            future.set_result(time.perf_counter_ns())

    async def sample(self, name: str, start: Callable[[], Any]) -> int:
        """Start; nanoseconds until ``lock.<name>_lock`` is unlocked, then relock."""
        lock = f"lock.{name}_lock"
        future: asyncio.Future[int] = self.hass.loop.create_future()
        self.waiting[lock] = future
        t0 = time.perf_counter_ns()
        started = start()
        try:
            done = await asyncio.wait_for(future, 10)
        except TimeoutError as err:
            raise AssertionError(f"{lock} not unlocked: {started}") from err
        if started is not None:
            await started
        await self.hass.async_block_till_done()
        await self.hass.services.async_call(
            "input_boolean",
            "turn_on",
            {"entity_id": f"input_boolean.{name}_bolt"},
            blocking=True,
        )
        await self.hass.async_block_till_done()
        assert self.hass.states.get(lock).state == LockState.LOCKED
        return done - t0


@pytest.mark.parametrize("size", SIZES)
async def test_door_latency(hass: HomeAssistant, size: int) -> None:
    """Print p50/p99 of (a)–(d) and the ratios for ``size`` credentials and ids."""
    rng = random.Random(14)
    await setup_locks(hass, LOCKS)
    bound, plain, templ = (
        device(hass, n) for n in ("gate-reader", "plain-reader", "template-reader")
    )
    bindings = {
        "door_gate": {"lock_entity": "lock.gate_lock", "tag_readers": [bound]},
        "door_b3": {"lock_entity": "lock.svc_lock"},
    }
    doors = [
        (sid, title, door | bindings.get(sid, {}) | {"open_time": 60})
        for sid, title, door in TEST_DOORS
    ]
    entry = make_entry(doors=doors)
    await setup_community(hass, entry)
    t0 = time.perf_counter()
    _, community = await populate(hass, entry, max(1, size // PER_HOUSEHOLD))
    # A unit the generated population does not use.
    ours = await register_tags(hass, rng, "3-9-901", RESIDENTS)
    credentials = community.counts().get("credentials", 0)
    theirs = [f"B{size}-{rng.randrange(16**12):012X}" for _ in range(size)]
    listed = [f"T{size}-{rng.randrange(16**12):012X}" for _ in range(size)]
    await automations(hass, theirs, listed, templ)
    print(
        f"\nN={size:,}: {credentials:,} credentials in the community,"
        f" {size:,} ids in each automation (set up in {time.perf_counter() - t0:.1f} s);"
        f" {ROUNDS} rounds, interleaved; database {community.db.engine.dialect.name},"
        f" load average {os.getloadavg()[0]:.2f}"
    )
    unlocks = Unlocks(hass)
    writer = community.writer
    before = writer.stats.records

    def service(tag: str) -> Any:
        return hass.async_create_task(
            hass.services.async_call(
                "community_access",
                "present_credential",
                {"door": "Building 3 door", "kind": "phone_tag", "value": tag},
                blocking=True,
                return_response=True,
            )
        )

    def scan(device_id: str, tag: str) -> None:
        hass.bus.async_fire("tag_scanned", {"tag_id": tag, "device_id": device_id})

    samples: dict[str, list[int]] = {k: [] for k in "abcd"}
    for _ in range(ROUNDS):
        runs: list[tuple[str, str, Callable[[], Any]]] = [
            ("a", "svc", lambda t=rng.choice(ours): service(t)),
            ("b", "gate", lambda t=rng.choice(ours): scan(bound, t)),
            ("c", "base", lambda t=rng.choice(theirs): scan(plain, t)),
            ("d", "tmpl", lambda t=rng.choice(listed): scan(templ, t)),
        ]
        rng.shuffle(runs)
        for key, lock, start in runs:
            samples[key].append(await unlocks.sample(lock, start))

    recorded = writer.stats.records - before
    assert recorded == 2 * ROUNDS, recorded
    for door, source in (("Building 3 door", "service"), ("Main gate", "tag")):
        log = await call(hass, "query_access_log", {"door": door, "limit": 1})
        assert log["records"][0]["source"] == source
        assert log["records"][0]["granted"] is True
    a, b, c, d = (samples[k] for k in "abcd")
    print(
        f"  (a) present_credential:          p50 {pct(a, 50):.2f} ms  p99 {pct(a, 99):.2f} ms\n"
        f"  (b) tag reader bound to a door:  p50 {pct(b, 50):.2f} ms  p99 {pct(b, 99):.2f} ms\n"
        f"  (c) tag-trigger automation:      p50 {pct(c, 50):.2f} ms  p99 {pct(c, 99):.2f} ms\n"
        f"  (d) template-condition automation: p50 {pct(d, 50):.2f} ms  p99 {pct(d, 99):.2f} ms\n"
        f"  (a)/(c): p50 {pct(a, 50) / pct(c, 50):.2f}x  p99 {pct(a, 99) / pct(c, 99):.2f}x;"
        f"  (b)/(c): p50 {pct(b, 50) / pct(c, 50):.2f}x  p99 {pct(b, 99) / pct(c, 99):.2f}x\n"
        f"  records written: {recorded:,} in {writer.stats.batches:,} commits in all"
        f" (largest {writer.stats.largest_batch})"
    )
