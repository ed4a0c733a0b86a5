"""Text rules of the core: names, free text and card numbers."""

from __future__ import annotations

import pytest

from custom_components.community_access.core.community import Community
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.models import Role
from custom_components.community_access.core.privacy import (
    card_number_issuable,
    card_number_presentable,
)
from custom_components.community_access.core.text import (
    clean_free_text,
    clean_name,
    same_name,
)

from .common import make_id_number

#: Characters that are not printable text: controls, bidi overrides and
#: isolates, zero-width characters, line/paragraph separators, surrogates,
#: private use and unassigned code points.
NOT_PRINTABLE = [
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
    "\u200b",
    "\u200d",
    "\u200e",
    "\u202a",
    "\u202e",
    "\u2066",
    "\u2069",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ud800",
    "\ue000",
    "\U000e0001",
    "\U0010ffff",
]


@pytest.mark.parametrize("char", NOT_PRINTABLE)
def test_names_refuse_characters_that_are_not_printable(char: str) -> None:
    with pytest.raises(CommunityError) as err:
        clean_name(f"张{char}三")
    assert err.value.key == "invalid_name"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("  赵磊 ", "赵磊"),
        ("Alice  Smith", "Alice Smith"),
        ("Ｚｈａｏ\u3000Ｌｅｉ", "Zhao Lei"),  # full-width forms: NFKC
        ("O'Brien-Smith", "O'Brien-Smith"),
        ("𠀋子", "𠀋子"),  # CJK extension B (supplementary plane) is text
        ("李😀", "李😀"),
        ("x" * 100, "x" * 100),
    ],
)
def test_names_keep_printable_text(given: str, kept: str) -> None:
    assert clean_name(given) == kept


@pytest.mark.parametrize("given", ["", "   ", "x" * 101, "a\tb", "a\nb"])
def test_names_refuse_empty_long_or_multiline(given: str) -> None:
    with pytest.raises(CommunityError) as err:
        clean_name(given)
    assert err.value.key == "invalid_name"


def test_stored_names_match_in_their_clean_form() -> None:
    # A visitor announced before these rules may be stored as typed.
    assert same_name("Ｚｈａｏ  Lei ", clean_name("Zhao Lei"))
    assert not same_name("Zhao Lei", clean_name("Zhao Li"))


def test_name_rules_take_the_error_key_of_the_field() -> None:
    with pytest.raises(CommunityError) as err:
        clean_name("ACME\u202e", key="invalid_company")
    assert err.value.key == "invalid_company"


@pytest.mark.parametrize("char", NOT_PRINTABLE)
def test_free_text_refuses_controls_and_format_characters(char: str) -> None:
    with pytest.raises(CommunityError) as err:
        clean_free_text(f"note{char}", max_length=500, multiline=True)
    assert err.value.key == "invalid_text"


def test_free_text_lines() -> None:
    assert clean_free_text(None, max_length=10) is None
    assert clean_free_text("  ", max_length=10) is None
    assert clean_free_text(" a\r\nb\tc ", max_length=10, multiline=True) == "a\nb\tc"
    with pytest.raises(CommunityError):
        clean_free_text("a\nb", max_length=10, multiline=False)
    # Longer text is cut at the bound, as before.
    assert clean_free_text("x" * 20, max_length=10) == "x" * 10
    assert clean_free_text("送快递 📦", max_length=10) == "送快递 📦"


@pytest.mark.parametrize(
    "card",
    [
        "0012345678",
        "4700517391",
        "0000",
        "00-12-AB-cd",
        "01:23:45:67:89",
        "1A2B3C4D5E",
        "１２３４５６",  # full-width digits: NFKC
        "9" * 64,  # a 212-bit raw OSDP read, in decimal
    ],
)
def test_card_numbers_issuable(card: str) -> None:
    assert card_number_issuable(card)


@pytest.mark.parametrize(
    "card",
    [
        "'; DROP TABLE people;--",
        "1234😀",
        "123",
        "9" * 65,
        "V0001",
        "12\x0034",
        "12\u202e34",
        "0x1234",
        "",
        "٣٤٥٦٧٨",  # Arabic-Indic digits are digits to isdigit(), not to readers
    ],
)
def test_card_numbers_refused(card: str) -> None:
    assert not card_number_issuable(card)


def test_readers_may_present_short_numbers() -> None:
    # Leading zeros are dropped on both sides, so a card issued as 0005 is
    # presented as 5 by a Wiegand reader.
    assert not card_number_issuable("5")
    assert card_number_presentable("5")
    assert not card_number_presentable("'; DROP TABLE people;--")
    assert not card_number_presentable("")


async def test_community_refuses_a_name_with_a_nul(community: Community) -> None:
    await community.add_household("3-2-501")
    for name in ("赵\x00磊", "\u202eevil.exe"):
        with pytest.raises(CommunityError) as err:
            await community.add_person(name=name, role=Role.OWNER, unit="3-2-501")
        assert err.value.key == "invalid_name"
    person = await community.add_person(
        name="赵磊", role=Role.OWNER, unit="3-2-501", id_number=make_id_number(1)
    )
    with pytest.raises(CommunityError) as err:
        await community.update_person(person.id, name="赵\u2066磊")
    assert err.value.key == "invalid_name"
    assert community.person(person.id).name == "赵磊"
