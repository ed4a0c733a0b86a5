"""Start-up of the entry with a big community and a long access record (issue 14).

Run from the repository root::

    .venv/bin/python -m pytest benchmarks/bench_startup.py -s -q \\
        -p no:cacheprovider --rootdir=.

Builds once (then reuses) an SQLite file of ``BENCH_STARTUP_PEOPLE`` people
(50,000; three credentials each: a generated one and two more cards) and
``BENCH_STARTUP_RECORDS`` access records (5,000,000) spread over
``BENCH_STARTUP_DAYS`` days (180), cached with its keys in
``BENCH_STARTUP_CACHE`` (the system's temporary folder) under a name keyed by
the sizes. Then sets the entry up in a real Home Assistant and prints:

- entry set-up time (``async_setup`` until the entry is loaded and Home
  Assistant is idle);
- RSS growth of the process over the set-up (``/proc/self/status``), with
  the collector run before both readings;
- the longest event-loop stall: a task sleeping 5 ms in a loop records the
  largest gap beyond its 5 ms.

``BENCH_DB=postgresql``: the same community and access record in a
database of a private PostgreSQL server whose data folder is kept in
``BENCH_STARTUP_CACHE/bench_startup_pg`` (built once with COPY, then reused);
each run sets the entry up on a fresh copy of it (``CREATE DATABASE …
TEMPLATE``). The figures say which database they are for.

The heap the test plugin froze is thawed first, so that a full collection
costs what it does in a real Home Assistant (which never freezes it);
``BENCH_STARTUP_FROZEN=1`` measures in the plugin's frozen heap instead.
``BENCH_STARTUP_WATCH=1`` prints every thread's stack when the loop has not
run for 30 ms (what held it: a long callback on the loop, or a thread
holding the interpreter); a pause of every thread at once, a garbage
collection, prints nothing (the watcher waits too).
"""

from __future__ import annotations

import asyncio
import base64
import gc
import io
import json
import logging
import os
from pathlib import Path
import random
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
import traceback
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.core.models import CredentialKind
from custom_components.community_access.core.privacy import Vault, new_key
from custom_components.community_access.core.schema import SCHEMA_VERSION
from custom_components.community_access.core.storage import Database
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_decide  # noqa: E402

from tests.conftest import TEST_DOORS, make_entry  # noqa: E402
from tests.pgserver import USER, PgServer, start_server  # noqa: E402

PEOPLE = int(os.environ.get("BENCH_STARTUP_PEOPLE", "50000"))
RECORDS = int(os.environ.get("BENCH_STARTUP_RECORDS", "5000000"))
DAYS = int(os.environ.get("BENCH_STARTUP_DAYS", "180"))
CACHE = Path(os.environ.get("BENCH_STARTUP_CACHE", tempfile.gettempdir()))
EXTRA_CARDS = 2
CHUNK = 200_000
TICK = 0.005
#: ``BENCH_STARTUP_SLOW=1``: print the loop's callbacks slower than 50 ms.
SLOW = os.environ.get("BENCH_STARTUP_SLOW", "") not in ("", "0")
#: The test plugin freezes the heap (its ``garbage_collection`` fixture
#: calls ``gc.freeze()``); Home Assistant itself never does, so the heap is
#: thawed before measuring and a full collection walks Home Assistant's
#: objects too, as in a real one. ``BENCH_STARTUP_FROZEN=1`` keeps the
#: plugin's frozen heap (``BENCH_STARTUP_UNFROZEN``, of earlier versions,
#: is the default now).
FROZEN = os.environ.get("BENCH_STARTUP_FROZEN", "") not in ("", "0")
#: ``BENCH_STARTUP_WATCH=1``: when the loop has not run for 30 ms, print
#: where every other thread is (who holds the interpreter, or the loop
#: itself running something long).
WATCH = os.environ.get("BENCH_STARTUP_WATCH", "") not in ("", "0")
WATCH_AFTER = 0.03

#: ``sqlite`` (default) or ``postgresql``: see benchmarks/conftest.py.
BENCH_DB = os.environ.get("BENCH_DB", "sqlite")

#: SQLAlchemy's DateTime text on SQLite (naive UTC).
_AT = "%Y-%m-%d %H:%M:%S.%f"


def rss_mib() -> float:
    """Resident set size of this process, MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _new_card(rng: random.Random, used: set[str]) -> str:
    """A card number not drawn before (100,000 draws would repeat one or two)."""
    while True:
        value = str(rng.randrange(4 * 10**9 + 1, 9 * 10**9))
        if value not in used:
            used.add(value)
            return value


def _extra_cards(db_file: Path, vault: Vault, rng: random.Random) -> int:
    """Two more cards per person (no clear value kept): returns the total."""
    con = sqlite3.connect(db_file)
    with con:
        people = [row[0] for row in con.execute("SELECT id FROM persons")]
        (cid,) = con.execute("SELECT max(id) FROM credentials").fetchone()
        now = time.strftime("%Y-%m-%d %H:%M:%S.000000", time.gmtime())
        rows = []
        used: set[str] = set()
        for person_id in people:
            for _ in range(EXTRA_CARDS):
                cid += 1
                value = _new_card(rng, used)
                digest = vault.credential_digest(CredentialKind.CARD, value)
                rows.append(
                    (cid, person_id, "card", digest, f"****{value[-4:]}", now, now)
                )
        con.executemany(
            "INSERT INTO credentials (id, person_id, kind, digest, masked, status,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'active', ?, ?)",
            rows,
        )
        (total,) = con.execute("SELECT count(*) FROM credentials").fetchone()
    con.close()
    return int(total)


def _access_records(db_file: Path, rng: random.Random) -> None:
    """``RECORDS`` records over ``DAYS`` days up to now, oldest first.

    Indexes are dropped during the insert and built again afterwards (the
    way a bulk load is done); the file ends up as start-up finds it.
    """
    con = sqlite3.connect(db_file)
    creds = con.execute(
        "SELECT c.id, c.person_id, p.household_id, c.masked FROM credentials c"
        " JOIN persons p ON p.id = c.person_id"
    ).fetchall()
    units = dict(con.execute("SELECT id, unit FROM households").fetchall())
    indexes = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
        " AND tbl_name = 'audit_log' AND sql IS NOT NULL"
    ).fetchall()
    doors = [(sid, name) for sid, name, _ in TEST_DOORS]
    end = time.time()
    start = end - DAYS * 86400
    step = (end - start) / max(RECORDS, 1)
    with con:
        for name, _ in indexes:
            con.execute(f"DROP INDEX {name}")
    for first in range(0, RECORDS, CHUNK):
        rows = []
        for n in range(first, min(first + CHUNK, RECORDS)):
            cid, pid, hid, masked = rng.choice(creds)
            door_id, door_name = rng.choice(doors)
            granted = rng.random() < 0.97
            at = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(start + n * step))
            rows.append(
                (
                    at + f".{rng.randrange(10**6):06d}",
                    door_id,
                    door_name,
                    "card",
                    masked,
                    int(granted),
                    "granted" if granted else "outside_schedule",
                    cid,
                    pid,
                    hid,
                    units.get(hid),
                    "reader",
                )
            )
        with con:
            con.executemany(
                "INSERT INTO audit_log (at, door_id, door_name, kind, masked,"
                " granted, reason, credential_id, person_id, household_id, unit,"
                " source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
    with con:
        for _, sql in indexes:
            con.execute(sql)
    con.close()


def build_cache(db_file: Path, keys_file: Path) -> None:
    """Generate the community and its access record into the cache."""
    keys = {
        "hmac_key": base64.b64encode(new_key()).decode(),
        "aes_key": base64.b64encode(new_key()).decode(),
    }
    vault = Vault(base64.b64decode(keys["hmac_key"]), base64.b64decode(keys["aes_key"]))
    rng = random.Random(14)
    t0 = time.perf_counter()
    pop = bench_decide.make_population(vault, PEOPLE // 3, 10, rng)
    db = Database(f"sqlite:///{db_file}")
    bench_decide.write_database(pop, db)
    db.engine.dispose()
    total = _extra_cards(db_file, vault, rng)
    t1 = time.perf_counter()
    _access_records(db_file, rng)
    keys_file.write_text(json.dumps(keys))
    print(
        f"\nbuilt {len(pop.persons):,} people / {total:,} credentials in "
        f"{t1 - t0:.0f} s, {RECORDS:,} access records over {DAYS} days in "
        f"{time.perf_counter() - t1:.0f} s ({db_file.stat().st_size / 2**20:.0f} MiB)"
    )


# ---- PostgreSQL (BENCH_DB=postgresql)

_AUDIT_COLUMNS = (
    "at, door_id, door_name, kind, masked, granted, reason, credential_id,"
    " person_id, household_id, unit, source"
)


def _copy(cur: Any, table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
    """COPY rows (text format: tab-separated, \\N for null) into a table."""
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    buf.seek(0)
    cur.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buf)


def _pg_extra_cards(cur: Any, vault: Vault, rng: random.Random) -> int:
    """Two more cards per person, ids from the sequence: returns the total."""
    cur.execute("SELECT id FROM persons ORDER BY id")
    people = [row[0] for row in cur.fetchall()]
    now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    rows = []
    used: set[str] = set()
    for person_id in people:
        for _ in range(EXTRA_CARDS):
            value = _new_card(rng, used)
            digest = vault.credential_digest(CredentialKind.CARD, value)
            rows.append(
                (person_id, "card", digest, f"****{value[-4:]}", "active", now, now)
            )
    _copy(
        cur,
        "credentials",
        "person_id, kind, digest, masked, status, created_at, updated_at",
        rows,
    )
    cur.execute("SELECT count(*) FROM credentials")
    return int(cur.fetchone()[0])


def _pg_access_records(cur: Any, rng: random.Random) -> None:
    """``RECORDS`` records by COPY, indexes dropped meanwhile and built again."""
    cur.execute(
        "SELECT c.id, c.person_id, p.household_id, c.masked FROM credentials c"
        " JOIN persons p ON p.id = c.person_id ORDER BY c.id"
    )
    creds = cur.fetchall()
    cur.execute("SELECT id, unit FROM households")
    units = dict(cur.fetchall())
    cur.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'audit_log'"
        " AND indexname <> 'audit_log_pkey'"
    )
    indexes = cur.fetchall()
    for name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    doors = [(sid, name) for sid, name, _ in TEST_DOORS]
    end = time.time()
    start = end - DAYS * 86400
    step = (end - start) / max(RECORDS, 1)
    for first in range(0, RECORDS, CHUNK):
        rows = []
        for n in range(first, min(first + CHUNK, RECORDS)):
            cid, pid, hid, masked = rng.choice(creds)
            door_id, door_name = rng.choice(doors)
            granted = rng.random() < 0.97
            at = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(start + n * step))
            rows.append(
                (
                    at + f".{rng.randrange(10**6):06d}",
                    door_id,
                    door_name,
                    "card",
                    masked,
                    "t" if granted else "f",
                    "granted" if granted else "outside_schedule",
                    cid,
                    pid,
                    hid,
                    units.get(hid),
                    "reader",
                )
            )
        _copy(cur, "audit_log", _AUDIT_COLUMNS, rows)
    for _, sql in indexes:
        cur.execute(sql)
    cur.execute("ANALYZE")


def _pg_build(server: PgServer, name: str, keys_file: Path) -> None:
    """Generate the community and its access record into database ``name``."""
    import psycopg2  # noqa: PLC0415 - PostgreSQL only

    keys = {
        "hmac_key": base64.b64encode(new_key()).decode(),
        "aes_key": base64.b64encode(new_key()).decode(),
    }
    vault = Vault(base64.b64decode(keys["hmac_key"]), base64.b64decode(keys["aes_key"]))
    rng = random.Random(14)
    t0 = time.perf_counter()
    server.admin(f'CREATE DATABASE "{name}" TEMPLATE template0')
    pop = bench_decide.make_population(vault, PEOPLE // 3, 10, rng)
    db = Database(server.url(name))
    bench_decide.write_database(pop, db)
    db.engine.dispose()
    conn = psycopg2.connect(dbname=name, user=USER, host=str(server.socket_dir))
    try:
        with conn, conn.cursor() as cur:
            total = _pg_extra_cards(cur, vault, rng)
        t1 = time.perf_counter()
        with conn, conn.cursor() as cur:
            _pg_access_records(cur, rng)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
            cur.execute("SELECT pg_database_size(current_database())")
            size = int(cur.fetchone()[0])
    finally:
        conn.close()
    keys_file.write_text(json.dumps(keys))
    print(
        f"\nbuilt on PostgreSQL {len(pop.persons):,} people / {total:,} credentials"
        f" in {t1 - t0:.0f} s, {RECORDS:,} access records over {DAYS} days in"
        f" {time.perf_counter() - t1:.0f} s ({size / 2**20:.0f} MiB)"
    )


def prepare_postgresql() -> tuple[PgServer, str, Path]:
    """The kept server, a fresh copy of the built database, and the keys file."""
    name = f"bench_startup_{PEOPLE}_{RECORDS}_{DAYS}"
    CACHE.mkdir(parents=True, exist_ok=True)
    server = start_server(CACHE / "bench_startup_pg")
    keys_file = CACHE / f"{name}.pg.keys.json"
    import psycopg2  # noqa: PLC0415 - PostgreSQL only

    conn = psycopg2.connect(dbname="postgres", user=USER, host=str(server.socket_dir))
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            built = cur.fetchone() is not None
    finally:
        conn.close()
    if not built or not keys_file.exists():
        server.drop_database(name)
        _pg_build(server, name, keys_file)
    upgrade_cache(server.url(name))
    t0 = time.perf_counter()
    server.drop_database("bench_startup_run")
    server.admin(f'CREATE DATABASE bench_startup_run TEMPLATE "{name}"')
    os.sync()
    print(f"\ncopied the PostgreSQL database in {time.perf_counter() - t0:.0f} s")
    return server, server.url("bench_startup_run"), keys_file


def install_keys(hass: HomeAssistant, entry: MockConfigEntry, keys_file: Path) -> None:
    """Put the built database's keys where the entry looks for them."""
    storage = Path(hass.config.path(".storage"))
    storage.mkdir(exist_ok=True)
    (storage / f"{DOMAIN}.{entry.entry_id}.keys").write_text(
        json.dumps(
            {
                "version": 1,
                "minor_version": 1,
                "key": f"{DOMAIN}.{entry.entry_id}.keys",
                "data": json.loads(keys_file.read_text()),
            }
        )
    )


def upgrade_cache(url: str) -> None:
    """Bring a cached database built by an earlier version to today's schema.

    Once, before any measured run: a schema upgrade (e.g. v11's unique key
    on every access record) is a one-off cost of the upgrade, not of each
    start; its time is printed apart.
    """
    db = Database(url)
    try:
        if db.schema_version() < SCHEMA_VERSION:
            t0 = time.perf_counter()
            before = db.schema_version()
            db.migrate()
            print(
                f"\nupgraded the cached database from schema {before} to"
                f" {SCHEMA_VERSION} in {time.perf_counter() - t0:.1f} s (once)"
            )
    finally:
        db.close()


def install(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Copy the cached database and keys where the entry looks for them."""
    name = f"bench_startup_{PEOPLE}_{RECORDS}_{DAYS}"
    db_file, keys_file = CACHE / f"{name}.db", CACHE / f"{name}.keys.json"
    CACHE.mkdir(parents=True, exist_ok=True)
    if not db_file.exists() or not keys_file.exists():
        db_file.unlink(missing_ok=True)
        build_cache(db_file, keys_file)
    upgrade_cache(f"sqlite:///{db_file}")
    shutil.copyfile(db_file, hass.config.path(f"{DOMAIN}_{entry.entry_id}.db"))
    # The copy's writing-back would otherwise fall into the measurement.
    os.sync()
    install_keys(hass, entry, keys_file)


async def test_startup(hass: HomeAssistant) -> None:
    """Entry set-up time, memory growth and the longest stall of the loop."""
    server = None
    if BENCH_DB == "postgresql":
        server, url, keys_file = await hass.async_add_executor_job(prepare_postgresql)
        entry = make_entry(options={"db_url": url})
        entry.add_to_hass(hass)
        await hass.async_add_executor_job(install_keys, hass, entry, keys_file)
    else:
        entry = make_entry()
        entry.add_to_hass(hass)
        await hass.async_add_executor_job(install, hass, entry)
    longest = 0.0
    running = True

    beat = [time.perf_counter()]

    async def ticker() -> None:
        nonlocal longest
        while running:
            t = beat[0] = time.perf_counter()
            await asyncio.sleep(TICK)
            longest = max(longest, time.perf_counter() - t - TICK)

    def watch() -> None:
        """Print the other threads' stacks when the loop stalls (WATCH)."""
        shown = 0.0
        while running:
            time.sleep(0.002)
            now = time.perf_counter()
            if now - beat[0] < WATCH_AFTER or now - shown < 0.05:
                continue
            shown = now
            lines = [
                f"loop stalled {(now - beat[0]) * 1000:.0f} ms at {(now - t0) * 1000:.0f} ms:"
            ]
            for ident, frame in sys._current_frames().items():  # noqa: SLF001
                if ident == threading.get_ident():
                    continue
                stack = traceback.extract_stack(frame)[-4:]
                where = " <- ".join(
                    f"{f.name} ({Path(f.filename).name}:{f.lineno})"
                    for f in reversed(stack)
                )
                lines.append(f"  thread {ident}: {where}")
            print("\n".join(lines))

    if SLOW:
        loop = asyncio.get_running_loop()
        loop.set_debug(True)
        loop.slow_callback_duration = 0.05
        logging.getLogger("asyncio").addHandler(logging.StreamHandler(sys.stdout))
    if not FROZEN:
        gc.unfreeze()
    gc.collect()
    before = rss_mib()
    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.05)
    longest = 0.0
    t0 = time.perf_counter()
    if WATCH:
        threading.Thread(target=watch, name="stall watch", daemon=True).start()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    setup_s = time.perf_counter() - t0
    running = False
    await task
    gc.collect()
    grown = rss_mib() - before
    assert entry.state is ConfigEntryState.LOADED
    community = entry.runtime_data.community
    credentials = len(community.index.credentials)
    print(
        f"\nstart-up ({community.db.engine.dialect.name}):"
        f" {len(community.index.persons):,} people, {credentials:,}"
        f" credentials, {RECORDS:,} access records over {DAYS} days:"
        f" entry set-up {setup_s:.2f} s, RSS +{grown:.0f} MiB,"
        f" longest loop stall {longest * 1000:.0f} ms"
        f" ({len(gc.get_objects()):,} objects tracked{', heap frozen' if FROZEN else ''})"
    )
    assert await hass.config_entries.async_unload(entry.entry_id)
    if server is not None:
        await hass.async_add_executor_job(server.drop_database, "bench_startup_run")
        await hass.async_add_executor_job(server.stop)
