"""Office commands on visits and on the rules (violations, penalties)."""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import MockHAClientWebSocket

from homeassistant.core import HomeAssistant
from tests.helpers import add_resident, call, present

from .office_common import ok, refused


def _visitor(name: str, phone: str) -> dict[str, str]:
    return {
        "unit": "3-2-501",
        "name": name,
        "id_number": "11010519491231002X",
        "phone": phone,
    }


async def test_visits_listed_approved_and_denied(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """Waiting visits listed newest first; the office approves one, denies another."""
    await add_resident(hass)
    first = await call(hass, "register_visitor", _visitor("钱多多", "13900001111"))
    second = await call(hass, "register_visitor", _visitor("孙小美", "13900002222"))
    listed = await ok(ws, "office/visits", office, status=["pending"])
    assert listed["total"] == 2
    assert [v["visit_id"] for v in listed["items"]] == [
        second["visit_id"],
        first["visit_id"],
    ]
    item = listed["items"][1]
    assert item["visitor_name"] == "钱多多"
    assert item["unit"] == "3-2-501"
    assert item["registered_at"] is not None
    assert "13900001111" not in str(listed)
    approved = await ok(ws, "office/approve_visit", office, visit_id=first["visit_id"])
    assert approved["status"] == "approved"
    assert approved["valid_until"] is not None
    # The pass works at the gate: the approval is the core's.
    assert (await present(hass, "Main gate", approved["code"], "pin"))["granted"]
    denied = await ok(ws, "office/deny_visit", office, visit_id=second["visit_id"])
    assert denied["status"] == "closed"
    paged = await ok(ws, "office/visits", office, limit=1, offset=1)
    assert paged["total"] == 2
    assert [v["visit_id"] for v in paged["items"]] == [first["visit_id"]]
    error = await refused(
        ws, "office/deny_visit", office, visit_id=second["visit_id"], language="zh-Hans"
    )
    assert error["code"] == "unknown_visit"
    assert str(second["visit_id"]) in error["message"]


async def test_violation_penalties_lifted(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """Record a violation (the ladder warns), fine, lift the fine: all listed."""
    ids = await add_resident(hass)
    violation = await ok(
        ws,
        "office/record_violation",
        office,
        person_id=ids["person_id"],
        kind="tailgating",
        note="跟随他人进门",
    )
    assert violation["person_name"] == "赵磊"
    assert violation["unit"] == "3-2-501"
    assert [p["kind"] for p in violation["penalties"]] == ["warning"]
    listed = await ok(ws, "office/violations", office, open_only=True)
    assert listed["total"] == 1
    assert listed["items"][0]["violation_id"] == violation["violation_id"]
    fine = await ok(
        ws,
        "office/apply_penalty",
        office,
        person_id=ids["person_id"],
        kind="fine",
        amount=100,
    )
    assert fine["amount"] == 100.0
    active = await ok(ws, "office/penalties", office, active_only=True)
    assert active["total"] == 2
    lifted = await ok(ws, "office/lift_penalty", office, penalty_id=fine["penalty_id"])
    assert lifted["lifted_at"] is not None
    assert (await ok(ws, "office/penalties", office, active_only=True))["total"] == 1
    everything = await ok(ws, "office/penalties", office, limit=1)
    assert everything["total"] == 2 and len(everything["items"]) == 1
    statement = await call(hass, "household_statement", {"unit": "3-2-501"})
    assert statement["fines"] == 0.0
    error = await refused(
        ws,
        "office/apply_penalty",
        office,
        person_id=ids["person_id"],
        kind="fine",
        language="zh-Hans",
    )
    assert error["code"] == "fine_needs_amount"


async def test_commendations_recorded_and_listed(
    hass: HomeAssistant, office: MockConfigEntry, ws: MockHAClientWebSocket
) -> None:
    """The office commends a resident (第九条); the list pages newest first."""
    ids = await add_resident(hass)
    assert (await ok(ws, "office/commendations", office))["total"] == 0
    first = await ok(
        ws,
        "office/record_commendation",
        office,
        person_id=ids["person_id"],
        note="拾金不昧，归还失物",
    )
    assert first["person_name"] == "赵磊"
    assert first["unit"] == "3-2-501"
    assert first["note"] == "拾金不昧，归还失物"
    assert first["recorded_by"]
    second = await ok(
        ws, "office/record_commendation", office, person_id=ids["person_id"]
    )
    assert second["note"] is None
    listed = await ok(ws, "office/commendations", office)
    assert listed["total"] == 2
    assert [c["commendation_id"] for c in listed["items"]] == [
        second["commendation_id"],
        first["commendation_id"],
    ]
    paged = await ok(ws, "office/commendations", office, limit=1, offset=1)
    assert paged["total"] == 2
    assert [c["commendation_id"] for c in paged["items"]] == [first["commendation_id"]]
    # The service answers with the same id the office lists.
    service = await call(
        hass, "record_commendation", {"person_id": ids["person_id"], "note": "助人"}
    )
    listed = await ok(ws, "office/commendations", office, limit=1)
    assert listed["items"][0]["commendation_id"] == service["commendation_id"]
    error = await refused(
        ws, "office/record_commendation", office, person_id=9999, language="zh-Hans"
    )
    assert error["code"] == "unknown_person"
    assert (await ok(ws, "office/commendations", office))["total"] == 3
