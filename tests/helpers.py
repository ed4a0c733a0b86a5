"""Helpers shared by the Home Assistant tests."""

from __future__ import annotations

from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.community_access.const import DOMAIN
from homeassistant.config_entries import ConfigEntryState, ConfigSubentryData
from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component

#: A valid 18-digit resident ID (GB 11643 check digit correct).
ID_NUMBER = "11010519491231002X"
CARD = "0012345678"
PIN = "583716"


async def call(
    hass: HomeAssistant, service: str, data: dict[str, Any], **kwargs: Any
) -> ServiceResponse:
    """Call one of the integration's services and return its response."""
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True, **kwargs
    )


async def add_resident(
    hass: HomeAssistant,
    unit: str = "3-2-501",
    name: str = "赵磊",
    role: str = "owner",
    card: str | None = CARD,
    **person: Any,
) -> dict[str, Any]:
    """Register a household (if needed), a person and a card; return their ids."""
    community = next(
        iter(hass.config_entries.async_loaded_entries(DOMAIN))
    ).runtime_data.community
    if community.index.household_by_unit(unit) is None:
        await call(hass, "add_household", {"unit": unit})
    person.setdefault("id_number", ID_NUMBER)
    result = await call(
        hass, "add_person", {"unit": unit, "name": name, "role": role, **person}
    )
    ids: dict[str, Any] = {"person_id": result["person_id"]}
    if card is not None:
        cred = await call(
            hass, "issue_card", {"person_id": result["person_id"], "card_number": card}
        )
        ids["credential_id"] = cred["credential_id"]
    return ids


async def present(
    hass: HomeAssistant, door: str, value: str = CARD, kind: str = "card", **kwargs: Any
) -> dict[str, Any]:
    """Present a credential through the service; return the response."""
    response = await call(
        hass,
        "present_credential",
        {"door": door, "kind": kind, "value": value},
        **kwargs,
    )
    assert isinstance(response, dict)
    return response


def subentry(
    kind: str, subentry_id: str, title: str, data: dict[str, Any]
) -> ConfigSubentryData:
    """A subentry of the test community (a door, a serial line, an OSDP reader)."""
    return ConfigSubentryData(
        data=data,
        subentry_type=kind,
        title=title,
        unique_id=None,
        subentry_id=subentry_id,
    )


async def enable_disabled_entities(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Enable the entry's entities disabled by default (reader events); reload."""
    registry = er.async_get(hass)
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        if entity.disabled_by is not None:
            registry.async_update_entity(entity.entity_id, disabled_by=None)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()


async def setup_community(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    expect: ConfigEntryState = ConfigEntryState.LOADED,
) -> None:
    """Add the community's entry and set it up in Shanghai's time zone.

    ``expect``: the entry's state once set up (``SETUP_RETRY``: a missing port).
    """
    await hass.config.async_set_time_zone("Asia/Shanghai")
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is expect


async def unload_lines(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Unload the community; its serial lines are closed and forgotten."""
    runtime = entry.runtime_data
    hubs = list(runtime.lines.values())
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert not runtime.lines
    assert not any(hub.line.running or hub.line.connected for hub in hubs)


async def template_lock(hass: HomeAssistant, unique_id: str | None = None) -> str:
    """A lock that is not a ZHA lock (a template lock, "Front lock"); its entity id.

    ``unique_id``: give it one, so that it is in the entity registry.
    """
    lock: dict[str, Any] = {
        "name": "Front lock",
        "state": "{{ true }}",
        "lock": [],
        "unlock": [],
    }
    if unique_id is not None:
        lock["unique_id"] = unique_id
    assert await async_setup_component(
        hass, "template", {"template": [{"lock": [lock]}]}
    )
    await hass.async_block_till_done()
    assert hass.states.get("lock.front_lock") is not None
    return "lock.front_lock"
