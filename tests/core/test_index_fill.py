"""AccessIndex.fill (start-up) reaches the state of put_* one by one; the id tuples."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
import random

import pytest

from custom_components.community_access.core.decision import AccessIndex
from custom_components.community_access.core.models import (
    Credential,
    CredentialKind,
    CredentialStatus,
    Household,
    Person,
    PersonStatus,
    Role,
    Unit,
)

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _population(
    seed: int,
) -> tuple[list[Household], list[Person], list[Credential]]:
    rng = random.Random(seed)
    households = [Household(i, Unit("3", "1", str(100 + i))) for i in range(1, 30)]
    persons = [
        Person(
            id=i,
            household_id=rng.choice([None, *range(1, 30)]),
            name=f"p{i}",
            role=rng.choice(list(Role)),
            status=rng.choice(list(PersonStatus)),
        )
        for i in range(1, 120)
    ]
    credentials = [
        Credential(
            id=i,
            person_id=rng.randrange(1, 125),  # a few of unknown people
            kind=rng.choice(list(CredentialKind)),
            # Some digests held twice: the newer credential owns it.
            digest=f"d{rng.randrange(300)}",
            masked="****",
            status=rng.choice(list(CredentialStatus)),
            valid_until=rng.choice(
                [None, T0 + timedelta(hours=rng.randrange(-50, 50))]
            ),
        )
        for i in range(1, 400)
    ]
    rng.shuffle(credentials)  # fill sorts them by id, as the one-by-one load did
    return households, persons, credentials


def _one_by_one(
    households: list[Household], persons: list[Person], credentials: list[Credential]
) -> AccessIndex:
    index = AccessIndex(UTC)
    for household in households:
        index.put_household(household)
    for person in persons:
        index.put_person(person)
    for credential in sorted(credentials, key=lambda c: c.id):
        index.put_credential(credential)
    return index


def _state(index: AccessIndex) -> dict[str, object]:
    state = dict(vars(index))
    # A heap: the same entries, in an order of its own.
    state["_ends"] = sorted(index._ends)
    return state


@pytest.mark.parametrize("seed", range(5))
def test_fill_equals_put_one_by_one(seed: int) -> None:
    households, persons, credentials = _population(seed)
    filled = AccessIndex(UTC)
    filled.fill(households, persons, credentials)
    expected = _one_by_one(households, persons, credentials)
    assert _state(filled) == _state(expected)
    assert filled.lost_version == len(filled._lost) > 0
    assert filled.active_credential_count > 0 and filled.resident_count > 0
    assert filled.next_credential_end() == expected.next_credential_end()
    moment = T0 + timedelta(hours=10)
    assert filled.credentials_ending_by(moment) == expected.credentials_ending_by(
        moment
    )
    for credential in credentials:
        assert filled.credential_by_digest(credential.digest) == (
            expected.credential_by_digest(credential.digest)
        )
    # Later changes go on the same way from either.
    for index in (filled, expected):
        index.remove_credential(credentials[0].id)
        index.put_person(replace_status(persons[0]))
        index.remove_person(persons[1].id)
    assert _state(filled) == _state(expected)


def replace_status(person: Person) -> Person:
    return replace(person, status=PersonStatus.SUSPENDED, household_id=3)


def test_fill_refuses_a_filled_index() -> None:
    index = AccessIndex(UTC)
    index.put_household(Household(1, Unit("3", "1", "101")))
    with pytest.raises(ValueError, match="not empty"):
        index.fill([], [], [])


def test_credentials_and_people_of_after_moves_and_removals() -> None:
    index = AccessIndex(UTC)
    index.fill(
        [Household(1, Unit("3", "1", "101")), Household(2, Unit("3", "1", "102"))],
        [Person(1, 1, "a", Role.OWNER), Person(2, 1, "b", Role.FAMILY)],
        [Credential(i, 1, CredentialKind.CARD, f"d{i}", "****") for i in (3, 1, 2)],
    )
    assert [c.id for c in index.credentials_of(1)] == [1, 2, 3]
    assert [p.id for p in index.persons_of(1)] == [1, 2]
    index.remove_credential(2)
    index.put_credential(Credential(2, 1, CredentialKind.CARD, "d2", "****"))
    index.put_credential(Credential(2, 1, CredentialKind.CARD, "d2", "****"))
    assert [c.id for c in index.credentials_of(1)] == [1, 2, 3]
    index.put_person(Person(2, 2, "b", Role.FAMILY))  # moved to household 2
    assert [p.id for p in index.persons_of(1)] == [1]
    assert [p.id for p in index.persons_of(2)] == [2]
    index.remove_person(1)
    assert index.persons_of(1) == []
    assert 1 not in index._persons_of  # nothing kept for an emptied household
    for cid in (1, 2, 3):
        index.remove_credential(cid)
    assert index.credentials_of(1) == []
    assert index._credentials_of == {}
