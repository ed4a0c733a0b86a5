"""The visitor flow through the real service layer and phone answers (issue 4)."""

from __future__ import annotations

from datetime import timedelta
import json
import logging

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.community_access.const import DOMAIN
from homeassistant.auth.models import User
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.util import dt as dt_util

from .conftest import make_entry
from .helpers import ID_NUMBER, add_resident, call, present

# Each test on SQLite and on PostgreSQL (the entry's db_url option).
pytestmark = [pytest.mark.both_databases, pytest.mark.usefixtures("entry_db")]

VISITOR_ID = "44030519851212301X"  # check digit valid


def _valid(body: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


VISITOR_ID = _valid("44030519851212301")


async def _setup(hass: HomeAssistant, freezer: FrozenDateTimeFactory, **options):
    await hass.config.async_set_time_zone("Asia/Shanghai")
    freezer.move_to("2026-06-01T10:00:00+08:00")
    entry = make_entry(options=options)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def _register(**extra) -> dict:
    return {
        "unit": "3-2-501",
        "name": "钱多多",
        "id_number": VISITOR_ID,
        "phone": "13900001111",
        "purpose": "送文件",
        "expected_minutes": 60,
    } | extra


async def _tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.fixture
async def host(hass: HomeAssistant, hass_read_only_user: User):
    """A host household whose phone and user are linked (the user is not an admin)."""
    return hass_read_only_user


async def _link(hass: HomeAssistant, user: User) -> list:
    notified = async_mock_service(hass, "notify", "mobile_app_host_phone")
    await call(
        hass,
        "link_household",
        {
            "unit": "3-2-501",
            "notify_services": ["notify.mobile_app_host_phone"],
            "users": [user.id],
        },
    )
    return notified


async def test_phone_approval_issues_a_pass(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, host: User
) -> None:
    await _setup(hass, freezer)
    await add_resident(hass)
    notified = await _link(hass, host)
    requested = async_capture_events(hass, f"{DOMAIN}_visitor_approval_requested")
    visit = await call(hass, "register_visitor", _register())
    await hass.async_block_till_done()
    assert visit["status"] == "pending"
    assert requested[0].data["visitor"] == "钱**"
    assert len(notified) == 1
    actions = [a["action"] for a in notified[0].data["data"]["actions"]]
    vid = visit["visit_id"]
    assert actions == [
        f"COMMUNITY_ACCESS_APPROVE_{vid}",
        f"COMMUNITY_ACCESS_APPROVE2H_{vid}",
        f"COMMUNITY_ACCESS_DENY_{vid}",
    ]
    assert "3-2-501" in notified[0].data["message"]

    # A stranger's phone answer is ignored.
    hass.bus.async_fire(
        "mobile_app_notification_action",
        {"action": f"COMMUNITY_ACCESS_APPROVE_{vid}"},
        context=Context(user_id="someone-else"),
    )
    await hass.async_block_till_done()
    community = next(
        iter(hass.config_entries.async_loaded_entries(DOMAIN))
    ).runtime_data.community
    assert community.visits[vid].status == "pending"

    hass.bus.async_fire(
        "mobile_app_notification_action",
        {"action": f"COMMUNITY_ACCESS_APPROVE2H_{vid}"},
        context=Context(user_id=host.id),
    )
    await hass.async_block_till_done()
    visit_now = community.visits[vid]
    assert visit_now.status == "approved"
    assert visit_now.valid_until == dt_util.utcnow() + timedelta(hours=2)
    # The guard reads the PIN with check-in's sibling: the approval response.
    # Here the host approved from the phone, so the pass holder is the visitor person:
    assert visit_now.credential_id is not None


async def test_guard_approval_and_pass_rules(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup(hass, freezer)
    await add_resident(hass)
    visit = await call(hass, "register_visitor", _register())
    approved = await call(hass, "approve_visitor", {"visit_id": visit["visit_id"]})
    pin = approved["code"]
    assert approved["status"] == "approved"
    assert len(pin) == 6
    on_site = async_capture_events(hass, f"{DOMAIN}_visitor_on_site")
    # Gates and the host's building only (seed 132).
    assert (await present(hass, "Main gate", pin, "pin"))["granted"] is True
    await hass.async_block_till_done()
    assert [e.data["visit_id"] for e in on_site] == [visit["visit_id"]]
    assert (await present(hass, "Building 3 door", pin, "pin"))["granted"] is True
    assert (await present(hass, "Building 1 door", pin, "pin"))[
        "reason"
    ] == "zone_not_allowed"
    assert (await present(hass, "Gym", pin, "pin"))["reason"] == "zone_not_allowed"
    # Valid for the approved time only (60 minutes expected).
    freezer.tick(timedelta(minutes=60))
    assert (await present(hass, "Main gate", pin, "pin"))["reason"] == "expired"


async def test_host_service_rights(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    host: User,
    hass_admin_user: User,
) -> None:
    await _setup(hass, freezer)
    await add_resident(hass)
    first = await call(hass, "register_visitor", _register())
    second = await call(hass, "register_visitor", _register(name="孙悟"))
    # Not linked yet: a non-admin user may not answer.
    with pytest.raises(Unauthorized):
        await call(
            hass,
            "deny_visitor",
            {"visit_id": first["visit_id"]},
            context=Context(user_id=host.id),
        )
    await _link(hass, host)
    denied = async_capture_events(hass, f"{DOMAIN}_visitor_denied")
    result = await call(
        hass,
        "deny_visitor",
        {"visit_id": first["visit_id"]},
        context=Context(user_id=host.id),
    )
    assert result["status"] == "closed"
    assert denied[0].data["reason"] == "denied"
    # Registering stays with the property office.
    with pytest.raises(Unauthorized):
        await call(
            hass, "register_visitor", _register(), context=Context(user_id=host.id)
        )
    approved = await call(
        hass,
        "approve_visitor",
        {"visit_id": second["visit_id"], "minutes": 30},
        context=Context(user_id=hass_admin_user.id),
    )
    assert approved["status"] == "approved"
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "approve_visitor", {"visit_id": first["visit_id"]})
    assert err.value.translation_key == "unknown_visit"


async def test_unanswered_visit_is_refused(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    guard = async_mock_service(hass, "notify", "guard_desk")
    await _setup(hass, freezer, guard_notify="notify.guard_desk")
    await add_resident(hass)
    refused = async_capture_events(hass, f"{DOMAIN}_visitor_refused")
    visit = await call(hass, "register_visitor", _register())
    await _tick(hass, freezer, timedelta(minutes=2, seconds=50))
    assert refused == []
    await _tick(hass, freezer, timedelta(seconds=20))
    assert [e.data["reason"] for e in refused] == ["host_unreachable"]
    assert refused[0].data["visit_id"] == visit["visit_id"]
    assert len(guard) == 1
    assert "钱**" in guard[0].data["message"]
    with pytest.raises(ServiceValidationError):
        await call(hass, "approve_visitor", {"visit_id": visit["visit_id"]})


async def test_preregistered_visitor_checks_in_without_approval(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup(hass, freezer)
    await add_resident(hass)
    start = dt_util.now() + timedelta(hours=2)
    pre = await call(
        hass,
        "preregister_visitor",
        {
            "unit": "3-2-501",
            "name": "周到",
            "phone": "138 0000 2222",
            "arrival_from": start.isoformat(),
            "arrival_until": (start + timedelta(hours=3)).isoformat(),
            "multiple_entries": True,
        },
    )
    assert pre["status"] == "expected"
    code = pre["code"]
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "check_in_visitor", {"code": code})
    assert err.value.translation_key == "visit_too_early"
    freezer.tick(timedelta(hours=2))
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "check_in_visitor", {"code": "00000000"})
    assert err.value.translation_key == "visit_not_found"
    checked = await call(
        hass, "check_in_visitor", {"name": "周到", "phone": "13800002222"}
    )
    assert checked["status"] == "approved"
    assert (await present(hass, "Main gate", checked["code"], "pin"))["granted"] is True
    assert (await present(hass, "Building 3 door", checked["code"], "pin"))[
        "granted"
    ] is True
    done = await call(hass, "check_out_visitor", {"visit_id": pre["visit_id"]})
    assert done["close_reason"] == "checked_out"
    assert (await present(hass, "Main gate", checked["code"], "pin"))[
        "reason"
    ] == "moved_out"


async def test_visitor_card_overdue_and_return(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, host: User
) -> None:
    guard = async_mock_service(hass, "notify", "guard_desk")
    await _setup(hass, freezer, guard_notify="guard_desk")
    await add_resident(hass)
    notified = await _link(hass, host)
    overdue = async_capture_events(hass, f"{DOMAIN}_visitor_overdue")
    visit = await call(hass, "register_visitor", _register(card_number="95270001"))
    await call(hass, "approve_visitor", {"visit_id": visit["visit_id"], "minutes": 30})
    assert (await present(hass, "Main gate", "95270001"))["granted"] is True
    await _tick(hass, freezer, timedelta(minutes=30, seconds=10))
    assert [e.data["reason"] for e in overdue] == ["card_not_returned"]
    assert len(guard) == 1
    assert len(notified) == 2  # the approval request, then the overdue notice
    # Blocked: the card no longer opens anything.
    assert (await present(hass, "Main gate", "95270001"))["granted"] is False
    # The card comes back late: the visit closes.
    done = await call(
        hass,
        "check_out_visitor",
        {"visit_id": visit["visit_id"], "card_returned": True},
    )
    assert done["close_reason"] == "checked_out"


async def test_watch_list(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    await _setup(hass, freezer)
    await add_resident(hass)
    assert (
        await call(hass, "bar_visitor", {"id_number": VISITOR_ID, "reason": "盗窃"})
    )["added"] is True
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "register_visitor", _register())
    assert err.value.translation_key == "visitor_barred"
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "preregister_visitor",
            {
                "unit": "3-2-501",
                "name": "x",
                "phone": "1390000",
                "id_number": VISITOR_ID,
                "arrival_from": dt_util.now().isoformat(),
                "arrival_until": (dt_util.now() + timedelta(hours=1)).isoformat(),
            },
        )
    assert err.value.translation_key == "visitor_barred"
    assert (await call(hass, "unbar_visitor", {"id_number": VISITOR_ID}))[
        "lifted"
    ] is True
    assert (await call(hass, "register_visitor", _register()))["status"] == "pending"


async def test_visits_survive_a_restart(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry = await _setup(hass, freezer)
    await add_resident(hass)
    visit = await call(hass, "register_visitor", _register())
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    approved = await call(hass, "approve_visitor", {"visit_id": visit["visit_id"]})
    assert approved["status"] == "approved"
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert (await present(hass, "Main gate", approved["code"], "pin"))[
        "granted"
    ] is True


async def test_no_visitor_id_number_anywhere(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from custom_components.community_access.diagnostics import (
        async_get_config_entry_diagnostics,
    )
    from homeassistant.const import MATCH_ALL

    caplog.set_level(logging.DEBUG)
    entry = await _setup(hass, freezer)
    events = []
    hass.bus.async_listen(MATCH_ALL, events.append)
    await add_resident(hass)
    visit = await call(hass, "register_visitor", _register())
    approved = await call(hass, "approve_visitor", {"visit_id": visit["visit_id"]})
    await present(hass, "Main gate", approved["code"], "pin")
    await call(hass, "check_out_visitor", {"visit_id": visit["visit_id"]})
    await call(hass, "bar_visitor", {"id_number": _valid("11010519700101001")})
    await hass.async_block_till_done()
    # (Called directly: the frozen clock would make the HTTP client's token invalid.)
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    texts = [
        json.dumps([[e.event_type, e.data] for e in events], default=str),
        json.dumps(
            [[s.entity_id, dict(s.attributes)] for s in hass.states.async_all()],
            default=str,
        ),
        caplog.text,
        json.dumps(diagnostics, default=str),
    ]
    for text in texts:
        assert VISITOR_ID not in text
        assert "13900001111" not in text
        assert _valid("11010519700101001") not in text
        assert ID_NUMBER not in text


async def test_moving_out_unlinks_the_household(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, host: User
) -> None:
    """Issue 11: a re-occupied unit starts with no links; former occupants approve nothing."""
    guard = async_mock_service(hass, "notify", "guard_desk")
    await _setup(hass, freezer, guard_notify="notify.guard_desk")
    await add_resident(hass)
    notified = await _link(hass, host)
    refused = async_capture_events(hass, f"{DOMAIN}_visitor_refused")
    waiting = await call(hass, "register_visitor", _register())
    await hass.async_block_till_done()
    assert len(notified) == 1

    await call(hass, "move_out", {"unit": "3-2-501"})
    await hass.async_block_till_done()
    # The visitor waiting at the gate is refused, and the guard is told why.
    assert [(e.data["visit_id"], e.data["reason"]) for e in refused] == [
        (waiting["visit_id"], "host_moved_out")
    ]
    assert len(guard) == 1
    assert "moved out" in guard[0].data["message"]
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "approve_visitor",
            {"visit_id": waiting["visit_id"]},
            context=Context(user_id=host.id),
        )
    assert err.value.translation_key == "unknown_visit"

    # New occupants move in and a visitor comes for them.
    await call(hass, "add_household", {"unit": "3-2-501"})
    await add_resident(
        hass, name="新业主", id_number=_valid("44030519900101123"), card=None
    )
    visit = await call(hass, "register_visitor", _register(name="孙悟空"))
    await hass.async_block_till_done()
    vid = visit["visit_id"]
    assert visit["status"] == "pending"
    assert len(notified) == 1  # the former occupant's phone is not asked

    # The former occupant can answer neither by service nor from the phone.
    for service in ("approve_visitor", "deny_visitor"):
        with pytest.raises(Unauthorized):
            await call(
                hass, service, {"visit_id": vid}, context=Context(user_id=host.id)
            )
    hass.bus.async_fire(
        "mobile_app_notification_action",
        {"action": f"COMMUNITY_ACCESS_APPROVE_{vid}"},
        context=Context(user_id=host.id),
    )
    await hass.async_block_till_done()
    community = next(
        iter(hass.config_entries.async_loaded_entries(DOMAIN))
    ).runtime_data.community
    assert community.visits[vid].status == "pending"
    assert community.links == {}

    # Once the new household links its own phone, only that one is asked.
    own = async_mock_service(hass, "notify", "mobile_app_new_phone")
    await call(
        hass,
        "link_household",
        {"unit": "3-2-501", "notify_services": ["notify.mobile_app_new_phone"]},
    )
    await call(hass, "register_visitor", _register(name="猪八戒"))
    await hass.async_block_till_done()
    assert (len(notified), len(own)) == (1, 1)
