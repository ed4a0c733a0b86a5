"""The index keeps its running figures equal to a full count."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st

from custom_components.community_access.core.decision import AccessIndex
from custom_components.community_access.core.models import (
    RESIDENT_ROLES,
    Credential,
    CredentialKind,
    CredentialStatus,
    Person,
    PersonStatus,
    Role,
)

ops = st.lists(
    st.one_of(
        st.tuples(
            st.just("person"),
            st.integers(1, 6),
            st.sampled_from(list(Role)),
            st.sampled_from(list(PersonStatus)),
        ),
        st.tuples(st.just("drop_person"), st.integers(1, 6)),
        st.tuples(
            st.just("cred"), st.integers(1, 8), st.sampled_from(list(CredentialStatus))
        ),
        st.tuples(st.just("drop_cred"), st.integers(1, 8)),
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(ops)
def test_running_counts_match_full_counts(operations) -> None:
    index = AccessIndex(ZoneInfo("Asia/Shanghai"))
    for op in operations:
        if op[0] == "person":
            _, pid, role, status = op
            index.put_person(
                Person(id=pid, household_id=1, name="x", role=role, status=status)
            )
        elif op[0] == "drop_person":
            index.remove_person(op[1])
        elif op[0] == "cred":
            _, cid, status = op
            index.put_credential(
                Credential(
                    id=cid,
                    person_id=1,
                    kind=CredentialKind.CARD,
                    digest=f"d{cid}",
                    masked="****",
                    status=status,
                )
            )
        else:
            index.remove_credential(op[1])
    assert index.resident_count == sum(
        1
        for p in index.persons.values()
        if p.role in RESIDENT_ROLES and p.status is not PersonStatus.MOVED_OUT
    )
    assert index.active_credential_count == sum(
        1 for c in index.credentials.values() if c.status is CredentialStatus.ACTIVE
    )
