"""Sending the panels' commands in tests."""

from __future__ import annotations

from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import MockHAClientWebSocket

from custom_components.community_access.const import DOMAIN


async def send(
    ws: MockHAClientWebSocket, command: str, entry: MockConfigEntry, **fields: Any
) -> dict[str, Any]:
    """Send ``community_access/<command>`` for the entry; return the whole answer."""
    await ws.send_json_auto_id(
        {"type": f"{DOMAIN}/{command}", "entry_id": entry.entry_id, **fields}
    )
    answer: dict[str, Any] = await ws.receive_json()
    return answer


async def ok(
    ws: MockHAClientWebSocket, command: str, entry: MockConfigEntry, **fields: Any
) -> Any:
    """Send a command that must succeed; return its result."""
    answer = await send(ws, command, entry, **fields)
    assert answer["success"], answer
    return answer["result"]


async def refused(
    ws: MockHAClientWebSocket, command: str, entry: MockConfigEntry, **fields: Any
) -> dict[str, Any]:
    """Send a command that must fail; return its error (code, message)."""
    answer = await send(ws, command, entry, **fields)
    assert not answer["success"], answer
    error: dict[str, Any] = answer["error"]
    return error
