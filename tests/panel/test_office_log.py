"""The access log for the office: filters, paging, words, CSV, the live feed."""

from __future__ import annotations

import csv
import io

from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import MockHAClientWebSocket

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.panel.ws_office_log import EXPORT_FULL_NAMES
from homeassistant.core import HomeAssistant
from tests.helpers import CARD, add_resident, call, present

from .office_common import ok, refused


async def _traffic(hass: HomeAssistant) -> dict[str, int]:
    ids = await add_resident(hass)
    await present(hass, "Main gate")  # granted
    await present(hass, "Building 1 door")  # zone_not_allowed
    await present(hass, "Main gate", "0099999999")  # unknown_credential
    return ids


async def test_access_log_filters_paging_words(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """Newest first, reasons in the caller's words, filters and pages."""
    ids = await _traffic(hass)
    everything = await ok(ws, "office/access_log", office, language="zh-Hans")
    assert everything["total"] == 3
    reasons = [r["reason"] for r in everything["items"]]
    assert reasons == ["unknown_credential", "zone_not_allowed", "granted"]
    texts = [r["reason_text"] for r in everything["items"]]
    assert texts == ["未登记的凭证", "无权进入该区域", "通过"]
    granted = everything["items"][2]
    assert granted["person_name"] == "赵磊"
    assert granted["door"] == "Main gate"
    assert granted["door_id"] == "door_gate"
    assert granted["unit"] == "3-2-501"
    assert granted["source"] == "service"
    assert CARD not in str(everything)
    english = await ok(ws, "office/access_log", office, granted=False)
    assert english["total"] == 2
    assert english["items"][1]["reason_text"] == "no access to this area"
    page = await ok(ws, "office/access_log", office, limit=1, offset=1)
    assert page["total"] == 3
    assert [r["reason"] for r in page["items"]] == ["zone_not_allowed"]
    mine = await ok(ws, "office/access_log", office, person_id=ids["person_id"])
    assert mine["total"] == 2
    at_gate = await ok(ws, "office/access_log", office, door_id="door_gate")
    assert at_gate["total"] == 2
    by_reason = await ok(ws, "office/access_log", office, reason="granted")
    assert by_reason["total"] == 1
    by_unit = await ok(ws, "office/access_log", office, unit="3-2-501")
    assert by_unit["total"] == 2
    later = await ok(ws, "office/access_log", office, start="2099-01-01T00:00:00Z")
    assert later == {"total": 0, "items": []}
    error = await refused(
        ws,
        "office/access_log",
        office,
        start="2026-01-02T00:00:00Z",
        end="2026-01-01T00:00:00Z",
    )
    assert error["code"] == "invalid_time_range"


async def test_csv_masks_names_unless_asked_and_audits_full_names(
    hass: HomeAssistant,
    office: MockConfigEntry,
    ws: MockHAClientWebSocket,
    hass_admin_user,
) -> None:
    """Names masked by default; full names only on request, which is audited."""
    await _traffic(hass)
    community = office.runtime_data.community
    masked = await ok(ws, "office/access_log_csv", office, granted=True)
    assert masked["filename"].startswith("access-log-")
    assert masked["filename"].endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(masked["csv"])))
    assert len(rows) == 1
    assert rows[0]["person_name"] == "赵*"
    assert rows[0]["reason_text"] == "granted"
    assert rows[0]["at"].endswith("+08:00")
    assert "赵磊" not in masked["csv"] and CARD not in masked["csv"]
    assert await community.admin_actions() == []
    full = await ok(
        ws,
        "office/access_log_csv",
        office,
        granted=True,
        full_names=True,
        language="zh-Hans",
    )
    rows = list(csv.DictReader(io.StringIO(full["csv"])))
    assert rows[0]["person_name"] == "赵磊"
    assert rows[0]["reason_text"] == "通过"
    (action,) = await community.admin_actions()
    assert action.action == EXPORT_FULL_NAMES
    assert action.actor == hass_admin_user.id
    assert action.details == {"filters": {"granted": True}, "rows": 1}


async def test_subscribe_access_pushes_new_records_until_unsubscribed(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """The latest records first, then each new one; nothing after unsubscribing."""
    await add_resident(hass)
    await present(hass, "Main gate")
    await ws.send_json_auto_id(
        {
            "type": f"{DOMAIN}/office/subscribe_access",
            "entry_id": office.entry_id,
            "language": "zh-Hans",
        }
    )
    answer = await ws.receive_json()
    assert answer["success"], answer
    subscription = answer["id"]
    (first,) = answer["result"]["items"]
    assert first["reason"] == "granted"
    await call(hass, "report_card_lost", {"credential_id": 1})
    await present(hass, "Main gate")
    event = await ws.receive_json()
    assert event["id"] == subscription
    assert event["type"] == "event"
    record = event["event"]["record"]
    assert (record["granted"], record["reason"]) == (False, "lost")
    assert record["reason_text"] == "已挂失"
    assert record["person_name"] == "赵磊"
    assert record["record_id"] == first["record_id"] + 1
    await ws.send_json_auto_id(
        {"type": "unsubscribe_events", "subscription": subscription}
    )
    assert (await ws.receive_json())["success"]
    await present(hass, "Main gate")
    # The next message is the answer to the next command, not a pushed record.
    today = await ok(ws, "office/today", office)
    assert today["denied_today"] == 2


async def test_feed_carries_remote_opens_and_guard_entries(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """Not only presented credentials: every record written reaches the feed."""
    ids = await add_resident(hass)
    await ws.send_json_auto_id(
        {"type": f"{DOMAIN}/office/subscribe_access", "entry_id": office.entry_id}
    )
    answer = await ws.receive_json()
    assert answer["result"] == {"items": []}
    await call(
        hass,
        "guard_verified_entry",
        {"door": "Main gate", "unit": "3-2-501", "person_id": ids["person_id"]},
    )
    guard = (await ws.receive_json())["event"]["record"]
    assert (guard["reason"], guard["source"]) == ("guard_verified", "guard")
    assert guard["reason_text"] == "let in after a guard's check"
    await ws.send_json_auto_id(
        {
            "type": f"{DOMAIN}/office/open_door",
            "entry_id": office.entry_id,
            "door_id": "door_b3",
        }
    )
    first, second = await ws.receive_json(), await ws.receive_json()
    by_type = {m["type"]: m for m in (first, second)}
    assert by_type["result"]["success"]
    remote = by_type["event"]["event"]["record"]
    assert (remote["reason"], remote["door"]) == ("remote_open", "Building 3 door")


async def test_csv_cells_never_formulas(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """A name a spreadsheet would run as a formula is written as text."""
    await add_resident(hass, name="=1+2")
    await present(hass, "Main gate")
    export = await ok(ws, "office/access_log_csv", office, full_names=True)
    (row,) = list(csv.DictReader(io.StringIO(export["csv"])))
    assert row["person_name"] == "'=1+2"
