"""Access records kept while the database is away, in Home Assistant.

The entry's record writer keeps a spool (``core/spool.py``) in the
configuration folder, ``.storage/community_access.<entry_id>.spool``,
sealed with the entry's own key. While records wait there a repair issue
says so, with their number; it goes when the last one is written. The
change feed's reconnect (PostgreSQL) tells the writer to retry at once.
Records the database refused when they were moved in are kept apart
(``….spool.refused``), and another repair issue says how many.
"""

from __future__ import annotations

import logging
from pathlib import Path

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import STORAGE_DIR

from .const import DOMAIN
from .core.spool import Spool, discard
from .runtime import CommunityConfigEntry

ISSUE = "records_waiting"
REFUSED_ISSUE = "records_refused"
_LOGGER = logging.getLogger(__name__)


def spool_path(hass: HomeAssistant, entry_id: str) -> Path:
    """Return the spool file of an entry."""
    return Path(hass.config.path(STORAGE_DIR, f"{DOMAIN}.{entry_id}.spool"))


def records_waiting_issue_id(entry_id: str) -> str:
    """Repair issue id of an entry's records waiting for the database."""
    return f"{ISSUE}_{entry_id}"


def records_refused_issue_id(entry_id: str) -> str:
    """Repair issue id of an entry's spooled records the database refused."""
    return f"{REFUSED_ISSUE}_{entry_id}"


async def async_start_spool(
    hass: HomeAssistant, entry: CommunityConfigEntry
) -> list[CALLBACK_TYPE]:
    """Give the entry's writer its spool; replay what a previous run left."""
    community = entry.runtime_data.community
    writer = community.writer
    issue_id = records_waiting_issue_id(entry.entry_id)

    @callback
    def _waiting(count: int) -> None:
        if not count:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
            return
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ISSUE,
            translation_placeholders={"community": entry.title, "count": str(count)},
        )

    @callback
    def _refused(count: int) -> None:
        ir.async_create_issue(
            hass,
            DOMAIN,
            refused_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=REFUSED_ISSUE,
            translation_placeholders={
                "community": entry.title,
                "count": str(count),
                "file": spool.refused_path.name,
            },
        )

    refused_id = records_refused_issue_id(entry.entry_id)
    writer.on_waiting = _waiting
    writer.on_refused = _refused
    vault = community.vault
    spool = Spool(spool_path(hass, entry.entry_id), vault.encrypt, vault.decrypt)
    if refused := await hass.async_add_executor_job(spool.refused):
        _refused(refused)
    await writer.async_use_spool(spool, community.db.add_audits_once)

    @callback
    def _stop() -> None:
        writer.on_waiting = None
        writer.on_refused = None
        # Raised again at the next start.
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        ir.async_delete_issue(hass, DOMAIN, refused_id)

    return [_stop]


async def async_remove_spool(hass: HomeAssistant, entry_id: str) -> None:
    """Delete a removed entry's spool: no later entry can replay it.

    Its records are sealed with the removed entry's key and name people:
    they are not left behind on disk (PIPL). Records still waiting, and those
    the database refused, are lost with the entry; a warning says how many.
    """
    held = await hass.async_add_executor_job(discard, spool_path(hass, entry_id))
    ir.async_delete_issue(hass, DOMAIN, records_waiting_issue_id(entry_id))
    ir.async_delete_issue(hass, DOMAIN, records_refused_issue_id(entry_id))
    if held:
        _LOGGER.warning(
            "The community was removed with %d access records still waiting"
            " for its database or refused by it; they were deleted with it",
            held,
        )
