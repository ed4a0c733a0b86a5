"""A calendar of the community's visits.

Pre-registered visits still expected show their arrival window; visits that
were approved (on site, overdue or since closed) show the time their pass was
valid. Visits refused, denied or never arrived are not shown. Events name the
visitor masked (``张*``, unless the community shows full names) and the host
unit only.
"""

from __future__ import annotations

from datetime import datetime

from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .core.community import Community
from .core.models import Visit, VisitStatus
from .entity import CommunityEntity
from .names import shown_name
from .operations.upkeep_calendar import MaintenanceCalendar
from .runtime import CommunityConfigEntry
from .visit_sensor import visit_unique_id, visit_unit

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Create the community's visit and maintenance calendars."""
    async_add_entities([VisitCalendar(entry), MaintenanceCalendar(entry)])


def visit_span(visit: Visit) -> tuple[datetime, datetime] | None:
    """When a visit shows on the calendar, or ``None`` if it does not."""
    if visit.valid_from is not None and visit.valid_until is not None:
        end = visit.valid_until
        if visit.closed_at is not None and visit.closed_at < end:
            end = visit.closed_at  # checked out (or closed) early
        span = (visit.valid_from, end)
    elif (
        visit.status is VisitStatus.EXPECTED
        and visit.window_from is not None
        and visit.window_until is not None
    ):
        span = (visit.window_from, visit.window_until)
    else:
        return None
    return span if span[0] < span[1] else None


def visit_summary(community: Community, visit: Visit, full_names: bool) -> str:
    """``张* → 3-2-501 (purpose)``: name (masked unless configured), host unit, purpose."""
    name = shown_name(visit.visitor_name, full_names)
    summary = f"{name} → {visit_unit(community, visit)}"
    return f"{summary} ({visit.purpose})" if visit.purpose else summary


class VisitCalendar(CommunityEntity, CalendarEntity):
    """Expected and approved visits of one community."""

    def __init__(self, entry: CommunityConfigEntry) -> None:
        """Attach to the community device."""
        super().__init__(entry, "visits")
        self._written: CalendarEvent | None = None

    @property
    def community(self) -> Community:
        """The community whose visits are shown."""
        return self.entry.runtime_data.community

    def _event(self, visit: Visit, span: tuple[datetime, datetime]) -> CalendarEvent:
        return CalendarEvent(
            start=dt_util.as_local(span[0]),
            end=dt_util.as_local(span[1]),
            summary=visit_summary(
                self.community, visit, self.entry.runtime_data.full_names
            ),
            uid=visit_unique_id(self.entry, visit.id),
        )

    @property
    def event(self) -> CalendarEvent | None:
        """The current visit, or else the next one to come (active visits)."""
        now = dt_util.utcnow()
        best: tuple[datetime, int, Visit, tuple[datetime, datetime]] | None = None
        for visit in self.community.visits.values():
            span = visit_span(visit)
            if span is None or span[1] <= now:
                continue
            if best is None or (span[0], visit.id) < best[:2]:
                best = (span[0], visit.id, visit, span)
        return self._event(best[2], best[3]) if best is not None else None

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Visits overlapping [start_date, end_date), read from the database."""
        community = self.community
        visits: list[Visit] = await community.run(
            community.db.visits_between, start_date, end_date
        )
        return [
            self._event(visit, span)
            for visit in visits
            if (span := visit_span(visit)) is not None
        ]

    async def async_added_to_hass(self) -> None:
        """Follow the community's changes."""
        await super().async_added_to_hass()
        self.async_on_remove(self.community.add_listener(self._async_changed))

    @callback
    def _async_changed(self) -> None:
        if self.event != self._written:
            self.async_write_ha_state()

    @callback
    def async_write_ha_state(self) -> None:
        """Write the state (and schedule the event's start and end)."""
        self._written = self.event
        super().async_write_ha_state()
