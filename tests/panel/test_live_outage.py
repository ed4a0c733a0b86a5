"""Live panel updates while the database is away."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.core.storage import Tx
from homeassistant.core import HomeAssistant
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from tests.conftest import make_entry


async def test_closed_visit_not_pushed_while_the_database_is_away(
    hass: HomeAssistant,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A visit closed as the database goes away: no push, no error logged.

    A closed visit is not in memory any more; the panels' push reads it
    back. With the database unreachable that read fails; open pages read
    the visit when they next load, so the push is skipped quietly.
    """
    entry = make_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    pushed: list[Any] = []
    async_dispatcher_connect(
        hass, f"{DOMAIN}_{entry.entry_id}_panel_visit", pushed.append
    )

    def away(self: Tx, visit_id: int) -> Any:
        raise OperationalError("SELECT", {}, Exception("the database is away"))

    monkeypatch.setattr(Tx, "visit", away)
    caplog.set_level(logging.DEBUG)
    entry.runtime_data.community.emit("visitor_checked_out", {"visit_id": 4242})
    await hass.async_block_till_done(wait_background_tasks=True)
    assert pushed == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "Closed visit 4242 not pushed: database unreachable" in caplog.text
