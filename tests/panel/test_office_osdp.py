"""Pairing an OSDP reader from the office's Devices page, against libosdp's reader.

The reader (libosdp's PD in a subprocess, see ``tests/test_osdp_ha.py``) sits
at address 1 of a pty; the community has the OSDP line but no reader yet.
"""

from __future__ import annotations

import importlib.util

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import MockHAClientWebSocket

from custom_components.community_access.const import (
    CONF_GUARD_USERS,
    SUBENTRY_OSDP_READER,
    SUBENTRY_SERIAL_LINE,
)
from custom_components.community_access.osdp_config import KEY_SETTING_PREFIX
from custom_components.community_access.osdp_keys import async_load_record
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from tests.conftest import make_entry
from tests.helpers import subentry
from tests.ptys import wait_for
from tests.test_osdp_ha import ADDRESS, KEYSET, Wire, wire  # noqa: F401 - fixture

from .conftest import GUARD_USER_ID
from .office_common import ok, refused

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("osdp_sys") is None, reason="libosdp is not installed"
)


@pytest.fixture
def config_entry(wire: Wire) -> MockConfigEntry:  # noqa: F811 - fixture
    """The test community with an OSDP line on the pty and no reader."""
    return make_entry(
        options={CONF_GUARD_USERS: [GUARD_USER_ID]},
        extra_subentries=[
            subentry(
                SUBENTRY_SERIAL_LINE,
                "osdp_line",
                "OSDP bus",
                {"port": wire.path, "baudrate": 9600, "protocol": "osdp"},
            )
        ],
    )


def readers(entry: MockConfigEntry) -> list[str]:
    return [
        s.subentry_id
        for s in entry.subentries.values()
        if s.subentry_type == SUBENTRY_OSDP_READER
    ]


async def stored_keys(entry: MockConfigEntry) -> list[str]:
    community = entry.runtime_data.community
    keys: list[str] = await community.run(community.db.setting_keys, KEY_SETTING_PREFIX)
    return keys


@pytest.fixture
async def unloaded_at_end(hass: HomeAssistant, office: MockConfigEntry):  # type: ignore[no-untyped-def]
    """Unload the entry at the end: the OSDP line closes before the pty does."""
    yield office
    if office.state is ConfigEntryState.LOADED:
        assert await hass.config_entries.async_unload(office.entry_id)
        await hass.async_block_till_done()


async def test_pair_a_reader_from_the_panel(
    hass: HomeAssistant,
    wire: Wire,  # noqa: F811 - fixture
    unloaded_at_end: MockConfigEntry,
    ws: MockHAClientWebSocket,
) -> None:
    """Line and address: secure channel, bound to the door, kept over a reload."""
    entry = unloaded_at_end
    await wire.start_pd(install=True)
    lines = await ok(ws, "office/osdp_lines", entry)
    assert lines == [
        {
            "line_id": "osdp_line",
            "title": "OSDP bus",
            "port": wire.path,
            "connected": True,
            "readers": [],
        }
    ]

    result = await ok(
        ws,
        "office/osdp_pair",
        entry,
        line="osdp_line",
        address=ADDRESS,
        door_id="door_b3",
        name="B3 reader",
    )
    keyset = await wire.command(lambda c: c["command"] == KEYSET, timeout=10)
    reader = result["reader"]
    assert reader["name"] == "B3 reader"
    assert reader["address"] == ADDRESS
    assert reader["door_id"] == "door_b3"
    assert reader["door"] == "Building 3 door"
    assert reader["paired"] is True
    assert result["identity"]["serial"] == "******78"
    assert "12345678" not in str(result)
    assert keyset["data"] not in str(result)

    # persisted as the options flow does: a reader subentry, the key encrypted
    (reader_id,) = readers(entry)
    assert reader["reader_id"] == reader_id
    assert entry.subentries[reader_id].data["door"] == "door_b3"
    assert entry.subentries[reader_id].data["address"] == ADDRESS
    record = await async_load_record(entry, reader_id)
    assert record is not None
    assert record.scbk.hex() == keyset["data"]
    # the reload settled before the answer: the running reader is the new one
    assert entry.state is ConfigEntryState.LOADED
    hub = entry.runtime_data.osdp["osdp_line"]
    assert hub.readers[ADDRESS].config.id == reader_id
    await wait_for(lambda: hub.readers[ADDRESS].secure, timeout=10)

    (line,) = await ok(ws, "office/osdp_lines", entry)
    (listed,) = line["readers"]
    assert listed["online"] is True
    assert listed["secure"] is True
    assert listed["key"] == "own"
    assert listed["door_id"] == "door_b3"

    # a restart keeps it paired and bound to the door
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    hub = entry.runtime_data.osdp["osdp_line"]
    await wait_for(lambda: hub.readers[ADDRESS].secure, timeout=10)
    (line,) = await ok(ws, "office/osdp_lines", entry)
    (listed,) = line["readers"]
    assert (listed["reader_id"], listed["secure"], listed["paired"]) == (
        reader_id,
        True,
        True,
    )

    # that address for another door: refused, the reader stays as it is
    error = await refused(
        ws,
        "office/osdp_pair",
        entry,
        line="osdp_line",
        address=ADDRESS,
        door_id="door_gate",
    )
    assert error["code"] == "osdp_address_taken"
    assert "B3 reader" in error["message"]
    # the same door again: the paired reader refuses the default key; key kept
    error = await refused(
        ws,
        "office/osdp_pair",
        entry,
        line="osdp_line",
        address=ADDRESS,
        door_id="door_b3",
    )
    assert error["code"] == "osdp_pair_refused"
    assert readers(entry) == [reader_id]
    kept = await async_load_record(entry, reader_id)
    assert kept is not None
    assert kept.scbk.hex() == keyset["data"]


async def test_no_answer_at_the_address(
    hass: HomeAssistant,
    wire: Wire,  # noqa: F811 - fixture
    unloaded_at_end: MockConfigEntry,
    ws: MockHAClientWebSocket,
) -> None:
    """Nobody at that address: a translated error and nothing kept."""
    entry = unloaded_at_end
    await wire.start_pd(install=True)
    error = await refused(
        ws,
        "office/osdp_pair",
        entry,
        line="osdp_line",
        address=5,
        door_id="door_b3",
        language="zh-Hans",
    )
    assert error["code"] == "osdp_no_answer"
    assert "5" in error["message"]
    assert "OSDP" in error["message"]
    assert not error["message"].isascii()
    assert readers(entry) == []
    assert await stored_keys(entry) == []
    (line,) = await ok(ws, "office/osdp_lines", entry)
    assert line["readers"] == []

    # an unknown line or door is refused before anything is tried
    error = await refused(
        ws, "office/osdp_pair", entry, line="nope", address=1, door_id="door_b3"
    )
    assert error["code"] == "osdp_unknown_line"
    error = await refused(
        ws, "office/osdp_pair", entry, line="osdp_line", address=1, door_id="nope"
    )
    assert error["code"] == "unknown_door"
    assert readers(entry) == []


async def test_reader_already_paired_elsewhere_is_refused(
    hass: HomeAssistant,
    wire: Wire,  # noqa: F811 - fixture
    unloaded_at_end: MockConfigEntry,
    ws: MockHAClientWebSocket,
) -> None:
    """A reader that refuses the default key: 'key refused', nothing kept."""
    entry = unloaded_at_end
    await wire.start_pd(scbk=bytes(range(16)))
    error = await refused(
        ws,
        "office/osdp_pair",
        entry,
        line="osdp_line",
        address=ADDRESS,
        door_id="door_b3",
    )
    assert error["code"] == "osdp_pair_refused"
    assert readers(entry) == []
    assert await stored_keys(entry) == []
