"""One timer per community at its next time-dependent change.

Sensors re-render when the community changes, but some figures change by
the mere passing of time: a suspension ends, a temporary credential ends, a
visitor's pass ends. :class:`TimeRefresh` keeps a single
``async_track_point_in_utc_time`` handle at the earliest such moment
(:func:`~.core.timeline.next_change`). There it expires the credentials that
ended, sweeps the visits and tells every listener (the sensors re-render),
then schedules the next one. Any change of the community reschedules it (a
new penalty, credential or visit may come first).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .core.review import expire_due
from .core.timeline import next_change
from .runtime import CommunityConfigEntry, visitor_desk

#: If something is still due right after a refresh (it could not be
#: processed), try again after this delay rather than in a tight loop.
RETRY = timedelta(seconds=1)


async def async_expire(entry: CommunityConfigEntry) -> int:
    """Mark credentials past their end as expired; announce each one."""
    community = entry.runtime_data.community
    expired = await expire_due(community, dt_util.utcnow())
    for credential in expired:
        community.emit(
            "credential_expired",
            {
                "credential_id": credential.id,
                "kind": credential.kind.value,
                **community.who(credential.person_id),
            },
        )
    return len(expired)


class TimeRefresh:
    """The refresh timer of one community."""

    def __init__(self, hass: HomeAssistant, entry: CommunityConfigEntry) -> None:
        """Work for one loaded entry; call :meth:`async_start` next."""
        self.hass = hass
        self.entry = entry
        self.when: datetime | None = None
        self._cancel_timer: CALLBACK_TYPE | None = None
        self._remove_listener: CALLBACK_TYPE | None = None
        self._running = False
        self._stopped = False

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Follow the community's changes and schedule; returns the stopper."""
        community = self.entry.runtime_data.community
        self._remove_listener = community.add_listener(self.async_schedule)
        self.async_schedule()
        return self.async_stop

    @callback
    def async_stop(self) -> None:
        """Cancel the timer and stop following changes (on unload)."""
        self._stopped = True
        if self._remove_listener is not None:
            self._remove_listener()
            self._remove_listener = None
        self._set_timer(None)

    @callback
    def async_schedule(self) -> None:
        """(Re)schedule the timer at the next change, if it moved."""
        if self._stopped or self._running:
            return  # a running refresh schedules when it is done
        now = dt_util.utcnow()
        when = next_change(self.entry.runtime_data.community, now)
        if when is not None and when <= now:
            when = now + RETRY if self.when is None else min(self.when, now + RETRY)
        if when != self.when:
            self._set_timer(when)

    @callback
    def _set_timer(self, when: datetime | None) -> None:
        if self._cancel_timer is not None:
            self._cancel_timer()
            self._cancel_timer = None
        self.when = when
        if when is not None:
            self._cancel_timer = async_track_point_in_utc_time(
                self.hass, self._fire, when
            )

    @callback
    def _fire(self, _now: datetime) -> None:
        self._cancel_timer = None
        self.when = None
        self._running = True
        self.entry.async_create_background_task(
            self.hass, self._async_refresh(), f"{DOMAIN} time refresh"
        )

    async def _async_refresh(self) -> None:
        try:
            await async_expire(self.entry)
            await visitor_desk(self.entry).sweep(dt_util.utcnow())
            # A penalty's end changes no data: the sensors re-render here.
            self.entry.runtime_data.community.notify_changed()
        finally:
            self._running = False
            self.async_schedule()
