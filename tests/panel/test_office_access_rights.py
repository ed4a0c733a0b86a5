"""Every office command refuses whoever is not an administrator.

A hidden panel is not security: each command checks its caller. Read-only
users and the community's guards (who are not administrators) get
``unauthorized`` for every office command, with a valid payload, and nothing
changes; an administrator asking about a community that does not exist gets
the same answer.
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.core.storage import AuditQuery
from custom_components.community_access.panel.office import OFFICE_COMMANDS
from homeassistant.core import HomeAssistant
from tests.helpers import add_resident

from .office_common import refused, send

#: A valid payload of every office command (refusal comes after validation).
PAYLOADS: dict[str, dict[str, Any]] = {
    "office/today": {},
    "office/devices": {},
    "office/open_door": {"door_id": "door_gate"},
    "office/resync_lock": {"door_id": "door_gate"},
    "office/osdp_lines": {},
    "office/osdp_pair": {"line": "osdp_line", "address": 1, "door_id": "door_gate"},
    "office/households": {},
    "office/household": {"unit": "3-2-501"},
    "office/add_household": {"unit": "9-1-101"},
    "office/move_out_preview": {"unit": "3-2-501"},
    "office/move_out": {"unit": "3-2-501"},
    "office/people_search": {"query": "赵"},
    "office/add_person": {"unit": "3-2-501", "name": "王五", "role": "family"},
    "office/update_person": {"person_id": 1, "name": "王五"},
    "office/set_person_status": {"person_id": 1, "status": "suspended"},
    "office/issue_card": {"person_id": 1, "card_number": "0099887766"},
    "office/report_card_lost": {"credential_id": 1},
    "office/reissue_card": {"credential_id": 1, "card_number": "0099887766"},
    "office/return_card": {"credential_id": 1, "damaged": False},
    "office/add_credential": {"person_id": 1, "kind": "pin", "value": "583716"},
    "office/revoke_credential": {"credential_id": 1},
    "office/visits": {},
    "office/approve_visit": {"visit_id": 1},
    "office/deny_visit": {"visit_id": 1},
    "office/preregister_visitor": {
        "unit": "3-2-501",
        "name": "李雷",
        "phone": "13900002222",
        "start": "2030-01-01T10:00:00+08:00",
        "end": "2030-01-01T12:00:00+08:00",
    },
    "office/watchlist": {},
    "office/bar_visitor": {"name": "钱多多", "id_number": "11010519491231002X"},
    "office/unbar_visitor": {"watch_id": 1},
    "office/notices": {"active_only": False},
    "office/violations": {},
    "office/record_violation": {"person_id": 1, "kind": "tailgating"},
    "office/penalties": {},
    "office/apply_penalty": {"person_id": 1, "kind": "warning"},
    "office/lift_penalty": {"penalty_id": 1},
    "office/commendations": {},
    "office/record_commendation": {"person_id": 1, "note": "拾金不昧"},
    "office/access_log": {},
    "office/access_log_csv": {"full_names": True},
    "office/subscribe_access": {},
    "office/capture_card": {"door_id": "door_gate"},
    "office/import_csv": {
        "csv": "unit,name,role\n9-1-101,王五,owner\n",
        "dry_run": False,
    },
    "office/export_csv": {},
    "office/csv_template": {},
}

COMMAND_NAMES = sorted(PAYLOADS)


def test_every_office_command_has_a_payload() -> None:
    """The parametrised refusal tests cover every registered office command."""
    registered = {handler._ws_command for handler in OFFICE_COMMANDS}  # type: ignore[attr-defined]
    assert registered == {f"{DOMAIN}/{name}" for name in PAYLOADS}


async def _snapshot(entry: MockConfigEntry) -> tuple[Any, ...]:
    community = entry.runtime_data.community
    return (
        dict(community.index.households),
        dict(community.index.persons),
        dict(community.index.credentials),
        len(await community.admin_actions()),
        await community.count_access_log(AuditQuery()),
    )


@pytest.mark.parametrize("command", COMMAND_NAMES)
async def test_read_only_user_refused(
    hass: HomeAssistant,
    office: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
    command: str,
) -> None:
    """A user who is not an administrator is refused, and nothing changes."""
    await add_resident(hass)
    before = await _snapshot(office)
    ws = await hass_ws_client(hass, hass_read_only_access_token)
    error = await refused(ws, command, office, **PAYLOADS[command])
    assert error["code"] == "unauthorized"
    assert "property office" in error["message"]
    assert await _snapshot(office) == before


@pytest.mark.parametrize("command", COMMAND_NAMES)
async def test_guard_refused(
    hass: HomeAssistant,
    office: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    guard_token: str,
    command: str,
) -> None:
    """A guard (not an administrator) may not use the office's commands."""
    await add_resident(hass)
    ws = await hass_ws_client(hass, guard_token)
    error = await refused(ws, command, office, language="zh-Hans", **PAYLOADS[command])
    assert error["code"] == "unauthorized"
    assert error["message"] == "您无权在本小区执行此操作,请联系物业管理处。"


async def test_unknown_community_same_answer(
    hass: HomeAssistant, office: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """An administrator naming no community gets the same refusal, not a crash."""
    ws = await hass_ws_client(hass)
    await ws.send_json_auto_id(
        {"type": f"{DOMAIN}/office/households", "entry_id": "no-such-entry"}
    )
    answer = await ws.receive_json()
    assert answer["error"]["code"] == "unauthorized"


async def test_bad_values_are_clean_errors(
    hass: HomeAssistant, office: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """Booleans, fractions, huge ids and negative money are refused by the schema."""
    ws = await hass_ws_client(hass)
    for command, fields in (
        ("office/report_card_lost", {"credential_id": True}),
        ("office/report_card_lost", {"credential_id": 1.5}),
        ("office/report_card_lost", {"credential_id": 2**40}),
        ("office/issue_card", {"person_id": 1, "card_number": "1", "deposit": -1}),
        ("office/households", {"limit": 501}),
        ("office/access_log", {"reason": "no_such_reason"}),
        ("office/visits", {"status": ["nowhere"]}),
    ):
        answer = await send(ws, command, office, **fields)
        assert answer["error"]["code"] == "invalid_format", (command, answer)
