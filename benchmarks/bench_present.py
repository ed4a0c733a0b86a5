"""End-to-end benchmark inside a real Home Assistant (pytest-homeassistant-custom-component).

Run from the repository root::

    .venv/bin/python -m pytest benchmarks/bench_present.py -s -q \\
        -p no:cacheprovider --rootdir=.

1. Imports households through the real services (``add_household``, then
   ``add_person`` for three residents each with an ID number, and a card
   from the card desk, ``issue_card``, or a PIN, ``add_credential``) and
   reports households per second.
2. Times ``community_access.present_credential`` (blocking, with response)
   end to end: service call → decision → audit record committed → bus event
   → door entities. Sequentially (latency) and with concurrent callers
   (throughput). Checks every call fired one ``access_granted``/``denied``
   event and left one access record.
3. At scale: adds a community of 10,000 households straight into the entry's
   database, reloads the entry (start-up), then imports and presents again.

Sizes: environment variables ``BENCH_HOUSEHOLDS`` (500), ``BENCH_CALLS``
(2000), ``BENCH_CONCURRENCY`` (16), ``BENCH_BULK_HOUSEHOLDS`` (10000, 0 skips
step 3), ``BENCH_PROFILE=1`` prints cProfile tops of the slow paths.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable
import cProfile
from dataclasses import dataclass
import gc
import io
import logging
import os
from pathlib import Path
import pstats
import random
import sys
import time
from typing import Any, Self

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.community_access.const import (
    DOMAIN,
    EVENT_ACCESS_DENIED,
    EVENT_ACCESS_GRANTED,
)
from homeassistant.core import Event, HomeAssistant, callback

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_decide  # noqa: E402

from custom_components.community_access.core.community import trivial_pin  # noqa: E402

HOUSEHOLDS = int(os.environ.get("BENCH_HOUSEHOLDS", "500"))
CALLS = int(os.environ.get("BENCH_CALLS", "2000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
BULK_HOUSEHOLDS = int(os.environ.get("BENCH_BULK_HOUSEHOLDS", "10000"))
SCALE_IMPORT = 50
PROFILE = os.environ.get("BENCH_PROFILE", "") not in ("", "0")

#: Doors of tests/conftest.py TEST_DOORS: building id -> door id
BUILDING_DOORS = {"1": "door_b1", "3": "door_b3"}
DOOR_NAMES = {
    "door_gate": "Main gate",
    "door_b1": "Building 1 door",
    "door_b3": "Building 3 door",
    "door_gym": "Gym",
}


@dataclass(slots=True)
class Resident:
    """A person imported through the services, with their card."""

    person_id: int
    building: str
    kind: str
    value: str
    credential_id: int
    lost: bool = False


def pct(samples: list[int], p: float) -> float:
    """Percentile of nanosecond samples, in ms."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] / 1e6


async def call(
    hass: HomeAssistant, service: str, data: dict[str, Any], response: bool = True
) -> Any:
    """A blocking service call of the integration."""
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=response
    )


async def import_households(
    hass: HomeAssistant,
    units: list[str],
    rng: random.Random,
    card_base: int,
    latencies: dict[str, list[int]],
) -> list[Resident]:
    """Owner + two family members, one credential each (a card; every 8th a PIN).

    Cards are issued at the card desk, which wants an ID number on record:
    everyone gets one. PINs the core would refuse as trivial become cards.
    """
    pc = time.perf_counter_ns
    residents = []
    serial = 0

    async def timed(service: str, data: dict[str, Any]) -> Any:
        t0 = pc()
        result = await call(hass, service, data)
        latencies[service].append(pc() - t0)
        return result

    for unit in units:
        await timed("add_household", {"unit": unit})
        persons = []
        for role in ("owner", "family", "family"):
            data: dict[str, Any] = {
                "unit": unit,
                "role": role,
                "name": rng.choice(bench_decide.SURNAMES)
                + "".join(rng.choices(bench_decide.GIVEN, k=2)),
                "phone": f"13{rng.randrange(10**9):09d}",
                "id_number": bench_decide.make_id_number(rng),
            }
            persons.append((await timed("add_person", data))["person_id"])
        for person_id in persons:
            serial += 1
            kind, value = "card", str(card_base + serial)
            pin = f"{card_base // 10**9}{serial:07d}"
            if serial % 8 == 0 and not trivial_pin(pin):
                kind, value = "pin", pin
            if kind == "card":
                credential = await timed(
                    "issue_card", {"person_id": person_id, "card_number": value}
                )
            else:
                credential = await timed(
                    "add_credential",
                    {"person_id": person_id, "kind": kind, "value": value},
                )
            residents.append(
                Resident(
                    person_id,
                    unit.split("-")[0],
                    kind,
                    value,
                    credential["credential_id"],
                )
            )
    return residents


def make_units(count: int, buildings: tuple[str, ...], first_room: int) -> list[str]:
    """Units spread over ``buildings``, three entrances each."""
    units = []
    for i in range(count):
        building = buildings[i % len(buildings)]
        entrance = 1 + (i // len(buildings)) % 3
        k = first_room + i // (3 * len(buildings))
        units.append(f"{building}-{entrance}-{k // 4 + 1}{k % 4 + 1:02d}")
    return units


def make_presentations(
    residents: list[Resident], n: int, rng: random.Random
) -> list[tuple[str, dict[str, Any]]]:
    """≈85 % known, 5 % other building, 5 % unknown, 5 % lost; some doors by name."""
    active = [r for r in residents if not r.lost]
    lost = [r for r in residents if r.lost]
    work = []
    for _ in range(n):
        x = rng.random()
        if x < 0.85:
            r = rng.choice(active)
            y = rng.random()
            door = (
                "door_gate"
                if y < 0.5
                else BUILDING_DOORS[r.building]
                if y < 0.95
                else "door_gym"
            )
            category = "known"
        elif x < 0.90:
            r = rng.choice(active)
            door = BUILDING_DOORS["3" if r.building == "1" else "1"]
            category = "other building"
        elif x < 0.95:
            work.append(
                (
                    "unknown",
                    {
                        "door": "door_gate",
                        "kind": "card",
                        "value": str(rng.randrange(9 * 10**9, 10**10)),
                    },
                )
            )
            continue
        else:
            r = rng.choice(lost)
            door = rng.choice(("door_gate", BUILDING_DOORS[r.building]))
            category = "lost"
        if rng.random() < 0.2:  # automations and dashboards often name the door
            door = DOOR_NAMES[door]
        work.append((category, {"door": door, "kind": r.kind, "value": r.value}))
    return work


class GcWatch:
    """Garbage collections (any thread) while in the ``with`` block."""

    def __init__(self) -> None:
        """Nothing seen yet."""
        self.runs = [0, 0, 0]
        self.longest_full_ns = 0
        self._start = 0

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter_ns()
            return
        generation = info["generation"]
        self.runs[generation] += 1
        if generation == 2:
            self.longest_full_ns = max(
                self.longest_full_ns, time.perf_counter_ns() - self._start
            )

    def __enter__(self) -> Self:
        """Start watching."""
        gc.callbacks.append(self._on_gc)
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop watching."""
        gc.callbacks.remove(self._on_gc)

    def __str__(self) -> str:
        """``full collections/longest ms``."""
        return f"{self.runs[2]}/{self.longest_full_ns / 1e6:.0f}"


async def present_all(
    hass: HomeAssistant,
    work: list[tuple[str, dict[str, Any]]],
    concurrency: int,
) -> tuple[float, list[int], dict[str, Counter[str]], GcWatch]:
    """Present with ``concurrency`` callers; wall time, latencies, reasons, gc."""
    pc = time.perf_counter_ns
    latencies = [0] * len(work)
    reasons: dict[str, Counter[str]] = {}
    queue = iter(enumerate(work))

    async def worker() -> None:
        for i, (category, data) in queue:
            t0 = pc()
            result = await call(hass, "present_credential", data)
            latencies[i] = pc() - t0
            reasons.setdefault(category, Counter())[result["reason"]] += 1

    with GcWatch() as watch:
        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - t0
    return seconds, latencies, reasons, watch


async def profiled(label: str, coro: Awaitable[Any], lines: int = 18) -> Any:
    """Await ``coro`` under cProfile when BENCH_PROFILE is set."""
    if not PROFILE:
        return await coro
    prof = cProfile.Profile()
    prof.enable()
    try:
        return await coro
    finally:
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).strip_dirs().sort_stats("tottime").print_stats(
            lines
        )
        text = out.getvalue()
        start = text.find("   ncalls")
        print(f"\n--- profile: {label} (sorted by own time) ---")
        print(text[start:].rstrip() if start >= 0 else text.rstrip())


def print_table(
    title: str, header: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """A table with a left-aligned first column."""
    cells = [header, *[tuple(str(c) for c in row) for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    line = "-" * (sum(widths) + 2 * len(widths) + 2)
    print(f"\n{title}\n{line}")
    for n, row in enumerate(cells):
        print(
            "  "
            + "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            print(line)
    print(line)


def latency_row(
    name: str,
    samples: list[int],
    seconds: float | None = None,
    watch: GcWatch | None = None,
) -> tuple:
    """Name, count, rate, mean/p50/p99/max in ms, full gc runs/longest ms."""
    total = seconds if seconds is not None else sum(samples) / 1e9
    return (
        name,
        f"{len(samples):,}",
        f"{len(samples) / total:,.0f}",
        f"{sum(samples) / len(samples) / 1e6:.2f}",
        f"{pct(samples, 50):.2f}",
        f"{pct(samples, 99):.2f}",
        f"{max(samples) / 1e6:.1f}",
        "" if watch is None else str(watch),
    )


LAT_HEADER = (
    "",
    "calls",
    "calls/s",
    "mean ms",
    "p50 ms",
    "p99 ms",
    "max ms",
    "full gc n/ms",
)


async def test_present_benchmark(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """The benchmark (one test so the figures come out together)."""
    entry = setup_entry
    rng = random.Random(20260302)
    # benchmarks/conftest.py turned the harness's SQL statement logging off
    assert not logging.getLogger("sqlalchemy.engine").isEnabledFor(logging.INFO)
    print(
        f"\ncommunity_access end-to-end benchmark: {HOUSEHOLDS} households, "
        f"{CALLS} presentations, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, "
        f"database {entry.runtime_data.community.db.engine.dialect.name}"
    )

    # ---- 1. import through the services
    import_lat: dict[str, list[int]] = {
        "add_household": [],
        "add_person": [],
        "issue_card": [],
        "add_credential": [],
    }
    units = make_units(HOUSEHOLDS, ("1", "3"), 0)
    t0 = time.perf_counter()
    residents = await import_households(hass, units, rng, 5 * 10**9, import_lat)
    await hass.async_block_till_done()
    import_s = time.perf_counter() - t0
    # report 1 card in 20 lost (the "lost" share of the mix)
    lost_lat: list[int] = []
    for r in residents[::20]:
        t1 = time.perf_counter_ns()
        await call(hass, "report_card_lost", {"credential_id": r.credential_id})
        lost_lat.append(time.perf_counter_ns() - t1)
        r.lost = True
    community = entry.runtime_data.community
    counts = community.counts()
    assert counts["households"] == HOUSEHOLDS
    assert counts["credentials"] == 3 * HOUSEHOLDS
    calls_made = sum(len(v) for v in import_lat.values())
    print_table(
        f"Import through services: {HOUSEHOLDS} households x 3 persons x 1 credential "
        f"= {calls_made:,} calls in {import_s:.2f} s "
        f"→ {HOUSEHOLDS / import_s:,.1f} households/s",
        LAT_HEADER,
        [
            *(latency_row(name, lat) for name, lat in import_lat.items()),
            latency_row("report_card_lost", lost_lat),
        ],
    )
    small_rate = HOUSEHOLDS / import_s

    # ---- 2. present_credential end to end
    events: Counter[str] = Counter()
    granted_in_events = 0

    @callback
    def on_event(event: Event) -> None:
        nonlocal granted_in_events
        events[event.event_type] += 1
        granted_in_events += bool(event.data["granted"])

    unsub = [
        hass.bus.async_listen(EVENT_ACCESS_GRANTED, on_event),
        hass.bus.async_listen(EVENT_ACCESS_DENIED, on_event),
    ]
    work = make_presentations(residents, CALLS, rng)
    warm_granted = 0
    for _, data in work[:50]:  # warm up (not counted below)
        warm_granted += (await call(hass, "present_credential", data))["granted"]
    await hass.async_block_till_done()
    db = community.db
    audit_before = await hass.async_add_executor_job(db.count_audit)
    events.clear()
    granted_in_events = 0

    seq_s, seq_lat, reasons, seq_gc = await profiled(
        "present_credential sequential", present_all(hass, work, 1)
    )
    conc_s, conc_lat, conc_reasons, conc_gc = await present_all(hass, work, CONCURRENCY)
    await hass.async_block_till_done()
    for u in unsub:
        u()
    audit_after = await hass.async_add_executor_job(db.count_audit)
    logged = await call(hass, "query_access_log", {"limit": 10000})
    granted_logged = await call(
        hass, "query_access_log", {"limit": 10000, "result": "granted"}
    )
    granted_answers = sum(
        c["granted"] for r in (reasons, conc_reasons) for c in r.values()
    )

    total = 2 * CALLS
    checks = {
        "bus events fired": (sum(events.values()), total),
        "access records committed": (audit_after - audit_before, total),
        "granted events = granted answers": (granted_in_events, granted_answers),
    }
    print_table(
        f"present_credential end to end ({CALLS:,} calls each; service → decision → "
        "audit commit → bus event → entities)",
        LAT_HEADER,
        [
            latency_row("sequential (1 caller)", seq_lat, seq_s, seq_gc),
            latency_row(
                f"concurrent ({CONCURRENCY} callers)", conc_lat, conc_s, conc_gc
            ),
        ],
    )
    print(
        "  full gc n/ms: full (generation 2) garbage collections during the pass"
        " and the longest one, in ms;\n"
        f"  objects tracked by gc now: {len(gc.get_objects()):,}"
    )
    print_table(
        "Outcomes (sequential pass) and checks",
        ("", "value", "expected"),
        [
            *(
                (
                    f"{cat} ({c.total() / CALLS:.1%})",
                    ", ".join(f"{k} {v / c.total():.0%}" for k, v in c.most_common(3)),
                    "",
                )
                for cat, c in sorted(reasons.items(), key=lambda kv: -kv[1].total())
            ),
            *((name, f"{got:,}", f"{want:,}") for name, (got, want) in checks.items()),
            (
                "query_access_log count (limit 10000)",
                f"{logged['count']:,}",
                f"{min(audit_after, 10000):,}",
            ),
            (
                "  of which granted",
                f"{granted_logged['count']:,}",
                f"{warm_granted + granted_answers:,}",
            ),
        ],
    )
    for name, (got, want) in checks.items():
        assert got == want, name
    assert logged["count"] == min(audit_after, 10000)
    if audit_after <= 10000:
        assert granted_logged["count"] == warm_granted + granted_answers
    assert reasons["known"]["granted"] > 0.9 * reasons["known"].total()
    assert reasons["unknown"]["unknown_credential"] == reasons["unknown"].total()
    assert reasons["lost"]["lost"] == reasons["lost"].total()

    if BULK_HOUSEHOLDS <= 0:
        return

    # ---- 3. at scale: a large community in the same entry
    index = community.index
    pop = bench_decide.make_population(
        community.vault, BULK_HOUSEHOLDS, 20, random.Random(1), first_building=11
    )
    t0 = time.perf_counter()
    await hass.async_add_executor_job(
        bench_decide.write_database,
        pop,
        db,
        max(index.households),
        max(index.persons),
        max(index.credentials),
    )
    bulk_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    reload_s = time.perf_counter() - t0
    community = entry.runtime_data.community
    counts = community.counts()
    t0 = time.perf_counter_ns()
    for _ in range(20):
        community.counts()
    counts_ms = (time.perf_counter_ns() - t0) / 20 / 1e6
    listeners = len(community._listeners)  # noqa: SLF001

    scale_lat: dict[str, list[int]] = {
        "add_household": [],
        "add_person": [],
        "issue_card": [],
        "add_credential": [],
    }
    t0 = time.perf_counter()
    more = await profiled(
        f"import of {SCALE_IMPORT} households at scale",
        import_households(
            hass,
            make_units(SCALE_IMPORT, ("1", "3"), HOUSEHOLDS),
            rng,
            6 * 10**9,
            scale_lat,
        ),
    )
    await hass.async_block_till_done()
    scale_import_s = time.perf_counter() - t0
    scale_work = make_presentations(
        [*residents, *more], max(CALLS // 4, 100), random.Random(3)
    )
    sc_s, sc_lat, _, sc_gc = await present_all(hass, scale_work, 1)
    await hass.async_block_till_done()

    print_table(
        f"At scale: {counts['households']:,} households, {counts['persons']:,} persons, "
        f"{counts['credentials']:,} credentials",
        ("", "value"),
        [
            (
                f"bulk insert into the entry's database ({db.engine.dialect.name})",
                f"{bulk_s * 1000:,.0f} ms",
            ),
            (
                "reload of the entry (unload + setup + async_load)",
                f"{reload_s * 1000:,.0f} ms",
            ),
            (
                "Community.counts() (runs per listener on every change)",
                f"{counts_ms:.2f} ms x {listeners} listeners",
            ),
            (
                f"import {SCALE_IMPORT} households via services",
                (
                    f"{SCALE_IMPORT / scale_import_s:,.1f} households/s "
                    f"(vs {small_rate:,.1f}/s when small)"
                ),
            ),
        ],
    )
    print_table(
        "Calls at scale",
        LAT_HEADER,
        [
            *(latency_row(name, lat) for name, lat in scale_lat.items()),
            latency_row("present_credential (1 caller)", sc_lat, sc_s, sc_gc),
        ],
    )
    print(f"  objects tracked by gc now: {len(gc.get_objects()):,}")
