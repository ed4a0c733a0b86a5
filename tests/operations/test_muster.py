"""The muster list in a real Home Assistant: service answer and per-building counts."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import threading
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from sqlalchemy.exc import OperationalError

from custom_components.community_access.operations import muster as muster_module
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from tests.core.common import make_id_number
from tests.helpers import add_resident, call, present

from .modes_common import state
from .test_emergency import entity, started


async def later(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    freezer.tick(delta)
    async_fire_time_changed(hass, dt_util.utcnow())
    await hass.async_block_till_done()


async def settle(hass: HomeAssistant) -> None:
    """Let the counts' refresh delay pass (real time: no frozen clock)."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=10))
    await hass.async_block_till_done()


async def test_muster_list_and_counts(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await started(hass)
    people = [
        ("3-2-501", "赵磊", "0000000031"),
        ("1-1-101", "钱芳", "0000000011"),
        ("1-1-102", "孙强", "0000000012"),
    ]
    for n, (unit, name, card) in enumerate(people):
        await add_resident(hass, unit, name, card=card, id_number=make_id_number(n))
    b3 = entity(hass, "sensor", "_muster_3")
    b1 = entity(hass, "sensor", "_muster_1")
    assert state(hass, b3) == state(hass, b1) == "0"

    assert (await present(hass, "Building 3 door", "0000000031"))["granted"]
    assert (await present(hass, "Main gate", "0000000011"))["granted"]
    assert (await present(hass, "Main gate", "0000000012"))["granted"]
    await later(hass, freezer, timedelta(minutes=10))
    assert (await present(hass, "Gate exit", "0000000011"))["granted"]  # left
    await later(hass, freezer, timedelta(seconds=10))

    answer = await call(hass, "muster_list", {})
    assert answer["count"] == 2 and answer["hours"] == 12
    assert [
        (p["name"], p["unit"], p["building"], p["last_door"]) for p in answer["people"]
    ] == [
        ("孙强", "1-1-102", "1", "Main gate"),
        ("赵磊", "3-2-501", "3", "Building 3 door"),
    ]
    assert all(
        "card" not in key and "id_number" not in key
        for p in answer["people"]
        for key in p
    )
    only3 = await call(hass, "muster_list", {"building": "3"})
    assert [p["name"] for p in only3["people"]] == ["赵磊"]
    # The sensors: counts only, nobody named.
    assert (state(hass, b3), state(hass, b1)) == ("1", "1")
    attributes = hass.states.get(b3).attributes
    assert "赵磊" not in str(attributes)

    # Kept in memory from each record, read from the database after a reload.
    entry = hass.config_entries.async_entries("community_access")[0]
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert (state(hass, b3), state(hass, b1)) == ("1", "1")

    # 13 hours later the window (12 h) has passed them all.
    await later(hass, freezer, timedelta(hours=13))
    assert (state(hass, b3), state(hass, b1)) == ("0", "0")
    assert (await call(hass, "muster_list", {}))["count"] == 0


async def test_passages_count_while_the_database_is_away(hass: HomeAssistant) -> None:
    """Records kept in the spool (no id yet) still move people in and out.

    Real time here (no frozen clock): the spool's replay runs in a worker
    thread with a back-off on the loop's clock.
    """

    await started(hass)
    await add_resident(
        hass, "1-1-101", "钱芳", card="0000000011", id_number=make_id_number(1)
    )
    b1 = entity(hass, "sensor", "_muster_1")
    entry = hass.config_entries.async_entries("community_access")[0]
    writer = entry.runtime_data.community.writer
    assert writer.spool is not None

    def unreachable(_records: object) -> list[int]:
        raise OperationalError("INSERT", {}, Exception("the database is away"))

    write = writer._write_batch  # noqa: SLF001 - the database "goes away"
    writer._write_batch = unreachable  # noqa: SLF001
    assert (await present(hass, "Main gate", "0000000011"))["granted"]
    await settle(hass)
    assert writer.waiting == 1
    assert state(hass, b1) == "1"
    assert (await present(hass, "Gate exit", "0000000011"))["granted"]
    await settle(hass)
    assert writer.waiting == 2
    assert state(hass, b1) == "0"

    # Back: the spooled records are written, and a new entry counts again.
    writer._write_batch = write  # noqa: SLF001
    writer.wake()
    async with asyncio.timeout(30):
        while writer.waiting:
            await asyncio.sleep(0.05)
    assert (await present(hass, "Main gate", "0000000011"))["granted"]
    await settle(hass)
    assert state(hass, b1) == "1"


async def test_passages_during_the_start_up_read_count_once(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window is read and counted in a worker thread after set-up.

    A passage recorded after that read but before its counts replace the
    live ones (someone leaving, someone arriving) still counts, once.
    """

    await started(hass)
    await add_resident(
        hass, "3-2-501", "赵磊", card="0000000031", id_number=make_id_number(1)
    )
    await add_resident(
        hass, "1-1-101", "钱芳", card="0000000011", id_number=make_id_number(2)
    )
    await add_resident(
        hass, "3-1-101", "孙强", card="0000000012", id_number=make_id_number(3)
    )
    assert (await present(hass, "Building 3 door", "0000000031"))["granted"]
    assert (await present(hass, "Main gate", "0000000011"))["granted"]
    b3 = entity(hass, "sensor", "_muster_3")
    b1 = entity(hass, "sensor", "_muster_1")

    read = threading.Event()
    release = threading.Event()
    real = muster_module.counts_from_record

    def held_after_reading(*args: Any) -> Any:
        counted = real(*args)
        read.set()
        assert release.wait(10)
        return counted

    monkeypatch.setattr(muster_module, "counts_from_record", held_after_reading)
    entry = hass.config_entries.async_entries("community_access")[0]
    assert await hass.config_entries.async_reload(entry.entry_id)
    assert await hass.async_add_executor_job(read.wait, 10)
    # Read: 赵磊 in building 3, 钱芳 in building 1. Now 钱芳 leaves and
    # 孙强 (building 3) arrives before the counts read are taken over.
    assert (await present(hass, "Gate exit", "0000000011"))["granted"]
    assert (await present(hass, "Main gate", "0000000012"))["granted"]
    release.set()
    await settle(hass)
    assert (state(hass, b3), state(hass, b1)) == ("2", "0")
    answer = await call(hass, "muster_list", {})
    assert sorted(p["name"] for p in answer["people"]) == ["孙强", "赵磊"]
