"""Goods passes and checks of goods through Home Assistant's services."""

from __future__ import annotations

from datetime import timedelta
import json
import logging

from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.community_access.diagnostics import (
    async_get_config_entry_diagnostics,
)
from homeassistant.const import MATCH_ALL
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized

from .common import OTHER_UNIT, UNIT, make_site


def _pass(**extra: object) -> dict[str, object]:
    return {"unit": UNIT, "items": ["Sofa", "Television"]} | extra


async def test_issue_rights(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    site = await make_site(hass, freezer)
    mine = await site.call(
        "resident",
        "issue_goods_pass",
        **_pass(person_id=site.ids["resident"]["person_id"], large_or_valuable=True),
    )
    assert isinstance(mine, dict)
    assert len(mine["code"]) == 8 and mine["code"].isdigit()
    assert mine["qr"] == f"CAGP:{site.entry.entry_id[:8]}:{mine['code']}"
    assert mine["items"] == ["Sofa", "Television"]
    assert mine["large_or_valuable"] is True
    assert mine["person"] == "赵*"
    # The whole local day of 1 June in Shanghai.
    assert mine["valid_from"] == "2026-05-31T16:00:00+00:00"
    assert mine["valid_until"] == "2026-06-01T16:00:00+00:00"
    # Another household's user, a guard, a plain user: refused, nothing issued.
    for who in ("neighbour", "guard", "plain"):
        with pytest.raises(Unauthorized):
            await site.call(who, "issue_goods_pass", **_pass())
    by_admin = await site.call("admin", "issue_goods_pass", **_pass(unit=OTHER_UNIT))
    assert isinstance(by_admin, dict) and by_admin["unit"] == OTHER_UNIT
    listed = await site.call("admin", "list_goods_passes")
    assert isinstance(listed, dict)
    assert listed["count"] == 2
    assert all("code" not in p for p in listed["passes"])
    # The neighbour may issue for their own household.
    theirs = await site.call("neighbour", "issue_goods_pass", **_pass(unit=OTHER_UNIT))
    assert isinstance(theirs, dict) and theirs["unit"] == OTHER_UNIT


async def test_verify_once_then_used(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    site = await make_site(hass, freezer)
    issued = await site.call("resident", "issue_goods_pass", **_pass(note="Moving"))
    assert isinstance(issued, dict)
    for who in ("resident", "plain"):
        with pytest.raises(Unauthorized):
            await site.call(
                who, "verify_goods_pass", code=issued["code"], door="Main gate"
            )
    first = await site.call(
        "guard", "verify_goods_pass", code=issued["qr"], door="Main gate"
    )
    assert isinstance(first, dict)
    assert first["valid"] is True and first["status"] == "valid"
    assert first["items"] == ["Sofa", "Television"]
    assert first["unit"] == UNIT
    assert first["issued_by"] == "R*******"  # the resident's user, masked
    assert "code" not in first
    freezer.tick(timedelta(minutes=5))
    second = await site.call(
        "admin", "verify_goods_pass", code=issued["code"], door="door_gate"
    )
    assert isinstance(second, dict)
    assert second["valid"] is False and second["status"] == "used"
    assert second["used_at"] == "2026-06-01T02:00:00+00:00"
    assert second["used_door"] == "Main gate"
    unknown = await site.call(
        "guard", "verify_goods_pass", code="00000000", door="Main gate"
    )
    assert unknown == {"valid": False, "status": "invalid", "door_id": "door_gate"}
    used = await site.call("admin", "list_goods_passes", used=True)
    assert isinstance(used, dict) and used["count"] == 1


async def test_wrong_day(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    site = await make_site(hass, freezer)
    tomorrow = await site.call(
        "resident", "issue_goods_pass", **_pass(date="2026-06-02")
    )
    assert isinstance(tomorrow, dict)
    early = await site.call(
        "guard", "verify_goods_pass", code=tomorrow["code"], door="Main gate"
    )
    assert isinstance(early, dict) and early["status"] == "not_yet_valid"
    freezer.move_to("2026-06-03T00:00:01+08:00")
    late = await site.call(
        "guard", "verify_goods_pass", code=tomorrow["code"], door="Main gate"
    )
    assert isinstance(late, dict) and late["status"] == "expired"
    assert late["used"] is False
    with pytest.raises(ServiceValidationError) as err:
        await site.call(
            "resident",
            "issue_goods_pass",
            **_pass(
                date="2026-06-02",
                valid_from="2026-06-02T10:00:00",
                valid_until="2026-06-02T12:00:00",
            ),
        )
    assert err.value.translation_key == "goods_date_or_window"
    with pytest.raises(ServiceValidationError) as err:
        await site.call(
            "resident",
            "issue_goods_pass",
            **_pass(
                valid_from="2026-06-02T10:00:00", valid_until="2026-06-12T12:00:00"
            ),
        )
    assert err.value.translation_key == "invalid_goods_window"


async def test_inspect_goods_without_a_pass(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    site = await make_site(hass, freezer)
    check = await site.call(
        "guard", "inspect_goods", note="Boxes of cables, owner called", door="Main gate"
    )
    assert isinstance(check, dict)
    assert check["goods_pass_id"] is None and check["door_id"] == "door_gate"
    for who in ("resident", "plain"):
        with pytest.raises(Unauthorized):
            await site.call(who, "inspect_goods", note="x")
    with pytest.raises(Unauthorized):
        await site.call("guard", "list_goods_passes")
    actions = await site.entry.runtime_data.community.admin_actions()
    assert [a.action for a in actions] == ["goods_inspected"]
    assert actions[0].actor == site.users["guard"].id


async def test_code_never_leaves(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    site = await make_site(hass, freezer)
    events: list[Event] = []
    hass.bus.async_listen(MATCH_ALL, events.append)
    issued = await site.call("resident", "issue_goods_pass", **_pass())
    assert isinstance(issued, dict)
    code = issued["code"]
    await site.call("guard", "verify_goods_pass", code=code, door="Main gate")
    await site.call("guard", "verify_goods_pass", code=issued["qr"], door="Main gate")
    await site.call("guard", "inspect_goods", note="checked", door="Main gate")
    listed = await site.call("admin", "list_goods_passes")
    await hass.async_block_till_done()
    # Called directly: the test client's token would be from after the frozen time.
    diagnostics = await async_get_config_entry_diagnostics(hass, site.entry)
    community = site.entry.runtime_data.community
    haystacks = {
        "events": json.dumps([[e.event_type, e.data] for e in events], default=str),
        "log": caplog.text,
        "states": json.dumps(
            [
                [s.entity_id, s.state, dict(s.attributes)]
                for s in hass.states.async_all()
            ],
            default=str,
        ),
        "diagnostics": json.dumps(diagnostics, default=str),
        "list": json.dumps(listed, default=str),
        "admin actions": json.dumps(
            [a.details for a in await community.admin_actions()], default=str
        ),
    }
    assert any(e.event_type == "call_service" for e in events)
    for where, text in haystacks.items():
        assert code not in text, where
