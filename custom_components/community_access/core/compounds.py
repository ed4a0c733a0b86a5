"""Several compounds on one database: what one compound's instance keeps.

A property company may run one instance per compound (小区) against one
PostgreSQL database. Each instance keeps in memory, and decides from, only:

* the households of its own compound (``households.compound``), the people
  in them (residents, their visitors, contractors, temporary residents) and
  their credentials;
* the company's staff: people without a household. They are company-wide:
  in every compound they open the doors their zones name (a guard with the
  gate zone opens every compound's gates; ``building:3`` is building 3 of
  whichever compound the door is in). Give staff per-compound access by
  registering them at each compound as needed and revoking elsewhere.

So a resident of compound A presenting a card at compound B's gate is an
unknown credential there, and a unit number (``3-2-501``) may exist once in
each compound. Card numbers stay unique across compounds: the database
refuses a card another compound holds (``core/changefeed.py``).

A single-compound installation has every household in compound ``""`` and
keeps everything, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .models import Credential, Household, Person, Visit
from .storage import Snapshot


def own_snapshot(snapshot: Snapshot, compound: str) -> Snapshot:
    """Return the part of a snapshot a compound's instance keeps."""
    households = [h for h in snapshot.households if h.compound == compound]
    ids = {h.id for h in households}
    persons = [p for p in snapshot.persons if keeps_person(p, ids)]
    person_ids = {p.id for p in persons}
    return Snapshot(
        households=households,
        persons=persons,
        credentials=[c for c in snapshot.credentials if c.person_id in person_ids],
    )


def keeps_person(
    person: Person, household_ids: Iterable[int] | Mapping[int, Household]
) -> bool:
    """Whether a person is the compound's (its household's) or company staff."""
    return person.household_id is None or person.household_id in household_ids


def keeps_credential(credential: Credential, persons: Mapping[int, Person]) -> bool:
    """Whether a credential belongs to a person the compound keeps."""
    return credential.person_id in persons


def own_visits(
    visits: Iterable[Visit], households: Mapping[int, Household]
) -> list[Visit]:
    """Return the visits to the compound's households."""
    return [v for v in visits if v.household_id in households]
