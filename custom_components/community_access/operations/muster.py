"""The muster list in Home Assistant: the service's answer and per-building counts.

The counts (one sensor per building that has a building door) are read
from the access record once at start, then kept in memory from each record
as it is written (``MusterCounts``: no query per passage, so their cost does
not grow with the record); the sensors are told a little after a passage at
an entry or exit door (at most once per :data:`REFRESH_DELAY`), and when the
window passes the earliest passage counted (so that people drop off in time).
Only counts reach the entities; names only go to an administrator's call.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from custom_components.community_access.core.models import Door, ZoneKind
from custom_components.community_access.core.operations.muster import (
    MusterCounts,
    MusterEntry,
    Passage,
    counts_from_record,
    last_passages,
    muster,
    muster_doors,
)
from custom_components.community_access.core.storage import AuditRecord, Database
from custom_components.community_access.runtime import CommunityConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .listeners import ChangeListeners

REFRESH_DELAY = 5.0


class MusterWatch(ChangeListeners):
    """Computes the muster list and keeps the per-building counts."""

    def __init__(
        self, hass: HomeAssistant, entry: CommunityConfigEntry, hours: int
    ) -> None:
        """For ``entry``, looking back ``hours``."""
        super().__init__()
        self.hass = hass
        self.entry = entry
        self.window = timedelta(hours=hours)
        doors = [op.config.door for op in entry.runtime_data.doors.values()]
        self.buildings = sorted(
            {d.zone.key for d in doors if d.zone.kind is ZoneKind.BUILDING}
        )
        self._door_ids = frozenset(muster_doors(doors))
        self.counts: dict[str, int] = dict.fromkeys(self.buildings, 0)
        self._doors = {d.id: d for d in doors}
        self._tally = MusterCounts(self._doors, self.window)
        #: Passages recorded while the window is read (None: not reading):
        #: added again to the counts read, which do not have them.
        self._early: list[Passage] | None = None
        self._pending: CALLBACK_TYPE | None = None
        self._expiry: CALLBACK_TYPE | None = None
        #: The highest record id seen; a record kept in the spool while the
        #: database is away (no id yet) is ordered just after it (the ids it
        #: gets when written, and every later record's, are higher still).
        self._last_id = 0

    async def async_list(self, now: datetime | None = None) -> list[MusterEntry]:
        """Who may still be inside now (one grouped query)."""
        community = self.entry.runtime_data.community
        since = (now or dt_util.utcnow()) - self.window
        names = {pid: p.name for pid, p in community.index.persons.items()}
        # Read and listed in a worker thread: 12 hours of a busy site are
        # thousands of passages (60 ms on the loop otherwise).
        entries: list[MusterEntry] = await community.run(
            _muster_list,
            community.db,
            self._door_ids,
            since,
            dict(community.index.doors),
            names,
        )
        return entries

    def start(self) -> list[CALLBACK_TYPE]:
        """Follow the access record and the clock; returns what to undo.

        The window's passages are read by :meth:`load_in_background`, once
        the rest of the set-up has had the database (a passage recorded
        meanwhile is counted as it comes, an older one read later ignored).
        """
        community = self.entry.runtime_data.community
        remove = community.add_record_listener(self._record)
        return [remove, self._cancel]

    @callback
    def load_in_background(self) -> asyncio.Task[None]:
        """Read the window's passages in a task of the entry; return the task."""
        self._early = []
        return self.entry.async_create_task(
            self.hass, self._async_load(), "muster counts"
        )

    async def _async_load(self) -> None:
        """Read and count the window's passages once (a worker thread).

        Counting them on the loop held it 30-50 ms on a busy site. The
        passages recorded meanwhile (counted as they came) are added to
        what was read, which then replaces the counts.
        """
        community = self.entry.runtime_data.community
        since = dt_util.utcnow() - self.window
        try:
            loaded, last_id = await community.run(
                counts_from_record,
                community.db,
                self._doors,
                self._door_ids,
                since,
                self.window,
            )
        finally:
            early, self._early = self._early or [], None
        for passage in early:
            loaded.add(passage)
        self._tally = loaded
        self._last_id = max(self._last_id, last_id)
        self._update()

    @callback
    def _record(self, record: AuditRecord) -> None:
        if (
            not record.granted
            or record.person_id is None
            or record.door_id not in self._door_ids
        ):
            return
        if record.id is None:  # spooled: the database is away, people still pass
            self._last_id += 1
        else:
            self._last_id = max(self._last_id, record.id)
        passage = Passage(
            record.id if record.id is not None else self._last_id,
            record.person_id,
            record.door_id,
            record.at,
            record.unit,
            record.person_name,
        )
        self._tally.add(passage)
        if self._early is not None:
            self._early.append(passage)
        if self._pending is None:
            self._pending = async_call_later(self.hass, REFRESH_DELAY, self._due)

    @callback
    def _due(self, _now: datetime) -> None:
        self._pending = None
        self._expiry = None
        self._update()

    @callback
    def _update(self) -> None:
        """Drop what left the window, publish the counts, wake when the next leaves."""
        now = dt_util.utcnow()
        next_out = self._tally.expire(now)
        self.counts = self._tally.counts(self.buildings)
        self._cancel_expiry()
        if next_out is not None:
            self._expiry = async_call_later(
                self.hass, max((next_out - now).total_seconds(), 0) + 1, self._due
            )
        self._changed()

    @callback
    def _cancel(self) -> None:
        if self._pending is not None:
            self._pending()
            self._pending = None
        self._cancel_expiry()

    @callback
    def _cancel_expiry(self) -> None:
        if self._expiry is not None:
            self._expiry()
            self._expiry = None


def entry_data(entry: MusterEntry) -> dict[str, Any]:
    """One person of the muster list as response data (no ID or card number)."""
    return {
        "person_id": entry.person_id,
        "name": entry.name,
        "unit": entry.unit,
        "building": entry.building,
        "last_door": entry.door_name,
        "at": entry.at.isoformat(),
    }


def _muster_list(
    db: Database,
    door_ids: frozenset[str],
    since: datetime,
    doors: dict[str, Door],
    names: dict[int, str],
) -> list[MusterEntry]:
    """List who may be inside from the access record (blocking: a thread)."""
    return muster(last_passages(db, door_ids, since), doors, names)
