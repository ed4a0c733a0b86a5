"""Live changes for the panels' subscriptions: visits and access records.

Both hook the community itself (not the bus), so every change is seen,
(forwarded through the entry's dispatcher signals, which outlive a reload),
whoever made it (a service, a phone answer, the panel, the sweeper), with
the full objects: the subscription decides what its caller may see.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from custom_components.community_access.const import DOMAIN, LOGGER
from custom_components.community_access.core.models import Visit
from custom_components.community_access.core.spool import database_unreachable
from custom_components.community_access.core.storage import AuditRecord
from custom_components.community_access.runtime import CommunityConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.dispatcher import (
    async_dispatcher_connect,
    async_dispatcher_send,
)


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


def _signal(entry: CommunityConfigEntry, what: str) -> str:
    return f"{DOMAIN}_{entry.entry_id}_panel_{what}"


@callback
def async_setup_live(
    hass: HomeAssistant, entry: CommunityConfigEntry
) -> list[CALLBACK_TYPE]:
    """Forward the community's visits and records to the open subscriptions.

    Called at every set-up of the entry: a subscription connects to the
    entry's signals, not to one community object, so an open page keeps
    hearing changes across a reload (saving the options reloads the entry).
    Returns the removers, for the entry's unload.
    """
    community = entry.runtime_data.community
    visit_signal, record_signal = _signal(entry, "visit"), _signal(entry, "record")

    async def _closed(visit_id: int) -> None:
        try:
            visit = await async_load_visit(entry, visit_id)
        except SQLAlchemyError as err:
            if not database_unreachable(err):
                raise
            # The database is away: open pages read the closed visit when
            # they next load; nothing to push now.
            LOGGER.debug("Closed visit %s not pushed: database unreachable", visit_id)
            return
        async_dispatcher_send(hass, visit_signal, visit)

    @callback
    def _event(name: str, data: dict[str, object]) -> None:
        visit_id = data.get("visit_id")
        if not name.startswith("visitor_") or not isinstance(visit_id, int):
            return
        visit = community.visits.get(visit_id)
        if visit is not None:
            async_dispatcher_send(hass, visit_signal, visit)
            return
        entry.async_create_background_task(
            hass, _closed(visit_id), f"community_access panel visit {visit_id}"
        )

    @callback
    def _record(record: AuditRecord) -> None:
        async_dispatcher_send(hass, record_signal, record)

    return [
        community.add_event_listener(_event),
        community.add_record_listener(_record),
    ]


@callback
def async_track_visits(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    on_visit: Callable[[Visit], None],
) -> CALLBACK_TYPE:
    """Call ``on_visit`` with every visit that changes; returns the remover."""
    return async_dispatcher_connect(hass, _signal(entry, "visit"), on_visit)


@callback
def async_track_records(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    on_record: Callable[[AuditRecord], None],
) -> CALLBACK_TYPE:
    """Call ``on_record`` with every access record written; returns the remover."""
    return async_dispatcher_connect(hass, _signal(entry, "record"), on_record)
