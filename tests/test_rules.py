"""Rules and penalties through the real service layer and presentations (issue 5)."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.community_access.const import DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import TEST_DOORS, make_entry
from .helpers import CARD, PIN, add_resident, call, present

# Each test on SQLite and on PostgreSQL (the entry's db_url option).
pytestmark = [pytest.mark.both_databases, pytest.mark.usefixtures("entry_db")]


async def _setup(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, doors=None, **options
):
    await hass.config.async_set_time_zone("Asia/Shanghai")
    freezer.move_to("2026-06-01T10:00:00+08:00")
    entry = make_entry(doors=doors, options=options)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def _sensor(hass: HomeAssistant, key: str) -> str:
    return hass.states.get(f"sensor.sunny_gardens_{key}").state


async def test_ladder_rungs_and_fines(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup(hass, freezer)
    ids = await add_resident(hass)
    applied = async_capture_events(hass, f"{DOMAIN}_penalty_applied")
    notices = async_capture_events(hass, f"{DOMAIN}_public_notice")

    # 1st: using another's card → warning with a deadline + 100 yuan fine.
    first = await call(
        hass,
        "record_violation",
        {"credential_id": ids["credential_id"], "kind": "using_anothers_card"},
    )
    kinds = {p["kind"]: p for p in first["penalties"]}
    assert set(kinds) == {"fine", "warning"}
    assert kinds["fine"]["amount"] == 100.0
    assert kinds["warning"]["deadline"] == "2026-06-08T02:00:00+00:00"
    assert (await present(hass, "Gym"))["granted"] is True

    # 2nd: lending → restriction (no public areas) + 200 yuan.
    second = await call(
        hass,
        "record_violation",
        {"person_id": ids["person_id"], "kind": "lending_card"},
    )
    kinds = {p["kind"]: p for p in second["penalties"]}
    assert kinds["fine"]["amount"] == 200.0
    assert "restriction" in kinds
    assert (await present(hass, "Gym"))["reason"] == "restricted"
    assert (await present(hass, "Main gate"))["granted"] is True
    assert (await present(hass, "Building 3 door"))["granted"] is True

    # 3rd: tampering → suspension, no automatic fine.
    third = await call(
        hass,
        "record_violation",
        {"person_id": ids["person_id"], "kind": "tampering", "note": "撬读卡器"},
    )
    assert [p["kind"] for p in third["penalties"]] == ["suspension"]
    assert (await present(hass, "Main gate"))["reason"] == "suspended"
    assert _sensor(hass, "people_suspended") == "1"

    # A suspended resident is still let in by a guard (nobody locked out of home).
    guard = await call(
        hass,
        "guard_verified_entry",
        {"door": "Building 3 door", "unit": "3-2-501", "person_id": ids["person_id"]},
    )
    assert guard["granted"] is True

    # 4th: public notice with the name masked; 5th: a report.
    await call(
        hass, "record_violation", {"person_id": ids["person_id"], "kind": "tailgating"}
    )
    assert notices[0].data["person"] == "赵*"
    assert _sensor(hass, "latest_public_notice") == "赵* 3-2-501"
    fifth = await call(
        hass, "record_violation", {"person_id": ids["person_id"], "kind": "other"}
    )
    assert [p["kind"] for p in fifth["penalties"]] == ["report"]
    assert _sensor(hass, "open_violations") == "5"

    statement = await call(hass, "household_statement", {"unit": "3-2-501"})
    assert statement["fines"] == 300.0
    assert [e["entry"] for e in statement["entries"]].count("fine") == 2
    assert len(applied) == 7

    listed = await call(hass, "list_violations", {"unit": "3-2-501"})
    assert listed["count"] == 5
    assert listed["violations"][0]["kind"] == "other"


async def test_suspension_lifts_itself(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup(hass, freezer)
    ids = await add_resident(hass)
    penalty = await call(
        hass,
        "apply_penalty",
        {"person_id": ids["person_id"], "kind": "suspension", "days": 3},
    )
    assert (await present(hass, "Main gate"))["reason"] == "suspended"
    freezer.tick(timedelta(days=3) - timedelta(seconds=1))
    assert (await present(hass, "Main gate"))["reason"] == "suspended"
    freezer.tick(timedelta(seconds=1))
    assert (await present(hass, "Main gate"))["granted"] is True
    # Lifting early works too.
    again = await call(
        hass, "apply_penalty", {"person_id": ids["person_id"], "kind": "suspension"}
    )
    assert (await present(hass, "Main gate"))["reason"] == "suspended"
    await call(hass, "lift_penalty", {"penalty_id": again["penalty_id"]})
    assert (await present(hass, "Main gate"))["granted"] is True
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "lift_penalty", {"penalty_id": again["penalty_id"]})
    assert err.value.translation_key == "unknown_penalty"
    assert penalty["end"] == "2026-06-04T02:00:00+00:00"


async def test_penalties_survive_restart(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry = await _setup(hass, freezer)
    ids = await add_resident(hass)
    await call(
        hass,
        "apply_penalty",
        {"person_id": ids["person_id"], "kind": "restriction", "days": 10},
    )
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert (await present(hass, "Gym"))["reason"] == "restricted"


PASSBACK_DOORS = [
    (
        "door_in",
        "Gate in",
        {
            "zone_kind": "gate",
            "direction": "in",
            "open_time": 5,
            "anti_passback": "enforce",
        },
    ),
    (
        "door_out",
        "Gate out",
        {
            "zone_kind": "gate",
            "direction": "out",
            "open_time": 5,
            "anti_passback": "enforce",
        },
    ),
    (
        "door_b3",
        "Building 3 door",
        {
            "zone_kind": "building",
            "building": "3",
            "direction": "in",
            "open_time": 5,
            "anti_passback": "log",
        },
    ),
    (
        "door_b3_out",
        "Building 3 exit",
        {
            "zone_kind": "building",
            "building": "3",
            "direction": "out",
            "open_time": 5,
            "anti_passback": "log",
        },
    ),
    (
        "door_gym",
        "Gym",
        {"zone_kind": "public", "area": "gym", "direction": "in", "open_time": 5},
    ),
]


@pytest.mark.parametrize("mode", ["none", "log", "enforce"])
async def test_anti_passback_modes(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, mode: str
) -> None:
    doors = [
        (sid, name, data | {"anti_passback": mode})
        if sid in ("door_in", "door_out")
        else (sid, name, data)
        for sid, name, data in PASSBACK_DOORS
    ]
    await _setup(hass, freezer, doors=doors)
    await add_resident(hass)
    suspected = async_capture_events(hass, f"{DOMAIN}_violation_suspected")
    assert (await present(hass, "Gate in"))["granted"] is True
    second = await present(hass, "Gate in")
    if mode == "enforce":
        assert second["reason"] == "anti_passback"
    else:
        assert second["granted"] is True
    await hass.async_block_till_done()
    assert len(suspected) == (0 if mode == "none" else 1)
    if mode != "none":
        assert suspected[0].data["type"] == "anti_passback"
        assert suspected[0].data["person_name"] == "赵*"
    # Leaving then entering again is fine in every mode.
    assert (await present(hass, "Gate out"))["granted"] is True
    assert (await present(hass, "Gate in"))["granted"] is True


async def test_anti_passback_state_survives_restart(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry = await _setup(hass, freezer, doors=PASSBACK_DOORS)
    await add_resident(hass)
    assert (await present(hass, "Gate in"))["granted"] is True
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert (await present(hass, "Gate in"))["reason"] == "anti_passback"


async def test_restart_restores_only_the_detector_window(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Start-up reads the last 24 h of grants: older ones are not restored."""
    entry = await _setup(hass, freezer, doors=PASSBACK_DOORS)
    first = await add_resident(hass)
    other = await add_resident(hass, name="李秀英", role="family", card="87654321")
    zone = entry.runtime_data.doors["door_in"].config.door.zone.id
    old_entry = dt_util.utcnow()
    assert (await present(hass, "Gate in"))["granted"] is True
    freezer.tick(timedelta(hours=20))
    recent_entry = dt_util.utcnow()
    assert (await present(hass, "Gate in", "87654321"))["granted"] is True
    freezer.tick(timedelta(hours=4, seconds=1))
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    detector = entry.runtime_data.community.detector
    assert detector is not None
    # The entry of 24 h 1 s ago was not read back, even as of its own time.
    assert detector.presence(("person", first["person_id"]), zone, old_entry) is None
    # The entry of 4 h ago was: 李秀英 is inside and may not enter again.
    assert detector.presence(("person", other["person_id"]), zone, recent_entry)
    assert (await present(hass, "Gate in", "87654321"))["reason"] == "anti_passback"
    # 赵磊's entry is over 24 h old: he may enter.
    assert (await present(hass, "Gate in"))["granted"] is True


async def test_impossible_travel_and_auto_record(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup(
        hass,
        freezer,
        travel_seconds=120,
        auto_record_suspicions=True,
        penalty_ladder="",
    )
    ids = await add_resident(hass)
    suspected = async_capture_events(hass, f"{DOMAIN}_violation_suspected")
    assert (await present(hass, "Main gate"))["granted"] is True
    freezer.tick(timedelta(seconds=30))
    assert (await present(hass, "Gym"))[
        "granted"
    ] is True  # still granted: only reported
    await hass.async_block_till_done()
    assert [e.data["type"] for e in suspected] == ["impossible_travel"]
    assert suspected[0].data["seconds"] == 30.0
    listed = await call(hass, "list_violations", {"person_id": ids["person_id"]})
    assert listed["count"] == 1
    assert listed["violations"][0]["source"] == "detection"
    assert listed["violations"][0]["kind"] == "using_anothers_card"
    freezer.tick(timedelta(minutes=5))
    await present(hass, "Main gate")
    await hass.async_block_till_done()
    assert len(suspected) == 1


async def test_card_and_face_disagree(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup(hass, freezer)
    owner = await add_resident(hass)
    other = await add_resident(hass, name="李秀英", role="family", card="87654321")
    await call(
        hass,
        "add_credential",
        {"person_id": other["person_id"], "kind": "face", "value": "face-li"},
    )
    suspected = async_capture_events(hass, f"{DOMAIN}_violation_suspected")
    # The face reader sees 李秀英, then 赵磊's card is presented at the same door.
    assert (await present(hass, "Building 3 door", "face-li", "face"))[
        "granted"
    ] is True
    freezer.tick(timedelta(seconds=3))
    assert (await present(hass, "Building 3 door", CARD))["granted"] is True
    await hass.async_block_till_done()
    assert [e.data["type"] for e in suspected] == ["card_face_mismatch"]
    assert suspected[0].data["person_id"] == owner["person_id"]
    assert suspected[0].data["other_person_id"] == other["person_id"]


async def test_pin_lockout_and_recovery(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup(hass, freezer, pin_lockout_minutes=10)
    ids = await add_resident(hass, card=None)
    await call(
        hass,
        "add_credential",
        {"person_id": ids["person_id"], "kind": "pin", "value": PIN},
    )
    alarms = async_capture_events(hass, f"{DOMAIN}_keypad_locked")
    lockout = "binary_sensor.building_3_door_keypad_locked_out"
    assert hass.states.get(lockout).state == "off"
    for n in range(5):
        assert (await present(hass, "Building 3 door", f"90{n}4817", "pin"))[
            "reason"
        ] == "unknown_credential"
    await hass.async_block_till_done()
    assert len(alarms) == 1
    assert hass.states.get(lockout).state == "on"
    # Even the right PIN is refused while locked; cards still work elsewhere.
    assert (await present(hass, "Building 3 door", PIN, "pin"))[
        "reason"
    ] == "keypad_locked"
    assert (await present(hass, "Main gate", PIN, "pin"))["granted"] is True
    freezer.tick(timedelta(minutes=10))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(lockout).state == "off"
    assert (await present(hass, "Building 3 door", PIN, "pin"))["granted"] is True


async def test_four_wrong_pins_do_not_lock(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup(hass, freezer)
    ids = await add_resident(hass, card=None)
    await call(
        hass,
        "add_credential",
        {"person_id": ids["person_id"], "kind": "pin", "value": PIN},
    )
    for n in range(4):
        await present(hass, "Building 3 door", f"90{n}4817", "pin")
    assert (await present(hass, "Building 3 door", PIN, "pin"))["granted"] is True
    # An unlock service exists for the guard.
    for n in range(5):
        await present(hass, "Building 3 door", f"91{n}4817", "pin")
    assert (await present(hass, "Building 3 door", PIN, "pin"))[
        "reason"
    ] == "keypad_locked"
    await call(hass, "unlock_keypad", {"door": "Building 3 door"})
    assert (await present(hass, "Building 3 door", PIN, "pin"))["granted"] is True


async def test_commendation_and_penalty_blueprint(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup(hass, freezer)
    ids = await add_resident(hass)
    commended = async_capture_events(hass, f"{DOMAIN}_commendation_recorded")
    assert (
        await call(
            hass,
            "record_commendation",
            {"person_id": ids["person_id"], "note": "协助抓获小偷"},
        )
    )["commendation_id"] == 1
    assert commended[0].data["person_name"] == "赵*"
    told = async_capture_events(hass, "household_told")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": f"{DOMAIN}/penalty_notify.yaml",
                    "input": {
                        "kinds": ["warning"],
                        "household_actions": [
                            {
                                "event": "household_told",
                                "event_data": {
                                    "text": "{{ person_name }} {{ kind }} {{ deadline }}"
                                },
                            }
                        ],
                    },
                }
            }
        },
    )
    await hass.async_block_till_done()
    await call(
        hass,
        "apply_penalty",
        {"person_id": ids["person_id"], "kind": "warning", "days": 5},
    )
    await call(hass, "apply_penalty", {"person_id": ids["person_id"], "kind": "report"})
    await hass.async_block_till_done()
    assert [e.data["text"] for e in told] == ["赵* warning 2026-06-06T02:00:00+00:00"]
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass, "apply_penalty", {"person_id": ids["person_id"], "kind": "fine"}
        )
    assert err.value.translation_key == "fine_needs_amount"


async def test_test_doors_unchanged() -> None:
    assert [d[0] for d in TEST_DOORS] == ["door_gate", "door_b3", "door_b1", "door_gym"]


async def test_card_face_window_option(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup(hass, freezer, face_card_seconds=0)
    await add_resident(hass)
    other = await add_resident(hass, name="李秀英", role="family", card="87654321")
    await call(
        hass,
        "add_credential",
        {"person_id": other["person_id"], "kind": "face", "value": "face-li"},
    )
    suspected = async_capture_events(hass, f"{DOMAIN}_violation_suspected")
    await present(hass, "Building 3 door", "face-li", "face")
    await present(hass, "Building 3 door", CARD)
    await hass.async_block_till_done()
    assert suspected == []  # the check is off


async def test_keypad_lockout_survives_restart(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry = await _setup(hass, freezer)
    ids = await add_resident(hass, card=None)
    await call(
        hass,
        "add_credential",
        {"person_id": ids["person_id"], "kind": "pin", "value": PIN},
    )
    for n in range(5):
        await present(hass, "Building 3 door", f"92{n}4817", "pin")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert (await present(hass, "Building 3 door", PIN, "pin"))[
        "reason"
    ] == "keypad_locked"
    assert (
        hass.states.get("binary_sensor.building_3_door_keypad_locked_out").state == "on"
    )
    await call(hass, "unlock_keypad", {"door": "Building 3 door"})
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert (await present(hass, "Building 3 door", PIN, "pin"))["granted"] is True


# ---- issue 11: exits, escape routes, presence per person, face never alone

FIRE_EXIT = (
    "door_b3_fire",
    "Building 3 fire exit",
    {
        "zone_kind": "building",
        "building": "3",
        "direction": "out",
        "open_time": 5,
        "hours": "06:00-22:00",
        "escape_route": True,
        "anti_passback": "enforce",
    },
)


def _enforced_doors() -> list:
    return [
        (sid, name, data | {"anti_passback": "enforce"})
        for sid, name, data in PASSBACK_DOORS
    ] + [FIRE_EXIT]


async def _add_pin(hass: HomeAssistant, person_id: int, **extra) -> dict:
    return await call(
        hass,
        "add_credential",
        {"person_id": person_id, "kind": "pin", "value": PIN, **extra},
    )


async def test_a_second_exit_is_let_through_and_reported(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup(hass, freezer, doors=PASSBACK_DOORS)
    await add_resident(hass)
    suspected = async_capture_events(hass, f"{DOMAIN}_violation_suspected")
    assert (await present(hass, "Gate in"))["granted"] is True
    assert (await present(hass, "Gate out"))["granted"] is True
    again = await present(hass, "Gate out")
    assert (again["granted"], again["reason"]) == (True, "granted")
    await hass.async_block_till_done()
    assert [(e.data["type"], e.data["direction"]) for e in suspected] == [
        ("anti_passback", "out")
    ]
    assert suspected[0].data["person_name"] == "赵*"  # masked: every user reads events


async def test_card_then_pin_of_the_same_person_is_a_second_entry(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup(hass, freezer, doors=PASSBACK_DOORS)
    ids = await add_resident(hass)
    await _add_pin(hass, ids["person_id"])
    assert (await present(hass, "Gate in"))["granted"] is True
    assert (await present(hass, "Gate in", PIN, "pin"))["reason"] == "anti_passback"
    # Leaving with the PIN lets the card in again.
    assert (await present(hass, "Gate out", PIN, "pin"))["granted"] is True
    assert (await present(hass, "Gate in"))["granted"] is True


async def test_presence_per_person_survives_restart(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry = await _setup(hass, freezer, doors=PASSBACK_DOORS)
    ids = await add_resident(hass)
    await _add_pin(hass, ids["person_id"])
    other = await add_resident(hass, name="李秀英", role="family", card="87654321")
    assert (await present(hass, "Gate in"))["granted"] is True
    freezer.tick(timedelta(minutes=1))
    assert (await present(hass, "Gate in", "87654321"))["granted"] is True
    freezer.tick(timedelta(minutes=1))
    assert (await present(hass, "Gate out", "87654321"))["granted"] is True
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    # 赵磊 came in with the card: his PIN may not come in again.
    assert (await present(hass, "Gate in", PIN, "pin"))["reason"] == "anti_passback"
    # 李秀英 left: she may come in.
    assert (await present(hass, "Gate in", "87654321"))["granted"] is True
    assert other["person_id"] != ids["person_id"]


async def test_escape_route_exit_opens_for_everyone(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup(hass, freezer, doors=_enforced_doors())
    ids = await add_resident(hass)
    await call(
        hass,
        "apply_penalty",
        {"person_id": ids["person_id"], "kind": "suspension", "days": 3},
    )
    granted = async_capture_events(hass, f"{DOMAIN}_access_granted")
    # Suspended: the ordinary exit refuses, the fire exit lets out.
    assert (await present(hass, "Building 3 exit"))["reason"] == "suspended"
    out = await present(hass, "Building 3 fire exit")
    assert (out["granted"], out["reason"], out["waived"]) == (
        True,
        "escape_route",
        "suspended",
    )
    assert out["person_name"] == "赵磊"
    await hass.async_block_till_done()
    assert [(e.data["reason"], e.data["waived"]) for e in granted] == [
        ("escape_route", "suspended")
    ]
    # Outside the door's hours (23:00) and with an unknown card: still open.
    freezer.move_to("2026-06-01T23:00:00+08:00")
    await call(hass, "lift_penalty", {"penalty_id": 1})
    late = await present(hass, "Building 3 fire exit")
    assert (late["granted"], late["reason"]) == (True, "escape_route")
    stranger = await present(hass, "Building 3 fire exit", "99887766")
    assert (stranger["granted"], stranger["reason"]) == (True, "escape_route")
    # The record keeps the rule that would have refused each.
    log = await call(hass, "query_access_log", {"door": "Building 3 fire exit"})
    assert [(r["reason"], r["note"], r["granted"]) for r in log["records"]] == [
        ("escape_route", "unknown_credential", True),
        ("escape_route", "outside_time_window", True),
        ("escape_route", "suspended", True),
    ]


async def test_face_refused_once_the_last_card_is_lost(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup(hass, freezer)
    ids = await add_resident(hass)
    await call(
        hass,
        "add_credential",
        {"person_id": ids["person_id"], "kind": "face", "value": "face-zl"},
    )
    assert (await present(hass, "Building 3 door", "face-zl", "face"))[
        "granted"
    ] is True
    await call(hass, "report_card_lost", {"credential_id": ids["credential_id"]})
    face = await present(hass, "Building 3 door", "face-zl", "face")
    assert (face["granted"], face["reason"]) == (False, "face_alone")
    # A PIN given at the desk brings the face back.
    await _add_pin(hass, ids["person_id"])
    assert (await present(hass, "Building 3 door", "face-zl", "face"))[
        "granted"
    ] is True


async def test_face_refused_once_the_last_card_expires(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup(hass, freezer)
    ids = await add_resident(hass, card=None)
    await call(
        hass,
        "issue_card",
        {
            "person_id": ids["person_id"],
            "card_number": CARD,
            "valid_until": "2026-06-01T12:00:00+08:00",
        },
    )
    await call(
        hass,
        "add_credential",
        {"person_id": ids["person_id"], "kind": "face", "value": "face-zl"},
    )
    assert (await present(hass, "Building 3 door", "face-zl", "face"))[
        "granted"
    ] is True
    expired = async_capture_events(hass, f"{DOMAIN}_credential_expired")
    # The card ended; no timer has marked it expired yet.
    freezer.move_to("2026-06-01T12:00:00+08:00")
    assert (await present(hass, "Building 3 door", "face-zl", "face"))[
        "reason"
    ] == "face_alone"
    # After it is marked expired too (at its end time, or by the sweep).
    freezer.tick(timedelta(minutes=10))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [e.data["kind"] for e in expired] == ["card"]
    assert (await present(hass, "Building 3 door", "face-zl", "face"))[
        "reason"
    ] == "face_alone"


async def test_face_with_an_active_pin_is_granted(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup(hass, freezer)
    ids = await add_resident(hass, card=None)
    await _add_pin(hass, ids["person_id"])
    await call(
        hass,
        "add_credential",
        {"person_id": ids["person_id"], "kind": "face", "value": "face-zl"},
    )
    face = await present(hass, "Building 3 door", "face-zl", "face")
    assert (face["granted"], face["reason"]) == (True, "granted")


async def test_face_refused_once_the_last_pin_is_revoked_as_unused(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup(hass, freezer, revoke_unused_days=60)
    ids = await add_resident(hass, card=None)
    await _add_pin(hass, ids["person_id"])
    await call(
        hass,
        "add_credential",
        {"person_id": ids["person_id"], "kind": "face", "value": "face-zl"},
    )
    # The face is used every day, the PIN never. The nightly run due since
    # the jump in time runs first (59 days: nothing is revoked yet), so it
    # cannot race the face's access record.
    freezer.move_to("2026-07-31T04:00:00+08:00")
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert (await present(hass, "Building 3 door", "face-zl", "face"))[
        "granted"
    ] is True
    revoked = async_capture_events(hass, f"{DOMAIN}_credential_revoked")
    freezer.move_to("2026-08-02T03:17:00+08:00")
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [e.data["kind"] for e in revoked] == ["pin"]
    refused = await present(hass, "Building 3 door", "face-zl", "face")
    assert (refused["granted"], refused["reason"]) == (False, "face_alone")
