"""Live changes for the panels' subscriptions: visits and access records.

Both hook the community itself (not the bus), so every change is seen,
whoever made it (a service, a phone answer, the panel, the sweeper), with
the full objects: the subscription decides what its caller may see.
"""

from __future__ import annotations

from collections.abc import Callable

from custom_components.community_access.core.models import Visit
from custom_components.community_access.core.storage import AuditRecord
from custom_components.community_access.runtime import CommunityConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback


async def async_load_visit(entry: CommunityConfigEntry, visit_id: int) -> Visit:
    """Return a visit, active (from memory) or closed (read from the database)."""
    community = entry.runtime_data.community
    visit = community.visits.get(visit_id)
    if visit is not None:
        return visit

    def _read() -> Visit:
        with community.db.transaction() as tx:
            return tx.visit(visit_id)

    found: Visit = await community.run(_read)
    return found


@callback
def async_track_visits(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    on_visit: Callable[[Visit], None],
) -> CALLBACK_TYPE:
    """Call ``on_visit`` with every visit that changes; returns the remover."""
    community = entry.runtime_data.community

    async def _closed(visit_id: int) -> None:
        on_visit(await async_load_visit(entry, visit_id))

    @callback
    def _event(name: str, data: dict[str, object]) -> None:
        visit_id = data.get("visit_id")
        if not name.startswith("visitor_") or not isinstance(visit_id, int):
            return
        visit = community.visits.get(visit_id)
        if visit is not None:
            on_visit(visit)
            return
        entry.async_create_background_task(
            hass, _closed(visit_id), f"community_access panel visit {visit_id}"
        )

    return community.add_event_listener(_event)


@callback
def async_track_records(
    entry: CommunityConfigEntry, on_record: Callable[[AuditRecord], None]
) -> CALLBACK_TYPE:
    """Call ``on_record`` with every access record written; returns the remover."""
    return entry.runtime_data.community.add_record_listener(on_record)
