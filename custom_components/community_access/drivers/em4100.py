"""Incremental RDM6300 (EM4100, 125 kHz) frame decoder (sans-IO).

A frame is 14 bytes: ``02``, 10 ASCII hex digits (a version byte and a
32-bit tag id), 2 ASCII hex digits holding the XOR of the five data bytes,
``03``. The module repeats the frame while a tag is held, so reads of the
same tag are debounced; the caller passes the (monotonic) time in.

These tags carry only an identifier and are trivially cloned: treat them as
convenience-grade credentials.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import xor
from typing import Final

from .framing import drop_before

STX: Final = 0x02
ETX: Final = 0x03
FRAME_LEN: Final = 14
_HEX_DIGITS: Final = frozenset(b"0123456789ABCDEFabcdef")


@dataclass(frozen=True, slots=True)
class TagRead:
    """One debounced read of an EM4100 tag."""

    version: int
    tag_id: int

    @property
    def tag_hex(self) -> str:
        """The 10 hex digits of the frame, upper case."""
        return f"{self.version:02X}{self.tag_id:08X}"

    @property
    def card_number(self) -> str:
        """Canonical card number: the 32-bit tag id in decimal.

        This is the number usually printed on EM4100 cards and fobs.
        """
        return str(self.tag_id)


def decode_frame(frame: bytes) -> TagRead | None:
    """Decode one complete 14-byte frame; ``None`` when it is not valid."""
    if len(frame) != FRAME_LEN or frame[0] != STX or frame[-1] != ETX:
        return None
    digits = frame[1:13]
    if not all(ch in _HEX_DIGITS for ch in digits):
        return None
    raw = bytes.fromhex(digits.decode("ascii"))
    if reduce(xor, raw[:5], 0) != raw[5]:
        return None
    return TagRead(version=raw[0], tag_id=int.from_bytes(raw[1:5], "big"))


def encode_frame(version: int, tag_id: int) -> bytes:
    """Build the frame a module sends for a tag (for tests and simulators)."""
    if not 0 <= version <= 0xFF or not 0 <= tag_id <= 0xFFFFFFFF:
        raise ValueError("version or tag id out of range")
    raw = bytes([version]) + tag_id.to_bytes(4, "big")
    checksum = reduce(xor, raw, 0)
    return (
        bytes([STX]) + (raw + bytes([checksum])).hex().upper().encode() + bytes([ETX])
    )


class Rdm6300Decoder:
    """Feed arbitrary chunks; get debounced :class:`TagRead` events.

    A read of the tag seen last is suppressed while it keeps arriving less
    than ``debounce`` seconds after its previous frame, so a tag held on the
    reader gives one read. Invalid frames and garbage are skipped and counted.
    """

    def __init__(self, debounce: float = 1.5) -> None:
        """Create a decoder; ``debounce`` is in seconds (0 disables it)."""
        if debounce < 0:
            raise ValueError("debounce must not be negative")
        self._debounce = debounce
        self._buffer = bytearray()
        self._last_tag: TagRead | None = None
        self._last_seen = 0.0
        #: frames that started with STX but failed the checks
        self.bad_frames = 0
        #: bytes skipped while looking for STX
        self.skipped_bytes = 0

    def reset(self) -> None:
        """Drop buffered bytes and forget the last tag."""
        self._buffer.clear()
        self._last_tag = None

    def feed(self, data: bytes, now: float) -> list[TagRead]:
        """Consume ``data`` received at time ``now``; return new reads."""
        self._buffer += data
        reads: list[TagRead] = []
        while True:
            self.skipped_bytes += drop_before(self._buffer, STX)
            if len(self._buffer) < FRAME_LEN:
                break
            tag = decode_frame(bytes(self._buffer[:FRAME_LEN]))
            if tag is None:
                # Resynchronise on the next STX after this one.
                self.bad_frames += 1
                self.skipped_bytes += 1
                del self._buffer[0]
                continue
            del self._buffer[:FRAME_LEN]
            if self._accept(tag, now):
                reads.append(tag)
        return reads

    def _accept(self, tag: TagRead, now: float) -> bool:
        repeat = tag == self._last_tag and 0 <= now - self._last_seen < self._debounce
        self._last_tag = tag
        self._last_seen = now
        return not repeat
