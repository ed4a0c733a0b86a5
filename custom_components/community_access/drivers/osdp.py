"""OSDP v2.2 frame codec, plain mode (sans-IO).

Frame layout (the optional ``0xFF`` mark before it is not counted)::

    SOM 0x53 | ADDR | LEN (LE16) | CTRL | [SCB] | CODE | DATA | [MAC] | CHECK

``ADDR`` is 0-0x7E (0x7F broadcast), replies set bit 7. ``LEN`` counts from
SOM to the check bytes included. ``CTRL`` holds the sequence number (bits
0-1), the CRC flag (bit 2: CRC-16, else an 8-bit checksum) and the security
block flag (bit 3); bits 4-7 are reserved, and a frame with any of them set
is malformed (rejected like one with wrong check bytes). ``CHECK`` is CRC-16/AUG-CCITT (poly 0x1021, init
0x1D0F, not reflected) low byte first, or ``(-sum) & 0xFF``.

Secure channel seam: frames with a security block are parsed (SCB type and
data, and the 4-byte MAC of SCS_15 to SCS_18 kept on :class:`Frame`, with
the frame's bytes exactly as received for the MAC check) but never
decrypted nor verified here; :func:`decode_reply` returns them as
:class:`SecureReply` so nothing reads a credential from an unverified frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import ClassVar, Final, Literal

from .framing import drop_before
from .wiegand import SUPPORTED_BIT_COUNTS, WiegandCard, WiegandError, decode_wiegand

SOM: Final = 0x53
MARK: Final = 0xFF
BROADCAST: Final = 0x7F
REPLY_FLAG: Final = 0x80
CTRL_SQN_MASK: Final = 0x03
CTRL_CRC: Final = 0x04
CTRL_SCB: Final = 0x08
#: CTRL bits 4-7: reserved, must be zero
CTRL_RESERVED: Final = 0xF0
HEADER_LEN: Final = 5
MAC_LEN: Final = 4
DEFAULT_MAX_FRAME: Final = 1024
MAX_FRAME: Final = 0xFFFF


class CommandCode(IntEnum):
    """Command codes (CP to PD)."""

    POLL = 0x60
    ID = 0x61
    CAP = 0x62
    LSTAT = 0x64
    ISTAT = 0x65
    OSTAT = 0x66
    RSTAT = 0x67
    OUT = 0x68
    LED = 0x69
    BUZ = 0x6A
    TEXT = 0x6B
    COMSET = 0x6E
    KEYSET = 0x75
    CHLNG = 0x76
    SCRYPT = 0x77
    ACURXSIZE = 0x7B
    FILETRANSFER = 0x7C
    MFG = 0x80
    KEEPACTIVE = 0xA7


class ReplyCode(IntEnum):
    """Reply codes (PD to CP)."""

    ACK = 0x40
    NAK = 0x41
    PDID = 0x45
    PDCAP = 0x46
    LSTATR = 0x48
    ISTATR = 0x49
    OSTATR = 0x4A
    RSTATR = 0x4B
    RAW = 0x50
    KEYPAD = 0x53
    COM = 0x54
    CCRYPT = 0x76
    RMAC_I = 0x78
    BUSY = 0x79


class NakCode(IntEnum):
    """NAK error codes."""

    NONE = 0x00
    CHECK_CHARACTER = 0x01
    COMMAND_LENGTH = 0x02
    UNKNOWN_COMMAND = 0x03
    SEQUENCE_NUMBER = 0x04
    SECURITY_NOT_SUPPORTED = 0x05
    ENCRYPTION_REQUIRED = 0x06
    BIO_TYPE_NOT_SUPPORTED = 0x07
    BIO_FORMAT_NOT_SUPPORTED = 0x08
    UNABLE_TO_PROCESS = 0x09


class SecurityBlockType(IntEnum):
    """Security block types."""

    SCS_11 = 0x11  # CHLNG
    SCS_12 = 0x12  # CCRYPT
    SCS_13 = 0x13  # SCRYPT
    SCS_14 = 0x14  # RMAC_I
    SCS_15 = 0x15  # CP, MAC, data plain
    SCS_16 = 0x16  # PD, MAC, data plain
    SCS_17 = 0x17  # CP, MAC, data encrypted
    SCS_18 = 0x18  # PD, MAC, data encrypted


#: security block types whose frames end with a 4-byte MAC
MAC_BLOCK_TYPES: Final = frozenset(range(0x15, 0x19))


# --- CRC and check bytes ---------------------------------------------------


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021 if crc & 0x8000 else crc << 1) & 0xFFFF
        table.append(crc)
    return tuple(table)


_CRC_TABLE: Final = _crc_table()


def crc16_aug_ccitt(data: bytes | bytearray | memoryview) -> int:
    """CRC-16/AUG-CCITT: poly 0x1021, init 0x1D0F, not reflected."""
    crc = 0x1D0F
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _CRC_TABLE[(crc >> 8) ^ byte]
    return crc


def checksum8(data: bytes | bytearray | memoryview) -> int:
    """Compute the 8-bit checksum variant: minus the byte sum, low byte."""
    return -sum(data) & 0xFF


# --- frames ------------------------------------------------------------------


class OsdpError(ValueError):
    """Bytes are not a valid OSDP frame, or a value does not fit one."""


@dataclass(frozen=True, slots=True)
class SecurityBlock:
    """The security control block of a frame."""

    type: int
    data: bytes = b""


@dataclass(frozen=True, slots=True)
class Frame:
    """One checked OSDP frame (command or reply)."""

    #: device address, without the reply flag
    address: int
    is_reply: bool
    sqn: int
    use_crc: bool
    code: int
    data: bytes = b""
    scb: SecurityBlock | None = None
    #: the 4-byte MAC of a secure frame, not verified here
    mac: bytes | None = None
    #: the frame exactly as received (SOM to check bytes, no mark); a MAC is
    #: verified over these bytes. Empty for a frame not read off the wire.
    raw: bytes = field(default=b"", repr=False, compare=False)


def build_frame(
    address: int,
    sqn: int,
    code: int,
    data: bytes = b"",
    *,
    reply: bool = False,
    use_crc: bool = True,
    scb: SecurityBlock | None = None,
    mac: bytes | None = None,
    mark: bool = False,
) -> bytes:
    """Assemble a frame; ``mark`` prefixes the optional ``0xFF``."""
    if not 0 <= address <= BROADCAST:
        raise OsdpError("address must be 0 to 0x7F")
    if not 0 <= sqn <= CTRL_SQN_MASK:
        raise OsdpError("sequence number must be 0 to 3")
    if not 0 <= code <= 0xFF:
        raise OsdpError("code must be one byte")
    ctrl = sqn | (CTRL_CRC if use_crc else 0)
    block = b""
    if scb is not None:
        if not 0 <= scb.type <= 0xFF or len(scb.data) > 0xFD:
            raise OsdpError("security block does not fit")
        ctrl |= CTRL_SCB
        block = bytes([len(scb.data) + 2, scb.type]) + scb.data
    needs_mac = scb is not None and scb.type in MAC_BLOCK_TYPES
    if needs_mac != (mac is not None) or (mac is not None and len(mac) != MAC_LEN):
        raise OsdpError("a 4-byte MAC goes with security blocks 0x15 to 0x18")
    tail = mac or b""
    length = HEADER_LEN + len(block) + 1 + len(data) + len(tail) + (2 if use_crc else 1)
    if length > MAX_FRAME:
        raise OsdpError("frame too long")
    body = (
        bytes([SOM, address | (REPLY_FLAG if reply else 0)])
        + length.to_bytes(2, "little")
        + bytes([ctrl])
        + block
        + bytes([code])
        + data
        + tail
    )
    check = (
        crc16_aug_ccitt(body).to_bytes(2, "little")
        if use_crc
        else bytes([checksum8(body)])
    )
    return (bytes([MARK]) if mark else b"") + body + check


def _header_length(header: bytes | bytearray) -> int:
    """Frame length from a 5-byte header; raise :class:`OsdpError`."""
    length = header[2] | header[3] << 8
    ctrl = header[4]
    minimum = HEADER_LEN + 1 + (2 if ctrl & CTRL_CRC else 1)
    if ctrl & CTRL_SCB:
        minimum += 2
    if length < minimum:
        raise OsdpError("length too short")
    return length


def parse_frame(raw: bytes) -> Frame:
    """Parse one complete frame (no mark); raise :class:`OsdpError`."""
    if len(raw) < HEADER_LEN or raw[0] != SOM:
        raise OsdpError("no start of message")
    length = _header_length(raw)
    if length != len(raw):
        raise OsdpError("length does not match")
    ctrl = raw[4]
    use_crc = bool(ctrl & CTRL_CRC)
    if ctrl & CTRL_RESERVED:
        raise OsdpError("reserved control bits set")
    if use_crc:
        check_len = 2
        valid = crc16_aug_ccitt(raw[:-2]) == int.from_bytes(raw[-2:], "little")
    else:
        check_len = 1
        valid = checksum8(raw[:-1]) == raw[-1]
    if not valid:
        raise OsdpError("check bytes do not match")
    pos = HEADER_LEN
    end = length - check_len
    scb: SecurityBlock | None = None
    mac: bytes | None = None
    if ctrl & CTRL_SCB:
        scb_len = raw[pos]
        if scb_len < 2 or pos + scb_len >= end:
            raise OsdpError("bad security block length")
        scb = SecurityBlock(type=raw[pos + 1], data=bytes(raw[pos + 2 : pos + scb_len]))
        pos += scb_len
        if scb.type in MAC_BLOCK_TYPES:
            if end - MAC_LEN <= pos:
                raise OsdpError("no room for the MAC")
            mac = bytes(raw[end - MAC_LEN : end])
            end -= MAC_LEN
    return Frame(
        address=raw[1] & ~REPLY_FLAG & 0xFF,
        is_reply=bool(raw[1] & REPLY_FLAG),
        sqn=ctrl & CTRL_SQN_MASK,
        use_crc=use_crc,
        code=raw[pos],
        data=bytes(raw[pos + 1 : end]),
        scb=scb,
        mac=mac,
        raw=bytes(raw),
    )


class FrameParser:
    """Incremental frame parser: feed arbitrary chunks, get checked frames.

    Bytes before a start of message (marks, line noise) are skipped. A
    header with an impossible length, or a frame whose check bytes fail or
    that sets reserved control bits, drops its SOM byte only and the search resumes right after it, so a
    real frame hidden behind garbage is still found. Frames of the other
    direction (our own commands echoed on a two-wire bus) are dropped.
    """

    def __init__(
        self,
        expect: Literal["reply", "command", "any"] = "reply",
        *,
        max_frame: int = DEFAULT_MAX_FRAME,
    ) -> None:
        """Create a parser for replies, commands or both."""
        if not HEADER_LEN + 3 <= max_frame <= MAX_FRAME:
            raise ValueError("max_frame out of range")
        self._expect = expect
        self._max_frame = max_frame
        self._buffer = bytearray()
        #: bytes skipped while looking for a frame
        self.skipped_bytes = 0
        #: frames whose check bytes, reserved control bits or layout were wrong
        self.bad_frames = 0
        #: valid frames of the other direction
        self.other_direction = 0

    def reset(self) -> None:
        """Drop buffered bytes (for example after a reply timeout)."""
        self._buffer.clear()

    def feed(self, data: bytes) -> list[Frame]:
        """Consume ``data``; return the frames it completed."""
        self._buffer += data
        frames: list[Frame] = []
        while True:
            self.skipped_bytes += drop_before(self._buffer, SOM)
            if len(self._buffer) < HEADER_LEN:
                break
            try:
                length = _header_length(self._buffer)
                if length > self._max_frame:
                    raise OsdpError("frame too long")  # noqa: TRY301
            except OsdpError:
                self._skip_som()
                continue
            if len(self._buffer) < length:
                # Garbage may look like the header of a long frame: a complete
                # frame further on wins over waiting for more bytes.
                later = self._complete_frame_after_start()
                if later is None:
                    break
                self.skipped_bytes += later
                del self._buffer[:later]
                continue
            try:
                frame = parse_frame(bytes(self._buffer[:length]))
            except OsdpError:
                self.bad_frames += 1
                self._skip_som()
                continue
            del self._buffer[:length]
            if self._expect != "any" and frame.is_reply != (self._expect == "reply"):
                self.other_direction += 1
                continue
            frames.append(frame)
        return frames

    def _skip_som(self) -> None:
        del self._buffer[0]
        self.skipped_bytes += 1

    def _complete_frame_after_start(self) -> int | None:
        """Offset of the first valid complete frame after offset 0."""
        offset = self._buffer.find(SOM, 1)
        while 0 < offset <= len(self._buffer) - HEADER_LEN:
            try:
                length = _header_length(self._buffer[offset : offset + HEADER_LEN])
                if length <= self._max_frame and offset + length <= len(self._buffer):
                    parse_frame(bytes(self._buffer[offset : offset + length]))
                    return offset
            except OsdpError:
                pass
            offset = self._buffer.find(SOM, offset + 1)
        return None


# --- sequence numbers --------------------------------------------------------


class SequenceCounter:
    """Sequence numbers of one PD: 0 first (resets the PD), then 1, 2, 3, 1.

    :meth:`next` advances for a new command; a resend after a timeout uses
    :attr:`current` again, so the PD repeats its last reply.
    """

    def __init__(self) -> None:
        """Start so that the next command carries 0."""
        self._current: int | None = None

    @property
    def current(self) -> int | None:
        """The number of the last command, ``None`` before the first."""
        return self._current

    def next(self) -> int:
        """Advance and return the number for a new command."""
        if self._current is None:
            self._current = 0
        else:
            self._current = self._current % 3 + 1
        return self._current

    def reset(self) -> None:
        """Make the next command carry 0 again (PD offline, new session)."""
        self._current = None

    def matches(self, reply_sqn: int) -> bool:
        """Whether a reply carries the number of the last command."""
        return self._current is not None and reply_sqn == self._current


# --- commands -----------------------------------------------------------------


def _u8(value: int, name: str) -> int:
    if not 0 <= value <= 0xFF:
        raise OsdpError(f"{name} must be 0 to 255")
    return value


def _u16(value: int, name: str) -> bytes:
    if not 0 <= value <= 0xFFFF:
        raise OsdpError(f"{name} must be 0 to 65535")
    return value.to_bytes(2, "little")


class LedColor(IntEnum):
    """LED colours."""

    BLACK = 0
    RED = 1
    GREEN = 2
    AMBER = 3
    BLUE = 4
    MAGENTA = 5
    CYAN = 6
    WHITE = 7


class OutputControlCode(IntEnum):
    """Output control codes of ``osdp_OUT``."""

    NOP = 0
    PERMANENT_OFF_ABORT_TIMED = 1
    PERMANENT_ON_ABORT_TIMED = 2
    PERMANENT_OFF_ALLOW_TIMED = 3
    PERMANENT_ON_ALLOW_TIMED = 4
    TEMPORARY_ON_RESUME = 5
    TEMPORARY_OFF_RESUME = 6


class TextCommandCode(IntEnum):
    """Text command codes of ``osdp_TEXT``."""

    PERMANENT_NO_WRAP = 1
    PERMANENT_WRAP = 2
    TEMPORARY_NO_WRAP = 3
    TEMPORARY_WRAP = 4


@dataclass(frozen=True, slots=True)
class Poll:
    """``osdp_POLL``."""

    CODE: ClassVar[int] = CommandCode.POLL

    def payload(self) -> bytes:
        """Command data."""
        return b""


@dataclass(frozen=True, slots=True)
class IdRequest:
    """``osdp_ID``: ask for the PD's identification (reply ``PDID``)."""

    CODE: ClassVar[int] = CommandCode.ID
    report_type: int = 0

    def payload(self) -> bytes:
        """Command data."""
        return bytes([_u8(self.report_type, "report type")])


@dataclass(frozen=True, slots=True)
class CapRequest:
    """``osdp_CAP``: ask for the PD's capabilities (reply ``PDCAP``)."""

    CODE: ClassVar[int] = CommandCode.CAP
    report_type: int = 0

    def payload(self) -> bytes:
        """Command data."""
        return bytes([_u8(self.report_type, "report type")])


@dataclass(frozen=True, slots=True)
class LocalStatusRequest:
    """``osdp_LSTAT``: ask for tamper and power status (reply ``LSTATR``)."""

    CODE: ClassVar[int] = CommandCode.LSTAT

    def payload(self) -> bytes:
        """Command data."""
        return b""


@dataclass(frozen=True, slots=True)
class OutputRecord:
    """One output of ``osdp_OUT``; the timer counts 100 ms units."""

    output: int
    control: int
    timer: int = 0

    def encode(self) -> bytes:
        """Encode the 4-byte record."""
        return bytes(
            [_u8(self.output, "output"), _u8(self.control, "control code")]
        ) + _u16(self.timer, "timer")


@dataclass(frozen=True, slots=True)
class OutputControl:
    """``osdp_OUT``: drive outputs (relays)."""

    CODE: ClassVar[int] = CommandCode.OUT
    records: tuple[OutputRecord, ...]

    def payload(self) -> bytes:
        """Command data."""
        if not self.records:
            raise OsdpError("at least one output record")
        return b"".join(record.encode() for record in self.records)


@dataclass(frozen=True, slots=True)
class LedRecord:
    """One LED of ``osdp_LED``; times count 100 ms units.

    Temporary control code: 0 no change, 1 cancel, 2 set. Permanent
    control code: 0 no change, 1 set.
    """

    reader: int = 0
    led: int = 0
    temp_control: int = 0
    temp_on_time: int = 0
    temp_off_time: int = 0
    temp_on_color: int = LedColor.BLACK
    temp_off_color: int = LedColor.BLACK
    temp_timer: int = 0
    perm_control: int = 0
    perm_on_time: int = 0
    perm_off_time: int = 0
    perm_on_color: int = LedColor.BLACK
    perm_off_color: int = LedColor.BLACK

    def encode(self) -> bytes:
        """Encode the 14-byte record."""
        return (
            bytes(
                [
                    _u8(self.reader, "reader"),
                    _u8(self.led, "led"),
                    _u8(self.temp_control, "temp control"),
                    _u8(self.temp_on_time, "temp on time"),
                    _u8(self.temp_off_time, "temp off time"),
                    _u8(self.temp_on_color, "temp on color"),
                    _u8(self.temp_off_color, "temp off color"),
                ]
            )
            + _u16(self.temp_timer, "temp timer")
            + bytes(
                [
                    _u8(self.perm_control, "perm control"),
                    _u8(self.perm_on_time, "perm on time"),
                    _u8(self.perm_off_time, "perm off time"),
                    _u8(self.perm_on_color, "perm on color"),
                    _u8(self.perm_off_color, "perm off color"),
                ]
            )
        )


@dataclass(frozen=True, slots=True)
class LedControl:
    """``osdp_LED``: drive reader LEDs."""

    CODE: ClassVar[int] = CommandCode.LED
    records: tuple[LedRecord, ...]

    def payload(self) -> bytes:
        """Command data."""
        if not self.records:
            raise OsdpError("at least one LED record")
        return b"".join(record.encode() for record in self.records)


@dataclass(frozen=True, slots=True)
class BuzzerControl:
    """``osdp_BUZ``: tone 1 off, 2 default; times in 100 ms; count 0 = on."""

    CODE: ClassVar[int] = CommandCode.BUZ
    reader: int = 0
    tone: int = 2
    on_time: int = 0
    off_time: int = 0
    count: int = 1

    def payload(self) -> bytes:
        """Command data."""
        return bytes(
            [
                _u8(self.reader, "reader"),
                _u8(self.tone, "tone"),
                _u8(self.on_time, "on time"),
                _u8(self.off_time, "off time"),
                _u8(self.count, "count"),
            ]
        )


@dataclass(frozen=True, slots=True)
class TextOutput:
    """``osdp_TEXT``: show ASCII text; ``temp_time`` is in seconds."""

    CODE: ClassVar[int] = CommandCode.TEXT
    text: str
    reader: int = 0
    command: int = TextCommandCode.PERMANENT_NO_WRAP
    temp_time: int = 0
    row: int = 1
    column: int = 1

    def payload(self) -> bytes:
        """Command data."""
        if not self.text.isascii() or not self.text.isprintable():
            raise OsdpError("text must be printable ASCII")
        encoded = self.text.encode("ascii")
        return (
            bytes(
                [
                    _u8(self.reader, "reader"),
                    _u8(self.command, "text command"),
                    _u8(self.temp_time, "temp time"),
                    _u8(self.row, "row"),
                    _u8(self.column, "column"),
                    _u8(len(encoded), "text length"),
                ]
            )
            + encoded
        )


@dataclass(frozen=True, slots=True)
class ComSet:
    """``osdp_COMSET``: set the PD's address and baud rate (reply ``COM``)."""

    CODE: ClassVar[int] = CommandCode.COMSET
    address: int
    baud_rate: int

    def payload(self) -> bytes:
        """Command data."""
        if not 0 <= self.address < BROADCAST:
            raise OsdpError("new address must be 0 to 0x7E")
        if not 0 < self.baud_rate <= 0xFFFFFFFF:
            raise OsdpError("baud rate out of range")
        return bytes([self.address]) + self.baud_rate.to_bytes(4, "little")


type Command = (
    Poll
    | IdRequest
    | CapRequest
    | LocalStatusRequest
    | OutputControl
    | LedControl
    | BuzzerControl
    | TextOutput
    | ComSet
)


def encode_command(
    command: Command,
    address: int,
    sqn: int,
    *,
    use_crc: bool = True,
    mark: bool = False,
) -> bytes:
    """Build the plain frame of a command."""
    return build_frame(
        address, sqn, command.CODE, command.payload(), use_crc=use_crc, mark=mark
    )


def _records(data: bytes, size: int) -> list[bytes]:
    if not data or len(data) % size:
        raise OsdpError("bad record length")
    return [data[i : i + size] for i in range(0, len(data), size)]


def _decode_led_record(r: bytes) -> LedRecord:
    return LedRecord(
        reader=r[0],
        led=r[1],
        temp_control=r[2],
        temp_on_time=r[3],
        temp_off_time=r[4],
        temp_on_color=r[5],
        temp_off_color=r[6],
        temp_timer=int.from_bytes(r[7:9], "little"),
        perm_control=r[9],
        perm_on_time=r[10],
        perm_off_time=r[11],
        perm_on_color=r[12],
        perm_off_color=r[13],
    )


def decode_command(frame: Frame) -> Command:
    """Decode the data of a plain command frame (the PD side, simulators).

    Raise :class:`OsdpError` for unknown or malformed commands.
    """
    if frame.is_reply or frame.scb is not None:
        raise OsdpError("not a plain command")
    data, code = frame.data, frame.code
    command: Command
    if code == CommandCode.POLL and not data:
        command = Poll()
    elif code == CommandCode.ID and len(data) == 1:
        command = IdRequest(data[0])
    elif code == CommandCode.CAP and len(data) == 1:
        command = CapRequest(data[0])
    elif code == CommandCode.LSTAT and not data:
        command = LocalStatusRequest()
    elif code == CommandCode.OUT:
        command = OutputControl(
            tuple(
                OutputRecord(r[0], r[1], int.from_bytes(r[2:4], "little"))
                for r in _records(data, 4)
            )
        )
    elif code == CommandCode.LED:
        command = LedControl(tuple(_decode_led_record(r) for r in _records(data, 14)))
    elif code == CommandCode.BUZ and len(data) == 5:
        command = BuzzerControl(*data)
    elif code == CommandCode.TEXT and len(data) >= 6 and len(data) == 6 + data[5]:
        try:
            text = data[6:].decode("ascii")
        except UnicodeDecodeError as err:
            raise OsdpError("text is not ASCII") from err
        command = TextOutput(text, data[0], data[1], data[2], data[3], data[4])
    elif code == CommandCode.COMSET and len(data) == 5:
        command = ComSet(data[0], int.from_bytes(data[1:5], "little"))
    else:
        raise OsdpError(f"unknown or malformed command 0x{code:02X}")
    return command


# --- replies -------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    """Base of the typed replies: who sent it, with which sequence number."""

    address: int
    sqn: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Ack(Reply):
    """``osdp_ACK``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Nak(Reply):
    """``osdp_NAK``: the error code and any extra data."""

    error: int
    detail: bytes = b""

    @property
    def error_name(self) -> str:
        """The error's name, or ``UNKNOWN_<code>``."""
        try:
            return NakCode(self.error).name
        except ValueError:
            return f"UNKNOWN_{self.error}"


@dataclass(frozen=True, slots=True, kw_only=True)
class PdId(Reply):
    """``osdp_PDID``: identification."""

    vendor_code: bytes
    model: int
    version: int
    serial_number: int
    firmware: tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Capability:
    """One capability record of ``osdp_PDCAP``."""

    function: int
    compliance: int
    number: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PdCap(Reply):
    """``osdp_PDCAP``: capability records."""

    capabilities: tuple[Capability, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class LocalStatus(Reply):
    """``osdp_LSTATR``: tamper and power failure flags."""

    tamper: bool
    power_failure: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class CardRead(Reply):
    """``osdp_RAW``: card data from a reader.

    ``data`` holds ``bit_count`` bits, first bit in the most significant bit
    of the first byte. 26 and 34-bit reads are decoded as Wiegand (parity
    checked; ``wiegand`` is ``None`` when parity fails).
    """

    reader: int
    format: int
    bit_count: int
    data: bytes
    wiegand: WiegandCard | None

    @property
    def bits(self) -> int:
        """The card bits as an integer."""
        return int.from_bytes(self.data, "big") >> (len(self.data) * 8 - self.bit_count)

    @property
    def card_number(self) -> str | None:
        """Canonical card number, ``None`` for a Wiegand read failing parity.

        Wiegand 26/34: the data bits in decimal. Other lengths: all the bits
        in decimal.
        """
        if self.wiegand is not None:
            return self.wiegand.card_number
        if self.bit_count in SUPPORTED_BIT_COUNTS:
            return None
        return str(self.bits)


@dataclass(frozen=True, slots=True, kw_only=True)
class Keypad(Reply):
    """``osdp_KEYPAD``: keys pressed on a reader (ASCII)."""

    reader: int
    digits: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ComReply(Reply):
    """``osdp_COM``: the address and baud rate the PD now uses."""

    new_address: int
    baud_rate: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Busy(Reply):
    """``osdp_BUSY``: the PD cannot answer now; resend the command."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SecureReply(Reply):
    """A reply with a security block: left for the secure channel layer."""

    frame: Frame


@dataclass(frozen=True, slots=True, kw_only=True)
class UnknownReply(Reply):
    """A reply this codec does not decode (yet)."""

    code: int
    data: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class MalformedReply(Reply):
    """A known reply code whose data has the wrong layout."""

    code: int
    data: bytes
    reason: str


type AnyReply = (
    Ack
    | Nak
    | PdId
    | PdCap
    | LocalStatus
    | CardRead
    | Keypad
    | ComReply
    | Busy
    | SecureReply
    | UnknownReply
    | MalformedReply
)


def _decode_raw(frame: Frame) -> CardRead:
    data = frame.data
    if len(data) < 4:
        raise OsdpError("RAW data too short")
    bit_count = int.from_bytes(data[2:4], "little")
    card = data[4:]
    if bit_count == 0 or len(card) != (bit_count + 7) // 8:
        raise OsdpError("RAW bit count does not match its data")
    bits = int.from_bytes(card, "big") >> (len(card) * 8 - bit_count)
    wiegand: WiegandCard | None = None
    if bit_count in SUPPORTED_BIT_COUNTS:
        try:
            wiegand = decode_wiegand(bits, bit_count)
        except WiegandError:
            wiegand = None
    return CardRead(
        address=frame.address,
        sqn=frame.sqn,
        reader=data[0],
        format=data[1],
        bit_count=bit_count,
        data=card,
        wiegand=wiegand,
    )


def _decode_keypad(frame: Frame) -> Keypad:
    data = frame.data
    if len(data) < 2 or len(data) != 2 + data[1]:
        raise OsdpError("KEYPAD count does not match its data")
    keys = data[2:]
    if not all(0x20 <= key < 0x7F for key in keys):
        raise OsdpError("KEYPAD keys are not printable ASCII")
    return Keypad(
        address=frame.address,
        sqn=frame.sqn,
        reader=data[0],
        digits=keys.decode("ascii"),
    )


def decode_reply(frame: Frame) -> AnyReply:
    """Turn a reply frame into a typed reply; never raises."""
    address, sqn, code, data = frame.address, frame.sqn, frame.code, frame.data
    if frame.scb is not None:
        return SecureReply(address=address, sqn=sqn, frame=frame)
    try:
        reply: AnyReply
        if code == ReplyCode.ACK:
            reply = Ack(address=address, sqn=sqn)
        elif code == ReplyCode.BUSY:
            reply = Busy(address=address, sqn=sqn)
        elif code == ReplyCode.NAK:
            if not data:
                raise OsdpError("NAK without an error code")  # noqa: TRY301
            reply = Nak(address=address, sqn=sqn, error=data[0], detail=data[1:])
        elif code == ReplyCode.PDID:
            if len(data) != 12:
                raise OsdpError("PDID must carry 12 bytes")  # noqa: TRY301
            reply = PdId(
                address=address,
                sqn=sqn,
                vendor_code=data[0:3],
                model=data[3],
                version=data[4],
                serial_number=int.from_bytes(data[5:9], "little"),
                firmware=(data[9], data[10], data[11]),
            )
        elif code == ReplyCode.PDCAP:
            reply = PdCap(
                address=address,
                sqn=sqn,
                capabilities=tuple(Capability(*record) for record in _records(data, 3)),
            )
        elif code == ReplyCode.LSTATR:
            if len(data) != 2:
                raise OsdpError("LSTATR must carry 2 bytes")  # noqa: TRY301
            reply = LocalStatus(
                address=address,
                sqn=sqn,
                tamper=bool(data[0]),
                power_failure=bool(data[1]),
            )
        elif code == ReplyCode.RAW:
            reply = _decode_raw(frame)
        elif code == ReplyCode.KEYPAD:
            reply = _decode_keypad(frame)
        elif code == ReplyCode.COM:
            if len(data) != 5:
                raise OsdpError("COM must carry 5 bytes")  # noqa: TRY301
            reply = ComReply(
                address=address,
                sqn=sqn,
                new_address=data[0],
                baud_rate=int.from_bytes(data[1:5], "little"),
            )
        else:
            reply = UnknownReply(address=address, sqn=sqn, code=code, data=data)
    except OsdpError as err:
        return MalformedReply(
            address=address, sqn=sqn, code=code, data=data, reason=str(err)
        )
    return reply


class ReplyParser:
    """Incremental reply parser: feed chunks, get typed replies."""

    def __init__(self, *, max_frame: int = DEFAULT_MAX_FRAME) -> None:
        """Create a parser that keeps only reply frames."""
        self.frames = FrameParser("reply", max_frame=max_frame)

    def reset(self) -> None:
        """Drop buffered bytes."""
        self.frames.reset()

    def feed(self, data: bytes) -> list[AnyReply]:
        """Consume ``data``; return the replies it completed."""
        return [decode_reply(frame) for frame in self.frames.feed(data)]
