"""Fixtures of the Home Assistant benchmark: those of ``tests/conftest.py``.

``pytest_plugins`` is refused in a conftest below the root directory, and a
star import skips the underscore fixture that gives each test its own
configuration directory, so the fixtures are imported by name.

``BENCH_DB=postgresql``: the entries of the benchmarks keep their data in a
fresh database of a private PostgreSQL server (``tests/pgserver.py``)
instead of their SQLite file; each benchmark prints which database it ran on.
"""

from __future__ import annotations

from collections.abc import Iterator
import logging
import os
from pathlib import Path
import sys

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.conftest import (  # noqa: E402, F401
    TEST_DOORS,
    _entry_database,
    _private_config_dir,
    auto_enable_custom_integrations,
    config_entry,
    make_entry,
    pg_server,
    setup_entry,
)
from tests.pgserver import PgServer  # noqa: E402

#: The database of the benchmarks' entries: ``sqlite`` (default) or ``postgresql``.
BENCH_DB = os.environ.get("BENCH_DB", "sqlite")
if BENCH_DB not in ("sqlite", "postgresql"):
    raise SystemExit(f"BENCH_DB must be sqlite or postgresql, not {BENCH_DB!r}")


@pytest.fixture(autouse=True)
def bench_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """The entries made in the benchmark use ``BENCH_DB``'s database."""
    if BENCH_DB == "sqlite":
        yield BENCH_DB
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = server.create_database("bench")
    _entry_database["db_url"] = server.url(name)
    yield BENCH_DB
    _entry_database.clear()
    server.drop_database(name)


# pytest-homeassistant-custom-component sets sqlalchemy.engine to INFO when it
# loads, so every SQL statement is logged; Home Assistant itself does not.
# Measured with it on, the integration's database calls look slower than
# they are.
logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)

# The harness also calls logging.basicConfig(level=INFO): under ``-s`` its
# stderr handler would interleave Home Assistant's INFO lines with the
# figures. Levels stay as they are (records still reach pytest's capture).
for _handler in list(logging.getLogger().handlers):
    if type(_handler) is logging.StreamHandler:
        logging.getLogger().removeHandler(_handler)
