"""LCUS and Modbus-RTU relay codecs."""

from __future__ import annotations

from hypothesis import given, strategies as st
import pytest

from custom_components.community_access.drivers.relays import (
    CoilsRead,
    CoilWritten,
    ExceptionResponse,
    ModbusError,
    ModbusResponseParser,
    crc16_modbus,
    lcus_command,
    modbus_read_coils,
    modbus_write_coil,
    parse_response,
)


def reference_crc(data: bytes) -> int:
    """Bit-by-bit CRC-16/MODBUS, written independently of the table."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            lsb = crc & 1
            crc >>= 1
            if lsb:
                crc ^= 0xA001
    return crc


def with_crc(hex_body: str) -> bytes:
    body = bytes.fromhex(hex_body)
    return body + reference_crc(body).to_bytes(2, "little")


@pytest.mark.parametrize(
    ("channel", "on", "expected"),
    [
        (1, True, "A0 01 01 A2"),
        (1, False, "A0 01 00 A1"),
        (2, True, "A0 02 01 A3"),
        (4, False, "A0 04 00 A4"),
        (8, True, "A0 08 01 A9"),
    ],
)
def test_lcus(channel: int, on: bool, expected: str) -> None:
    assert lcus_command(channel, on) == bytes.fromhex(expected)


@pytest.mark.parametrize("channel", [0, 9, -1])
def test_lcus_bad_channel(channel: int) -> None:
    with pytest.raises(ValueError):
        lcus_command(channel, True)


def test_crc_check_value() -> None:
    # Catalogue check value of CRC-16/MODBUS.
    assert crc16_modbus(b"123456789") == 0x4B37 == reference_crc(b"123456789")


@given(st.binary(max_size=64))
def test_crc_matches_reference(data: bytes) -> None:
    assert crc16_modbus(data) == reference_crc(data)


def test_write_coil_frames() -> None:
    # The classic vector: unit 1, coil 0 on -> 01 05 00 00 FF 00 8C 3A.
    assert modbus_write_coil(1, 0, True) == bytes.fromhex("01050000FF008C3A")
    assert modbus_write_coil(1, 0, False) == with_crc("010500000000")
    assert modbus_write_coil(17, 0x00AC, True) == with_crc("110500ACFF00")


def test_read_coils_frames() -> None:
    assert modbus_read_coils(1, 0, 8) == with_crc("010100000008")
    assert modbus_read_coils(17, 0x13, 0x25) == with_crc("110100130025")


@pytest.mark.parametrize(
    ("unit", "address", "count"),
    [(248, 0, 1), (-1, 0, 1), (1, 0x10000, 1), (1, 0, 0), (1, 0, 2001), (1, 0xFFFF, 2)],
)
def test_bad_requests(unit: int, address: int, count: int) -> None:
    with pytest.raises(ValueError):
        modbus_read_coils(unit, address, count)


def test_bad_write_requests() -> None:
    with pytest.raises(ValueError):
        modbus_write_coil(300, 0, True)
    with pytest.raises(ValueError):
        modbus_write_coil(1, -1, True)


def test_parse_write_echo() -> None:
    assert parse_response(modbus_write_coil(1, 3, True)) == CoilWritten(1, 3, True)
    assert parse_response(modbus_write_coil(1, 3, False)) == CoilWritten(1, 3, False)


def test_parse_read_coils() -> None:
    # Coils 0..9: byte 1 = 0b11001101 (coils 0,2,3,6,7 on), byte 2 = 0b01 (coil 8).
    response = parse_response(with_crc("0101" + "02" + "CD01"))
    assert isinstance(response, CoilsRead)
    assert response.first(10) == (
        True, False, True, True, False, False, True, True, True, False,
    )  # fmt: skip
    assert len(response.states) == 16


def test_parse_exception() -> None:
    response = parse_response(with_crc("018102"))
    assert response == ExceptionResponse(unit=1, function=1, code=2)
    assert response.name == "ILLEGAL_DATA_ADDRESS"
    unknown = parse_response(with_crc("018563"))
    assert isinstance(unknown, ExceptionResponse)
    assert unknown.name == "UNKNOWN_99"


@pytest.mark.parametrize(
    "frame",
    [
        bytes.fromhex("01050000FF008C3B"),  # CRC off
        with_crc("01050000FF01"),  # coil value neither FF00 nor 0000
        with_crc("010300000001"),  # unsupported function
        with_crc("018302"),  # exception of an unsupported function
        with_crc("010100"),  # zero byte count
        with_crc("01010201"),  # byte count longer than the data
        b"\x01",
        b"",
    ],
)
def test_parse_rejects(frame: bytes) -> None:
    with pytest.raises(ModbusError):
        parse_response(frame)


def test_parser_garbage_split_and_other_unit() -> None:
    parser = ModbusResponseParser(unit=1)
    stream = (
        b"\x00\xaa"
        + modbus_write_coil(2, 0, True)  # another unit: skipped
        + modbus_write_coil(1, 5, True)
        + with_crc("018104")
        + with_crc("01010105")
    )
    responses = []
    for i in range(0, len(stream), 3):
        responses += parser.feed(stream[i : i + 3])
    assert responses == [
        CoilWritten(1, 5, True),
        ExceptionResponse(1, 1, 4),
        CoilsRead(1, (True, False, True, False, False, False, False, False)),
    ]
    assert parser.skipped_bytes >= 10


def test_parser_any_unit_and_reset() -> None:
    parser = ModbusResponseParser()
    assert parser.feed(modbus_write_coil(7, 1, False)) == [CoilWritten(7, 1, False)]
    parser.feed(modbus_write_coil(7, 1, False)[:4])
    parser.reset()
    assert parser.feed(modbus_write_coil(9, 2, True)) == [CoilWritten(9, 2, True)]
    with pytest.raises(ValueError):
        ModbusResponseParser(unit=500)


@given(st.binary(max_size=200), st.integers(1, 16))
def test_random_bytes_never_crash(data: bytes, chunk: int) -> None:
    parser = ModbusResponseParser(unit=1)
    for i in range(0, len(data), chunk):
        for response in parser.feed(data[i : i + chunk]):
            assert response.unit == 1


@given(st.integers(0, 0xFFFF), st.booleans(), st.integers(0, 7))
def test_truncated_response_yields_nothing(address: int, on: bool, cut: int) -> None:
    assert ModbusResponseParser(1).feed(modbus_write_coil(1, address, on)[:cut]) == []


@given(
    st.integers(1, 247),
    st.lists(st.booleans(), min_size=1, max_size=64),
    st.binary(max_size=4),
)
def test_read_coils_round_trip(unit: int, states: list[bool], noise: bytes) -> None:
    packed = bytearray((len(states) + 7) // 8)
    for i, state in enumerate(states):
        packed[i // 8] |= state << (i % 8)
    body = bytes([unit, 1, len(packed)]) + packed
    frame = body + reference_crc(body).to_bytes(2, "little")
    responses = ModbusResponseParser(unit).feed(noise + frame)
    assert len(responses) == 1
    response = responses[0]
    assert isinstance(response, CoilsRead)
    assert response.first(len(states)) == tuple(states)


def test_parser_does_not_stall_on_fake_long_header() -> None:
    # 01 01 FA announces a 255-byte read response that never comes.
    parser = ModbusResponseParser(unit=1)
    stream = b"\x01\x01\xfa" + modbus_write_coil(1, 2, True)
    assert parser.feed(stream) == [CoilWritten(1, 2, True)]
