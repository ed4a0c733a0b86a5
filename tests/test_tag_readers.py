"""Tag readers bound to a door: ``tag_scanned`` opens it without an automation."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.community_access.const import (
    DOMAIN,
    EVENT_ACCESS_DENIED,
    EVENT_ACCESS_GRANTED,
    SUBENTRY_DOOR,
)
from custom_components.community_access.logbook import describe
from homeassistant import config_entries
from homeassistant.components.lock.const import LockState
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component

from .conftest import TEST_DOORS, make_entry
from .helpers import add_resident, call, setup_community

TAG = "04A224B2C51D80"
OTHER_TAG = "04FFEEDDCCBB90"
LOCK = "lock.gate_lock"


def _reader(hass: HomeAssistant, name: str) -> str:
    """A device in the registry (an ESPHome-like NFC reader); its id."""
    owner = MockConfigEntry(domain="esphome", title=name)
    owner.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=owner.entry_id,
        identifiers={("esphome", name)},
        name=name,
    )
    return device.id


async def _gate_lock(hass: HomeAssistant) -> None:
    """A template lock on an input boolean (on: locked), ``lock.gate_lock``."""
    bolt = "input_boolean.gate_bolt"
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {"gate_bolt": {"initial": True}}}
    )
    lock = {
        "name": "Gate lock",
        "unique_id": "gate_lock",
        "state": f"{{{{ is_state('{bolt}', 'on') }}}}",
        "lock": {"action": "input_boolean.turn_on", "target": {"entity_id": bolt}},
        "unlock": {"action": "input_boolean.turn_off", "target": {"entity_id": bolt}},
    }
    assert await async_setup_component(
        hass, "template", {"template": [{"lock": [lock]}]}
    )
    await hass.async_block_till_done()
    assert hass.states.get(LOCK).state == LockState.LOCKED


def _doors(gate_readers: list[str]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (
            sid,
            title,
            door | {"lock_entity": LOCK, "tag_readers": gate_readers}
            if sid == "door_gate"
            else door,
        )
        for sid, title, door in TEST_DOORS
    ]


def _capture_all(hass: HomeAssistant) -> list[Event]:
    events: list[Event] = []
    hass.bus.async_listen("*", events.append)
    return events


async def _scan(hass: HomeAssistant, device_id: str, tag_id: str) -> None:
    hass.bus.async_fire("tag_scanned", {"tag_id": tag_id, "device_id": device_id})
    await hass.async_block_till_done()


async def _records(hass: HomeAssistant) -> list[dict[str, Any]]:
    log = await call(hass, "query_access_log", {})
    assert isinstance(log, dict)
    return list(log["records"])


@pytest.fixture
async def gate_reader(hass: HomeAssistant) -> tuple[MockConfigEntry, str]:
    """The community, its main gate on a template lock bound to one reader."""
    await _gate_lock(hass)
    reader = _reader(hass, "gate-reader")
    entry = make_entry(doors=_doors([reader]))
    await setup_community(hass, entry)
    ids = await add_resident(hass, card=None)
    await call(
        hass,
        "add_credential",
        {"person_id": ids["person_id"], "kind": "phone_tag", "value": TAG},
    )
    return entry, reader


async def test_bound_reader_opens_the_door(
    hass: HomeAssistant,
    gate_reader: tuple[MockConfigEntry, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    _, reader = gate_reader
    events = _capture_all(hass)

    await _scan(hass, reader, TAG)
    assert hass.states.get(LOCK).state == LockState.UNLOCKED
    granted = [e for e in events if e.event_type == EVENT_ACCESS_GRANTED]
    assert len(granted) == 1
    assert granted[0].data["door_id"] == "door_gate"
    assert granted[0].data["kind"] == "phone_tag"
    assert granted[0].data["source"] == "tag"
    (record,) = await _records(hass)
    assert record["granted"] is True
    assert record["source"] == "tag"
    assert record["door_id"] == "door_gate"

    await _scan(hass, reader, OTHER_TAG)
    denied = [e for e in events if e.event_type == EVENT_ACCESS_DENIED]
    assert len(denied) == 1
    assert denied[0].data["reason"] == "unknown_credential"
    records = await _records(hass)
    assert len(records) == 2
    assert [r["granted"] for r in records if r["source"] == "tag"].count(False) == 1

    # The tag id is a credential: in no event but the reader's own, no log line,
    # no logbook line.
    ours = [e for e in events if e.event_type != "tag_scanned"]
    assert ours
    for event in ours:
        assert TAG not in repr(event.data)
        assert OTHER_TAG not in repr(event.data)
    for event in granted + denied:
        line = describe(event.event_type, dict(event.data), "en")
        assert TAG not in repr(line)
        assert OTHER_TAG not in repr(line)
    assert TAG not in caplog.text
    assert OTHER_TAG not in caplog.text


async def test_unbound_reader_is_ignored(
    hass: HomeAssistant, gate_reader: tuple[MockConfigEntry, str]
) -> None:
    elsewhere = _reader(hass, "lobby-reader")
    events = _capture_all(hass)
    await _scan(hass, elsewhere, TAG)
    await _scan(hass, "", TAG)
    hass.bus.async_fire("tag_scanned", {"tag_id": TAG})
    await hass.async_block_till_done()
    # From the bound reader: no tag id, or one longer than present_credential takes.
    _, reader = gate_reader
    hass.bus.async_fire("tag_scanned", {"device_id": reader})
    hass.bus.async_fire("tag_scanned", {"device_id": reader, "tag_id": 4711})
    await _scan(hass, reader, "")
    await _scan(hass, reader, "A" * 129)
    assert hass.states.get(LOCK).state == LockState.LOCKED
    assert not [e for e in events if e.event_type.startswith(DOMAIN)]
    assert await _records(hass) == []


async def test_still_bound_after_reload_and_gone_after_unload(
    hass: HomeAssistant, gate_reader: tuple[MockConfigEntry, str]
) -> None:
    entry, reader = gate_reader
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await _scan(hass, reader, TAG)
    assert hass.states.get(LOCK).state == LockState.UNLOCKED
    (record,) = await _records(hass)
    assert record["source"] == "tag"
    assert record["granted"] is True

    listeners = hass.bus.async_listeners().get("tag_scanned", 0)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.bus.async_listeners().get("tag_scanned", 0) == listeners - 1


async def test_no_listener_without_readers(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    assert "tag_scanned" not in hass.bus.async_listeners()


async def test_reader_bound_to_two_doors_is_refused(
    hass: HomeAssistant, gate_reader: tuple[MockConfigEntry, str]
) -> None:
    entry, reader = gate_reader
    spare = _reader(hass, "spare-reader")
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_DOOR),
        context={"source": config_entries.SOURCE_USER},
    )
    form = {
        "name": "Building 5 door",
        "zone_kind": "building",
        "building": "5",
        "direction": "in",
        "open_time": 5,
        "escape_route": False,
    }
    taken = await hass.config_entries.subentries.async_configure(
        result["flow_id"], form | {"tag_readers": [spare, reader]}
    )
    assert taken["type"] is FlowResultType.FORM
    assert taken["errors"] == {"tag_readers": "tag_reader_taken"}
    done = await hass.config_entries.subentries.async_configure(
        result["flow_id"], form | {"tag_readers": [spare]}
    )
    assert done["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    b5 = next(s for s in entry.subentries.values() if s.title == "Building 5 door")
    assert b5.data["tag_readers"] == [spare]

    # Reconfiguring the gate keeps its own reader; taking the spare is refused.
    gate = entry.subentries["door_gate"]
    again = await entry.start_subentry_reconfigure_flow(hass, "door_gate")
    current = {"name": gate.title, **gate.data}
    refused = await hass.config_entries.subentries.async_configure(
        again["flow_id"], current | {"tag_readers": [reader, spare]}
    )
    assert refused["errors"] == {"tag_readers": "tag_reader_taken"}
    kept = await hass.config_entries.subentries.async_configure(
        again["flow_id"], current
    )
    assert kept["type"] is FlowResultType.ABORT
    assert kept["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()

    # After the reload both doors answer their own reader.
    spare_events = _capture_all(hass)
    await _scan(hass, spare, TAG)
    denied = [e for e in spare_events if e.event_type == EVENT_ACCESS_DENIED]
    assert [e.data["door_id"] for e in denied] == [b5.subentry_id]
