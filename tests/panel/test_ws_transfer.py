"""The office's CSV import, export and template over the websocket (issue 12)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.core.transfer import COLUMNS
from custom_components.community_access.panel.ws_common import register
from custom_components.community_access.panel.ws_transfer import COMMANDS
from homeassistant.core import HomeAssistant
from tests.helpers import ID_NUMBER

HEADER = ",".join(COLUMNS)
GOOD = f"{HEADER}\n3-2-501,2,张伟,owner,{ID_NUMBER},13800138000,,,0012345678,20\n"
BAD = f"{HEADER}\n3-2-501,,张伟,owner,{ID_NUMBER},,,,,\n3-2,,李娜,landlord,,,,,,\n"


@pytest.fixture
async def commands(hass: HomeAssistant, setup_entry: MockConfigEntry) -> None:
    """The transfer commands registered (the integration wires them elsewhere)."""
    register(hass, *COMMANDS)


async def send(client: Any, entry: MockConfigEntry, command: str, **data: Any) -> Any:
    await client.send_json_auto_id(
        {"type": f"{DOMAIN}/{command}", "entry_id": entry.entry_id, **data}
    )
    return await client.receive_json()


@pytest.mark.usefixtures("commands")
async def test_dry_run_then_import(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    hass_admin_user: MockUser,
    setup_entry: MockConfigEntry,
) -> None:
    community = setup_entry.runtime_data.community
    client = await hass_ws_client(hass)
    reply = await send(client, setup_entry, "office/import_csv", csv=GOOD, dry_run=True)
    assert reply["success"], reply
    assert reply["result"] == {
        "rows": 1,
        "households": 1,
        "people": 1,
        "cards": 1,
        "errors": [],
        "written": False,
    }
    assert community.index.household_by_unit("3-2-501") is None
    reply = await send(
        client, setup_entry, "office/import_csv", csv=GOOD, dry_run=False
    )
    assert reply["result"]["written"] is True
    household = community.household("3-2-501")
    assert household.card_quota == 2
    statement = await community.run(community.db.ledger_entries, household.id)
    assert [e.amount_cents for e in statement] == [2000]
    assert statement[0].recorded_by == hass_admin_user.id
    # The same file again: every row is now a duplicate; nothing written.
    reply = await send(
        client, setup_entry, "office/import_csv", csv=GOOD, dry_run=False
    )
    assert reply["result"]["written"] is False
    assert [(e["line"], e["column"], e["key"]) for e in reply["result"]["errors"]] == [
        (2, "id_number", "csv_id_number_registered"),
        (2, "card_number", "credential_in_use"),
    ]


@pytest.mark.usefixtures("commands")
async def test_row_errors_in_the_callers_language(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    setup_entry: MockConfigEntry,
) -> None:
    client = await hass_ws_client(hass)
    reply = await send(
        client,
        setup_entry,
        "office/import_csv",
        csv=BAD,
        dry_run=False,
        language="zh-Hans",
    )
    result = reply["result"]
    assert result["written"] is False
    assert result["errors"] == [
        {
            "line": 3,
            "column": "unit",
            "key": "invalid_unit",
            "reason": "“3-2”不是有效的房号;请按 楼栋-单元-房号 填写,例如 3-2-501。",
        },
        {
            "line": 3,
            "column": "role",
            "key": "csv_invalid_role",
            "reason": "“landlord”不是可导入的角色：owner(业主)、family(家庭成员)、"
            "tenant(租户)、helper(家政人员)、staff(工作人员)或 contractor(施工人员)。",
        },
    ]
    assert setup_entry.runtime_data.community.counts()["persons"] == 0
    reply = await send(client, setup_entry, "office/import_csv", csv=BAD)
    assert reply["result"]["errors"][1]["reason"].startswith(
        '"landlord" is not a role that can be imported'
    )


@pytest.mark.usefixtures("commands")
async def test_gb18030_file_sent_as_bytes(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    setup_entry: MockConfigEntry,
) -> None:
    """Excel in China saves plain CSV in GB18030; the raw bytes are decoded."""
    client = await hass_ws_client(hass)
    data = base64.b64encode(f"{HEADER}\n3-2-501,,张伟,业主,,,,,,\n".encode("gb18030"))
    reply = await send(
        client,
        setup_entry,
        "office/import_csv",
        csv_base64=data.decode(),
        dry_run=False,
    )
    assert reply["result"]["errors"] == []
    community = setup_entry.runtime_data.community
    people = community.index.persons_of(community.household("3-2-501").id)
    assert [p.name for p in people] == ["张伟"]


@pytest.mark.usefixtures("commands")
async def test_export_and_template(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    setup_entry: MockConfigEntry,
) -> None:
    client = await hass_ws_client(hass)
    await send(client, setup_entry, "office/import_csv", csv=GOOD, dry_run=False)
    reply = await send(client, setup_entry, "office/export_csv")
    assert reply["success"]
    assert reply["result"]["filename"].endswith(".csv")
    csv_text = reply["result"]["csv"]
    assert (
        csv_text.splitlines()[1] == "3-2-501,2,张伟,owner,,138****8000,,,****5678,20.00"
    )
    assert ID_NUMBER not in csv_text
    assert ID_NUMBER[-4:] not in csv_text
    reply = await send(client, setup_entry, "office/csv_template")
    assert reply["result"]["csv"].startswith("\ufeff" + HEADER + "\r\n")


@pytest.mark.usefixtures("commands")
@pytest.mark.parametrize(
    ("command", "data"),
    [
        ("office/import_csv", {"csv": GOOD, "dry_run": False}),
        ("office/export_csv", {}),
        ("office/csv_template", {}),
    ],
)
async def test_non_admin_refused(  # noqa: PLR0917 - fixtures and parameters
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
    setup_entry: MockConfigEntry,
    command: str,
    data: dict[str, Any],
) -> None:
    client = await hass_ws_client(hass, hass_read_only_access_token)
    reply = await send(client, setup_entry, command, **data)
    assert reply["success"] is False
    assert reply["error"]["code"] == "unauthorized"
    assert setup_entry.runtime_data.community.counts()["households"] == 0


@pytest.mark.usefixtures("commands")
async def test_an_import_without_a_file_is_refused(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    setup_entry: MockConfigEntry,
) -> None:
    client = await hass_ws_client(hass)
    reply = await send(client, setup_entry, "office/import_csv", dry_run=True)
    assert reply["success"] is False
    assert reply["error"]["code"] == "csv_no_rows"
    reply = await send(
        client, setup_entry, "office/import_csv", csv_base64="not base64!", dry_run=True
    )
    assert reply["error"]["code"] == "csv_unreadable"
