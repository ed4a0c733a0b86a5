"""No ID number, card number or PIN in events, logs, states or diagnostics."""

from __future__ import annotations

import json
import logging
from pathlib import Path
import re

import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from custom_components.community_access.const import DOMAIN
from homeassistant.const import MATCH_ALL
from homeassistant.core import Event, HomeAssistant

from .helpers import call, present

ID_NUMBER = "440305199001011234"  # check digit valid for this test
SECRETS = {
    "id number": ID_NUMBER,
    "card": "a1:b2:c3:d4:e5",
    "pin": "739164",
    "phone": "13912345678",
}


def _valid_id(body: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


async def test_secrets_never_leak(
    hass: HomeAssistant, setup_entry, hass_client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    id_number = _valid_id("44030519900101123")
    secrets = {**SECRETS, "id number": id_number}
    events: list[Event] = []
    hass.bus.async_listen(MATCH_ALL, events.append)

    await call(hass, "add_household", {"unit": "3-2-501"})
    person = await call(
        hass,
        "add_person",
        {
            "unit": "3-2-501",
            "name": "赵磊",
            "role": "owner",
            "id_number": id_number,
            "phone": secrets["phone"],
        },
    )
    card = await call(
        hass,
        "issue_card",
        {"person_id": person["person_id"], "card_number": secrets["card"]},
    )
    await call(
        hass,
        "add_credential",
        {"person_id": person["person_id"], "kind": "pin", "value": secrets["pin"]},
    )
    responses = [person, card]
    responses.append(await present(hass, "Building 3 door", secrets["card"]))
    responses.append(await present(hass, "Building 3 door", secrets["pin"], "pin"))
    responses.append(await present(hass, "Building 1 door", secrets["card"]))
    responses.append(await present(hass, "Main gate", "FFFF-0000-1111"))  # unknown
    responses.append(await call(hass, "query_access_log", {}))
    await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, setup_entry)

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
        "responses": json.dumps(responses, default=str),
    }
    assert len(events) > 10
    assert "Building 3 door" in haystacks["events"]
    for where, text in haystacks.items():
        for what, value in secrets.items():
            normalized = re.sub(r"[:-]", "", value.upper())
            assert value not in text, f"{what} found in {where}"
            assert normalized not in text, f"{what} found in {where}"
    # The access record shows cards masked, PINs not at all.
    records = responses[-1]["records"]
    assert {r["credential"] for r in records} == {"****D4E5", "****", "****1111"}
    # Diagnostics keep figures but redact names and units.
    assert diagnostics["counts"]["residents"] == 1
    assert all(
        r["person_name"] in (None, "**REDACTED**") for r in diagnostics["recent_access"]
    )
    assert "赵磊" not in haystacks["diagnostics"]


async def test_database_holds_no_clear_values(hass: HomeAssistant, setup_entry) -> None:
    id_number = _valid_id("44030519900101123")
    await call(hass, "add_household", {"unit": "3-2-501"})
    person = await call(
        hass,
        "add_person",
        {"unit": "3-2-501", "name": "赵磊", "role": "owner", "id_number": id_number},
    )
    await call(
        hass,
        "issue_card",
        {"person_id": person["person_id"], "card_number": "A1B2C3D4E5"},
    )
    await call(
        hass,
        "add_credential",
        {"person_id": person["person_id"], "kind": "pin", "value": "739164"},
    )
    await present(hass, "Main gate", "A1B2C3D4E5")
    await hass.config_entries.async_unload(setup_entry.entry_id)
    raw = b"".join(
        p.read_bytes() for p in Path(hass.config.config_dir).glob(f"{DOMAIN}_*.db*")
    )
    assert raw
    for value in (id_number, "A1B2C3D4E5", "739164"):
        assert value.encode() not in raw
    assert "赵磊".encode() in raw  # names are kept (the access record says who)


async def test_recorder_stores_no_secrets_from_service_calls(
    recorder_mock, hass: HomeAssistant, setup_entry
) -> None:
    """Home Assistant records call_service events; ours reach it redacted."""
    from pytest_homeassistant_custom_component.components.recorder.common import (
        async_wait_recording_done,
    )
    from sqlalchemy import text

    from homeassistant.components.recorder import get_instance
    from homeassistant.components.recorder.util import session_scope

    id_number = _valid_id("44030519900101123")
    await call(hass, "add_household", {"unit": "3-2-501"})
    person = await call(
        hass,
        "add_person",
        {"unit": "3-2-501", "name": "赵磊", "role": "owner", "id_number": id_number},
    )
    await call(
        hass,
        "issue_card",
        {"person_id": person["person_id"], "card_number": "A1B2C3D4E5"},
    )
    assert (await present(hass, "Building 3 door", "A1B2C3D4E5"))["granted"] is True
    await async_wait_recording_done(hass)

    def _recorded() -> str:
        with session_scope(hass=hass, read_only=True) as session:
            rows = session.execute(text("SELECT shared_data FROM event_data")).all()
        return "\n".join(str(r[0]) for r in rows)

    recorded = await get_instance(hass).async_add_executor_job(_recorded)
    assert "present_credential" in recorded
    assert "**REDACTED**" in recorded
    for value in (id_number, "A1B2C3D4E5"):
        assert value not in recorded
