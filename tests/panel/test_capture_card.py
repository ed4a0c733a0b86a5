"""Reading a new card at a door's reader for the card desk (office/capture_card).

While an administrator waits at a door, the next card shown there goes to
their panel: the door stays shut, nothing is decided or recorded as an
access, and the audit trail says a card was read for enrolment, by whom,
without the card's number.
"""

from __future__ import annotations

from datetime import timedelta
import json
from typing import Any

from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import (
    MockHAClientWebSocket,
    WebSocketGenerator,
)

from custom_components.community_access.const import (
    DOMAIN,
    EVENT_ACCESS_DENIED,
    EVENT_ACCESS_GRANTED,
)
from custom_components.community_access.core.storage import AuditQuery
from custom_components.community_access.drivers.em4100 import encode_frame
from custom_components.community_access.panel.office import OFFICE_COMMANDS
from custom_components.community_access.panel.ws_common import register
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from tests.helpers import (
    CARD,
    PIN,
    add_resident,
    call,
    present,
    setup_community,
    unload_lines,
)
from tests.ptys import PtyDevice
from tests.test_serial_lines import entry_with_line

from .office_common import refused

NEW_CARD = "00-99-88-77-66"


async def _capture(
    ws: MockHAClientWebSocket, entry: MockConfigEntry, **fields: Any
) -> dict[str, Any]:
    """Open a capture; return the whole answer (its id is the subscription's)."""
    await ws.send_json_auto_id(
        {
            "type": f"{DOMAIN}/office/capture_card",
            "entry_id": entry.entry_id,
            **fields,
        }
    )
    answer: dict[str, Any] = await ws.receive_json()
    return answer


async def _event(ws: MockHAClientWebSocket, sub_id: int) -> dict[str, Any]:
    message: dict[str, Any] = await ws.receive_json()
    assert message["id"] == sub_id and message["type"] == "event", message
    data: dict[str, Any] = message["event"]
    return data


async def _records(entry: MockConfigEntry) -> int:
    return await entry.runtime_data.community.count_access_log(AuditQuery())


async def test_card_read_goes_to_the_panel_not_the_door(
    hass: HomeAssistant,
    office: MockConfigEntry,
    ws: MockHAClientWebSocket,
    hass_admin_user,
) -> None:
    """A known card: reported with its holder; no opening, no record, an audit line."""
    ids = await add_resident(hass)
    before = await _records(office)
    events = async_capture_events(hass, EVENT_ACCESS_GRANTED)
    events += async_capture_events(hass, EVENT_ACCESS_DENIED)
    answer = await _capture(ws, office, door_id="door_gate")
    assert answer["success"], answer
    result = answer["result"]
    assert result["door_id"] == "door_gate"
    assert result["door"] == "Main gate"
    expires = dt_util.parse_datetime(result["expires_at"])
    assert expires is not None
    assert timedelta(seconds=55) < expires - dt_util.utcnow() <= timedelta(seconds=60)

    response = await present(hass, "Main gate", CARD)
    assert response["granted"] is False
    assert response["captured"] is True
    event = await _event(ws, answer["id"])
    assert event == {
        "card_number": CARD,
        "masked": "****5678",
        "known": True,
        "holder": {
            "person_id": ids["person_id"],
            "name": "赵磊",
            "unit": "3-2-501",
            "status": "active",
        },
    }
    await hass.async_block_till_done()
    assert office.runtime_data.doors["door_gate"].state == "locked"
    assert events == []
    assert await _records(office) == before

    (line, *_) = await office.runtime_data.community.admin_actions()
    assert line.action == "card_read_for_enrolment"
    assert line.actor == hass_admin_user.id
    assert line.details is not None
    assert line.details["door"] == "Main gate"
    assert "12345678" not in json.dumps(line.details)

    # The capture took one card: the next one is decided (and opens the door).
    granted = await present(hass, "Main gate", CARD)
    assert granted["granted"] is True
    await hass.async_block_till_done()
    assert office.runtime_data.doors["door_gate"].state == "unlocked"
    assert await _records(office) == before + 1


async def test_unknown_card_is_not_denied(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """An unknown card: its number (separators dropped), no denial record."""
    answer = await _capture(ws, office, door_id="door_b3")
    assert answer["success"], answer
    await present(hass, "Building 3 door", NEW_CARD)
    event = await _event(ws, answer["id"])
    assert event == {"card_number": "0099887766", "masked": "****7766", "known": False}
    assert await _records(office) == 0
    assert await office.runtime_data.community.query_access_log(AuditQuery()) == []


async def test_other_doors_and_pins_are_decided_normally(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """A PIN at the door and a card at another door go through; then the card."""
    ids = await add_resident(hass)
    await call(
        hass,
        "add_credential",
        {"person_id": ids["person_id"], "kind": "pin", "value": PIN},
    )
    answer = await _capture(ws, office, door_id="door_gate")
    assert answer["success"], answer
    pin = await present(hass, "Main gate", PIN, kind="pin")
    assert pin["granted"] is True
    elsewhere = await present(hass, "Building 3 door", CARD)
    assert elsewhere["granted"] is True
    assert await _records(office) == 2
    await present(hass, "Main gate", NEW_CARD)
    event = await _event(ws, answer["id"])
    assert event["card_number"] == "0099887766"
    assert await _records(office) == 2


async def test_timeout_releases_the_door(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """No card in time: one timeout event, and cards are decided again."""
    answer = await _capture(ws, office, door_id="door_gate", timeout=10)
    assert answer["success"], answer
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11))
    await hass.async_block_till_done()
    assert await _event(ws, answer["id"]) == {"timeout": True}
    denied = await present(hass, "Main gate", NEW_CARD)
    assert denied["reason"] == "unknown_credential"
    assert await _records(office) == 1
    again = await _capture(ws, office, door_id="door_gate")
    assert again["success"], again


async def test_timeout_bounds(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """Between 10 seconds and 5 minutes; an unknown door is refused in words."""
    for timeout in (5, 301):
        answer = await _capture(ws, office, door_id="door_gate", timeout=timeout)
        assert answer["error"]["code"] == "invalid_format", answer
    error = await refused(ws, "office/capture_card", office, door_id="nowhere")
    assert error["code"] == "unknown_door"


async def test_one_capture_per_door(
    hass: HomeAssistant,
    office: MockConfigEntry,
    ws: MockHAClientWebSocket,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A second administrator at the same door is refused; another door is fine."""
    first = await _capture(ws, office, door_id="door_gate")
    assert first["success"], first
    other = await hass_ws_client(hass)
    busy = await _capture(other, office, door_id="door_gate", language="zh-Hans")
    assert not busy["success"]
    assert busy["error"]["code"] == "card_capture_busy"
    assert "Main gate" in busy["error"]["message"]
    elsewhere = await _capture(other, office, door_id="door_b3")
    assert elsewhere["success"], elsewhere

    # Unsubscribing releases the door.
    await ws.send_json_auto_id(
        {"type": "unsubscribe_events", "subscription": first["id"]}
    )
    assert (await ws.receive_json())["success"]
    taken = await _capture(other, office, door_id="door_gate")
    assert taken["success"], taken
    await present(hass, "Main gate", NEW_CARD)
    assert (await _event(other, taken["id"]))["card_number"] == "0099887766"


async def test_closed_connection_releases_the_door(
    hass: HomeAssistant,
    office: MockConfigEntry,
    ws: MockHAClientWebSocket,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """An administrator who closes the panel leaves the door to the others."""
    first = await _capture(ws, office, door_id="door_gate")
    assert first["success"], first
    await ws.close()
    await hass.async_block_till_done()
    other = await hass_ws_client(hass)
    taken = await _capture(other, office, door_id="door_gate")
    assert taken["success"], taken


async def test_non_admin_refused(
    hass: HomeAssistant,
    office: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
) -> None:
    """A user who is not an administrator cannot wait for cards."""
    ws = await hass_ws_client(hass, hass_read_only_access_token)
    error = await refused(ws, "office/capture_card", office, door_id="door_gate")
    assert error["code"] == "unauthorized"
    denied = await present(hass, "Main gate", NEW_CARD)
    assert denied["granted"] is False
    assert await _records(office) == 1


async def test_card_at_a_serial_reader_is_captured(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    device: PtyDevice,
) -> None:
    """A card read by a serial reader bound to the door goes to the panel too."""
    entry = entry_with_line(device.path, protocol="em4100", door="door_b3")
    await setup_community(hass, entry)
    register(hass, *OFFICE_COMMANDS)
    ids = await add_resident(hass)
    ws = await hass_ws_client(hass)
    answer = await _capture(ws, entry, door_id="door_b3")
    assert answer["success"], answer

    device.send(encode_frame(0x00, int(CARD)))
    event = await _event(ws, answer["id"])
    assert event["known"] is True
    assert event["holder"]["person_id"] == ids["person_id"]
    await hass.async_block_till_done()
    assert entry.runtime_data.doors["door_b3"].state == "locked"
    assert await _records(entry) == 0
    await unload_lines(hass, entry)


async def test_lost_card_known_returned_card_not(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """A card reported lost is still someone's; a card handed back is free again."""
    lost = await add_resident(hass)
    await call(hass, "report_card_lost", {"credential_id": lost["credential_id"]})
    returned = await add_resident(hass, "3-2-502", "钱芳", card="0011112222")
    await call(hass, "return_card", {"credential_id": returned["credential_id"]})

    answer = await _capture(ws, office, door_id="door_gate")
    await present(hass, "Main gate", CARD)
    event = await _event(ws, answer["id"])
    assert event["known"] is True
    assert event["holder"]["status"] == "lost"

    answer = await _capture(ws, office, door_id="door_gate")
    await present(hass, "Main gate", "0011112222")
    assert await _event(ws, answer["id"]) == {
        "card_number": "0011112222",
        "masked": "****2222",
        "known": False,
    }
    assert await _records(office) == 0
