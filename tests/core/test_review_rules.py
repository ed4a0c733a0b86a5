"""Review tests of the rule book, penalties in the index and the detector."""

from __future__ import annotations

from datetime import timedelta
import itertools
from typing import Any

import pytest

from custom_components.community_access.core.carddesk import CardDesk
from custom_components.community_access.core.community import Community, utcnow
from custom_components.community_access.core.decision import Decision, Reason
from custom_components.community_access.core.detection import (
    DetectionSettings,
    Detector,
    PassbackMode,
)
from custom_components.community_access.core.models import (
    CredentialKind,
    Direction,
    Door,
    LedgerKind,
    PenaltyKind,
    Role,
    ViolationKind,
    Zone,
)
from custom_components.community_access.core.rules import RuleBook, RuleSettings
from custom_components.community_access.core.storage import AuditQuery

from .common import make_id_number, open_community

pytestmark = pytest.mark.both_databases

CARD = CredentialKind.CARD
PIN = CredentialKind.PIN
CARD_A = "4700517391"
CARD_B = "4700528462"
STAFF_PIN = "583716"

DOORS = [
    Door("gate", "North gate", Zone.gate()),
    Door("gate_out", "North gate exit", Zone.gate(), Direction.OUT),
    Door("b3", "Building 3", Zone.building("3")),
    Door("b3_out", "Building 3 exit", Zone.building("3"), Direction.OUT),
    Door("b5", "Building 5", Zone.building("5")),
    Door("gym", "Gym", Zone.public("gym"), Direction.BOTH),
    Door("pool", "Pool", Zone.public("pool")),
    Door(
        "b3_fire",
        "Building 3 fire exit",
        Zone.building("3"),
        Direction.OUT,
        escape_route=True,
    ),
]

_serial = itertools.count(700)


@pytest.fixture
def doors() -> list[Door]:
    """This module's doors, for the ``community`` fixture."""
    return DOORS


@pytest.fixture
def events(community: Community) -> list[tuple[str, dict[str, Any]]]:
    seen: list[tuple[str, dict[str, Any]]] = []
    community.add_event_listener(lambda name, data: seen.append((name, data)))
    return seen


async def resident(
    community: Community, unit: str = "3-2-501", card: str | None = CARD_A, **kw: Any
) -> int:
    if community.index.household_by_unit(unit) is None:
        await community.add_household(unit)
    person = await community.add_person(
        name=kw.pop("name", "张三"),
        role=Role.OWNER,
        unit=unit,
        id_number=make_id_number(next(_serial)),
        **kw,
    )
    if card:
        await CardDesk(community).issue_card(person_id=person.id, card_number=card)
    return person.id


def reason(community: Community, door: str, value: str = CARD_A, at=None) -> Reason:
    return community.decide(door, CARD, value, at or utcnow()).reason


# ---- restriction and suspension


async def test_restriction_blocks_public_areas_only(community: Community) -> None:
    person = await resident(community)
    book = RuleBook(community)
    now = utcnow()
    await book.apply_penalty(person_id=person, kind=PenaltyKind.RESTRICTION, at=now)
    assert reason(community, "gate", at=now) is Reason.GRANTED
    assert reason(community, "b3", at=now) is Reason.GRANTED
    assert reason(community, "gym", at=now) is Reason.RESTRICTED


async def test_restriction_keeps_a_resident_out_of_other_buildings(
    community: Community,
) -> None:
    """第十九条 二: gates and the OWN building only, whatever extra zones say."""
    person = await resident(community, extra_zones=["building:5"])
    now = utcnow()
    assert reason(community, "b5", at=now) is Reason.GRANTED
    await RuleBook(community).apply_penalty(
        person_id=person, kind=PenaltyKind.RESTRICTION, at=now
    )
    assert reason(community, "b3", at=now) is Reason.GRANTED
    assert reason(community, "b5", at=now) is Reason.RESTRICTED


async def test_penalty_ends_exactly_at_its_end(community: Community) -> None:
    person = await resident(community)
    now = utcnow()
    penalty = await RuleBook(community).apply_penalty(
        person_id=person, kind=PenaltyKind.SUSPENSION, days=1, at=now
    )
    assert penalty.end == now + timedelta(days=1)
    end = penalty.end
    assert reason(community, "gate", at=end - timedelta(seconds=1)) is Reason.SUSPENDED
    assert reason(community, "gate", at=end) is Reason.GRANTED
    assert penalty.in_force(end - timedelta(seconds=1))
    assert not penalty.in_force(end)


async def test_suspension_of_staff_without_household(community: Community) -> None:
    staff = await community.add_person(name="李保洁", role=Role.STAFF)
    await community.add_credential(person_id=staff.id, kind=PIN, value=STAFF_PIN)
    now = utcnow()
    assert community.decide("b5", PIN, STAFF_PIN, now).granted
    book = RuleBook(community)
    result = await book.record_violation(
        kind=ViolationKind.LENDING_CARD, person_id=staff.id, at=now
    )
    assert [p.kind for p in result.penalties] == [PenaltyKind.FINE, PenaltyKind.WARNING]
    suspension = await book.apply_penalty(
        person_id=staff.id, kind=PenaltyKind.SUSPENSION, at=now
    )
    assert suspension.household_id is None
    assert community.decide("gate", PIN, STAFF_PIN, now).reason is Reason.SUSPENDED
    await book.lift_penalty(suspension.id, at=now)
    assert community.decide("gate", PIN, STAFF_PIN, now).granted


async def test_lifting_one_of_two_suspensions_keeps_the_other(
    community: Community,
) -> None:
    person = await resident(community)
    book = RuleBook(community)
    now = utcnow()
    short = await book.apply_penalty(
        person_id=person, kind=PenaltyKind.SUSPENSION, days=1, at=now
    )
    await book.apply_penalty(
        person_id=person, kind=PenaltyKind.SUSPENSION, days=10, at=now
    )
    await book.lift_penalty(short.id, at=now)
    at = now + timedelta(days=5)
    assert reason(community, "gate", at=at) is Reason.SUSPENDED


# ---- the ladder


async def test_empty_ladder_only_fines(community: Community) -> None:
    person = await resident(community)
    book = RuleBook(community, RuleSettings(ladder=()))
    now = utcnow()
    first = await book.record_violation(
        kind=ViolationKind.USING_ANOTHERS_CARD, person_id=person, at=now
    )
    assert [p.kind for p in first.penalties] == [PenaltyKind.FINE]
    other = await book.record_violation(
        kind=ViolationKind.TAILGATING, person_id=person, at=now
    )
    assert other.penalties == ()
    assert reason(community, "gym", at=now) is Reason.GRANTED


async def test_custom_ladder_and_window(community: Community) -> None:
    person = await resident(community)
    ladder = (PenaltyKind.SUSPENSION, PenaltyKind.REPORT)
    book = RuleBook(community, RuleSettings(ladder=ladder))
    t0 = utcnow() - timedelta(days=400)
    kinds = []
    for at in (t0, t0 + timedelta(days=366), t0 + timedelta(days=367)):
        result = await book.record_violation(
            kind=ViolationKind.TAILGATING, person_id=person, at=at
        )
        kinds.append([p.kind for p in result.penalties])
    # The first violation is more than a year before the second: not counted.
    assert kinds == [
        [PenaltyKind.SUSPENSION],
        [PenaltyKind.SUSPENSION],
        [PenaltyKind.REPORT],
    ]
    fourth = await book.record_violation(
        kind=ViolationKind.TAILGATING, person_id=person, at=t0 + timedelta(days=368)
    )
    assert [p.kind for p in fourth.penalties] == [PenaltyKind.REPORT]


# ---- fines and the ledger


async def test_ledger_after_mixed_operations(db_url: str) -> None:
    community = await open_community(db_url, DOORS)
    try:
        person = await resident(community)
        desk = CardDesk(community)
        book = RuleBook(community)
        now = utcnow()
        await desk.issue_card(person_id=person, card_number=CARD_B)
        await book.record_violation(
            kind=ViolationKind.LENDING_CARD, person_id=person, at=now
        )
        await book.apply_penalty(
            person_id=person, kind=PenaltyKind.FINE, amount_cents=5000, at=now
        )
        card_b = next(
            c
            for c in community.index.credentials_of(person)
            if c.masked.endswith("8462")
        )
        await desk.return_card(credential_id=card_b.id, damaged=False)
        statement = await desk.statement("3-2-501")
        assert statement.deposits_paid == 4000
        assert statement.refunded == 2000
        assert statement.fines == 25000
        assert community.deposits_held_cents == 2000
    finally:
        await community.async_close()
    community = await open_community(db_url, DOORS)
    try:
        assert community.deposits_held_cents == 2000
    finally:
        await community.async_close()


async def test_lifted_fine_leaves_the_household_statement(
    community: Community,
) -> None:
    """Lifting a fine (waiving it) should not leave the money owed."""
    person = await resident(community)
    book = RuleBook(community)
    fine = await book.apply_penalty(
        person_id=person, kind=PenaltyKind.FINE, amount_cents=5000
    )
    lifted = await book.lift_penalty(fine.id)
    assert lifted.lifted_at is not None
    statement = await CardDesk(community).statement("3-2-501")
    fines = [e for e in statement.entries if e.kind is LedgerKind.FINE]
    assert statement.fines == 0, f"lifted fine still owed: {fines}"


async def test_penalties_survive_a_restart(db_url: str) -> None:
    community = await open_community(db_url, DOORS)
    now = utcnow()
    try:
        person = await resident(community)
        book = RuleBook(community)
        await book.apply_penalty(
            person_id=person, kind=PenaltyKind.RESTRICTION, days=3, at=now
        )
        lifted = await book.apply_penalty(
            person_id=person, kind=PenaltyKind.SUSPENSION, days=3, at=now
        )
        await book.lift_penalty(lifted.id, at=now)
    finally:
        await community.async_close()
    community = await open_community(db_url, DOORS)
    try:
        await RuleBook(community).async_load()
        assert reason(community, "gate", at=now) is Reason.GRANTED
        assert reason(community, "gym", at=now) is Reason.RESTRICTED
        later = now + timedelta(days=3)
        assert reason(community, "gym", at=later) is Reason.GRANTED
    finally:
        await community.async_close()


async def test_penalty_events_carry_no_secrets(
    community: Community, events: list
) -> None:
    person = await resident(community, phone="13912348765")
    await RuleBook(community).record_violation(
        kind=ViolationKind.USING_ANOTHERS_CARD,
        person_id=person,
        evidence={"door": "gate"},
    )
    text = repr(events)
    assert CARD_A not in text
    assert "13912348765" not in text
    assert community.person(person).id_number_masked not in text


# ---- the detector


def _door(door_id: str) -> Door:
    return next(d for d in DOORS if d.id == door_id)


def _grant(
    door_id: str, at, cid: int = 1, kind=CARD, person: int | None = None
) -> Decision:
    return Decision(
        True, Reason.GRANTED, door_id, kind, at, credential_id=cid, person_id=person
    )


def _wrong(door_id: str, at) -> Decision:
    return Decision(False, Reason.UNKNOWN_CREDENTIAL, door_id, PIN, at)


def test_wrong_pins_count_per_door() -> None:
    detector = Detector(DetectionSettings(pin_attempts=3))
    t = utcnow()
    for i in range(2):
        detector.after(_wrong("gate", t + timedelta(seconds=i)), _door("gate"))
        detector.after(_wrong("b3", t + timedelta(seconds=i)), _door("b3"))
    assert not detector.keypad_locked("gate", t + timedelta(seconds=3))
    assert not detector.keypad_locked("b3", t + timedelta(seconds=3))
    _, findings = detector.after(
        _wrong("gate", t + timedelta(seconds=3)), _door("gate")
    )
    assert [f.type for f in findings] == ["keypad_locked"]
    assert detector.keypad_locked("gate", t + timedelta(seconds=4))
    assert not detector.keypad_locked("b3", t + timedelta(seconds=4))
    assert (
        detector.before("gate", PIN, t + timedelta(seconds=4)) is Reason.KEYPAD_LOCKED
    )
    assert detector.before("gate", CARD, t + timedelta(seconds=4)) is None


def test_pin_attempts_zero_never_locks() -> None:
    detector = Detector(DetectionSettings(pin_attempts=0))
    t = utcnow()
    for i in range(50):
        _, findings = detector.after(
            _wrong("gate", t + timedelta(seconds=i)), _door("gate")
        )
        assert findings == []
    assert not detector.keypad_locked("gate", t + timedelta(seconds=51))


def test_keypad_lockout_ends_exactly() -> None:
    settings = DetectionSettings(pin_attempts=1, pin_lockout=timedelta(minutes=10))
    detector = Detector(settings)
    t = utcnow()
    detector.after(_wrong("gate", t), _door("gate"))
    assert detector.keypad_locked("gate", t + timedelta(minutes=10, seconds=-1))
    assert not detector.keypad_locked("gate", t + timedelta(minutes=10))


def test_anti_passback_ignores_both_direction_doors() -> None:
    detector = Detector()
    detector.set_doors([(_door("gym"), PassbackMode.ENFORCE)])
    t = utcnow()
    for i in range(3):
        decision, findings = detector.after(
            _grant("gym", t + timedelta(minutes=i)), _door("gym")
        )
        assert decision.granted
        assert findings == []


def test_anti_passback_log_and_enforce_per_zone() -> None:
    detector = Detector()
    detector.set_doors(
        [
            (_door("gate"), PassbackMode.LOG),
            (_door("gate_out"), PassbackMode.NONE),
            (_door("b3"), PassbackMode.ENFORCE),
            (_door("b3_out"), PassbackMode.NONE),
        ]
    )
    assert detector.modes == {
        "gate": PassbackMode.LOG,
        "building:3": PassbackMode.ENFORCE,
    }
    t = utcnow()
    step = itertools.count()

    def at():
        return t + timedelta(minutes=next(step))

    # Gate (log): a second entry is reported but let through.
    detector.after(_grant("gate", at()), _door("gate"))
    decision, findings = detector.after(_grant("gate", at()), _door("gate"))
    assert decision.granted
    assert [f.details["mode"] for f in findings] == ["log"]
    # Building 3 (enforce): the second entry is denied, the gate state untouched.
    detector.after(_grant("b3", at()), _door("b3"))
    decision, findings = detector.after(_grant("b3", at()), _door("b3"))
    assert decision.reason is Reason.ANTI_PASSBACK
    assert findings[0].details["zone"] == "building:3"
    # Leaving the building, then entering again, is fine.
    decision, findings = detector.after(_grant("b3_out", at()), _door("b3_out"))
    assert decision.granted and findings == []
    decision, findings = detector.after(_grant("b3", at()), _door("b3"))
    assert decision.granted and findings == []
    # Another credential is independent.
    decision, findings = detector.after(_grant("b3", at(), cid=2), _door("b3"))
    assert decision.granted and findings == []


def test_presence_restored_from_last_grants() -> None:
    detector = Detector()
    detector.set_doors(
        [(_door("b3"), PassbackMode.ENFORCE), (_door("b3_out"), PassbackMode.NONE)]
    )
    t = utcnow()
    detector.restore(
        [
            (1, None, _door("b3_out"), t + timedelta(minutes=5)),
            (1, None, _door("b3"), t),
            (2, None, _door("b3"), t + timedelta(minutes=6)),
            (2, None, _door("b3_out"), t + timedelta(minutes=1)),
        ]
    )
    later = t + timedelta(minutes=10)
    inside_one, _ = detector.after(_grant("b3", later, cid=1), _door("b3"))
    inside_two, _ = detector.after(_grant("b3", later, cid=2), _door("b3"))
    assert inside_one.granted  # left at minute 5
    assert inside_two.reason is Reason.ANTI_PASSBACK  # re-entered at minute 6


def test_presence_lasts_the_presence_window() -> None:
    """An entry counts for 24 h: the next day the same card may enter again."""
    detector = Detector()
    detector.set_doors([(_door("b3"), PassbackMode.ENFORCE)])
    t = utcnow()
    detector.after(_grant("b3", t), _door("b3"))
    inside, _ = detector.after(_grant("b3", t + timedelta(hours=23)), _door("b3"))
    assert inside.reason is Reason.ANTI_PASSBACK
    # The refused entry changed nothing; the first one is now over 24 h old.
    later = t + timedelta(hours=24, seconds=1)
    assert detector.presence(("credential", 1), "building:3", later) is None
    decision, findings = detector.after(_grant("b3", later), _door("b3"))
    assert decision.granted and findings == []


def test_restore_window_covers_presence_and_travel() -> None:
    assert Detector().restore_window() == timedelta(hours=24)
    settings = DetectionSettings(
        travel_seconds=600, presence_window=timedelta(minutes=5)
    )
    assert Detector(settings).restore_window() == timedelta(minutes=10)


def _enforced() -> Detector:
    detector = Detector()
    detector.set_doors(
        [(_door("b3"), PassbackMode.ENFORCE), (_door("b3_out"), PassbackMode.ENFORCE)]
    )
    return detector


@pytest.mark.parametrize("mode", [PassbackMode.LOG, PassbackMode.ENFORCE])
def test_a_second_exit_is_reported_never_refused(mode: PassbackMode) -> None:
    detector = Detector()
    detector.set_doors([(_door("b3"), mode), (_door("b3_out"), mode)])
    t = utcnow()
    detector.after(_grant("b3", t), _door("b3"))
    detector.after(_grant("b3_out", t + timedelta(minutes=1)), _door("b3_out"))
    decision, findings = detector.after(
        _grant("b3_out", t + timedelta(minutes=2)), _door("b3_out")
    )
    assert decision.granted and decision.reason is Reason.GRANTED
    assert [f.type for f in findings] == ["anti_passback"]
    assert findings[0].details["direction"] == "out"
    # Still outside: entering again is fine.
    decision, findings = detector.after(
        _grant("b3", t + timedelta(minutes=3)), _door("b3")
    )
    assert decision.granted and findings == []


def test_presence_is_kept_per_person() -> None:
    detector = _enforced()
    t = utcnow()
    # The card of person 5 enters, then the PIN of the same person enters again.
    detector.after(_grant("b3", t, cid=1, person=5), _door("b3"))
    decision, findings = detector.after(
        _grant("b3", t + timedelta(minutes=1), cid=2, kind=PIN, person=5), _door("b3")
    )
    assert decision.reason is Reason.ANTI_PASSBACK
    assert findings[0].person_id == 5
    # Leaving with the PIN lets the card in again.
    detector.after(
        _grant("b3_out", t + timedelta(minutes=2), cid=2, person=5), _door("b3_out")
    )
    decision, _ = detector.after(
        _grant("b3", t + timedelta(minutes=3), cid=1, person=5), _door("b3")
    )
    assert decision.granted
    # Another person is independent.
    decision, _ = detector.after(
        _grant("b3", t + timedelta(minutes=4), cid=3, person=6), _door("b3")
    )
    assert decision.granted


def test_presence_restored_per_person() -> None:
    detector = _enforced()
    t = utcnow()
    detector.restore(
        [
            # Person 5 came in with the card, left with the PIN, came in with the PIN.
            (1, 5, _door("b3"), t),
            (2, 5, _door("b3_out"), t + timedelta(minutes=1)),
            (2, 5, _door("b3"), t + timedelta(minutes=2)),
            # Person 6 came in with the PIN and left with the card.
            (3, 6, _door("b3"), t),
            (4, 6, _door("b3_out"), t + timedelta(minutes=3)),
        ]
    )
    later = t + timedelta(minutes=10)
    five, _ = detector.after(_grant("b3", later, cid=1, person=5), _door("b3"))
    six, _ = detector.after(_grant("b3", later, cid=4, person=6), _door("b3"))
    assert five.reason is Reason.ANTI_PASSBACK
    assert six.granted


async def test_present_keypad_lockout_through_the_community(
    community: Community, events: list
) -> None:
    community.detector = Detector(DetectionSettings(pin_attempts=2))
    staff = await community.add_person(name="李保洁", role=Role.STAFF)
    await community.add_credential(person_id=staff.id, kind=PIN, value=STAFF_PIN)
    t = utcnow()
    await community.present("gate", PIN, "918273", t)
    await community.present("b3", PIN, "918273", t)  # another door
    assert (await community.present("gate", PIN, STAFF_PIN, t)).granted
    await community.present("gate", PIN, "918274", t)
    locked = await community.present("gate", PIN, STAFF_PIN, t)
    assert locked.reason is Reason.KEYPAD_LOCKED
    assert (await community.present("b3", PIN, STAFF_PIN, t)).granted
    names = [name for name, _ in events]
    assert names.count("keypad_locked") == 1
    assert "918273" not in repr(events) and STAFF_PIN not in repr(events)


# ---- escape-route exits never refuse (第九条: doors must not block escape)


async def _fire_exit_record(community: Community) -> tuple[str, str | None, bool]:
    records = await community.query_access_log(AuditQuery(door_id="b3_fire"))
    return records[0].reason, records[0].note, records[0].granted


async def test_escape_route_exit_opens_whatever_the_rules_say(
    community: Community,
) -> None:
    community.detector = Detector()
    person = await resident(community)
    other = await resident(community, unit="5-1-101", card=CARD_B, name="王五")
    now = utcnow()
    book = RuleBook(community)
    # Allowed anyway: an ordinary grant, nothing waived.
    decision = await community.present("b3_fire", CARD, CARD_A, now)
    assert decision.granted and decision.reason is Reason.GRANTED
    assert decision.waived is None
    assert await _fire_exit_record(community) == ("granted", None, True)
    # Another building's resident, a suspended one, an unknown card: all let out.
    decision = await community.present("b3_fire", CARD, CARD_B, now)
    assert (decision.granted, decision.reason) == (True, Reason.ESCAPE_ROUTE)
    assert decision.waived is Reason.ZONE_NOT_ALLOWED
    assert decision.person_id == other
    assert await _fire_exit_record(community) == (
        "escape_route",
        "zone_not_allowed",
        True,
    )
    await book.apply_penalty(person_id=person, kind=PenaltyKind.SUSPENSION, at=now)
    decision = await community.present("b3_fire", CARD, CARD_A, now)
    assert (decision.granted, decision.waived) == (True, Reason.SUSPENDED)
    assert await _fire_exit_record(community) == ("escape_route", "suspended", True)
    decision = await community.present("b3_fire", CARD, "4700599999", now)
    assert (decision.granted, decision.waived) == (True, Reason.UNKNOWN_CREDENTIAL)
    # ... while the ordinary exit of the same building refuses the suspended one.
    assert not (await community.present("b3_out", CARD, CARD_A, now)).granted


async def test_escape_route_exit_ignores_a_locked_keypad(community: Community) -> None:
    detector = Detector(DetectionSettings(pin_attempts=1))
    community.detector = detector
    staff = await community.add_person(name="李保洁", role=Role.STAFF)
    await community.add_credential(person_id=staff.id, kind=PIN, value=STAFF_PIN)
    now = utcnow()
    detector.locked_until["b3_fire"] = now + timedelta(minutes=10)
    decision = await community.present("b3_fire", PIN, STAFF_PIN, now)
    assert decision.granted and decision.reason is Reason.GRANTED
    # A wrong PIN opens too and does not lock the keypad.
    detector.unlock_keypad("b3_fire")
    wrong = await community.present("b3_fire", PIN, "918273", now)
    assert (wrong.granted, wrong.waived) == (True, Reason.UNKNOWN_CREDENTIAL)
    assert not detector.keypad_locked("b3_fire", now)


async def test_escape_route_exit_twice_in_enforce_mode(
    community: Community, events: list
) -> None:
    detector = Detector()
    detector.set_doors(
        [
            (_door("b3"), PassbackMode.ENFORCE),
            (_door("b3_fire"), PassbackMode.ENFORCE),
        ]
    )
    community.detector = detector
    await resident(community)
    now = utcnow()
    assert (await community.present("b3", CARD, CARD_A, now)).granted
    assert (await community.present("b3_fire", CARD, CARD_A, now)).granted
    again = await community.present("b3_fire", CARD, CARD_A, now)
    assert again.granted and again.reason is Reason.GRANTED
    assert [d["type"] for n, d in events if n == "violation_suspected"] == [
        "anti_passback"
    ]


async def test_escape_route_exit_lets_a_lone_face_out(community: Community) -> None:
    """The face rule is a rule too: an escape-route exit does not apply it."""
    person = await resident(community)
    await community.add_credential(
        person_id=person, kind=CredentialKind.FACE, value="FACE-0042"
    )
    card = next(c for c in community.index.credentials_of(person) if c.kind is CARD)
    await CardDesk(community).report_lost(card.id)
    now = utcnow()
    face = CredentialKind.FACE
    assert (await community.present("b3", face, "FACE-0042", now)).reason is (
        Reason.FACE_ALONE
    )
    out = await community.present("b3_fire", face, "FACE-0042", now)
    assert (out.granted, out.reason, out.waived) == (
        True,
        Reason.ESCAPE_ROUTE,
        Reason.FACE_ALONE,
    )


def test_grants_are_kept_only_for_the_checks_that_read_them() -> None:
    """Start-up memory (issue 14): nothing kept for checks that are off."""
    t = utcnow()
    grants = [(1, 7, _door("b3"), t), (2, None, _door("b3_out"), t)]
    idle = Detector()
    idle.set_doors([(_door("b3"), PassbackMode.NONE)])
    assert not idle.keeps_grants()
    idle.restore(grants)
    assert idle.presence(("person", 7), "building:3", t) is None
    # Anti-passback in one zone: presence there only.
    passback = Detector()
    passback.set_doors([(_door("b3"), PassbackMode.LOG)])
    assert passback.keeps_grants()
    passback.restore(grants)
    assert passback.presence(("person", 7), "building:3", t) is True
    # Impossible travel only: grants are kept for it (and still found).
    travel = Detector(DetectionSettings(travel_seconds=600))
    assert travel.keeps_grants()
    travel.restore([(1, 7, _door("b3"), t)])
    decision, findings = travel.after(
        _grant("gate", t + timedelta(seconds=60)), _door("gate")
    )
    assert decision.granted
    assert [f.type for f in findings] == ["impossible_travel"]
