"""Scheduled work of a community: purge, expiry, erasure, permission reviews.

- at the next time-dependent change (a penalty, credential or visit pass
  ending, an approval deadline; see time_refresh.py): credentials that ended
  are expired, visits swept and the sensors re-rendered;
- every 10 minutes, as a safety net: credentials past their end are marked
  expired (decisions deny them at their end time already);
- every night at 03:17 local time: access records past the retention period
  are deleted, personal data of people moved out long enough is erased,
  unused credentials are revoked (if configured), a repair issue says when
  a permission review is due, paired OSDP readers whose key is older than
  the configured number of days get a new one (seed 1.2), and the change
  feed's rows older than 7 days are deleted (core/changefeed.py).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_time_change,
    async_track_time_interval,
)
from homeassistant.util import dt as dt_util

from .const import (
    CONF_READER_KEY_DAYS,
    DEFAULT_READER_KEY_DAYS,
    DESK_EVENTS,
    DOMAIN,
    LOGGER,
    PURGE_HOUR,
    PURGE_MINUTE,
)
from .core.carddesk import CardDesk
from .core.changefeed import KEEP_CHANGES, prune_changes
from .core.review import PermissionReview
from .names import shown_data
from .osdp_keys import async_rotate_due
from .rules_notify import RULE_EVENTS, async_rule_event
from .runtime import CommunityConfigEntry
from .services_desk import REVIEW_ISSUE_ID
from .time_refresh import TimeRefresh, async_expire
from .visitor_notify import async_visitor_notifications

EXPIRY_INTERVAL = timedelta(minutes=10)


def keypad_lock_key(door_id: str) -> str:
    """Return the settings key under which a door's keypad lockout is kept."""
    return f"keypad_locked_until:{door_id}"


def review_issue_id(entry: CommunityConfigEntry) -> str:
    """Repair issue id of a community's due permission review."""
    return f"{REVIEW_ISSUE_ID}_{entry.entry_id}"


async def async_nightly(hass: HomeAssistant, entry: CommunityConfigEntry) -> None:
    """Run the nightly work: purge, erase, revoke unused, check the review."""
    community = entry.runtime_data.community
    now = dt_util.utcnow()
    purged = await community.purge(now)
    erased = await CardDesk(community).erase_due(now)
    review = PermissionReview(community)
    revoked = await review.revoke_unused(now)
    for credential in revoked:
        community.emit(
            "credential_revoked",
            {
                "credential_id": credential.id,
                "kind": credential.kind.value,
                "reason": "unused",
                **community.who(credential.person_id),
            },
        )
    if await review.review_due(now):
        ir.async_create_issue(
            hass,
            DOMAIN,
            review_issue_id(entry),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="permission_review_due",
            translation_placeholders={
                "community": entry.title,
                "days": str(community.settings.review_interval_days),
            },
        )
    key_days = int(entry.options.get(CONF_READER_KEY_DAYS, DEFAULT_READER_KEY_DAYS))
    if key_days > 0 and entry.runtime_data.osdp:
        rotated = await async_rotate_due(entry, now, timedelta(days=key_days))
        for reader, result in rotated.items():
            log = LOGGER.info if result == "rotated" else LOGGER.warning
            log(
                "%s: scheduled key change of reader %s: %s", entry.title, reader, result
            )
    changes: int = await community.run(prune_changes, community.db, now - KEEP_CHANGES)
    if purged or erased or revoked or changes:
        LOGGER.info(
            "%s: %d access records purged, %d people's personal data erased, "
            "%d unused credentials revoked, %d change feed rows pruned",
            entry.title,
            purged,
            erased,
            len(revoked),
            changes,
        )


@callback
def async_start_housekeeping(
    hass: HomeAssistant, entry: CommunityConfigEntry
) -> list[CALLBACK_TYPE]:
    """Schedule the work; forward core events to the bus; return the cancellers."""
    community = entry.runtime_data.community

    @callback
    def _forward(name: str, data: dict[str, Any]) -> None:
        # What users may read (the bus, the logbook, residents' phones) names
        # people masked unless the community shows full names.
        shown = shown_data(data, entry.runtime_data.full_names)
        if name in DESK_EVENTS:
            hass.bus.async_fire(f"{DOMAIN}_{name}", shown)
        if name.startswith("visitor_"):
            entry.async_create_task(
                hass,
                async_visitor_notifications(hass, entry, name, shown),
                f"{DOMAIN} {name} notifications",
            )
        elif name == "keypad_locked":
            _keypad_locked(data)
        elif name in RULE_EVENTS:
            entry.async_create_task(
                hass, async_rule_event(hass, entry, name, data), f"{DOMAIN} {name}"
            )

    @callback
    def _keypad_locked(data: dict[str, Any]) -> None:
        operator = entry.runtime_data.doors.get(str(data.get("door_id")))
        until = dt_util.parse_datetime(str(data.get("until")))
        if operator is None or until is None:
            return
        operator.async_keypad_changed()
        key = keypad_lock_key(operator.id)

        async def _keep() -> None:
            await community.run(community.db.set_setting, key, until.isoformat())

        entry.async_create_background_task(
            hass, _keep(), f"{DOMAIN} keep keypad lockout"
        )

        @callback
        def _unlocked(_now: datetime) -> None:
            operator.async_keypad_changed()

        entry.async_on_unload(async_track_point_in_utc_time(hass, _unlocked, until))

    @callback
    def _nightly(_now: datetime) -> None:
        entry.async_create_background_task(
            hass, async_nightly(hass, entry), f"{DOMAIN} nightly"
        )

    @callback
    def _start_expiry() -> asyncio.Task[int]:
        return entry.async_create_background_task(
            hass, async_expire(entry), f"{DOMAIN} expiry"
        )

    @callback
    def _expire(_now: datetime) -> None:
        _start_expiry()

    cancel = [
        community.add_event_listener(_forward),
        async_track_time_change(
            hass, _nightly, hour=PURGE_HOUR, minute=PURGE_MINUTE, second=0
        ),
        async_track_time_interval(hass, _expire, EXPIRY_INTERVAL),
        TimeRefresh(hass, entry).async_start(),
    ]
    entry.runtime_data.startup_work.append(_start_expiry())
    return cancel
