"""Two instances on one PostgreSQL database: the change feed (issue 14 goal 6).

Two :class:`Community` objects, each with its own memory and its own
:class:`ChangeListener`, on one database of the private server. Nothing in
the code path polls: B hears of A's commits through ``LISTEN``/``NOTIFY``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
import time

import psycopg2
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from custom_components.community_access.core.carddesk import CardDesk
from custom_components.community_access.core.changefeed import (
    KEEP_CHANGES,
    PRUNED_KEY,
    ChangeListener,
    _connect_args,
    last_change_id,
    prune_changes,
)
from custom_components.community_access.core.community import Community
from custom_components.community_access.core.decision import Reason
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.models import (
    CredentialKind,
    CredentialStatus,
    PenaltyKind,
    Role,
)
from custom_components.community_access.core.rules import RuleBook
from custom_components.community_access.core.storage import Database
from tests.pgserver import PgServer

from .common import DOORS, TZ, make_id_number, make_vault


def _database(url: str, compound: str) -> Database:
    database = Database(url)
    database.compound = compound
    return database


AT = datetime(2024, 1, 1, 10, 0, tzinfo=TZ)
CARD = CredentialKind.CARD
CARD_A = "4700517391"
CARD_B = "4700528462"
#: The propagation budget of the issue.
BUDGET = 1.0


async def _instance(url: str, compound: str = "") -> tuple[Community, ChangeListener]:
    after = await asyncio.to_thread(last_change_id, Database(url))
    community = Community(_database(url, compound), make_vault(), TZ, asyncio.to_thread)
    community.set_doors(DOORS)
    await community.async_load()
    listener = ChangeListener(community, after)
    await listener.async_start()
    assert listener.connected
    return community, listener


@pytest.fixture
async def pair(
    pg_migrated_url: str,
) -> AsyncIterator[tuple[Community, ChangeListener, Community, ChangeListener]]:
    """Instances A and B on one database, each listening."""
    a, feed_a = await _instance(pg_migrated_url)
    b, feed_b = await _instance(pg_migrated_url)
    yield a, feed_a, b, feed_b
    for community, feed in ((a, feed_a), (b, feed_b)):
        await feed.async_stop()
        await community.async_close()


async def until(check: Callable[[], bool], budget: float = BUDGET) -> float:
    """Seconds until ``check()`` holds (fails after ``budget``): waits on the loop."""
    start = time.perf_counter()
    while not check():
        elapsed = time.perf_counter() - start
        assert elapsed < budget, f"not within {budget} s"
        await asyncio.sleep(0.005)
    return time.perf_counter() - start


async def _owner_with_card(
    community: Community, card: str = CARD_A, unit: str = "3-2-501", serial: int = 7
) -> tuple[int, int]:
    if community.index.household_by_unit(unit) is None:
        await community.add_household(unit)
    owner = await community.add_person(
        name="张三", role=Role.OWNER, unit=unit, id_number=make_id_number(serial)
    )
    issued = await CardDesk(community).issue_card(person_id=owner.id, card_number=card)
    return owner.id, issued.credential.id


def _decides(community: Community, card: str = CARD_A) -> Reason:
    return community.decide("gate", CARD, card, AT).reason


async def test_card_issued_at_a_opens_at_b(pair) -> None:
    a, _, b, _ = pair
    await _owner_with_card(a)
    await until(lambda: _decides(b) is Reason.GRANTED)


async def test_card_reported_lost_at_a_is_denied_at_b_within_a_second(pair) -> None:
    a, _, b, _ = pair
    _, card_id = await _owner_with_card(a)
    await until(lambda: _decides(b) is Reason.GRANTED)
    await CardDesk(a).report_lost(card_id)
    committed = time.perf_counter()
    waited = await until(lambda: _decides(b) is Reason.LOST)
    assert time.perf_counter() - committed < BUDGET
    assert waited < BUDGET
    assert b.index.credentials[card_id].status is CredentialStatus.LOST


async def test_person_moved_out_at_a_loses_access_at_b(pair) -> None:
    a, _, b, _ = pair
    owner_id, card_id = await _owner_with_card(a)
    await until(lambda: _decides(b) is Reason.GRANTED)
    await CardDesk(a).move_out(unit="3-2-501")
    await until(lambda: _decides(b) is not Reason.GRANTED)
    assert b.index.credentials[card_id].status is not CredentialStatus.ACTIVE
    assert str(b.index.persons[owner_id].status) == "moved_out"


async def test_card_held_at_a_cannot_be_issued_at_b(pair) -> None:
    a, _, b, feed_b = pair
    await _owner_with_card(a)
    # B has not heard yet (listener stopped): the database itself refuses.
    await feed_b.async_stop()
    await b.add_household("3-2-502")
    other = await b.add_person(
        name="李四", role=Role.OWNER, unit="3-2-502", id_number=make_id_number(8)
    )
    with pytest.raises(CommunityError) as err:
        await CardDesk(b).issue_card(person_id=other.id, card_number=CARD_A)
    assert err.value.key == "credential_in_use"
    # …and a card reported lost at A stays refused at B as lost.
    _, other_card = await _owner_with_card(a, CARD_B, unit="3-2-503", serial=9)
    await CardDesk(a).report_lost(other_card)
    with pytest.raises(CommunityError) as err:
        await CardDesk(b).issue_card(person_id=other.id, card_number=CARD_B)
    assert err.value.key == "credential_reported_lost"
    assert _decides(b) is Reason.UNKNOWN_CREDENTIAL


async def test_writes_by_plain_sql_reach_b(pair, pg_migrated_url: str) -> None:
    """Any writer is in the feed (a trigger), not only this integration's code."""
    a, _, b, _ = pair
    _, card_id = await _owner_with_card(a)
    await until(lambda: _decides(b) is Reason.GRANTED)

    def suspend() -> None:
        db = Database(pg_migrated_url)
        with db.transaction() as tx:
            tx.conn.execute(
                text("UPDATE credentials SET status = 'cancelled' WHERE id = :i"),
                {"i": card_id},
            )
        db.close()

    await asyncio.to_thread(suspend)
    await until(lambda: _decides(b) is not Reason.GRANTED)


async def test_rolled_back_change_is_not_applied_and_late_commit_is_not_skipped(
    pair, pg_migrated_url: str
) -> None:
    """A transaction holding the feed open makes later writers wait, not overtake."""
    a, _, b, feed_b = pair
    _, card_id = await _owner_with_card(a)
    await until(lambda: _decides(b) is Reason.GRANTED)
    slow = psycopg2.connect(**_connect_args(make_url(pg_migrated_url)))
    slow.cursor().execute(
        "UPDATE credentials SET status = 'lost' WHERE id = %s", (card_id,)
    )
    # A second writer's change must wait for the slow one's commit.
    second = asyncio.create_task(a.add_person(name="赵六", role=Role.STAFF))
    await asyncio.sleep(0.3)
    assert not second.done()
    slow.commit()
    slow.close()
    staff = await second
    await until(lambda: staff.id in b.index.persons)
    await until(lambda: _decides(b) is Reason.LOST)
    assert feed_b.last_id >= 3


async def test_b_catches_up_after_a_database_outage(
    pg_server: PgServer, pg_migrated_url: str
) -> None:
    """B decides from memory while the server is down and catches up when back."""
    a, feed_a = await _instance(pg_migrated_url)
    b, feed_b = await _instance(pg_migrated_url)
    try:
        _, card_id = await _owner_with_card(a)
        await until(lambda: _decides(b) is Reason.GRANTED)
        await feed_b.async_stop()  # B stays away across the outage…
        await asyncio.to_thread(pg_server.restart)
        # …deciding from memory meanwhile.
        assert _decides(b) is Reason.GRANTED
        # A writes while B is not listening (A's pool reconnects on retry).
        for attempt in range(20):
            try:
                await CardDesk(a).report_lost(card_id)
                break
            except Exception:  # noqa: BLE001 - the pool's stale connection
                if attempt == 19:
                    raise
                await asyncio.sleep(0.1)
        assert _decides(b) is Reason.GRANTED  # not heard yet
        feed_b = ChangeListener(b, feed_b.last_id)
        await feed_b.async_start()
        await until(lambda: _decides(b) is Reason.LOST, budget=5)
    finally:
        for community, feed in ((a, feed_a), (b, feed_b)):
            await feed.async_stop()
            await community.async_close()


async def test_listener_reconnects_by_itself_after_the_server_returns(
    pg_server: PgServer, pg_migrated_url: str
) -> None:
    a, feed_a = await _instance(pg_migrated_url)
    b, feed_b = await _instance(pg_migrated_url)
    try:
        _, card_id = await _owner_with_card(a)
        await until(lambda: _decides(b) is Reason.GRANTED)
        await asyncio.to_thread(pg_server.stop_only)
        await until(lambda: not feed_b.connected, budget=5)
        assert _decides(b) is Reason.GRANTED  # from memory
        # A presentation: the door is told (from memory); the record's commit
        # then fails and the call says so (records are not queued: README).
        told: list[Reason] = []
        with pytest.raises(DBAPIError):
            await b.present(
                "gate", CARD, CARD_A, AT, on_decided=lambda d: told.append(d.reason)
            )
        assert told == [Reason.GRANTED]
        await asyncio.to_thread(pg_server.start_again)
        # A writes as soon as it can; B reconnects with back-off and catches up.
        for attempt in range(50):
            try:
                await CardDesk(a).report_lost(card_id)
                break
            except Exception:  # noqa: BLE001 - the pool's stale connections
                if attempt == 49:
                    raise
                await asyncio.sleep(0.1)
        await until(lambda: _decides(b) is Reason.LOST, budget=35)
        assert feed_b.connected
    finally:
        for community, feed in ((a, feed_a), (b, feed_b)):
            await feed.async_stop()
            await community.async_close()


@pytest.fixture
async def compounds(
    pg_migrated_url: str,
) -> AsyncIterator[tuple[Community, ChangeListener, Community, ChangeListener]]:
    """Compounds A and B (their own households) on one database, each listening."""
    a, feed_a = await _instance(pg_migrated_url, "A")
    b, feed_b = await _instance(pg_migrated_url, "B")
    yield a, feed_a, b, feed_b
    for community, feed in ((a, feed_a), (b, feed_b)):
        await feed.async_stop()
        await community.async_close()


async def test_each_compound_has_its_own_unit_3_2_501(compounds) -> None:
    a, _, b, _ = compounds
    owner_a, _ = await _owner_with_card(a, CARD_A, serial=7)
    owner_b, _ = await _owner_with_card(b, CARD_B, serial=8)
    assert a.household("3-2-501").id != b.household("3-2-501").id
    assert a.household("3-2-501").compound == "A"
    # Within a compound the unit stays unique (memory, then the database).
    with pytest.raises(CommunityError):
        await a.add_household("3-2-501")
    await asyncio.sleep(0.2)  # the feed has run: B still keeps only its own
    assert owner_a not in b.index.persons
    assert owner_b not in a.index.persons


async def test_resident_of_a_is_refused_at_b_gate(compounds) -> None:
    a, _, b, feed_b = compounds
    await _owner_with_card(a, CARD_A)
    assert _decides(a) is Reason.GRANTED
    last = feed_b.last_id
    await until(lambda: feed_b.last_id > last)  # B has read A's writes…
    assert _decides(b) is Reason.UNKNOWN_CREDENTIAL  # …and keeps them out


async def test_card_of_compound_a_cannot_be_issued_at_b(compounds) -> None:
    a, _, b, _ = compounds
    await _owner_with_card(a, CARD_A)
    await b.add_household("3-2-501")
    other = await b.add_person(
        name="李四", role=Role.OWNER, unit="3-2-501", id_number=make_id_number(8)
    )
    with pytest.raises(CommunityError) as err:
        await CardDesk(b).issue_card(person_id=other.id, card_number=CARD_A)
    assert err.value.key == "credential_in_use"


async def test_staff_card_lost_at_the_office_is_denied_at_every_compound(
    compounds,
) -> None:
    """Company staff (no household) are kept by every compound, by their zones."""
    a, _, b, _ = compounds
    guard = await a.add_person(
        name="Guard", role=Role.STAFF, id_number=make_id_number(5)
    )
    issued = await CardDesk(a).issue_card(person_id=guard.id, card_number=CARD_A)
    await until(lambda: _decides(b) is Reason.GRANTED)
    await CardDesk(a).report_lost(issued.credential.id)
    await until(lambda: _decides(b) is Reason.LOST)
    assert _decides(a) is Reason.LOST


async def test_suspension_at_a_applies_at_b(pg_migrated_url: str) -> None:
    """A penalty is in the feed: B rebuilds its suspensions (RuleBook.reindex)."""
    a, feed_a = await _instance(pg_migrated_url, "A")
    after = await asyncio.to_thread(last_change_id, Database(pg_migrated_url))
    b = Community(_database(pg_migrated_url, "B"), make_vault(), TZ, asyncio.to_thread)
    b.set_doors(DOORS)
    await b.async_load()
    await RuleBook(b).async_load()
    feed_b = ChangeListener(b, after, on_penalties=RuleBook(b).reindex)
    await feed_b.async_start()
    try:
        guard = await a.add_person(
            name="Guard", role=Role.STAFF, id_number=make_id_number(5)
        )
        await CardDesk(a).issue_card(person_id=guard.id, card_number=CARD_A)
        await until(lambda: _decides(b) is Reason.GRANTED)
        penalty = await RuleBook(a).apply_penalty(
            person_id=guard.id,
            kind=PenaltyKind.SUSPENSION,
            days=3,
            at=AT - timedelta(hours=1),
        )
        await until(lambda: _decides(b) is Reason.SUSPENDED)
        await RuleBook(a).lift_penalty(penalty.id)
        await until(lambda: _decides(b) is Reason.GRANTED)
    finally:
        for community, feed in ((a, feed_a), (b, feed_b)):
            await feed.async_stop()
            await community.async_close()


def _index_state(community: Community) -> tuple[object, ...]:
    """What an index decides from: its rows and its penalty periods."""
    index = community.index
    return (
        index.households,
        index.persons,
        index.credentials,
        index.suspended,
        index.restricted,
        index.active_credential_count,
    )


async def test_instance_away_longer_than_changes_are_kept_reloads_everything(
    pg_migrated_url: str,
) -> None:
    """Changes pruned while B is away: B reloads its index, equal to a fresh load."""
    a, feed_a = await _instance(pg_migrated_url)
    b, feed_b = await _instance(pg_migrated_url)
    fresh: Community | None = None
    try:
        owner_id, card_id = await _owner_with_card(a)
        await until(lambda: _decides(b) is Reason.GRANTED)
        await feed_b.async_stop()  # B is away…
        # …while A reports the card lost, issues another, suspends a guard
        # and moves a household in.
        await CardDesk(a).report_lost(card_id)
        second = (
            await CardDesk(a).issue_card(person_id=owner_id, card_number=CARD_B)
        ).credential
        guard = await a.add_person(
            name="Guard", role=Role.STAFF, id_number=make_id_number(5)
        )
        await CardDesk(a).issue_card(person_id=guard.id, card_number="4700539573")
        await RuleBook(a).apply_penalty(
            person_id=guard.id,
            kind=PenaltyKind.SUSPENSION,
            days=3,
            at=AT - timedelta(hours=1),
        )
        await _owner_with_card(a, "4700540684", unit="5-1-101", serial=9)
        await until(lambda: feed_a.last_id == last_change_id(a.db), budget=5)
        # Those changes are more than KEEP_CHANGES old and pruned.
        db = Database(pg_migrated_url)
        try:
            with db.transaction() as tx:
                tx.conn.execute(text("UPDATE changes SET at = at - interval '8 days'"))
            pruned = prune_changes(db, datetime.now(UTC) - KEEP_CHANGES)
            assert pruned >= 5
            assert db.setting(PRUNED_KEY) is not None
            with db.transaction() as tx:
                assert (
                    tx.conn.execute(text("SELECT count(*) FROM changes")).scalar() == 0
                )
            # A fresh instance starts from the prune, not before it.
            assert last_change_id(db) == int(str(db.setting(PRUNED_KEY)))
            assert prune_changes(db, datetime.now(UTC) - KEEP_CHANGES) == 0
        finally:
            db.close()
        assert _decides(b) is Reason.GRANTED  # B still decides from old memory
        feed_b = ChangeListener(b, feed_b.last_id)
        await feed_b.async_start()
        await until(lambda: feed_b.reloads == 1, budget=5)
        fresh, feed_fresh = await _instance(pg_migrated_url)
        await RuleBook(fresh).async_load()
        await feed_fresh.async_stop()
        assert _index_state(b) == _index_state(fresh)
        assert _decides(b) is Reason.LOST
        assert _decides(b, CARD_B) is Reason.GRANTED
        assert _decides(b, "4700539573") is Reason.SUSPENDED
        assert _decides(b, "4700540684") is Reason.GRANTED
        # A was up to date: it did not reload, and both follow new changes.
        await CardDesk(a).report_lost(second.id)
        await until(lambda: _decides(b, CARD_B) is Reason.LOST)
        assert feed_a.reloads == 0 and feed_b.reloads == 1
    finally:
        for community, feed in ((a, feed_a), (b, feed_b)):
            await feed.async_stop()
            await community.async_close()
        if fresh is not None:
            await fresh.async_close()
