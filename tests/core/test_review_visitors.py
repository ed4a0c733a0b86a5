"""Review tests of the visitor desk: races, time edges, passes after the visit.

Runs against a real SQLite file. The executor is one worker thread, so the
order in which concurrent operations reach the database is deterministic
(as in Home Assistant, the blocking calls still run outside the event loop).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
import functools
import itertools
from typing import Any

import pytest

from custom_components.community_access.core import visitors as visitors_module
from custom_components.community_access.core.community import Community, utcnow
from custom_components.community_access.core.decision import Reason
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.models import (
    CredentialKind,
    CredentialStatus,
    PassKind,
    PersonStatus,
    Role,
    VisitStatus,
)
from custom_components.community_access.core.storage import Database
from custom_components.community_access.core.visitors import (
    EARLY_CHECK_IN,
    VisitorDesk,
    VisitorSettings,
)

from .common import DOORS, TZ, make_id_number, make_vault

pytestmark = pytest.mark.both_databases

CARD = CredentialKind.CARD
PIN = CredentialKind.PIN
UNIT = "3-2-501"
RESIDENT_PIN = "583716"
RESIDENT_CARD = "4700517391"
VISITOR_CARD = "4700528462"
VISITOR_PHONE = "13912348765"

_serial = itertools.count(500)


def serial_executor() -> tuple[Callable[..., Any], ThreadPoolExecutor]:
    """A ``hass.async_add_executor_job``-like runner with one worker thread."""
    pool = ThreadPoolExecutor(max_workers=1)

    async def run(func: Callable[..., Any], *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, functools.partial(func, *args))

    return run, pool


async def open_community(db_url: str) -> tuple[Community, ThreadPoolExecutor]:
    run, pool = serial_executor()
    community = Community(
        Database(db_url),
        make_vault(),
        TZ,
        run,
    )
    community.set_doors(DOORS)
    await community.async_load()
    return community, pool


@pytest.fixture
async def community(db_url: str) -> AsyncIterator[Community]:
    community, pool = await open_community(db_url)
    yield community
    await community.async_close()
    pool.shutdown(wait=True)


@pytest.fixture
def desk(community: Community) -> VisitorDesk:
    return VisitorDesk(community, VisitorSettings())


@pytest.fixture
def events(community: Community) -> list[tuple[str, dict[str, Any]]]:
    seen: list[tuple[str, dict[str, Any]]] = []
    community.add_event_listener(lambda name, data: seen.append((name, data)))
    return seen


async def host(community: Community, unit: str = UNIT) -> int:
    if community.index.household_by_unit(unit) is None:
        await community.add_household(unit)
    person = await community.add_person(
        name="张三",
        role=Role.OWNER,
        unit=unit,
        id_number=make_id_number(next(_serial)),
    )
    return person.id


async def register(desk: VisitorDesk, now: datetime, **extra: Any) -> int:
    visit = await desk.register(
        unit=extra.pop("unit", UNIT),
        name=extra.pop("name", "钱多多"),
        id_number=make_id_number(next(_serial), birth="19850505"),
        phone=VISITOR_PHONE,
        now=now,
        **extra,
    )
    return visit.id


# ---- races with the timeout sweep


async def test_sweep_does_not_refuse_a_visit_approved_meanwhile(
    community: Community, desk: VisitorDesk
) -> None:
    """Approve racing the sweep: the approval wins, the pass stays valid."""
    await host(community)
    t0 = utcnow()
    first = await register(desk, t0)
    second = await register(desk, t0, name="孙悟")
    sweep_at = t0 + timedelta(minutes=3)  # both deadlines reached

    swept, approved = await asyncio.gather(
        desk.sweep(sweep_at),
        desk.approve(second, minutes=60, now=sweep_at - timedelta(seconds=1)),
    )
    assert approved.visit.status is VisitStatus.APPROVED
    assert approved.code is not None
    # The host was told "approved" and the guard handed over the PIN: the
    # sweep, which saw the visit pending before, must not refuse it now.
    assert [v.id for v in swept] == [first]
    assert desk.visits[second].status is VisitStatus.APPROVED
    decision = community.decide("gate", PIN, approved.code, sweep_at)
    assert decision.reason is Reason.GRANTED


async def test_sweep_survives_a_check_out_racing_it(
    community: Community, desk: VisitorDesk
) -> None:
    """Check-out racing the sweep: the sweep neither fails nor skips the rest."""
    await host(community)
    t0 = utcnow()
    ids = [await register(desk, t0, name=n) for n in ("钱一", "钱二")]
    for visit_id in ids:
        await desk.approve(visit_id, minutes=1, now=t0)
    late = await register(desk, t0 + timedelta(minutes=1), name="钱三")
    sweep_at = t0 + timedelta(minutes=10)  # passes over, third unanswered

    results = await asyncio.gather(
        desk.sweep(sweep_at),
        desk.check_out(ids[1], card_returned=True),
        return_exceptions=True,
    )
    assert not isinstance(results[0], BaseException), repr(results[0])
    assert not isinstance(results[1], BaseException), repr(results[1])
    assert desk.visits == {}, "the unanswered third visit was left pending"
    assert late not in desk.visits


async def test_note_access_racing_check_out_does_not_reopen_the_visit(
    community: Community, desk: VisitorDesk, events: list
) -> None:
    """The pass opens the gate while the guard checks the visitor out."""
    await host(community)
    t0 = utcnow()
    visit_id = await register(desk, t0)
    result = await desk.approve(visit_id, minutes=60, now=t0)
    assert result.code is not None
    decision = community.decide("gate", PIN, result.code, t0 + timedelta(seconds=5))
    assert decision.granted

    await asyncio.gather(
        desk.check_out(visit_id, card_returned=True), desk.note_access(decision)
    )
    assert visit_id not in desk.visits
    rows = await community.run(community.db.active_visits)
    assert [v.id for v in rows] == [], "closed visit written back as on site"


async def test_two_approvals_at_once_issue_one_pass(
    community: Community, desk: VisitorDesk
) -> None:
    await host(community)
    t0 = utcnow()
    visit_id = await register(desk, t0)
    results = await asyncio.gather(
        desk.approve(visit_id, now=t0),
        desk.approve(visit_id, now=t0),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, CommunityError)]
    assert len(errors) == 1
    assert errors[0].key == "visit_not_pending"
    visitors = [p for p in community.index.persons.values() if p.role is Role.VISITOR]
    assert len(visitors) == 1
    assert community.index.active_credential_count == 1


async def test_approve_racing_deny_one_wins(
    community: Community, desk: VisitorDesk
) -> None:
    await host(community)
    t0 = utcnow()
    visit_id = await register(desk, t0)
    results = await asyncio.gather(
        desk.deny(visit_id), desk.approve(visit_id, now=t0), return_exceptions=True
    )
    assert isinstance(results[1], CommunityError)
    assert visit_id not in desk.visits
    assert community.index.active_credential_count == 0


# ---- time edges


async def test_deadline_is_exclusive_for_the_sweep(
    community: Community, desk: VisitorDesk
) -> None:
    await host(community)
    t0 = utcnow()
    visit_id = await register(desk, t0)
    deadline = t0 + VisitorSettings().approval_timeout
    assert await desk.sweep(deadline - timedelta(microseconds=1)) == []
    (refused,) = await desk.sweep(deadline)
    assert refused.id == visit_id
    assert refused.close_reason == "host_unreachable"


async def test_pass_ends_exactly_at_valid_until(
    community: Community, desk: VisitorDesk
) -> None:
    await host(community)
    t0 = utcnow()
    visit_id = await register(desk, t0)
    result = await desk.approve(visit_id, minutes=30, now=t0)
    assert result.code is not None
    end = t0 + timedelta(minutes=30)
    assert community.decide(
        "gate", PIN, result.code, end - timedelta(seconds=1)
    ).granted
    assert community.decide("gate", PIN, result.code, end).reason is Reason.EXPIRED
    assert await desk.sweep(end - timedelta(seconds=1)) == []
    (ended,) = await desk.sweep(end)
    assert ended.close_reason == "pass_ended"
    # After the close the pass stays dead at any time.
    later = community.decide("gate", PIN, result.code, t0 + timedelta(minutes=1))
    assert not later.granted


async def test_check_in_window_edges(community: Community, desk: VisitorDesk) -> None:
    await host(community)
    start = utcnow() + timedelta(hours=2)
    until = start + timedelta(hours=1)
    pre = await desk.preregister(
        unit=UNIT,
        name="周到",
        phone="13800002222",
        window_from=start,
        window_until=until,
    )
    assert pre.code is not None
    with pytest.raises(CommunityError) as err:
        await desk.check_in(
            code=pre.code, now=start - EARLY_CHECK_IN - timedelta(seconds=1)
        )
    assert err.value.key == "visit_too_early"
    with pytest.raises(CommunityError) as err:
        await desk.check_in(code=pre.code, now=until)
    assert err.value.key == "visit_window_passed"
    checked = await desk.check_in(code=pre.code, now=start - EARLY_CHECK_IN)
    assert checked.visit.status is VisitStatus.APPROVED
    assert checked.visit.valid_until == until


# ---- passes after the visit


async def test_pass_denied_after_check_out(
    community: Community, desk: VisitorDesk
) -> None:
    await host(community)
    t0 = utcnow()
    visit_id = await register(desk, t0)
    result = await desk.approve(visit_id, minutes=60, now=t0)
    assert result.code is not None
    await desk.check_out(visit_id, card_returned=False)
    decision = community.decide("gate", PIN, result.code, t0 + timedelta(minutes=5))
    assert not decision.granted
    assert decision.reason is Reason.MOVED_OUT


async def test_visitor_card_not_returned_is_blocked(
    community: Community, desk: VisitorDesk
) -> None:
    await host(community)
    t0 = utcnow()
    visit_id = await register(desk, t0, card_number=VISITOR_CARD)
    result = await desk.approve(visit_id, minutes=60, now=t0)
    assert result.visit.pass_kind is PassKind.CARD
    overdue = await desk.check_out(visit_id, card_returned=False)
    assert overdue.status is VisitStatus.OVERDUE
    assert not community.decide("gate", CARD, VISITOR_CARD, t0).granted
    done = await desk.check_out(visit_id, card_returned=True)
    assert done.status is VisitStatus.CLOSED
    assert not community.decide("gate", CARD, VISITOR_CARD, t0).granted


async def test_single_entry_pass_cannot_be_used_twice(
    community: Community, desk: VisitorDesk
) -> None:
    """``multiple_entries`` false: the pass may be used once in the window."""
    await host(community)
    now = utcnow()
    single = await desk.preregister(
        unit=UNIT,
        name="周到",
        phone="13800002222",
        window_from=now,
        window_until=now + timedelta(hours=3),
        multiple_entries=False,
    )
    multi = await desk.preregister(
        unit=UNIT,
        name="吴用",
        phone="13800003333",
        window_from=now,
        window_until=now + timedelta(hours=3),
        multiple_entries=True,
    )
    passes = {}
    for name, pre in (("single", single), ("multi", multi)):
        checked = await desk.check_in(code=pre.code, now=now)
        assert checked.code is not None
        passes[name] = checked.code
        first = await community.present(
            "gate", PIN, checked.code, now + timedelta(minutes=1)
        )
        assert first.granted
        await desk.note_access(first)
    # Two hours later the visitors come back through the gate.
    again = now + timedelta(hours=2)
    assert (await community.present("gate", PIN, passes["multi"], again)).granted
    second = await community.present("gate", PIN, passes["single"], again)
    assert not second.granted, "a single-entry pass let the visitor in twice"


# ---- uniqueness


async def test_visitor_pin_never_equals_a_resident_pin(
    community: Community, desk: VisitorDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await host(community)
    await community.add_credential(person_id=owner, kind=PIN, value=RESIDENT_PIN)
    draws = iter([int(RESIDENT_PIN), 111111, 482915])
    monkeypatch.setattr(visitors_module.secrets, "randbelow", lambda _n: next(draws))
    t0 = utcnow()
    visit_id = await register(desk, t0)
    result = await desk.approve(visit_id, now=t0)
    assert result.code == "482915"
    resident = community.decide("gate", PIN, RESIDENT_PIN, t0)
    assert resident.granted
    assert resident.person_id == owner


async def test_visitor_card_in_use_by_a_resident_is_refused(
    community: Community, desk: VisitorDesk
) -> None:
    owner = await host(community)
    from custom_components.community_access.core.carddesk import CardDesk

    await CardDesk(community).issue_card(person_id=owner, card_number=RESIDENT_CARD)
    with pytest.raises(CommunityError) as err:
        await register(desk, utcnow(), card_number=RESIDENT_CARD)
    assert err.value.key == "credential_in_use"


async def test_card_issued_to_resident_after_registration_stays_theirs(
    community: Community, desk: VisitorDesk
) -> None:
    """The visitor card number is handed to a resident before the approval."""
    owner = await host(community)
    from custom_components.community_access.core.carddesk import CardDesk

    t0 = utcnow()
    visit_id = await register(desk, t0, card_number=VISITOR_CARD)
    await CardDesk(community).issue_card(person_id=owner, card_number=VISITOR_CARD)
    with pytest.raises(CommunityError) as err:
        await desk.approve(visit_id, now=t0)
    assert err.value.key == "credential_in_use"
    decision = community.decide("b3", CARD, VISITOR_CARD, t0)
    assert decision.granted
    assert decision.person_id == owner


# ---- restart and privacy


async def test_visits_and_passes_survive_a_restart(db_url: str) -> None:
    community, pool = await open_community(db_url)
    desk = VisitorDesk(community)
    await host(community)
    t0 = utcnow()
    pending = await register(desk, t0)
    approved = await register(desk, t0, name="孙悟")
    result = await desk.approve(approved, minutes=60, now=t0)
    assert result.code is not None
    await community.async_close()
    pool.shutdown(wait=True)

    community, pool = await open_community(db_url)
    try:
        desk = VisitorDesk(community)
        assert desk.visits[pending].status is VisitStatus.PENDING
        assert desk.visits[approved].status is VisitStatus.APPROVED
        decision = community.decide("gate", PIN, result.code, t0)
        assert decision.granted
        assert community.visit_by_credential[decision.credential_id or 0] == approved
        await desk.check_out(approved, card_returned=True)
        credential = community.credential(decision.credential_id or 0)
        assert credential.status is CredentialStatus.CANCELLED
        person = community.person(decision.person_id or 0)
        assert person.status is PersonStatus.MOVED_OUT
    finally:
        await community.async_close()
        pool.shutdown(wait=True)


async def test_visitor_events_carry_no_secrets(
    community: Community, desk: VisitorDesk, events: list
) -> None:
    await host(community)
    t0 = utcnow()
    visit = await desk.register(
        unit=UNIT,
        name="钱多多",
        id_number=make_id_number(7, birth="19900909"),
        phone=VISITOR_PHONE,
        card_number=VISITOR_CARD,
        now=t0,
    )
    result = await desk.approve(visit.id, now=t0)
    await desk.check_out(visit.id, card_returned=True)
    pre = await desk.preregister(
        unit=UNIT,
        name="周到",
        phone="13800002222",
        window_from=t0,
        window_until=t0 + timedelta(hours=1),
    )
    text = repr(events)
    for secret in (
        make_id_number(7, birth="19900909"),
        VISITOR_PHONE,
        VISITOR_CARD,
        pre.code,
    ):
        assert secret and secret not in text
    # The name is masked where events leave for Home Assistant's users (per
    # the community's option, see tests/test_logbook.py), not in the core.
    assert "钱多多" in text
    assert result.code is None  # a card pass has no code to hand over


async def test_card_pass_needs_the_card_number_at_registration(
    community: Community, desk: VisitorDesk
) -> None:
    """A card pass registered without the visitor card's number is refused.

    It used to be accepted and then failed at the host's approval, where
    there was no card number to issue.
    """
    await host(community)
    with pytest.raises(CommunityError) as err:
        await register(desk, utcnow(), pass_kind=PassKind.CARD)
    assert err.value.key == "visitor_card_number_required"
    assert desk.visits == {}
    # With the card number the same registration goes through and approves.
    visit_id = await register(
        desk, utcnow(), pass_kind=PassKind.CARD, card_number=VISITOR_CARD
    )
    result = await desk.approve(visit_id)
    assert result.visit.status is VisitStatus.APPROVED
    assert result.visit.pass_kind is PassKind.CARD
