"""Keyed hashes, encryption, normalisation, ID number checks and masking."""

from __future__ import annotations

import base64
import string

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.community_access.core.models import CredentialKind
from custom_components.community_access.core.privacy import (
    Vault,
    mask_credential,
    mask_id_number,
    mask_name,
    mask_phone,
    new_key,
    normalize_credential,
    normalize_id_number,
    valid_id_number,
)

HMAC_KEY = bytes(range(32))
AES_KEY = bytes(range(32, 64))
VAULT = Vault(HMAC_KEY, AES_KEY)
OTHER_VAULT = Vault(bytes(range(1, 33)), AES_KEY)
ALL_KINDS = list(CredentialKind)


def check_char(body17: str) -> str:
    """GB 11643 check character, computed from first principles.

    Weight of position i (0-based from the left) is 2^(17-i) mod 11; the check
    value is (12 - sum mod 11) mod 11, 10 written as ``X``.
    """
    total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(body17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def prc_id(body17: str) -> str:
    """A well-formed 18-character PRC resident ID number."""
    return body17 + check_char(body17)


# ---- keys and the vault


def test_new_key() -> None:
    first, second = new_key(), new_key()
    assert len(first) == 32
    assert len(second) == 32
    assert first != second


@pytest.mark.parametrize(
    ("hmac_key", "aes_key"),
    [(b"x" * 31, AES_KEY), (HMAC_KEY, b"x" * 31), (HMAC_KEY, b"x" * 33), (b"", b"")],
)
def test_vault_rejects_short_keys(hmac_key: bytes, aes_key: bytes) -> None:
    with pytest.raises(ValueError):
        Vault(hmac_key, aes_key)


def test_digest_deterministic_and_keyed() -> None:
    digest = VAULT.digest("purpose", "value")
    assert digest == VAULT.digest("purpose", "value")
    assert Vault(HMAC_KEY, AES_KEY).digest("purpose", "value") == digest
    assert len(digest) == 64
    assert all(c in string.hexdigits for c in digest)
    assert "value" not in digest
    assert OTHER_VAULT.digest("purpose", "value") != digest
    assert VAULT.digest("other", "value") != digest
    assert VAULT.digest("purpose", "other") != digest


def test_credential_digest_differs_between_kinds() -> None:
    digests = {kind: VAULT.credential_digest(kind, "12345678") for kind in ALL_KINDS}
    assert len(set(digests.values())) == len(ALL_KINDS)
    assert (
        VAULT.credential_digest(CredentialKind.CARD, "12345678")
        == digests[CredentialKind.CARD]
    )


def test_credential_digest_uses_normalised_value() -> None:
    card = CredentialKind.CARD
    assert VAULT.credential_digest(card, "00-12:34 56") == VAULT.credential_digest(
        card, "123456"
    )
    assert VAULT.credential_digest(card, "ab:cd:ef") == VAULT.credential_digest(
        card, "ABCDEF"
    )
    assert VAULT.credential_digest(card, "123456") != VAULT.credential_digest(
        card, "123457"
    )
    assert VAULT.credential_digest(
        CredentialKind.PIN, "0123"
    ) != VAULT.credential_digest(CredentialKind.PIN, "123")


def test_id_number_digest_normalises() -> None:
    number = prc_id("11010519491231002")
    assert VAULT.id_number_digest(number.lower()) == VAULT.id_number_digest(number)
    assert VAULT.id_number_digest(
        f" {number[:6]} {number[6:]} "
    ) == VAULT.id_number_digest(number)
    assert VAULT.id_number_digest(number) != OTHER_VAULT.id_number_digest(number)


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(ALL_KINDS),
    first=st.text(string.ascii_uppercase + string.digits, min_size=1, max_size=20),
    second=st.text(string.ascii_uppercase + string.digits, min_size=1, max_size=20),
)
def test_digest_property(kind: CredentialKind, first: str, second: str) -> None:
    assert VAULT.credential_digest(kind, first) == VAULT.credential_digest(kind, first)
    assert VAULT.credential_digest(kind, first) != OTHER_VAULT.credential_digest(
        kind, first
    )
    same = normalize_credential(kind, first) == normalize_credential(kind, second)
    assert (
        VAULT.credential_digest(kind, first) == VAULT.credential_digest(kind, second)
    ) == same


def test_encrypt_decrypt_round_trip() -> None:
    token = VAULT.encrypt("110105194912310021")
    assert VAULT.decrypt(token) == "110105194912310021"
    assert "110105194912310021" not in token
    assert b"110105194912310021" not in base64.b64decode(token)
    # A fresh nonce every time.
    assert VAULT.encrypt("110105194912310021") != token


def test_decrypt_with_another_key_fails() -> None:
    token = VAULT.encrypt("secret")
    with pytest.raises(ValueError):
        Vault(HMAC_KEY, bytes(32)).decrypt(token)


def test_decrypt_tampered_ciphertext_fails() -> None:
    raw = bytearray(base64.b64decode(VAULT.encrypt("secret value")))
    for position in (0, 12, len(raw) - 1):
        tampered = bytearray(raw)
        tampered[position] ^= 0x01
        with pytest.raises(ValueError):
            VAULT.decrypt(base64.b64encode(bytes(tampered)).decode())


@pytest.mark.parametrize("token", ["", "AAAA", "not base64 at all!", "=" * 8])
def test_decrypt_garbage_fails(token: str) -> None:
    with pytest.raises(ValueError):
        VAULT.decrypt(token)


def test_decrypt_truncated_fails() -> None:
    raw = base64.b64decode(VAULT.encrypt("secret value"))
    with pytest.raises(ValueError):
        VAULT.decrypt(base64.b64encode(raw[:-1]).decode())


@settings(max_examples=150, deadline=None)
@given(plaintext=st.text(max_size=200))
def test_encrypt_round_trip_property(plaintext: str) -> None:
    token = VAULT.encrypt(plaintext)
    assert VAULT.decrypt(token) == plaintext
    assert base64.b64decode(token, validate=True)


# ---- normalisation


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (CredentialKind.CARD, "12:34-56 78", "12345678"),
        (CredentialKind.CARD, " 12_34.56\t78 ", "12345678"),
        (CredentialKind.CARD, "ab:cd:ef:01", "ABCDEF01"),
        (CredentialKind.CARD, "0001234", "1234"),
        (CredentialKind.CARD, "00-00-12-34", "1234"),
        (CredentialKind.CARD, "0000", "0"),
        (CredentialKind.CARD, "00ab", "00AB"),
        (CredentialKind.CARD, "１２３４", "1234"),
        (CredentialKind.PHONE_TAG, "00:11:22", "1122"),
        (CredentialKind.PHONE_TAG, "aa:bb:cc", "AABBCC"),
        (CredentialKind.FINGERPRINT, "00ab-cd", "00ABCD"),
        (CredentialKind.FACE, "face.0012", "FACE0012"),
        (CredentialKind.PLATE, "京a 12345", "京A12345"),
        (CredentialKind.PLATE, "沪B-0001", "沪B0001"),
        (CredentialKind.PIN, " 0123 ", "0123"),
        (CredentialKind.PIN, "００１２", "0012"),
        (CredentialKind.PIN, "12 34", "12 34"),
    ],
)
def test_normalize_credential(kind: CredentialKind, value: str, expected: str) -> None:
    assert normalize_credential(kind, value) == expected


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(ALL_KINDS),
    value=st.text(string.ascii_letters + string.digits + " :-_.", max_size=30),
)
def test_normalize_credential_idempotent(kind: CredentialKind, value: str) -> None:
    once = normalize_credential(kind, value)
    assert normalize_credential(kind, once) == once


@settings(max_examples=150, deadline=None)
@given(
    number=st.text(string.digits, min_size=1, max_size=16).filter(
        lambda s: s[0] != "0"
    ),
    zeros=st.integers(0, 4),
    separator=st.sampled_from(["", " ", ":", "-", "_", "."]),
)
def test_card_digest_ignores_separators_and_leading_zeros(
    number: str, zeros: int, separator: str
) -> None:
    spelled = separator.join("0" * zeros + number)
    assert normalize_credential(CredentialKind.CARD, spelled) == number
    assert VAULT.credential_digest(
        CredentialKind.CARD, spelled
    ) == VAULT.credential_digest(CredentialKind.CARD, number)


def test_normalize_id_number() -> None:
    assert normalize_id_number(" 110105 19491231 002x ") == "11010519491231002X"
    assert normalize_id_number("ｅ１２３４５６７８") == "E12345678"


# ---- ID numbers


def test_known_id_number_is_valid() -> None:
    # The example of GB 11643-1999.
    assert check_char("11010519491231002") == "X"
    assert valid_id_number("11010519491231002X")
    assert valid_id_number("11010519491231002x")
    assert valid_id_number(" 110105 19491231 002X ")


def test_computed_id_number_is_valid() -> None:
    number = prc_id("44030419900307123")
    assert len(number) == 18
    assert valid_id_number(number)


def test_wrong_check_digit_rejected() -> None:
    number = prc_id("44030419900307123")
    for wrong in "0123456789X":
        if wrong != number[-1]:
            assert not valid_id_number(number[:17] + wrong), wrong


@pytest.mark.parametrize(
    "number", ["E12345678", "e12345678", "G1234567", "H12345", "AB123"]
)
def test_other_documents_accepted(number: str) -> None:
    assert valid_id_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "",
        "E123",
        "E-1234567",
        "E1234567!",
        "A" * 21,
        "110105491231002",  # 15 digits
        "1101051949123100",  # 16 digits
        "11010519491231002",  # 17 digits
        "张三12345",
    ],
)
def test_invalid_id_numbers(number: str) -> None:
    assert not valid_id_number(number)


@settings(max_examples=200, deadline=None)
@given(
    body=st.text(string.digits, min_size=17, max_size=17),
    wrong=st.sampled_from("0123456789X"),
)
def test_id_check_digit_property(body: str, wrong: str) -> None:
    right = check_char(body)
    assert valid_id_number(body + right)
    assert valid_id_number(body + right.lower())
    assert valid_id_number(body + wrong) == (wrong == right)


# ---- masking


def test_mask_id_number() -> None:
    assert mask_id_number("110101199003071234") == "110***********1234"
    assert mask_id_number("11010519491231002x") == "110***********002X"
    assert mask_id_number("E12345678") == "E12**5678"
    assert mask_id_number("E123456") == "*******"
    assert mask_id_number("") == ""


@settings(max_examples=150, deadline=None)
@given(body=st.text(string.digits, min_size=17, max_size=17))
def test_mask_id_number_hides_birth_date(body: str) -> None:
    number = prc_id(body)
    masked = mask_id_number(number)
    assert len(masked) == 18
    assert masked[:3] == number[:3]
    assert masked[-4:] == number[-4:]
    assert masked[3:14] == "*" * 11
    assert number not in masked


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (CredentialKind.CARD, "12345678", "****5678"),
        (CredentialKind.CARD, "12:34:56:78", "****5678"),
        (CredentialKind.CARD, "0012345678", "****5678"),
        (CredentialKind.CARD, "12345", "****2345"),
        (CredentialKind.CARD, "1234", "****"),
        (CredentialKind.CARD, "000001234", "****"),
        (CredentialKind.PHONE_TAG, "aa:bb:cc:dd", "****CCDD"),
        (CredentialKind.PIN, "123456", "****"),
        (CredentialKind.PIN, "0000", "****"),
        (CredentialKind.FINGERPRINT, "abcdef", "fingerprint#CDEF"),
        (CredentialKind.FACE, "ab", "face#****"),
        (CredentialKind.PLATE, "京A12345", "京A***45"),
        (CredentialKind.PLATE, "京A1", "****"),
    ],
)
def test_mask_credential(kind: CredentialKind, value: str, expected: str) -> None:
    assert mask_credential(kind, value) == expected


card_numbers = st.text(string.digits + "ABCDEFabcdef", min_size=6, max_size=24)


@settings(max_examples=200, deadline=None)
@given(
    number=card_numbers,
    kind=st.sampled_from([CredentialKind.CARD, CredentialKind.PHONE_TAG]),
)
def test_mask_card_never_shows_full_value(number: str, kind: CredentialKind) -> None:
    normalized = normalize_credential(kind, number)
    masked = mask_credential(kind, number)
    assert normalized not in masked
    assert number not in masked
    assert number.upper() not in masked
    assert masked.startswith("****")
    if len(normalized) > 4:
        assert masked == "****" + normalized[-4:]


@settings(max_examples=200, deadline=None)
@given(pin=st.text(string.digits, min_size=1, max_size=12))
def test_mask_pin_never_shows_a_digit(pin: str) -> None:
    masked = mask_credential(CredentialKind.PIN, pin)
    assert pin not in masked
    assert not any(c.isdigit() for c in masked)


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(ALL_KINDS),
    value=st.text(string.ascii_uppercase + string.digits, min_size=6, max_size=24),
)
def test_mask_never_shows_full_value_any_kind(kind: CredentialKind, value: str) -> None:
    assert normalize_credential(kind, value) not in mask_credential(kind, value)


def test_mask_phone() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138-1234-5678") == "861******5678"
    assert mask_phone("12345") == "*****"
    assert "13812345678" not in mask_phone("13812345678")


def test_mask_name() -> None:
    assert mask_name("张三丰") == "张**"
    assert mask_name("张三") == "张*"
    assert mask_name("Alice Smith") == "A**** S****"
    assert mask_name("A") == "A*"
    assert mask_name("") == ""
