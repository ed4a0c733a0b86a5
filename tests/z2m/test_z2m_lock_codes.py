"""Codes kept on a Zigbee2MQTT lock: a real broker, HA's real ``mqtt``, a simulated lock.

The community's door "Building 3 door" is bound to the lock entity HA's MQTT
discovery created from the simulated Zigbee2MQTT's config, and keeps its
codes on it. Everything goes over the private mosquitto: the adapter
publishes through HA's MQTT integration, the simulated Zigbee2MQTT answers.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.diagnostics import (
    async_get_config_entry_diagnostics,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from tests.helpers import call

from .conftest import Z2mLockFactory
from .z2m_door import (
    ISSUE_UNFITTED,
    SENSOR,
    codes_of,
    community_with,
    in_sync,
    person,
    pin_clears,
    pin_reads,
    pin_writes,
    quick,
    sensor_state,
    until,
)


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    quick(monkeypatch)


async def test_first_sync_then_one_change_is_one_write(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """30 user slots, a custom base topic; each change is one MQTT request."""
    sim = await z2m_lock(base_topic="z2m_custom", pin_users=30, rf_events=True)
    entry = await community_with(hass, sim)
    # First contact: the capacity (Zigbee2MQTT's generic read), then every
    # PIN slot read once (0-based user ids); nothing to write yet.
    reads = [c for c in sim.commands if c.key == "read"]
    assert len(reads) == 1
    assert reads[0].value["cluster"] == "closuresDoorLock"
    assert pin_reads(sim) == list(range(30))
    assert pin_writes(sim) == []
    assert sensor_state(hass) == "in_sync"
    attributes = hass.states.get(SENSOR).attributes
    assert attributes["pin_users"] == 30
    assert attributes["rfid_users"] == 0
    assert attributes["codes"] == "readable"
    # The wrong-code limit went out through the generic write.
    (write,) = [c.value for c in sim.commands if c.key == "write"]
    assert write["cluster"] == "closuresDoorLock"
    for name, value in write["payload"].items():
        assert sim.attributes[name] == value

    # Residents of building 3 go on the lock; building 1's do not.
    zhao = await person(hass, "3-2-501", "赵磊", "583716")
    await person(hass, "3-1-102", "钱芳", "790412")
    await person(hass, "1-1-101", "孙悦", "613927")
    await in_sync(hass)
    assert sorted(sim.codes().values()) == ["583716", "790412"]

    # One change: exactly one request to the lock.
    sim.commands.clear()
    await person(hass, "3-2-502", "李娜", "824693")
    await in_sync(hass)
    assert [(c.kind, c.key) for c in sim.commands] == [("set", "pin_code")]
    (write,) = pin_writes(sim)
    assert write["user_enabled"] is True and write["user_type"] == "unrestricted"
    assert write["pin_code"] == "824693"  # a string: leading zeros survive

    # A card cannot go on a Zigbee2MQTT lock: it "does not fit".
    await call(hass, "issue_card", {"person_id": zhao, "card_number": "0012345678"})
    await in_sync(hass)
    issue = ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_UNFITTED)
    assert issue is not None
    assert "kind_unsupported" in issue.translation_placeholders["reasons"]
    assert hass.states.get(SENSOR).attributes["unfitted"] == 1

    # Suspending a person clears their PIN: one clear, nothing else.
    sim.commands.clear()
    await call(hass, "set_person_status", {"person_id": zhao, "status": "suspended"})
    await in_sync(hass)
    assert [(c.kind, c.key) for c in sim.commands] == [("set", "pin_code")]
    assert len(pin_clears(sim)) == 1
    assert "583716" not in sim.codes().values()

    # Diagnostics: which adapter, slot states, never a code.
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    (lock,) = diagnostics["lock_codes"]
    assert lock["backend"] == "zigbee2mqtt"
    assert lock["codes"] == "readable"
    assert lock["capacity"]["pin_users"] == 30
    text = str(diagnostics)
    assert "583716" not in text and "790412" not in text and "824693" not in text


async def test_an_unanswered_write_is_read_back_not_repeated(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """A lock that never tells about writes: each is confirmed by one read."""
    sim = await z2m_lock(pin_users=8, rf_events=False, latency=0.02)
    await community_with(hass, sim)
    sim.commands.clear()
    await person(hass, "3-2-501", "赵磊", "583716")
    await in_sync(hass)
    names = [(c.kind, c.key) for c in sim.commands]
    assert names == [("set", "pin_code"), ("get", "pin_code")]
    assert list(sim.codes().values()) == ["583716"]
    status = codes_of(hass).status()
    assert status is not None and status.failed == 0


async def test_a_pin_revoked_during_a_long_run_is_cleared_next(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """Clears go first, also when a run is already under way (a slow radio)."""
    sim = await z2m_lock(pin_users=12, rf_events=True)
    await community_with(hass, sim)
    first = await person(hass, "3-2-501", "赵磊", "583716")
    await in_sync(hass)
    community = codes_of(hass).entry.runtime_data.community
    (credential,) = [
        c for c in community.index.credentials.values() if c.person_id == first
    ]

    sim.latency = 0.1
    sim.commands.clear()
    pins = ["790412", "824693", "357921", "613927", "246813", "135792"]
    for n, pin in enumerate(pins):
        await person(hass, "3-1-102", f"住户{n}", pin)
    await until(hass, lambda: len(pin_writes(sim)) >= 2)
    await call(hass, "revoke_credential", {"credential_id": credential.id})
    await in_sync(hass)

    sets = [c.value for c in sim.commands if c.kind == "set" and c.key == "pin_code"]
    clear = next(i for i, v in enumerate(sets) if v.get("pin_code") is None)
    assert sum(1 for v in sets[clear:] if v.get("pin_code") is not None) >= 2, sets
    assert sorted(sim.codes().values()) == sorted(pins)


def _event_data(events: list[Any]) -> list[dict[str, Any]]:
    return [dict(e.data) for e in events]


async def test_a_write_whose_answer_is_lost_is_not_repeated(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """The PIN landed, but Zigbee2MQTT logged a timeout: one read, no rewrite."""
    sim = await z2m_lock(pin_users=8, rf_events=True)
    await community_with(hass, sim)
    sim.drop_next(1, written=True)
    sim.commands.clear()
    await person(hass, "3-2-501", "赵磊", "583716")
    await in_sync(hass)
    assert [(c.kind, c.key) for c in sim.commands] == [
        ("set", "pin_code"),
        ("get", "pin_code"),
    ]
    assert list(sim.codes().values()) == ["583716"]
    assert any("failed" in entry["message"] for entry in sim.logged)


async def test_a_lock_without_pin_length_attributes_and_a_quiet_log(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """One unsupported attribute fails a whole read: read the PIN users alone.

    With Zigbee2MQTT's log at ``warning`` its ``Read result``/``Wrote`` lines
    are not published: the capacity comes from the state, the lock-out write
    is taken as sent.
    """
    sim = await z2m_lock(
        pin_users=8,
        rf_events=True,
        unsupported_attributes=("maxPinLen",),
        log_level="warning",
    )
    await community_with(hass, sim)
    reads = [c.value["attributes"] for c in sim.commands if c.key == "read"]
    assert reads == [
        ["numOfPinUsersSupported", "maxPinLen", "minPinLen"],
        ["numOfPinUsersSupported"],
    ]
    assert hass.states.get(SENSOR).attributes["pin_users"] == 8
    assert [c for c in sim.commands if c.key == "write"] != []
    await person(hass, "3-2-501", "赵磊", "583716")
    await in_sync(hass)
    assert list(sim.codes().values()) == ["583716"]


async def test_a_temporary_pin_is_cleared_at_its_end(
    hass: HomeAssistant, mqtt_setup: MockConfigEntry, z2m_lock: Z2mLockFactory
) -> None:
    """No schedules through Zigbee2MQTT: the window is kept by clearing the PIN."""
    sim = await z2m_lock(pin_users=8, rf_events=True)
    await community_with(hass, sim)
    assert codes_of(hass).syncer.capacity.year_day_schedules_per_user == 0  # type: ignore[union-attr]
    person_id = await person(hass, "3-2-501", "赵磊")
    end = dt_util.utcnow() + timedelta(seconds=1)
    await call(
        hass,
        "add_credential",
        {
            "person_id": person_id,
            "kind": "pin",
            "value": "583716",
            "valid_until": end.isoformat(),
        },
    )
    await until(hass, lambda: list(sim.codes().values()) == ["583716"])
    # Its end time wakes the sync, which clears it.
    await until(hass, lambda: not sim.codes(), timeout=10)
    assert len(pin_clears(sim)) == 1
