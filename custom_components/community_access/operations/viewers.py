"""Accompanied viewers (4.6): the staff members' latest entries, kept live.

At set-up the entries of the last ten minutes are read back from the access
record (nothing is lost on a restart); then every new record updates them,
and the viewers' check joins the community's grant checks.
"""

from __future__ import annotations

from custom_components.community_access.core.storage import AuditQuery
from custom_components.community_access.core.visitors import ESCORT_WINDOW, EscortWatch
from custom_components.community_access.runtime import CommunityConfigEntry
from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.util import dt as dt_util

#: Records read back at set-up (the entries of the last ten minutes).
RESTORE_LIMIT = 5000


async def async_start_escorts(entry: CommunityConfigEntry) -> CALLBACK_TYPE:
    """Remember staff members' entries; refuse viewers who come without theirs."""
    runtime = entry.runtime_data
    community = runtime.community
    escorts = EscortWatch(community)
    recent = await community.query_access_log(
        AuditQuery(
            granted=True,
            start=dt_util.utcnow() - ESCORT_WINDOW,
            limit=RESTORE_LIMIT,
        )
    )
    escorts.restore(recent)
    runtime.ops.escorts = escorts
    remove_listener = community.add_record_listener(escorts.note)
    community.grant_checks.append(escorts.check)

    @callback
    def _stop() -> None:
        remove_listener()
        if escorts.check in community.grant_checks:
            community.grant_checks.remove(escorts.check)

    return _stop
