"""Rules for text people type: names must be printable, free text clean.

A name is shown on screens, printed on passes and compared by the guard, so
it must be what it looks like: no control characters (a NUL also breaks
PostgreSQL), no bidirectional overrides or isolates that display text in
another order than it is stored, no zero-width or other invisible format
characters, no line separators, nothing unassigned, private or a lone
surrogate. Free text (notes, purposes, reasons) follows the same rule but
may keep line breaks and tabs where it is multi-line.
"""

from __future__ import annotations

import unicodedata

from .errors import CommunityError

#: Unicode general categories that are not printable text: controls (Cc),
#: format characters (Cf: bidi controls, zero-width characters, BOM),
#: surrogates (Cs), private use (Co), unassigned (Cn), line and paragraph
#: separators (Zl, Zp).
NOT_PRINTABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
NAME_MAX = 100
#: Only ordinary white space is trimmed before the check: a trailing NEL or
#: line separator is refused like any other, not silently dropped.
_ENDS = " \t\r\n"


def printable(text: str, *, allowed: str = "") -> bool:
    """Whether every character is printable text (or one of ``allowed``)."""
    return all(
        ch in allowed or unicodedata.category(ch) not in NOT_PRINTABLE for ch in text
    )


def clean_name(
    value: str, *, max_length: int = NAME_MAX, key: str = "invalid_name"
) -> str:
    """Return a name in canonical form (NFKC, runs of spaces made one), or refuse.

    Raises ``CommunityError(key)`` when the name is empty, longer than
    ``max_length`` or holds anything but printable text.
    """
    text = unicodedata.normalize("NFKC", str(value)).strip(_ENDS)
    if not printable(text):
        raise CommunityError(key)
    text = " ".join(text.split())
    if not text or len(text) > max_length:
        raise CommunityError(key)
    return text


def clean_free_text(
    value: str | None,
    *,
    max_length: int,
    multiline: bool = False,
    key: str = "invalid_text",
) -> str | None:
    """Free text stripped and cut to ``max_length``; ``None`` when empty.

    Raises ``CommunityError(key)`` for characters that are not printable
    text; line breaks and tabs are kept in multi-line text.
    """
    if value is None:
        return None
    text = str(value).replace("\r\n", "\n").strip(_ENDS)
    if not printable(text, allowed="\n\t" if multiline else ""):
        raise CommunityError(key)
    return text[:max_length].strip() or None


def same_name(stored: str, wanted: str) -> bool:
    """Whether a stored name (maybe from before these rules) is a clean name."""
    return " ".join(unicodedata.normalize("NFKC", stored).split()) == wanted
