"""Office commands: the access log (filtered, paged, as CSV) and its live feed."""

from __future__ import annotations

import csv
import io
from typing import Any

import voluptuous as vol

from custom_components.community_access.core.decision import Reason
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.storage import AuditQuery, AuditRecord
from custom_components.community_access.runtime import CommunityConfigEntry
from custom_components.community_access.service_helpers import aware
from custom_components.community_access.service_numbers import ID
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from .fields import PAGING, caller
from .live import async_track_records
from .roles import Role
from .serialize import access_item, page
from .ws_common import community_command, door_name

#: Records an export holds at most (the newest matching).
CSV_MAX_ROWS = 50_000
#: Records the live feed starts with.
LATEST = 50
#: The audit trail's name for an export that named people in full.
EXPORT_FULL_NAMES = "access_log_export_full_names"

FILTERS: dict[vol.Marker, Any] = {
    vol.Optional("person_id"): ID,
    vol.Optional("unit"): vol.All(cv.string, vol.Length(min=1, max=40)),
    vol.Optional("door_id"): vol.All(cv.string, vol.Length(min=1, max=64)),
    vol.Optional("granted"): cv.boolean,
    vol.Optional("reason"): vol.In([r.value for r in Reason]),
    vol.Optional("start"): cv.datetime,
    vol.Optional("end"): cv.datetime,
}

FILTER_NAMES = tuple(str(marker.schema) for marker in FILTERS)

CSV_COLUMNS = (
    "at",
    "door",
    "granted",
    "reason",
    "reason_text",
    "kind",
    "person_name",
    "unit",
    "source",
)


def office_access_item(
    entry: CommunityConfigEntry, record: AuditRecord, language: str
) -> dict[str, Any]:
    """Return an access record for the office: full names, reason in words."""
    return access_item(record, door_name(entry, record.door_id), language, True)


def _query(
    entry: CommunityConfigEntry, msg: dict[str, Any], *, offset: int, limit: int
) -> AuditQuery:
    community = entry.runtime_data.community
    household_id = community.household(msg["unit"]).id if "unit" in msg else None
    start, end = aware(msg.get("start")), aware(msg.get("end"))
    if start is not None and end is not None and end <= start:
        raise CommunityError("invalid_time_range")
    return AuditQuery(
        person_id=msg.get("person_id"),
        household_id=household_id,
        door_id=msg.get("door_id"),
        granted=msg.get("granted"),
        reason=msg.get("reason"),
        start=start,
        end=end,
        offset=offset,
        limit=limit,
    )


@community_command("office/access_log", {**FILTERS, **PAGING}, Role.ADMIN)
async def ws_access_log(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Access records newest first, filtered and paged, reasons in words."""
    community = entry.runtime_data.community
    query = _query(entry, msg, offset=msg["offset"], limit=msg["limit"])
    total = await community.count_access_log(query)
    records = await community.query_access_log(query)
    language = msg["language"]
    return page(total, [office_access_item(entry, r, language) for r in records])


def _cell(value: Any) -> str:
    """Return a CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


@community_command(
    "office/access_log_csv",
    {**FILTERS, vol.Optional("full_names", default=False): cv.boolean},
    Role.ADMIN,
)
async def ws_access_log_csv(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Export the filtered records as CSV; names masked unless ``full_names``.

    An export with full names is written into the administrators' audit
    trail: who, when, with which filters, how many records.
    """
    community = entry.runtime_data.community
    query = _query(entry, msg, offset=0, limit=CSV_MAX_ROWS)
    records = await community.query_access_log(query)
    full_names = msg["full_names"]
    language = msg["language"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        item = access_item(
            record, door_name(entry, record.door_id), language, full_names
        )
        item["at"] = dt_util.as_local(record.at).isoformat()
        writer.writerow([_cell(item[column]) for column in CSV_COLUMNS])
    if full_names:
        await community.record_admin_action(
            EXPORT_FULL_NAMES,
            actor=caller(connection),
            details={
                "filters": {
                    name: str(msg[name]) if name in ("start", "end") else msg[name]
                    for name in FILTER_NAMES
                    if name in msg
                },
                "rows": len(records),
            },
        )
    stamp = dt_util.now().strftime("%Y%m%d-%H%M%S")
    return {
        "filename": f"access-log-{stamp}.csv",
        "csv": out.getvalue(),
        "rows": len(records),
    }


@community_command("office/subscribe_access", {}, Role.ADMIN)
async def ws_subscribe_access(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Send the latest records, then each new record as it is written.

    Records written while the first page is read are folded into it, so
    none is missed or sent twice; later ones go out as events.
    """
    community = entry.runtime_data.community
    language = msg["language"]
    msg_id = msg["id"]
    early: list[AuditRecord] = []
    live = False

    @callback
    def on_record(record: AuditRecord) -> None:
        if not live:
            early.append(record)
            return
        connection.send_message(
            event_message(
                msg_id, {"record": office_access_item(entry, record, language)}
            )
        )

    connection.subscriptions[msg_id] = async_track_records(hass, entry, on_record)
    records = await community.query_access_log(AuditQuery(limit=LATEST))
    seen = {r.id for r in records}
    records += [r for r in early if r.id not in seen]
    records.sort(key=lambda r: (r.at, r.id or 0), reverse=True)
    live = True
    return {"items": [office_access_item(entry, r, language) for r in records[:LATEST]]}


COMMANDS = (ws_access_log, ws_access_log_csv, ws_subscribe_access)
