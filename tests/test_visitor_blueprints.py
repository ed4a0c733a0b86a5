"""The visitor blueprints: asking the host's phone, the overdue reminder."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.core.models import Visit, VisitStatus
from custom_components.community_access.core.privacy import mask_name
from custom_components.community_access.core.visitors import VisitorDesk
from homeassistant.const import EVENT_CALL_SERVICE
from homeassistant.core import Context, HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .helpers import ID_NUMBER, call

UNIT = "3-2-501"
APPROVAL = "community_access_visitor_approval_requested"
OVERDUE = "community_access_visitor_overdue"


def desk_of(entry: MockConfigEntry) -> VisitorDesk:
    """The visitor desk of the test community."""
    return VisitorDesk(entry.runtime_data.community)


async def setup_approval(hass: HomeAssistant, **inputs: Any) -> list[ServiceCall]:
    """Mock the phone's notify action; set up the approval blueprint for UNIT."""
    notified = async_mock_service(hass, "notify", "mobile_app_phone")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": f"{DOMAIN}/visitor_approval.yaml",
                    "input": {
                        "unit": UNIT,
                        "notify_action": "notify.mobile_app_phone",
                        **inputs,
                    },
                }
            }
        },
    )
    await hass.async_block_till_done()
    return notified


def host_services(hass: HomeAssistant) -> str:
    """The real approve/deny services, or stand-ins while they are missing."""
    if hass.services.has_service(DOMAIN, "approve_visitor"):
        return "real"
    async_mock_service(hass, DOMAIN, "approve_visitor")
    async_mock_service(hass, DOMAIN, "deny_visitor")
    return "stand-in"


async def settle(hass: HomeAssistant, condition: Callable[[], bool]) -> None:
    """Let the loop run until the condition holds.

    ``async_block_till_done`` would also wait for the runs that wait for an
    answer, that is for their whole timeout.
    """
    for _ in range(500):
        if condition():
            for _ in range(10):
                await asyncio.sleep(0)
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


async def register(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    notified: list[ServiceCall],
    name: str = "王小明",
) -> Visit:
    """Register a visitor at the gate for UNIT; wait for the phone's question."""
    if entry.runtime_data.community.index.household_by_unit(UNIT) is None:
        await call(hass, "add_household", {"unit": UNIT})
    asked = async_capture_events(hass, APPROVAL)
    before = len(notified)
    desk = desk_of(entry)
    visit = await desk.register(
        unit=UNIT, name=name, id_number=ID_NUMBER, phone="13800138000", purpose="拜访"
    )
    if not asked:  # the integration does not forward visitor events (yet)
        hass.bus.async_fire(APPROVAL, desk.event_data(visit))
    await settle(hass, lambda: len(notified) > before)
    return visit


async def time_out(hass: HomeAssistant) -> None:
    """Let the waiting runs time out, then let everything finish."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=4))
    await hass.async_block_till_done()


def host_calls(events: list[Any]) -> list[tuple[str, dict[str, Any]]]:
    """(service, data) of the approve/deny calls seen on the bus."""
    return [
        (e.data["service"], dict(e.data["service_data"]))
        for e in events
        if e.data["domain"] == DOMAIN
        and e.data["service"] in ("approve_visitor", "deny_visitor")
    ]


def answer(hass: HomeAssistant, action: str, user_id: str | None = None) -> None:
    """The companion app reports a pressed notification button."""
    hass.bus.async_fire(
        "mobile_app_notification_action",
        {"action": action},
        context=Context(user_id=user_id),
    )


def test_visitor_blueprints_are_shipped_in_both_folders() -> None:
    package = Path(__file__).parent.parent / "custom_components" / DOMAIN / "blueprints"
    top = Path(__file__).parent.parent / "blueprints"
    for name in ("visitor_approval.yaml", "visitor_overdue_reminder.yaml"):
        rel = Path("automation") / DOMAIN / name
        assert (package / rel).read_text() == (top / rel).read_text()


async def test_visitor_blueprints_and_sentences_installed(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    config = Path(hass.config.config_dir)
    target = config / "blueprints" / "automation" / DOMAIN
    assert (target / "visitor_approval.yaml").is_file()
    assert (target / "visitor_overdue_reminder.yaml").is_file()
    assert (config / "custom_sentences" / "en" / f"{DOMAIN}.yaml").is_file()
    # Home Assistant reads Simplified Chinese sentences from zh-CN.
    assert (config / "custom_sentences" / "zh-CN" / f"{DOMAIN}.yaml").is_file()


async def test_changed_sentences_are_not_overwritten(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    mine = Path(hass.config.config_dir) / "custom_sentences" / "en" / f"{DOMAIN}.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("language: en\nintents: {}\n")
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert mine.read_text() == "language: en\nintents: {}\n"


async def test_approval_asks_the_phone_and_approves(
    hass: HomeAssistant, setup_entry: MockConfigEntry, hass_admin_user: Any
) -> None:
    services = host_services(hass)
    notified = await setup_approval(hass, minutes=45)
    calls = async_capture_events(hass, EVENT_CALL_SERVICE)
    visit = await register(hass, setup_entry, notified)

    assert len(notified) == 1
    data = notified[0].data
    assert data["title"] == f"Visitor for {UNIT}"
    assert data["message"] == f"{mask_name('王小明')} is at the gate: 拜访."
    assert data["data"]["tag"] == f"community_access_visit_{visit.id}"
    assert data["data"]["actions"] == [
        {"action": f"COMMUNITY_ACCESS_BP_APPROVE_{visit.id}", "title": "Approve"},
        {
            "action": f"COMMUNITY_ACCESS_BP_APPROVE2H_{visit.id}",
            "title": "Approve for 2 hours",
        },
        {"action": f"COMMUNITY_ACCESS_BP_DENY_{visit.id}", "title": "Deny"},
    ]
    assert "11010519" not in str(data)  # never the ID number

    answer(hass, f"COMMUNITY_ACCESS_BP_APPROVE_{visit.id}", hass_admin_user.id)
    await hass.async_block_till_done()
    assert host_calls(calls) == [
        ("approve_visitor", {"visit_id": visit.id, "minutes": 45})
    ]
    if services == "real":
        # Approved by this call, or already by the integration's own listener
        # of the same buttons (then this call is a no-op, see the blueprint).
        assert desk_of(setup_entry).visits[visit.id].status is VisitStatus.APPROVED


async def test_approval_for_two_hours_and_deny_in_parallel(
    hass: HomeAssistant, setup_entry: MockConfigEntry, hass_admin_user: Any
) -> None:
    services = host_services(hass)
    notified = await setup_approval(hass)
    calls = async_capture_events(hass, EVENT_CALL_SERVICE)
    first = await register(hass, setup_entry, notified, "王小明")
    second = await register(hass, setup_entry, notified, "李四")
    assert len(notified) == 2

    # Answered out of order: both runs wait at the same time (mode parallel).
    answer(hass, f"COMMUNITY_ACCESS_BP_DENY_{second.id}", hass_admin_user.id)
    await settle(hass, lambda: len(host_calls(calls)) == 1)
    answer(hass, f"COMMUNITY_ACCESS_BP_APPROVE2H_{first.id}", hass_admin_user.id)
    await hass.async_block_till_done()
    assert host_calls(calls) == [
        ("deny_visitor", {"visit_id": second.id}),
        ("approve_visitor", {"visit_id": first.id, "minutes": 120}),
    ]
    if services == "real":
        visits = desk_of(setup_entry).visits
        assert second.id not in visits  # denied visits are closed
        assert visits[first.id].status is VisitStatus.APPROVED


async def test_approval_ignores_other_units_and_other_answers(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    host_services(hass)
    notified = await setup_approval(hass)
    calls = async_capture_events(hass, EVENT_CALL_SERVICE)
    hass.bus.async_fire(
        APPROVAL,
        {"visit_id": 99, "visitor": "张*", "unit": "1-1-101", "status": "pending"},
    )
    await hass.async_block_till_done()
    assert notified == []

    visit = await register(hass, setup_entry, notified)
    assert len(notified) == 1
    answer(
        hass, f"COMMUNITY_ACCESS_BP_APPROVE_{visit.id + 1}"
    )  # another visit's button
    answer(hass, "SOMETHING_ELSE")
    await time_out(hass)
    assert host_calls(calls) == []
    assert notified[-1].data["message"] == "clear_notification"


async def test_unanswered_question_is_cleared(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    host_services(hass)
    notified = await setup_approval(hass, timeout=3)
    calls = async_capture_events(hass, EVENT_CALL_SERVICE)
    visit = await register(hass, setup_entry, notified)
    await time_out(hass)
    assert [c.data for c in notified[1:]] == [
        {
            "message": "clear_notification",
            "data": {"tag": f"community_access_visit_{visit.id}"},
        }
    ]
    # Too late: the button no longer does anything.
    answer(hass, f"COMMUNITY_ACCESS_BP_APPROVE_{visit.id}")
    await hass.async_block_till_done()
    assert host_calls(calls) == []


async def test_overdue_reminder_runs_the_guard_desk_actions(
    hass: HomeAssistant, setup_entry: MockConfigEntry
) -> None:
    alerts = async_capture_events(hass, "guard_desk_alert")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": f"{DOMAIN}/visitor_overdue_reminder.yaml",
                    "input": {
                        "actions": [
                            {
                                "event": "guard_desk_alert",
                                "event_data": {
                                    "text": "{{ visitor }} {{ unit }} "
                                    "{{ valid_until }} {{ reason }} #{{ visit_id }}"
                                },
                            }
                        ]
                    },
                }
            }
        },
    )
    await hass.async_block_till_done()
    hass.bus.async_fire(
        OVERDUE,
        {
            "visit_id": 7,
            "visitor": "王*明",
            "unit": UNIT,
            "status": "overdue",
            "purpose": None,
            "pre_registered": False,
            "valid_until": "2026-03-01T10:00:00+00:00",
            "reason": "card_not_returned",
        },
    )
    await hass.async_block_till_done()
    assert [e.data["text"] for e in alerts] == [
        f"王*明 {UNIT} 2026-03-01T10:00:00+00:00 card_not_returned #7"
    ]
