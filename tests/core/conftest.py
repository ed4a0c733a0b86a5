"""Fixtures of the core tests: a community on a real database.

SQLite by default; a module marked ``both_databases`` runs the tests that
use it on a private PostgreSQL server too (``db_url`` in tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from custom_components.community_access.core.community import Community
from custom_components.community_access.core.models import Door

from .common import DOORS, open_community


@pytest.fixture
def doors() -> list[Door]:
    """The community's doors (a module overrides this for its own)."""
    return DOORS


@pytest.fixture
async def community(db_url: str, doors: list[Door]) -> AsyncIterator[Community]:
    """A community of ``doors`` on a fresh database (``db_url``), closed at the end."""
    community = await open_community(db_url, doors)
    yield community
    await community.async_close()
