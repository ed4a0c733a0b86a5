"""The entry's database: SQLite by default, or PostgreSQL through psycopg2.

Home Assistant's Container and OS images already ship ``psycopg2`` (the
recorder's PostgreSQL driver); a Home Assistant Core installation in a
virtual environment may not. The manifest declares no driver (SQLite users
get none): ``psycopg2-binary`` is installed through Home Assistant's
requirements only when a PostgreSQL URL is configured and ``psycopg2``
cannot be imported. URLs may hold a password: they never go into logs,
errors or diagnostics here.
"""

from __future__ import annotations

import importlib.util
import logging

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from homeassistant.core import HomeAssistant
from homeassistant.requirements import RequirementsNotFound, async_process_requirements

from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)

#: The driver every PostgreSQL URL is normalised to.
POSTGRESQL_DRIVER = "postgresql+psycopg2"
#: What is installed when ``psycopg2`` is missing (a wheel: no compiler needed).
POSTGRESQL_REQUIREMENT = "psycopg2-binary==2.9.11"
_POSTGRESQL_NAMES = {"postgres", "postgresql"}
_SUPPORTED = {"sqlite", *_POSTGRESQL_NAMES}


class DatabaseUrlError(Exception):
    """The URL is refused; ``key`` is the options flow's error key."""

    def __init__(self, key: str) -> None:
        """Carry the translation key only (never the URL)."""
        super().__init__(key)
        self.key = key


def normalise(url: str) -> str:
    """Return the URL to open: a PostgreSQL one with the psycopg2 driver.

    ``postgres://``, ``postgresql://`` and ``postgresql+<driver>://`` all
    become ``postgresql+psycopg2://``. Raises :class:`DatabaseUrlError`
    (``invalid_db_url``, ``unsupported_database``).
    """
    try:
        parsed = make_url(url)
    except ArgumentError as err:
        raise DatabaseUrlError("invalid_db_url") from err
    backend = parsed.drivername.split("+", 1)[0]
    if backend not in _SUPPORTED:
        raise DatabaseUrlError("unsupported_database")
    if backend not in _POSTGRESQL_NAMES:
        return url  # SQLite: as given
    return parsed.set(drivername=POSTGRESQL_DRIVER).render_as_string(
        hide_password=False
    )


def is_postgresql(url: str) -> bool:
    """Whether a (normalised) URL is a PostgreSQL one."""
    return url.startswith(f"{POSTGRESQL_DRIVER}:")


def _driver_missing() -> bool:
    return importlib.util.find_spec("psycopg2") is None


async def async_ensure_driver(hass: HomeAssistant, url: str) -> None:
    """Install the PostgreSQL driver if a PostgreSQL URL needs it and it is missing.

    Raises :class:`DatabaseUrlError` (``database_driver_unavailable``).
    """
    if not is_postgresql(url):
        return
    if not await hass.async_add_executor_job(_driver_missing):
        return
    try:
        await async_process_requirements(hass, DOMAIN, [POSTGRESQL_REQUIREMENT])
    except RequirementsNotFound as err:
        raise DatabaseUrlError("database_driver_unavailable") from err
    if await hass.async_add_executor_job(_driver_missing):
        raise DatabaseUrlError("database_driver_unavailable")


#: Seconds the options form waits for a PostgreSQL server that does not answer.
CONNECT_TIMEOUT = 10


def _connect(url: str) -> None:
    engine = create_engine(
        url, hide_parameters=True, connect_args={"connect_timeout": CONNECT_TIMEOUT}
    )
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    finally:
        engine.dispose()


async def async_check(hass: HomeAssistant, url: str) -> str:
    """Normalise a URL, install its driver, connect once; return the URL to store.

    Raises :class:`DatabaseUrlError` with the options flow's error key.
    """
    normalised = normalise(url)
    await async_ensure_driver(hass, normalised)
    if not is_postgresql(normalised):
        return normalised
    try:
        await hass.async_add_executor_job(_connect, normalised)
    except (SQLAlchemyError, ImportError) as err:
        # The type only: a driver's message may name the host or user.
        _LOGGER.warning(
            "Cannot connect to the PostgreSQL database: %s", type(err).__name__
        )
        raise DatabaseUrlError("cannot_connect_database") from err
    return normalised
