"""Figures that depend on the time change when the time passes (issue 11.8).

The community schedules one refresh at its next time-dependent change (a
penalty's end, a temporary credential's end, a visit's deadline or pass end)
and nothing else has to happen for the sensors to follow: each test only moves
the clock to that moment.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.community_access.core.models import CredentialKind
from custom_components.community_access.runtime import visitor_desk
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .conftest import make_entry
from .helpers import ID_NUMBER, add_resident, call

UNIT = "3-2-501"


async def _setup(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> MockConfigEntry:
    await hass.config.async_set_time_zone("Asia/Shanghai")
    freezer.move_to("2026-06-01T10:00:00+08:00")
    entry = make_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    # Off the 10-minute grid of the periodic expiry (and of the 10-second
    # visit sweep there was), so only the refresh scheduled for the exact
    # moment can make a figure change there.
    freezer.tick(timedelta(seconds=3))
    return entry


def _figure(hass: HomeAssistant, key: str) -> str:
    return hass.states.get(f"sensor.sunny_gardens_{key}").state


async def _at(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: datetime
) -> None:
    """Move the clock to ``when`` and let the timers due by then run."""
    freezer.move_to(when)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_suspension_end_clears_the_figure(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await _setup(hass, freezer)
    ids = await add_resident(hass)
    penalty = await call(
        hass,
        "apply_penalty",
        {"person_id": ids["person_id"], "kind": "suspension", "days": 1},
    )
    await hass.async_block_till_done()
    assert _figure(hass, "people_suspended") == "1"
    end = dt_util.parse_datetime(penalty["end"])
    assert end is not None
    await _at(hass, freezer, end - timedelta(seconds=1))
    assert _figure(hass, "people_suspended") == "1"
    await _at(hass, freezer, end)
    assert _figure(hass, "people_suspended") == "0"


async def test_the_later_of_two_suspensions_counts(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Two people, two ends: the figure steps down at each end in turn."""
    await _setup(hass, freezer)
    first = await add_resident(hass)
    second = await add_resident(
        hass, name="钱芳", card="0087654321", id_number="110105198001010016"
    )
    short = await call(
        hass,
        "apply_penalty",
        {"person_id": first["person_id"], "kind": "suspension", "days": 1},
    )
    long = await call(
        hass,
        "apply_penalty",
        {"person_id": second["person_id"], "kind": "suspension", "days": 3},
    )
    await hass.async_block_till_done()
    assert _figure(hass, "people_suspended") == "2"
    await _at(hass, freezer, dt_util.parse_datetime(short["end"]))
    assert _figure(hass, "people_suspended") == "1"
    await _at(hass, freezer, dt_util.parse_datetime(long["end"]))
    assert _figure(hass, "people_suspended") == "0"


async def test_temporary_credential_leaves_the_figure_at_its_end(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry = await _setup(hass, freezer)
    ids = await add_resident(hass, card=None)
    end = dt_util.utcnow() + timedelta(minutes=5)
    credential = await call(
        hass,
        "issue_card",
        {
            "person_id": ids["person_id"],
            "card_number": "0012345678",
            "valid_until": end.isoformat(),
        },
    )
    await hass.async_block_till_done()
    assert _figure(hass, "active_credentials") == "1"
    assert _figure(hass, "active_cards") == "1"
    await _at(hass, freezer, end - timedelta(seconds=1))
    assert _figure(hass, "active_credentials") == "1"
    await _at(hass, freezer, end)
    assert _figure(hass, "active_credentials") == "0"
    assert _figure(hass, "active_cards") == "0"
    community = entry.runtime_data.community
    assert community.credential(credential["credential_id"]).status.value == "expired"


async def test_pass_end_takes_the_visitor_off_site(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry = await _setup(hass, freezer)
    community = entry.runtime_data.community
    await community.add_household(UNIT)
    desk = visitor_desk(entry)
    visit = await desk.register(
        unit=UNIT, name="张三", id_number=ID_NUMBER, phone="13812345678"
    )
    pin_pass = await desk.approve(visit.id, minutes=30)
    assert pin_pass.code is not None
    decision = await community.present(
        "door_gate", CredentialKind.PIN, pin_pass.code, dt_util.utcnow()
    )
    await desk.note_access(decision)
    await hass.async_block_till_done()
    assert _figure(hass, "visitors_on_site") == "1"
    end = pin_pass.visit.valid_until
    assert end is not None
    await _at(hass, freezer, end - timedelta(seconds=1))
    assert _figure(hass, "visitors_on_site") == "1"
    await _at(hass, freezer, end)
    assert _figure(hass, "visitors_on_site") == "0"


async def test_unreturned_card_is_overdue_at_the_pass_end(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry = await _setup(hass, freezer)
    community = entry.runtime_data.community
    await community.add_household(UNIT)
    desk = visitor_desk(entry)
    visit = await desk.register(
        unit=UNIT,
        name="王五",
        id_number=ID_NUMBER,
        phone="13812345678",
        card_number="88001234",
    )
    card_pass = await desk.approve(visit.id, minutes=30)
    await hass.async_block_till_done()
    assert _figure(hass, "overdue_visitor_cards") == "0"
    end = card_pass.visit.valid_until
    assert end is not None
    await _at(hass, freezer, end - timedelta(seconds=1))
    assert _figure(hass, "overdue_visitor_cards") == "0"
    await _at(hass, freezer, end)
    assert _figure(hass, "overdue_visitor_cards") == "1"


async def test_unanswered_visit_is_refused_at_its_deadline(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry = await _setup(hass, freezer)
    community = entry.runtime_data.community
    await community.add_household(UNIT)
    desk = visitor_desk(entry)
    visit = await desk.register(
        unit=UNIT, name="张三", id_number=ID_NUMBER, phone="13812345678"
    )
    await hass.async_block_till_done()
    assert visit.deadline_at is not None
    await _at(hass, freezer, visit.deadline_at - timedelta(seconds=1))
    assert visit.id in community.visits
    await _at(hass, freezer, visit.deadline_at)
    assert visit.id not in community.visits


async def test_suspension_end_after_a_restart(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """The timer is set again from what the community loads."""
    entry = await _setup(hass, freezer)
    ids = await add_resident(hass)
    penalty = await call(
        hass,
        "apply_penalty",
        {"person_id": ids["person_id"], "kind": "suspension", "days": 1},
    )
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert _figure(hass, "people_suspended") == "1"
    await _at(hass, freezer, dt_util.parse_datetime(penalty["end"]))
    assert _figure(hass, "people_suspended") == "0"


async def test_visit_due_while_unloaded_is_swept_at_start(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    entry = await _setup(hass, freezer)
    community = entry.runtime_data.community
    await community.add_household(UNIT)
    visit = await visitor_desk(entry).register(
        unit=UNIT, name="张三", id_number=ID_NUMBER, phone="13812345678"
    )
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert visit.deadline_at is not None
    freezer.move_to(visit.deadline_at + timedelta(hours=1))
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert visit.id in entry.runtime_data.community.visits
    await _at(hass, freezer, dt_util.utcnow() + timedelta(seconds=1))
    assert visit.id not in entry.runtime_data.community.visits


async def test_refresh_is_cancelled_on_unload(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, caplog
) -> None:
    entry = await _setup(hass, freezer)
    ids = await add_resident(hass)
    penalty = await call(
        hass,
        "apply_penalty",
        {"person_id": ids["person_id"], "kind": "suspension", "days": 1},
    )
    community = entry.runtime_data.community
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    notified = []
    community.add_listener(lambda: notified.append(True))
    await _at(hass, freezer, dt_util.parse_datetime(penalty["end"]))
    assert notified == []
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
