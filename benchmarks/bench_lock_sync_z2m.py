"""Lock sync on the real stack (issue #15): a Zigbee2MQTT lock behind a 100 ms radio.

Run from the repository root::

    .venv/bin/python -m pytest benchmarks/bench_lock_sync_z2m.py -s -q \\
        -p no:cacheprovider --rootdir=.

Home Assistant (pytest-homeassistant-custom-component) runs its real ``mqtt``
integration against a private Debian ``mosquitto`` (``tests/z2m/broker.py``)
and discovers a simulated Zigbee2MQTT Door Lock (``tests/z2m/lock_sim.py``)
with ``BENCH_Z2M_SLOTS`` (200) PIN users, ``expose_pin`` on and
``latency`` 0.1 s before every answer of the lock (a Zigbee round trip);
the sim handles one Zigbee command at a time. The community's "Building 3
door" is bound to that lock entity with "keep codes on the lock"
(``manage_codes``), as in ``tests/z2m/test_z2m_lock_codes.py``.

Zigbee2MQTT has no RFID write for a generic Door Lock, so the 200 credentials
are PINs: ``BENCH_Z2M_PEOPLE`` (200) residents of building 3 with a PIN each,
made through the integration's services. Zigbee2MQTT publishes nothing for
a PIN write; by default the lock reports each write made over the air with a
programming event (``rf_events``, as many locks do), which is the adapter's
confirmation. ``BENCH_Z2M_RF_EVENTS=0`` runs without them: every write then
waits for the adapter's ``write_timeout`` (10 s) and is read back, so expect
about 10 s per write. Then:

1. from empty: the door is switched to "keep codes on the lock" (the entry
   reloads); first contact reads the capacity (Zigbee2MQTT's generic
   ``read``), writes the wrong-code limit (generic ``write``), reads every
   slot, then writes every PIN. Timed from the subentry update to the sync
   state ``in_sync`` with nothing pending;
2. after 1 change: a PIN revoked;
3. after 20 changes made one after the other through the services:
   6 PINs revoked and 6 new PINs for the same residents, 4 residents
   suspended, 4 new residents with a PIN.

Each is timed from the first service call to the sync being done (the
worker's 1 s debounce included), with the worker's defaults: 0.2 s between
command starts (``LockSyncer.min_interval``), ``lock_codes.DEBOUNCE`` 1 s,
``lock_codes.SYNCER_DEFAULTS`` and ``lock_adapters.Z2M_DEFAULTS`` untouched.
HA's MQTT discovery cool-down is shortened as in the tests (setup only).
Commands are counted twice: by the syncer (``commands_sent``) and by the
lock (every MQTT request it received on ``set``/``get``). After each step
the lock's memory is checked against the PINs the community allows at the
door.

Measured on 2026-12-06 (2 CPUs shared with other jobs), programming events
on, 200 PINs: from empty 402 requests in 81.8 s (first write after 41.7 s:
the 200 slot reads at 0.2 s each), 1 change 1 request in 1.1 s, 20 changes
20 requests in 4.9 s. Without programming events (``BENCH_Z2M_RF_EVENTS=0
BENCH_Z2M_PEOPLE=20 BENCH_Z2M_SLOTS=30``): from empty 72 requests in
211.5 s, 1 change 2 requests in 11.1 s, 20 changes 40 requests in 205.0 s:
about 10 s per write (the adapter's ``write_timeout``, then a read-back).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
import os
import sys
import time
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from benchmarks.sync_runs import SyncRuns
from custom_components.community_access import lock_adapters, lock_codes
from custom_components.community_access.core.lock_sync import desired_credentials
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from tests.conftest import doors_with, make_entry
from tests.core.common import pins, serial_id_number
from tests.helpers import call, setup_community
from tests.z2m import conftest as z2m_fixtures
from tests.z2m.conftest import Z2mLockFactory
from tests.z2m.lock_sim import Command, Z2mLockSim

# The fixtures of tests/z2m (the private broker, HA's mqtt, the sim lock):
# pytest finds fixtures by name in the test module.
mqtt_broker = z2m_fixtures.mqtt_broker
mqtt_setup = z2m_fixtures.mqtt_setup
z2m_lock = z2m_fixtures.z2m_lock

PEOPLE = int(os.environ.get("BENCH_Z2M_PEOPLE", "200"))
SLOTS = int(os.environ.get("BENCH_Z2M_SLOTS", "200"))
RF_EVENTS = os.environ.get("BENCH_Z2M_RF_EVENTS", "1") != "0"
LATENCY = 0.1
DOOR = "door_b3"
#: A step that has not finished after this long failed.
STEP_TIMEOUT = 3600.0


def is_read(command: Command) -> bool:
    """Whether a request to the lock only reads it."""
    return command.kind == "get" or command.key == "read"


def label(command: Command) -> str:
    """What a request is, for the counts."""
    if command.key == "pin_code" and command.kind == "set":
        value = command.value if isinstance(command.value, dict) else {}
        return "pin clear" if value.get("pin_code") is None else "pin write"
    if command.key == "pin_code":
        return "pin read"
    return f"{command.kind} {command.key}"


class Bench:
    """The community, the lock and the figures."""

    def __init__(self, hass: HomeAssistant, sim: Z2mLockSim, entry_id: str) -> None:
        """Keep the harness."""
        self.hass = hass
        self.entry_id = entry_id
        self.sim = sim
        self.next_pin = pins()
        self.serial = 0
        #: person id -> (PIN, its credential id)
        self.people: dict[int, tuple[str, int]] = {}
        self.suspended: set[int] = set()
        self.rows: list[tuple[str, int, int, float, str]] = []
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

    async def pin_for(self, person_id: int) -> None:
        """A new PIN for ``person_id``."""
        pin = self.next_pin()
        added = await call(
            self.hass,
            "add_credential",
            {"person_id": person_id, "kind": "pin", "value": pin},
        )
        self.people[person_id] = (pin, int(added["credential_id"]))

    async def resident(self) -> int:
        """A new resident of building 3 with a PIN."""
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
        await self.pin_for(person_id)
        return person_id

    def done(self, before: int) -> bool:
        """A run finished since ``before`` runs and all is in sync, nothing to do."""
        return self.runs.settled(self.codes, before)

    async def step(
        self, name: str, act: Callable[[], Any], *, fresh: bool = False
    ) -> None:
        """Run ``act``, time it to in-sync, count the requests, check the lock."""
        if not fresh:
            self.runs.watch(self.codes)
        before = self.runs.finished
        sent_before = 0 if fresh else self._sent()
        lock_before = len(self.sim.commands)
        start = time.perf_counter()
        first_at = first_change_at = None
        checked = lock_before
        await act()
        async with asyncio.timeout(STEP_TIMEOUT):
            while not (self.worker_ready() and self.done(before)):
                await asyncio.sleep(0.01)
                if first_at is None and len(self.sim.commands) > lock_before:
                    first_at = time.perf_counter()
                if first_change_at is None and any(
                    c.key == "pin_code" and not is_read(c)
                    for c in self.sim.commands[checked:]
                ):
                    first_change_at = time.perf_counter()
                checked = len(self.sim.commands)
        elapsed = time.perf_counter() - start
        sent = self._sent() - sent_before
        seen = self.sim.commands[lock_before:]
        kinds = Counter(label(c) for c in seen)
        detail = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        if first_at is not None and first_change_at is not None:
            detail += (
                f"; first request after {first_at - start:.1f} s, "
                f"first PIN write or clear after {first_change_at - start:.1f} s, "
                f"done after {elapsed:.1f} s"
            )
        self.rows.append((name, sent, len(seen), elapsed, detail))
        self.check()

    def _sent(self) -> int:
        syncer = self.codes.syncer
        return 0 if syncer is None else syncer.commands_sent

    def check(self) -> None:
        """The lock holds exactly the PINs the door allows, one slot each."""
        community = self.entry.runtime_data.community
        wanted = desired_credentials(community, DOOR, dt_util.utcnow())
        codes = self.sim.codes()
        assert len(codes) == len(wanted), (len(codes), len(wanted))
        expected = {
            pin
            for person_id, (pin, _credential_id) in self.people.items()
            if person_id not in self.suspended
        }
        assert set(codes.values()) == expected
        assert len(set(codes.values())) == len(codes)


async def test_lock_sync_z2m_benchmark(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """Requests and seconds to get a 200-user Zigbee2MQTT lock in sync (printed)."""
    await hass.config.async_set_time_zone("Asia/Shanghai")
    sim = await z2m_lock(pin_users=SLOTS, expose_pin=True, rf_events=RF_EVENTS)
    entry = make_entry(doors=doors_with(DOOR, lock_entity=sim.entity_id))
    await setup_community(hass, entry)
    assert not entry.runtime_data.lock_codes  # not managed yet
    bench = Bench(hass, sim, entry.entry_id)
    t0 = time.perf_counter()
    for _ in range(PEOPLE):
        await bench.resident()
    made = time.perf_counter() - t0
    community = entry.runtime_data.community
    wanted = desired_credentials(community, DOOR, dt_util.utcnow())
    print(
        f"\nZigbee2MQTT lock sync benchmark: {len(wanted)} PINs allowed at the "
        f"door ({PEOPLE} residents, a PIN each, made through the services in "
        f"{made:.1f} s); lock: {SLOTS} PIN users, expose_pin on, "
        f"{LATENCY * 1000:.0f} ms per Zigbee answer, programming events for "
        f"writes over the air {'on' if RF_EVENTS else 'OFF (writes read back)'}; "
        f"real mosquitto and HA mqtt; syncer defaults (min_interval 0.2 s, "
        f"debounce {lock_codes.DEBOUNCE:g} s, SYNCER_DEFAULTS "
        f"{lock_codes.SYNCER_DEFAULTS}, Z2M_DEFAULTS {lock_adapters.Z2M_DEFAULTS}); "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.2f}"
    )
    sim.latency = LATENCY
    sim.commands.clear()

    async def manage() -> None:
        subentry = entry.subentries[DOOR]
        hass.config_entries.async_update_subentry(
            entry, subentry, data=dict(subentry.data) | {"manage_codes": True}
        )

    await bench.step("from empty (first contact, read-back)", manage, fresh=True)
    assert bench.entry.state is ConfigEntryState.LOADED
    assert bench.codes.syncer is not None
    assert bench.codes.syncer.capacity is not None
    assert bench.codes.syncer.capacity.pin_users == SLOTS
    ids = list(bench.people)

    async def one_change() -> None:
        _pin, credential_id = bench.people.pop(ids[0])
        await call(hass, "revoke_credential", {"credential_id": credential_id})

    await bench.step("after 1 change (a PIN revoked)", one_change)

    async def twenty_changes() -> None:
        for person_id in ids[1:7]:
            _pin, credential_id = bench.people[person_id]
            await call(hass, "revoke_credential", {"credential_id": credential_id})
            await bench.pin_for(person_id)
        for person_id in ids[7:11]:
            await call(
                hass,
                "set_person_status",
                {"person_id": person_id, "status": "suspended"},
            )
            bench.suspended.add(person_id)
        for _ in range(4):
            await bench.resident()

    await bench.step(
        "after 20 changes (6 revoked, 6 new PINs, 4 suspended, 4 new residents)",
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
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
