"""Helpers shared by the incremental frame parsers (sans-IO)."""

from __future__ import annotations


def drop_before(buffer: bytearray, marker: int) -> int:
    """Drop the bytes before the first ``marker`` byte; return how many.

    Without a ``marker`` in ``buffer`` every byte is dropped.
    """
    start = buffer.find(marker)
    skipped = len(buffer) if start < 0 else start
    del buffer[:skipped]
    return skipped
