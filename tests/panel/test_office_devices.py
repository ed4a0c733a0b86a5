"""Today's figures, the doors and their devices, opening a door, lock resync."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import MockHAClientWebSocket

from custom_components.community_access.const import CONF_GUARD_USERS
from custom_components.community_access.core.storage import AuditQuery
from homeassistant.core import HomeAssistant
from tests.conftest import doors_with, make_entry
from tests.helpers import add_resident, call, present

from .conftest import GUARD_USER_ID
from .office_common import ok, refused


@pytest.fixture
def config_entry() -> MockConfigEntry:
    """The test community; building 1's door keeps codes on a lock that is missing."""
    return make_entry(
        doors=doors_with("door_b1", lock_entity="lock.missing", manage_codes=True),
        options={CONF_GUARD_USERS: [GUARD_USER_ID]},
    )


async def test_today(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """Entries and denials today, visits, violations, suspensions, devices."""
    ids = await add_resident(hass)
    other = await add_resident(hass, "3-2-502", "钱芳", card="0011112222")
    await present(hass, "Main gate")
    await present(hass, "Main gate", "0099999999")
    await present(hass, "Gym", "0099999999")
    await call(
        hass,
        "register_visitor",
        {
            "unit": "3-2-501",
            "name": "钱多多",
            "id_number": "11010519491231002X",
            "phone": "13900001111",
        },
    )
    await call(
        hass, "record_violation", {"person_id": ids["person_id"], "kind": "tailgating"}
    )
    await call(
        hass,
        "set_person_status",
        {"person_id": other["person_id"], "status": "suspended"},
    )
    today = await ok(ws, "office/today", office)
    assert today == {
        "granted_today": 1,
        "denied_today": 2,
        "on_site": 0,
        "pending": 1,
        "overdue": 0,
        "open_violations": 1,
        "suspended": 1,
        "devices_offline": 1,
        "lock_sync_problems": 1,
    }


async def test_devices(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """Every door with its zone, lock, reader entity, and the lock-code state."""
    devices = await ok(ws, "office/devices", office)
    by_id = {d["door_id"]: d for d in devices}
    assert [d["name"] for d in devices] == sorted(d["name"] for d in devices)
    gate = by_id["door_gate"]
    assert gate["zone"] == "gate"
    assert gate["direction"] == "in"
    assert gate["lock_entity"] is None
    assert gate["lock_state"] == "locked"
    assert gate["reader_entities"] == ["event.main_gate_reader"]
    assert gate["line"] is None
    assert gate["online"] is None
    assert gate["lock_codes"] is None
    b1 = by_id["door_b1"]
    assert b1["zone"] == "building:1"
    assert b1["lock_entity"] == "lock.missing"
    assert b1["online"] is False
    assert b1["lock_codes"] == {"state": "not_found", "problems": 1}


async def test_open_door_recorded_as_remote_open(
    hass: HomeAssistant,
    office: MockConfigEntry,
    ws: MockHAClientWebSocket,
    hass_admin_user,
) -> None:
    """The door opens and the record says remote open, by the caller."""
    door = await ok(ws, "office/open_door", office, door_id="door_gate")
    assert door["door_id"] == "door_gate"
    assert door["lock_state"] == "unlocked"
    (record,) = await office.runtime_data.community.query_access_log(AuditQuery())
    assert (record.reason, record.source) == ("remote_open", "remote")
    assert record.actor == hass_admin_user.id
    error = await refused(
        ws, "office/open_door", office, door_id="nowhere", language="zh-Hans"
    )
    assert error["code"] == "unknown_door"
    assert "nowhere" in error["message"]


async def test_resync_lock_refusals_translated(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """A door without codes on its lock, and a lock ZHA does not know: in words."""
    error = await refused(
        ws, "office/resync_lock", office, door_id="door_gate", language="zh-Hans"
    )
    assert error["code"] == "lock_codes_not_managed"
    assert "Main gate" in error["message"]
    missing = await refused(ws, "office/resync_lock", office, door_id="door_b1")
    assert missing["code"] == "lock_codes_lock_not_found"
    assert "lock.missing" in missing["message"]
