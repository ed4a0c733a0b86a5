"""OSDP v2.2 plain-mode codec."""

from __future__ import annotations

from hypothesis import given, strategies as st
import pytest

from custom_components.community_access.drivers import osdp
from custom_components.community_access.drivers.osdp import (
    Ack,
    BuzzerControl,
    CapRequest,
    CardRead,
    ComReply,
    ComSet,
    Frame,
    FrameParser,
    IdRequest,
    Keypad,
    LedControl,
    LedRecord,
    LocalStatus,
    LocalStatusRequest,
    MalformedReply,
    Nak,
    OsdpError,
    OutputControl,
    OutputRecord,
    PdCap,
    PdId,
    Poll,
    ReplyParser,
    SecureReply,
    SecurityBlock,
    SequenceCounter,
    TextOutput,
    UnknownReply,
    build_frame,
    decode_command,
    decode_reply,
    encode_command,
    parse_frame,
)
from custom_components.community_access.drivers.wiegand import encode_wiegand


def reference_crc(data: bytes) -> int:
    """Bit-serial CRC-16/AUG-CCITT (poly 0x1021, init 0x1D0F, MSB first)."""
    crc = 0x1D0F
    for byte in data:
        for bit in range(7, -1, -1):
            feedback = (crc >> 15) ^ (byte >> bit) & 1
            crc = (crc << 1) & 0xFFFF
            if feedback:
                crc ^= 0x1021
    return crc


def crc_frame(hex_body: str) -> bytes:
    """Append the reference CRC (low byte first) to a hand-written frame."""
    body = bytes.fromhex(hex_body)
    return body + reference_crc(body).to_bytes(2, "little")


def sum_frame(hex_body: str) -> bytes:
    body = bytes.fromhex(hex_body)
    return body + bytes([(0x100 - sum(body) % 0x100) % 0x100])


# --- CRC ------------------------------------------------------------------------


def test_crc_check_value() -> None:
    # Catalogue check value of CRC-16/AUG-CCITT over "123456789".
    assert osdp.crc16_aug_ccitt(b"123456789") == 0xE5CC
    assert reference_crc(b"123456789") == 0xE5CC
    assert osdp.crc16_aug_ccitt(b"") == 0x1D0F


@given(st.binary(max_size=100))
def test_crc_matches_reference(data: bytes) -> None:
    assert osdp.crc16_aug_ccitt(data) == reference_crc(data)


def test_checksum_hand_value() -> None:
    # 53+01+07+00+01+60 = 0xBC; 0x100 - 0xBC = 0x44.
    assert osdp.checksum8(bytes.fromhex("530107000160")) == 0x44


# --- command frames ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "address", "sqn", "expected"),
    [
        (Poll(), 1, 0, crc_frame("53 01 08 00 04 60")),
        (Poll(), 0x7F, 2, crc_frame("53 7F 08 00 06 60")),
        (IdRequest(), 1, 1, crc_frame("53 01 09 00 05 61 00")),
        (CapRequest(), 1, 2, crc_frame("53 01 09 00 06 62 00")),
        (LocalStatusRequest(), 5, 3, crc_frame("53 05 08 00 07 64")),
        (
            OutputControl((OutputRecord(0, 5, 50),)),
            1,
            1,
            crc_frame("53 01 0C 00 05 68 00 05 32 00"),
        ),
        (
            LedControl(
                (
                    LedRecord(
                        temp_control=2,
                        temp_on_time=5,
                        temp_off_time=5,
                        temp_on_color=osdp.LedColor.GREEN,
                        temp_timer=30,
                        perm_control=1,
                        perm_on_color=osdp.LedColor.RED,
                    ),
                )
            ),
            1,
            1,
            crc_frame("53 01 16 00 05 69 00 00 02 05 05 02 00 1E 00 01 00 00 01 00"),
        ),
        (
            BuzzerControl(tone=2, on_time=5, off_time=5, count=3),
            1,
            2,
            crc_frame("53 01 0D 00 06 6A 00 02 05 05 03"),
        ),
        (
            TextOutput("Hi"),
            1,
            3,
            crc_frame("53 01 10 00 07 6B 00 01 00 01 01 02 48 69"),
        ),
        (ComSet(2, 115200), 1, 1, crc_frame("53 01 0D 00 05 6E 02 00 C2 01 00")),
    ],
)
def test_command_frames(
    command: osdp.Command, address: int, sqn: int, expected: bytes
) -> None:
    assert encode_command(command, address, sqn) == expected
    frame = parse_frame(expected)
    assert decode_command(frame) == command


def test_checksum_variant_and_mark() -> None:
    assert encode_command(Poll(), 1, 1, use_crc=False) == sum_frame("53 01 07 00 01 60")
    assert encode_command(Poll(), 1, 1, use_crc=False) == bytes.fromhex(
        "53 01 07 00 01 60 44"
    )
    assert encode_command(Poll(), 1, 0, mark=True) == b"\xff" + crc_frame(
        "53 01 08 00 04 60"
    )


@pytest.mark.parametrize(
    "command",
    [
        OutputControl(()),
        LedControl(()),
        OutputControl((OutputRecord(256, 1),)),
        OutputControl((OutputRecord(0, 1, 70000),)),
        LedControl((LedRecord(temp_timer=-1),)),
        BuzzerControl(count=300),
        TextOutput("héllo"),
        TextOutput("a\nb"),
        TextOutput("x" * 256),
        ComSet(0x7F, 9600),
        ComSet(1, 0),
        IdRequest(256),
    ],
)
def test_bad_commands(command: osdp.Command) -> None:
    with pytest.raises(OsdpError):
        encode_command(command, 1, 1)


@pytest.mark.parametrize(
    ("address", "sqn", "code"),
    [(0x80, 0, 0x60), (-1, 0, 0x60), (1, 4, 0x60), (1, 0, 256)],
)
def test_bad_frame_arguments(address: int, sqn: int, code: int) -> None:
    with pytest.raises(OsdpError):
        build_frame(address, sqn, code)


def test_mac_only_with_mac_block() -> None:
    with pytest.raises(OsdpError):
        build_frame(1, 1, 0x60, mac=b"1234")
    with pytest.raises(OsdpError):
        build_frame(1, 1, 0x60, scb=SecurityBlock(0x15))
    with pytest.raises(OsdpError):
        build_frame(1, 1, 0x60, scb=SecurityBlock(0x15), mac=b"12")
    with pytest.raises(OsdpError):
        build_frame(1, 1, 0x60, data=b"\0" * 0xFFFF)


@pytest.mark.parametrize(
    ("code", "data"),
    [
        (0x60, b"\x00"),
        (0x61, b""),
        (0x68, b"\x00\x01\x02"),
        (0x69, b"\x00" * 13),
        (0x6A, b"\x00"),
        (0x6B, b"\x00\x01\x00\x01\x01\x05Hi"),
        (0x6B, b"\x00\x01\x00\x01\x01\x01\xff"),
        (0x6E, b"\x01"),
        (0x99, b""),
    ],
)
def test_decode_command_rejects(code: int, data: bytes) -> None:
    with pytest.raises(OsdpError):
        decode_command(Frame(1, False, 0, True, code, data))


def test_decode_command_rejects_replies_and_secure() -> None:
    with pytest.raises(OsdpError):
        decode_command(Frame(1, True, 0, True, 0x60))
    with pytest.raises(OsdpError):
        decode_command(Frame(1, False, 0, True, 0x60, scb=SecurityBlock(0x11, b"\1")))


# --- replies --------------------------------------------------------------------

# Wiegand 26, facility 1, number 1: 1 00000001 0000000000000001 0, packed MSB
# first and padded: 10000000 10000000 00000000 10000000.
RAW_W26_1_1 = crc_frame("53 81 10 00 05 50 00 01 1A 00 80 80 00 80")


def parse_one(raw: bytes) -> osdp.AnyReply:
    replies = ReplyParser().feed(raw)
    assert len(replies) == 1
    return replies[0]


def test_ack_nak_busy() -> None:
    assert parse_one(crc_frame("53 81 08 00 05 40")) == Ack(address=1, sqn=1)
    nak = parse_one(crc_frame("53 82 09 00 06 41 03"))
    assert nak == Nak(address=2, sqn=2, error=3)
    assert isinstance(nak, Nak)
    assert nak.error_name == "UNKNOWN_COMMAND"
    assert Nak(address=0, sqn=0, error=0x42).error_name == "UNKNOWN_66"
    assert parse_one(crc_frame("53 81 08 00 04 79")) == osdp.Busy(address=1, sqn=0)


def test_card_read_wiegand26() -> None:
    reply = parse_one(RAW_W26_1_1)
    assert isinstance(reply, CardRead)
    assert (reply.reader, reply.format, reply.bit_count) == (0, 1, 26)
    assert reply.data == bytes.fromhex("80800080")
    assert reply.wiegand is not None
    assert (reply.wiegand.facility, reply.wiegand.number) == (1, 1)
    assert reply.card_number == "65537"
    assert reply.bits == int("1" + "00000001" + "0000000000000001" + "0", 2)


def test_card_read_bad_parity_gives_no_number() -> None:
    # Last data bit flipped: 80 80 00 C0.
    reply = parse_one(crc_frame("53 81 10 00 05 50 00 01 1A 00 80 80 00 C0"))
    assert isinstance(reply, CardRead)
    assert reply.wiegand is None
    assert reply.card_number is None


def test_card_read_wiegand34_and_other_lengths() -> None:
    pattern = encode_wiegand(0x12345678, 34)
    data = (pattern << 6).to_bytes(5, "big")  # 34 bits left-aligned in 5 bytes
    raw = build_frame(1, 1, 0x50, b"\x00\x00\x22\x00" + data, reply=True)
    reply = parse_one(raw)
    assert isinstance(reply, CardRead)
    assert reply.wiegand is not None
    assert reply.card_number == str(0x12345678)
    # 32 raw bits (e.g. a CSN): the number is all the bits.
    raw = build_frame(1, 1, 0x50, bytes.fromhex("00 00 20 00 DE AD BE EF"), reply=True)
    reply = parse_one(raw)
    assert isinstance(reply, CardRead)
    assert reply.wiegand is None
    assert reply.card_number == str(0xDEADBEEF)


def test_keypad() -> None:
    reply = parse_one(crc_frame("53 81 0E 00 05 53 00 04 31 32 33 34"))
    assert reply == Keypad(address=1, sqn=1, reader=0, digits="1234")
    reply = parse_one(crc_frame("53 81 0C 00 05 53 00 02 2A 23"))
    assert isinstance(reply, Keypad)
    assert reply.digits == "*#"


def test_pdid_pdcap_lstatr_com() -> None:
    reply = parse_one(
        crc_frame("53 81 14 00 05 45 5C 26 23 01 02 78 56 34 12 03 04 05")
    )
    assert reply == PdId(
        address=1,
        sqn=1,
        vendor_code=b"\x5c\x26\x23",
        model=1,
        version=2,
        serial_number=0x12345678,
        firmware=(3, 4, 5),
    )
    reply = parse_one(crc_frame("53 81 0E 00 05 46 01 02 03 04 01 00"))
    assert reply == PdCap(
        address=1,
        sqn=1,
        capabilities=(osdp.Capability(1, 2, 3), osdp.Capability(4, 1, 0)),
    )
    reply = parse_one(crc_frame("53 81 0A 00 05 48 00 01"))
    assert reply == LocalStatus(address=1, sqn=1, tamper=False, power_failure=True)
    reply = parse_one(crc_frame("53 81 0D 00 05 54 02 80 25 00 00"))
    assert reply == ComReply(address=1, sqn=1, new_address=2, baud_rate=9600)


@pytest.mark.parametrize(
    "hex_body",
    [
        "53 81 08 00 05 41",  # NAK without code
        "53 81 09 00 05 45 01",  # short PDID
        "53 81 0A 00 05 46 01 02",  # PDCAP not in records of 3
        "53 81 08 00 05 46",  # empty PDCAP
        "53 81 09 00 05 48 00",  # short LSTATR
        "53 81 0A 00 05 50 00 01",  # RAW without bit count
        "53 81 0D 00 05 50 00 01 1A 00 80",  # RAW shorter than its bit count
        "53 81 0C 00 05 50 00 01 00 00",  # RAW with zero bits
        "53 81 0B 00 05 53 00 05 31",  # KEYPAD count too big
        "53 81 0B 00 05 53 00 01 07",  # KEYPAD control character
        "53 81 09 00 05 54 01",  # short COM
    ],
)
def test_malformed_replies(hex_body: str) -> None:
    reply = parse_one(crc_frame(hex_body))
    assert isinstance(reply, MalformedReply)
    assert reply.reason


def test_unknown_reply() -> None:
    reply = parse_one(crc_frame("53 81 09 00 05 4A 01"))
    assert reply == UnknownReply(address=1, sqn=1, code=0x4A, data=b"\x01")


def test_checksum_variant_reply() -> None:
    assert parse_one(sum_frame("53 81 07 00 01 40")) == Ack(address=1, sqn=1)


def test_secure_frames_are_kept_not_decoded() -> None:
    # CCRYPT-like reply with SCB [3, 0x12, 1]: no MAC.
    raw = crc_frame("53 81 0C 00 0D 03 12 01 76 AA")
    frame = parse_frame(raw)
    assert frame.scb == SecurityBlock(0x12, b"\x01")
    assert frame.mac is None
    assert (frame.code, frame.data, frame.sqn) == (0x76, b"\xaa", 1)
    reply = parse_one(raw)
    assert isinstance(reply, SecureReply)
    assert reply.frame == frame
    # An encrypted RAW (SCS_18) is never turned into a card read.
    raw = crc_frame("53 81 12 00 0E 02 18 50 01 02 03 04 11 22 33 44")
    reply = parse_one(raw)
    assert isinstance(reply, SecureReply)
    assert reply.frame.scb == SecurityBlock(0x18)
    assert reply.frame.mac == bytes.fromhex("11223344")
    assert reply.frame.data == bytes.fromhex("01020304")
    assert (
        build_frame(
            1,
            2,
            0x50,
            bytes.fromhex("01020304"),
            reply=True,
            scb=SecurityBlock(0x18),
            mac=bytes.fromhex("11223344"),
        )
        == raw
    )


@pytest.mark.parametrize(
    "hex_body",
    [
        "53 81 09 00 0D 05 12",  # SCB longer than the frame
        "53 81 0A 00 0D 01 12 40",  # SCB length below 2
        "53 81 0C 00 0D 02 16 40 01 02",  # no room for a 4-byte MAC
        "53 81 08 00 05 40 00",  # length field one short of the bytes
    ],
)
def test_bad_frames(hex_body: str) -> None:
    with pytest.raises(OsdpError):
        parse_frame(crc_frame(hex_body))
    assert ReplyParser().feed(crc_frame(hex_body)) == []


def test_parse_frame_rejects() -> None:
    good = crc_frame("53 81 08 00 05 40")
    with pytest.raises(OsdpError):
        parse_frame(good[:-1] + bytes([good[-1] ^ 1]))
    with pytest.raises(OsdpError):
        parse_frame(b"\x54" + good[1:])
    with pytest.raises(OsdpError):
        parse_frame(good[:4])
    with pytest.raises(OsdpError):
        parse_frame(sum_frame("53 81 07 00 01 40")[:-1] + b"\x00")


@pytest.mark.parametrize("bit", [0x10, 0x20, 0x40, 0x80])
@pytest.mark.parametrize("use_crc", [True, False])
def test_reserved_control_bits_are_rejected(bit: int, use_crc: bool) -> None:
    """CTRL bits 4-7 are reserved: such a frame is malformed, not cleaned up."""
    if use_crc:
        good, forged = (
            crc_frame("53 81 08 00 05 40"),
            crc_frame(f"53 81 08 00 {5 | bit:02X} 40"),
        )
    else:
        good, forged = (
            sum_frame("53 81 07 00 01 40"),
            sum_frame(f"53 81 07 00 {1 | bit:02X} 40"),
        )
    with pytest.raises(OsdpError, match="reserved"):
        parse_frame(forged)
    parser = ReplyParser()
    # counted as a bad frame; the good frame behind it is still found
    assert parser.feed(forged + good) == [Ack(address=1, sqn=1)]
    assert parser.frames.bad_frames == 1
    assert FrameParser("any").feed(forged) == []


def test_parsed_frames_keep_the_received_bytes() -> None:
    ack = crc_frame("53 81 08 00 05 40")
    assert parse_frame(ack).raw == ack
    (frame,) = FrameParser().feed(b"\x00\xff" + RAW_W26_1_1)
    assert frame.raw == RAW_W26_1_1  # no mark, no noise
    assert build_frame(1, 1, 0x40, reply=True) == ack
    assert Frame(1, True, 1, True, 0x40).raw == b""  # not from the wire


# --- incremental parsing -----------------------------------------------------------


def test_mark_garbage_and_split() -> None:
    ack = crc_frame("53 81 08 00 05 40")
    stream = b"\x00\x12\xff" + RAW_W26_1_1 + b"\xff\xff" + ack + b"\x53\x00"
    parser = ReplyParser()
    replies = [reply for byte in stream for reply in parser.feed(bytes([byte]))]
    assert [type(reply) for reply in replies] == [CardRead, Ack]
    assert parser.frames.skipped_bytes >= 5


def test_echo_of_own_command_is_dropped() -> None:
    parser = ReplyParser()
    poll = encode_command(Poll(), 1, 1)
    assert parser.feed(poll + crc_frame("53 81 08 00 05 40")) == [Ack(address=1, sqn=1)]
    assert parser.frames.other_direction == 1
    commands = FrameParser("command")
    assert commands.feed(crc_frame("53 81 08 00 05 40") + poll) == [parse_frame(poll)]
    both = FrameParser("any")
    assert len(both.feed(poll + crc_frame("53 81 08 00 05 40"))) == 2


def test_corrupt_frame_then_good_one() -> None:
    bad = bytearray(RAW_W26_1_1)
    bad[8] ^= 0x01
    parser = ReplyParser()
    assert parser.feed(bytes(bad) + crc_frame("53 81 08 00 05 40")) == [
        Ack(address=1, sqn=1)
    ]
    assert parser.frames.bad_frames == 1


def test_fake_long_header_does_not_stall() -> None:
    # 53 FF 03: a header announcing 0x3FF bytes, then a real reply.
    parser = ReplyParser()
    stream = b"\x53\xff\xff\x03\x04" + crc_frame("53 81 08 00 05 40")
    assert parser.feed(stream) == [Ack(address=1, sqn=1)]
    # Announced length beyond the limit: dropped at once.
    parser = ReplyParser(max_frame=64)
    assert parser.feed(b"\x53\x81\x00\x01\x04" + crc_frame("53 81 08 00 05 40")) == [
        Ack(address=1, sqn=1)
    ]


def test_reset_and_limits() -> None:
    parser = ReplyParser()
    parser.feed(RAW_W26_1_1[:7])
    parser.reset()
    assert parser.feed(RAW_W26_1_1[7:]) == []
    with pytest.raises(ValueError):
        FrameParser(max_frame=4)


# --- sequence numbers -----------------------------------------------------------------


def test_sequence_counter() -> None:
    assert SequenceCounter().current is None
    seq = SequenceCounter()
    assert not seq.matches(0)
    assert [seq.next() for _ in range(8)] == [0, 1, 2, 3, 1, 2, 3, 1]
    assert seq.current == 1
    assert seq.matches(1)
    assert not seq.matches(2)
    seq.reset()
    assert [seq.next() for _ in range(3)] == [0, 1, 2]


# --- properties ------------------------------------------------------------------------

credential_types = (CardRead, Keypad)


@given(st.binary(max_size=300), st.integers(1, 32))
def test_random_bytes_never_crash_nor_credential(data: bytes, chunk: int) -> None:
    parser = ReplyParser()
    for i in range(0, len(data), chunk):
        for reply in parser.feed(data[i : i + chunk]):
            assert not isinstance(reply, credential_types)


@given(st.binary(max_size=64), st.integers(0, 0xFF), st.booleans())
def test_random_reply_payloads_decode_without_raising(
    data: bytes, code: int, use_crc: bool
) -> None:
    raw = build_frame(3, 2, code, data, reply=True, use_crc=use_crc)
    frames = FrameParser().feed(raw)
    assert len(frames) == 1
    assert frames[0].code == code
    assert frames[0].data == data
    decode_reply(frames[0])


@given(st.sampled_from([RAW_W26_1_1, crc_frame("53 81 0E 00 05 53 00 04 31 32 33 34")]))
def test_truncated_frames_never_produce_anything(raw: bytes) -> None:
    for cut in range(len(raw)):
        assert ReplyParser().feed(raw[:cut]) == []


@given(st.integers(0, 17), st.integers(0, 255))
def test_corrupted_card_frame_never_produces_a_card(index: int, flip: int) -> None:
    raw = bytearray(RAW_W26_1_1)
    if flip == 0:
        return
    raw[index % len(raw)] ^= flip
    for reply in ReplyParser().feed(bytes(raw)):
        assert not isinstance(reply, CardRead)


u8 = st.integers(0, 255)
u16 = st.integers(0, 0xFFFF)
commands = st.one_of(
    st.just(Poll()),
    st.builds(IdRequest, u8),
    st.builds(CapRequest, u8),
    st.just(LocalStatusRequest()),
    st.builds(
        OutputControl,
        st.lists(st.builds(OutputRecord, u8, u8, u16), min_size=1, max_size=4).map(
            tuple
        ),
    ),
    st.builds(
        LedControl,
        st.lists(
            st.builds(
                LedRecord,
                reader=u8,
                led=u8,
                temp_control=u8,
                temp_on_time=u8,
                temp_off_time=u8,
                temp_on_color=u8,
                temp_off_color=u8,
                temp_timer=u16,
                perm_control=u8,
                perm_on_time=u8,
                perm_off_time=u8,
                perm_on_color=u8,
                perm_off_color=u8,
            ),
            min_size=1,
            max_size=3,
        ).map(tuple),
    ),
    st.builds(BuzzerControl, u8, u8, u8, u8, u8),
    st.builds(
        TextOutput,
        st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=32),
        u8,
        u8,
        u8,
        u8,
        u8,
    ),
    st.builds(ComSet, st.integers(0, 0x7E), st.integers(1, 0xFFFFFFFF)),
)


@given(commands, st.integers(0, 0x7F), st.integers(0, 3), st.booleans(), st.booleans())
def test_command_round_trip(
    command: osdp.Command, address: int, sqn: int, use_crc: bool, mark: bool
) -> None:
    raw = encode_command(command, address, sqn, use_crc=use_crc, mark=mark)
    frames = FrameParser("command").feed(raw)
    assert len(frames) == 1
    frame = frames[0]
    assert (frame.address, frame.sqn, frame.use_crc) == (address, sqn, use_crc)
    assert decode_command(frame) == command


@given(
    st.lists(
        st.tuples(st.integers(1, 80), st.integers(0, 2**80 - 1), st.integers(0, 3)),
        min_size=1,
        max_size=5,
    ),
    st.binary(max_size=8),
    st.data(),
)
def test_card_reads_round_trip_through_noise_and_splits(
    reads: list[tuple[int, int, int]], noise: bytes, data: st.DataObject
) -> None:
    stream = b""
    expected = []
    for bit_count, seed, sqn in reads:
        bits = seed & ((1 << bit_count) - 1)
        if bit_count in (26, 34):
            bits = encode_wiegand(bits >> 2 & ((1 << (bit_count - 2)) - 1), bit_count)
        size = (bit_count + 7) // 8
        payload = (
            b"\x00\x01"
            + bit_count.to_bytes(2, "little")
            + (bits << (size * 8 - bit_count)).to_bytes(size, "big")
        )
        stream += noise + build_frame(0x10, sqn, 0x50, payload, reply=True)
        expected.append((bits, bit_count, sqn))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=6)))
    parser = ReplyParser()
    replies: list[osdp.AnyReply] = []
    start = 0
    for cut in [*cuts, len(stream)]:
        replies += parser.feed(stream[start:cut])
        start = cut
    assert len(replies) == len(expected)
    for reply, (bits, bit_count, sqn) in zip(replies, expected, strict=True):
        assert isinstance(reply, CardRead)
        assert (reply.address, reply.sqn, reply.bit_count) == (0x10, sqn, bit_count)
        assert reply.bits == bits
        if bit_count in (26, 34):
            assert reply.wiegand is not None
            assert reply.card_number == str(bits >> 1 & ((1 << (bit_count - 2)) - 1))
        else:
            assert reply.card_number == str(bits)
