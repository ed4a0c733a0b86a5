"""PostgreSQL as the entry's database: URL check, driver, privacy of the URL.

Against the private server of ``tests/pgserver.py`` (``pg_server``).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from sqlalchemy.engine import make_url

from custom_components.community_access import database_url
from custom_components.community_access.const import CONF_DB_URL, DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.requirements import RequirementsNotFound

from . import pgserver
from .conftest import make_entry
from .helpers import setup_community
from .pgserver import PgServer

#: A password that must never be seen outside the entry's options.
PASSWORD = "s3cret-Pa55"


def test_postgresql_urls_are_normalised_to_psycopg2() -> None:
    for given in (
        f"postgres://u:{PASSWORD}@db.local:5433/community",
        f"postgresql://u:{PASSWORD}@db.local:5433/community",
        f"postgresql+psycopg://u:{PASSWORD}@db.local:5433/community",
    ):
        assert database_url.normalise(given) == (
            f"postgresql+psycopg2://u:{PASSWORD}@db.local:5433/community"
        )
    socket = "postgresql://u@/community?host=/run/postgresql"
    assert database_url.normalise(socket) == (
        "postgresql+psycopg2://u@/community?host=%2Frun%2Fpostgresql"
    )
    sqlite = "sqlite:////config/x y.db"
    assert database_url.normalise(sqlite) == sqlite
    for bad, key in (
        ("::not a url::", "invalid_db_url"),
        ("mysql://u@host/db", "unsupported_database"),
        ("oracle://u@host/db", "unsupported_database"),
    ):
        with pytest.raises(database_url.DatabaseUrlError) as err:
            database_url.normalise(bad)
        assert err.value.key == key
        assert "u@host" not in str(err.value)


def test_the_manifest_declares_no_postgresql_driver() -> None:
    """SQLite users get no driver; it is installed only for a PostgreSQL URL."""
    manifest = json.loads(
        (
            Path(__file__).parents[1]
            / "custom_components"
            / "community_access"
            / "manifest.json"
        ).read_text()
    )
    assert not [r for r in manifest["requirements"] if "psycopg" in r.lower()]


async def _options(hass: HomeAssistant, entry: MockConfigEntry, url: str) -> Any:
    flow = await hass.config_entries.options.async_init(entry.entry_id)
    return await hass.config_entries.options.async_configure(
        flow["flow_id"],
        {
            "card_quota": 3,
            "card_deposit": 50,
            "reissue_fee": 20,
            "retention_days": 365,
            CONF_DB_URL: url,
        },
    )


async def test_options_flow_refuses_a_wrong_postgresql_url(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    pg_server: PgServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    socket = pg_server.socket_dir
    wrong = {
        "database": f"postgresql://community:{PASSWORD}@/no_such_db?host={socket}",
        "socket": f"postgresql://community:{PASSWORD}@/postgres?host={socket}x",
        "user": f"postgresql://nobody:{PASSWORD}@/postgres?host={socket}",
    }
    for url in wrong.values():
        result = await _options(hass, setup_entry, url)
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {CONF_DB_URL: "cannot_connect_database"}
        assert PASSWORD not in json.dumps(result, default=str)
    result = await _options(hass, setup_entry, "mysql://u@localhost/community")
    assert result["errors"] == {CONF_DB_URL: "unsupported_database"}
    assert PASSWORD not in caplog.text
    assert "Cannot connect to the PostgreSQL database: OperationalError" in caplog.text
    # Nothing was changed: the entry still keeps its SQLite file.
    assert setup_entry.options[CONF_DB_URL] == ""
    assert setup_entry.runtime_data.community.db.engine.dialect.name == "sqlite"


async def test_options_flow_moves_the_entry_to_postgresql(
    hass: HomeAssistant,
    setup_entry: MockConfigEntry,
    pg_url: str,
    hass_client: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    test_db = make_url(pg_url)
    given = (
        f"postgres://community:{PASSWORD}@/{test_db.database}"
        f"?host={test_db.query['host']}"
    )
    result = await _options(hass, setup_entry, given)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    stored = setup_entry.options[CONF_DB_URL]
    assert stored.startswith("postgresql+psycopg2://community:")
    assert setup_entry.state is ConfigEntryState.LOADED
    db = setup_entry.runtime_data.community.db
    assert db.engine.dialect.name == "postgresql"
    assert await hass.async_add_executor_job(db.schema_version) > 0
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, setup_entry)
    assert diagnostics["database"]["dialect"] == "postgresql"
    assert diagnostics["entry"]["options"][CONF_DB_URL] == "**REDACTED**"
    assert PASSWORD not in json.dumps(diagnostics)
    assert PASSWORD not in caplog.text


async def test_the_driver_is_installed_only_for_postgresql(
    hass: HomeAssistant, pg_url: str
) -> None:
    install = AsyncMock()
    with (
        patch.object(database_url, "async_process_requirements", install),
        patch.object(database_url, "_driver_missing", return_value=True),
    ):
        await database_url.async_ensure_driver(hass, "sqlite:////config/x.db")
        install.assert_not_called()
        with pytest.raises(database_url.DatabaseUrlError) as err:
            # Asked for, but still missing afterwards (the patch says so).
            await database_url.async_ensure_driver(hass, pg_url)
        assert err.value.key == "database_driver_unavailable"
    install.assert_awaited_once_with(
        hass, DOMAIN, [database_url.POSTGRESQL_REQUIREMENT]
    )
    install.reset_mock()
    with patch.object(database_url, "async_process_requirements", install):
        await database_url.async_ensure_driver(hass, pg_url)  # psycopg2 is here
    install.assert_not_called()


async def test_setup_retries_while_the_driver_cannot_be_installed(
    hass: HomeAssistant, pg_url: str
) -> None:
    entry = make_entry(options={CONF_DB_URL: pg_url})
    with (
        patch.object(database_url, "_driver_missing", return_value=True),
        patch.object(
            database_url,
            "async_process_requirements",
            AsyncMock(side_effect=RequirementsNotFound(DOMAIN, ["psycopg2-binary"])),
        ),
    ):
        await setup_community(hass, entry, expect=ConfigEntryState.SETUP_RETRY)


async def test_setup_refuses_an_unsupported_database(hass: HomeAssistant) -> None:
    entry = make_entry(options={CONF_DB_URL: "mysql://u@localhost/community"})
    await setup_community(hass, entry, expect=ConfigEntryState.SETUP_ERROR)


def test_a_missing_postgresql_is_a_clear_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No initdb: the reason and the remedy, never a silent skip (see pg_server)."""
    monkeypatch.setattr(pgserver, "find_bin_dir", lambda: None)
    with pytest.raises(pgserver.PostgresUnavailable, match="scripts/setup"):
        pgserver.start_server()
