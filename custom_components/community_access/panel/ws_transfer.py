"""The office's CSV import and export of households, people and cards.

The file format and its rules are the core's (``core/transfer.py``). An
import is checked whole (in a worker thread) and every row error comes back
with its line, column and reason in the caller's language; only a file
without errors is written, in one transaction (``dry_run`` writes nothing).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import voluptuous as vol

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.core import transfer
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.runtime import CommunityConfigEntry
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from .roles import Role
from .ws_common import community_command

#: The largest file accepted (characters of text, or bytes before base64).
#: Home Assistant's websocket takes messages of at most 4 MiB, so in practice
#: a file reaches this command up to about 4 MB as text, 3 MB as base64.
MAX_CSV = 5 * 1024 * 1024


async def _messages(hass: HomeAssistant, language: str) -> dict[str, str]:
    return await async_get_translations(hass, language, "exceptions", [DOMAIN])


def _message(strings: dict[str, str], key: str, placeholders: dict[str, str]) -> str:
    text = strings.get(f"component.{DOMAIN}.exceptions.{key}.message")
    if text is None:
        return key
    for name, value in placeholders.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def _file_text(msg: dict[str, Any]) -> str:
    """Return the file's text: ``csv`` as given, or ``csv_base64`` decoded (GB18030 too)."""
    if "csv_base64" not in msg:
        return str(msg["csv"])
    try:
        data = base64.b64decode(msg["csv_base64"], validate=True)
    except (binascii.Error, ValueError):
        raise CommunityError("csv_unreadable") from None
    if len(data) > MAX_CSV:
        raise CommunityError("csv_unreadable")
    return transfer.decode_csv(data)


@community_command(
    "office/import_csv",
    {
        vol.Exclusive("csv", "file"): vol.All(str, vol.Length(max=MAX_CSV)),
        vol.Exclusive("csv_base64", "file"): vol.All(
            str, vol.Length(max=MAX_CSV * 4 // 3 + 4)
        ),
        vol.Optional("dry_run", default=True): bool,
    },
    Role.ADMIN,
)
async def ws_import_csv(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Check a CSV file of households, people and cards; write it unless a dry run."""
    if "csv" not in msg and "csv_base64" not in msg:
        raise CommunityError("csv_no_rows")
    community = entry.runtime_data.community
    result = await transfer.import_csv(
        community,
        _file_text(msg),
        dry_run=msg["dry_run"],
        recorded_by=connection.user.id if connection.user else None,
    )
    strings = await _messages(hass, msg["language"])
    errors = [
        {
            "line": error.line,
            "column": error.column,
            "key": error.key,
            "reason": _message(strings, error.key, error.placeholders),
        }
        for error in result.errors
    ]
    if result.more_errors:
        errors.append(
            {
                "line": None,
                "column": "",
                "key": "csv_more_errors",
                "reason": _message(
                    strings, "csv_more_errors", {"count": str(result.more_errors)}
                ),
            }
        )
    return {
        "rows": result.rows,
        "households": result.households,
        "people": result.people,
        "cards": result.cards,
        "errors": errors,
        "written": result.written,
    }


def _filename(kind: str) -> str:
    return f"community_access_{kind}_{dt_util.now().strftime('%Y%m%d_%H%M')}.csv"


@community_command("office/export_csv", {}, Role.ADMIN)
async def ws_export_csv(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Export households, people and cards (ID numbers left out, the rest masked)."""
    index = entry.runtime_data.community.index
    return {"filename": _filename("households"), "csv": transfer.export_csv(index)}


@community_command("office/csv_template", {}, Role.ADMIN)
async def ws_csv_template(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
    entry: CommunityConfigEntry,
) -> dict[str, Any]:
    """Return the import file's header and one example row."""
    return {
        "filename": "community_access_import_template.csv",
        "csv": transfer.template_csv(),
    }


COMMANDS = (ws_import_csv, ws_export_csv, ws_csv_template)
