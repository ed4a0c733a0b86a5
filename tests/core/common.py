"""Helpers shared by the core tests (plain functions; the fixtures are in conftest)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from custom_components.community_access.core.community import (
    Community,
    Settings,
    trivial_pin,
)
from custom_components.community_access.core.models import Door, Zone
from custom_components.community_access.core.privacy import Vault
from custom_components.community_access.core.storage import Database

TZ = ZoneInfo("Asia/Shanghai")
#: The doors of the test community (``conftest.community``'s by default).
DOORS = [
    Door("gate", "North gate", Zone.gate()),
    Door("b3", "Building 3", Zone.building("3")),
    Door("b5", "Building 5", Zone.building("5")),
    Door("gym", "Gym", Zone.public("gym")),
]

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def make_id_number(serial: int, birth: str = "19800101", region: str = "110105") -> str:
    """A valid 18-character PRC resident ID number (GB 11643 check digit).

    ``serial`` (0–999) makes numbers of the same birth date distinct.
    """
    body = f"{region}{birth}{serial % 1000:03d}"
    total = sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + _ID_CHECK[total % 11]


def serial_id_number(serial: int) -> str:
    """A valid ID number of its own for each ``serial`` (0 to 999,999).

    The last three digits are ``serial % 1000``; the birth year moves on
    every thousand.
    """
    return make_id_number(serial % 1000, birth=f"{1950 + serial // 1000}0101")


def make_vault() -> Vault:
    """The test community's vault (fixed keys)."""
    return Vault(bytes(range(32)), bytes(range(32, 64)))


def database_url(where: Path | str) -> str:
    """``where`` if it is a URL (the ``db_url`` fixture's), else the SQLite file ``where/x.db``."""
    return where if isinstance(where, str) else f"sqlite:///{where}/x.db"


async def open_community(
    where: Path | str, doors: list[Door] = DOORS, **settings: int
) -> Community:
    """A community on a database, loaded; blocking calls in threads.

    ``where``: an SQLAlchemy URL (``db_url``), or a folder for the SQLite
    file ``where/x.db``. ``settings``: :class:`Settings` fields (the
    defaults when none are given).
    """
    community = Community(
        Database(database_url(where)),
        make_vault(),
        TZ,
        asyncio.to_thread,
        Settings(**settings) if settings else None,
    )
    community.set_doors(doors)
    await community.async_load()
    return community


def pins() -> Callable[[], str]:
    """Distinct, non-trivial six-digit PINs."""
    counter = iter(range(10**6))

    def next_pin() -> str:
        while True:
            pin = f"{(next(counter) * 7919 + 135791) % 10**6:06d}"
            if not trivial_pin(pin):
                return pin

    return next_pin
