"""Credentials kept on Zigbee locks: one :class:`LockCodes` per managed door.

A door bound to a Zigbee lock (paired with ZHA or with Zigbee2MQTT), with
"keep codes on the lock" set, gets a :class:`~.core.lock_sync.LockSyncer`
working on the lock's Door Lock memory through its adapter
(:mod:`.lock_adapters`: :mod:`.zha_lock` or :mod:`.zigbee2mqtt`, the only
modules touching ZHA or MQTT). This module only decides *when* the syncer
runs and tells Home Assistant what happened:

* it runs after a community change (bursts coalesced), when the lock comes
  back from unavailable, at the times the plan names (a pass ends, a
  failed slot's retry is due) and every few hours anyway;
* one background task per lock, so commands to one lock never overlap;
* repair issues for codes on the lock that the community does not manage
  (fixable: adopt or clear), for slots that keep failing, for credentials
  that do not fit on the lock, and one per slot whose code the lock refused
  because another of its users has it (fixable: clear or adopt the other
  code, or retry once it is gone);
* the lock's own events go to :class:`~.lock_events.LockEventRecorder`.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from datetime import timedelta
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER
from .core.lock_sync import LockSyncer, LockSyncStatus, SlotState, SyncReport
from .door import DoorOperator
from .lock_adapters import (
    LockAdapter,
    async_find_lock_adapter,
    async_lock_entity_unsupported,
)
from .lock_events import LockEventRecorder
from .lock_orphans import async_release_orphans
from .operations.listeners import ChangeListeners
from .runtime import CommunityConfigEntry

#: Seconds to wait after a change so that a burst of changes is one run.
DEBOUNCE = 1.0
#: A sync runs at least this often, even with nothing to do (catches drift).
RECHECK: Final = timedelta(hours=6)
#: How often a door looks for its lock while ZHA / MQTT has not got it (yet).
FIND_INTERVAL: Final = timedelta(seconds=30)

#: Keyword arguments for every :class:`LockSyncer` (tests make it quicker).
SYNCER_DEFAULTS: dict[str, Any] = {}

#: The kinds of lock-code repair issues a door can have.
ISSUE_KINDS: Final = ("unmanaged", "failed", "unfitted", "unsupported")


def lock_issue_id(kind: str, door_id: str) -> str:
    """Repair issue id of one kind (see :data:`ISSUE_KINDS`) for a door."""
    return f"lock_codes_{kind}_{door_id}"


def duplicate_issue_id(door_id: str, user_id: int) -> str:
    """Repair issue id of a slot refused as a duplicate (ZHA slot numbering)."""
    return f"{lock_issue_id('duplicate', door_id)}_{user_id + 1}"


def _duplicate_issue_ids(hass: HomeAssistant, door_id: str) -> set[str]:
    """Ids of the duplicate-code issues a door has now."""
    prefix = f"{lock_issue_id('duplicate', door_id)}_"
    return {
        issue_id
        for domain, issue_id in ir.async_get(hass).issues
        if domain == DOMAIN
        and issue_id.startswith(prefix)
        and issue_id.removeprefix(prefix).isdigit()
    }


@callback
def async_delete_lock_issues(hass: HomeAssistant, door_id: str) -> None:
    """Remove a door's lock-code issues (it no longer keeps codes on a lock)."""
    for kind in ISSUE_KINDS:
        ir.async_delete_issue(hass, DOMAIN, lock_issue_id(kind, door_id))
    for issue_id in _duplicate_issue_ids(hass, door_id):
        ir.async_delete_issue(hass, DOMAIN, issue_id)


class LockCodes(ChangeListeners):
    """Keeps the codes of one door's Zigbee lock in step with the community."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CommunityConfigEntry,
        operator: DoorOperator,
        *,
        debounce: float | None = None,
        syncer_options: dict[str, Any] | None = None,
    ) -> None:
        """Prepare; :meth:`async_start` begins the work."""
        super().__init__()
        assert operator.config.lock_entity_id is not None
        self.hass = hass
        self.entry = entry
        self.operator = operator
        self.door_id = operator.id
        self.entity_id: str = operator.config.lock_entity_id
        self.debounce = DEBOUNCE if debounce is None else debounce
        self.syncer_options = SYNCER_DEFAULTS | (syncer_options or {})
        self.adapter: LockAdapter | None = None
        self.syncer: LockSyncer | None = None
        self.last_error: str | None = None
        self._wake = asyncio.Event()
        self._attaching = asyncio.Lock()
        self._full = False
        self._force = False
        self._running = False
        self._unsub: list[CALLBACK_TYPE] = []
        self._task: asyncio.Task[None] | None = None

    # ---- what entities and services see
    @property
    def door_name(self) -> str:
        """The door's name."""
        return self.operator.config.door.name

    @property
    def found(self) -> bool:
        """Whether the lock was found (through ZHA or Zigbee2MQTT)."""
        return self.syncer is not None

    @property
    def write_only(self) -> bool:
        """Whether the lock's codes are write-only (it never tells them)."""
        if self.syncer is not None and self.syncer.write_only:
            return True
        return self.adapter is not None and self.adapter.codes_readable is False

    def status(self) -> LockSyncStatus | None:
        """Sync state, None while the lock has not been found."""
        if self.syncer is None:
            return None
        status = replace(self.syncer.status(), write_only=self.write_only)
        # The worker announces a run before the syncer has taken its lock.
        return replace(status, state="syncing") if self._running else status

    def diagnostics(self) -> dict[str, Any]:
        """Sync state and slot states (no codes, no digests)."""
        status = self.status()
        syncer = self.syncer
        return {
            "door_id": self.door_id,
            "lock": self.entity_id,
            "found": self.found,
            "backend": None if self.adapter is None else self.adapter.backend,
            "codes": "write_only" if self.write_only else "readable",
            "state": None if status is None else status.state,
            "pending": None if status is None else status.pending,
            "failed": None if status is None else status.failed,
            "unfitted": None if status is None else status.unfitted,
            "unmanaged": None if status is None else status.unmanaged,
            "duplicate": None if status is None else status.duplicate,
            "capacity": dict(syncer.meta.capacity)
            if syncer is not None
            and syncer.meta is not None
            and syncer.meta.capacity is not None
            else None,
            "slots": {}
            if syncer is None
            else {
                str(row.user_id): {
                    "kind": row.kind,
                    "state": row.state,
                    "attempts": row.attempts,
                    "last_error": row.last_error,
                }
                for row in syncer.slots.values()
            },
            "commands_sent": None if syncer is None else syncer.commands_sent,
            "last_error": self.last_error,
        }

    # ---- life cycle
    @callback
    def async_start(self) -> None:
        """Follow the community and the lock; start the worker."""
        community = self.entry.runtime_data.community
        self._unsub.append(community.add_listener(self.async_request_sync))
        self._unsub.append(
            async_track_state_change_event(
                self.hass, self.entity_id, self._lock_state_changed
            )
        )
        self._task = self.entry.async_create_background_task(
            self.hass, self._run(), f"{DOMAIN} lock codes {self.door_name}"
        )

    async def async_stop(self) -> None:
        """Stop the worker, the listeners and the adapter."""
        for unsub in self._unsub:
            unsub()
        self._unsub.clear()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.adapter is not None:
            await self.adapter.async_stop()

    @callback
    def async_request_sync(self, *, full: bool = False, force: bool = False) -> None:
        """Ask for a run (coalesced with others that come soon)."""
        self._full = self._full or full
        self._force = self._force or force
        if self.syncer is not None:
            # A run in progress plans again before its next command, so a
            # clear (a lost card) does not wait for the rest of a long run.
            self.syncer.request_replan()
        self._wake.set()

    @callback
    def _lock_state_changed(self, event: Event[Any]) -> None:
        old = event.data.get("old_state")
        new = event.data.get("new_state")
        if new is None or new.state == "unavailable":
            return
        if self.adapter is not None:
            # After a ZHA reload the entity comes back on a new cluster object
            # (move the event listener there at once); a Zigbee2MQTT lock may
            # have been renamed (follow its new topics).
            self.adapter.refresh()
        if old is None or old.state == "unavailable" or self.syncer is None:
            self.async_request_sync()

    # ---- the worker
    async def _run(self) -> None:
        """Wait for a reason, then sync; one run at a time for this lock."""
        self._wake.set()  # first contact
        while True:
            await self._wait()
            if self.syncer is None and not await self._attach():
                # Not found (yet): look again after FIND_INTERVAL or when the
                # lock's entity changes, never in a busy loop.
                self._wake.clear()
                continue
            await asyncio.sleep(self.debounce)
            self._wake.clear()
            full, force = self._full, self._force
            self._full = self._force = False
            assert self.adapter is not None
            if not self.adapter.available:
                LOGGER.debug("%s: lock unavailable, sync waits", self.door_name)
                continue
            await self._sync_once(full=full, force=force)

    async def _wait(self) -> None:
        """Sleep until woken or until the next time the plan or a check needs."""
        timeout = self._next_delay()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._wake.wait()

    def _next_delay(self) -> float:
        if self.syncer is None:
            return FIND_INTERVAL.total_seconds()
        delay = RECHECK.total_seconds()
        status = self.syncer.status()
        if status.next_run_at is not None:
            until = (status.next_run_at - dt_util.utcnow()).total_seconds()
            delay = min(delay, max(until, 0.0))
        return delay

    @callback
    def _check_supported(self) -> None:
        """Raise a repair when the door's lock is neither a ZHA nor a Zigbee2MQTT lock.

        A lock that is not found yet (ZHA or MQTT still starting, the device
        not joined, its discovery config not received) is simply looked for
        again later.
        """
        self._issue(
            "unsupported",
            async_lock_entity_unsupported(self.hass, self.entity_id),
            {"door": self.door_name, "lock": self.entity_id},
            severity=ir.IssueSeverity.ERROR,
        )

    async def _attach(self) -> bool:
        """Find the lock's adapter (ZHA or Zigbee2MQTT) and build its syncer."""
        async with self._attaching:
            if self.syncer is not None:
                return True
            adapter = await async_find_lock_adapter(self.hass, self.entity_id)
            if adapter is None:
                self._check_supported()
                return False
            self._attached(adapter)
            return True

    def _attached(self, adapter: LockAdapter) -> None:
        self._issue("unsupported", False, {}, severity=ir.IssueSeverity.ERROR)
        self.adapter = adapter
        recorder = LockEventRecorder(self)
        self._unsub.append(adapter.add_event_listener(recorder.on_event))
        self.syncer = LockSyncer(
            self.entry.runtime_data.community,
            adapter.lock_id,
            self.door_id,
            adapter,
            **self.syncer_options,
        )
        LOGGER.debug("%s: managing the codes of %s", self.door_name, adapter)

    async def _sync_once(self, *, full: bool, force: bool) -> SyncReport | None:
        assert self.syncer is not None
        self._running = True
        self._changed()
        try:
            if full:
                report = await self.syncer.full_readback()
            else:
                report = await self.syncer.sync(force=force)
        except Exception as err:  # noqa: BLE001 - the worker must outlive any bug
            LOGGER.exception("%s: lock sync failed", self.door_name)
            self.last_error = str(err)[:200]
            return None
        finally:
            self._running = False
        self.last_error = "lock_unreachable" if report.aborted else None
        self._update_issues()
        self._changed()
        return report

    async def async_retry_duplicate(self, user_id: int) -> None:
        """Write a slot refused as a duplicate again (the other code is gone)."""
        if self.syncer is None:
            return
        await self.syncer.retry_duplicate(user_id)
        self.async_request_sync()

    async def async_sync_now(self, *, full: bool = False) -> SyncReport | None:
        """Run now (for the service) and return the report; None if not found."""
        if self.syncer is None and not await self._attach():
            return None
        return await self._sync_once(full=full, force=True)

    # ---- repairs
    def unmanaged_slots(self) -> list[tuple[int, str]]:
        """(user id, kind) of every code on the lock that is not ours."""
        if self.syncer is None:
            return []
        return sorted(
            (row.user_id, row.kind)
            for row in self.syncer.slots.values()
            if row.state == SlotState.UNMANAGED
        )

    @callback
    def async_refresh_issues(self) -> None:
        """Raise or clear this door's lock issues and tell the entities."""
        self._update_issues()
        self._changed()

    @callback
    def _update_issues(self) -> None:
        status = self.status()
        if status is None:
            return
        placeholders = {"door": self.door_name, "lock": self.entity_id}
        unmanaged = self.unmanaged_slots()
        self._issue(
            "unmanaged",
            bool(unmanaged),
            placeholders
            | {
                "count": str(len(unmanaged)),
                "slots": ", ".join(str(uid + 1) for uid, _ in unmanaged),
            },
            fixable=True,
            severity=ir.IssueSeverity.WARNING,
        )
        self._update_duplicate_issues(placeholders)
        self._issue(
            "failed",
            status.failed > 0,
            placeholders | {"count": str(status.failed)},
            severity=ir.IssueSeverity.ERROR,
        )
        self._issue(
            "unfitted",
            status.unfitted > 0,
            placeholders
            | {"count": str(status.unfitted), "reasons": self._unfitted_reasons()},
            severity=ir.IssueSeverity.WARNING,
        )

    def holder_name(self, credential_id: int | None) -> str:
        """Return the name of the person a credential belongs to (never its value)."""
        index = self.entry.runtime_data.community.index
        credential = (
            index.credentials.get(credential_id) if credential_id is not None else None
        )
        person = (
            index.persons.get(credential.person_id) if credential is not None else None
        )
        return person.name if person is not None else "?"

    @callback
    def _update_duplicate_issues(self, placeholders: dict[str, str]) -> None:
        """One issue per slot the lock refused as a duplicate (never the code)."""
        assert self.syncer is not None
        current: set[str] = set()
        for slot in self.syncer.duplicates():
            issue_id = duplicate_issue_id(self.door_id, slot.user_id)
            current.add(issue_id)
            values = placeholders | {
                "slot": str(slot.user_id + 1),
                "person": self.holder_name(slot.credential_id),
            }
            if slot.conflict_user_id is not None:
                values["other_slot"] = str(slot.conflict_user_id + 1)
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                issue_id,
                is_fixable=True,
                is_persistent=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key="lock_codes_duplicate"
                if slot.conflict_user_id is not None
                else "lock_codes_duplicate_unknown",
                translation_placeholders=values,
                data={
                    "entry_id": self.entry.entry_id,
                    "door_id": self.door_id,
                    "user_id": slot.user_id,
                },
            )
        for issue_id in _duplicate_issue_ids(self.hass, self.door_id) - current:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)

    def _unfitted_reasons(self) -> str:
        plan = self.syncer.last_plan if self.syncer is not None else None
        if plan is None:
            return ""
        counts: dict[str, int] = {}
        for item in plan.unfitted:
            counts[item.reason] = counts.get(item.reason, 0) + 1
        return ", ".join(f"{reason} × {n}" for reason, n in sorted(counts.items()))

    def _issue(
        self,
        kind: str,
        present: bool,
        placeholders: dict[str, str],
        *,
        severity: ir.IssueSeverity,
        fixable: bool = False,
    ) -> None:
        issue_id = lock_issue_id(kind, self.door_id)
        if not present:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id,
            is_fixable=fixable,
            is_persistent=False,
            severity=severity,
            translation_key=f"lock_codes_{kind}",
            translation_placeholders=placeholders,
            data={"entry_id": self.entry.entry_id, "door_id": self.door_id}
            if fixable
            else None,
        )


async def async_start_lock_codes(
    hass: HomeAssistant, entry: CommunityConfigEntry
) -> None:
    """Start a :class:`LockCodes` for each door that keeps codes on its lock."""
    runtime = entry.runtime_data
    for operator in runtime.doors.values():
        if not operator.config.manage_codes or operator.config.lock_entity_id is None:
            async_delete_lock_issues(hass, operator.id)
            continue
        codes = LockCodes(hass, entry, operator)
        runtime.lock_codes[operator.id] = codes
        codes.async_start()

    @callback
    def _orphans(_hass: HomeAssistant) -> None:
        entry.async_create_background_task(
            hass,
            async_release_orphans(hass, entry, SYNCER_DEFAULTS),
            f"{DOMAIN} orphaned locks",
        )

    # Locks that no door keeps codes on any more (the option turned off, the
    # door deleted or bound to another lock) are cleared of ours. Once Home
    # Assistant has started, ZHA and MQTT have had their chance to load.
    entry.async_on_unload(async_at_started(hass, _orphans))


async def async_stop_lock_codes(entry: CommunityConfigEntry) -> None:
    """Stop every lock's worker."""
    codes = list(entry.runtime_data.lock_codes.values())
    entry.runtime_data.lock_codes.clear()
    for item in codes:
        await item.async_stop()
