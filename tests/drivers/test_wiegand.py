"""Wiegand 26/34 decoding."""

from __future__ import annotations

import contextlib

from hypothesis import given, strategies as st
import pytest

from custom_components.community_access.drivers.wiegand import (
    WiegandError,
    decode_wiegand,
    encode_facility_number,
    encode_wiegand,
    to_bit_string,
)

# Facility 1, number 1: data bits 00000001 0000000000000001.
# First 12 data bits hold one 1 -> even parity bit 1; last 12 hold one 1 ->
# odd parity bit 0.
W26_1_1 = "1" + "00000001" + "0000000000000001" + "0"
# Facility 123 (0x7B = 01111011), number 4567 (0x11D7 = 0001000111010111).
# First 12 data bits 01111011 0001: seven ones -> even parity 1.
# Last 12 data bits 000111010111: seven ones -> odd parity 0.
W26_123_4567 = "1" + "01111011" + "0001000111010111" + "0"


def test_w26_hand_vectors() -> None:
    card = decode_wiegand(W26_1_1)
    assert (card.facility, card.number, card.bit_count) == (1, 1, 26)
    assert card.value == 65537
    assert card.card_number == "65537"
    card = decode_wiegand(W26_123_4567)
    assert (card.facility, card.number) == (123, 4567)
    assert card.card_number == str(123 * 65536 + 4567)


def test_w26_from_int_and_spaces() -> None:
    assert decode_wiegand(int(W26_1_1, 2), 26).number == 1
    spaced = "1 00000001 0000000000000001 0"
    assert decode_wiegand(spaced).facility == 1
    assert decode_wiegand("1_00000001_0000000000000001_0").facility == 1


def test_w34_hand_vector() -> None:
    # Data 0x12345678: upper 16 bits 0x1234 = 0001001000110100, five ones ->
    # even parity 1; lower 16 bits 0x5678 = 0101011001111000, eight ones ->
    # odd parity 1.
    bits = "1" + format(0x12345678, "032b") + "1"
    card = decode_wiegand(bits)
    assert card.bit_count == 34
    assert (card.facility, card.number) == (0x1234, 0x5678)
    assert card.card_number == str(0x12345678)


@pytest.mark.parametrize("flip", range(26))
def test_w26_any_single_bit_flip_rejected(flip: int) -> None:
    bits = list(W26_123_4567)
    bits[flip] = "1" if bits[flip] == "0" else "0"
    with pytest.raises(WiegandError, match="parity"):
        decode_wiegand("".join(bits))


def test_w34_bad_parity() -> None:
    good = "1" + format(0x12345678, "032b") + "1"
    with pytest.raises(WiegandError, match="odd parity"):
        decode_wiegand(good[:-1] + "0")
    with pytest.raises(WiegandError, match="even parity"):
        decode_wiegand("0" + good[1:])


@pytest.mark.parametrize(
    ("bits", "bit_count"),
    [
        ("", None),
        ("0102", None),
        ("1" * 25, None),
        ("1" * 35, None),
        (W26_1_1, 34),
        (5, None),
        (-1, 26),
        (1 << 26, 26),
        (0, 37),
    ],
)
def test_invalid_input(bits: str | int, bit_count: int | None) -> None:
    with pytest.raises(WiegandError):
        decode_wiegand(bits, bit_count)


def test_encode_matches_hand_vectors() -> None:
    assert to_bit_string(encode_facility_number(1, 1), 26) == W26_1_1
    assert to_bit_string(encode_facility_number(123, 4567, 26), 26) == W26_123_4567
    with pytest.raises(WiegandError):
        encode_facility_number(256, 0)
    with pytest.raises(WiegandError):
        encode_facility_number(0, 0, 30)
    with pytest.raises(WiegandError):
        encode_wiegand(1 << 24, 26)
    with pytest.raises(WiegandError):
        encode_wiegand(0, 27)


def _reference_parity_ok(bits: str) -> bool:
    half = len(bits) // 2
    return bits[:half].count("1") % 2 == 0 and bits[half:].count("1") % 2 == 1


@given(st.sampled_from([26, 34]), st.data())
def test_round_trip(bit_count: int, data: st.DataObject) -> None:
    value = data.draw(st.integers(0, (1 << (bit_count - 2)) - 1))
    pattern = encode_wiegand(value, bit_count)
    assert _reference_parity_ok(to_bit_string(pattern, bit_count))
    card = decode_wiegand(pattern, bit_count)
    assert card.value == value
    assert card.card_number == str(value)
    assert decode_wiegand(to_bit_string(pattern, bit_count)) == card


@given(st.sampled_from([26, 34]), st.data())
def test_random_patterns_decode_iff_parity(bit_count: int, data: st.DataObject) -> None:
    pattern = data.draw(st.integers(0, (1 << bit_count) - 1))
    bits = to_bit_string(pattern, bit_count)
    if _reference_parity_ok(bits):
        card = decode_wiegand(bits)
        assert card.value == int(bits[1:-1], 2)
    else:
        with pytest.raises(WiegandError):
            decode_wiegand(bits)


@given(st.text(max_size=40))
def test_random_text_never_crashes(text: str) -> None:
    with contextlib.suppress(WiegandError):
        decode_wiegand(text)
