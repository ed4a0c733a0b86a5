"""Benchmark of the lock sync reconciler (issue #7), without Home Assistant.

Run: ``.venv/bin/python benchmarks/bench_lock_sync.py`` (``--help`` for sizes).

1. A lock that takes ``--delay`` seconds (100 ms) per command (a real
   ``asyncio.sleep``, like a Zigbee round trip) and a community with
   ``--credentials`` (200) PINs and cards at its door, in an SQLite file.
   Reports commands sent and seconds to get in sync: from empty without the
   first read-back (the slot table says the lock is empty), from empty with
   the read-back of every slot (first contact), after 1 change and after 20
   changes (``--readback-again``: a forced full read-back once in sync
   too). The syncer's rate limit is its default (0.2 s between command
   starts) unless ``--interval`` says otherwise.
2. The cost of computing one lock's desired state and plan for a community
   of ``--households`` (10,000) households over 20 buildings (in memory).
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
import statistics
import sys
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from custom_components.community_access.core.carddesk import CardDesk  # noqa: E402
from custom_components.community_access.core.community import Community  # noqa: E402
from custom_components.community_access.core.decision import AccessIndex  # noqa: E402
from custom_components.community_access.core.lock_sync import (  # noqa: E402
    CredentialSlotKind,
    LockCapacity,
    LockSyncer,
    SlotReading,
    SlotState,
    WeekDaySchedule,
    YearDaySchedule,
    desired_credentials,
    plan,
)
from custom_components.community_access.core.lock_sync.desired import (  # noqa: E402
    async_desired_credentials,
)
from custom_components.community_access.core.models import (  # noqa: E402
    Credential,
    CredentialKind,
    Door,
    Household,
    Person,
    Role,
    Unit,
    Zone,
)
from custom_components.community_access.core.storage import (  # noqa: E402
    LockMetaRecord,
    LockSlotRecord,
)
from tests.core.common import TZ, open_community, pins, serial_id_number  # noqa: E402


@dataclass
class SlowLock:
    """A lock's memory behind a radio that takes ``delay`` seconds per command."""

    caps: LockCapacity
    delay: float
    memory: dict[tuple[CredentialSlotKind, int], str] = field(default_factory=dict)
    commands: int = 0

    async def _round_trip(self) -> None:
        self.commands += 1
        await asyncio.sleep(self.delay)

    async def read_capacity(self) -> LockCapacity:
        await self._round_trip()
        return self.caps

    async def read_slot(self, kind: CredentialSlotKind, user_id: int) -> SlotReading:
        await self._round_trip()
        code = self.memory.get((kind, user_id))
        return SlotReading(user_id, kind, code is not None, code)

    async def write_slot(
        self, kind: CredentialSlotKind, user_id: int, code: str, *, user_type: int = 0
    ) -> None:
        await self._round_trip()
        self.memory[(kind, user_id)] = code

    async def clear_slot(self, kind: CredentialSlotKind, user_id: int) -> None:
        await self._round_trip()
        self.memory.pop((kind, user_id), None)

    async def set_year_day_schedule(
        self, user_id: int, schedule: YearDaySchedule
    ) -> None:
        await self._round_trip()

    async def clear_year_day_schedule(self, user_id: int, schedule_id: int) -> None:
        await self._round_trip()

    async def set_week_day_schedule(
        self, user_id: int, schedule: WeekDaySchedule
    ) -> None:
        await self._round_trip()

    async def clear_week_day_schedule(self, user_id: int, schedule_id: int) -> None:
        await self._round_trip()

    async def set_user_type(self, user_id: int, user_type: int) -> None:
        await self._round_trip()

    async def set_lockout(self, wrong_code_limit: int, disable_seconds: int) -> None:
        await self._round_trip()


async def build_community(path: Path, credentials: int) -> tuple[Community, list[int]]:
    """A community with ``credentials`` PINs and cards of building 3's residents."""
    community = await open_community(
        path, [Door("b3", "Building 3", Zone.building("3"))]
    )
    next_pin = pins()
    desk = CardDesk(community)
    people: list[int] = []
    made = 0
    serial = 0
    while made < credentials:
        unit = f"3-{1 + serial // 100}-{101 + serial % 100}"
        await community.add_household(unit)
        person = await community.add_person(
            name=f"R{serial}",
            role=Role.OWNER,
            unit=unit,
            id_number=serial_id_number(serial),
        )
        people.append(person.id)
        await community.add_credential(
            person_id=person.id, kind=CredentialKind.PIN, value=next_pin()
        )
        made += 1
        if made < credentials:
            await desk.issue_card(
                person_id=person.id, card_number=f"{4000000 + serial}", deposit_cents=0
            )
            made += 1
        serial += 1
    return community, people


async def timed_sync(
    syncer: LockSyncer, lock: SlowLock, *, readback: bool = False
) -> tuple[int, float]:
    before = lock.commands
    start = time.perf_counter()
    report = await (syncer.full_readback() if readback else syncer.sync())
    elapsed = time.perf_counter() - start
    assert not report.aborted and report.remaining.operations == ()
    return lock.commands - before, elapsed


async def lock_scenarios(args: argparse.Namespace) -> None:
    caps = LockCapacity(
        pin_users=args.slots,
        rfid_users=args.slots,
        week_day_schedules_per_user=0,
        year_day_schedules_per_user=1,
        min_pin_length=4,
        max_pin_length=8,
        min_rfid_length=1,
        max_rfid_length=20,
    )
    with tempfile.TemporaryDirectory() as tmp:
        community, people = await build_community(Path(tmp), args.credentials)
        try:
            desired = desired_credentials(community, "b3", datetime.now(UTC))
            print(
                f"community: {len(desired)} credentials wanted at the door; lock: "
                f"{args.slots} PIN + {args.slots} card users, {args.delay * 1000:.0f} ms "
                f"per command, rate limit {args.interval} s between command starts"
            )
            rows = []

            def make(lock_id: str, lock: SlowLock) -> LockSyncer:
                return LockSyncer(
                    community, lock_id, "b3", lock, min_interval=args.interval
                )

            # From empty, the slot table already knowing the lock is empty.
            lock = SlowLock(caps, args.delay)
            await community.run(
                community.db.put_lock_meta,
                LockMetaRecord("known", capacity=asdict(caps)),
            )
            await community.run(
                community.db.put_lock_slots,
                [
                    LockSlotRecord("known", uid, "pin", SlotState.EMPTY)
                    for uid in range(args.slots)
                ],
            )
            known = make("known", lock)
            rows.append(("from empty, no read-back", *await timed_sync(known, lock)))

            # From empty on first contact: capacity and every slot read first.
            fresh_lock = SlowLock(caps, args.delay)
            fresh = make("fresh", fresh_lock)
            rows.append(
                ("from empty, with read-back", *await timed_sync(fresh, fresh_lock))
            )

            # One change, then twenty (on the first lock).
            next_pin = pins()
            for _ in range(5000):
                next_pin()  # past the PINs already given
            await community.revoke_credential(desired[0].credential_id)
            rows.append(("after 1 change", *await timed_sync(known, lock)))
            for i in range(20):
                if i % 2:
                    await community.add_credential(
                        person_id=people[i], kind=CredentialKind.PIN, value=next_pin()
                    )
                else:
                    pin_of = [
                        c
                        for c in community.index.credentials_of(people[i + 2])
                        if c.kind is CredentialKind.PIN and c.status.value == "active"
                    ]
                    await community.revoke_credential(pin_of[0].id)
            rows.append(("after 20 changes", *await timed_sync(known, lock)))
            if args.readback_again:
                rows.append(
                    (
                        "full read-back, in sync",
                        *await timed_sync(known, lock, readback=True),
                    )
                )
            print(f"{'scenario':<28}{'commands':>10}{'seconds':>10}")
            for name, commands, seconds in rows:
                print(f"{name:<28}{commands:>10}{seconds:>10.1f}")
        finally:
            await community.async_close()


def planning_cost(households: int) -> None:
    """Desired state and plan for one door of a large community (in memory)."""
    index = AccessIndex(TZ)
    buildings = [str(b) for b in range(1, 21)]
    doors = [Door(f"b{b}", f"B{b}", Zone.building(b)) for b in buildings]
    doors.append(Door("gate", "Gate", Zone.gate()))
    index.set_doors(doors)
    now = datetime.now(UTC)
    pid = cid = 0
    for hid in range(1, households + 1):
        building = buildings[hid % len(buildings)]
        index.put_household(Household(hid, Unit(building, "1", str(hid))))
        for _ in range(3):
            pid += 1
            index.put_person(Person(pid, hid, "x", Role.FAMILY))
            cid += 1
            kind = CredentialKind.PIN if cid % 3 == 0 else CredentialKind.CARD
            index.put_credential(Credential(cid, pid, kind, f"d{cid}", "****"))
    for _ in range(50):
        pid += 1
        index.put_person(Person(pid, None, "staff", Role.STAFF))
        cid += 1
        index.put_credential(
            Credential(cid, pid, CredentialKind.CARD, f"d{cid}", "****")
        )
    community = Community.__new__(Community)
    community.index = index
    caps = LockCapacity(250, 250, 0, 1, 4, 8, 1, 20)
    print(
        f"\ncommunity: {households} households, {len(index.persons)} people, "
        f"{len(index.credentials)} credentials, 20 buildings"
    )
    for door_id in ("b3", "gate"):
        times = []
        plan_times = []
        wanted = []
        for _ in range(7):
            start = time.perf_counter()
            wanted = desired_credentials(community, door_id, now)
            times.append(time.perf_counter() - start)
            slots = {
                i: LockSlotRecord(
                    "x",
                    i,
                    d.kind.value,
                    SlotState.SYNCED,
                    d.credential_id,
                    d.digest,
                    "",
                )
                for i, d in enumerate(wanted[:250])
            }
            start = time.perf_counter()
            plan(wanted, slots, caps, now=now)
            plan_times.append(time.perf_counter() - start)
        print(
            f"door {door_id:<5} {len(wanted):>6} wanted: desired state "
            f"{statistics.median(times) * 1000:.1f} ms, plan {statistics.median(plan_times) * 1000:.1f} ms (median of 7)"
        )
        stall, total = asyncio.run(_longest_stall(community, door_id, now))
        print(
            f"door {door_id:<5} as the syncer computes it (yielding): "
            f"{total * 1000:.1f} ms in all, event loop held at most "
            f"{stall * 1000:.1f} ms at a time"
        )


async def _longest_stall(
    community: Community, door_id: str, now: datetime
) -> tuple[float, float]:
    """Longest time the event loop waits while the wanted set is computed."""
    longest = 0.0
    done = False

    async def ticker() -> None:
        nonlocal longest
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0)
            tick = time.perf_counter()
            longest = max(longest, tick - last)
            last = tick

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    start = time.perf_counter()
    await async_desired_credentials(community, door_id, now)
    total = time.perf_counter() - start
    done = True
    await task
    return longest, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--credentials", type=int, default=200)
    parser.add_argument(
        "--slots", type=int, default=200, help="PIN and card users of the lock"
    )
    parser.add_argument("--delay", type=float, default=0.1, help="seconds per command")
    parser.add_argument("--interval", type=float, default=0.2, help="rate limit (s)")
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument(
        "--readback-again",
        action="store_true",
        help="also time a forced full read-back of the lock once in sync",
    )
    args = parser.parse_args()
    asyncio.run(lock_scenarios(args))
    planning_cost(args.households)


if __name__ == "__main__":
    main()
