"""Door alarms in a running Home Assistant (管理规定 6 报警管理).

The gate has a door contact and an exit button: template binary sensors over
input booleans, so a test opens the door by switching a boolean.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.community_access.const import DOMAIN, EVENT_DOOR_ALARM
from custom_components.community_access.core.operations.alarms import AlarmKind
from custom_components.community_access.logbook import describe_event
from homeassistant.auth.models import User
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON
from homeassistant.core import Context, HomeAssistant, ServiceCall
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.setup import async_setup_component
from tests.conftest import doors_with, make_entry
from tests.helpers import CARD, add_resident, call, present, setup_community

CONTACT = "binary_sensor.gate_contact"
EXIT = "binary_sensor.gate_exit"
PROBLEM = "binary_sensor.main_gate_alarm"
ALARM_EVENT = "event.main_gate_alarm"
HELD_OPEN_AFTER = 30


async def _inputs(hass: HomeAssistant) -> None:
    """Input booleans behind a door contact and an exit button."""
    assert await async_setup_component(
        hass,
        "input_boolean",
        {"input_boolean": {"gate_open": {}, "gate_button": {}, "gate_offline": {}}},
    )
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "binary_sensor": [
                        {
                            "name": "Gate contact",
                            "device_class": "door",
                            "availability": "{{ is_state("
                            "'input_boolean.gate_offline', 'off') }}",
                            "state": "{{ is_state('input_boolean.gate_open', 'on') }}",
                        },
                        {
                            "name": "Gate exit",
                            "state": "{{ is_state('input_boolean.gate_button', 'on') }}",
                        },
                    ],
                    # the same button as an event entity: an event per press
                    "event": [
                        {
                            "name": "Gate button",
                            "event_type": "{{ 'press' if is_state("
                            "'input_boolean.gate_button', 'on') else None }}",
                            "event_types": "{{ ['press'] }}",
                        }
                    ],
                }
            ]
        },
    )
    await hass.async_block_till_done()
    assert hass.states.get(CONTACT).state == STATE_OFF


def _entry(**options: Any) -> MockConfigEntry:
    return make_entry(
        doors=doors_with(
            "door_gate",
            door_contact=CONTACT,
            exit_request=EXIT,
            held_open_after=HELD_OPEN_AFTER,
        ),
        options={"guard_notify": "notify.guard_desk", **options},
    )


@pytest.fixture
async def notified(hass: HomeAssistant) -> list[ServiceCall]:
    """The guard desk's notify service, mocked."""
    return async_mock_service(hass, "notify", "guard_desk")


@pytest.fixture
async def gate(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, notified: list[ServiceCall]
) -> MockConfigEntry:
    """The community, its gate watched by a contact and an exit button."""
    await _inputs(hass)
    entry = _entry()
    await setup_community(hass, entry)
    return entry


async def _switch(hass: HomeAssistant, entity: str, on: bool) -> None:
    await hass.services.async_call(
        "input_boolean",
        "turn_on" if on else "turn_off",
        {ATTR_ENTITY_ID: f"input_boolean.{entity}"},
        blocking=True,
    )
    await hass.async_block_till_done()
    # state change listeners are called soon after the change, not at once
    await asyncio.sleep(0)
    await hass.async_block_till_done()


async def _door(hass: HomeAssistant, is_open: bool) -> None:
    await _switch(hass, "gate_open", is_open)


async def _tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, s: float) -> None:
    freezer.tick(timedelta(seconds=s))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def _alarms(hass: HomeAssistant, **filters: Any) -> dict[str, Any]:
    response = await call(hass, "list_alarms", filters)
    assert isinstance(response, dict)
    return response


async def test_forced_open_raises_an_alarm_everywhere(
    hass: HomeAssistant, gate: MockConfigEntry, notified: list[ServiceCall]
) -> None:
    events = async_capture_events(hass, EVENT_DOOR_ALARM)
    assert hass.states.get(PROBLEM).state == STATE_OFF

    await _door(hass, True)

    # the bus event (no personal data), the alarm event, the problem sensor
    assert [e.data["state"] for e in events] == ["started"]
    data = events[0].data
    assert set(data) == {"alarm_id", "door_id", "door", "kind", "state", "at"}
    assert data["kind"] == "forced_open" and data["door"] == "Main gate"
    event = hass.states.get(ALARM_EVENT)
    assert event.attributes["event_type"] == "forced_open"
    assert event.attributes["alarm_id"] == data["alarm_id"]
    problem = hass.states.get(PROBLEM)
    assert problem.state == STATE_ON
    assert problem.attributes["active"] == ["forced_open"]
    # the guard desk was told, in the community's language
    assert len(notified) == 1
    assert notified[0].data["title"] == "Door alarm"
    assert notified[0].data["message"] == "Main gate: forced open"
    # the audit row, to the second
    listed = await _alarms(hass)
    assert listed["total"] == 1
    row = listed["alarms"][0]
    assert row["kind"] == "forced_open" and row["active"] is True
    assert row["door"] == "Main gate"
    assert row["started_at"] == data["at"]
    # the logbook line: the door as name, no person
    line = describe_event(hass, EVENT_DOOR_ALARM, dict(data))
    assert line is not None
    assert line["name"] == "Main gate"
    assert line["message"].startswith("alarm: forced open at ")
    hass.config.language = "zh-Hans"
    line = describe_event(hass, EVENT_DOOR_ALARM, dict(data))
    assert line is not None
    assert line["message"].startswith("报警:被强行打开(")
    hass.config.language = "en"

    await _door(hass, False)
    assert [e.data["state"] for e in events] == ["started", "ended"]
    assert hass.states.get(ALARM_EVENT).attributes["event_type"] == "alarm_ended"
    # ended, but nobody has acknowledged it yet
    assert hass.states.get(PROBLEM).state == STATE_ON
    assert hass.states.get(PROBLEM).attributes["active"] == []
    assert (await _alarms(hass))["alarms"][0]["ended_at"] is not None

    answer = await call(
        hass, "acknowledge_alarm", {"alarm_id": data["alarm_id"], "note": "checked"}
    )
    assert answer["note"] == "checked"
    assert hass.states.get(PROBLEM).state == STATE_OFF
    assert hass.states.get(ALARM_EVENT).attributes["event_type"] == "alarm_acknowledged"
    assert events[-1].data["state"] == "acknowledged"
    actions = await gate.runtime_data.community.admin_actions()
    assert actions[0].action == "acknowledge_alarm"
    assert actions[0].details == {
        "alarm_id": data["alarm_id"],
        "door_id": "door_gate",
        "kind": "forced_open",
    }


async def test_chinese_notification(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, notified: list[ServiceCall]
) -> None:
    hass.config.language = "zh-Hans"
    await _inputs(hass)
    await setup_community(hass, _entry())
    await _door(hass, True)
    assert notified[0].data["title"] == "门禁报警"
    assert notified[0].data["message"] == "Main gate:被强行打开"


async def test_legitimate_openings_raise_no_alarm(
    hass: HomeAssistant,
    gate: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    notified: list[ServiceCall],
) -> None:
    events = async_capture_events(hass, EVENT_DOOR_ALARM)
    ids = await add_resident(hass, unit="1-1-101", card=CARD)

    # a grant: the door may open within its open time (5 s)
    assert (await present(hass, "Main gate"))["granted"]
    await _tick(hass, freezer, 3)
    await _door(hass, True)
    await _door(hass, False)

    # the exit button
    await _tick(hass, freezer, 60)
    await _switch(hass, "gate_button", True)
    await _switch(hass, "gate_button", False)
    await _tick(hass, freezer, 2)
    await _door(hass, True)
    await _door(hass, False)

    # a remote open (the door's lock entity)
    await _tick(hass, freezer, 60)
    await hass.services.async_call(
        "lock", "unlock", {ATTR_ENTITY_ID: "lock.main_gate"}, blocking=True
    )
    await _door(hass, True)
    await _door(hass, False)

    # a guard lets a resident in after a check
    await _tick(hass, freezer, 60)
    await call(
        hass,
        "guard_verified_entry",
        {"door": "Main gate", "unit": "1-1-101", "person_id": ids["person_id"]},
    )
    await _door(hass, True)
    await _door(hass, False)

    # an opening hook of another part (an emergency release)
    await _tick(hass, freezer, 60)
    remove = gate.runtime_data.ops.alarms.add_open_predicate(
        lambda door_id, _at: door_id == "door_gate"
    )
    await _door(hass, True)
    await _tick(hass, freezer, HELD_OPEN_AFTER + 5)
    await _door(hass, False)
    remove()
    assert events == [] and notified == []

    # a grant long ago does not cover a later opening
    await _tick(hass, freezer, 60)
    await _door(hass, True)
    assert [e.data["kind"] for e in events] == ["forced_open"]


async def test_held_open_after_a_grant(
    hass: HomeAssistant,
    gate: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    notified: list[ServiceCall],
) -> None:
    events = async_capture_events(hass, EVENT_DOOR_ALARM)
    await add_resident(hass, unit="1-1-101", card=CARD)
    await present(hass, "Main gate")
    await _door(hass, True)
    await _tick(hass, freezer, HELD_OPEN_AFTER - 1)
    assert events == []
    await _tick(hass, freezer, 1)
    assert [(e.data["kind"], e.data["state"]) for e in events] == [
        ("held_open", "started")
    ]
    assert hass.states.get(PROBLEM).attributes["active"] == ["held_open"]
    assert notified[0].data["message"] == "Main gate: held open too long"
    await _tick(hass, freezer, 10)
    await _door(hass, False)
    assert events[-1].data["state"] == "ended"
    row = (await _alarms(hass, kind="held_open"))["alarms"][0]
    started = row["started_at"]
    ended = row["ended_at"]
    assert hass.states.get(ALARM_EVENT).attributes["event_type"] == "alarm_ended"
    assert started < ended


async def test_a_door_closed_in_time_is_not_held_open(
    hass: HomeAssistant, gate: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    events = async_capture_events(hass, EVENT_DOOR_ALARM)
    await add_resident(hass, unit="1-1-101", card=CARD)
    await present(hass, "Main gate")
    await _door(hass, True)
    await _tick(hass, freezer, 10)
    await _door(hass, False)
    await _tick(hass, freezer, HELD_OPEN_AFTER * 2)
    assert events == []


async def test_who_may_acknowledge(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    notified: list[ServiceCall],
    hass_read_only_user: User,
    hass_admin_user: User,
) -> None:
    guard = await hass.auth.async_create_user("Lao Wang", group_ids=["system-users"])
    await _inputs(hass)
    entry = _entry(guard_users=[guard.id])
    await setup_community(hass, entry)
    for _ in range(3):
        await _door(hass, True)
        await _door(hass, False)
    ids = [a["alarm_id"] for a in (await _alarms(hass))["alarms"]]
    assert len(ids) == 3

    with pytest.raises(Unauthorized):
        await call(
            hass,
            "acknowledge_alarm",
            {"alarm_id": ids[0]},
            context=Context(user_id=hass_read_only_user.id),
        )
    with pytest.raises(Unauthorized):
        await call(
            hass,
            "list_alarms",
            {},
            context=Context(user_id=hass_read_only_user.id),
        )
    assert (await _alarms(hass, acknowledged=True))["total"] == 0

    by_guard = await call(
        hass,
        "acknowledge_alarm",
        {"alarm_id": ids[0]},
        context=Context(user_id=guard.id),
    )
    assert by_guard["acknowledged_by"] == guard.id
    by_admin = await call(
        hass,
        "acknowledge_alarm",
        {"alarm_id": ids[1]},
        context=Context(user_id=hass_admin_user.id),
    )
    assert by_admin["acknowledged_by"] == hass_admin_user.id
    # an automation (no user)
    assert (await call(hass, "acknowledge_alarm", {"alarm_id": ids[2]}))[
        "acknowledged_by"
    ] is None
    assert hass.states.get(PROBLEM).state == STATE_OFF

    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "acknowledge_alarm", {"alarm_id": ids[0]})
    assert err.value.translation_key == "alarm_already_acknowledged"
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "acknowledge_alarm", {"alarm_id": 999})
    assert err.value.translation_key == "unknown_alarm"


async def test_list_alarms_filters_and_pages(
    hass: HomeAssistant,
    gate: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    for _ in range(5):
        await _door(hass, True)
        await _tick(hass, freezer, 60)
        await _door(hass, False)
    alarms = gate.runtime_data.ops.alarms
    alarms.reader_status("door_b3", _kind("tamper"), True)
    await hass.async_block_till_done()

    everything = await _alarms(hass)
    assert everything["total"] == 6
    assert everything["alarms"][0]["kind"] == "tamper"  # newest first
    forced = await _alarms(hass, door="Main gate", kind="forced_open")
    assert forced["total"] == 5
    first_id = forced["alarms"][-1]["alarm_id"]
    await call(hass, "acknowledge_alarm", {"alarm_id": first_id})
    assert (await _alarms(hass, acknowledged=True))["alarms"][0]["alarm_id"] == (
        first_id
    )
    assert (await _alarms(hass, active=True))["total"] == 1
    assert (await _alarms(hass, active=False, acknowledged=False))["total"] == 4
    page = await _alarms(hass, door="door_gate", limit=2, offset=2)
    assert page["total"] == 5 and page["count"] == 2
    assert [a["alarm_id"] for a in page["alarms"]] == [
        a["alarm_id"] for a in forced["alarms"][2:4]
    ]
    start = forced["alarms"][-1]["started_at"]
    since = await _alarms(hass, since=start, kind="forced_open")
    assert since["total"] == 5
    until = await _alarms(hass, until=start)
    assert until["total"] == 0
    with pytest.raises(ServiceValidationError) as err:
        await _alarms(hass, door="Nowhere")
    assert err.value.translation_key == "unknown_door"


def _kind(value: str) -> AlarmKind:
    return AlarmKind(value)


async def test_open_alarms_survive_a_restart(
    hass: HomeAssistant,
    gate: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    events = async_capture_events(hass, EVENT_DOOR_ALARM)
    await _door(hass, True)
    assert hass.states.get(PROBLEM).state == STATE_ON

    assert await hass.config_entries.async_reload(gate.entry_id)
    await hass.async_block_till_done()
    # still open: still one active alarm, no new one
    assert hass.states.get(PROBLEM).state == STATE_ON
    assert hass.states.get(PROBLEM).attributes["active"] == ["forced_open"]
    assert [e.data["state"] for e in events] == ["started"]

    await _door(hass, False)
    assert [e.data["state"] for e in events] == ["started", "ended"]
    # closed while Home Assistant was down: ended at set-up
    await _door(hass, True)
    assert hass.states.get(PROBLEM).attributes["active"] == ["forced_open"]
    entry = gate
    assert await hass.config_entries.async_unload(entry.entry_id)
    await _door(hass, False)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert [e.data["state"] for e in events][-1] == "ended"
    assert hass.states.get(PROBLEM).attributes["active"] == []
    assert hass.states.get(PROBLEM).state == STATE_ON  # two not acknowledged
    assert len(hass.states.get(PROBLEM).attributes["unacknowledged"]) == 2


async def test_a_door_open_at_restart_is_timed(
    hass: HomeAssistant,
    gate: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    events = async_capture_events(hass, EVENT_DOOR_ALARM)
    await add_resident(hass, unit="1-1-101", card=CARD)
    await present(hass, "Main gate")
    await _door(hass, True)
    assert await hass.config_entries.async_reload(gate.entry_id)
    await hass.async_block_till_done()
    assert events == []
    await _tick(hass, freezer, HELD_OPEN_AFTER)
    assert [e.data["kind"] for e in events] == ["held_open"]


async def test_reader_tamper_and_power(
    hass: HomeAssistant, gate: MockConfigEntry, notified: list[ServiceCall]
) -> None:
    alarms = gate.runtime_data.ops.alarms
    alarms.reader_status("door_gate", _kind("tamper"), True)
    alarms.reader_status("door_gate", _kind("power_failure"), True)
    await hass.async_block_till_done()
    assert sorted(hass.states.get(PROBLEM).attributes["active"]) == [
        "power_failure",
        "tamper",
    ]
    assert [n.data["message"] for n in notified] == [
        "Main gate: reader tampered with",
        "Main gate: reader power failure",
    ]
    alarms.reader_status("door_gate", _kind("tamper"), False)
    await hass.async_block_till_done()
    assert hass.states.get(PROBLEM).attributes["active"] == ["power_failure"]


async def test_door_flow_offers_contact_and_exit_button(
    hass: HomeAssistant, gate: MockConfigEntry
) -> None:
    result = await hass.config_entries.subentries.async_init(
        (gate.entry_id, "door"), context={"source": "user"}
    )
    schema = result["data_schema"].schema
    fields = {str(k): v for k, v in schema.items()}
    contact = fields["door_contact"].config
    assert contact["domain"] == ["binary_sensor"]
    assert contact["device_class"] == ["door", "opening"]
    assert fields["exit_request"].config["domain"] == ["binary_sensor", "event"]
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "East gate",
            "zone_kind": "gate",
            "direction": "in",
            "open_time": 5,
            "door_contact": CONTACT,
            "exit_request": EXIT,
            "held_open_after": 45,
        },
    )
    assert result["type"] == "create_entry"
    assert result["data"]["held_open_after"] == 45
    assert result["data"]["door_contact"] == CONTACT
    await hass.async_block_till_done()
    assert DOMAIN


async def test_exit_button_as_an_event_entity(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, notified: list[ServiceCall]
) -> None:
    await _inputs(hass)
    entry = make_entry(
        doors=doors_with(
            "door_gate", door_contact=CONTACT, exit_request="event.gate_button"
        ),
        options={"guard_notify": "notify.guard_desk"},
    )
    await setup_community(hass, entry)
    events = async_capture_events(hass, EVENT_DOOR_ALARM)
    before = hass.states.get("event.gate_button").state
    await _switch(hass, "gate_button", True)
    assert hass.states.get("event.gate_button").state != before  # pressed
    await _door(hass, True)
    await _door(hass, False)
    assert events == []
    await _switch(hass, "gate_button", False)
    await _tick(hass, freezer, 60)
    await _door(hass, True)
    assert [e.data["kind"] for e in events] == ["forced_open"]


async def test_a_contact_back_from_unavailable_is_not_forced(
    hass: HomeAssistant, gate: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    events = async_capture_events(hass, EVENT_DOOR_ALARM)
    await _switch(hass, "gate_offline", True)
    assert hass.states.get(CONTACT).state == "unavailable"
    await _door(hass, True)
    await _switch(hass, "gate_offline", False)
    assert hass.states.get(CONTACT).state == STATE_ON
    # how it opened is unknown: not forced, but timed for held open
    assert events == []
    await _tick(hass, freezer, HELD_OPEN_AFTER)
    assert [e.data["kind"] for e in events] == ["held_open"]
