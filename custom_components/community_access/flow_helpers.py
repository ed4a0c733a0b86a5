"""Pieces shared by the config, options and subentry flows."""

from __future__ import annotations

from homeassistant.helpers import selector


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
