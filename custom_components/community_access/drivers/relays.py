"""Relay command codecs (sans-IO): LCUS USB relays and Modbus-RTU coils.

LCUS-1/2/4 (CH340 USB relays): ``A0 <channel> <0|1> <sum>`` where the sum
is the low byte of the first three; the board sends no acknowledgement.

Modbus-RTU: function 05 (write single coil, ``FF00`` on / ``0000`` off) and
01 (read coils) request frames, CRC-16/MODBUS appended low byte first, and
an incremental parser for the responses, exception responses included.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Final

LCUS_START: Final = 0xA0
LCUS_MAX_CHANNEL: Final = 8

FUNC_READ_COILS: Final = 0x01
FUNC_WRITE_SINGLE_COIL: Final = 0x05
_EXCEPTION_FLAG: Final = 0x80
_COIL_ON: Final = 0xFF00
_COIL_OFF: Final = 0x0000
MAX_READ_COILS: Final = 2000


def lcus_command(channel: int, on: bool) -> bytes:
    """Switch one LCUS relay channel (1-based) on or off."""
    if not 1 <= channel <= LCUS_MAX_CHANNEL:
        raise ValueError(f"channel must be 1 to {LCUS_MAX_CHANNEL}")
    body = bytes([LCUS_START, channel, int(on)])
    return body + bytes([sum(body) & 0xFF])


def _crc16_modbus_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC_TABLE: Final = _crc16_modbus_table()


def crc16_modbus(data: bytes) -> int:
    """CRC-16/MODBUS (reflected poly 0x8005, init 0xFFFF)."""
    crc = 0xFFFF
    for byte in data:
        crc = (crc >> 8) ^ _CRC_TABLE[(crc ^ byte) & 0xFF]
    return crc


def _with_crc(body: bytes) -> bytes:
    return body + crc16_modbus(body).to_bytes(2, "little")


def _check_unit(unit: int) -> None:
    if not 0 <= unit <= 247:
        raise ValueError("unit must be 0 to 247")


def _check_address(address: int) -> None:
    if not 0 <= address <= 0xFFFF:
        raise ValueError("coil address must be 0 to 65535")


def modbus_write_coil(unit: int, address: int, on: bool) -> bytes:
    """Request frame for function 05, write single coil."""
    _check_unit(unit)
    _check_address(address)
    value = _COIL_ON if on else _COIL_OFF
    return _with_crc(
        bytes([unit, FUNC_WRITE_SINGLE_COIL])
        + address.to_bytes(2, "big")
        + value.to_bytes(2, "big")
    )


def modbus_read_coils(unit: int, address: int, count: int) -> bytes:
    """Request frame for function 01, read ``count`` coils from ``address``."""
    _check_unit(unit)
    _check_address(address)
    if not 1 <= count <= MAX_READ_COILS or address + count > 0x10000:
        raise ValueError("coil count out of range")
    return _with_crc(
        bytes([unit, FUNC_READ_COILS])
        + address.to_bytes(2, "big")
        + count.to_bytes(2, "big")
    )


class ModbusExceptionCode(IntEnum):
    """Modbus exception codes."""

    ILLEGAL_FUNCTION = 0x01
    ILLEGAL_DATA_ADDRESS = 0x02
    ILLEGAL_DATA_VALUE = 0x03
    SERVER_DEVICE_FAILURE = 0x04
    ACKNOWLEDGE = 0x05
    SERVER_DEVICE_BUSY = 0x06
    MEMORY_PARITY_ERROR = 0x08
    GATEWAY_PATH_UNAVAILABLE = 0x0A
    GATEWAY_TARGET_NO_RESPONSE = 0x0B


@dataclass(frozen=True, slots=True)
class CoilWritten:
    """Echo of a write single coil request."""

    unit: int
    address: int
    on: bool


@dataclass(frozen=True, slots=True)
class CoilsRead:
    """Coil states from a read coils response, coil ``address`` first.

    The response carries whole bytes: the states beyond the requested count
    are padding (zero); use :meth:`first` with the requested count.
    """

    unit: int
    states: tuple[bool, ...]

    def first(self, count: int) -> tuple[bool, ...]:
        """Return the states of the first ``count`` coils."""
        return self.states[:count]


@dataclass(frozen=True, slots=True)
class ExceptionResponse:
    """A Modbus exception response."""

    unit: int
    function: int
    code: int

    @property
    def name(self) -> str:
        """The exception's name, or ``UNKNOWN_<code>``."""
        try:
            return ModbusExceptionCode(self.code).name
        except ValueError:
            return f"UNKNOWN_{self.code}"


type ModbusResponse = CoilWritten | CoilsRead | ExceptionResponse


class ModbusError(ValueError):
    """A frame is not a valid response."""


def _expected_length(frame: bytes | bytearray) -> int | None:
    """Frame length from its first bytes; ``None`` when not known yet.

    Raise :class:`ModbusError` for a function this codec does not handle.
    """
    if len(frame) < 2:
        return None
    function = frame[1]
    if function & _EXCEPTION_FLAG:
        if function & 0x7F in (FUNC_READ_COILS, FUNC_WRITE_SINGLE_COIL):
            return 5
        raise ModbusError("unsupported function")
    if function == FUNC_WRITE_SINGLE_COIL:
        return 8
    if function == FUNC_READ_COILS:
        if len(frame) < 3:
            return None
        if not 1 <= frame[2] <= (MAX_READ_COILS + 7) // 8:
            raise ModbusError("bad byte count")
        return 5 + frame[2]
    raise ModbusError("unsupported function")


def parse_response(frame: bytes) -> ModbusResponse:
    """Parse one complete response frame; raise :class:`ModbusError`."""
    length = _expected_length(frame)
    if length is None or len(frame) != length:
        raise ModbusError("wrong frame length")
    if crc16_modbus(frame[:-2]) != int.from_bytes(frame[-2:], "little"):
        raise ModbusError("CRC mismatch")
    unit, function = frame[0], frame[1]
    if function & _EXCEPTION_FLAG:
        return ExceptionResponse(unit=unit, function=function & 0x7F, code=frame[2])
    if function == FUNC_WRITE_SINGLE_COIL:
        value = int.from_bytes(frame[4:6], "big")
        if value not in (_COIL_ON, _COIL_OFF):
            raise ModbusError("bad coil value")
        return CoilWritten(
            unit=unit,
            address=int.from_bytes(frame[2:4], "big"),
            on=value == _COIL_ON,
        )
    data = frame[3:-2]
    return CoilsRead(
        unit=unit,
        states=tuple(bool(data[i // 8] >> (i % 8) & 1) for i in range(len(data) * 8)),
    )


class ModbusResponseParser:
    """Incremental parser for the responses of one unit.

    Modbus-RTU delimits frames by silence, which a sans-IO codec cannot
    see; instead a frame is recognised by its unit, a supported function,
    its length and a valid CRC. Anything else is skipped byte by byte.
    """

    def __init__(self, unit: int | None = None) -> None:
        """Accept responses from ``unit`` only, or any unit when ``None``."""
        if unit is not None:
            _check_unit(unit)
        self._unit = unit
        self._buffer = bytearray()
        #: bytes skipped while looking for a frame
        self.skipped_bytes = 0

    def reset(self) -> None:
        """Drop buffered bytes (for example after a response timeout)."""
        self._buffer.clear()

    def feed(self, data: bytes) -> list[ModbusResponse]:
        """Consume ``data``; return the responses it completed."""
        self._buffer += data
        responses: list[ModbusResponse] = []
        while self._buffer:
            if self._unit is not None and self._buffer[0] != self._unit:
                self._skip()
                continue
            try:
                length = _expected_length(self._buffer)
            except ModbusError:
                self._skip()
                continue
            if length is None or len(self._buffer) < length:
                # Garbage may look like the start of a long frame: a complete
                # frame further on wins over waiting for more bytes.
                later = self._complete_frame_after_start()
                if later is None:
                    break
                self.skipped_bytes += later
                del self._buffer[:later]
                continue
            try:
                response = parse_response(bytes(self._buffer[:length]))
            except ModbusError:
                self._skip()
                continue
            del self._buffer[:length]
            responses.append(response)
        return responses

    def _skip(self) -> None:
        del self._buffer[0]
        self.skipped_bytes += 1

    def _complete_frame_after_start(self) -> int | None:
        """Offset of the first valid complete frame after offset 0."""
        for offset in range(1, len(self._buffer) - 4):
            if self._unit is not None and self._buffer[offset] != self._unit:
                continue
            try:
                length = _expected_length(self._buffer[offset:])
                if length is None or offset + length > len(self._buffer):
                    continue
                parse_response(bytes(self._buffer[offset : offset + length]))
            except ModbusError:
                continue
            return offset
        return None
