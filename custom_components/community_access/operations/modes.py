"""Emergency release and lockdown in Home Assistant (the rules: core/operations/modes.py).

:class:`ModesController` is ``runtime.ops.modes``. At set-up (before any
line serves a reader) it reads the active modes from ``site_modes``, attaches
the rules to the community's decision path and holds released doors open.
It follows the trigger entities of the options, starts and ends modes (each
audited), fires the bus events, keeps the notification of an active release
and tells the entities.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
import itertools
from typing import Any

from custom_components.community_access.const import DOMAIN, LOGGER
from custom_components.community_access.core.operations import modes_store
from custom_components.community_access.core.operations.modes import (
    Cause,
    ModeKind,
    Scope,
    ScopeKind,
    SiteMode,
    SiteModes,
    SiteState,
)
from custom_components.community_access.runtime import CommunityConfigEntry
from custom_components.community_access.words import is_chinese
from homeassistant.components import persistent_notification
from homeassistant.const import STATE_ON
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util

from .listeners import ChangeListeners
from .modes_doors import DoorKeeper
from .modes_options import ModesSettings, door_fail_mode

EVENT_EMERGENCY_RELEASE = f"{DOMAIN}_emergency_release"
EVENT_EMERGENCY_RESTORED = f"{DOMAIN}_emergency_restored"
EVENT_LOCKDOWN = f"{DOMAIN}_lockdown"
EVENT_LOCKDOWN_LIFTED = f"{DOMAIN}_lockdown_lifted"
#: The bus events of this part (described in the logbook).
MODE_EVENTS = (
    EVENT_EMERGENCY_RELEASE,
    EVENT_EMERGENCY_RESTORED,
    EVENT_LOCKDOWN,
    EVENT_LOCKDOWN_LIFTED,
)

_RELEASE_TEXT = (
    (
        "Emergency release ({cause}): {count} doors are unlocked and held open. "
        "Only an administrator ends it (the emergency restore service)."
    ),
    (
        "紧急释放({cause}):{count} 个门已解锁并保持开启。"
        "只有管理员可以结束(紧急恢复服务)。"
    ),
)
_CAUSES = {
    "fire": ("fire", "火灾"),
    "earthquake": ("earthquake", "地震"),
    "other": ("other", "其他"),
}


def release_notification_id(entry_id: str) -> str:
    """Return the id of the notification shown while doors are released."""
    return f"{DOMAIN}_{entry_id}_emergency_release"


def trigger_issue_id(entry_id: str) -> str:
    """Return the id of the issue raised when a trigger cleared during a release."""
    return f"{entry_id}_emergency_trigger_cleared"


class ModesController(ChangeListeners):
    """The site's modes of one community entry."""

    def __init__(
        self, hass: HomeAssistant, entry: CommunityConfigEntry, settings: ModesSettings
    ) -> None:
        """Create; :meth:`async_start` loads and applies the active modes."""
        super().__init__()
        self.hass = hass
        self.entry = entry
        self.settings = settings
        self.site = SiteModes(settings.lockdown_roles)
        self.keepers: dict[str, DoorKeeper] = {}
        #: Ids of releases not stored yet (negative: never a row's id).
        self._provisional_ids = itertools.count(-1, -1)

    # ---- life cycle
    async def async_start(self) -> list[CALLBACK_TYPE]:
        """Load the active modes, hold released doors, follow doors and triggers."""
        runtime = self.entry.runtime_data
        community = runtime.community
        self.site.set_doors(op.config.door for op in runtime.doors.values())
        for mode in await community.run(modes_store.active_modes, community.db):
            self.site.start(mode)
        community.modes = self.site
        for door_id, operator in runtime.doors.items():
            subentry = self.entry.subentries.get(door_id)
            data = subentry.data if subentry is not None else {}
            self.keepers[door_id] = DoorKeeper(
                self.hass,
                operator,
                door_fail_mode(operator.config.door, data),
                self._is_released,
            )
        await self._hold(self.site.released)
        if self.site.released:
            self._show_release()
        unsubscribe: list[CALLBACK_TYPE] = [self._stop]
        if self.settings.triggers:
            unsubscribe.append(
                async_track_state_change_event(
                    self.hass, list(self.settings.triggers), self._trigger_changed
                )
            )
        return unsubscribe

    def _is_released(self, door_id: str) -> bool:
        return door_id in self.site.released

    @callback
    def _stop(self) -> None:
        for keeper in self.keepers.values():
            keeper.stop()
        self.keepers.clear()
        self.entry.runtime_data.community.modes = None

    @property
    def state(self) -> SiteState:
        """Normal, lockdown or emergency."""
        return self.site.state

    def diagnostics(self) -> dict[str, Any]:
        """Return the modes for the diagnostics download (nothing personal)."""
        return {
            "state": self.state.value,
            "active": [_details(m) for m in self.site.active.values()],
            "released": sorted(self.site.released),
            "locked_down": sorted(self.site.locked_down),
            "held_open": sorted(
                door_id
                for door_id, k in self.keepers.items()
                if k.operator.emergency_held
            ),
            "fail_modes": {d: k.fail_mode.value for d, k in self.keepers.items()},
            "triggers": list(self.settings.triggers),
        }

    # ---- emergency release
    async def async_release(
        self,
        scope: Scope,
        cause: Cause,
        *,
        note: str | None,
        actor: str | None,
        trigger: str | None = None,
    ) -> SiteMode:
        """Release the scope's doors now and keep them released.

        The doors are commanded first (a provisional mode in memory), the
        mode is stored meanwhile: opening never waits for the database.
        """
        community = self.entry.runtime_data.community
        now = dt_util.utcnow()
        provisional = SiteMode(
            id=next(self._provisional_ids),
            kind=ModeKind.EMERGENCY,
            scope=scope,
            started_at=now,
            cause=cause.value,
            note=note,
            started_by=trigger or actor,
        )
        before = self.site.released
        self.site.start(provisional)
        holding = self.hass.async_create_task(
            self._hold(self.site.released - before), "emergency release"
        )
        try:
            mode: SiteMode = await community.run(
                lambda: modes_store.add_mode(
                    community.db,
                    ModeKind.EMERGENCY,
                    scope,
                    at=now,
                    by=trigger or actor,
                    cause=cause.value,
                    note=note,
                )
            )
        finally:
            # Stored or not, the doors stay released until restored.
            await holding
        if provisional.id in self.site.active:
            self.site.replace(provisional.id, mode)
        else:
            # Restored while it was being stored: its row ends too.
            await community.run(
                lambda: modes_store.end_mode(
                    community.db, mode.id, at=dt_util.utcnow(), by=actor
                )
            )
        details = _details(mode) | ({"trigger": trigger} if trigger else {})
        await community.record_admin_action(
            "emergency_release", actor=trigger or actor, details=details, at=now
        )
        self.hass.bus.async_fire(
            EVENT_EMERGENCY_RELEASE,
            details | {"doors_released": len(self.site.released)},
        )
        ir.async_delete_issue(self.hass, DOMAIN, trigger_issue_id(self.entry.entry_id))
        self._show_release()
        self._changed()
        return mode

    async def async_restore(self, *, actor: str | None) -> int:
        """End every release (an administrator); the doors lock again."""
        community = self.entry.runtime_data.community
        now = dt_util.utcnow()
        ended = await community.run(
            lambda: modes_store.end_modes(
                community.db, ModeKind.EMERGENCY, at=now, by=actor
            )
        )
        before = self.site.released
        self.site.end(ModeKind.EMERGENCY)
        await self._end_hold(before - self.site.released)
        details: dict[str, Any] = {"ended": ended, "doors_locked": len(before)}
        await community.record_admin_action(
            "emergency_restore", actor=actor, details=details, at=now
        )
        self.hass.bus.async_fire(EVENT_EMERGENCY_RESTORED, {"ended": ended})
        persistent_notification.async_dismiss(
            self.hass, release_notification_id(self.entry.entry_id)
        )
        ir.async_delete_issue(self.hass, DOMAIN, trigger_issue_id(self.entry.entry_id))
        self._changed()
        return int(ended)

    # ---- lockdown
    async def async_lockdown(
        self, scope: Scope, *, reason: str | None, actor: str | None
    ) -> SiteMode:
        """Start a lockdown of the scope."""
        community = self.entry.runtime_data.community
        now = dt_util.utcnow()
        mode: SiteMode = await community.run(
            lambda: modes_store.add_mode(
                community.db, ModeKind.LOCKDOWN, scope, at=now, by=actor, note=reason
            )
        )
        self.site.start(mode)
        details = _details(mode)
        await community.record_admin_action(
            "lockdown", actor=actor, details=details, at=now
        )
        self.hass.bus.async_fire(
            EVENT_LOCKDOWN, details | {"doors": len(self.site.locked_down)}
        )
        self._changed()
        return mode

    async def async_lift(self, *, actor: str | None) -> int:
        """End every lockdown."""
        community = self.entry.runtime_data.community
        now = dt_util.utcnow()
        ended = await community.run(
            lambda: modes_store.end_modes(
                community.db, ModeKind.LOCKDOWN, at=now, by=actor
            )
        )
        self.site.end(ModeKind.LOCKDOWN)
        await community.record_admin_action(
            "lift_lockdown", actor=actor, details={"ended": ended}, at=now
        )
        self.hass.bus.async_fire(EVENT_LOCKDOWN_LIFTED, {"ended": ended})
        self._changed()
        return int(ended)

    # ---- doors
    async def _hold(self, door_ids: Iterable[str]) -> None:
        keepers = [self.keepers[d] for d in door_ids if d in self.keepers]
        await asyncio.gather(*(k.async_hold() for k in keepers))

    async def _end_hold(self, door_ids: Iterable[str]) -> None:
        keepers = [self.keepers[d] for d in door_ids if d in self.keepers]
        await asyncio.gather(*(k.async_end() for k in keepers))

    @callback
    def _show_release(self) -> None:
        modes = self.site.modes(ModeKind.EMERGENCY)
        cause = modes[-1].cause if modes else None
        zh = is_chinese(self.hass.config.language)
        word = _CAUSES.get(str(cause), (str(cause), str(cause)))[1 if zh else 0]
        text = _RELEASE_TEXT[1 if zh else 0]
        persistent_notification.async_create(
            self.hass,
            text.format(cause=word, count=len(self.site.released)),
            title=self.entry.title,
            notification_id=release_notification_id(self.entry.entry_id),
        )

    # ---- triggers
    @callback
    def _trigger_changed(self, event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        old = event.data["old_state"]
        entity_id = event.data["entity_id"]
        turned_on = new is not None and new.state == STATE_ON
        was_on = old is not None and old.state == STATE_ON
        if turned_on and not was_on:
            if self._site_released():
                return
            LOGGER.warning("%s: emergency release by %s", self.entry.title, entity_id)
            self.entry.async_create_task(
                self.hass,
                self.async_release(
                    Scope(ScopeKind.SITE),
                    Cause.FIRE,
                    note=None,
                    actor=None,
                    trigger=entity_id,
                ),
                f"emergency release by {entity_id}",
                eager_start=False,
            )
        elif was_on and not turned_on and self.site.state is SiteState.EMERGENCY:
            self._trigger_cleared(entity_id)

    def _site_released(self) -> bool:
        return any(
            m.scope.kind is ScopeKind.SITE for m in self.site.modes(ModeKind.EMERGENCY)
        )

    @callback
    def _trigger_cleared(self, entity_id: str) -> None:
        """Say that the release may be restored now (it is not restored)."""
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            trigger_issue_id(self.entry.entry_id),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="emergency_trigger_cleared",
            translation_placeholders={
                "community": self.entry.title,
                "entity_id": entity_id,
            },
        )


def _details(mode: SiteMode) -> dict[str, Any]:
    """Audit and event fields of a mode (no personal data: the note stays in its row)."""
    details: dict[str, Any] = {
        "mode_id": mode.id,
        "scope": mode.scope.kind.value,
        "keys": list(mode.scope.keys),
    }
    if mode.cause:
        details["cause"] = mode.cause
    return details
