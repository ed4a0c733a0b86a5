"""Telling people about faults and maintenance: who, in which language.

Residents are reached through the notify services linked to their households
(``link_household``), only those of the buildings a door serves (a gate or a
public area serves everyone), and through the community's residents' notice
service (option) if one is set. Messages name devices and doors only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from custom_components.community_access.const import (
    CONF_GUARD_NOTIFY,
    CONF_INSPECTION_DAYS,
    CONF_MAINTENANCE_NOTIFY,
    CONF_NOTICE_HOURS,
    CONF_PATROL_MINUTES,
    CONF_RESIDENTS_NOTIFY,
    DEFAULT_INSPECTION_DAYS,
    DEFAULT_NOTICE_HOURS,
    DEFAULT_PATROL_MINUTES,
)
from custom_components.community_access.core.models import ZoneKind
from custom_components.community_access.notifications import async_send
from custom_components.community_access.runtime import CommunityConfigEntry
from custom_components.community_access.words import is_chinese
from homeassistant.core import HomeAssistant


@dataclass(frozen=True, slots=True)
class UpkeepSettings:
    """Options of faults, patrols, inspections and maintenance notices."""

    maintenance_notify: str | None = None
    residents_notify: str | None = None
    guard_notify: str | None = None
    patrol_minutes: int = DEFAULT_PATROL_MINUTES
    inspection_days: int = DEFAULT_INSPECTION_DAYS
    notice_hours: int = DEFAULT_NOTICE_HOURS

    @classmethod
    def from_entry(cls, entry: CommunityConfigEntry) -> UpkeepSettings:
        """Read the entry's options."""
        options = entry.options
        return cls(
            maintenance_notify=options.get(CONF_MAINTENANCE_NOTIFY) or None,
            residents_notify=options.get(CONF_RESIDENTS_NOTIFY) or None,
            guard_notify=options.get(CONF_GUARD_NOTIFY) or None,
            patrol_minutes=int(
                options.get(CONF_PATROL_MINUTES, DEFAULT_PATROL_MINUTES)
            ),
            inspection_days=int(
                options.get(CONF_INSPECTION_DAYS, DEFAULT_INSPECTION_DAYS)
            ),
            notice_hours=int(options.get(CONF_NOTICE_HOURS, DEFAULT_NOTICE_HOURS)),
        )


def chinese(hass: HomeAssistant) -> bool:
    """Whether the community speaks Chinese (Home Assistant's language)."""
    return is_chinese(hass.config.language)


def title(hass: HomeAssistant) -> str:
    """Title of our notifications."""
    return "小区门禁" if chinese(hass) else "Community Access"


async def async_notify(hass: HomeAssistant, service: str | None, message: str) -> None:
    """Send one notification; a failing or missing service is only logged."""
    await async_send(hass, service, title(hass), message)


def resident_services(
    entry: CommunityConfigEntry, door_ids: Iterable[str | None]
) -> list[str]:
    """Notify services of the households the doors serve (sorted, once each).

    A building door serves its building; a gate, a public area or a device
    without a door serves every household.
    """
    runtime = entry.runtime_data
    index = runtime.community.index
    buildings: set[str] = set()
    everyone = False
    for door_id in door_ids:
        door = index.doors.get(door_id) if door_id else None
        if door is None or door.zone.kind is not ZoneKind.BUILDING:
            everyone = True
        else:
            buildings.add(door.zone.key)
    services: set[str] = set()
    for household_id, (notify, _users) in runtime.community.links.items():
        household = index.households.get(household_id)
        if household is None or household.moved_out_at is not None:
            continue
        if everyone or household.unit.building in buildings:
            services.update(notify)
    return sorted(services)


async def async_tell_residents(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    settings: UpkeepSettings,
    door_ids: Iterable[str | None],
    message: str,
) -> None:
    """Publish a notice to the residents the doors serve and the notice service."""
    if settings.residents_notify:
        await async_notify(hass, settings.residents_notify, message)
    for service in resident_services(entry, door_ids):
        await async_notify(hass, service, message)
