"""Numbers of service fields: strict whole numbers and amounts, bounded.

``cv.positive_int`` is ``vol.All(vol.Coerce(int), vol.Range(min=0))``: it
turns ``1.9`` and ``True`` into 1 and raises ``OverflowError`` on infinity,
and without an upper bound a huge id reaches the database. These validators
refuse all of that with a message giving the bounds, the same bounds that
``services.yaml`` shows the action editor (a test checks they agree).
"""

from __future__ import annotations

import math
import re
from typing import Any

import voluptuous as vol

#: Ids of people, credentials, visits, penalties…: a PostgreSQL ``INTEGER``.
ID_MAX = 2_147_483_647
#: Largest amount of money a service takes, in yuan.
MONEY_MAX = 100_000
_INT_TEXT = re.compile(r"[+-]?[0-9]{1,19}")
_MONEY_TEXT = re.compile(r"[+-]?[0-9]{1,19}(\.[0-9]+)?")


class WholeNumber:
    """Validator of a whole number from ``minimum`` to ``maximum``.

    Takes an ``int``, a string of ASCII digits, or a float without a
    fraction (an ``input_number`` state or a template gives ``2.0``).
    Refuses booleans, fractions, infinities, NaN and anything out of range,
    instead of truncating (``1.9`` is not person 1) or overflowing.
    """

    def __init__(self, minimum: int, maximum: int) -> None:
        """Create for a closed range."""
        self.minimum = minimum
        self.maximum = maximum
        self.message = f"must be a whole number from {minimum} to {maximum}"

    def __call__(self, value: Any) -> int:
        """Return the number or raise ``vol.Invalid``."""
        number: int | None = None
        if isinstance(value, bool):
            pass
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float):
            if math.isfinite(value) and value.is_integer():
                number = int(value)
        elif isinstance(value, str) and _INT_TEXT.fullmatch(value.strip()):
            number = int(value.strip())
        if number is None or not self.minimum <= number <= self.maximum:
            raise vol.Invalid(self.message)
        return number

    def __repr__(self) -> str:
        """Show the bounds (voluptuous shows validators in its messages)."""
        return f"WholeNumber({self.minimum}, {self.maximum})"


class Amount:
    """Validator of an amount in yuan: finite, bounded, whole fen (2 decimals)."""

    def __init__(self, minimum: float, maximum: float = MONEY_MAX) -> None:
        """Create for a closed range."""
        self.minimum = minimum
        self.maximum = maximum
        self.message = (
            f"must be an amount from {minimum:g} to {maximum:g} with at most 2 decimals"
        )

    def __call__(self, value: Any) -> float:
        """Return the amount rounded to fen or raise ``vol.Invalid``."""
        amount: float | None = None
        if isinstance(value, bool):
            pass
        elif isinstance(value, int | float):
            # float() of a huge int overflows: such a value is out of range anyway.
            amount = float(value) if abs(value) <= self.maximum * 10 else None
        elif isinstance(value, str) and _MONEY_TEXT.fullmatch(value.strip()):
            amount = float(value.strip())
        if (
            amount is None
            or not math.isfinite(amount)
            or not self.minimum <= amount <= self.maximum
            or abs(amount * 100 - round(amount * 100)) > 1e-6
        ):
            raise vol.Invalid(self.message)
        return round(amount, 2)

    def __repr__(self) -> str:
        """Show the bounds."""
        return f"Amount({self.minimum:g}, {self.maximum:g})"


def strict_int(minimum: int, maximum: int) -> WholeNumber:
    """Return a validator of a whole number from ``minimum`` to ``maximum``."""
    return WholeNumber(minimum, maximum)


def money(minimum: float, maximum: float = MONEY_MAX) -> Amount:
    """Return a validator of an amount in yuan from ``minimum`` to ``maximum``."""
    return Amount(minimum, maximum)


#: Any id field of a service.
ID = strict_int(1, ID_MAX)
