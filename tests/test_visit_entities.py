"""Visitor entities through Home Assistant: per-visit sensors, figures, calendar."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
import inspect
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

import custom_components.community_access as integration
from custom_components.community_access import sensor as sensor_platform
from custom_components.community_access.const import DOMAIN
from custom_components.community_access.core.community import Community
from custom_components.community_access.core.models import CredentialKind
from custom_components.community_access.core.visitors import VisitorDesk
from custom_components.community_access.visit_sensor import async_setup_visit_sensors
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, translation
from homeassistant.util import dt as dt_util

from .helpers import ID_NUMBER

PHONE = "13812345678"
UNIT = "3-2-501"

#: The English strings handed over for en.json (entity.<platform>.<key>).
EN_STRINGS = {
    "sensor.visit.name": "Visitor {visitor} → {unit}",
    "sensor.visitors_on_site.name": "Visitors on site",
    "sensor.overdue_visitor_cards.name": "Overdue visitor cards",
    "calendar.visits.name": "Visits",
}


@pytest.fixture(autouse=True)
def _wire_visit_platforms(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wire the calendar platform and the visit sensors until the hand-over is merged.

    Once ``Platform.CALENDAR`` is in ``PLATFORMS`` and ``sensor.py`` calls
    ``async_setup_visit_sensors``, this does nothing.
    """
    if Platform.CALENDAR not in integration.PLATFORMS:
        monkeypatch.setattr(
            integration, "PLATFORMS", [*integration.PLATFORMS, Platform.CALENDAR]
        )
    if "async_setup_visit_sensors" not in inspect.getsource(sensor_platform):
        original = sensor_platform.async_setup_entry

        async def _setup(hass: HomeAssistant, entry: Any, add: Any) -> None:
            await original(hass, entry, add)
            await async_setup_visit_sensors(hass, entry, add)

        monkeypatch.setattr(sensor_platform, "async_setup_entry", _setup)


@pytest.fixture(autouse=True)
def _entity_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """Supply the English entity names until they are merged into en.json."""
    original = translation.async_get_translations

    async def _get(
        hass: HomeAssistant,
        language: str,
        category: str,
        integrations: Iterable[str] | None = None,
        config_flow: bool | None = None,
    ) -> dict[str, str]:
        strings = await original(hass, language, category, integrations, config_flow)
        if category == "entity" and integrations is not None and DOMAIN in integrations:
            for key, text in EN_STRINGS.items():
                strings.setdefault(f"component.{DOMAIN}.entity.{key}", text)
        return strings

    monkeypatch.setattr(translation, "async_get_translations", _get)


def _community(entry: MockConfigEntry) -> Community:
    return entry.runtime_data.community


async def _desk(entry: MockConfigEntry) -> VisitorDesk:
    community = _community(entry)
    if community.index.household_by_unit(UNIT) is None:
        await community.add_household(UNIT)
    return VisitorDesk(community)


def _visit_entity(
    hass: HomeAssistant, entry: MockConfigEntry, visit_id: int
) -> str | None:
    return er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{entry.entry_id}_visit_{visit_id}"
    )


def _count(hass: HomeAssistant, key: str) -> str:
    return hass.states.get(f"sensor.sunny_gardens_{key}").state


async def _register(desk: VisitorDesk, name: str = "张三", **kwargs: Any) -> Any:
    return await desk.register(
        unit=UNIT,
        name=name,
        id_number=ID_NUMBER,
        phone=PHONE,
        purpose="送快递",
        **kwargs,
    )


async def _events(
    hass: HomeAssistant, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {"start_date_time": start, "end_date_time": end},
        target={"entity_id": "calendar.sunny_gardens_visits"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    events: list[dict[str, Any]] = response["calendar.sunny_gardens_visits"]["events"]  # type: ignore[index]
    return events


def _no_personal_data(hass: HomeAssistant, *secrets: str) -> None:
    """No state or attribute anywhere carries an ID number, phone or code."""
    text = repr([(s.state, dict(s.attributes)) for s in hass.states.async_all()])
    for secret in (ID_NUMBER, PHONE, "110***", "138****", *secrets):
        assert secret not in text, secret


async def test_registered_visit_appears_follows_and_leaves(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    desk = await _desk(setup_entry)
    visit = await _register(desk)
    await hass.async_block_till_done()

    entity_id = _visit_entity(hass, setup_entry, visit.id)
    assert entity_id == f"sensor.sunny_gardens_visit_{visit.id}"
    state = hass.states.get(entity_id)
    assert state.state == "pending"
    assert state.attributes["friendly_name"] == "Sunny Gardens Visitor 张* → 3-2-501"
    assert state.attributes["device_class"] == "enum"
    assert state.attributes["options"] == [
        "expected",
        "pending",
        "approved",
        "on_site",
        "overdue",
        "closed",
    ]
    assert {
        k: v
        for k, v in state.attributes.items()
        if k not in ("friendly_name", "device_class", "options")
    } == {
        "visit_id": visit.id,
        "visitor": "张*",
        "unit": UNIT,
        "purpose": "送快递",
        "pre_registered": False,
        "valid_until": None,
        "window_from": None,
        "window_until": None,
    }
    registry_entry = er.async_get(hass).async_get(entity_id)
    assert registry_entry.device_id is not None
    assert registry_entry.translation_key == "visit"

    result = await desk.approve(visit.id, minutes=60)
    await hass.async_block_till_done()
    state = hass.states.get(entity_id)
    assert state.state == "approved"
    assert state.attributes["valid_until"] == result.visit.valid_until.isoformat()
    assert result.code is not None
    _no_personal_data(hass, result.code)

    # A second visitor is denied: the entity leaves the states and the registry.
    other = await _register(desk, name="Alice Smith")
    await hass.async_block_till_done()
    other_id = _visit_entity(hass, setup_entry, other.id)
    assert hass.states.get(other_id).attributes["visitor"] == "A**** S****"
    await desk.deny(other.id)
    await hass.async_block_till_done()
    assert hass.states.get(other_id) is None
    assert _visit_entity(hass, setup_entry, other.id) is None
    assert hass.states.get(entity_id).state == "approved"


async def test_unanswered_visit_refused_by_sweep(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    desk = await _desk(setup_entry)
    visit = await _register(desk)
    await hass.async_block_till_done()
    entity_id = _visit_entity(hass, setup_entry, visit.id)
    assert hass.states.get(entity_id).state == "pending"

    [refused] = await desk.sweep(visit.deadline_at + timedelta(seconds=1))
    assert refused.close_reason == "host_unreachable"
    await hass.async_block_till_done()
    assert hass.states.get(entity_id) is None
    assert er.async_get(hass).async_get(entity_id) is None


def _tombstones(hass: HomeAssistant, entry: MockConfigEntry) -> list[str]:
    """Unique ids of this community's visit sensors among the deleted entries."""
    prefix = f"{entry.entry_id}_visit_"
    return [
        unique_id
        for domain, platform, unique_id in er.async_get(hass).deleted_entities
        if domain == "sensor" and platform == DOMAIN and unique_id.startswith(prefix)
    ]


async def test_closed_visits_leave_no_deleted_registry_entries(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """A closed visit's sensor leaves no tombstone: the registry stays flat.

    Home Assistant keeps a removed entity's deleted entry while its config
    entry exists; one per visit would grow the registry for ever.
    """
    desk = await _desk(setup_entry)
    registry = er.async_get(hass)
    deleted_before = len(registry.deleted_entities)
    closed = []
    for n in range(12):
        visit = await _register(desk, name=f"访客{n}")
        await hass.async_block_till_done()
        entity_id = _visit_entity(hass, setup_entry, visit.id)
        assert entity_id is not None
        assert hass.states.get(entity_id) is not None
        await desk.deny(visit.id)
        await hass.async_block_till_done()
        assert hass.states.get(entity_id) is None
        assert registry.async_get(entity_id) is None
        closed.append(visit.id)
    assert len(closed) == 12
    assert _tombstones(hass, setup_entry) == []
    assert len(registry.deleted_entities) == deleted_before


async def test_visit_registered_and_closed_at_once(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    """A visit closed before its entity was added leaves nothing behind."""
    desk = await _desk(setup_entry)
    visit = await _register(desk)
    await desk.deny(visit.id)
    await hass.async_block_till_done()
    assert _visit_entity(hass, setup_entry, visit.id) is None
    assert not [s for s in hass.states.async_all("sensor") if "_visit_" in s.entity_id]


async def test_preregistered_visit_and_calendar(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    desk = await _desk(setup_entry)
    start = dt_util.start_of_local_day() + timedelta(days=1, hours=10)
    end = start + timedelta(hours=2)
    result = await desk.preregister(
        unit=UNIT,
        name="李四",
        phone=PHONE,
        id_number=ID_NUMBER,
        window_from=start,
        window_until=end,
        purpose="装修验收",
    )
    await hass.async_block_till_done()

    entity_id = _visit_entity(hass, setup_entry, result.visit.id)
    state = hass.states.get(entity_id)
    assert state.state == "expected"
    assert state.attributes["pre_registered"] is True
    assert state.attributes["visitor"] == "李*"
    assert (
        datetime.fromisoformat(state.attributes["window_from"]) == start
        and datetime.fromisoformat(state.attributes["window_until"]) == end
    )

    calendar = hass.states.get("calendar.sunny_gardens_visits")
    assert calendar.state == STATE_OFF
    assert calendar.attributes["friendly_name"] == "Sunny Gardens Visits"
    assert calendar.attributes["message"] == "李* → 3-2-501 (装修验收)"
    assert calendar.attributes["start_time"] == start.strftime("%Y-%m-%d %H:%M:%S")

    events = await _events(hass, start - timedelta(days=1), end + timedelta(days=1))
    assert events == [
        {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "summary": "李* → 3-2-501 (装修验收)",
        }
    ]
    assert await _events(hass, end, end + timedelta(days=1)) == []
    assert result.code is not None
    _no_personal_data(hass, result.code)

    # Not arrived by the end of the window: closed, gone, off the calendar.
    await desk.sweep(end)
    await hass.async_block_till_done()
    assert hass.states.get(entity_id) is None
    assert _visit_entity(hass, setup_entry, result.visit.id) is None
    assert "message" not in hass.states.get("calendar.sunny_gardens_visits").attributes
    assert await _events(hass, start - timedelta(days=1), end) == []


async def test_on_site_and_overdue_counts(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    community = _community(setup_entry)
    desk = await _desk(setup_entry)
    assert _count(hass, "visitors_on_site") == "0"
    assert _count(hass, "overdue_visitor_cards") == "0"
    assert (
        hass.states.get("sensor.sunny_gardens_visitors_on_site").attributes[
            "state_class"
        ]
        == "measurement"
    )

    # A PIN pass opens the gate: the visitor is on site.
    guest = await _register(desk)
    pin_pass = await desk.approve(guest.id)
    assert pin_pass.code is not None
    decision = await community.present(
        "door_gate", CredentialKind.PIN, pin_pass.code, dt_util.utcnow()
    )
    assert decision.granted
    await desk.note_access(decision)
    await hass.async_block_till_done()
    assert _count(hass, "visitors_on_site") == "1"
    guest_entity = _visit_entity(hass, setup_entry, guest.id)
    assert hass.states.get(guest_entity).state == "on_site"

    # A visitor card not returned by the end of its pass: overdue.
    courier = await _register(desk, name="王五", card_number="88001234")
    card_pass = await desk.approve(courier.id, minutes=30)
    assert card_pass.code is None
    await hass.async_block_till_done()
    courier_entity = _visit_entity(hass, setup_entry, courier.id)
    assert hass.states.get(courier_entity).state == "approved"
    await desk.sweep(card_pass.visit.valid_until + timedelta(minutes=1))
    await hass.async_block_till_done()
    assert hass.states.get(courier_entity).state == "overdue"
    assert _count(hass, "overdue_visitor_cards") == "1"
    assert _count(hass, "visitors_on_site") == "1"
    _no_personal_data(hass, pin_pass.code, "88001234")

    # Both approved visits are on the calendar for their pass times; the
    # current one is the calendar's event.
    now = dt_util.utcnow()
    events = await _events(hass, now - timedelta(hours=1), now + timedelta(hours=3))
    assert [e["summary"] for e in events] == [
        "张* → 3-2-501 (送快递)",
        "王* → 3-2-501 (送快递)",
    ]
    calendar = hass.states.get("calendar.sunny_gardens_visits")
    assert calendar.state == "on"
    assert calendar.attributes["message"] == "张* → 3-2-501 (送快递)"

    # Checked out: the entity goes, the count drops, the calendar keeps it.
    await desk.check_out(guest.id, card_returned=False)
    await hass.async_block_till_done()
    assert hass.states.get(guest_entity) is None
    assert _visit_entity(hass, setup_entry, guest.id) is None
    assert _count(hass, "visitors_on_site") == "0"
    events = await _events(hass, now - timedelta(hours=1), now + timedelta(hours=3))
    assert len(events) == 2
    # (The sweep ran ahead of the clock: the courier's pass is still current.)
    calendar = hass.states.get("calendar.sunny_gardens_visits")
    assert calendar.attributes["message"] == "王* → 3-2-501 (送快递)"

    # The card comes back: no overdue card left.
    await desk.check_out(courier.id, card_returned=True)
    await hass.async_block_till_done()
    assert hass.states.get(courier_entity) is None
    assert _count(hass, "overdue_visitor_cards") == "0"
    assert hass.states.get("calendar.sunny_gardens_visits").state == STATE_OFF


async def test_restart_keeps_visit_entities(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    desk = await _desk(setup_entry)
    pending = await _register(desk)
    start = dt_util.utcnow() + timedelta(hours=1)
    expected = (
        await desk.preregister(
            unit=UNIT,
            name="李四",
            phone=PHONE,
            window_from=start,
            window_until=start + timedelta(hours=1),
        )
    ).visit
    await hass.async_block_till_done()
    pending_entity = _visit_entity(hass, setup_entry, pending.id)
    expected_entity = _visit_entity(hass, setup_entry, expected.id)
    registry = er.async_get(hass)
    # The registry entry of a visit closed while the community was not loaded.
    stale = registry.async_get_or_create(
        "sensor",
        DOMAIN,
        f"{setup_entry.entry_id}_visit_999",
        config_entry=setup_entry,
        suggested_object_id="sunny_gardens_visit_999",
    )

    assert await hass.config_entries.async_unload(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert setup_entry.state is ConfigEntryState.NOT_LOADED
    # Unloaded entities leave the state machine (no "became unavailable" lines)
    # and keep their registry entries.
    assert hass.states.get(pending_entity) is None
    assert registry.async_get(pending_entity) is not None

    assert await hass.config_entries.async_setup(setup_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(pending_entity).state == "pending"
    assert hass.states.get(expected_entity).state == "expected"
    assert _visit_entity(hass, setup_entry, pending.id) == pending_entity
    assert registry.async_get(stale.entity_id) is None
    assert _tombstones(hass, setup_entry) == []
    assert (
        hass.states.get("calendar.sunny_gardens_visits").attributes["message"]
        == "李* → 3-2-501"
    )

    # The reloaded entities still follow the visits.
    await VisitorDesk(_community(setup_entry)).deny(pending.id)
    await hass.async_block_till_done()
    assert hass.states.get(pending_entity) is None
    assert registry.async_get(pending_entity) is None
    assert _tombstones(hass, setup_entry) == []


def test_calendar_span_ends_at_an_early_check_out() -> None:
    from datetime import UTC, datetime, timedelta

    from custom_components.community_access.calendar import visit_span
    from custom_components.community_access.core.models import Visit, VisitStatus

    start = datetime(2026, 6, 1, 2, tzinfo=UTC)
    visit = Visit(
        id=1,
        household_id=1,
        visitor_name="x",
        status=VisitStatus.CLOSED,
        valid_from=start,
        valid_until=start + timedelta(hours=2),
        closed_at=start + timedelta(minutes=40),
    )
    assert visit_span(visit) == (start, start + timedelta(minutes=40))
