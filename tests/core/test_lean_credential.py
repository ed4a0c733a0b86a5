"""Credentials held lean in memory (issue 14: start-up memory).

A credential keeps its keyed hash as 32 bytes (``Credential.key``) and gives
its text (``Credential.digest``) back; the index looks credentials up by the
text or by the compact form (``Vault.credential_key``) alike. The fields no
decision reads live in one tuple (``Credential.rest``) that equal ones share.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
import sys
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.community_access.core.decision import AccessIndex, Reason
from custom_components.community_access.core.models import (
    Credential,
    CredentialKind,
    CredentialStatus,
    Door,
    Person,
    Role,
    Zone,
    pack_digest,
    unpack_digest,
)
from custom_components.community_access.core.privacy import Vault

VAULT = Vault(bytes(range(32)), bytes(range(32, 64)))
AT = datetime(2025, 5, 1, 10, 0, tzinfo=UTC)


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=32, max_size=32))
def test_a_keyed_hash_packs_to_its_bytes_and_back(raw: bytes) -> None:
    text = raw.hex()
    key = pack_digest(text)
    assert key == raw
    assert unpack_digest(key) == text
    assert sys.getsizeof(key) < sys.getsizeof(text)


@pytest.mark.parametrize(
    "text",
    [
        "pin-digest",
        "",
        "p" * 64,  # 64 characters, not hex
        "AB" * 32,  # hex, but not the lowercase text a keyed hash is
        "ab" * 31 + " a",  # fromhex would skip the space: not canonical
        "ab" * 33,  # 66 characters
    ],
)
def test_other_text_is_kept_as_it_is(text: str) -> None:
    assert pack_digest(text) is text
    assert unpack_digest(text) is text


def test_equal_digests_make_equal_keys() -> None:
    first = VAULT.credential_digest(CredentialKind.CARD, "12345678")
    second = "".join(first)  # another str object of the same text
    assert pack_digest(first) == pack_digest(second)
    assert hash(pack_digest(first)) == hash(pack_digest(second))


def test_vault_key_is_the_digest_bytes() -> None:
    for kind, value in (
        (CredentialKind.CARD, "0012345678"),
        (CredentialKind.PIN, "246810"),
        (CredentialKind.PLATE, "京A·12345"),
    ):
        digest = VAULT.credential_digest(kind, value)
        assert VAULT.credential_key(kind, value) == bytes.fromhex(digest)


def test_credential_keeps_the_compact_form_and_gives_the_text() -> None:
    digest = VAULT.credential_digest(CredentialKind.CARD, "12345678")
    credential = Credential(1, 2, CredentialKind.CARD, digest, "****5678")
    assert credential.key == bytes.fromhex(digest)
    assert credential.digest == digest
    # From the compact form: the same credential.
    assert (
        Credential(1, 2, CredentialKind.CARD, masked="****5678", key=credential.key)
        == credential
    )
    # replace() keeps the hash, or takes a new text.
    lost = replace(credential, status=CredentialStatus.LOST)
    assert lost.digest == digest
    assert lost.status is CredentialStatus.LOST
    other = VAULT.credential_digest(CredentialKind.CARD, "87654321")
    assert replace(credential, digest=other).digest == other
    assert replace(credential, digest="made-up").digest == "made-up"
    # The hash is not in the repr (nor the value: never held).
    assert digest not in repr(credential)
    assert "key=" not in repr(credential)


def test_credential_needs_a_digest() -> None:
    with pytest.raises(TypeError):
        Credential(1, 2, CredentialKind.CARD, masked="****")


def test_index_looks_up_by_text_or_key() -> None:
    index = AccessIndex(ZoneInfo("Asia/Shanghai"))
    index.set_doors([Door("gate", "Gate", Zone.gate())])
    index.put_person(Person(10, None, "Staff", Role.STAFF))
    digest = VAULT.credential_digest(CredentialKind.CARD, "12345678")
    index.put_credential(Credential(1, 10, CredentialKind.CARD, digest, "****5678"))
    key = VAULT.credential_key(CredentialKind.CARD, "12345678")
    by_text = index.credential_by_digest(digest)
    assert by_text is not None
    assert index.credential_by_digest(key) is by_text
    assert (
        index.decide(CredentialKind.CARD, digest, "gate", AT).reason is Reason.GRANTED
    )
    assert index.decide(CredentialKind.CARD, key, "gate", AT).reason is Reason.GRANTED
    # A new hash for the same credential: the old one no longer finds it.
    new = VAULT.credential_digest(CredentialKind.CARD, "99990000")
    index.put_credential(replace(by_text, digest=new))
    assert index.credential_by_digest(digest) is None
    assert index.credential_by_digest(new) is not None
    index.remove_credential(1)
    assert index.credential_by_digest(new) is None
    decision = index.decide(CredentialKind.CARD, new, "gate", AT)
    assert decision.reason is Reason.UNKNOWN_CREDENTIAL


T1 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
T2 = datetime(2024, 4, 1, 8, 0, tzinfo=UTC)


def test_rest_fields_read_and_replace_like_fields() -> None:
    card = Credential(
        5,
        2,
        CredentialKind.CARD,
        "c" * 64,
        "****1234",
        created_at=T1,
        updated_at=T1,
        deposit_cents=5000,
        replaces_id=3,
    )
    assert (card.created_at, card.updated_at) == (T1, T1)
    assert (card.deposit_cents, card.replaces_id, card.damaged) == (5000, 3, False)
    returned = replace(card, updated_at=T2, damaged=True, deposit_cents=0)
    assert returned.created_at == T1
    assert returned.updated_at == T2
    assert returned.damaged is True
    assert returned.deposit_cents == 0
    assert returned.replaces_id == 3
    assert card.updated_at == T1  # the original is unchanged
    # Equal fields: equal credentials, however the rest was given.
    same = Credential(
        5,
        2,
        CredentialKind.CARD,
        "c" * 64,
        "****1234",
        rest=(T1, T1, 5000, 3, False),
    )
    assert same == card
    assert hash(same) == hash(card)
    assert replace(card, deposit_cents=1) != card
    # Named fields win over a given rest.
    assert Credential(
        5, 2, CredentialKind.CARD, "c" * 64, "****", rest=card.rest, damaged=True
    ).rest == (T1, T1, 5000, 3, True)
    text = repr(returned)
    assert "damaged=True" in text
    assert f"updated_at={T2!r}" in text


def test_credentials_with_nothing_set_share_one_rest() -> None:
    first = Credential(1, 2, CredentialKind.CARD, "a" * 64, "****")
    second = Credential(2, 2, CredentialKind.PIN, "b" * 64, "****", deposit_cents=0)
    assert first.rest is second.rest
    assert (
        replace(
            Credential(3, 2, CredentialKind.CARD, "c" * 64, "****", deposit_cents=9),
            deposit_cents=0,
        ).rest
        is first.rest
    )


def test_person_rest_fields_read_and_replace_like_fields() -> None:
    helper = Person(
        7,
        3,
        "Helper",
        Role.HELPER,
        created_at=T1,
        has_id_number=True,
        declared_by=4,
        details={"company": "ACME"},
        occupancy=2,
    )
    assert helper.created_at == T1
    assert helper.has_id_number is True
    assert helper.declared_by == 4
    assert helper.occupancy == 2
    assert helper.moved_out_at is None
    assert helper.erase_after is None
    assert helper.details == {"company": "ACME"}
    assert helper.extra_zones == frozenset()
    # A field set back to its default is cleared, not kept.
    cleared = replace(helper, declared_by=None, has_id_number=False, occupancy=1)
    assert cleared.declared_by is None
    assert cleared.has_id_number is False
    assert cleared.occupancy == 1
    assert cleared.created_at == T1
    gone = replace(helper, moved_out_at=T2, erase_after=T2)
    assert (gone.moved_out_at, gone.erase_after) == (T2, T2)
    assert replace(gone, moved_out_at=None).moved_out_at is None
    # Equality and hashing as before (details left out of both).
    same = Person(
        7,
        3,
        "Helper",
        Role.HELPER,
        rest=(T1, True, 4, None, None, 2),
        details={"other": "details"},
    )
    assert same == helper
    assert hash(same) == hash(helper)
    assert replace(helper, occupancy=3) != helper
    text = repr(helper)
    assert "declared_by=4" in text
    assert "details={'company': 'ACME'}" in text


def test_people_with_nothing_set_share_one_rest() -> None:
    first = Person(1, 1, "a", Role.OWNER)
    second = Person(2, 1, "b", Role.FAMILY, occupancy=1)
    assert first.rest is second.rest
