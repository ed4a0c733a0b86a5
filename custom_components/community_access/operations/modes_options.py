"""Options of emergency release and lockdown (the options flow's fields).

* ``emergency_triggers``: binary sensors (a fire panel's dry contact, a
  smoke detector) whose turning on releases the escape doors of the site.
* ``lockdown_roles``: who may still enter during a lockdown (default staff).
* ``muster_hours``: how far back the muster list looks (default 12 h).

And the door option ``fail_mode`` (door subentry): fail-safe or fail-secure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import voluptuous as vol

from custom_components.community_access.core.models import Door, Role
from custom_components.community_access.core.operations.modes import (
    DEFAULT_LOCKDOWN_ROLES,
    FailMode,
    default_fail_mode,
)
from custom_components.community_access.flow_helpers import checked_box
from homeassistant.helpers import selector

CONF_EMERGENCY_TRIGGERS: Final = "emergency_triggers"
CONF_LOCKDOWN_ROLES: Final = "lockdown_roles"
CONF_MUSTER_HOURS: Final = "muster_hours"
CONF_FAIL_MODE: Final = "fail_mode"
DEFAULT_MUSTER_HOURS: Final = 12
MUSTER_HOURS_RANGE: Final = (1, 168)

#: Defaults of a new community (merged into ``default_options``).
MODES_DEFAULTS: Final[dict[str, Any]] = {
    CONF_EMERGENCY_TRIGGERS: [],
    CONF_LOCKDOWN_ROLES: sorted(r.value for r in DEFAULT_LOCKDOWN_ROLES),
    CONF_MUSTER_HOURS: DEFAULT_MUSTER_HOURS,
}


@dataclass(frozen=True, slots=True)
class ModesSettings:
    """The modes' options as read from the entry."""

    triggers: tuple[str, ...] = ()
    lockdown_roles: frozenset[Role] = DEFAULT_LOCKDOWN_ROLES
    muster_hours: int = DEFAULT_MUSTER_HOURS

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> ModesSettings:
        """Read the entry's options (missing: the defaults)."""
        roles = options.get(CONF_LOCKDOWN_ROLES)
        return cls(
            triggers=tuple(str(e) for e in options.get(CONF_EMERGENCY_TRIGGERS) or ()),
            lockdown_roles=DEFAULT_LOCKDOWN_ROLES
            if roles is None
            else frozenset(Role(r) for r in roles),
            muster_hours=int(options.get(CONF_MUSTER_HOURS, DEFAULT_MUSTER_HOURS)),
        )


def modes_option_fields(values: Mapping[str, Any]) -> dict[vol.Marker, Any]:
    """Return the options form's fields of this part, ``values`` as defaults."""
    low, high = MUSTER_HOURS_RANGE
    return {
        vol.Optional(
            CONF_EMERGENCY_TRIGGERS,
            default=list(values.get(CONF_EMERGENCY_TRIGGERS) or []),
        ): selector.EntitySelector(
            selector.EntitySelectorConfig(domain="binary_sensor", multiple=True)
        ),
        vol.Optional(
            CONF_LOCKDOWN_ROLES,
            default=list(
                values.get(CONF_LOCKDOWN_ROLES, MODES_DEFAULTS[CONF_LOCKDOWN_ROLES])
            ),
        ): selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[r.value for r in Role], multiple=True, translation_key="role"
            )
        ),
        vol.Required(
            CONF_MUSTER_HOURS,
            default=values.get(CONF_MUSTER_HOURS, DEFAULT_MUSTER_HOURS),
        ): checked_box(low, high, step=1, unit="h"),
    }


def modes_option_values(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Return the options of this part as stored, from the submitted form."""
    return {
        CONF_EMERGENCY_TRIGGERS: [
            str(e) for e in user_input.get(CONF_EMERGENCY_TRIGGERS) or []
        ],
        CONF_LOCKDOWN_ROLES: [
            str(r) for r in user_input.get(CONF_LOCKDOWN_ROLES) or []
        ],
        CONF_MUSTER_HOURS: int(user_input.get(CONF_MUSTER_HOURS, DEFAULT_MUSTER_HOURS)),
    }


#: The door form's field (added to ``DOOR_SCHEMA``): empty means the default.
DOOR_FAIL_MODE_FIELD: Final[dict[vol.Marker, Any]] = {
    vol.Optional(CONF_FAIL_MODE): selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=[m.value for m in FailMode], translation_key=CONF_FAIL_MODE
        )
    )
}


def door_fail_mode(door: Door, data: Mapping[str, Any]) -> FailMode:
    """Return a door's fail mode: as chosen, else fail-safe for escape doors."""
    value = data.get(CONF_FAIL_MODE)
    return FailMode(value) if value else default_fail_mode(door)
