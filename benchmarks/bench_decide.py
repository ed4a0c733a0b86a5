"""Benchmark of the access decision and of start-up, without Home Assistant.

Run: ``.venv/bin/python benchmarks/bench_decide.py`` (``--help`` for sizes).

1. Builds a community of 10,000 households (3 people each, one credential
   each: mostly cards, some PINs, some on a schedule, some lost or expired)
   over 20 buildings, with gates, building doors, a gym and parking, and an
   :class:`AccessIndex` (Asia/Shanghai) of it. Reports build time and memory.
2. Writes the same community into an SQLite file through
   ``core.storage.Database`` and times ``Community.async_load()`` (the
   start-up of the integration: schema check, read, index build).
3. Times ``AccessIndex.decide`` over a realistic mix of presentations, and
   the full ``Community.decide`` path (keyed hash + decision): throughput of
   a batch, and per-call latency percentiles (``perf_counter_ns`` per call).
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
import cProfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
import gc
import io
import json
import os
from pathlib import Path
import pstats
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from custom_components.community_access.core import storage  # noqa: E402
from custom_components.community_access.core.community import Community  # noqa: E402
from custom_components.community_access.core.decision import AccessIndex, Reason  # noqa: E402
from custom_components.community_access.core.models import (  # noqa: E402
    Credential,
    CredentialKind,
    CredentialStatus,
    Direction,
    Door,
    Household,
    Person,
    PersonStatus,
    Role,
    Unit,
    Zone,
)
from custom_components.community_access.core.privacy import (  # noqa: E402
    Vault,
    mask_credential,
    mask_id_number,
    mask_phone,
    new_key,
    normalize_credential,
)
from custom_components.community_access.core.schedule import Schedule  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
SEED = 20260302
#: The week the presentations fall in (local time, Monday 00:00).
WEEK_START = datetime(2026, 3, 2, tzinfo=TZ)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏建国志海燕辉波宁晨欣怡浩然子涵梓轩雨桐一诺思远嘉怡俊杰"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


# --------------------------------------------------------------------------
# the community
@dataclass
class Population:
    """A generated community: models, doors and the clear values (for readers)."""

    households: list[Household] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    credentials: list[Credential] = field(default_factory=list)
    doors: list[Door] = field(default_factory=list)
    #: credential id -> the value a reader sends
    values: dict[int, str] = field(default_factory=dict)
    #: person id -> encrypted ID number / phone and their hash (database only)
    private: dict[int, dict[str, str | None]] = field(default_factory=dict)
    #: credential id -> encrypted value (database only)
    value_enc: dict[int, str | None] = field(default_factory=dict)
    digest_seconds: float = 0.0


def make_id_number(rng: random.Random) -> str:
    """A valid 18-digit resident ID number (GB 11643 check digit)."""
    body = f"{rng.choice((110101, 310104, 440305, 330106))}{rng.randint(1950, 2010)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    total = sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def make_doors(buildings: Sequence[str]) -> list[Door]:
    """Four gates, one door per building, a gym with hours, parking."""
    doors = [
        Door("gate_north_in", "North gate in", Zone.gate(), Direction.IN),
        Door("gate_north_out", "North gate out", Zone.gate(), Direction.OUT),
        Door("gate_south", "South gate", Zone.gate(), Direction.BOTH),
        Door("gate_east", "East gate", Zone.gate(), Direction.BOTH),
    ]
    doors += [
        Door(f"b{b}", f"Building {b} unit door", Zone.building(b), escape_route=True)
        for b in buildings
    ]
    doors += [
        Door(
            "gym",
            "Gym",
            Zone.public("gym"),
            allowed_roles=frozenset({Role.OWNER, Role.FAMILY, Role.TENANT}),
            schedule=Schedule.daily("06:00-22:00"),
        ),
        Door("parking", "Parking", Zone.public("parking")),
    ]
    return doors


def make_population(
    vault: Vault,
    households: int,
    buildings: int,
    rng: random.Random,
    first_building: int = 1,
) -> Population:
    """Generate the community (every value unique, digests through the vault).

    Cards are numbers in [1e8, 4e9), PINs six digits: other benchmarks pick
    their values outside these ranges.
    """
    pop = Population()
    building_ids = [str(b) for b in range(first_building, first_building + buildings)]
    pop.doors = make_doors(building_ids)
    now = datetime.now(UTC)
    # units: building-entrance-room, rooms 101.. over floors, 4 per floor
    per_building = -(-households // buildings)
    entrances = 3
    per_entrance = -(-per_building // entrances)
    units: list[Unit] = []
    for b in building_ids:
        for e in range(1, entrances + 1):
            for k in range(per_entrance):
                floor, door = divmod(k, 4)
                units.append(Unit(b, str(e), f"{floor + 1}{door + 1:02d}"))
    rng.shuffle(units)
    units = sorted(units[:households], key=lambda u: (int(u.building), u.entrance))

    helper = Schedule.daily(
        "07:00-20:00", days=("mon", "tue", "wed", "thu", "fri", "sat")
    )
    night = Schedule.daily("22:00-06:00")
    used_cards: set[str] = set()
    used_pins: set[str] = set()
    pid = cid = 0
    digest_ns = 0

    def add_credential(person: Person, resident: bool) -> None:
        nonlocal cid, digest_ns
        cid += 1
        r = rng.random()
        if r < 0.10:
            kind = CredentialKind.PIN
            value = f"{rng.randrange(10**6):06d}"
            while value in used_pins:
                value = f"{rng.randrange(10**6):06d}"
            used_pins.add(value)
        else:
            kind = CredentialKind.CARD
            value = str(rng.randrange(10**8, 4 * 10**9))
            while value in used_cards:
                value = str(rng.randrange(10**8, 4 * 10**9))
            used_cards.add(value)
        status = CredentialStatus.ACTIVE
        valid_from = valid_until = None
        schedule = None
        s = rng.random()
        if s < 0.015:
            status = CredentialStatus.LOST
        elif s < 0.025:
            status = CredentialStatus.EXPIRED
        elif s < 0.030:
            status = rng.choice((CredentialStatus.RETURNED, CredentialStatus.CANCELLED))
        elif s < 0.035:  # a temporary card that ran out last month
            valid_from = WEEK_START - timedelta(days=60)
            valid_until = WEEK_START - timedelta(days=20)
        elif s < 0.045:  # a card valid for the year
            valid_from = WEEK_START - timedelta(days=30)
            valid_until = WEEK_START + timedelta(days=335)
        if resident and rng.random() < 0.05:
            schedule = helper
        elif not resident and rng.random() < 0.3:
            schedule = night
        t0 = time.perf_counter_ns()
        digest = vault.credential_digest(kind, value)
        digest_ns += time.perf_counter_ns() - t0
        credential = Credential(
            id=cid,
            person_id=person.id,
            kind=kind,
            digest=digest,
            masked=mask_credential(kind, value),
            status=status,
            valid_from=valid_from,
            valid_until=valid_until,
            schedule=schedule,
            created_at=now,
        )
        pop.credentials.append(credential)
        # readers send card numbers zero-padded to 10 digits now and then
        pop.values[cid] = (
            value.zfill(10)
            if kind is CredentialKind.CARD and rng.random() < 0.3
            else value
        )
        pop.value_enc[cid] = vault.encrypt(normalize_credential(kind, value))

    def add_person(household: Household | None, role: Role) -> Person:
        nonlocal pid
        pid += 1
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
        id_number = make_id_number(rng) if role is Role.OWNER else None
        phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        person = Person(
            id=pid,
            household_id=household.id if household else None,
            name=name,
            role=role,
            status=PersonStatus.ACTIVE,
            id_number_masked=mask_id_number(id_number) if id_number else None,
            phone_masked=mask_phone(phone),
            created_at=now,
        )
        pop.persons.append(person)
        pop.private[pid] = {
            "id_number_enc": vault.encrypt(id_number) if id_number else None,
            "id_number_hash": vault.id_number_digest(id_number) if id_number else None,
            "phone_enc": vault.encrypt(phone),
        }
        return person

    for hid, unit in enumerate(units, start=1):
        household = Household(id=hid, unit=unit, created_at=now)
        pop.households.append(household)
        tenant = rng.random() < 0.2
        roles = (
            (Role.TENANT, Role.TENANT, Role.FAMILY)
            if tenant
            else (Role.OWNER, Role.FAMILY, Role.FAMILY)
        )
        for role in roles:
            add_credential(add_person(household, role), resident=True)
    for _ in range(max(households // 200, 1)):  # guards, cleaners, maintenance
        add_credential(add_person(None, Role.STAFF), resident=False)
    pop.digest_seconds = digest_ns / 1e9
    return pop


def build_index(pop: Population) -> AccessIndex:
    """The index, filled the way ``Community.async_load`` fills it."""
    index = AccessIndex(TZ)
    index.set_doors(pop.doors)
    for household in pop.households:
        index.put_household(household)
    for person in pop.persons:
        index.put_person(person)
    for credential in pop.credentials:
        index.put_credential(credential)
    return index


# --------------------------------------------------------------------------
# the workload
@dataclass(frozen=True, slots=True)
class Presentation:
    """One presentation at a reader, as the benchmark replays it."""

    category: str
    kind: CredentialKind
    value: str
    digest: str
    door_id: str
    at: datetime


def _moment(rng: random.Random) -> datetime:
    """A moment in the benchmark week, mostly by day (as UTC, like ``utcnow``)."""
    day = rng.randrange(7)
    if rng.random() < 0.9:
        seconds = rng.randrange(6 * 3600, 23 * 3600)
    else:
        seconds = rng.randrange(0, 24 * 3600)
    return (WEEK_START + timedelta(days=day, seconds=seconds)).astimezone(UTC)


def make_workload(
    pop: Population, vault: Vault, n: int, rng: random.Random
) -> list[Presentation]:
    """≈85 % known active, 5 % other building, 5 % unknown, 5 % lost/expired."""
    persons = {p.id: p for p in pop.persons}
    building_of = {h.id: h.unit.building for h in pop.households}
    buildings = sorted({h.unit.building for h in pop.households}, key=int)
    gates = [d.id for d in pop.doors if d.zone.kind.value == "gate"]
    week_end = WEEK_START + timedelta(days=7)
    active = [
        c
        for c in pop.credentials
        if c.status is CredentialStatus.ACTIVE
        and (c.valid_until is None or c.valid_until > week_end)
    ]
    void = [
        c
        for c in pop.credentials
        if c.status in (CredentialStatus.LOST, CredentialStatus.EXPIRED)
        or (c.valid_until is not None and c.valid_until < WEEK_START)
    ]
    unknown_values = [str(rng.randrange(4 * 10**9, 9 * 10**9)) for _ in range(5000)]
    unknown = [
        (v, vault.credential_digest(CredentialKind.CARD, v)) for v in unknown_values
    ]

    def own_building(c: Credential) -> str:
        hid = persons[c.person_id].household_id
        return building_of[hid] if hid is not None else rng.choice(buildings)

    work: list[Presentation] = []
    for _ in range(n):
        r = rng.random()
        at = _moment(rng)
        if r < 0.85:
            c = rng.choice(active)
            s = rng.random()
            if s < 0.50:
                door = rng.choice(gates)
            elif s < 0.95:
                door = f"b{own_building(c)}"
            else:
                door = rng.choice(("gym", "parking"))
            category = "known"
        elif r < 0.90:
            c = rng.choice(active)
            own = own_building(c)
            door = f"b{rng.choice([b for b in buildings if b != own])}"
            category = "other building"
        elif r < 0.95:
            value, digest = rng.choice(unknown)
            work.append(
                Presentation(
                    "unknown",
                    CredentialKind.CARD,
                    value,
                    digest,
                    rng.choice(gates),
                    at,
                )
            )
            continue
        else:
            c = rng.choice(void)
            door = rng.choice((*gates, f"b{own_building(c)}"))
            category = "lost/expired"
        work.append(
            Presentation(category, c.kind, pop.values[c.id], c.digest, door, at)
        )
    return work


# --------------------------------------------------------------------------
# the database
def write_database(
    pop: Population, db: storage.Database, hid0: int = 0, pid0: int = 0, cid0: int = 0
) -> None:
    """Bulk insert the population through the Database's engine (one transaction).

    ``hid0``, ``pid0`` and ``cid0`` shift the ids, to add to a database in use.
    """
    db.migrate()
    now = datetime.now(UTC)
    with db.engine.begin() as conn:
        conn.execute(
            insert(storage.households),
            [
                {
                    "id": h.id + hid0,
                    "unit": str(h.unit),
                    "building": h.unit.building,
                    "card_quota": h.card_quota,
                    "created_at": now,
                }
                for h in pop.households
            ],
        )
        conn.execute(
            insert(storage.persons),
            [
                {
                    "id": p.id + pid0,
                    "household_id": None
                    if p.household_id is None
                    else p.household_id + hid0,
                    "name": p.name,
                    "role": p.role.value,
                    "status": p.status.value,
                    "id_number_enc": pop.private[p.id]["id_number_enc"],
                    "id_number_hash": pop.private[p.id]["id_number_hash"],
                    "id_number_masked": p.id_number_masked,
                    "phone_enc": pop.private[p.id]["phone_enc"],
                    "phone_masked": p.phone_masked,
                    "valid_from": p.valid_from,
                    "valid_until": p.valid_until,
                    "extra_zones": json.dumps(sorted(p.extra_zones)),
                    "created_at": now,
                    "updated_at": now,
                }
                for p in pop.persons
            ],
        )
        conn.execute(
            insert(storage.credentials),
            [
                {
                    "id": c.id + cid0,
                    "person_id": c.person_id + pid0,
                    "kind": c.kind.value,
                    "digest": c.digest,
                    "value_enc": pop.value_enc[c.id],
                    "masked": c.masked,
                    "status": c.status.value,
                    "valid_from": c.valid_from,
                    "valid_until": c.valid_until,
                    "schedule": None
                    if c.schedule is None
                    else json.dumps(c.schedule.as_dict()),
                    "created_at": now,
                    "updated_at": now,
                }
                for c in pop.credentials
            ],
        )
        advance_id_sequences(conn)


def advance_id_sequences(conn: Any) -> None:
    """After rows inserted with explicit ids: PostgreSQL's id sequences past them.

    SQLite takes the next id from the table; PostgreSQL from a sequence that
    explicit ids do not move (the next insert would collide).
    """
    if conn.dialect.name != "postgresql":
        return
    for table in (storage.households, storage.persons, storage.credentials):
        top = conn.execute(select(func.max(table.c.id))).scalar() or 0
        sequence = func.pg_get_serial_sequence(table.name, "id")
        conn.execute(select(func.setval(sequence, top + 1, False)))


async def _load_community(
    db: storage.Database, vault: Vault, doors: list[Door]
) -> tuple[Community, float]:
    """``Community.async_load`` with a thread-pool runner like Home Assistant's."""
    loop = asyncio.get_running_loop()

    def run(func: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        return loop.run_in_executor(None, func, *args)

    community = Community(db, vault, TZ, run)
    community.set_doors(doors)
    t0 = time.perf_counter()
    await community.async_load()
    return community, time.perf_counter() - t0


# --------------------------------------------------------------------------
# measuring
def deep_size(root: object) -> int:
    """Bytes reachable from ``root`` (shared enums, types and time zones excluded)."""
    seen: set[int] = set()
    stack = [root]
    total = 0
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, (type, Enum, ZoneInfo)):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack.extend(obj)
        elif isinstance(obj, (str, bytes, int, float, bool, datetime)) or obj is None:
            continue
        else:
            for cls in type(obj).__mro__:
                stack.extend(
                    getattr(obj, slot)
                    for slot in getattr(cls, "__slots__", ())
                    if hasattr(obj, slot)
                )
            if hasattr(obj, "__dict__"):
                stack.append(vars(obj))
    return total


@dataclass
class Timing:
    """Figures of one timed path."""

    name: str
    n: int
    batch_ns: list[int]
    latencies: list[int]
    timer_overhead_ns: float
    gc_runs: int
    gc_longest_ns: int

    @property
    def per_second(self) -> float:
        """Best batch throughput."""
        return self.n / (min(self.batch_ns) / 1e9)

    def pct(self, p: float) -> float:
        """Latency percentile in µs."""
        lat = self.latencies
        return lat[min(len(lat) - 1, int(p / 100 * len(lat)))] / 1000


def time_path(
    name: str,
    call: Callable[[Presentation], object],
    work: list[Presentation],
    repeats: int,
) -> Timing:
    """Batch throughput (best of ``repeats``) and per-call latencies."""
    pc = time.perf_counter_ns
    for p in work[:2000]:  # warm up
        call(p)
    batch = []
    for _ in range(repeats):
        t0 = pc()
        for p in work:
            call(p)
        batch.append(pc() - t0)
    lat = [0] * len(work)
    gc_ns: list[int] = []
    gc_start = [0]

    def on_gc(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            gc_start[0] = pc()
        else:
            gc_ns.append(pc() - gc_start[0])

    gc.callbacks.append(on_gc)
    for i, p in enumerate(work):
        t0 = pc()
        call(p)
        lat[i] = pc() - t0
    gc.callbacks.remove(on_gc)
    # what an empty perf_counter_ns pair costs (part of every latency sample)
    over = []
    for _ in range(20000):
        t0 = pc()
        over.append(pc() - t0)
    lat.sort()
    return Timing(
        name,
        len(work),
        batch,
        lat,
        statistics.median(over),
        len(gc_ns),
        max(gc_ns, default=0),
    )


def profile(label: str, func: Callable[[], object], lines: int = 14) -> None:
    """Print the top of a cProfile of ``func`` (by internal time)."""
    prof = cProfile.Profile()
    prof.enable()
    func()
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).strip_dirs().sort_stats("tottime").print_stats(lines)
    print(f"\n--- profile: {label} (sorted by own time) ---")
    text = out.getvalue()
    start = text.find("   ncalls")
    print(text[start:].rstrip() if start >= 0 else text.rstrip())


def table(title: str, rows: list[tuple[str, str]]) -> None:
    """Print a two-column table."""
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    line = "-" * (width + vwidth + 5)
    print(f"\n{title}\n{line}")
    for key, value in rows:
        print(f"  {key:<{width}}  {value:>{vwidth}}")
    print(line)


def fmt_bytes(n: float) -> str:
    """MiB with one decimal."""
    return f"{n / 2**20:.1f} MiB"


# --------------------------------------------------------------------------
def main() -> None:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--buildings", type=int, default=20)
    parser.add_argument("--decisions", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="print cProfile tops of start-up and of the decision paths",
    )
    args = parser.parse_args()
    rng = random.Random(SEED)
    vault = Vault(new_key(), new_key())
    print(
        f"community_access decision benchmark: {args.households:,} households, "
        f"{args.buildings} buildings, {args.decisions:,} decisions, "
        f"Python {sys.version.split()[0]}, tz {TZ.key}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
    )

    # ---- 1. the community and the in-memory index
    t0 = time.perf_counter()
    pop = make_population(vault, args.households, args.buildings, rng)
    gen_s = time.perf_counter() - t0
    builds = []
    for _ in range(3):
        gc.collect()
        t0 = time.perf_counter()
        index = build_index(pop)
        builds.append(time.perf_counter() - t0)
    index_bytes = deep_size(index)
    kinds = Counter(c.kind.value for c in pop.credentials)
    statuses = Counter(c.status.value for c in pop.credentials)
    table(
        "Community",
        [
            ("households", f"{len(pop.households):,}"),
            ("persons", f"{len(pop.persons):,}"),
            (
                "credentials",
                f"{len(pop.credentials):,} ("
                + ", ".join(f"{k} {v:,}" for k, v in kinds.most_common())
                + ")",
            ),
            (
                "  by status",
                ", ".join(f"{k} {v:,}" for k, v in statuses.most_common()),
            ),
            (
                "  with schedule / validity window",
                (
                    f"{sum(c.schedule is not None for c in pop.credentials):,} / "
                    f"{sum(c.valid_until is not None for c in pop.credentials):,}"
                ),
            ),
            ("doors", f"{len(pop.doors)}"),
            ("generate (incl. hashing, AES)", f"{gen_s * 1000:,.0f} ms"),
            (
                "keyed hashes (HMAC-SHA256)",
                (
                    f"{pop.digest_seconds * 1000:,.0f} ms "
                    f"({pop.digest_seconds / len(pop.credentials) * 1e6:.2f} µs each)"
                ),
            ),
            (
                "build AccessIndex (best of 3)",
                f"{min(builds) * 1000:,.1f} ms",
            ),
            ("index size (deep sizeof)", fmt_bytes(index_bytes)),
        ],
    )

    # ---- 2. the database and start-up
    with tempfile.TemporaryDirectory(prefix="ca-bench-") as tmp:
        path = Path(tmp) / "community.db"
        db = storage.Database(f"sqlite:///{path}")
        t0 = time.perf_counter()
        write_database(pop, db)
        write_s = time.perf_counter() - t0
        size = path.stat().st_size + sum(
            p.stat().st_size for p in Path(tmp).glob("community.db-*")
        )
        db.close()

        loads = []
        for _ in range(3):
            db = storage.Database(f"sqlite:///{path}")  # a cold engine, as at start-up
            community, secs = asyncio.run(_load_community(db, vault, pop.doors))
            loads.append(secs)
            db.close()
        db = storage.Database(f"sqlite:///{path}")
        db.migrate()
        t0 = time.perf_counter()
        snapshot = db.load()
        read_s = time.perf_counter() - t0
        del snapshot

        # memory: everything the index holds is allocated from database rows here
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        snapshot = db.load()
        loaded = AccessIndex(TZ)
        loaded.set_doors(pop.doors)
        for h in snapshot.households:
            loaded.put_household(h)
        for p in snapshot.persons:
            loaded.put_person(p)
        for c in sorted(snapshot.credentials, key=lambda c: c.id):
            loaded.put_credential(c)
        del snapshot
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del loaded
        if args.profile:
            profile("Database.load()", db.load)
        db.close()

        db = storage.Database(f"sqlite:///{path}")
        community, _ = asyncio.run(_load_community(db, vault, pop.doors))
        db.close()  # decisions never touch the database
        table(
            "Start-up from SQLite (Community.async_load)",
            [
                ("bulk insert (1 transaction)", f"{write_s * 1000:,.0f} ms"),
                ("database file", fmt_bytes(size)),
                (
                    "Community.async_load() (best of 3)",
                    f"{min(loads) * 1000:,.0f} ms   (runs: "
                    + ", ".join(f"{s * 1000:,.0f}" for s in loads)
                    + ")",
                ),
                (
                    "  of which Database.load() (rows→models)",
                    f"{read_s * 1000:,.0f} ms",
                ),
                ("index memory (tracemalloc, after load)", fmt_bytes(current - base)),
                (
                    "  per credential (incl. person, household)",
                    f"{(current - base) / len(pop.credentials):,.0f} B",
                ),
                ("peak while loading (tracemalloc)", fmt_bytes(peak - base)),
            ],
        )

    # ---- 3. decisions
    work = make_workload(pop, vault, args.decisions, random.Random(SEED + 1))
    idx = community.index
    decide = idx.decide
    cdecide = community.decide
    mismatches = sum(
        decide(p.kind, p.digest, p.door_id, p.at).reason
        != index.decide(p.kind, p.digest, p.door_id, p.at).reason
        for p in work[:20000]
    )
    by_category: dict[str, Counter[str]] = {}
    for p in work:
        reason = decide(p.kind, p.digest, p.door_id, p.at).reason
        by_category.setdefault(p.category, Counter())[reason.value] += 1
    hash_mismatch = sum(
        cdecide(p.door_id, p.kind, p.value, p.at).reason
        != decide(p.kind, p.digest, p.door_id, p.at).reason
        for p in work[:20000]
    )
    n = len(work)
    rows = []
    for category, counts in sorted(by_category.items(), key=lambda kv: -kv[1].total()):
        rows.append(
            (
                f"{category} ({counts.total() / n:.1%})",
                ", ".join(
                    f"{r} {c / counts.total():.1%}" for r, c in counts.most_common(4)
                ),
            )
        )
    granted = sum(c[Reason.GRANTED.value] for c in by_category.values())
    rows.append(("granted overall", f"{granted / n:.1%}"))
    rows.append(
        (
            "index from DB agrees with in-memory index",
            "yes" if mismatches == 0 else f"NO ({mismatches} differ)",
        )
    )
    rows.append(
        (
            "Community.decide(value) agrees with decide(digest)",
            "yes" if hash_mismatch == 0 else f"NO ({hash_mismatch} differ)",
        )
    )
    table("Workload (reasons per category)", rows)

    timings = [
        time_path(
            "AccessIndex.decide (digest)",
            lambda p: decide(p.kind, p.digest, p.door_id, p.at),
            work,
            args.repeats,
        ),
        time_path(
            "vault.credential_digest only",
            lambda p: community.vault.credential_digest(p.kind, p.value),
            work,
            args.repeats,
        ),
        time_path(
            "Community.decide (hash + decide)",
            lambda p: cdecide(p.door_id, p.kind, p.value, p.at),
            work,
            args.repeats,
        ),
    ]
    name_w = max(len(t.name) for t in timings)
    header = f"  {'path':<{name_w}}  {'decisions/s':>12}  {'mean µs':>8}  {'p50 µs':>7}  {'p99 µs':>7}  {'p99.9 µs':>8}  {'max µs':>8}  {'gc runs':>7}"
    print(
        f"\nDecision timing ({n:,} presentations; throughput = best of {args.repeats} "
        "untimed batches; latencies = perf_counter_ns around each call)"
    )
    print("-" * len(header))
    print(header)
    print("-" * len(header))
    for t in timings:
        print(
            f"  {t.name:<{name_w}}  {t.per_second:>12,.0f}  {min(t.batch_ns) / t.n / 1000:>8.2f}"
            f"  {t.pct(50):>7.2f}  {t.pct(99):>7.2f}  {t.pct(99.9):>8.2f}  {t.latencies[-1] / 1000:>8.1f}  {t.gc_runs:>7}"
        )
    print("-" * len(header))
    print(
        f"  latency samples include the timer pair itself (~{timings[0].timer_overhead_ns:.0f} ns); "
        "gc enabled ('gc runs' = collections during the latency pass,\n"
        f"  longest {max(t.gc_longest_ns for t in timings) / 1e6:.2f} ms); max latency without gc runs "
        f"is the OS scheduler (load average now {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs)"
    )

    if args.profile:
        sample = work[:100_000]
        profile(
            "AccessIndex.decide x100k",
            lambda: [decide(p.kind, p.digest, p.door_id, p.at) for p in sample],
        )
        profile(
            "Community.decide x100k",
            lambda: [cdecide(p.door_id, p.kind, p.value, p.at) for p in sample],
        )


if __name__ == "__main__":
    main()
