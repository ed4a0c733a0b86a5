"""RDM6300 / EM4100 incremental decoder."""

from __future__ import annotations

from hypothesis import given, strategies as st
import pytest

from custom_components.community_access.drivers.em4100 import (
    Rdm6300Decoder,
    TagRead,
    decode_frame,
    encode_frame,
)

# Hand check: 62 ^ E3 = 81, ^ 08 = 89, ^ 6C = E5, ^ ED = 08.
FRAME = b"\x0262E3086CED08\x03"
TAG = TagRead(version=0x62, tag_id=0xE3086CED)
# Second tag: 01 ^ 00 ^ 00 ^ 00 ^ 2A = 2B.
FRAME2 = b"\x02010000002A2B\x03"


def test_decode_hand_vector() -> None:
    tag = decode_frame(FRAME)
    assert tag == TAG
    assert tag.tag_hex == "62E3086CED"
    assert tag.card_number == str(0xE3086CED) == "3808980205"
    assert decode_frame(FRAME2) == TagRead(version=1, tag_id=42)
    assert decode_frame(b"\x0262e3086ced08\x03") == TAG


@pytest.mark.parametrize(
    "frame",
    [
        b"\x0262E3086CED09\x03",  # checksum off by one
        b"\x0262E3086CED08\x04",  # bad ETX
        b"\x0362E3086CED08\x03",  # bad STX
        b"\x0262E3086CED0G\x03",  # not hex
        b"\x0262E3086CED08",  # short
        b"\x02 2E3086CED08\x03",
    ],
)
def test_decode_rejects(frame: bytes) -> None:
    assert decode_frame(frame) is None


def test_encode_matches_hand_vector() -> None:
    assert encode_frame(0x62, 0xE3086CED) == FRAME
    assert encode_frame(1, 42) == FRAME2
    with pytest.raises(ValueError):
        encode_frame(256, 0)
    with pytest.raises(ValueError):
        encode_frame(0, 1 << 32)


def test_byte_by_byte() -> None:
    decoder = Rdm6300Decoder()
    reads = [read for byte in FRAME for read in decoder.feed(bytes([byte]), 0.0)]
    assert reads == [TAG]


def test_garbage_and_resync() -> None:
    decoder = Rdm6300Decoder()
    # Garbage, a truncated frame (STX inside), then a good frame.
    data = b"\x00\xff\x03junk\x0262E30" + FRAME + b"\x02\x02"
    assert decoder.feed(data, 0.0) == [TAG]
    assert decoder.bad_frames >= 1
    assert decoder.skipped_bytes >= 8


def test_bad_checksum_then_good() -> None:
    decoder = Rdm6300Decoder()
    assert decoder.feed(b"\x0262E3086CED09\x03", 0.0) == []
    assert decoder.feed(FRAME2, 0.1) == [TagRead(1, 42)]


def test_debounce_held_tag() -> None:
    decoder = Rdm6300Decoder(debounce=1.5)
    assert decoder.feed(FRAME, 10.0) == [TAG]
    # The module repeats every ~0.1 s while held: one read only.
    for step in range(1, 40):
        assert decoder.feed(FRAME, 10.0 + step * 0.1) == []
    # Removed for longer than the debounce, presented again.
    assert decoder.feed(FRAME, 20.0) == [TAG]


def test_debounce_other_tag_and_back() -> None:
    decoder = Rdm6300Decoder(debounce=2)
    assert decoder.feed(FRAME + FRAME2, 0.0) == [TAG, TagRead(1, 42)]
    assert decoder.feed(FRAME, 0.5) == [TAG]


def test_debounce_disabled_and_clock_backwards() -> None:
    decoder = Rdm6300Decoder(debounce=0)
    assert decoder.feed(FRAME + FRAME, 0.0) == [TAG, TAG]
    decoder = Rdm6300Decoder(debounce=5)
    assert decoder.feed(FRAME, 100.0) == [TAG]
    assert decoder.feed(FRAME, 50.0) == [TAG]
    with pytest.raises(ValueError):
        Rdm6300Decoder(debounce=-1)


def test_reset_drops_partial_and_last_tag() -> None:
    decoder = Rdm6300Decoder()
    assert decoder.feed(FRAME, 0.0) == [TAG]
    decoder.feed(FRAME[:5], 0.1)
    decoder.reset()
    assert decoder.feed(FRAME[5:], 0.2) == []
    assert decoder.feed(FRAME, 0.3) == [TAG]


@given(st.binary(max_size=200), st.integers(1, 20))
def test_random_bytes_never_crash_nor_read(data: bytes, chunk: int) -> None:
    decoder = Rdm6300Decoder(debounce=0)
    reads = []
    for i in range(0, len(data), chunk):
        reads += decoder.feed(data[i : i + chunk], float(i))
    # Any read must come from a frame really present in the input.
    for read in reads:
        assert encode_frame(read.version, read.tag_id) in data


@given(st.integers(0, 13))
def test_truncated_frame_never_reads(cut: int) -> None:
    decoder = Rdm6300Decoder()
    assert decoder.feed(FRAME[:cut], 0.0) == []


@given(
    st.lists(st.tuples(st.integers(0, 255), st.integers(0, 0xFFFFFFFF)), max_size=8),
    st.binary(max_size=5).filter(lambda b: 2 not in b),
    st.data(),
)
def test_round_trip_split_anywhere(
    tags: list[tuple[int, int]], noise: bytes, data: st.DataObject
) -> None:
    stream = b"".join(noise + encode_frame(v, t) for v, t in tags)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=6)))
    decoder = Rdm6300Decoder(debounce=0)
    reads: list[TagRead] = []
    start = 0
    for cut in [*cuts, len(stream)]:
        reads += decoder.feed(stream[start:cut], 0.0)
        start = cut
    assert reads == [TagRead(v, t) for v, t in tags]
