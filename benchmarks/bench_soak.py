"""Soak: 50 presentations per second for 10 minutes, mixed with admin writes.

Run from the repository root::

    .venv/bin/python -m pytest benchmarks/bench_soak.py -s -q \\
        -p no:cacheprovider --rootdir=.

A real Home Assistant (pytest-homeassistant-custom-component) runs the
integration with a community of ``BENCH_SOAK_HOUSEHOLDS`` (2,000) households
written into its database (``community_fixtures.populate``) and the four test
doors, each bound to a template lock (on an input boolean), so a grant
really unlocks a lock entity.

Presentations are paced open-loop: call ``i`` is due at ``start + i / rate``
and is started then, whether or not earlier calls have returned, so queueing
shows up as latency (measured from the due time to the service's return).
Each is a ``community_access.present_credential`` call (blocking, with a
response) of a resident's card or PIN, an unknown card, a card issued or
reported lost during the run, or a visitor's PIN approved during the run, at
one of the doors. Meanwhile an administrator (a real admin user) writes at a
steady rate through the services, in turn: ``issue_card`` to an owner,
``report_card_lost`` (a card issued earlier in the run or a resident's), and
``register_visitor`` + ``approve_visitor``. Cards and PINs from these writes
are presented later in the run, so the index changes under load.

Printed every ``BENCH_SOAK_WINDOW`` seconds (60) and at the end: the window,
presentations done in it, their p50/p99/max latency, admin writes done,
RSS (MiB), and the longest event-loop stall (a task sleeping 5 ms). At the
end: overall p50/p99, p99 of the first and the last window, the RSS slope
(least squares over samples every 5 s after a warm-up, and over the second
half of the run), the collector's
state, admin call latencies, the outcomes per kind of presentation, and the
check that no record was lost: after the entry is unloaded (so a writer that
batches has flushed), every call that returned a decision is matched to its
own access record in the database (door, kind, masked value, result, reason,
person, and a time between the call's start and return); every call fired
exactly one ``access_granted``/``access_denied`` event (by its context).
The benchmark keeps its call log in a temporary file and counts each call's
events two seconds after it returns, so its own memory grows by 8 bytes per
call (its latencies): the RSS slope is the integration's and Home
Assistant's.

Sizes: ``BENCH_SOAK_RATE`` (50 per second), ``BENCH_SOAK_SECONDS`` (600),
``BENCH_SOAK_ADMIN_RATE`` (1 write per second), ``BENCH_SOAK_WINDOW`` (60 s),
``BENCH_SOAK_HOUSEHOLDS`` (2000). ``BENCH_SOAK_PROFILE=1`` profiles the
process (cProfile; on Python 3.12+ it sees every thread) over the first and
the last window and prints the top functions of each;
``BENCH_SOAK_TRACEMALLOC=1`` traces Python allocations (slower;
``BENCH_SOAK_TRACEMALLOC_FRAMES`` frames each, 16) and prints the lines and
the tracebacks whose memory grew most from the end of the first window at or
after ``BENCH_SOAK_TRACE_FROM`` seconds (0) to the end.

Memory, every 5 s with RSS and summed up at the end: Python's traced bytes
(when tracing), pymalloc's blocks, glibc malloc's bytes in use and free but
kept (``mallinfo2``, every arena), SQLite's own heap
(``sqlite3_memory_used``: page caches and statements of every connection),
threads, and the entries of the state the integration keeps per credential,
person or visit (the detector's, the muster's, HA's states): state bounded by
the community levels off; state that grows with presentations or records
does not. ``BENCH_SOAK_OWNERS=1`` also prints, after ``gc.collect()``, the
containers that grew most with their owner (found with
``gc.get_referrers``) and who holds a sample of the tuples created during the
run (it holds every container of the start: run it apart from RSS figures).
``BENCH_DB_URL``: the entry's ``db_url``
(an SQLAlchemy URL; the default is the SQLite file in the configuration
folder); the database must be empty.
"""

from __future__ import annotations

from array import array
import asyncio
from bisect import bisect_left
from collections import Counter, OrderedDict, defaultdict, deque
from collections.abc import Callable, Iterator, Mapping
import cProfile
import ctypes
from dataclasses import dataclass, field
from datetime import UTC, datetime
import gc
import io
import json
import logging
import os
from pathlib import Path
import pstats
import random
import sys
import tempfile
import threading
import time
import tracemalloc
import types
from typing import IO, Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from sqlalchemy import func, select

from custom_components.community_access.const import (
    DOMAIN,
    EVENT_ACCESS_DENIED,
    EVENT_ACCESS_GRANTED,
)
from custom_components.community_access.core.models import (
    CredentialKind,
    CredentialStatus,
    Role,
)
from custom_components.community_access.core.privacy import mask_credential
from custom_components.community_access.core.schema import audit_log
from custom_components.community_access.core.storage import Database
from homeassistant.auth.models import User
from homeassistant.const import EVENT_CALL_SERVICE
from homeassistant.core import (
    Context,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_decide  # noqa: E402
from bench_present import GcWatch  # noqa: E402
from bench_startup import rss_mib  # noqa: E402
import community_fixtures  # noqa: E402

from tests.conftest import TEST_DOORS, make_entry  # noqa: E402
from tests.helpers import setup_community  # noqa: E402
from tests.operations.modes_common import bolt_lock  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RATE = float(os.environ.get("BENCH_SOAK_RATE", "50"))
SECONDS = float(os.environ.get("BENCH_SOAK_SECONDS", "600"))
ADMIN_RATE = float(os.environ.get("BENCH_SOAK_ADMIN_RATE", "1"))
WINDOW = float(os.environ.get("BENCH_SOAK_WINDOW", "60"))
HOUSEHOLDS = int(os.environ.get("BENCH_SOAK_HOUSEHOLDS", "2000"))
DB_URL = os.environ.get("BENCH_DB_URL", "")
PROFILE = os.environ.get("BENCH_SOAK_PROFILE", "") not in ("", "0")
TRACEMALLOC = os.environ.get("BENCH_SOAK_TRACEMALLOC", "") not in ("", "0")
#: Frames kept per allocation by tracemalloc (growth is grouped by them).
TRACE_FRAMES = int(os.environ.get("BENCH_SOAK_TRACEMALLOC_FRAMES", "16"))
OWNERS = os.environ.get("BENCH_SOAK_OWNERS", "") not in ("", "0")
#: Allocations are compared from the end of the first window at or after
#: this many seconds (the first window's end by default).
TRACE_FROM = float(os.environ.get("BENCH_SOAK_TRACE_FROM", "0"))
TICK = 0.005
RSS_EVERY = 5.0
#: RSS samples before this many seconds are left out of the slope.
WARM_UP = min(60.0, SECONDS / 5)
#: Tolerance when matching a record's time to its call's start and return;
#: records keep whole seconds (``Community.record``), so a record may read up
#: to a second before its call started.
SLACK = 0.05
RESOLUTION = 1.0
DOORS = [sid for sid, _, _ in TEST_DOORS]
#: Where residents present: weights of the doors.
DOOR_WEIGHTS = {"door_gate": 5, "door_b1": 2, "door_b3": 2, "door_gym": 1}
#: The mix of presentations: category -> weight (a category with nothing to
#: present yet falls back to a resident's card).
MIX = {
    "resident card": 55,
    "resident PIN": 10,
    "unknown card": 10,
    "issued in run": 12,
    "lost card": 5,
    "visitor PIN": 8,
}
#: Card numbers the administrator issues during the run (outside the
#: population's [1e8, 4e9) and the unknown cards' [4e9, 2**32)).
ISSUED_BASE = 9_000_000_000
#: Seconds after a call returns before its access events are counted (the
#: event is fired after the commit, and may come just after the return).
EVENT_GRACE = 2.0


def pct(samples: list[float] | array[float], p: float) -> float:
    """Percentile of second samples, in ms."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def slope_per_minute(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MiB) samples, in MiB per minute."""
    if len(samples) < 2:
        return float("nan")
    n = len(samples)
    mean_t = sum(t for t, _ in samples) / n
    mean_m = sum(m for _, m in samples) / n
    num = sum((t - mean_t) * (m - mean_m) for t, m in samples)
    den = sum((t - mean_t) ** 2 for t, _ in samples)
    return num / den * 60 if den else float("nan")


@dataclass(slots=True)
class Pools:
    """What there is to present, and what the administrator works on."""

    resident_cards: list[str]
    resident_pins: list[str]
    unknown_cards: list[str]
    lost_cards: list[str]
    #: value -> credential id, of the residents' cards (to report one lost)
    card_ids: dict[str, int]
    #: one owner (with an ID number) per household: person id, unit
    owners: list[tuple[int, str]]
    issued: list[tuple[int, str]] = field(default_factory=list)
    visitor_pins: list[str] = field(default_factory=list)
    #: cards whose loss was reported (from the start of the call)
    lose_started: set[str] = field(default_factory=set)


def make_pools(
    pop: bench_decide.Population, community: Any, rng: random.Random
) -> Pools:
    """Pools of the populated community (values as a reader sends them)."""
    cards, unknown = community_fixtures.swipe_cards(
        pop, community, "door_gate", rng, 5000
    )
    by_value = {
        pop.values[c.id].lstrip("0"): c.id
        for c in pop.credentials
        if c.kind is CredentialKind.CARD
    }
    pins = [
        pop.values[c.id]
        for c in pop.credentials
        if c.kind is CredentialKind.PIN and c.status is CredentialStatus.ACTIVE
    ]
    lost = [
        pop.values[c.id]
        for c in pop.credentials
        if c.kind is CredentialKind.CARD and c.status is CredentialStatus.LOST
    ]
    units = {h.id: str(h.unit) for h in pop.households}
    owners = [
        (p.id, units[p.household_id])
        for p in pop.persons
        if p.role is Role.OWNER and p.id_number_masked and p.household_id
    ]
    rng.shuffle(owners)
    rng.shuffle(pins)
    return Pools(cards, pins, unknown, lost, by_value, owners)


def pick(rng: random.Random, pools: Pools) -> tuple[str, str, str, str]:
    """One presentation: category, door id, kind, value."""
    category = rng.choices(list(MIX), weights=list(MIX.values()))[0]
    door = rng.choices(list(DOOR_WEIGHTS), weights=list(DOOR_WEIGHTS.values()))[0]
    if category == "resident PIN":
        return category, door, "pin", rng.choice(pools.resident_pins)
    if category == "unknown card":
        return category, "door_gate", "card", rng.choice(pools.unknown_cards)
    if category == "issued in run" and pools.issued:
        return category, "door_gate", "card", rng.choice(pools.issued)[1]
    if category == "lost card" and pools.lost_cards:
        return category, door, "card", rng.choice(pools.lost_cards)
    if category == "visitor PIN" and pools.visitor_pins:
        return category, "door_gate", "pin", rng.choice(pools.visitor_pins)
    return "resident card", door, "card", rng.choice(pools.resident_cards)


@dataclass(slots=True)
class Window:
    """Figures of one reporting window (its latencies dropped once printed)."""

    latencies: array[float] = field(default_factory=lambda: array("d"))
    admin: int = 0
    stall: float = 0.0
    calls: int = 0
    p99: float = float("nan")


@dataclass(slots=True)
class Soak:
    """The run's state: calls, results, windows, samples."""

    hass: HomeAssistant
    admin: Context
    pools: Pools
    rng: random.Random
    start: float = 0.0
    #: Per call, one JSON line in a temporary file (read back for the
    #: checks at the end), so that the benchmark's own memory stays flat:
    #: category, door id, kind, value, granted, reason, person id,
    #: wall-clock start and return (epoch seconds).
    calls_file: IO[str] = field(
        default_factory=lambda: tempfile.TemporaryFile("w+", encoding="utf-8")
    )
    calls_done: int = 0
    latencies: array[float] = field(default_factory=lambda: array("d"))
    errors: Counter[str] = field(default_factory=Counter)
    #: Access events by context id, until counted EVENT_GRACE after the call.
    events: Counter[str] = field(default_factory=Counter)
    events_total: int = 0
    #: Calls whose context did not fire exactly one access event.
    events_wrong: int = 0
    unlocks: Counter[str] = field(default_factory=Counter)
    unlock_calls: Counter[str] = field(default_factory=Counter)
    admin_lat: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    admin_errors: Counter[str] = field(default_factory=Counter)
    windows: list[Window] = field(default_factory=lambda: [Window()])
    rss: list[tuple[float, float]] = field(default_factory=list)
    #: memory by source (``memory_sample``), with the RSS samples
    memory: list[tuple[float, dict[str, float]]] = field(default_factory=list)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    #: objects tracked by the collector when the run started, by type
    objects: Counter[str] = field(default_factory=Counter)
    profiler: cProfile.Profile | None = None
    db_url: str = ""
    snapshots: list[tracemalloc.Snapshot] = field(default_factory=list)
    profiles: list[cProfile.Profile] = field(default_factory=list)
    running: bool = True
    #: when the first tracemalloc snapshot was taken (seconds into the run)
    traced_from: float = 0.0
    #: entries of the integration's in-memory state, by name (sampled with RSS)
    sizes: Callable[[], dict[str, int]] = dict

    @property
    def window(self) -> Window:
        """The current reporting window."""
        return self.windows[-1]

    def now(self) -> float:
        """Seconds since the run started (the loop's clock)."""
        return self.hass.loop.time() - self.start

    def on_event(self, event: Event) -> None:
        """Count access events by the context of the call that fired them."""
        self.events[event.context.id] += 1
        self.events_total += 1

    def count_events(self, context_id: str) -> None:
        """A call's events, ``EVENT_GRACE`` after its return: exactly one."""
        if self.events.pop(context_id, 0) != 1:
            self.events_wrong += 1

    def read_calls(self) -> list[tuple[Any, ...]]:
        """Every call logged (for the checks once the run is over)."""
        self.calls_file.flush()
        self.calls_file.seek(0)
        return [tuple(json.loads(line)) for line in self.calls_file]

    def on_lock(self, event: Event[EventStateChangedData]) -> None:
        """Count each lock's ``unlocked`` states."""
        new = event.data["new_state"]
        if new is not None and new.state == "unlocked":
            self.unlocks[event.data["entity_id"]] += 1

    def on_lock_call(self, event: Event) -> None:
        """Count ``lock.unlock`` calls per entity (the door operators' commands)."""
        entity = event.data["service_data"].get("entity_id")
        self.unlock_calls[str(entity)] += 1

    # ---- presentations
    async def present(self, due: float) -> None:
        """One call, started at its due time; its latency from there."""
        category, door, kind, value = pick(self.rng, self.pools)
        context = Context()
        started = time.time()
        try:
            result = await self.hass.services.async_call(
                DOMAIN,
                "present_credential",
                {"door": door, "kind": kind, "value": value},
                blocking=True,
                return_response=True,
                context=context,
            )
        except Exception as err:  # noqa: BLE001 - counted and asserted on
            self.errors[type(err).__name__] += 1
            return
        latency = self.hass.loop.time() - due
        assert isinstance(result, dict)
        line = [
            category,
            result["door_id"],
            kind,
            value,
            result["granted"],
            result["reason"],
            result["person_id"],
            started,
            time.time(),
        ]
        self.calls_file.write(json.dumps(line) + "\n")
        self.calls_done += 1
        self.hass.loop.call_later(EVENT_GRACE, self.count_events, context.id)
        self.latencies.append(latency)
        self.window.latencies.append(latency)

    async def pace_presentations(self) -> None:
        """Start call ``i`` at ``start + i / RATE`` (open loop)."""
        loop = self.hass.loop
        for i in range(int(RATE * SECONDS)):
            due = self.start + i / RATE
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            task = loop.create_task(self.present(due))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    # ---- admin writes
    async def admin_call(self, service: str, data: dict[str, Any]) -> Any:
        """An admin service call, timed; None if it failed (counted)."""
        t0 = time.perf_counter()
        try:
            result = await self.hass.services.async_call(
                DOMAIN,
                service,
                data,
                blocking=True,
                return_response=True,
                context=self.admin,
            )
        except Exception as err:  # noqa: BLE001 - counted and asserted on
            self.admin_errors[f"{service}: {type(err).__name__}"] += 1
            return None
        self.admin_lat[service].append(time.perf_counter() - t0)
        return result

    async def issue(self, serial: int) -> None:
        """Issue a card to the next owner; present it from now on."""
        person_id, _unit = self.pools.owners[serial % len(self.pools.owners)]
        value = str(ISSUED_BASE + serial)
        result = await self.admin_call(
            "issue_card", {"person_id": person_id, "card_number": value}
        )
        if result is not None:
            self.pools.issued.append((result["credential_id"], value))

    async def lose(self, serial: int) -> None:
        """Report lost a card issued in the run (every other time) or a resident's."""
        pools = self.pools
        if serial % 2 and len(pools.issued) > 2:
            credential_id, value = pools.issued.pop(0)
        else:
            i = self.rng.randrange(len(pools.resident_cards))
            pools.resident_cards[i], pools.resident_cards[-1] = (
                pools.resident_cards[-1],
                pools.resident_cards[i],
            )
            value = pools.resident_cards.pop()
            credential_id = pools.card_ids[value]
        pools.lose_started.add(value)
        result = await self.admin_call(
            "report_card_lost", {"credential_id": credential_id}
        )
        if result is not None:
            pools.lost_cards.append(value)

    async def visitor(self, serial: int) -> None:
        """Register a visitor to an owner's household and approve the visit."""
        _person, unit = self.pools.owners[-1 - serial % len(self.pools.owners)]
        visit = await self.admin_call(
            "register_visitor",
            {
                "unit": unit,
                "name": f"访客{serial}",
                "id_number": bench_decide.make_id_number(self.rng),
                "phone": f"139{self.rng.randrange(10**8):08d}",
            },
        )
        if visit is None:
            return
        result = await self.admin_call(
            "approve_visitor", {"visit_id": visit["visit_id"]}
        )
        if result is not None and result.get("code"):
            self.pools.visitor_pins.append(result["code"])

    async def pace_admin(self) -> None:
        """One write every ``1 / ADMIN_RATE`` s, in turn (one at a time)."""
        loop = self.hass.loop
        writes = (self.issue, self.lose, self.visitor)
        for n in range(int(ADMIN_RATE * SECONDS)):
            delay = self.start + n / ADMIN_RATE - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await writes[n % 3](n // 3)
            self.window.admin += 1

    # ---- watching
    async def tick(self) -> None:
        """The longest event-loop stall beyond a 5 ms sleep, per window."""
        while self.running:
            t = time.perf_counter()
            await asyncio.sleep(TICK)
            self.window.stall = max(self.window.stall, time.perf_counter() - t - TICK)

    async def report(self) -> None:
        """RSS every 5 s; a line per window."""
        next_line = WINDOW
        while self.running:
            await asyncio.sleep(min(RSS_EVERY, max(next_line - self.now(), 0.01)))
            self.rss.append((self.now(), rss_mib()))
            self.memory.append((self.now(), memory_sample() | self.sizes()))
            if self.now() >= next_line - 0.01:
                self.print_window()
                next_line += WINDOW
                self.profile_window(next_line)
                if TRACEMALLOC and not self.snapshots and self.now() >= TRACE_FROM:
                    self.snapshots.append(tracemalloc.take_snapshot())
                    self.traced_from = self.now()

    def profile_window(self, window_end: float) -> None:
        """``BENCH_SOAK_PROFILE``: profile the first and the last window."""
        if not PROFILE:
            return
        if self.profiler is not None:
            self.profiler.disable()
            self.profiles.append(self.profiler)
            self.profiler = None
        if window_end <= WINDOW or window_end >= SECONDS - 0.01:
            self.profiler = cProfile.Profile()
            self.profiler.enable()

    def print_window(self) -> None:
        """A line for the window that ends now; a new window starts."""
        w = self.window
        print(
            f"  {self.now():8.0f} s  {len(w.latencies):6,}"
            f"  {pct(w.latencies, 50):8.1f}  {pct(w.latencies, 99):8.1f}"
            f"  {max(w.latencies, default=0) * 1000:8.1f}  {w.admin:6}"
            f"  {self.rss[-1][1]:8.1f}  {w.stall * 1000:8.1f}"
            f"  {sqlite_mib(self.db_url)}",
            flush=True,
        )
        w.calls, w.p99, w.latencies = len(w.latencies), pct(w.latencies, 99), array("d")
        self.windows.append(Window())


def sqlite_mib(url: str) -> str:
    """``file+WAL`` sizes in MiB of an SQLite database ('' for another one)."""
    if not url.startswith("sqlite:///"):
        return ""
    path = Path(url.removeprefix("sqlite:///"))
    sizes = [
        p.stat().st_size / 2**20 if p.exists() else 0.0
        for p in (path, path.with_name(path.name + "-wal"))
    ]
    return f"{sizes[0]:.1f}+{sizes[1]:.1f}"


@callback
def is_unlock_call(data: Mapping[str, Any]) -> bool:
    """Whether a ``call_service`` event is a ``lock.unlock``."""
    return bool(data["domain"] == "lock" and data["service"] == "unlock")


async def setup(hass: HomeAssistant) -> MockConfigEntry:
    """Template locks for every door; the entry with the doors bound to them."""
    assert await async_setup_component(
        hass,
        "input_boolean",
        {"input_boolean": {f"{sid}_bolt": {"initial": True} for sid in DOORS}},
    )
    assert await async_setup_component(
        hass, "template", {"template": [{"lock": [bolt_lock(sid) for sid in DOORS]}]}
    )
    await hass.async_block_till_done()
    doors = [
        (sid, title, data | {"lock_entity": f"lock.{sid}_lock"})
        for sid, title, data in TEST_DOORS
    ]
    entry = make_entry(doors=doors, options={"db_url": DB_URL} if DB_URL else None)
    await setup_community(hass, entry)
    return entry


def last_record_id(db: Database) -> int:
    """The highest access record id (0 for none)."""
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.max(audit_log.c.id))).scalar() or 0)


def records_after(url: str, first: int) -> list[Any]:
    """Access records of the service with an id above ``first`` (a new engine)."""
    db = Database(url)
    try:
        with db.engine.connect() as conn:
            return list(
                conn.execute(
                    select(audit_log).where(
                        audit_log.c.id > first, audit_log.c.source == "service"
                    )
                )
            )
    finally:
        db.close()


def epoch(at: datetime) -> float:
    """A record's time in epoch seconds (naive means UTC)."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


def match(calls: list[tuple[Any, ...]], rows: list[Any]) -> tuple[int, int]:
    """Match each call to its own record; (calls without one, records left over).

    Key: door, kind, masked value, granted, reason, person. Within a key,
    calls by return time take the earliest free record not before their start
    (less the records' one-second resolution) nor after their return: the
    greedy that matches the most points to intervals.
    """
    records: dict[tuple[Any, ...], list[float]] = defaultdict(list)
    for row in rows:
        key = (row.door_id, row.kind, row.masked, row.granted, row.reason)
        records[(*key, row.person_id)].append(epoch(row.at))
    wanted: dict[tuple[Any, ...], list[tuple[float, float]]] = defaultdict(list)
    for _, door, kind, value, granted, reason, person, t0, t1 in calls:
        masked = mask_credential(CredentialKind(kind), value)
        wanted[(door, kind, masked, granted, reason, person)].append((t0, t1))
    missing = 0
    for key, spans in wanted.items():
        times = sorted(records.get(key, []))
        free = [True] * len(times)
        for t0, t1 in sorted(spans, key=lambda s: s[1]):
            i = bisect_left(times, t0 - RESOLUTION - SLACK)
            while i < len(times) and not free[i]:
                i += 1
            if i < len(times) and times[i] <= t1 + SLACK:
                free[i] = False
            else:
                missing += 1
        records[key] = [t for t, f in zip(times, free, strict=True) if f]
    return missing, sum(len(v) for v in records.values())


def outcome_checks(soak: Soak, calls: list[tuple[Any, ...]]) -> dict[str, Counter[str]]:
    """Reasons per category; assert what each category must give."""
    reasons: dict[str, Counter[str]] = defaultdict(Counter)
    lost_meanwhile = soak.pools.lose_started
    for category, _, _, value, _, reason, *_ in calls:
        reasons[category][reason] += 1
        if category == "unknown card":
            assert reason == "unknown_credential"
        elif category == "lost card":
            assert reason == "lost"
        elif category == "issued in run":
            assert reason == "granted" or (
                reason == "lost" and value in lost_meanwhile
            ), reason
        else:  # residents' credentials and visitor passes are known
            assert reason != "unknown_credential", category
    return reasons


# ---- memory diagnostics (where RSS goes, what grows, who owns it)
class _MallInfo2(ctypes.Structure):
    _fields_ = [  # noqa: RUF012 - ctypes wants a class attribute
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _c_library(name: str) -> Any:
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


_LIBC = _c_library("libc.so.6")
if _LIBC is not None:
    _LIBC.mallinfo2.restype = _MallInfo2
#: The SQLite library Python's ``sqlite3`` is linked to (the same copy).
_SQLITE = _c_library("libsqlite3.so.0")
if _SQLITE is not None:
    _SQLITE.sqlite3_memory_used.restype = ctypes.c_int64


def memory_sample() -> dict[str, float]:
    """MiB by source: RSS, Python (traced), glibc malloc, SQLite; threads, arenas."""
    sample = {"RSS": rss_mib()}
    if tracemalloc.is_tracing():
        sample["Python traced"] = tracemalloc.get_traced_memory()[0] / 2**20
    sample["pymalloc blocks (k)"] = sys.getallocatedblocks() / 1000
    if _LIBC is not None:
        info = _LIBC.mallinfo2()
        sample["malloc in use"] = (info.uordblks + info.hblkhd) / 2**20
        sample["malloc free kept"] = info.fordblks / 2**20
    if _SQLITE is not None:
        sample["SQLite heap"] = _SQLITE.sqlite3_memory_used() / 2**20
    sample["threads"] = threading.active_count()
    return sample


CONTAINERS = (dict, list, set, deque, OrderedDict)


def container_sizes() -> dict[int, tuple[Any, int]]:
    """Every container (tracked by the collector or held by one): id -> (it, len).

    Dicts holding only atomic values are not tracked, so the collector's
    objects' referents are looked at too.
    """
    gc.collect()
    seen: dict[int, tuple[Any, int]] = {}
    for obj in gc.get_objects():
        if type(obj) in CONTAINERS:
            seen[id(obj)] = (obj, len(obj))
        for ref in gc.get_referents(obj):
            if type(ref) in CONTAINERS and id(ref) not in seen:
                seen[id(ref)] = (ref, len(ref))
    return seen


def _attribute(holder: Any, held: Any) -> str:
    """How ``holder`` refers to ``held``: ``.name``, ``[key]``, or ''."""
    if isinstance(holder, dict):
        for key, value in holder.items():
            if value is held:
                return f"[{key!r:.40}]"
            if key is held:
                return "(a key)"
        return ""
    if isinstance(holder, (list, deque)):
        return "[i]"
    for name in getattr(type(holder), "__slots__", ()):
        if getattr(holder, name, None) is held:
            return f".{name}"
    for name, value in getattr(holder, "__dict__", {}).items():
        if value is held:
            return f".{name}"
    return ""


#: Holders that are the sampling's own locals (a test's or a generator's frame).
_TRANSIENT = (types.FrameType, types.GeneratorType, types.CoroutineType)


def owner_path(obj: Any, ignore: set[int], depth: int = 5) -> str:
    """Who holds ``obj``: a chain up to the first object of a named class."""
    parts: list[str] = []
    current = obj
    ignore = set(ignore)  # with the lists this walk makes
    for _ in range(depth):
        found = gc.get_referrers(current)
        ignore.add(id(found))
        holders = [
            r for r in found if id(r) not in ignore and not isinstance(r, _TRANSIENT)
        ]
        ignore.add(id(holders))
        if not holders:
            parts.append("(no holder)")
            break
        # An instance's __dict__ is named by the instance that owns it.
        holder = holders[0]
        how = _attribute(holder, current)
        if type(holder) is dict:
            owners = [
                r
                for r in gc.get_referrers(holder)
                if id(r) not in ignore
                and not isinstance(r, _TRANSIENT)
                and getattr(r, "__dict__", None) is holder
            ]
            if owners:
                holder = owners[0]
                how = "." + how.strip("[]'") if how.startswith("[") else how
        module = type(holder).__module__
        parts.append(f"{type(holder).__qualname__}{how}")
        if module not in ("builtins", "collections"):
            break
        current = holder
    return " ← ".join(parts)


def print_containers(
    before: dict[int, tuple[Any, int]],
    seconds: float,
    per_credential: int,
    exclude: set[int],
) -> None:
    """The containers that grew most over the run, their owner and growth rate.

    ``exclude``: ids of the benchmark's own diagnostics (left out).
    """
    after = container_sizes()
    exclude = exclude | {id(before), id(after)}
    grown = sorted(
        (
            (n - (before[i][1] if i in before and before[i][0] is c else 0), c, n)
            for i, (c, n) in after.items()
            if i not in exclude
        ),
        key=lambda g: -g[0],
    )[:12]
    ignore = {id(after), id(before), id(grown)} | {id(g) for g in grown}
    ignore |= {id(entry) for entry in after.values()}
    print(
        "\n--- containers grown most over the run (after gc.collect()):"
        " entries/min, size now, owner ---"
    )
    for diff, container, size in grown:
        if diff <= 0:
            break
        print(
            f"  {diff / (seconds / 60):+10,.0f}/min {size:9,}"
            f"  {type(container).__name__:6} {owner_path(container, ignore)}"
        )
    print(f"  (community: {per_credential:,} credentials)")


def tuple_ids() -> set[int]:
    """Ids of the tuples tracked now (after a collection)."""
    gc.collect()
    return {id(o) for o in gc.get_objects() if type(o) is tuple}


def print_new_tuples(before: set[int], rng: random.Random, samples: int = 150) -> None:
    """Tuples tracked now and not at the start: how many, and who holds a sample."""
    gc.collect()
    new = [o for o in gc.get_objects() if type(o) is tuple and id(o) not in before]
    picked = rng.sample(new, min(samples, len(new)))
    ignore = {id(new), id(picked), id(before)}
    owners: Counter[str] = Counter()
    for sampled in picked:
        owners[owner_path(sampled, ignore)] += 1
    del new, sampled
    print(
        f"\n--- tuples tracked now and not at the start (after gc.collect()):"
        f" {len(before):,} at the start; new ones' holders, of {len(picked)}"
        " sampled ---"
    )
    for path, n in owners.most_common(10):
        print(f"  {n / max(len(picked), 1):5.0%}  {path}")


def print_memory(samples: list[tuple[float, dict[str, float]]], seconds: float) -> None:
    """Each memory source and state size: at warm-up, at the end, slopes.

    Slopes are least-squares per minute over the samples after the warm-up
    and over the second half; ``n ...`` are entries of the integration's
    in-memory state (bounded by the community when they level off).
    """
    if not samples:
        return
    after = [(t, s) for t, s in samples if t >= WARM_UP]
    half = [(t, s) for t, s in samples if t >= seconds / 2]
    start = after[0][1] if after else samples[0][1]
    print(
        f"\n--- memory by source (MiB) and state entries: at {WARM_UP:.0f} s,"
        " at the end, slope per minute after the warm-up | in the second half ---"
    )
    for name in samples[-1][1]:
        print(
            f"  {name:26} {start.get(name, float('nan')):10.2f}"
            f" → {samples[-1][1][name]:10.2f}"
            f"  {slope_per_minute([(t, x[name]) for t, x in after if name in x]):+10.3f}"
            f" | {slope_per_minute([(t, x[name]) for t, x in half if name in x]):+10.3f}"
        )


def print_sqlite(db: Database) -> None:
    """The pool's connections and SQLite's page cache limit per connection."""
    pool = db.engine.pool
    with db.engine.connect() as conn:
        cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        page = conn.exec_driver_sql("PRAGMA page_size").scalar()
    status = pool.status() if hasattr(pool, "status") else type(pool).__name__
    print(
        f"  SQLite: pool {type(pool).__name__} ({status}); PRAGMA cache_size"
        f" {cache} (negative: KiB) per connection, page_size {page}"
    )


def object_types() -> Counter[str]:
    """Objects tracked by the collector, by type name."""
    return Counter(type(o).__name__ for o in gc.get_objects())


def _short(filename: str) -> str:
    name = filename.replace(str(ROOT) + "/", "")
    return name.split("site-packages/")[-1]


#: Frames not worth showing in a traceback of a growth (the loop's plumbing).
_PLUMBING = ("asyncio/", "concurrent/futures/", "threading.py", "contextlib.py")


def print_allocations(soak: Soak, seconds: float) -> None:
    """``BENCH_SOAK_TRACEMALLOC``: Python allocations grown since the first snapshot."""
    if len(soak.snapshots) < 2:
        return
    first, last = soak.snapshots[0], soak.snapshots[-1]
    minutes = max(seconds - soak.traced_from, 1.0) / 60
    diff = last.compare_to(first, "lineno")
    total = sum(d.size_diff for d in diff)
    print(
        f"\n--- Python allocations (tracemalloc) from {soak.traced_from:.0f} s"
        f" to the end: {total / 2**20:+.2f} MiB ({total / 2**10 / minutes:+.0f}"
        " KiB/min); largest growth by line ---"
    )
    for stat in diff[:12]:
        frame = stat.traceback[0]
        print(
            f"  {stat.size_diff / 2**10:+9.0f} KiB {stat.count_diff:+8,} blocks"
            f"  {_short(frame.filename)}:{frame.lineno}"
        )
    print(
        f"--- the same by traceback ({TRACE_FRAMES} frames, innermost first;"
        " KiB/min, blocks/min) ---"
    )
    for stat in last.compare_to(first, "traceback")[:14]:
        print(
            f"  {stat.size_diff / 2**10 / minutes:+8.1f} KiB/min"
            f" {stat.count_diff / minutes:+8,.0f} blocks/min"
            f" ({stat.size_diff / 2**10:+.0f} KiB, now {stat.size / 2**10:.0f} KiB)"
        )
        shown = 0
        for frame in reversed(stat.traceback):
            if shown >= 7 or any(p in frame.filename for p in _PLUMBING):
                continue
            print(f"        {_short(frame.filename)}:{frame.lineno}")
            shown += 1


def print_profiles(soak: Soak) -> None:
    """Top functions by own time, first and last window."""
    for label, prof in zip(("first", "last"), soak.profiles, strict=False):
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out).strip_dirs().sort_stats("tottime")
        stats.print_stats(18)
        text = out.getvalue()
        start = text.find("   ncalls")
        print(f"\n--- profile, {label} window (own time, all threads) ---")
        print(text[start:].rstrip() if start >= 0 else text.rstrip())
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out).sort_stats("cumulative")
        stats.print_stats("community_access", 15)
        text = out.getvalue().replace(str(ROOT) + "/", "")
        start = text.find("   ncalls")
        print(f"--- the integration's functions, {label} window (cumulative) ---")
        print(text[start:].rstrip() if start >= 0 else text.rstrip())


def own_bytes(soak: Soak) -> int:
    """Bytes the benchmark keeps in memory per call (its latencies).

    The call log is in a temporary file and the event counts are dropped
    once counted, so this is 8 bytes per call.
    """
    return sys.getsizeof(soak.latencies)


def print_summary(soak: Soak, gc_watch: GcWatch, seconds: float) -> None:
    """Overall figures: latency, stability, memory, gc, admin calls."""
    lat = soak.latencies
    full = [w for w in soak.windows if w.calls >= RATE * WINDOW / 2]
    first, last = full[0].p99, full[-1].p99
    after = [(t, m) for t, m in soak.rss if t >= WARM_UP]
    second_half = [(t, m) for t, m in soak.rss if t >= seconds / 2]
    own = own_bytes(soak)
    gc.collect()  # count live objects, not garbage
    grown = object_types()
    growth = ", ".join(
        f"{name} {n:+,}" for name, n in (grown - soak.objects).most_common(4)
    )
    print(
        f"\n  presentations: {len(lat):,} in {seconds:.0f} s"
        f" ({len(lat) / seconds:.1f}/s), p50 {pct(lat, 50):.1f} ms,"
        f" p99 {pct(lat, 99):.1f} ms, max {max(lat, default=0) * 1000:.0f} ms\n"
        f"  stability: p99 first window {first:.1f} ms,"
        f" last window {last:.1f} ms; per window"
        f" {min(w.p99 for w in full):.1f}–{max(w.p99 for w in full):.1f} ms\n"
        f"  RSS {soak.rss[0][1]:.1f} → {soak.rss[-1][1]:.1f} MiB; slope after"
        f" {WARM_UP:.0f} s warm-up: {slope_per_minute(after):+.3f} MiB/min"
        f" over {len(after)} samples (every {RSS_EVERY:.0f} s), in the second"
        f" half: {slope_per_minute(second_half):+.3f} MiB/min; the benchmark's"
        f" own bookkeeping grows ≈ {own / 2**20 / (seconds / 60):.3f} MiB/min\n"
        f"  gc: full collections {gc_watch.runs[2]} (longest"
        f" {gc_watch.longest_full_ns / 1e6:.0f} ms), young {gc_watch.runs[0]},"
        f" middle {gc_watch.runs[1]}; counts now {gc.get_count()},"
        f" objects tracked {soak.objects.total():,} at the start, {grown.total():,}"
        f" now ({growth}); uncollectable"
        f" {len(gc.garbage)}, frozen {gc.get_freeze_count():,}"
    )
    for service, samples in soak.admin_lat.items():
        print(
            f"  {service:18} {len(samples):5} calls  p50 {pct(samples, 50):7.1f} ms"
            f"  p99 {pct(samples, 99):7.1f} ms  max {max(samples) * 1000:7.0f} ms"
        )


@pytest.fixture
def quiet_root_logger() -> Iterator[None]:
    """The root logger at WARNING, as Home Assistant sets it (not ``--verbose``).

    The harness sets INFO, and pytest keeps every captured record in memory
    until the test ends: the template locks' script lines alone would show
    as tens of MiB of growth over ten minutes.
    """
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.WARNING)
    yield
    root.setLevel(level)


@pytest.mark.usefixtures("quiet_root_logger")
async def test_soak(hass: HomeAssistant, hass_admin_user: User) -> None:
    """The soak run (one test so the figures come out together)."""
    rng = random.Random(1414)
    entry = await setup(hass)
    pop, community = await community_fixtures.populate(hass, entry, HOUSEHOLDS)
    url = community.db.url
    soak = Soak(
        hass, Context(user_id=hass_admin_user.id), make_pools(pop, community, rng), rng
    )
    soak.db_url = url
    detector = community.detector
    muster = entry.runtime_data.ops.muster

    def sizes() -> dict[str, int]:
        """Entries of the state kept per credential, person or visit."""
        found = {
            "n credentials": len(community.index.credentials),
            "n persons": len(community.index.persons),
            "n HA states": len(hass.states.async_all()),
        }
        if detector is not None:
            found["n detector._last_grant"] = len(detector._last_grant)  # noqa: SLF001
            found["n detector._inside"] = len(detector._inside)  # noqa: SLF001
        if muster is not None:
            found["n muster passages"] = len(muster._tally)  # noqa: SLF001
        return found

    soak.sizes = sizes
    unsubs = [
        hass.bus.async_listen(EVENT_ACCESS_GRANTED, soak.on_event),
        hass.bus.async_listen(EVENT_ACCESS_DENIED, soak.on_event),
        async_track_state_change_event(
            hass, [f"lock.{sid}_lock" for sid in DOORS], soak.on_lock
        ),
        hass.bus.async_listen(
            EVENT_CALL_SERVICE,
            soak.on_lock_call,
            event_filter=is_unlock_call,
        ),
    ]
    for _ in range(50):  # warm up (before the first record counted)
        _, door, kind, value = pick(rng, soak.pools)
        await hass.services.async_call(
            DOMAIN,
            "present_credential",
            {"door": door, "kind": kind, "value": value},
            blocking=True,
            return_response=True,
        )
    await hass.async_block_till_done()
    soak.events.clear()
    soak.events_total = 0
    first_id = await hass.async_add_executor_job(last_record_id, community.db)
    print(
        f"\nSoak: {RATE:g} presentations/s and {ADMIN_RATE:g} admin writes/s for"
        f" {SECONDS:g} s, {HOUSEHOLDS:,} households"
        f" ({len(community.index.credentials):,} credentials), database"
        f" {community.db.engine.dialect.name}; Python {sys.version.split()[0]},"
        f" {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}\n"
        "  window end   calls   p50 ms   p99 ms   max ms  admin  RSS MiB  stall ms"
        "  SQLite file+WAL MiB"
    )
    containers = container_sizes() if OWNERS else {}
    tuples_before = tuple_ids() if OWNERS else set()
    gc.collect()
    soak.objects = object_types()
    soak.start = hass.loop.time()
    soak.rss.append((0.0, rss_mib()))
    soak.memory.append((0.0, memory_sample() | soak.sizes()))
    soak.profile_window(WINDOW)
    if TRACEMALLOC:
        tracemalloc.start(TRACE_FRAMES)
    watchers = [hass.loop.create_task(c) for c in (soak.tick(), soak.report())]
    t0 = time.perf_counter()
    with GcWatch() as gc_watch:
        await asyncio.gather(soak.pace_presentations(), soak.pace_admin())
        while soak.tasks:
            await asyncio.gather(*list(soak.tasks))
        seconds = time.perf_counter() - t0
        soak.running = False
        await asyncio.gather(*watchers)
    soak.rss.append((soak.now(), rss_mib()))
    soak.memory.append((soak.now(), memory_sample() | soak.sizes()))
    if TRACEMALLOC:
        soak.snapshots.append(tracemalloc.take_snapshot())
        tracemalloc.stop()
    if soak.window.latencies or soak.window.admin:
        soak.print_window()
    await asyncio.sleep(EVENT_GRACE + 0.5)  # the last calls' events counted
    await hass.async_block_till_done()
    for unsub in unsubs:
        unsub()
    print_summary(soak, gc_watch, seconds)
    print_profiles(soak)
    print_allocations(soak, seconds)
    print_memory(soak.memory, seconds)
    print_sqlite(community.db)
    if OWNERS:
        mine = {id(tuples_before), id(soak.snapshots)}
        mine |= {id(s.traces._traces) for s in soak.snapshots}  # noqa: SLF001
        print_containers(containers, seconds, len(community.index.credentials), mine)
        print_new_tuples(tuples_before, random.Random(7))
        containers.clear()

    # ---- no record lost: unload (a batching writer flushes), then read back
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    rows = await hass.async_add_executor_job(records_after, url, first_id)
    calls = soak.read_calls()
    missing, extra = match(calls, rows)
    # Counted EVENT_GRACE after each call; events of no call are left over.
    multiple = soak.events_wrong + len(soak.events)
    reasons = outcome_checks(soak, calls)
    print(
        f"  records: {len(calls):,} calls returned a decision,"
        f" {len(rows):,} records written; without their record (lost):"
        f" {missing}, records matching no call: {extra}; calls without exactly"
        f" one access event: {multiple}; errors: {dict(soak.errors)},"
        f" admin errors: {dict(soak.admin_errors)}\n"
        f"  admin writes: {sum(w.admin for w in soak.windows):,}; visitors"
        f" approved: {len(soak.pools.visitor_pins):,}\n"
        f"  lock.unlock calls: {dict(soak.unlock_calls)}; unlocked states:"
        f" {dict(soak.unlocks)} (a door held open by later grants stays unlocked)"
    )
    for category, counter in sorted(reasons.items(), key=lambda kv: -kv[1].total()):
        shares = ", ".join(
            f"{k} {v / counter.total():.0%}" for k, v in counter.most_common(4)
        )
        print(f"  {category:14} {counter.total():7,}  {shares}")
    assert not soak.errors
    assert not soak.admin_errors
    assert len(calls) == soak.calls_done == int(RATE * SECONDS)
    assert missing == 0
    assert extra == 0
    assert len(rows) == len(calls)
    assert multiple == 0
    assert soak.events_total == len(calls)
    granted_doors = {c[1] for c in calls if c[4]}
    for door in granted_doors:
        assert soak.unlock_calls[f"lock.{door}_lock"] > 0
        assert soak.unlocks[f"lock.{door}_lock"] > 0
    if ADMIN_RATE * SECONDS >= 12:  # cards and visitors came in early enough
        assert reasons["issued in run"]["granted"] > 0
        assert reasons["visitor PIN"].total() > 0
