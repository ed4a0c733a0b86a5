"""Fixtures of the core tests: a community on a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from custom_components.community_access.core.community import Community
from custom_components.community_access.core.models import Door

from .common import DOORS, open_community


@pytest.fixture
def doors() -> list[Door]:
    """The community's doors (a module overrides this for its own)."""
    return DOORS


@pytest.fixture
async def community(tmp_path: Path, doors: list[Door]) -> AsyncIterator[Community]:
    """A community of ``doors`` on a fresh SQLite file, closed at the end."""
    community = await open_community(tmp_path, doors)
    yield community
    await community.async_close()
