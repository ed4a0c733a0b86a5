"""OSDP readers in Home Assistant, against libosdp's reader in a subprocess.

The reader (``drivers/peers/osdp_pd.py``, libosdp 3.2.9's PD) holds the
master end of a pty; the integration opens the slave end by name as its
RS-485 adapter. The test process keeps both ends open, so a reader can be
killed and another started on the same "wire" (a reader swapped or reset).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
import importlib.util
import json
import os
import secrets
import tty
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.community_access.const import (
    DOMAIN,
    EVENT_ACCESS_DENIED,
    EVENT_ACCESS_GRANTED,
    EVENT_READER_ALARM,
    SUBENTRY_OSDP_READER,
    SUBENTRY_SERIAL_LINE,
)
from custom_components.community_access.diagnostics import (
    async_get_config_entry_diagnostics,
)
from custom_components.community_access.drivers.wiegand import encode_facility_number
from custom_components.community_access.osdp_config import (
    PairingError,
    alarm_issue_id,
    key_setting,
)
from custom_components.community_access.osdp_hub import OsdpHub
from custom_components.community_access.osdp_keys import (
    async_load_record,
    async_rotate_due,
)
from custom_components.community_access.osdp_reader import OsdpReader
from homeassistant import config_entries
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.util import dt as dt_util

from .conftest import make_entry
from .helpers import CARD, PIN, add_resident, call, setup_community, subentry
from .ptys import OsdpPd, wait_for

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("osdp_sys") is None, reason="libosdp is not installed"
)

ADDRESS = 1
LED, BUZZER, OUTPUT, KEYSET = 2, 3, 1, 5
GREEN, RED = 2, 1


@dataclass
class Wire:
    """A pty: the reader holds the master, the integration opens ``path``."""

    master: int
    slave: int
    path: str
    pds: list[OsdpPd] = field(default_factory=list)
    _commands: list[dict[str, Any]] = field(default_factory=list)

    @property
    def pd(self) -> OsdpPd:
        return self.pds[-1]

    async def start_pd(
        self,
        *,
        scbk: bytes | None = None,
        install: bool = False,
        serial: int | None = None,
    ) -> None:
        """Start a reader on the wire (after stopping the one there)."""
        self.stop_pd()
        pd = OsdpPd(
            self.master, ADDRESS, scbk=scbk, install_mode=install, serial=serial
        )
        self.pds.append(pd)
        self._commands.clear()
        await pd.wait_ready()

    def stop_pd(self) -> None:
        if self.pds:
            self.pd.stop()

    def tell(self, line: str) -> None:
        self.pd.tell(line)

    def card(self, number: str = CARD) -> None:
        value = int(number)
        pattern = encode_facility_number(value >> 16, value & 0xFFFF, 26)
        self.tell(f"card {(pattern << 6).to_bytes(4, 'big').hex()} 26")

    async def message(self, timeout: float = 3.0) -> dict[str, Any]:
        """The next JSON line the reader printed."""
        return await self.pd.message(timeout)

    async def command(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 3.0
    ) -> dict[str, Any]:
        """The first command not yet taken that matches ``predicate``.

        Commands seen meanwhile are kept, so the order in which the reader
        got them does not matter.
        """
        for command in self._commands:
            if predicate(command):
                self._commands.remove(command)
                return command
        async with asyncio.timeout(timeout):
            while True:
                message = await self.message(timeout)
                command = message.get("command")
                if command is None:
                    continue
                if predicate(command):
                    return command
                self._commands.append(command)

    def close(self) -> None:
        for pd in self.pds:
            pd.close()
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
async def wire() -> AsyncIterator[Wire]:
    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    w = Wire(master, slave, os.ttyname(slave))
    yield w
    w.close()


def osdp_entry(
    port: str,
    *,
    output: int | None = 0,
    doors: list[tuple[str, str, dict[str, Any]]] | None = None,
) -> MockConfigEntry:
    """The test community with an OSDP line and one reader at Building 3.

    ``doors``: the door subentries (the test doors unless given).
    """
    return make_entry(
        doors=doors,
        extra_subentries=[
            subentry(
                SUBENTRY_SERIAL_LINE,
                "osdp_line",
                "OSDP bus",
                {"port": port, "baudrate": 9600, "protocol": "osdp"},
            ),
            subentry(
                SUBENTRY_OSDP_READER,
                "reader_b3",
                "B3 reader",
                {
                    "line": "osdp_line",
                    "address": ADDRESS,
                    "door": "door_b3",
                    "output": output,
                    "feedback": True,
                },
            ),
        ],
    )


type Setup = Callable[..., Awaitable[tuple[MockConfigEntry, OsdpHub, OsdpReader]]]


@pytest.fixture
async def setup_osdp(hass: HomeAssistant, wire: Wire) -> AsyncIterator[Setup]:
    """Set up the community with the reader; unload at the end."""
    entries: list[MockConfigEntry] = []

    async def _setup(**kwargs: Any) -> tuple[MockConfigEntry, OsdpHub, OsdpReader]:
        entry = osdp_entry(wire.path, **kwargs)
        await setup_community(hass, entry)
        entries.append(entry)
        hub = entry.runtime_data.osdp["osdp_line"]
        return entry, hub, hub.readers[ADDRESS]

    yield _setup
    for entry in entries:
        if entry.state is ConfigEntryState.LOADED:
            hubs = list(entry.runtime_data.osdp.values())
            assert await hass.config_entries.async_unload(entry.entry_id)
            await hass.async_block_till_done()
            assert not any(h.line.running or h.bus.running for h in hubs)


def entity(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        "binary_sensor", DOMAIN, f"{entry.entry_id}_{key}"
    )
    assert entity_id is not None
    return entity_id


async def paired(hub: OsdpHub, reader: OsdpReader, wire: Wire) -> bytes:
    """Pair the reader (in install mode) through the hub; return its key."""
    await wait_for(lambda: reader.online and reader.trusted)
    await hub.async_pair(reader, timeout=10)
    keyset = await wire.command(lambda c: c["command"] == KEYSET)
    await wait_for(lambda: reader.secure and reader.trusted)
    assert reader.record is not None
    assert bytes.fromhex(keyset["data"]) == reader.record.scbk
    return reader.record.scbk


async def setup_paired(
    hass: HomeAssistant, wire: Wire, setup_osdp: Setup, *, resident: bool = True
) -> tuple[MockConfigEntry, OsdpHub, OsdpReader, bytes]:
    """Set up a reader in install mode and pair it through the hub.

    Returns the entry, hub, reader and the reader's key; the community gets a
    resident before the pairing unless ``resident`` is false.
    """
    await wire.start_pd(install=True)
    entry, hub, reader = await setup_osdp()
    if resident:
        await add_resident(hass)
    return entry, hub, reader, await paired(hub, reader, wire)


async def card_granted(hass: HomeAssistant, wire: Wire) -> None:
    """A card read at the reader is granted."""
    granted = async_capture_events(hass, EVENT_ACCESS_GRANTED)
    wire.card()
    await wait_for(lambda: bool(granted))


async def test_card_read_grants_and_opens_the_door(
    hass: HomeAssistant, wire: Wire, setup_osdp: Setup
) -> None:
    await wire.start_pd()
    entry, _hub, reader = await setup_osdp()
    await add_resident(hass)
    await wait_for(lambda: reader.online and reader.trusted)
    # the reader's identity (PDID) and local status were asked when it came
    assert reader.identity is not None
    assert reader.identity.serial == 0x12345678
    granted = async_capture_events(hass, EVENT_ACCESS_GRANTED)
    denied = async_capture_events(hass, EVENT_ACCESS_DENIED)

    wire.card()
    out = await wire.command(lambda c: c["command"] == OUTPUT)
    assert out["output_no"] == 0
    assert out["control_code"] == 5  # on for a time: the door's open time
    assert out["timer_count"] == 50
    await wait_for(lambda: bool(granted))
    assert granted[0].data["source"] == f"osdp:{wire.path}:{ADDRESS}"
    assert granted[0].data["door_id"] == "door_b3"
    assert CARD.lstrip("0") not in str(granted[0].data)
    led = await wire.command(lambda c: c["command"] == LED)
    assert (led["temporary"], led["on_color"]) == (True, GREEN)
    buzzer = await wire.command(lambda c: c["command"] == BUZZER)
    assert buzzer["on_count"] > 0
    assert hass.states.get("lock.building_3_door").state == "unlocked"

    wire.card("0099999")  # unknown card
    led = await wire.command(lambda c: c["command"] == LED)
    assert led["on_color"] == RED
    await wait_for(lambda: bool(denied))
    assert denied[0].data["reason"] == "unknown_credential"
    assert len(granted) == 1

    # devices: the line, and the reader under it
    devices = dr.async_get(hass)
    line = devices.async_get_device(identifiers={(DOMAIN, "osdp_line")})
    device = devices.async_get_device(identifiers={(DOMAIN, "reader_b3")})
    assert line is not None
    assert device is not None
    assert device.via_device_id == line.id
    assert hass.states.get(entity(hass, entry, "reader_b3_reader_connected")).state == (
        STATE_ON
    )


async def test_keypad_pin(hass: HomeAssistant, wire: Wire, setup_osdp: Setup) -> None:
    await wire.start_pd()
    _entry, _hub, reader = await setup_osdp(output=None)
    ids = await add_resident(hass)
    await call(
        hass,
        "add_credential",
        {"person_id": ids["person_id"], "kind": "pin", "value": PIN},
    )
    await wait_for(lambda: reader.online and reader.trusted)
    granted = async_capture_events(hass, EVENT_ACCESS_GRANTED)
    denied = async_capture_events(hass, EVENT_ACCESS_DENIED)

    wire.tell("keys 12*")  # cleared by *
    wire.tell(f"keys {PIN[:3]}")
    wire.tell(f"keys {PIN[3:]}#")
    await wait_for(lambda: bool(granted))
    assert granted[0].data["kind"] == "pin"
    assert PIN not in str(granted[0].data)
    led = await wire.command(lambda c: c["command"] == LED)
    assert led["on_color"] == GREEN

    wire.tell("keys 000000#")
    await wait_for(lambda: bool(denied))
    assert denied[0].data["kind"] == "pin"
    assert len(granted) == 1

    # without "#": the PIN goes after a pause
    wire.tell(f"keys {PIN}")
    await wait_for(lambda: bool(reader._digits))  # noqa: SLF001
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=5))
    await wait_for(lambda: len(granted) == 2)


async def test_pairing_flow(hass: HomeAssistant, wire: Wire, setup_osdp: Setup) -> None:
    await wire.start_pd(install=True)
    entry, _hub, reader = await setup_osdp()
    await add_resident(hass)
    await wait_for(lambda: reader.online and reader.trusted)
    assert not reader.provisioned

    result = await entry.start_subentry_reconfigure_flow(hass, "reader_b3")
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": "pair"}
    )
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    assert result["progress_action"] == "pair"
    keyset = await wire.command(lambda c: c["command"] == KEYSET, timeout=10)
    await hass.async_block_till_done()
    result = await hass.config_entries.subentries.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "paired"
    assert result["description_placeholders"]["serial"] == "******78"

    # the key: stored encrypted, never in the subentry
    community = entry.runtime_data.community
    token = await community.run(community.db.setting, key_setting("reader_b3"))
    assert token is not None
    key = bytes.fromhex(keyset["data"])
    assert key.hex() not in token
    record = await async_load_record(entry, "reader_b3")
    assert record is not None
    assert record.scbk == key
    assert record.identity.serial == 0x12345678
    assert key.hex() not in str(dict(entry.subentries["reader_b3"].data))
    assert "scbk" not in repr(record)

    # from now on: secure channel only, and cards still work
    await wait_for(lambda: reader.secure and reader.trusted)
    wire.tell("status")
    assert await wire.message() == {"sc_active": True, "online": True}
    await card_granted(hass, wire)


async def test_pairing_refused_by_a_paired_reader(
    hass: HomeAssistant, wire: Wire, setup_osdp: Setup
) -> None:
    # paired to another system: it refuses the default key
    await wire.start_pd(scbk=secrets.token_bytes(16))
    entry, _hub, reader = await setup_osdp()
    await wait_for(lambda: reader.online)
    result = await entry.start_subentry_reconfigure_flow(hass, "reader_b3")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": "pair"}
    )
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    await wait_for(lambda: not reader.pairing, timeout=10)
    await asyncio.sleep(0)
    await hass.async_block_till_done()
    result = await hass.config_entries.subentries.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "pair_failed"
    assert result["errors"] == {"base": "pair_refused"}
    assert await async_load_record(entry, "reader_b3") is None
    # back on its plain session, which that reader does not take either
    assert not reader.provisioned
    assert reader.session.secure is None


async def test_rotate_reader_keys(
    hass: HomeAssistant, wire: Wire, setup_osdp: Setup
) -> None:
    entry, hub, reader, old = await setup_paired(hass, wire, setup_osdp)

    response = await call(hass, "rotate_reader_keys", {})
    assert response is not None
    assert response["rotated"] == 1
    assert response["readers"] == [
        {"reader_id": "reader_b3", "reader": "B3 reader", "result": "rotated"}
    ]
    keyset = await wire.command(lambda c: c["command"] == KEYSET)
    new = bytes.fromhex(keyset["data"])
    assert new != old
    record = await async_load_record(entry, "reader_b3")
    assert record is not None
    assert record.scbk == new
    assert record.pending is None
    assert record.rotated_at is not None
    assert new.hex() not in str(response)

    # the reader now works with the new key only
    await wait_for(lambda: reader.secure and reader.trusted)
    await card_granted(hass, wire)

    # named readers; an unknown one is refused
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, "reader_b3")})
    assert device is not None
    response = await call(hass, "rotate_reader_keys", {"readers": [device.id]})
    assert response is not None
    assert response["readers"][0]["result"] == "rotated"
    with pytest.raises(Exception, match="reader"):
        await call(hass, "rotate_reader_keys", {"readers": ["nope"]})


async def test_plain_reader_with_a_stored_key_raises_an_alarm(
    hass: HomeAssistant, wire: Wire, setup_osdp: Setup
) -> None:
    _entry, hub, reader, key = await setup_paired(hass, wire, setup_osdp)
    alarms = async_capture_events(hass, EVENT_READER_ALARM)
    granted = async_capture_events(hass, EVENT_ACCESS_GRANTED)
    issues = ir.async_get(hass)

    # the reader is reset / swapped for one talking plaintext
    await wire.start_pd()
    await wait_for(lambda: bool(alarms), timeout=5)
    assert alarms[0].data == {
        "reader_id": "reader_b3",
        "reader": "B3 reader",
        "line": "OSDP bus",
        "address": ADDRESS,
        "door_id": "door_b3",
        "reason": "insecure",
    }
    assert key.hex() not in str(alarms[0].data)
    issue = issues.async_get_issue(DOMAIN, alarm_issue_id("reader_b3"))
    assert issue is not None
    assert issue.translation_key == "osdp_reader_insecure"
    # what it reads is not presented
    wire.card()
    await asyncio.sleep(0.5)
    assert not granted
    assert not reader.secure
    assert len(alarms) == 1  # one alarm, not one per handshake

    # the paired reader is back: the alarm clears
    await wire.start_pd(scbk=key)
    await wait_for(lambda: reader.secure and reader.trusted, timeout=5)
    assert issues.async_get_issue(DOMAIN, alarm_issue_id("reader_b3")) is None
    await card_granted(hass, wire)


async def test_reader_silent_then_back_and_tamper(
    hass: HomeAssistant, wire: Wire, setup_osdp: Setup
) -> None:
    await wire.start_pd()
    entry, _hub, reader = await setup_osdp()
    connected = entity(hass, entry, "reader_b3_reader_connected")
    tamper = entity(hass, entry, "reader_b3_reader_tamper")
    power = entity(hass, entry, "reader_b3_reader_power")
    line = entity(hass, entry, "osdp_line_connected")
    await wait_for(lambda: hass.states.get(connected).state == STATE_ON)
    assert hass.states.get(tamper).state == STATE_OFF
    assert hass.states.get(power).state == STATE_OFF
    assert hass.states.get(line).state == STATE_ON

    wire.tell("lstat 1 0")
    await wait_for(lambda: hass.states.get(tamper).state == STATE_ON)

    wire.tell("mute")
    await wait_for(lambda: hass.states.get(connected).state == STATE_OFF)
    assert hass.states.get(tamper).state == STATE_UNAVAILABLE
    assert hass.states.get("lock.building_3_door").state == STATE_UNAVAILABLE
    wire.tell("unmute")
    await wait_for(lambda: hass.states.get(connected).state == STATE_ON)
    await wait_for(lambda: hass.states.get(tamper).state != STATE_UNAVAILABLE)
    await wait_for(lambda: hass.states.get("lock.building_3_door").state == "locked")


async def test_diagnostics_redact_keys(
    hass: HomeAssistant, wire: Wire, setup_osdp: Setup
) -> None:
    entry, hub, reader, key = await setup_paired(hass, wire, setup_osdp, resident=False)
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    (line,) = diagnostics["osdp"]
    assert line["port"] == wire.path
    assert line["connected"]
    (shown,) = line["readers"]
    assert shown["online"]
    assert shown["secure"]
    assert shown["provisioned"]
    assert shown["alarm"] is None
    assert shown["identity"]["serial"] == "******78"
    assert shown["paired_identity"]["serial"] == "******78"
    text = json.dumps(diagnostics, default=str)
    assert key.hex() not in text
    assert str(0x12345678) not in text
    assert "12345678" not in text


async def test_reader_subentry_flow(
    hass: HomeAssistant, wire: Wire, setup_osdp: Setup
) -> None:
    await wire.start_pd()
    entry, _hub, _reader = await setup_osdp()
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_OSDP_READER),
        context={"source": config_entries.SOURCE_USER},
    )
    assert result["type"] is FlowResultType.FORM
    form = {
        "name": "Gate reader",
        "line": "osdp_line",
        "address": ADDRESS,
        "door": "door_b3",
        "output": 0,
        "feedback": True,
    }
    bad = await hass.config_entries.subentries.async_configure(result["flow_id"], form)
    assert bad["errors"] == {"address": "address_taken", "output": "door_has_relay"}
    bad = await hass.config_entries.subentries.async_configure(
        result["flow_id"], form | {"name": " ", "address": 2, "door": "door_gate"}
    )
    assert bad["errors"] == {"name": "invalid_name"}
    bad = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        form | {"name": "Gate\u202ereader", "address": 2, "door": "door_gate"},
    )
    assert bad["errors"] == {"name": "invalid_name"}
    done = await hass.config_entries.subentries.async_configure(
        result["flow_id"], form | {"address": 2, "door": "door_gate"}
    )
    assert done["type"] is FlowResultType.CREATE_ENTRY
    assert done["data"] == {
        "line": "osdp_line",
        "address": 2,
        "door": "door_gate",
        "output": 0,
        "feedback": True,
    }
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    hub = entry.runtime_data.osdp["osdp_line"]
    assert sorted(hub.readers) == [ADDRESS, 2]

    # an OSDP serial line needs no door
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_SERIAL_LINE),
        context={"source": config_entries.SOURCE_USER},
    )
    line = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"port": "/dev/ttyOSDP9", "baudrate": 9600, "protocol": "osdp"},
    )
    assert line["type"] is FlowResultType.CREATE_ENTRY
    assert line["data"] == {
        "port": "/dev/ttyOSDP9",
        "baudrate": 9600,
        "protocol": "osdp",
    }
    assert line["title"] == "OSDP (/dev/ttyOSDP9)"
    await hass.async_block_till_done()
    # its port does not exist: the entry waits for it
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_another_reader_with_the_key_raises_an_alarm(
    hass: HomeAssistant, wire: Wire, setup_osdp: Setup
) -> None:
    """The key copied into another reader: the identity check catches it."""
    _entry, hub, reader, key = await setup_paired(hass, wire, setup_osdp)
    alarms = async_capture_events(hass, EVENT_READER_ALARM)
    granted = async_capture_events(hass, EVENT_ACCESS_GRANTED)

    await wire.start_pd(scbk=key, serial=0x0BADCAFE)
    await wait_for(lambda: bool(alarms), timeout=5)
    assert alarms[0].data["reason"] == "identity_mismatch"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, alarm_issue_id("reader_b3"))
    assert issue is not None
    assert issue.translation_key == "osdp_reader_identity_mismatch"
    assert reader.secure  # the channel is up, but the reader is not trusted
    assert not reader.trusted
    wire.card()
    await asyncio.sleep(0.5)
    assert not granted


async def test_pairing_times_out(
    hass: HomeAssistant, wire: Wire, setup_osdp: Setup
) -> None:
    await wire.start_pd(install=True)
    entry, hub, reader = await setup_osdp()
    await wait_for(lambda: reader.online and reader.trusted)
    wire.tell("mute")
    with pytest.raises(PairingError) as err:
        await hub.async_pair(reader, timeout=0.5)
    assert err.value.reason == "pair_timeout"
    assert not reader.pairing
    assert await async_load_record(entry, "reader_b3") is None
    wire.tell("unmute")
    await wait_for(lambda: reader.online and reader.trusted, timeout=5)


async def test_key_whose_acknowledgement_was_lost_is_tried(
    hass: HomeAssistant, wire: Wire, setup_osdp: Setup
) -> None:
    """KEYSET reached the reader but its ACK did not come back: the reader
    holds the new key, we the old one and the new one as pending."""
    entry, hub, reader, old = await setup_paired(hass, wire, setup_osdp)
    assert reader.record is not None
    new = secrets.token_bytes(16)
    reader.record.pending = new
    community = entry.runtime_data.community
    await community.run(
        community.db.set_setting,
        key_setting("reader_b3"),
        community.vault.encrypt(reader.record.dumps()),
    )
    alarms = async_capture_events(hass, EVENT_READER_ALARM)

    await wire.start_pd(scbk=new)
    await wait_for(lambda: reader.secure and reader.trusted, timeout=5)
    async with asyncio.timeout(3):  # kept by a background task
        while (record := await async_load_record(entry, "reader_b3")) is None or (
            record.pending is not None
        ):
            await asyncio.sleep(0.05)
    assert record.scbk == new
    assert record.scbk != old
    assert not alarms
    await card_granted(hass, wire)


async def test_keys_rotate_when_due_and_removed_readers_are_forgotten(
    hass: HomeAssistant, wire: Wire, setup_osdp: Setup
) -> None:
    """Seed 1.2: keys change on schedule; a removed reader's key is deleted."""
    entry, hub, reader, old = await setup_paired(hass, wire, setup_osdp, resident=False)
    now = dt_util.utcnow()
    # Not due yet: nothing is sent.
    assert (
        await async_rotate_due(entry, now + timedelta(days=89), timedelta(days=90))
        == {}
    )
    # Due: a new key, kept once the reader acknowledged it.
    results = await async_rotate_due(
        entry, now + timedelta(days=91), timedelta(days=90)
    )
    assert results == {"B3 reader": "rotated"}
    record = await async_load_record(entry, "reader_b3")
    assert record is not None
    assert record.scbk != old
    assert record.rotated_at is not None
    # Counted from the last change now.
    later = dt_util.utcnow() + timedelta(days=89)
    assert await async_rotate_due(entry, later, timedelta(days=90)) == {}

    # A reader removed from the configuration: its key goes at the next start.
    community = entry.runtime_data.community
    await community.run(community.db.set_setting, key_setting("removed"), "x")
    hass.config_entries.async_remove_subentry(entry, "reader_b3")
    await hass.async_block_till_done()
    await wait_for(lambda: entry.state is ConfigEntryState.LOADED)
    community = entry.runtime_data.community
    assert await community.run(community.db.setting_keys, "osdp_reader_key:") == []


async def test_reader_flow_refuses_a_door_a_relay_line_opens(
    hass: HomeAssistant,
) -> None:
    """A reader's output cannot open a door a relay board already opens.

    Relay lines in either shape count: the one-door shape of earlier
    versions and the outputs mapping.
    """
    entry = make_entry(
        extra_subentries=[
            subentry(
                SUBENTRY_SERIAL_LINE,
                "osdp_line",
                "OSDP bus",
                {"port": "/dev/ttyOSDP0", "baudrate": 9600, "protocol": "osdp"},
            ),
            subentry(
                SUBENTRY_SERIAL_LINE,
                "lcus_line",
                "Gate relay",
                {
                    "port": "/dev/ttyUSB1",
                    "baudrate": 9600,
                    "protocol": "lcus",
                    "door": "door_gate",
                    "channel": 2,
                },
            ),
            subentry(
                SUBENTRY_SERIAL_LINE,
                "modbus_line",
                "Relay board",
                {
                    "port": "/dev/ttyUSB2",
                    "baudrate": 9600,
                    "protocol": "modbus",
                    "unit_id": 1,
                    "coil": 0,
                    "board_size": 4,
                    "outputs": {"3": "door_b1"},
                },
            ),
        ]
    )
    entry.add_to_hass(hass)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_OSDP_READER),
        context={"source": config_entries.SOURCE_USER},
    )
    form = {
        "name": "Reader",
        "line": "osdp_line",
        "address": 1,
        "door": "door_gate",
        "output": 0,
        "feedback": True,
    }
    for door in ("door_gate", "door_b1"):
        bad = await hass.config_entries.subentries.async_configure(
            result["flow_id"], form | {"door": door}
        )
        assert bad["errors"] == {"output": "door_has_relay"}
    done = await hass.config_entries.subentries.async_configure(
        result["flow_id"], form | {"door": "door_b3"}
    )
    assert done["type"] is FlowResultType.CREATE_ENTRY
