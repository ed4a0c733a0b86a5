"""Shared fixtures.

The integration package must be imported before Home Assistant loads
integrations, or the loader reports it as not found.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest

import custom_components.community_access  # noqa: F401


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    enable_custom_integrations: None,
) -> Generator[None]:
    """Let Home Assistant load custom_components/ in every test."""
    yield
