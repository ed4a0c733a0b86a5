"""Helpers shared by the core tests (no fixtures: plain functions)."""

from __future__ import annotations

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def make_id_number(serial: int, birth: str = "19800101", region: str = "110105") -> str:
    """A valid 18-character PRC resident ID number (GB 11643 check digit).

    ``serial`` (0–999) makes numbers of the same birth date distinct.
    """
    body = f"{region}{birth}{serial % 1000:03d}"
    total = sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + _ID_CHECK[total % 11]
