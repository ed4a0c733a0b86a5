"""Who sees whose names, and what the logbook says (issue 11, defects 3 and 15).

Names are masked (``王**``) in every state, attribute, bus event and logbook
line unless the community's ``show_full_names`` option is on; one access is
one logbook line; a reload writes no "became unavailable" lines; logbook text
has words and local times, never raw keys or UTC timestamps.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import re
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.core.decision import Reason
from custom_components.community_access.core.models import (
    CredentialKind,
    PenaltyKind,
    ViolationKind,
)
from custom_components.community_access.logbook import describe, describe_desk
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import make_entry
from .helpers import (
    add_resident,
    call,
    enable_disabled_entities,
    present,
    setup_community,
)

RESIDENT = "王建国"
VISITOR = "孙丽"


def _valid(body: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


VISITOR_ID = _valid("44030519851212301")


def _capture_ours(hass: HomeAssistant) -> list[Event]:
    events: list[Event] = []
    hass.bus.async_listen(
        "*",
        lambda event: (
            events.append(event) if event.event_type.startswith(DOMAIN) else None
        ),
    )
    return events


async def _comings_and_goings(hass: HomeAssistant) -> None:
    """A resident in and refused, a card lost, a visitor approved and in."""
    ids = await add_resident(hass, name=RESIDENT)
    assert (await present(hass, "Building 3 door"))["granted"] is True
    assert (await present(hass, "Building 1 door"))["granted"] is False
    visit = await call(
        hass,
        "register_visitor",
        {
            "unit": "3-2-501",
            "name": VISITOR,
            "id_number": VISITOR_ID,
            "phone": "13900001111",
            "purpose": "送文件",
        },
    )
    approved = await call(hass, "approve_visitor", {"visit_id": visit["visit_id"]})
    assert (await present(hass, "Main gate", approved["code"], "pin"))["granted"]
    await call(hass, "report_card_lost", {"credential_id": ids["credential_id"]})
    await call(
        hass,
        "record_violation",
        {"person_id": ids["person_id"], "kind": "lending_card"},
    )
    await hass.async_block_till_done()


def _everything_shown(hass: HomeAssistant, events: list[Event]) -> str:
    """States, attributes, our bus events and their logbook lines, as text."""
    parts = [
        repr((s.entity_id, s.state, dict(s.attributes)))
        for s in hass.states.async_all()
    ]
    for event in events:
        parts.append(repr(dict(event.data)))
        parts.append(repr(_logbook_line(hass, event)))
    return "\n".join(parts)


def _logbook_line(hass: HomeAssistant, event: Event) -> dict[str, str] | None:
    from custom_components.community_access.logbook import describe_event

    return describe_event(hass, event.event_type, dict(event.data))


async def test_names_are_masked_by_default(hass: HomeAssistant) -> None:
    entry = make_entry()
    await setup_community(hass, entry)
    await enable_disabled_entities(hass, entry)
    events = _capture_ours(hass)
    await _comings_and_goings(hass)

    shown = _everything_shown(hass, events)
    assert RESIDENT not in shown
    assert VISITOR not in shown
    access = [e for e in events if e.event_type.startswith(f"{DOMAIN}_access_")]
    assert {e.data["person_name"] for e in access} == {"王**", "孙*"}
    # One person looks the same everywhere: the visitor's access and visit lines.
    visitor_lines = [
        line["message"]
        for e in events
        if (line := _logbook_line(hass, e)) and "孙" in line["message"]
    ]
    assert len(visitor_lines) >= 3
    assert all("孙*" in line for line in visitor_lines)
    reader = hass.states.get("event.sunny_gardens_building_3_door_reader")
    assert reader is None or reader.attributes.get("person_name") in (None, "王**")
    # The admin's service answer keeps the full name.
    record = await call(hass, "query_access_log", {"limit": 10})
    assert RESIDENT in repr(record)


async def test_full_names_when_the_option_says_so(hass: HomeAssistant) -> None:
    entry = make_entry(options={"show_full_names": True})
    await setup_community(hass, entry)
    await enable_disabled_entities(hass, entry)
    events = _capture_ours(hass)
    await _comings_and_goings(hass)

    access = [e for e in events if e.event_type.startswith(f"{DOMAIN}_access_")]
    assert {e.data["person_name"] for e in access} == {RESIDENT, VISITOR}
    lost = next(e for e in events if e.event_type == f"{DOMAIN}_card_lost")
    assert lost.data["person_name"] == RESIDENT
    approved = next(e for e in events if e.event_type == f"{DOMAIN}_visitor_approved")
    assert approved.data["visitor"] == VISITOR
    assert VISITOR in _logbook_line(hass, approved)["message"]
    visit_sensors = [
        s for s in hass.states.async_all("sensor") if "visitor" in s.attributes
    ]
    assert [s.attributes["visitor"] for s in visit_sensors] == [VISITOR]


# --- words -----------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
def test_every_reason_reads_as_words(language: str) -> None:
    seen = set()
    for reason in Reason:
        data = {"door": "Gate", "person_name": "王**", "reason": reason.value}
        message = describe(f"{DOMAIN}_access_denied", data, language)["message"]
        assert "_" not in message
        if language.startswith("zh"):
            assert not re.search("[A-Za-z]", message), message
        seen.add(message)
    assert len(seen) == len(Reason)


async def test_desk_lines_have_words_and_local_times(hass: HomeAssistant) -> None:
    await hass.config.async_set_time_zone("Asia/Shanghai")
    approved = {
        "visitor": "孙*",
        "unit": "3-2-501",
        "valid_until": "2026-12-05T09:37:33+00:00",
    }
    assert (
        describe_desk("visitor_approved", approved, "en")["message"]
        == "visitor 孙* approved until 2026-12-05 17:37"
    )
    assert (
        describe_desk("visitor_approved", approved, "zh-Hans")["message"]
        == "访客 孙* 已获准,至 2026-12-05 17:37"
    )
    who = {"person_name": "王**", "unit": "3-2-501"}
    violation = who | {"kind": "lending_card"}
    assert (
        describe_desk("violation_recorded", violation, "en")["message"]
        == "violation recorded: lending a card"
    )
    assert (
        describe_desk("violation_recorded", violation, "zh-Hans")["message"]
        == "记录违规:出借门禁卡"
    )
    fine = who | {"kind": "fine", "amount": 200.0}
    assert (
        describe_desk("penalty_applied", fine, "en")["message"]
        == "penalty applied: a fine of 200 yuan"
    )
    assert (
        describe_desk("penalty_applied", fine, "zh-Hans")["message"]
        == "执行处罚:罚款 200 元"
    )
    revoked = who | {"kind": "phone_tag"}
    assert (
        describe_desk("credential_revoked", revoked, "en")["message"]
        == "had a phone tag revoked"
    )
    assert describe_desk("credential_revoked", revoked, "zh-Hans")["message"] == (
        "的手机门禁标签已撤销"
    )
    suspected = who | {"type": "impossible_travel"}
    assert (
        "impossible_travel"
        not in describe_desk("violation_suspected", suspected, "en")["message"]
    )
    programmed = {"door": "Gate", "event": "pin_added", "slot": 3}
    assert (
        describe_desk("lock_programmed", programmed, "en")["message"]
        == "a PIN was added at the lock's own keypad (slot 3)"
    )
    temporary = who | {"valid_until": "2026-12-05T09:37:33+00:00"}
    assert (
        "2026-12-05 17:37"
        in describe_desk("temporary_card_issued", temporary, "zh-Hans")["message"]
    )
    locked = {"door_id": "door_gate", "until": "2026-12-05T09:37:33+00:00"}
    assert "17:37" in describe_desk("keypad_locked", locked, "en")["message"]


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
def test_every_kind_has_words(language: str) -> None:
    from custom_components.community_access import words

    zh = language.startswith("zh")
    for table, keys in (
        (words.VIOLATIONS, list(ViolationKind)),
        (words.PENALTIES, list(PenaltyKind)),
        (words.CREDENTIALS, list(CredentialKind)),
        (
            words.SUSPICIONS,
            ["anti_passback", "impossible_travel", "card_face_mismatch"],
        ),
        (words.LOCK_PROGRAMMING, ["master_code_changed", "pin_added", "rfid_deleted"]),
    ):
        for key in keys:
            assert str(key) in table
            text = words.word(table, str(key), language)
            assert text and (text != str(key) or "_" not in text)
            assert ("_" not in text) or zh


# --- the logbook itself ------------------------------------------------------


async def _logbook(hass: HomeAssistant, start: datetime) -> list[dict[str, Any]]:
    from pytest_homeassistant_custom_component.components.recorder.common import (
        async_wait_recording_done,
    )

    from homeassistant.components.logbook.helpers import async_determine_event_types
    from homeassistant.components.logbook.processor import EventProcessor
    from homeassistant.components.recorder import get_instance

    await hass.async_block_till_done()
    await async_wait_recording_done(hass)
    processor = EventProcessor(hass, async_determine_event_types(hass, None, None))
    return await get_instance(hass).async_add_executor_job(
        processor.get_events, start, dt_util.utcnow() + timedelta(seconds=1)
    )


async def _setup_logbook(hass: HomeAssistant) -> None:
    # The logbook's frontend panel is not needed (and not installed) here.
    hass.config.components.add("frontend")
    hass.data.setdefault("frontend_panels", {})
    assert await async_setup_component(hass, "logbook", {})


def _ours(hass: HomeAssistant, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    registry = er.async_get(hass)
    return [
        line
        for line in lines
        if line.get("domain") == DOMAIN
        or (
            (entity := registry.async_get(line.get("entity_id") or ""))
            and entity.platform == DOMAIN
        )
    ]


async def test_one_access_is_one_logbook_line(
    recorder_mock, hass: HomeAssistant
) -> None:
    await _setup_logbook(hass)
    entry = make_entry()
    await setup_community(hass, entry)
    await add_resident(hass, name=RESIDENT)
    start = dt_util.utcnow()
    assert (await present(hass, "Building 3 door"))["granted"] is True
    lines = _ours(hass, await _logbook(hass, start))
    described = [(line["name"], line["message"]) for line in lines if "message" in line]
    assert described == [("Building 3 door", "granted access to 王**")]
    # The rest is the door lock's own state change (unlocked, then locked).
    others = [line for line in lines if "message" not in line]
    assert {(line["entity_id"], line["state"]) for line in others} <= {
        ("lock.building_3_door", "unlocked"),
        ("lock.building_3_door", "locked"),
    }


async def test_reload_writes_no_unavailable_lines(
    recorder_mock, hass: HomeAssistant
) -> None:
    await _setup_logbook(hass)
    entry = make_entry()
    await setup_community(hass, entry)
    start = dt_util.utcnow()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    lines = _ours(hass, await _logbook(hass, start))
    assert [line for line in lines if line.get("state") == "unavailable"] == []
    assert lines == []


async def test_existing_reader_event_entities_are_disabled(hass: HomeAssistant) -> None:
    entry = make_entry()
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, minor_version=1)
    registry = er.async_get(hass)
    old = registry.async_get_or_create(
        "event",
        DOMAIN,
        f"{entry.entry_id}_door_gate_reader",
        config_entry=entry,
        config_subentry_id="door_gate",
    )
    assert old.disabled_by is None
    await hass.config.async_set_time_zone("Asia/Shanghai")
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.minor_version == 2
    assert registry.async_get(old.entity_id).disabled_by is (
        er.RegistryEntryDisabler.INTEGRATION
    )
    # New doors' reader entities start disabled too.
    # (the doors' alarm event entities stay enabled: alarms are rare and matter)
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        if entity.domain == "event":
            reader = entity.unique_id.endswith("_reader")
            assert (entity.disabled_by is not None) is reader


async def test_logbook_masks_lines_recorded_before(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """Events recorded with full names (older versions) are shown masked."""
    from custom_components.community_access.logbook import describe_event

    denied = {
        "door_id": "door_b1",
        "door": "Building 1 door",
        "granted": False,
        "reason": "zone_not_allowed",
        "person_name": RESIDENT,
    }
    locked = {"door_id": "door_gate", "until": "2026-12-05T09:37:33+00:00"}
    hass.config.language = "en"
    assert describe_event(hass, f"{DOMAIN}_access_denied", denied) == {
        "name": "Building 1 door",
        "message": "denied 王**: no access to this area",
    }
    assert describe_event(hass, f"{DOMAIN}_keypad_locked", locked) == {
        "name": "Main gate",
        "message": "keypad locked after wrong PINs until 2026-12-05 17:37",
    }
    hass.config.language = "zh-Hans"
    assert describe_event(hass, f"{DOMAIN}_access_denied", denied) == {
        "name": "Building 1 door",
        "message": "拒绝 王**:无权进入该区域",
    }
    assert describe_event(hass, f"{DOMAIN}_keypad_locked", locked) == {
        "name": "Main gate",
        "message": "密码错误过多,键盘已锁定至 2026-12-05 17:37",
    }
    assert describe_event(hass, f"{DOMAIN}_reader_alarm", {}) is None
