"""The change feed in Home Assistant: several instances on one PostgreSQL.

An entry whose database is PostgreSQL listens for the changes other
instances (other compounds' Home Assistants, the office) commit, and keeps
its in-memory index in step (see ``core/changefeed.py``). SQLite: nothing.
"""

from __future__ import annotations

from homeassistant.core import CALLBACK_TYPE, HomeAssistant

from .core.changefeed import ChangeListener, last_change_id
from .core.community import Community
from .runtime import CommunityConfigEntry, rule_book


def uses_feed(community: Community) -> bool:
    """Whether the community's database has a change feed (PostgreSQL)."""
    return community.db.engine.dialect.name == "postgresql"


async def async_feed_position(community: Community) -> int | None:
    """Return the newest change id, read before the load (None: no feed)."""
    if not uses_feed(community):
        return None
    after: int = await community.run(last_change_id, community.db)
    return after


async def async_start_feed(
    hass: HomeAssistant, entry: CommunityConfigEntry, after: int | None
) -> list[CALLBACK_TYPE]:
    """Listen for other instances' changes from ``after`` on; return the stopper."""
    if after is None:
        return []
    listener = ChangeListener(
        entry.runtime_data.community,
        after,
        on_penalties=lambda: rule_book(entry).reindex(),
        # The database is back: records kept meanwhile are written at once.
        on_connected=entry.runtime_data.community.writer.wake,
    )
    await listener.async_start()
    entry.runtime_data.change_listener = listener
    return [listener.stop]
