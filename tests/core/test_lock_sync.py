"""The lock sync reconciler against an in-memory lock and a real SQLite file."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
import os
from pathlib import Path
import sqlite3
import tempfile
from typing import Any
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.community_access.core.carddesk import CardDesk
from custom_components.community_access.core.community import Community
from custom_components.community_access.core.detection import (
    DetectionSettings,
    Detector,
)
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.lock_sync import (
    CredentialSlotKind,
    DesiredCredential,
    LockCommandError,
    LockSyncer,
    OpKind,
    SlotState,
    desired as desired_module,
    desired_credentials,
    plan,
    week_day_schedules,
)
from custom_components.community_access.core.lock_sync.desired import (
    async_desired_credentials,
)
from custom_components.community_access.core.models import (
    CredentialKind,
    CredentialStatus,
    Door,
    PassKind,
    PenaltyKind,
    PersonStatus,
    Role,
    Zone,
)
from custom_components.community_access.core.rules import RuleBook
from custom_components.community_access.core.schedule import Schedule
from custom_components.community_access.core.schema import SCHEMA_VERSION
from custom_components.community_access.core.storage import Database, LockSlotRecord
from custom_components.community_access.core.visitors import VisitorDesk

from .common import make_id_number, open_community, pins, serial_id_number
from .lockfake import FakeClock, FakeLock, capacity

PIN = CredentialKind.PIN
CARD = CredentialKind.CARD
PIN_SLOT = CredentialSlotKind.PIN
RFID_SLOT = CredentialSlotKind.RFID
DOORS = [
    Door("gate", "North gate", Zone.gate()),
    Door("b3", "Building 3", Zone.building("3")),
    Door("b5", "Building 5", Zone.building("5")),
]
V4_DDL = Path(__file__).resolve().parent.parent / "fixtures" / "schema_v4.sql"


@pytest.fixture
def doors() -> list[Door]:
    """This module's doors, for the ``community`` fixture."""
    return DOORS


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


NEXT_PIN = pins()
SERIALS = iter(range(10**6))


async def person_with_id(community: Community, **fields: Any) -> int:
    """A person with an ID number on record (cards need one)."""
    serial = next(SERIALS)
    person = await community.add_person(id_number=serial_id_number(serial), **fields)
    return person.id


async def give_card(community: Community, person_id: int, number: str) -> int:
    """Issue a card through the card desk (no deposit)."""
    result = await CardDesk(community).issue_card(
        person_id=person_id, card_number=number, deposit_cents=0
    )
    return result.credential.id


async def resident(
    community: Community, unit: str, *, pin: bool = True, card: str | None = None
) -> tuple[int, dict[str, int]]:
    """A resident of ``unit`` (household created if needed) with a PIN and/or card."""
    try:
        community.household(unit)
    except CommunityError:
        await community.add_household(unit)
    person = await person_with_id(community, name="Res", role=Role.OWNER, unit=unit)
    ids: dict[str, int] = {}
    if pin:
        ids["pin"] = (
            await community.add_credential(person_id=person, kind=PIN, value=NEXT_PIN())
        ).id
    if card:
        ids["card"] = await give_card(community, person, card)
    return person, ids


def syncer(
    community: Community,
    lock: FakeLock,
    clock: FakeClock,
    *,
    door: str = "b3",
    **kwargs: Any,
) -> LockSyncer:
    return LockSyncer(
        community,
        f"lock_{door}",
        door,
        lock,
        clock=clock,
        sleep=clock.sleep,
        min_interval=0.2,
        **kwargs,
    )


def expected_memory(
    community: Community, lock_syncer: LockSyncer
) -> dict[int, tuple[CredentialSlotKind, str]]:
    """What the lock should hold: every placed credential's code, by user id."""
    assert lock_syncer.last_plan is not None
    db = community.db
    out = {}
    for cid, uid in lock_syncer.last_plan.placement.items():
        credential = community.index.credentials[cid]
        code = community.vault.decrypt(db.credential_secret(cid))
        out[uid] = (PIN_SLOT if credential.kind is PIN else RFID_SLOT, code)
    return out


# ---- schema v5
def test_migrate_v4_database_to_v5(tmp_path: Path) -> None:
    path = tmp_path / "v4.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(V4_DDL.read_text())
        conn.execute("INSERT INTO schema_info (id, version) VALUES (1, 4)")
        conn.execute(
            "INSERT INTO households (id, unit, building, created_at) "
            "VALUES (7, '3-1-101', '3', '2024-03-01 08:00:00.000000')"
        )
    database = Database(f"sqlite:///{path}")
    try:
        assert database.schema_version() == 4
        assert database.migrate() == SCHEMA_VERSION >= 5
        assert database.schema_version() == SCHEMA_VERSION
        assert [h.id for h in database.load().households] == [7]
        row = LockSlotRecord("lock", 3, "pin", SlotState.SYNCED, 12, "d" * 64, "")
        database.put_lock_slots([row])
        database.put_lock_slots([row.__class__(**{**_fields(row), "attempts": 2})])
        (stored,) = database.lock_slots("lock")
        assert (stored.user_id, stored.credential_id, stored.attempts) == (3, 12, 2)
        assert database.migrate() == SCHEMA_VERSION  # again: nothing to do
    finally:
        database.close()
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert {"lock_slots", "lock_meta"} <= tables


def _fields(row: LockSlotRecord) -> dict[str, Any]:
    return {name: getattr(row, name) for name in row.__dataclass_fields__}


# ---- desired state
async def test_desired_state_follows_the_access_rules(
    community: Community, clock: FakeClock
) -> None:
    now = clock.now
    _, own = await resident(community, "3-1-101", card="1001")
    _, other = await resident(community, "5-1-101", card="1002")
    staff = await person_with_id(community, name="Guard", role=Role.STAFF)
    staff_card = await give_card(community, staff, "2001")
    face = await community.add_credential(
        person_id=staff, kind=CredentialKind.FACE, value="face-1"
    )
    suspended, suspended_ids = await resident(community, "3-1-102")
    await community.set_person_status(suspended, PersonStatus.SUSPENDED)
    punished, punished_ids = await resident(community, "3-1-103")
    await RuleBook(community).apply_penalty(
        person_id=punished, kind=PenaltyKind.SUSPENSION, days=3, at=now
    )
    # A restriction keeps the own building: still wanted on building 3.
    restricted, restricted_ids = await resident(community, "3-1-104")
    await RuleBook(community).apply_penalty(
        person_id=restricted, kind=PenaltyKind.RESTRICTION, days=3, at=now
    )
    lost_owner, lost_ids = await resident(community, "3-1-105", pin=False, card="3001")
    await CardDesk(community).report_lost(lost_ids["card"])
    expired = await community.add_credential(
        person_id=lost_owner,
        kind=PIN,
        value=NEXT_PIN(),
        valid_until=now + timedelta(minutes=1),
    )

    wanted = desired_credentials(community, "b3", now)
    ids = {d.credential_id for d in wanted}
    assert ids == {
        own["pin"],
        own["card"],
        staff_card,
        restricted_ids["pin"],
        expired.id,
    }
    assert face.id not in ids and other["pin"] not in ids
    assert suspended_ids["pin"] not in ids and punished_ids["pin"] not in ids
    # Residents first, then staff.
    assert [d.priority for d in wanted] == sorted(d.priority for d in wanted)
    assert wanted[-1].credential_id == staff_card
    # Never a value in the repr.
    assert "digest" not in repr(wanted[0]) and "1001" not in repr(wanted)
    later = desired_credentials(community, "b3", now + timedelta(minutes=2))
    assert expired.id not in {d.credential_id for d in later}
    # Restricted residents are kept off other buildings' doors too (gates stay).
    assert restricted_ids["pin"] in {
        d.credential_id for d in desired_credentials(community, "gate", now)
    }
    assert desired_credentials(community, "nowhere", now) == []
    # The variant that yields to the event loop between slices finds the same.
    with patch.object(desired_module, "YIELD_EVERY", 2):
        for door in ("b3", "gate"):
            assert await async_desired_credentials(
                community, door, now
            ) == desired_credentials(community, door, now)
    assert await async_desired_credentials(community, "nowhere", now) == []


# ---- initial sync, one change, lost card first
async def test_initial_sync_then_one_change_is_one_command(
    community: Community, clock: FakeClock
) -> None:
    for i in range(6):
        await resident(community, f"3-1-{101 + i}", card=f"700{i}")
    await resident(community, "5-1-101", card="9999")
    lock = FakeLock(clock)
    lock_syncer = syncer(community, lock, clock)
    report = await lock_syncer.sync()

    assert not report.aborted
    # First contact: capacity, then every slot of both kinds.
    assert lock.log[0] == ("read_capacity",)
    assert len(lock.commands("read_slot")) == 60
    assert len(lock.commands("write_slot")) == 12
    assert lock.codes() == expected_memory(community, lock_syncer)
    assert lock_syncer.status().text == "in_sync"
    assert all(
        row.state in (SlotState.SYNCED, SlotState.EMPTY)
        for row in lock_syncer.slots.values()
    )
    # Commands were spaced by the rate limit.
    assert min(s for s in clock.sleeps) >= 0.2 - 1e-9

    # Nothing changed: nothing sent.
    lock.log.clear()
    report = await lock_syncer.sync()
    assert report.commands == 0 and lock.log == []

    # One new PIN: exactly one command.
    _, ids = await resident(community, "3-1-201")
    report = await lock_syncer.sync()
    assert [e[0] for e in lock.log] == ["write_slot"]
    assert report.commands == 1
    assert lock.codes() == expected_memory(community, lock_syncer)

    # One revoked PIN: exactly one clear.
    lock.log.clear()
    uid = lock_syncer.last_plan.placement[ids["pin"]]  # type: ignore[union-attr]
    await community.revoke_credential(ids["pin"])
    await lock_syncer.sync()
    assert lock.log == [("clear_slot", PIN_SLOT, uid)]
    assert (PIN_SLOT, uid) not in lock.memory


async def test_lost_card_cleared_before_any_write(
    community: Community, clock: FakeClock
) -> None:
    _, ids = await resident(community, "3-1-101", pin=False, card="5551")
    lock = FakeLock(clock)
    lock_syncer = syncer(community, lock, clock)
    await lock_syncer.sync()
    lost_uid = lock_syncer.last_plan.placement[ids["card"]]  # type: ignore[union-attr]
    lock.log.clear()
    for i in range(3):
        await resident(community, f"3-2-{101 + i}")
    await CardDesk(community).report_lost(ids["card"])

    planned = await lock_syncer.preview()
    assert [op.op for op in planned.operations] == [OpKind.CLEAR] + [OpKind.WRITE] * 3
    await lock_syncer.sync()
    assert lock.log[0] == ("clear_slot", RFID_SLOT, lost_uid)
    assert [e[0] for e in lock.log[1:]] == ["write_slot"] * 3
    assert lock.codes() == expected_memory(community, lock_syncer)


async def test_suspended_person_cleared_and_back_after_reinstatement(
    community: Community, clock: FakeClock
) -> None:
    person, ids = await resident(community, "3-1-101", card="4242")
    await resident(community, "3-1-102")
    lock = FakeLock(clock)
    lock_syncer = syncer(community, lock, clock)
    await lock_syncer.sync()
    lock.log.clear()
    await community.set_person_status(person, PersonStatus.SUSPENDED)
    await resident(community, "3-1-103")
    await lock_syncer.sync()
    names = [e[0] for e in lock.log]
    assert names == ["clear_slot", "clear_slot", "write_slot"]
    assert {ids["pin"], ids["card"]}.isdisjoint(lock_syncer.last_plan.placement)  # type: ignore[union-attr]
    assert lock.codes() == expected_memory(community, lock_syncer)
    await community.set_person_status(person, PersonStatus.ACTIVE)
    await lock_syncer.sync()
    assert lock.codes() == expected_memory(community, lock_syncer)
    assert {ids["pin"], ids["card"]} <= set(lock_syncer.last_plan.placement)  # type: ignore[union-attr]


# ---- unmanaged codes
async def test_unmanaged_code_reported_never_touched_then_adopted_or_cleared(
    community: Community, clock: FakeClock
) -> None:
    person, ids = await resident(community, "3-1-101")
    lock = FakeLock(clock, caps=capacity(pins=4, cards=0))
    lock.memory[(PIN_SLOT, 0)] = "271828"  # set at the lock's own keypad
    lock.memory[(PIN_SLOT, 2)] = "314159"
    reported: list[tuple[str, int, CredentialSlotKind, int | None]] = []
    lock_syncer = syncer(
        community, lock, clock, on_unmanaged=lambda *args: reported.append(args)
    )
    await lock_syncer.sync()
    assert reported == [
        ("lock_b3", 0, PIN_SLOT, None),
        ("lock_b3", 2, PIN_SLOT, None),
    ]
    assert lock.memory[(PIN_SLOT, 0)] == "271828"
    assert lock.memory[(PIN_SLOT, 2)] == "314159"
    assert lock_syncer.last_plan.placement == {ids["pin"]: 1}  # type: ignore[union-attr]
    assert lock_syncer.status().unmanaged == 2
    # Two more PINs: only one id left that is not unmanaged.
    _, more = await resident(community, "3-1-102")
    _, most = await resident(community, "3-1-103")
    await lock_syncer.sync()
    unfitted = lock_syncer.last_plan.unfitted  # type: ignore[union-attr]
    assert [(u.credential_id, u.reason) for u in unfitted] == [
        (most["pin"], "no_free_slot")
    ]
    assert lock.memory[(PIN_SLOT, 0)] == "271828"
    assert lock_syncer.status().unfitted == 1
    written = {e[2] for e in lock.commands("write_slot")}
    assert written == {1, 3}

    # A second read-back reports nothing new and still does not touch them.
    reported.clear()
    lock.log.clear()
    await lock_syncer.full_readback()
    assert reported == []
    assert lock.commands("write_slot") == lock.commands("clear_slot") == []

    # Adopting a code nobody has, for a person: it becomes their credential.
    with pytest.raises(CommunityError, match="lock_code_not_known"):
        await lock_syncer.adopt_unmanaged(0)
    adopted = await lock_syncer.adopt_unmanaged(0, person_id=person)
    credential = community.index.credentials[adopted]
    assert credential.kind is PIN and credential.person_id == person
    assert community.decide("b3", PIN, "271828", clock.now).granted
    assert lock_syncer.slots[0].state == SlotState.SYNCED
    # Clearing the other: the slot is freed and the waiting PIN takes it.
    await lock_syncer.clear_unmanaged(2)
    assert (PIN_SLOT, 2) not in lock.memory
    with pytest.raises(CommunityError, match="lock_slot_not_unmanaged"):
        await lock_syncer.clear_unmanaged(2)
    lock.log.clear()
    await lock_syncer.sync()
    assert lock.commands("write_slot") == [("write_slot", PIN_SLOT, 2)]
    assert lock.codes() == expected_memory(community, lock_syncer)
    assert lock_syncer.last_plan.unfitted == ()  # type: ignore[union-attr]
    placed = lock_syncer.last_plan.placement  # type: ignore[union-attr]
    assert {more["pin"], most["pin"], adopted} <= set(placed)


async def test_adopt_code_the_community_already_knows(
    community: Community, clock: FakeClock
) -> None:
    pin = NEXT_PIN()
    await community.add_household("3-1-101")
    owner = await community.add_person(name="A", role=Role.OWNER, unit="3-1-101")
    credential = await community.add_credential(person_id=owner.id, kind=PIN, value=pin)
    lock = FakeLock(clock, caps=capacity(pins=3, cards=0))
    lock.memory[(PIN_SLOT, 1)] = pin  # programmed by hand before the integration
    reported: list[Any] = []
    lock_syncer = syncer(
        community, lock, clock, on_unmanaged=lambda *args: reported.append(args)
    )
    await lock_syncer.sync()
    # Reported with the credential it matches; ours is written elsewhere meanwhile.
    assert reported == [("lock_b3", 1, PIN_SLOT, credential.id)]
    assert await lock_syncer.adopt_unmanaged(1) == credential.id
    lock.log.clear()
    await lock_syncer.sync()
    # One copy is enough: the higher id is cleared, the code stays on the lock.
    assert lock.commands("clear_slot") == [("clear_slot", PIN_SLOT, 1)]
    assert lock.codes() == {0: (PIN_SLOT, pin)}
    assert lock_syncer.status().unmanaged == 0


# ---- capacity and lengths
async def test_capacity_and_kinds_give_unfitted_with_reasons(
    community: Community, clock: FakeClock
) -> None:
    _, first = await resident(community, "3-1-101", card="8001")
    _, second = await resident(community, "3-1-102")
    visitor = await community.add_person(
        name="V",
        role=Role.VISITOR,
        unit="3-1-101",
        valid_until=clock.now + timedelta(hours=2),
    )
    visitor_pin = await community.add_credential(
        person_id=visitor.id, kind=PIN, value=NEXT_PIN()
    )
    _, third = await resident(community, "3-1-103")
    lock = FakeLock(clock, caps=capacity(pins=3, cards=0))
    lock_syncer = syncer(community, lock, clock)
    await lock_syncer.sync()
    unfitted = {
        u.credential_id: u.reason
        for u in lock_syncer.last_plan.unfitted  # type: ignore[union-attr]
    }
    # Residents before a visitor; a card on a lock without a reader.
    assert unfitted == {
        first["card"]: "kind_unsupported",
        visitor_pin.id: "no_free_slot",
    }
    assert set(lock_syncer.last_plan.placement) == {  # type: ignore[union-attr]
        first["pin"],
        second["pin"],
        third["pin"],
    }
    assert lock.codes() == expected_memory(community, lock_syncer)
    status = lock_syncer.status()
    assert (status.text, status.unfitted) == ("in_sync", 2)


async def test_pin_and_card_lengths_outside_the_lock_limits(
    community: Community, clock: FakeClock
) -> None:
    await community.add_household("3-1-101")
    owner = await person_with_id(community, name="A", role=Role.OWNER, unit="3-1-101")
    short = await community.add_credential(person_id=owner, kind=PIN, value="4826")
    good = await community.add_credential(person_id=owner, kind=PIN, value="48261937")
    long_card = await give_card(community, owner, "123456789012")
    card = await give_card(community, owner, "12345678")
    lock = FakeLock(
        clock, caps=capacity(pins=5, cards=5, pin_length=(6, 8), rfid_length=(8, 10))
    )
    lock_syncer = syncer(community, lock, clock)
    await lock_syncer.sync()
    unfitted = {
        u.credential_id: u.reason
        for u in lock_syncer.last_plan.unfitted  # type: ignore[union-attr]
    }
    assert unfitted == {short.id: "pin_length", long_card: "rfid_length"}
    assert set(lock_syncer.last_plan.placement) == {good.id, card}  # type: ignore[union-attr]
    # The lock never saw a code it would refuse.
    assert lock.codes() == expected_memory(community, lock_syncer)
    assert len(lock.commands("write_slot")) == 2


async def test_pins_and_cards_share_user_ids(
    community: Community, clock: FakeClock
) -> None:
    # 2 PIN ids, 4 card ids: PINs must get ids 0-1, cards 2-3 (and 0-1 if free).
    for i in range(2):
        await resident(community, f"3-1-{101 + i}", pin=True)
    for i in range(2):
        await resident(community, f"3-2-{101 + i}", pin=False, card=f"660{i}")
    lock = FakeLock(clock, caps=capacity(pins=2, cards=4))
    lock_syncer = syncer(community, lock, clock)
    await lock_syncer.sync()
    codes = lock.codes()
    assert {uid for uid, (kind, _) in codes.items() if kind is PIN_SLOT} == {0, 1}
    assert {uid for uid, (kind, _) in codes.items() if kind is RFID_SLOT} == {2, 3}
    assert lock_syncer.last_plan.unfitted == ()  # type: ignore[union-attr]


# ---- failures, back-off, recovery
async def test_failing_lock_backs_off_fails_reports_and_recovers(
    community: Community, clock: FakeClock
) -> None:
    await resident(community, "3-1-101")
    lock = FakeLock(clock, caps=capacity(pins=2, cards=0))
    failures: list[tuple[str, int, int | None, str]] = []
    lock_syncer = syncer(
        community, lock, clock, on_failed=lambda *args: failures.append(args)
    )
    await lock_syncer.sync()
    _, ids = await resident(community, "3-1-102")
    lock.offline = True
    clock.sleeps.clear()
    report = await lock_syncer.sync()
    assert report.aborted
    # Back-off between the attempts: 2, 4, 8, 16 s (rate-limit waits aside).
    assert [s for s in clock.sleeps if s >= 1] == [2.0, 4.0, 8.0, 16.0]
    assert len(lock.commands("write_slot")) == 1 + 5
    assert failures == [("lock_b3", 1, ids["pin"], "timeout: no answer")]
    row = lock_syncer.slots[1]
    assert (row.state, row.attempts, row.last_error) == (
        SlotState.FAILED,
        5,
        "timeout: no answer",
    )
    assert lock_syncer.status().text == "failed 1"
    # Persisted: a new syncer on the same database sees it.
    rows = await community.run(community.db.lock_slots, "lock_b3")
    assert {r.user_id: r.state for r in rows}[1] == SlotState.FAILED

    # Before its retry time, a sync leaves it alone (no commands).
    lock.offline = False
    lock.log.clear()
    report = await lock_syncer.sync()
    assert report.commands == 0
    assert report.remaining.waiting == 1
    assert report.remaining.next_run_at == row.next_attempt_at
    # At the retry time: read back (not there), written, synced.
    clock.advance(timedelta(minutes=15))
    await lock_syncer.sync()
    assert [e[0] for e in lock.log] == ["read_slot", "write_slot"]
    assert lock_syncer.status().text == "in_sync"
    assert lock.codes() == expected_memory(community, lock_syncer)


async def test_forced_sync_retries_failed_slot_at_once(
    community: Community, clock: FakeClock
) -> None:
    lock = FakeLock(clock, caps=capacity(pins=2, cards=0))
    lock_syncer = syncer(community, lock, clock, max_attempts=2)
    await lock_syncer.sync()
    await resident(community, "3-1-101")
    lock.fail_next = 4  # failure statuses: write, read-back, write, read-back
    report = await lock_syncer.sync()
    assert not report.aborted  # a refusal, not silence: the run goes on
    assert lock_syncer.status().text == "failed 1"
    await lock_syncer.sync(force=True)
    assert lock_syncer.status().text == "in_sync"
    assert lock.codes() == expected_memory(community, lock_syncer)


async def test_write_that_landed_without_answer_is_not_repeated(
    community: Community, clock: FakeClock
) -> None:
    lock = FakeLock(clock, caps=capacity(pins=3, cards=0))
    lock_syncer = syncer(community, lock, clock)
    await lock_syncer.sync()
    await resident(community, "3-1-101")
    lock.lose_answers = 1
    lock.log.clear()
    await lock_syncer.sync()
    assert [e[0] for e in lock.log] == ["write_slot", "read_slot"]
    assert lock_syncer.status().text == "in_sync"


async def test_crash_mid_sync_resumes_without_duplicate_writes(
    community: Community, clock: FakeClock, tmp_path: Path
) -> None:
    for i in range(5):
        await resident(community, f"3-1-{101 + i}")
    lock = FakeLock(clock, caps=capacity(pins=10, cards=0))
    lock.crash_after_writes = 3
    first = syncer(community, lock, clock)
    with pytest.raises(asyncio.CancelledError):
        await first.sync()
    assert lock.writes == 3
    # Home Assistant restarts: a new community and syncer on the same file.
    await community.async_close()
    reopened = await open_community(tmp_path, DOORS)
    try:
        rows = await reopened.run(reopened.db.lock_slots, "lock_b3")
        assert Counter(r.state for r in rows)[SlotState.PENDING] == 1
        second = syncer(reopened, lock, clock)
        lock.log.clear()
        await second.sync()
        # The pending slot is read back (its write landed): 2 writes remain.
        assert [e[0] for e in lock.log] == ["read_slot"] + ["write_slot"] * 2
        assert lock.writes == 5
        per_slot = Counter(uid for (_, uid) in lock.memory)
        assert set(per_slot.values()) == {1} and len(per_slot) == 5
        assert lock.codes() == expected_memory(reopened, second)
        assert second.status().text == "in_sync"
    finally:
        await reopened.async_close()


# ---- schedules
async def test_visitor_pass_gets_a_year_day_schedule(
    community: Community, clock: FakeClock
) -> None:
    await community.add_household("3-1-101")
    start, end = clock.now, clock.now + timedelta(hours=3)
    visitor = await community.add_person(
        name="V", role=Role.VISITOR, unit="3-1-101", valid_from=start, valid_until=end
    )
    code = await community.add_credential(
        person_id=visitor.id, kind=PIN, value=NEXT_PIN()
    )
    lock = FakeLock(clock, caps=capacity(pins=3, cards=0, year_days=2))
    lock_syncer = syncer(community, lock, clock)
    await lock_syncer.sync()
    uid = lock_syncer.last_plan.placement[code.id]  # type: ignore[union-attr]
    writes = [e for e in lock.log if e[0] != "read_slot" and e[0] != "read_capacity"]
    assert writes == [
        ("write_slot", PIN_SLOT, uid),
        ("set_year_day_schedule", uid, 0),
        ("set_user_type", uid, 1),
    ]
    schedule = lock.year_days[(uid, 0)]
    assert (schedule.start, schedule.end) == (start, end)
    assert lock.user_types[uid] == 1
    # The pass is extended: only the schedule is sent again.
    await community.update_person(visitor.id, valid_until=end + timedelta(hours=1))
    lock.log.clear()
    await lock_syncer.sync()
    assert [e[0] for e in lock.log] == ["set_year_day_schedule", "set_user_type"]
    assert lock.year_days[(uid, 0)].end == end + timedelta(hours=1)
    # After its end the code is cleared (it is no longer wanted).
    clock.advance(timedelta(hours=5))
    lock.log.clear()
    await lock_syncer.sync()
    assert lock.log == [("clear_slot", PIN_SLOT, uid)]


async def test_pass_on_a_lock_without_schedules_is_cleared_at_its_end(
    community: Community, clock: FakeClock
) -> None:
    await community.add_household("3-1-101")
    t0 = clock.now
    end = t0 + timedelta(hours=2)
    contractor = await community.add_person(
        name="C", role=Role.CONTRACTOR, unit="3-1-101", valid_until=end
    )
    later = await community.add_person(
        name="V",
        role=Role.VISITOR,
        unit="3-1-101",
        valid_from=clock.now + timedelta(hours=1),
        valid_until=clock.now + timedelta(hours=4),
    )
    code = await community.add_credential(
        person_id=contractor.id, kind=PIN, value=NEXT_PIN()
    )
    soon = await community.add_credential(
        person_id=later.id, kind=PIN, value=NEXT_PIN()
    )
    lock = FakeLock(clock, caps=capacity(pins=3, cards=0, year_days=0))
    lock_syncer = syncer(community, lock, clock)
    await lock_syncer.sync()
    remaining = lock_syncer.last_plan
    assert remaining is not None
    assert set(remaining.placement) == {code.id}  # the later pass waits for its start
    assert (soon.id, "written_at_start") in remaining.notes
    assert (code.id, "cleared_at_end") in remaining.notes
    assert remaining.next_run_at == t0 + timedelta(hours=1)
    assert lock.commands("set_year_day_schedule") == []
    assert lock.user_types[remaining.placement[code.id]] == 0
    clock.advance(timedelta(hours=1))
    await lock_syncer.sync()
    assert set(lock_syncer.last_plan.placement) == {code.id, soon.id}  # type: ignore[union-attr]
    assert lock_syncer.last_plan.next_run_at == end  # type: ignore[union-attr]
    clock.advance(timedelta(hours=1))
    lock.log.clear()
    await lock_syncer.sync()
    assert [e[0] for e in lock.log] == ["clear_slot"]
    assert lock.codes() == expected_memory(community, lock_syncer)


async def test_weekly_schedule_becomes_week_day_schedules(
    community: Community, clock: FakeClock
) -> None:
    await community.add_household("3-1-101")
    helper = await community.add_person(name="H", role=Role.HELPER, unit="3-1-101")
    hours = Schedule.daily("08:00-12:00", "22:00-02:00", days=["mon", "sat"])
    code = await community.add_credential(
        person_id=helper.id, kind=PIN, value=NEXT_PIN(), schedule=hours
    )
    entries = week_day_schedules(hours)
    # Monday (bit 1) and Saturday (bit 6); over midnight: Tuesday (2) and Sunday (0).
    assert [(e.days_mask, e.start_hour, e.end_hour, e.end_minute) for e in entries] == [
        (0b0000101, 0, 2, 0),
        (0b1000010, 8, 12, 0),
        (0b1000010, 22, 23, 59),
    ]
    lock = FakeLock(clock, caps=capacity(pins=3, cards=0, week_days=4))
    lock_syncer = syncer(community, lock, clock)
    await lock_syncer.sync()
    uid = lock_syncer.last_plan.placement[code.id]  # type: ignore[union-attr]
    assert [lock.week_days[(uid, i)] for i in range(3)] == list(entries)
    # The fourth id is cleared (a former occupant's schedule would widen access).
    assert ("clear_week_day_schedule", uid, 3) in lock.log
    assert lock.user_types[uid] == 2
    # Without week-day schedules on the lock: plain code, reported.
    bare = FakeLock(clock, caps=capacity(pins=3, cards=0, week_days=0))
    bare_syncer = syncer(community, bare, clock, door="b3")
    bare_syncer.lock_id = "bare"
    await bare_syncer.sync()
    assert (code.id, "week_schedule_not_on_lock") in bare_syncer.last_plan.notes  # type: ignore[union-attr]
    assert bare.week_days == {}


# ---- lockout
async def test_lockout_follows_the_community_and_is_written_once(
    community: Community, clock: FakeClock
) -> None:
    community.detector = Detector(
        DetectionSettings(pin_attempts=5, pin_lockout=timedelta(minutes=10))
    )
    lock = FakeLock(clock, caps=capacity(pins=2, cards=0))
    lock_syncer = syncer(community, lock, clock)
    await lock_syncer.sync()
    # 600 s does not fit the one-byte attribute: the longest the lock knows.
    assert lock.commands("set_lockout") == [("set_lockout", 5, 255)]
    await lock_syncer.sync()
    await syncer(community, lock, clock).sync()  # also after a restart
    assert len(lock.commands("set_lockout")) == 1
    community.detector.settings.pin_attempts = 3
    community.detector.settings.pin_lockout = timedelta(seconds=90)
    await lock_syncer.sync()
    assert lock.lockout == (3, 90)
    assert len(lock.commands("set_lockout")) == 2


class _NoLockoutLock(FakeLock):
    """A lock whose wrong-code attributes are read-only."""

    async def set_lockout(self, wrong_code_limit: int, disable_seconds: int) -> None:
        await self._command("set_lockout", wrong_code_limit, disable_seconds)
        raise LockCommandError("read_only")


async def test_a_lock_refusing_the_lockout_is_not_asked_on_every_run(
    community: Community, clock: FakeClock
) -> None:
    community.detector = Detector(
        DetectionSettings(pin_attempts=5, pin_lockout=timedelta(minutes=1))
    )
    lock = _NoLockoutLock(clock, caps=capacity(pins=4, cards=0))
    lock_syncer = syncer(community, lock, clock)
    await resident(community, "3-1-101", card=None)
    await lock_syncer.sync()
    # Refused (after its retries), the codes are written all the same...
    refused = len(lock.commands("set_lockout"))
    assert refused == lock_syncer.max_attempts
    assert len(lock.codes()) == 1
    assert lock_syncer.status().state == "in_sync"
    # ... and the next runs do not ask again.
    await lock_syncer.sync()
    await syncer(community, lock, clock).sync()
    assert len(lock.commands("set_lockout")) == refused


# ---- the planner on its own
def test_planner_orders_clears_first_and_reuses_slots(clock: FakeClock) -> None:
    caps = capacity(pins=4, cards=0)
    desired = [
        DesiredCredential(10, 1, PIN_SLOT, "a" * 64),
        DesiredCredential(11, 1, PIN_SLOT, "b" * 64),
    ]
    slots = {
        0: LockSlotRecord("l", 0, "pin", SlotState.SYNCED, 9, "z" * 64, ""),
        1: LockSlotRecord("l", 1, "pin", SlotState.SYNCED, 11, "b" * 64, ""),
        2: LockSlotRecord("l", 2, "pin", SlotState.UNMANAGED, None, "u" * 64),
    }
    result = plan(desired, slots, caps, now=clock.now)
    # A free id is taken before one still to be cleared; clears come first.
    assert [(op.op, op.user_id, op.credential_id) for op in result.operations] == [
        (OpKind.CLEAR, 0, 9),
        (OpKind.WRITE, 3, 10),
    ]
    assert result.placement == {11: 1, 10: 3}
    # With no other id left, the cleared one is reused, after its clear.
    result = plan(desired, slots, capacity(pins=3, cards=0), now=clock.now)
    assert [(op.op, op.user_id, op.credential_id) for op in result.operations] == [
        (OpKind.CLEAR, 0, 9),
        (OpKind.WRITE, 0, 10),
    ]
    # A pending write is read back first, not blindly rewritten.
    slots[1] = LockSlotRecord("l", 1, "pin", SlotState.PENDING, 11, "b" * 64, "")
    ops = plan(desired, slots, caps, now=clock.now).operations
    assert (OpKind.VERIFY, 1) in [(op.op, op.user_id) for op in ops]
    assert "a" * 64 not in repr(ops)


# ---- property: the lock ends up holding exactly what it should
ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("add_pin"), st.integers(0, 5)),
        st.tuples(st.just("add_card"), st.integers(0, 5)),
        st.tuples(st.just("revoke"), st.integers(0, 30)),
        st.tuples(st.just("lose"), st.integers(0, 30)),
        st.tuples(st.just("suspend"), st.integers(0, 5)),
        st.tuples(st.just("reinstate"), st.integers(0, 5)),
        st.tuples(st.just("foreign"), st.integers(0, 7)),
        st.tuples(st.just("time"), st.integers(1, 5)),
        st.tuples(st.just("sync"), st.just(0)),
        st.tuples(st.just("flaky"), st.integers(1, 12)),
        st.tuples(st.just("lost_answer"), st.just(1)),
    ),
    min_size=1,
    max_size=14,
)


@settings(
    max_examples=int(os.environ.get("LOCK_SYNC_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    actions=ACTIONS,
    pins_=st.integers(3, 8),
    cards_=st.integers(0, 6),
    year_days=st.integers(0, 1),
)
def test_lock_memory_is_exactly_the_desired_set(
    actions: list[tuple[str, int]], pins_: int, cards_: int, year_days: int
) -> None:
    asyncio.run(_property(actions, pins_, cards_, year_days))


async def _property(
    actions: list[tuple[str, int]], pins_: int, cards_: int, year_days: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        community = await open_community(Path(tmp), DOORS)
        try:
            await _exercise(community, actions, pins_, cards_, year_days)
        finally:
            await community.async_close()


async def _exercise(
    community: Community,
    actions: list[tuple[str, int]],
    pins_: int,
    cards_: int,
    year_days: int,
) -> None:
    clock = FakeClock()
    lock = FakeLock(clock, caps=capacity(pins=pins_, cards=cards_, year_days=year_days))
    lock_syncer = syncer(community, lock, clock)
    people = []
    for i in range(6):
        unit = f"{3 if i < 5 else 5}-1-{101 + i}"
        await community.add_household(unit)
        people.append(
            await person_with_id(community, name=f"P{i}", role=Role.OWNER, unit=unit)
        )
    foreign: dict[int, str] = {}
    card_no = iter(range(100000, 200000))
    for action, arg in [*actions, ("sync", 0)]:
        credentials = sorted(community.index.credentials)
        if action == "add_pin":
            await community.add_credential(
                person_id=people[arg],
                kind=PIN,
                value=NEXT_PIN(),
                valid_until=clock.now + timedelta(minutes=30 * (arg + 1)),
            )
        elif action == "add_card":
            person = community.index.persons[people[arg]]
            active_cards = sum(
                c.kind is CARD and c.status is CredentialStatus.ACTIVE
                for c in community.index.credentials_of(person.id)
            )
            if person.status is PersonStatus.ACTIVE and active_cards < 2:
                await give_card(community, person.id, str(next(card_no)))
        elif action in ("revoke", "lose") and credentials:
            credential = community.index.credentials[
                credentials[arg % len(credentials)]
            ]
            if credential.status is CredentialStatus.ACTIVE:
                if credential.kind is CARD:
                    await CardDesk(community).report_lost(credential.id)
                else:
                    await community.revoke_credential(credential.id)
        elif action == "suspend":
            await community.set_person_status(people[arg], PersonStatus.SUSPENDED)
        elif action == "reinstate":
            await community.set_person_status(people[arg], PersonStatus.ACTIVE)
        elif action == "foreign" and arg < pins_ and (PIN_SLOT, arg) not in lock.memory:
            # Someone programs a code at the lock itself on a free id; a
            # full read-back discovers it.
            if all(uid != arg for (_, uid) in lock.memory):
                code = f"9{arg}0{arg}7{arg}"
                lock.memory[(PIN_SLOT, arg)] = code
                foreign[arg] = code
                await lock_syncer.full_readback()
        elif action == "time":
            clock.advance(timedelta(minutes=20 * arg))
        elif action == "flaky":
            # Failure statuses for a while (a slot may end up failed).
            lock.fail_next = arg
            await lock_syncer.sync()
            lock.fail_next = 0  # it behaves again: the forced sync below recovers
        elif action == "lost_answer":
            lock.lose_answers = 1
        await lock_syncer.sync(force=True)
        desired = desired_credentials(community, "b3", clock.now)
        remaining = lock_syncer.last_plan
        assert remaining is not None
        assert remaining.operations == ()
        placed = set(remaining.placement)
        unfitted = {u.credential_id for u in remaining.unfitted}
        assert placed | unfitted == {d.credential_id for d in desired}
        assert not placed & unfitted
        expected = expected_memory(community, lock_syncer)
        expected |= {uid: (PIN_SLOT, code) for uid, code in foreign.items()}
        assert lock.codes() == expected
        assert lock_syncer.status().text == "in_sync"
        # Passes carry their window on a lock with year-day schedules.
        for item in desired:
            uid = remaining.placement.get(item.credential_id)
            if year_days and uid is not None and item.valid_until is not None:
                assert lock.year_days[(uid, 0)].end == item.valid_until
                assert lock.user_types[uid] == 1


async def test_adopt_unmanaged_card_through_the_card_desk(
    community: Community, clock: FakeClock
) -> None:
    await community.add_household("3-1-101")
    owner = await person_with_id(community, name="A", role=Role.OWNER, unit="3-1-101")
    lock = FakeLock(clock, caps=capacity(pins=0, cards=3))
    lock.memory[(RFID_SLOT, 2)] = "88889999"
    lock_syncer = syncer(community, lock, clock)
    await lock_syncer.sync()
    assert lock_syncer.slots[2].state == SlotState.UNMANAGED
    adopted = await lock_syncer.adopt_unmanaged(2, person_id=owner)
    credential = community.index.credentials[adopted]
    assert credential.kind is CARD and credential.deposit_cents == 0
    assert community.decide("b3", CARD, "88889999", clock.now).granted
    lock.log.clear()
    await lock_syncer.sync()
    # Already on the lock: no write, no clear.
    assert lock.commands("write_slot") == lock.commands("clear_slot") == []
    assert lock.codes() == {2: (RFID_SLOT, "88889999")}
    assert lock_syncer.status().text == "in_sync"


async def test_approved_visitor_pass_goes_on_the_host_building_lock(
    community: Community, clock: FakeClock
) -> None:
    await resident(community, "3-1-101")
    desk = VisitorDesk(community)
    visit = await desk.register(
        unit="3-1-101",
        name="Visitor",
        id_number=make_id_number(777),
        phone="13800000000",
        pass_kind=PassKind.PIN,
        now=clock.now,
    )
    lock = FakeLock(clock, caps=capacity(pins=4, cards=0, year_days=1))
    elsewhere = FakeLock(clock, caps=capacity(pins=4, cards=0))
    lock_syncer = syncer(community, lock, clock)
    other = syncer(community, elsewhere, clock, door="b5")
    await lock_syncer.sync()
    await other.sync()
    assert len(lock.codes()) == 1  # pending visit: no pass yet
    result = await desk.approve(visit.id, minutes=90, now=clock.now)
    assert result.code is not None
    await lock_syncer.sync()
    await other.sync()
    uid = lock_syncer.last_plan.placement[result.visit.credential_id]  # type: ignore[union-attr,index]
    assert lock.codes()[uid] == (PIN_SLOT, result.code)
    assert lock.year_days[(uid, 0)].end == result.visit.valid_until
    assert elsewhere.codes() == {}  # another building's lock never gets it
    # The visitor leaves: the pass is cancelled and cleared from the lock.
    await desk.check_out(visit.id, card_returned=True)
    lock.log.clear()
    await lock_syncer.sync()
    assert lock.log == [("clear_slot", PIN_SLOT, uid)]


async def test_a_clear_that_did_not_land_is_not_taken_for_a_foreign_code(
    community: Community, clock: FakeClock
) -> None:
    _, ids = await resident(community, "3-1-101", pin=False, card="5151")
    lock = FakeLock(clock, caps=capacity(pins=2, cards=2))
    reported: list[Any] = []
    lock_syncer = syncer(
        community, lock, clock, on_unmanaged=lambda *args: reported.append(args)
    )
    await lock_syncer.sync()
    uid = lock_syncer.last_plan.placement[ids["card"]]  # type: ignore[union-attr]
    await CardDesk(community).report_lost(ids["card"])
    lock.offline = True
    await lock_syncer.sync()
    assert lock_syncer.slots[uid].state == SlotState.FAILED
    assert lock.memory[(RFID_SLOT, uid)] == "5151"  # still on the lock
    lock.offline = False
    await lock_syncer.full_readback()
    # Not reported as someone else's code: cleared by the forced sync.
    assert reported == []
    assert (RFID_SLOT, uid) not in lock.memory
    assert lock_syncer.slots[uid].state == SlotState.EMPTY
    assert lock_syncer.status().text == "in_sync"


async def test_write_only_codes_trust_the_slot_table(
    community: Community, clock: FakeClock
) -> None:
    """A lock that never tells its codes: occupied slots hold what was written."""
    person, ids = await resident(community, "3-1-101")
    lock = FakeLock(clock, caps=capacity(pins=4, cards=0), hide_codes=True)
    lock.memory[(PIN_SLOT, 0)] = "271828"  # set at the lock's own keypad
    reported: list[tuple[str, int, CredentialSlotKind, int | None]] = []
    lock_syncer = syncer(
        community, lock, clock, on_unmanaged=lambda *args: reported.append(args)
    )
    await lock_syncer.sync()
    # The foreign code is reported (it cannot be told from anything) and kept.
    assert reported == [("lock_b3", 0, PIN_SLOT, None)]
    assert lock.memory[(PIN_SLOT, 0)] == "271828"
    assert lock.codes() == {
        0: (PIN_SLOT, "271828"),
        **expected_memory(community, lock_syncer),
    }
    status = lock_syncer.status()
    assert status.write_only and status.text == "in_sync" and status.unmanaged == 1

    # A write whose answer is lost: the read-back says "occupied" and the slot
    # was empty before, so it is taken as written (no second write).
    _, more = await resident(community, "3-1-102")
    lock.lose_answers = 1
    lock.log.clear()
    await lock_syncer.sync()
    assert [e[0] for e in lock.log] == ["write_slot", "read_slot"]
    assert lock_syncer.status().text == "in_sync"

    # A full read-back keeps our slots synced on the slot table's word.
    lock.log.clear()
    await lock_syncer.full_readback()
    assert lock.commands("write_slot") == []
    uid = lock_syncer.last_plan.placement[more["pin"]]  # type: ignore[union-attr]
    assert lock_syncer.slots[uid].state == SlotState.SYNCED

    # The foreign code cannot be registered for a person: its value is unknown.
    with pytest.raises(CommunityError, match="lock_code_write_only"):
        await lock_syncer.adopt_unmanaged(0, person_id=person)
    assert lock_syncer.slots[0].state == SlotState.UNMANAGED
    await lock_syncer.clear_unmanaged(0)
    assert (PIN_SLOT, 0) not in lock.memory

    # A restart in the middle: a pending write that landed is confirmed by
    # "occupied", not written again.
    _, third = await resident(community, "3-1-103")
    lock.crash_after_writes = 1
    with pytest.raises(asyncio.CancelledError):
        await lock_syncer.sync()
    lock.log.clear()
    restarted = syncer(community, lock, clock)
    await restarted.sync()
    assert lock.commands("write_slot") == []
    assert restarted.status().text == "in_sync"
    placed = restarted.last_plan.placement  # type: ignore[union-attr]
    assert third["pin"] in placed and ids["pin"] in placed
