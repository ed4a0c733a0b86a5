"""Who may do what in the panels: admins, the community's guards, its residents.

- An **admin** (a Home Assistant administrator) may do everything.
- A **guard** is a Home Assistant user named in the community's options
  (``guard_users``); guards need not be administrators.
- A **resident** is a Home Assistant user linked to a household
  (``link_household``) that has not moved out; a resident reaches only the
  households they are linked to.
"""

from __future__ import annotations

from enum import StrEnum

from custom_components.community_access.const import CONF_GUARD_USERS
from custom_components.community_access.runtime import CommunityConfigEntry
from homeassistant.auth.models import User


class Role(StrEnum):
    """What a caller may be for a community (one caller may be several)."""

    ADMIN = "admin"
    GUARD = "guard"
    RESIDENT = "resident"


def is_guard(entry: CommunityConfigEntry, user: User) -> bool:
    """Whether the user is one of the community's guards (admins count too)."""
    if user.is_admin:
        return True
    return user.id in entry.options.get(CONF_GUARD_USERS, [])


def resident_units(entry: CommunityConfigEntry, user: User) -> list[str]:
    """Units of the households (not moved out) the user is linked to, sorted."""
    community = entry.runtime_data.community
    units: list[str] = []
    for household_id, (_notify, user_ids) in community.links.items():
        if user.id not in user_ids:
            continue
        household = community.index.households.get(household_id)
        if household is not None and household.moved_out_at is None:
            units.append(str(household.unit))
    return sorted(units)


def roles_of(entry: CommunityConfigEntry, user: User) -> list[Role]:
    """Every role the user has in the community."""
    roles: list[Role] = []
    if user.is_admin:
        roles.append(Role.ADMIN)
    if is_guard(entry, user):
        roles.append(Role.GUARD)
    if resident_units(entry, user):
        roles.append(Role.RESIDENT)
    return roles
