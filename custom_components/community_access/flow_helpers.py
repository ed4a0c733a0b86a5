"""Pieces shared by the config, options and subentry flows."""

from __future__ import annotations

from typing import Any

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
