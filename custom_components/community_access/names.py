"""Names at the Home Assistant boundary: masked unless the community says otherwise.

Residents have Home Assistant accounts, and every user can read states,
attributes, bus events and the logbook. What leaves the integration there
names people masked (``王**``, :func:`mask_name`, always the same function so
one person always looks the same) unless the community's ``show_full_names``
option is on. The core, the access record and service answers (admins) keep
full names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .core.privacy import mask_name

#: Event fields that carry a person's or a visitor's name.
NAME_FIELDS = ("person_name", "visitor", "person")


def shown_name(name: str | None, full_names: bool) -> str | None:
    """Return a name as users may see it (``None`` stays ``None``)."""
    if name is None or full_names:
        return name
    # Masking is idempotent: a name already masked stays as it is.
    return mask_name(name)


def shown_data(data: Mapping[str, Any], full_names: bool) -> dict[str, Any]:
    """Event data with every name field as users may see it."""
    shown = dict(data)
    for key in NAME_FIELDS:
        value = shown.get(key)
        if isinstance(value, str):
            shown[key] = shown_name(value, full_names)
    return shown
