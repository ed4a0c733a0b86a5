"""Who may call the operations services: guards, a household's linked users.

Automations and scripts (no user) are allowed, as for the admin services.
"""

from __future__ import annotations

from custom_components.community_access.const import CONF_GUARD_USERS
from custom_components.community_access.runtime import CommunityConfigEntry
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import Unauthorized


async def async_authorize_guard(
    hass: HomeAssistant, entry: CommunityConfigEntry, context: Context
) -> None:
    """Allow admins, the community's guards (option ``guard_users``), automations."""
    if context.user_id is None:
        return
    user = await hass.auth.async_get_user(context.user_id)
    if user is None:
        raise Unauthorized(context=context)
    if user.is_admin or user.id in entry.options.get(CONF_GUARD_USERS, []):
        return
    raise Unauthorized(context=context, permission="community_access.guard")


async def async_authorize_household(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    household_id: int,
    context: Context,
) -> None:
    """Allow admins, automations and the users linked to the household."""
    if context.user_id is None:
        return
    user = await hass.auth.async_get_user(context.user_id)
    if user is None:
        raise Unauthorized(context=context)
    if user.is_admin:
        return
    _notify, users = entry.runtime_data.community.links.get(household_id, ([], []))
    if context.user_id not in users:
        raise Unauthorized(context=context, permission="community_access.household")


async def async_user_name(hass: HomeAssistant, user_id: str | None) -> str | None:
    """Return the Home Assistant name of a user (None if unknown)."""
    if user_id is None:
        return None
    user = await hass.auth.async_get_user(user_id)
    return user.name if user is not None else None
