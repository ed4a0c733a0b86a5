"""Wiegand 26 and 34 bit decoding with parity checks (sans-IO).

Bit 1 is the first bit on the wire (the most significant bit of an integer
holding the pattern). Wiegand 26: even parity over bits 1-13, an 8-bit
facility code, a 16-bit card number, odd parity over bits 14-26. Wiegand 34:
even parity over bits 1-17, 32 data bits (16-bit facility, 16-bit number by
convention), odd parity over bits 18-34.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

#: bit count -> number of facility bits in the data
_FACILITY_BITS: Final = {26: 8, 34: 16}
SUPPORTED_BIT_COUNTS: Final = frozenset(_FACILITY_BITS)


class WiegandError(ValueError):
    """A bit pattern is not a valid Wiegand 26/34 frame."""


@dataclass(frozen=True, slots=True)
class WiegandCard:
    """A decoded Wiegand card."""

    bit_count: int
    facility: int
    number: int
    #: the data bits (facility and number) without parity, as an integer
    value: int

    @property
    def card_number(self) -> str:
        """Canonical card number: the data bits in decimal."""
        return str(self.value)


def _ones(value: int) -> int:
    return value.bit_count()


def _from_bits(bits: str | int, bit_count: int | None) -> tuple[int, int]:
    """Return (pattern, bit count) from a bit string or an integer."""
    if isinstance(bits, str):
        text = bits.replace(" ", "").replace("_", "")
        if not text or any(ch not in "01" for ch in text):
            raise WiegandError("not a bit string")
        if bit_count is not None and bit_count != len(text):
            raise WiegandError("bit count does not match the string")
        return int(text, 2), len(text)
    if bit_count is None:
        raise WiegandError("an integer pattern needs its bit count")
    if bits < 0 or bits >> bit_count:
        raise WiegandError("pattern does not fit the bit count")
    return bits, bit_count


def decode_wiegand(bits: str | int, bit_count: int | None = None) -> WiegandCard:
    """Decode a Wiegand 26 or 34 pattern; raise :class:`WiegandError`.

    ``bits`` is either a string of ``0``/``1`` (spaces and underscores are
    ignored) or an integer whose most significant of ``bit_count`` bits is
    the first bit received.
    """
    pattern, count = _from_bits(bits, bit_count)
    if count not in _FACILITY_BITS:
        raise WiegandError(f"unsupported bit count {count}")
    half = count // 2  # 13 or 17: each parity bit covers half the frame
    first_half = pattern >> half
    second_half = pattern & ((1 << half) - 1)
    if _ones(first_half) % 2 != 0:
        raise WiegandError("even parity check failed")
    if _ones(second_half) % 2 != 1:
        raise WiegandError("odd parity check failed")
    data_bits = count - 2
    value = (pattern >> 1) & ((1 << data_bits) - 1)
    number_bits = data_bits - _FACILITY_BITS[count]
    return WiegandCard(
        bit_count=count,
        facility=value >> number_bits,
        number=value & ((1 << number_bits) - 1),
        value=value,
    )


def encode_wiegand(value: int, bit_count: int = 26) -> int:
    """Add parity bits to ``value`` (the data bits); return the pattern."""
    if bit_count not in _FACILITY_BITS:
        raise WiegandError(f"unsupported bit count {bit_count}")
    data_bits = bit_count - 2
    if value < 0 or value >> data_bits:
        raise WiegandError("value does not fit the data bits")
    half_data = data_bits // 2
    even = _ones(value >> half_data) % 2
    odd = 1 - _ones(value & ((1 << half_data) - 1)) % 2
    return (even << (bit_count - 1)) | (value << 1) | odd


def encode_facility_number(facility: int, number: int, bit_count: int = 26) -> int:
    """Build a pattern from a facility code and a card number."""
    if bit_count not in _FACILITY_BITS:
        raise WiegandError(f"unsupported bit count {bit_count}")
    facility_bits = _FACILITY_BITS[bit_count]
    number_bits = bit_count - 2 - facility_bits
    if not 0 <= facility < 1 << facility_bits or not 0 <= number < 1 << number_bits:
        raise WiegandError("facility or number out of range")
    return encode_wiegand((facility << number_bits) | number, bit_count)


def to_bit_string(pattern: int, bit_count: int) -> str:
    """Format a pattern as a string of ``bit_count`` bits."""
    return format(pattern, f"0{bit_count}b")
