"""Review tests through Home Assistant: host rights, phone answers, privacy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.logbook import describe_desk
from homeassistant.auth.models import User
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import Unauthorized

from .conftest import make_entry
from .helpers import call


def _valid(body: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


VISITOR_ID = _valid("44030519851212301")
OWNER_ID = _valid("11010519491231002")
PHONE = "13900001111"


async def _setup(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, title: str = "Sunny Gardens"
) -> MockConfigEntry:
    await hass.config.async_set_time_zone("Asia/Shanghai")
    freezer.move_to("2026-06-01T10:00:00+08:00")
    entry = make_entry(title=title)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def _community(entry: MockConfigEntry) -> Any:
    return entry.runtime_data.community


async def _household(
    hass: HomeAssistant, entry: MockConfigEntry, unit: str, user: User | None = None
) -> None:
    data = {"config_entry_id": entry.entry_id}
    await call(hass, "add_household", data | {"unit": unit})
    await call(
        hass,
        "add_person",
        data | {"unit": unit, "name": "赵磊", "role": "owner", "id_number": OWNER_ID},
    )
    if user is not None:
        await call(
            hass,
            "link_household",
            data
            | {
                "unit": unit,
                "notify_services": ["notify.mobile_app_phone"],
                "users": [user.id],
            },
        )


async def _visit(
    hass: HomeAssistant, entry: MockConfigEntry, unit: str, **extra: Any
) -> int:
    response = await call(
        hass,
        "register_visitor",
        {
            "config_entry_id": entry.entry_id,
            "unit": unit,
            "name": "钱多多",
            "id_number": VISITOR_ID,
            "phone": PHONE,
            "purpose": "送文件",
        }
        | extra,
    )
    assert isinstance(response, dict)
    return int(response["visit_id"])


def _phone(hass: HomeAssistant, action: str, user: User) -> None:
    hass.bus.async_fire(
        "mobile_app_notification_action",
        {"action": action},
        context=Context(user_id=user.id),
    )


@pytest.fixture
def notify(hass: HomeAssistant) -> list:
    return async_mock_service(hass, "notify", "mobile_app_phone")


async def test_host_of_another_household_cannot_answer(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_read_only_user: User,
    notify: list,
) -> None:
    entry = await _setup(hass, freezer)
    await _household(hass, entry, "3-2-501")
    await _household(hass, entry, "1-1-101", hass_read_only_user)
    visit_id = await _visit(hass, entry, "3-2-501")
    context = Context(user_id=hass_read_only_user.id)
    for service in ("approve_visitor", "deny_visitor"):
        with pytest.raises(Unauthorized):
            await call(hass, service, {"visit_id": visit_id}, context=context)
    for verb in ("APPROVE", "APPROVE2H", "DENY"):
        _phone(hass, f"COMMUNITY_ACCESS_{verb}_{visit_id}", hass_read_only_user)
        await hass.async_block_till_done()
    assert _community(entry).visits[visit_id].status == "pending"


async def test_phone_answer_for_a_closed_visit_is_ignored(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_read_only_user: User,
    notify: list,
) -> None:
    entry = await _setup(hass, freezer)
    await _household(hass, entry, "3-2-501", hass_read_only_user)
    visit_id = await _visit(hass, entry, "3-2-501")
    _phone(hass, f"COMMUNITY_ACCESS_DENY_{visit_id}", hass_read_only_user)
    await hass.async_block_till_done()
    assert visit_id not in _community(entry).visits
    _phone(hass, f"COMMUNITY_ACCESS_APPROVE_{visit_id}", hass_read_only_user)
    await hass.async_block_till_done()
    assert visit_id not in _community(entry).visits
    visitors = [
        p for p in _community(entry).index.persons.values() if p.role == "visitor"
    ]
    assert visitors == []


async def test_phone_answer_reaches_the_right_community(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_read_only_user: User,
    notify: list,
) -> None:
    """Visit ids are per community: visit 1 exists in both communities."""
    first = await _setup(hass, freezer)
    second = await _setup(hass, freezer, title="Moon Court")
    other_host = await hass.auth.async_create_user(
        "Other host", group_ids=["system-read-only"]
    )
    assert not other_host.is_admin
    await _household(hass, first, "3-2-501", other_host)
    await _household(hass, second, "3-2-501", hass_read_only_user)
    first_visit = await _visit(hass, first, "3-2-501")
    second_visit = await _visit(hass, second, "3-2-501")
    assert first_visit == second_visit == 1

    # The host of Moon Court answers the notification they got.
    _phone(hass, f"COMMUNITY_ACCESS_APPROVE_{second_visit}", hass_read_only_user)
    await hass.async_block_till_done()
    assert _community(first).visits[first_visit].status == "pending"
    assert _community(second).visits[second_visit].status == "approved", (
        "the phone answer of Moon Court's host was dropped"
    )


async def test_non_admin_cannot_call_admin_services(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, hass_read_only_user: User
) -> None:
    entry = await _setup(hass, freezer)
    await _household(hass, entry, "3-2-501")
    context = Context(user_id=hass_read_only_user.id)
    person_id = next(iter(_community(entry).index.persons))
    for service, data in (
        ("record_violation", {"person_id": person_id, "kind": "tailgating"}),
        ("apply_penalty", {"person_id": person_id, "kind": "suspension"}),
        ("lift_penalty", {"penalty_id": 1}),
        ("list_violations", {}),
        ("unlock_keypad", {"door": "Main gate"}),
        ("check_out_visitor", {"visit_id": 1}),
        ("link_household", {"unit": "3-2-501", "users": [hass_read_only_user.id]}),
    ):
        with pytest.raises(Unauthorized):
            await call(hass, service, data, context=context)
    assert _community(entry).penalties == {}


async def test_host_answer_response_and_events_hide_secrets(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_read_only_user: User,
    notify: list,
) -> None:
    entry = await _setup(hass, freezer)
    await _household(hass, entry, "3-2-501", hass_read_only_user)
    seen: list = []
    hass.bus.async_listen(f"{DOMAIN}_visitor_approved", seen.append)
    visit_id = await _visit(hass, entry, "3-2-501", card_number="95270001")
    response = await call(
        hass,
        "approve_visitor",
        {"visit_id": visit_id, "minutes": 30},
        context=Context(user_id=hass_read_only_user.id),
    )
    await hass.async_block_till_done()
    text = repr(response) + repr([e.data for e in seen])
    for secret in (VISITOR_ID, PHONE, "95270001", "钱多多"):
        assert secret not in text
    assert response["visitor"] == "钱**"
    # A logbook line built from the event names the visitor masked.
    line = describe_desk("visitor_approved", dict(seen[0].data), "en")
    assert "钱多多" not in repr(line)
    assert "钱**" in line["message"]


async def test_sweep_refuses_after_the_approval_timeout(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    from pytest_homeassistant_custom_component.common import async_fire_time_changed

    entry = await _setup(hass, freezer)
    await _household(hass, entry, "3-2-501")
    visit_id = await _visit(hass, entry, "3-2-501")
    freezer.tick(timedelta(minutes=3, seconds=11))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert visit_id not in _community(entry).visits
