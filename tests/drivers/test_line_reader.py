"""ASCII line reader."""

from __future__ import annotations

from hypothesis import given, strategies as st
import pytest

from custom_components.community_access.drivers.line_reader import LineCard, LineReader


def numbers(cards: list[LineCard]) -> list[str]:
    return [card.card_number for card in cards]


def test_hex_lines_crlf_cr_lf() -> None:
    reader = LineReader(radix=16)
    cards = reader.feed(b"00E3086CED\r\n0A\r1f\n")
    assert numbers(cards) == [str(0xE3086CED), "10", "31"]
    assert cards[0].line == "00E3086CED"


def test_decimal_strips_leading_zeros_and_whitespace() -> None:
    reader = LineReader(radix=10)
    assert numbers(reader.feed(b"  0008847596 \r\n")) == ["8847596"]
    assert numbers(reader.feed(b"0000\n")) == ["0"]


def test_split_chunks() -> None:
    reader = LineReader(radix=10)
    assert reader.feed(b"123") == []
    assert reader.feed(b"45\r") == [LineCard("12345", "12345")]
    assert reader.feed(b"\n67\n") == [LineCard("67", "67")]


def test_pattern_with_named_group() -> None:
    reader = LineReader(r"W26:\s*(?P<fc>\d+),(?P<card>\d+)", radix=10)
    assert numbers(reader.feed(b"W26: 12,04567\r\n")) == ["4567"]
    assert reader.feed(b"W34: 1,2\r\n") == []
    assert reader.rejected_lines == 1


def test_pattern_with_positional_group() -> None:
    reader = LineReader(r"ID=([0-9A-F]{8})", radix=16)
    assert numbers(reader.feed(b"ID=0000002A\n")) == ["42"]


def test_rejects_non_matching_and_non_ascii() -> None:
    reader = LineReader(radix=10)
    assert reader.feed(b"12a4\n\xff\xfe12\n+12\n-5\n1_2\n") == []
    assert reader.rejected_lines == 5
    # A permissive pattern still cannot smuggle in signs or prefixes.
    reader = LineReader(r".+", radix=16)
    assert reader.feed(b"0x1F\n+1\n 1 2\n") == []


def test_blank_lines_ignored() -> None:
    reader = LineReader()
    assert reader.feed(b"\r\n\r\n  \n") == []
    assert reader.rejected_lines == 0


def test_overlong_line_dropped_until_newline() -> None:
    reader = LineReader(radix=10, max_line=10)
    assert reader.feed(b"1" * 8) == []
    assert reader.feed(b"2" * 8) == []
    assert reader.feed(b"333\n42\n") == [LineCard("42", "42")]
    assert reader.rejected_lines == 1


def test_too_many_digits() -> None:
    reader = LineReader(radix=10, max_digits=4)
    assert reader.feed(b"12345\n1234\n") == [LineCard("1234", "1234")]


def test_reset() -> None:
    reader = LineReader(radix=10)
    reader.feed(b"999")
    reader.reset()
    assert numbers(reader.feed(b"1\n")) == ["1"]


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((None, 8), {}), (("(",), {}), ((), {"max_line": 0}), ((), {"max_digits": 0})],
)
def test_bad_configuration(args: tuple[object, ...], kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        LineReader(*args, **kwargs)  # type: ignore[arg-type]


@given(st.binary(max_size=300), st.integers(1, 17), st.sampled_from([10, 16]))
def test_random_bytes_never_crash(data: bytes, chunk: int, radix: int) -> None:
    reader = LineReader(radix=radix)
    for i in range(0, len(data), chunk):
        for card in reader.feed(data[i : i + chunk]):
            assert card.card_number.isdigit()
            assert card.line.encode() in data


@given(st.binary(max_size=60).filter(lambda b: b"\r" not in b and b"\n" not in b))
def test_unterminated_line_never_reads(data: bytes) -> None:
    assert LineReader().feed(data) == []


@given(st.lists(st.integers(0, 2**64 - 1), max_size=10), st.sampled_from([10, 16]))
def test_round_trip(values: list[int], radix: int) -> None:
    fmt = "x" if radix == 16 else "d"
    stream = b"".join(f"{v:{fmt}}\r\n".encode() for v in values)
    reader = LineReader(radix=radix)
    assert numbers(reader.feed(stream)) == [str(v) for v in values]
