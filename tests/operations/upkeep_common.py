"""Shared set-up of the faults, patrols and maintenance tests."""

from __future__ import annotations

from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.community_access.runtime import visitor_desk
from homeassistant.core import HomeAssistant, ServiceCall
from tests.conftest import doors_with, make_entry
from tests.helpers import call, setup_community, template_lock

OPTIONS = {
    "maintenance_notify": "maintenance",
    "residents_notify": "notice_board",
    "guard_notify": "guard_desk",
}


async def upkeep_entry(
    hass: HomeAssistant,
    options: dict[str, Any] | None = None,
    patrol_point: str | None = None,
) -> MockConfigEntry:
    """The test community; Building 3's door bound to the template "Front lock".

    ``patrol_point``: the id of a door marked as patrol point.
    """
    lock = await template_lock(hass)
    doors = doors_with("door_b3", lock_entity=lock)
    if patrol_point is not None:
        doors = [
            (sid, title, data | {"patrol_point": True} if sid == patrol_point else data)
            for sid, title, data in doors
        ]
    entry = make_entry(doors=doors, options=OPTIONS | (options or {}))
    await setup_community(hass, entry)
    return entry


async def link_buildings(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """A household in building 3 (phone ``b3_phone``) and one in building 1 (``b1_phone``)."""
    desk = visitor_desk(entry)
    for unit, phone in (("3-2-501", "b3_phone"), ("1-1-101", "b1_phone")):
        await call(hass, "add_household", {"unit": unit})
        await desk.link_household(unit, notify_services=[phone], user_ids=[])


def messages(calls: list[ServiceCall]) -> list[str]:
    """The messages sent through a mocked notify service."""
    return [str(c.data["message"]) for c in calls]
