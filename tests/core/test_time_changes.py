"""The index's heap of credential ends, and when visits next need a sweep."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.community_access.core.carddesk import CardDesk
from custom_components.community_access.core.community import Community, utcnow
from custom_components.community_access.core.decision import AccessIndex
from custom_components.community_access.core.models import (
    Credential,
    CredentialKind,
    CredentialStatus,
    PassKind,
    PenaltyKind,
    Role,
    Visit,
    VisitStatus,
)
from custom_components.community_access.core.review import expire_due
from custom_components.community_access.core.rules import RuleBook
from custom_components.community_access.core.timeline import next_change
from custom_components.community_access.core.visitors import VisitorDesk

from .common import make_id_number

T0 = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def _index() -> AccessIndex:
    return AccessIndex(ZoneInfo("Asia/Shanghai"))


def _card(cid: int, end: datetime | None, **kw: object) -> Credential:
    return Credential(
        id=cid,
        person_id=1,
        kind=CredentialKind.CARD,
        digest=f"d{cid}",
        masked="****0000",
        valid_until=end,
        **kw,  # type: ignore[arg-type]
    )


def test_next_end_follows_the_credentials() -> None:
    index = _index()
    assert index.next_credential_end() is None
    index.put_credential(_card(1, T0 + timedelta(hours=3)))
    index.put_credential(_card(2, T0 + timedelta(hours=1)))
    index.put_credential(_card(3, None))
    index.put_credential(
        _card(4, T0 + timedelta(minutes=5), status=CredentialStatus.LOST)
    )
    assert index.next_credential_end() == T0 + timedelta(hours=1)
    # Expired: the next one comes up.
    index.put_credential(
        _card(2, T0 + timedelta(hours=1), status=CredentialStatus.EXPIRED)
    )
    assert index.next_credential_end() == T0 + timedelta(hours=3)
    # An end moved earlier, then the credential removed.
    index.put_credential(_card(1, T0 + timedelta(minutes=30)))
    assert index.next_credential_end() == T0 + timedelta(minutes=30)
    index.put_credential(_card(5, T0 + timedelta(hours=2)))
    index.remove_credential(1)
    assert index.next_credential_end() == T0 + timedelta(hours=2)
    # An end moved later: the old one is stale.
    index.put_credential(_card(5, T0 + timedelta(hours=4)))
    assert index.next_credential_end() == T0 + timedelta(hours=4)
    assert [c.id for c in index.credentials_ending_by(T0 + timedelta(days=1))] == [5]


def test_ends_by_a_moment_are_the_active_ones() -> None:
    index = _index()
    for cid in range(1, 11):
        index.put_credential(_card(cid, T0 + timedelta(minutes=cid)))
    index.put_credential(
        _card(3, T0 + timedelta(minutes=3), status=CredentialStatus.CANCELLED)
    )
    ending = index.credentials_ending_by(T0 + timedelta(minutes=5))
    assert [c.id for c in ending] == [1, 2, 4, 5]
    assert index.credentials_ending_by(T0) == []


def test_repeated_changes_do_not_grow_the_heap() -> None:
    """Stale entries are compacted away: the heap stays proportional."""
    index = _index()
    for cid in range(1, 101):
        index.put_credential(_card(cid, T0 + timedelta(days=cid)))
    for step in range(10_000):
        cid = step % 100 + 1
        index.put_credential(_card(cid, T0 + timedelta(days=cid, seconds=step)))
    assert len(index._ends) <= 2 * len(index.credentials) + 64 + 1
    assert index.next_credential_end() == T0 + timedelta(days=1, seconds=9_900)


def test_unchanged_put_adds_no_entry() -> None:
    index = _index()
    card = _card(1, T0)
    index.put_credential(card)
    for _ in range(10):
        index.put_credential(replace(card, masked="****1111"))
    assert len(index._ends) == 1


OPS = st.lists(
    st.tuples(
        st.integers(1, 8),  # credential id
        st.sampled_from(["put", "remove"]),
        st.sampled_from(list(CredentialStatus)),
        st.one_of(st.none(), st.integers(0, 20)),  # end, minutes after T0
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(ops=OPS, at=st.integers(-1, 21))
def test_heap_agrees_with_a_scan(
    ops: list[tuple[int, str, CredentialStatus, int | None]], at: int
) -> None:
    """Whatever the changes, the heap answers what a full scan would."""
    index = _index()
    for cid, op, status, minutes in ops:
        if op == "remove":
            index.remove_credential(cid)
            continue
        end = None if minutes is None else T0 + timedelta(minutes=minutes)
        index.put_credential(_card(cid, end, status=status))
    active = [
        c
        for c in index.credentials.values()
        if c.status is CredentialStatus.ACTIVE and c.valid_until is not None
    ]
    moment = T0 + timedelta(minutes=at)
    assert [c.id for c in index.credentials_ending_by(moment)] == sorted(
        c.id for c in active if c.valid_until is not None and c.valid_until <= moment
    )
    assert index.next_credential_end() == min(
        (c.valid_until for c in active if c.valid_until is not None), default=None
    )


@given(
    status=st.sampled_from(list(VisitStatus)),
    pass_kind=st.sampled_from(list(PassKind)),
    deadline=st.integers(1, 100),
    window=st.integers(1, 100),
    valid=st.integers(1, 100),
)
def test_visit_due_at_is_when_the_sweep_acts(
    status: VisitStatus, pass_kind: PassKind, deadline: int, window: int, valid: int
) -> None:
    """``due_at`` is the first moment the sweep has something to do."""
    visit = Visit(
        id=1,
        household_id=1,
        visitor_name="张三",
        status=status,
        pass_kind=pass_kind,
        deadline_at=T0 + timedelta(minutes=deadline),
        window_until=T0 + timedelta(minutes=window),
        valid_until=T0 + timedelta(minutes=valid),
    )
    due = VisitorDesk.due_at(visit)
    if due is None:
        assert VisitorDesk._due(visit, T0 + timedelta(days=365)) is None
        return
    assert VisitorDesk._due(visit, due) is not None
    assert VisitorDesk._due(visit, due - timedelta(microseconds=1)) is None


async def test_next_change_of_a_community(community: Community) -> None:
    """Penalty ends (suspension and restriction), credential ends, in order."""
    now = utcnow()
    assert next_change(community, now) is None
    await community.add_household("3-2-501")
    people = [
        await community.add_person(
            name=name,
            role=Role.OWNER,
            unit="3-2-501",
            id_number=make_id_number(serial),
        )
        for serial, name in ((901, "张三"), (902, "李四"))
    ]
    book = RuleBook(community)
    restriction = await book.apply_penalty(
        person_id=people[0].id, kind=PenaltyKind.RESTRICTION, days=2, at=now
    )
    assert next_change(community, now) == now + timedelta(days=2)
    await book.apply_penalty(
        person_id=people[1].id, kind=PenaltyKind.SUSPENSION, days=3, at=now
    )
    # A longer one of the same person: the later end counts; a warning none.
    longer = await book.apply_penalty(
        person_id=people[1].id, kind=PenaltyKind.SUSPENSION, days=9, at=now
    )
    await book.apply_penalty(person_id=people[0].id, kind=PenaltyKind.WARNING, at=now)
    assert next_change(community, now) == now + timedelta(days=2)
    card = await CardDesk(community).issue_card(
        person_id=people[0].id,
        card_number="4700517391",
        valid_until=now + timedelta(hours=5),
    )
    assert next_change(community, now) == now + timedelta(hours=5)
    # Due now (not yet expired): reported as it is, at or before ``after``.
    assert next_change(community, now + timedelta(hours=6)) == now + timedelta(hours=5)
    await expire_due(community, now + timedelta(hours=6))
    assert community.credential(card.credential.id).status is CredentialStatus.EXPIRED
    assert next_change(community, now) == now + timedelta(days=2)
    await book.lift_penalty(restriction.id)
    assert next_change(community, now) == longer.end == now + timedelta(days=9)
    # Ended penalties need nothing more.
    assert next_change(community, now + timedelta(days=9)) is None


async def test_expiry_sweep_commits_hundreds_at_once(
    community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restart may find hundreds of passes past their end: one transaction per 500."""
    now = utcnow()
    await community.add_household("3-2-501")
    owner = await community.add_person(
        name="张三", role=Role.OWNER, unit="3-2-501", id_number=make_id_number(903)
    )
    with community.db.transaction() as tx:
        tx.insert_credentials(
            [
                {
                    "person_id": owner.id,
                    "kind": CredentialKind.PIN,
                    "digest": f"{n:064x}",
                    "masked": "****",
                    "valid_until": now - timedelta(minutes=n % 7 + 1),
                }
                for n in range(1, 602)
            ]
        )
    await community.async_reload()
    calls: list[int] = []
    sweep = community.db.set_credentials_status

    def counted(ids: list[int], status: CredentialStatus) -> list[Credential]:
        calls.append(len(ids))
        return sweep(ids, status)

    monkeypatch.setattr(community.db, "set_credentials_status", counted)
    expired = await expire_due(community, now)
    assert calls == [500, 101]
    assert len({c.id for c in expired}) == 601
    assert all(c.status is CredentialStatus.EXPIRED for c in expired)
    assert all(c.updated_at is not None and c.updated_at >= now for c in expired)
    # In the index and on disk alike; nothing left to expire.
    assert all(
        community.credential(c.id).status is CredentialStatus.EXPIRED for c in expired
    )
    on_disk = {c.id: c.status for c in community.db.load().credentials}
    assert {on_disk[c.id] for c in expired} == {CredentialStatus.EXPIRED}
    assert await expire_due(community, now) == []
    assert calls == [500, 101]
