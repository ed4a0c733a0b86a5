"""Incremental ASCII line reader for serial card readers (sans-IO).

Wiegand-to-serial converters and USB card readers print each card as a line
of ASCII (hex or decimal digits, sometimes with a prefix) ended by CR, LF or
both. A configurable regular expression picks the number out of the line
and a radix says how to read it.
"""

from __future__ import annotations

from dataclasses import dataclass
import re
from typing import Final

DEFAULT_PATTERNS: Final = {
    16: r"[0-9A-Fa-f]+",
    10: r"[0-9]+",
}
_EOL: Final = re.compile(rb"[\r\n]")
_DIGITS: Final = {
    16: frozenset("0123456789ABCDEFabcdef"),
    10: frozenset("0123456789"),
}


@dataclass(frozen=True, slots=True)
class LineCard:
    """A card number read from one line."""

    card_number: str
    line: str


class LineReader:
    """Feed arbitrary chunks; get one :class:`LineCard` per matching line.

    ``pattern`` must match the whole line (surrounding whitespace is
    stripped). When it has a group named ``card`` (or else at least one
    group), that group holds the number; otherwise the whole match does.
    Numbers come out in decimal without leading zeros. Lines longer than
    ``max_line`` bytes are dropped, as are lines that do not match or are
    not ASCII.
    """

    def __init__(
        self,
        pattern: str | None = None,
        radix: int = 16,
        *,
        max_line: int = 64,
        max_digits: int = 20,
    ) -> None:
        """Create a reader; raise ``ValueError`` on a bad pattern or radix."""
        if radix not in DEFAULT_PATTERNS:
            raise ValueError("radix must be 10 or 16")
        if max_line < 1 or max_digits < 1:
            raise ValueError("limits must be positive")
        try:
            self._pattern = re.compile(pattern or DEFAULT_PATTERNS[radix])
        except re.error as err:
            raise ValueError(f"invalid pattern: {err}") from err
        self._radix = radix
        self._max_line = max_line
        self._max_digits = max_digits
        self._buffer = bytearray()
        self._overflow = False
        #: lines dropped (too long, not ASCII, no match, bad number)
        self.rejected_lines = 0

    def reset(self) -> None:
        """Drop any partial line."""
        self._buffer.clear()
        self._overflow = False

    def feed(self, data: bytes) -> list[LineCard]:
        """Consume ``data``; return the cards of the lines it completed."""
        cards: list[LineCard] = []
        pos = 0
        while pos < len(data):
            match = _EOL.search(data, pos)
            end = match.start() if match else len(data)
            self._append(data[pos:end])
            if match is None:
                break
            pos = match.end()
            line, overflow = bytes(self._buffer), self._overflow
            self.reset()
            if overflow:
                self.rejected_lines += 1
            elif line.strip():
                card = self._parse(line)
                if card is None:
                    self.rejected_lines += 1
                else:
                    cards.append(card)
        return cards

    def _append(self, chunk: bytes) -> None:
        if self._overflow:
            return
        self._buffer += chunk
        if len(self._buffer) > self._max_line:
            self._buffer.clear()
            self._overflow = True

    def _parse(self, line: bytes) -> LineCard | None:
        try:
            text = line.decode("ascii").strip()
        except UnicodeDecodeError:
            return None
        match = self._pattern.fullmatch(text)
        if match is None:
            return None
        if "card" in self._pattern.groupindex:
            digits = match.group("card")
        elif self._pattern.groups:
            digits = match.group(1)
        else:
            digits = match.group(0)
        if (
            not digits
            or len(digits) > self._max_digits
            or not _DIGITS[self._radix].issuperset(digits)
        ):
            return None
        return LineCard(card_number=str(int(digits, self._radix)), line=text)
