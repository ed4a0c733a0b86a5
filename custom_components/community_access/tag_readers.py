"""Tag readers bound to doors: ``tag_scanned`` presented as a phone tag.

One bus listener per community entry. A door's option ``tag_readers`` lists
devices (ESPHome NFC readers, the companion app...) whose ``tag_scanned``
events present the tag id at that door, as the shipped blueprint does
(kind ``phone_tag``), without an automation in between. Scans from devices
bound to no door are ignored here (the blueprint may still handle them).

The tag id is a credential value: it is never logged nor put in an event
(the access events carry the masked decision only).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback

from .const import CONF_TAG_READERS, EVENT_TAG_SCANNED, SUBENTRY_DOOR
from .core.models import CredentialKind
from .runtime import CommunityConfigEntry, async_present

#: The access record's source of a scan at a bound reader.
SOURCE_TAG = "tag"
#: The longest value present_credential takes; longer tag ids are ignored.
MAX_TAG_ID = 128


def door_readers(data: Mapping[str, Any]) -> list[str]:
    """Return the device ids bound to one door (its subentry data)."""
    return [str(d) for d in data.get(CONF_TAG_READERS) or () if d]


def readers_taken(
    subentries: Iterable[ConfigSubentry], skip: str | None = None
) -> set[str]:
    """Return device ids bound to a door other than ``skip`` (a subentry id)."""
    return {
        device_id
        for sub in subentries
        if sub.subentry_type == SUBENTRY_DOOR and sub.subentry_id != skip
        for device_id in door_readers(sub.data)
    }


def reader_doors(entry: CommunityConfigEntry) -> dict[str, str]:
    """Map device id → door id for the doors set up (the first door wins)."""
    doors = entry.runtime_data.doors
    bound: dict[str, str] = {}
    for sub in entry.subentries.values():
        if sub.subentry_type != SUBENTRY_DOOR or sub.subentry_id not in doors:
            continue
        for device_id in door_readers(sub.data):
            bound.setdefault(device_id, sub.subentry_id)
    return bound


def async_setup_tag_readers(
    hass: HomeAssistant, entry: CommunityConfigEntry
) -> list[CALLBACK_TYPE]:
    """Listen to ``tag_scanned`` if any door has a reader; the unsubscribe."""
    bound = reader_doors(entry)
    if not bound:
        return []

    @callback
    def _bound(event_data: Mapping[str, Any]) -> bool:
        """Only scans of a bound device with a tag id reach the handler."""
        tag_id = event_data.get("tag_id")
        return (
            event_data.get("device_id") in bound
            and isinstance(tag_id, str)
            and 0 < len(tag_id) <= MAX_TAG_ID
        )

    async def _scanned(event: Event[Mapping[str, Any]]) -> None:
        """Present the scanned tag at the reader's door."""
        await async_present(
            hass,
            entry,
            bound[event.data["device_id"]],
            CredentialKind.PHONE_TAG,
            event.data["tag_id"],
            source=SOURCE_TAG,
            context=event.context,
        )

    return [hass.bus.async_listen(EVENT_TAG_SCANNED, _scanned, event_filter=_bound)]
