"""Shared fixtures.

The integration package must be imported before Home Assistant loads
integrations, or the loader reports it as not found.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

import custom_components.community_access  # noqa: F401
from custom_components.community_access.config_flow import default_options
from custom_components.community_access.const import DOMAIN, SUBENTRY_DOOR
from custom_components.community_access.core.storage import Database
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant

from .helpers import setup_community, subentry
from .pgserver import PgServer, PostgresUnavailable, start_server
from .ptys import PtyDevice

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigSubentryData

    from .zha_lock_harness import DoorLockSimulator, ZhaLockEnv

# The harness sets sqlalchemy.engine to INFO, which would print every SQL
# statement of the recorder tests into the run's output.
logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)


#: The databases a test marked ``both_databases`` runs against (its id shows which).
DATABASES = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run the tests marked ``both_databases`` that use a ``db_url`` on each database."""
    if "db_kind" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "both_databases"
    ):
        metafunc.parametrize("db_kind", DATABASES, indirect=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A private PostgreSQL server for the whole run (started on first use).

    No skipping: where PostgreSQL cannot start, the tests that need it fail
    with the reason (CI must really run them).
    """
    try:
        server = start_server()
    except PostgresUnavailable as err:
        pytest.fail(str(err), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """A fresh, empty database on the private server (dropped afterwards): its URL."""
    name = pg_server.create_database()
    yield pg_server.url(name)
    pg_server.drop_database(name)


@pytest.fixture(scope="session")
def pg_template(pg_server: PgServer) -> str:
    """A database migrated from empty to the current schema, once per run.

    The tests' databases are copies of it (``CREATE DATABASE … TEMPLATE``):
    about 0.4 s less per test than migrating each. The migration from empty
    itself is tested on an empty database (``empty_db_url``).
    """
    name = pg_server.create_database("template")
    database = Database(pg_server.url(name))
    try:
        database.migrate()
    finally:
        database.close()
    return name


@pytest.fixture
def pg_migrated_url(pg_server: PgServer, pg_template: str) -> Iterator[str]:
    """A fresh database with the current schema and no rows: its URL."""
    name = pg_server.create_database(template=pg_template)
    yield pg_server.url(name)
    pg_server.drop_database(name)


@pytest.fixture
def db_kind(request: pytest.FixtureRequest) -> str:
    """The database of this test: ``sqlite`` unless parametrised (``both_databases``)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def db_url(db_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The SQLAlchemy URL of this test's database, without rows.

    SQLite: a new file (migrated when opened). PostgreSQL: a copy of
    ``pg_template`` (the current schema).
    """
    if db_kind == "postgresql":
        return str(request.getfixturevalue("pg_migrated_url"))
    return f"sqlite:///{tmp_path}/x.db"


@pytest.fixture
def empty_db_url(db_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Like ``db_url``, but empty on PostgreSQL too (no tables): migration tests."""
    if db_kind == "postgresql":
        return str(request.getfixturevalue("pg_url"))
    return f"sqlite:///{tmp_path}/x.db"


@pytest.fixture
def other_db_url(
    db_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A second empty database of the same kind as ``db_url``'s."""
    if db_kind != "postgresql":
        (tmp_path / "other").mkdir()
        yield f"sqlite:///{tmp_path}/other/x.db"
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = server.create_database(template=request.getfixturevalue("pg_template"))
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/ in every test."""


#: Doors of the test community: (subentry id, title, data)
TEST_DOORS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "door_gate",
        "Main gate",
        {"zone_kind": "gate", "direction": "in", "open_time": 5},
    ),
    (
        "door_b3",
        "Building 3 door",
        {"zone_kind": "building", "building": "3", "direction": "in", "open_time": 5},
    ),
    (
        "door_b1",
        "Building 1 door",
        {"zone_kind": "building", "building": "1", "direction": "in", "open_time": 5},
    ),
    (
        "door_gym",
        "Gym",
        {
            "zone_kind": "public",
            "area": "gym",
            "direction": "in",
            "open_time": 5,
            "hours": "06:00-22:00",
        },
    ),
]


def make_entry(
    doors: list[tuple[str, str, dict[str, Any]]] | None = None,
    options: dict[str, Any] | None = None,
    title: str = "Sunny Gardens",
    extra_subentries: Iterable[ConfigSubentryData] = (),
) -> MockConfigEntry:
    """A community config entry with door subentries, then ``extra_subentries``.

    ``extra_subentries``: serial lines, OSDP readers... (see ``helpers.subentry``).
    """
    return MockConfigEntry(
        domain=DOMAIN,
        title=title,
        unique_id=title.lower().replace(" ", "_"),
        data={CONF_NAME: title, "demo": False},
        options=default_options() | _entry_database | (options or {}),
        subentries_data=[
            *(
                subentry(SUBENTRY_DOOR, sid, name, data)
                for sid, name, data in (TEST_DOORS if doors is None else doors)
            ),
            *extra_subentries,
        ],
    )


#: Options every entry of the running test gets first (``entry_db``: its database).
_entry_database: dict[str, str] = {}


@pytest.fixture
def entry_db(db_kind: str, db_url: str) -> Iterator[None]:
    """Entries made in this test keep their data in ``db_url``'s database.

    On SQLite the entry keeps its default (the file in the configuration
    folder); on PostgreSQL its ``db_url`` option is the test's database.
    A module uses it with ``pytest.mark.usefixtures("entry_db")`` and
    ``pytest.mark.both_databases``.
    """
    if db_kind == "postgresql":
        _entry_database["db_url"] = db_url
    yield
    _entry_database.clear()


def doors_with(door_id: str, **data: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """The test doors, ``data`` added to the door ``door_id``'s."""
    return [
        (sid, title, door | data if sid == door_id else door)
        for sid, title, door in TEST_DOORS
    ]


@pytest.fixture(autouse=True)
def _private_config_dir(request: pytest.FixtureRequest, tmp_path) -> None:
    """Give every Home Assistant test its own configuration directory.

    The database file lives there; without this it would land in the test
    harness's shared testing_config folder.
    """
    if "hass" in request.fixturenames:
        if "recorder_mock" in request.fixturenames:
            # The recorder's database must be prepared before hass starts.
            request.getfixturevalue("recorder_db_url")
        hass: HomeAssistant = request.getfixturevalue("hass")
        hass.config.config_dir = str(tmp_path)


@pytest.fixture
def config_entry() -> MockConfigEntry:
    """The test community's entry (not yet set up)."""
    return make_entry()


@pytest.fixture
async def setup_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """The test community, set up."""
    await setup_community(hass, config_entry)
    return config_entry


@pytest.fixture
async def device() -> AsyncIterator[PtyDevice]:
    """A serial device played on a pty (``device.path`` is the port); unplugged."""
    dev = PtyDevice()
    yield dev
    dev.unplug()


# --- ZHA: the real ZHA integration on a fake radio, with a Door Lock joined ---
# (helpers in tests/zha_lock_harness.py)


@pytest.fixture
def door_lock_sim() -> DoorLockSimulator:
    """The memory of the Door Lock that ``zha_lock`` joins (override to preset)."""
    from .zha_lock_harness import DoorLockSimulator

    return DoorLockSimulator()


@pytest.fixture
async def zha_lock(
    hass: HomeAssistant, door_lock_sim: DoorLockSimulator
) -> AsyncIterator[ZhaLockEnv]:
    """ZHA set up through its config entry on a fake radio, a Door Lock joined."""
    from .zha_lock_harness import zha_with_door_lock

    await hass.config.async_set_time_zone("Asia/Shanghai")
    async with zha_with_door_lock(hass, door_lock_sim) as env:
        yield env
