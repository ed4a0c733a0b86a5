"""Pieces shared by the config, options and subentry flows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import voluptuous as vol

from homeassistant.helpers import selector

from .core.errors import CommunityError
from .core.text import clean_name


def flow_name(value: Any) -> str | None:
    """Return a name typed in a form (community, door, reader), or ``None``.

    Names show in the logbook, on entities and in access records: printable
    text of 1 to 100 characters, as the core's rule for people's names.
    """
    try:
        return clean_name(str(value or ""))
    except CommunityError:
        return None


def number_box(
    minimum: float, maximum: float, *, step: float = 1, unit: str | None = None
) -> selector.NumberSelector:
    """Return a number selector typed in a box."""
    config = selector.NumberSelectorConfig(
        min=minimum, max=maximum, step=step, mode=selector.NumberSelectorMode.BOX
    )
    if unit is not None:
        config["unit_of_measurement"] = unit
    return selector.NumberSelector(config)


class CheckedNumber(selector.NumberSelector):
    """A number box whose limits the flow step checks, not the schema.

    The frontend still gets ``min`` and ``max`` for the box; a value outside
    them reaches the step, which answers with a translated error (the
    selector's own check would show voluptuous' English "Value … is too
    small").
    """

    def __call__(self, data: Any) -> float:
        """Only coerce to a number."""
        value: float = vol.Coerce(float)(data)
        return value


def checked_box(
    minimum: float, maximum: float, *, step: float = 1, unit: str | None = None
) -> CheckedNumber:
    """Return a number box like :func:`number_box` whose limits the step checks."""
    return CheckedNumber(number_box(minimum, maximum, step=step, unit=unit).config)


def out_of_range(schema: vol.Schema, values: Mapping[str, Any]) -> dict[str, str]:
    """Errors ``<field>_range`` for the checked number fields outside their limits."""
    errors: dict[str, str] = {}
    for marker, field in schema.schema.items():
        name = str(marker)
        if not isinstance(field, CheckedNumber) or name not in values:
            continue
        value = float(values[name])
        if not field.config["min"] <= value <= field.config["max"]:
            errors[name] = f"{name}_range"
    return errors
