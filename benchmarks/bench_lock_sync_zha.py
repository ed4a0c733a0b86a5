"""Lock sync on the real stack (issue #7): a ZHA lock behind a 100 ms radio.

Run from the repository root (``scripts/bench`` runs it too)::

    .venv/bin/python -m pytest benchmarks/bench_lock_sync_zha.py -s -q \\
        -p no:cacheprovider --rootdir=.

Home Assistant (pytest-homeassistant-custom-component) runs the real ZHA
integration on a fake zigpy radio with a Door Lock joined
(``tests/zha_lock_harness.py``): 200 PIN users and 200 card users in one
user id space (attributes 0x11-0x13), and ``DoorLockSimulator.delay`` of
0.1 s added to every Door Lock command, as a Zigbee round trip. The
community's "Building 3 door" is bound to that lock with "keep codes on the
lock" (``manage_codes``), as in ``tests/test_lock_codes.py``.

The community is made through the integration's services: ``BENCH_ZHA_PEOPLE``
(100) residents of building 3, each with a PIN and a card: 200 credentials
allowed at the door, so the lock's 200 user ids are all needed
(``BENCH_ZHA_SLOTS`` changes the lock's size). Then:

1. from empty: the door is switched to "keep codes on the lock" (the entry
   reloads); first contact reads the lock's capacity and every slot, then
   writes every credential. Timed from the subentry update to the sync
   state ``in_sync`` with nothing pending;
2. after 1 change: a card reported lost;
3. after 20 changes made one after the other through the services:
   6 cards reported lost, 6 replacement cards issued for them, 4 residents
   suspended (a PIN and a card each), 4 new residents with a PIN.

Each is timed from the first service call to the sync being done (the
worker's 1 s debounce included), with the worker's defaults: 0.2 s between
command starts (``LockSyncer.min_interval``), ``lock_codes.DEBOUNCE`` 1 s,
``lock_codes.SYNCER_DEFAULTS`` untouched. Commands are counted twice: by the
syncer (``commands_sent``) and by the lock (every Door Lock cluster request
it received). After each step the lock's memory is checked against the
credentials the community allows at the door.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
import os
import sys
import time
from typing import Any

from benchmarks.sync_runs import SyncRuns
from custom_components.community_access import lock_codes
from custom_components.community_access.core.lock_sync import desired_credentials
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from tests.conftest import doors_with, make_entry
from tests.core.common import pins, serial_id_number
from tests.helpers import call, setup_community
from tests.zha_lock_harness import DoorLockSimulator, ZhaLockEnv, zha_with_door_lock

PEOPLE = int(os.environ.get("BENCH_ZHA_PEOPLE", "100"))
SLOTS = int(os.environ.get("BENCH_ZHA_SLOTS", "200"))
DELAY = 0.1
DOOR = "door_b3"
#: Door Lock commands that only read the lock.
READS = frozenset({"get_pin_code", "get_rfid_code", "read_attributes"})
#: A step that has not finished after this long failed.
STEP_TIMEOUT = 600.0


class Bench:
    """The community, the lock and the figures."""

    def __init__(self, hass: HomeAssistant, env: ZhaLockEnv, entry_id: str) -> None:
        """Keep the harness."""
        self.hass = hass
        self.entry_id = entry_id
        self.env = env
        self.sim = env.sim
        self.next_pin = pins()
        self.serial = 0
        #: person id -> (PIN, card number, card's credential id)
        self.people: dict[int, tuple[str | None, str | None, int | None]] = {}
        self.rows: list[tuple[str, int, int, float, str]] = []
        #: Sync runs the worker finished (counted through its listeners).
        #: The worker's finished sync runs.
        self.runs = SyncRuns()

    @property
    def entry(self) -> Any:
        """The community's entry (a new runtime after each reload)."""
        return self.hass.config_entries.async_get_entry(self.entry_id)

    @property
    def codes(self) -> lock_codes.LockCodes:
        """The door's lock-code worker."""
        return self.entry.runtime_data.lock_codes[DOOR]

    def worker_ready(self) -> bool:
        """The entry is loaded and its door has a lock-code worker."""
        entry = self.entry
        return (
            entry.state is ConfigEntryState.LOADED
            and DOOR in entry.runtime_data.lock_codes
        )

    async def resident(self, *, card: bool) -> int:
        """A new resident of building 3 with a PIN (and a card)."""
        serial = self.serial
        self.serial += 1
        unit = f"3-{1 + serial // 100}-{101 + serial % 100}"
        await call(self.hass, "add_household", {"unit": unit})
        person = await call(
            self.hass,
            "add_person",
            {"unit": unit, "name": f"住户{serial}", "role": "owner",
             "id_number": serial_id_number(serial)},
        )  # fmt: skip
        person_id = int(person["person_id"])
        pin = self.next_pin()
        await call(
            self.hass,
            "add_credential",
            {"person_id": person_id, "kind": "pin", "value": pin},
        )
        number = card_id = None
        if card:
            number = f"{4000000 + serial}"
            issued = await call(
                self.hass,
                "issue_card",
                {"person_id": person_id, "card_number": number},
            )
            card_id = int(issued["credential_id"])
        self.people[person_id] = (pin, number, card_id)
        return person_id

    def done(self, before: int) -> bool:
        """A run finished since ``before`` runs and all is in sync, nothing to do."""
        return self.runs.settled(self.codes, before)

    async def step(
        self, name: str, act: Callable[[], Any], *, fresh: bool = False
    ) -> None:
        """Run ``act``, time it to in-sync, count the commands, check the lock."""
        if not fresh:
            self.runs.watch(self.codes)
        before = self.runs.finished
        sent_before = 0 if fresh else self._sent()
        # (a fresh worker's syncer starts counting at 0)
        lock_before = len(self.sim.commands)
        start = time.perf_counter()
        first_at = first_change_at = None
        checked = lock_before
        await act()
        async with asyncio.timeout(STEP_TIMEOUT):
            while not (self.worker_ready() and self.done(before)):
                await asyncio.sleep(0.01)
                # when the lock got its first command, and its first change
                if first_at is None and len(self.sim.commands) > lock_before:
                    first_at = time.perf_counter()
                if first_change_at is None and any(
                    c.name not in READS for c in self.sim.commands[checked:]
                ):
                    first_change_at = time.perf_counter()
                checked = len(self.sim.commands)
        elapsed = time.perf_counter() - start
        sent = self._sent() - sent_before
        seen = self.sim.commands[lock_before:]
        kinds = Counter(c.name for c in seen)
        detail = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        if first_at is not None and first_change_at is not None:
            reads = sum(1 for c in seen if c.name in READS)
            detail += (
                f"; {reads} reads; first command after {first_at - start:.1f} s, "
                f"first write or clear after {first_change_at - start:.1f} s, "
                f"done after {elapsed:.1f} s"
            )
        self.rows.append((name, sent, len(seen), elapsed, detail))
        self.check()

    def _sent(self) -> int:
        syncer = self.codes.syncer
        return 0 if syncer is None else syncer.commands_sent

    def check(self) -> None:
        """The lock holds exactly the PINs and cards the door allows."""
        community = self.entry.runtime_data.community
        wanted = desired_credentials(community, DOOR, dt_util.utcnow())
        pins, cards = self.sim.pins(), self.sim.cards()
        assert len(pins) + len(cards) == len(wanted), (len(pins), len(cards))
        active = {
            c.id
            for c in community.index.credentials.values()
            if c.status.value == "active"
        }
        expected_pins = set()
        expected_cards = set()
        for person_id, (pin, card, card_id) in self.people.items():
            person = community.index.persons[person_id]
            if person.status.value != "active":
                continue
            if pin is not None:
                expected_pins.add(pin)
            if card is not None and card_id in active:
                expected_cards.add(card)
        assert set(pins.values()) == expected_pins
        assert set(cards.values()) == expected_cards
        assert len(set(pins) | set(cards)) == len(pins) + len(cards)  # one id each


async def test_lock_sync_zha_benchmark(hass: HomeAssistant) -> None:
    """Commands and seconds to get a 200-user ZHA lock in sync (figures printed)."""
    await hass.config.async_set_time_zone("Asia/Shanghai")
    sim = DoorLockSimulator(
        lock_attributes={0x0011: SLOTS, 0x0012: SLOTS, 0x0013: SLOTS}
    )
    async with zha_with_door_lock(hass, sim) as env:
        entry = make_entry(doors=doors_with(DOOR, lock_entity=env.entity_id))
        await setup_community(hass, entry)
        assert not entry.runtime_data.lock_codes  # not managed yet
        bench = Bench(hass, env, entry.entry_id)
        t0 = time.perf_counter()
        for _ in range(PEOPLE):
            await bench.resident(card=True)
        made = time.perf_counter() - t0
        community = entry.runtime_data.community
        wanted = desired_credentials(community, DOOR, dt_util.utcnow())
        print(
            f"\nZHA lock sync benchmark: {len(wanted)} credentials allowed at the "
            f"door ({PEOPLE} residents, a PIN and a card each, made through the "
            f"services in {made:.1f} s); lock: {SLOTS} PIN + {SLOTS} card users "
            f"(one id space), {DELAY * 1000:.0f} ms per Door Lock command; "
            f"syncer defaults (min_interval 0.2 s, debounce "
            f"{lock_codes.DEBOUNCE:g} s, SYNCER_DEFAULTS {lock_codes.SYNCER_DEFAULTS}); "
            f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
            f"{os.getloadavg()[0]:.2f}"
        )
        sim.delay = DELAY
        sim.reset_records()

        async def manage() -> None:
            subentry = entry.subentries[DOOR]
            hass.config_entries.async_update_subentry(
                entry, subentry, data=dict(subentry.data) | {"manage_codes": True}
            )

        await bench.step("from empty (first contact, read-back)", manage, fresh=True)
        assert entry.state is ConfigEntryState.LOADED
        assert bench.codes.syncer is not None
        assert bench.codes.syncer.capacity is not None
        assert bench.codes.syncer.capacity.pin_users == SLOTS
        ids = list(bench.people)

        async def one_change() -> None:
            card_id = bench.people[ids[0]][2]
            await call(hass, "report_card_lost", {"credential_id": card_id})

        await bench.step("after 1 change (a lost card)", one_change)

        async def twenty_changes() -> None:
            for person_id in ids[1:7]:
                pin, _card, card_id = bench.people[person_id]
                await call(hass, "report_card_lost", {"credential_id": card_id})
                number = f"{5000000 + person_id}"
                issued = await call(
                    hass,
                    "reissue_card",
                    {"credential_id": card_id, "card_number": number},
                )
                bench.people[person_id] = (pin, number, int(issued["credential_id"]))
            for person_id in ids[7:11]:
                await call(
                    hass,
                    "set_person_status",
                    {"person_id": person_id, "status": "suspended"},
                )
            for _ in range(4):
                await bench.resident(card=False)

        await bench.step(
            "after 20 changes (6 lost, 6 reissued, 4 suspended, 4 new PINs)",
            twenty_changes,
        )
        width = max(len(r[0]) for r in bench.rows)
        line = "-" * (width + 36)
        print(f"\n{'':<{width}}  {'syncer':>8}  {'at lock':>8}  {'seconds':>8}")
        print(line)
        for name, sent, seen, elapsed, _detail in bench.rows:
            print(f"{name:<{width}}  {sent:>8}  {seen:>8}  {elapsed:>8.1f}")
        print(line)
        for name, *_, detail in bench.rows:
            print(f"  {name}: {detail}")
        print(f"  load average at the end: {os.getloadavg()[0]:.2f}")
        assert sim.max_in_flight == 1
        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
