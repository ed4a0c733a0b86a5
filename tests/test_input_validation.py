"""Numbers and text given to the services are refused with a clear message.

Numbers: strict whole numbers (or amounts of money) within the bounds that
``services.yaml`` shows the user interface; never truncated, never an
``OverflowError`` or a SQLite error. Text: names are printable text, card
numbers are digits or hex of a sane length.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
import json
import math
from pathlib import Path
from typing import Any

import pytest
import voluptuous as vol
import yaml

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.service_numbers import Amount, WholeNumber
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from .helpers import CARD, ID_NUMBER, add_resident, call

PACKAGE = Path(__file__).parent.parent / "custom_components" / DOMAIN
ID_MESSAGE = "must be a whole number from 1 to 2147483647"
HUGE = 10**30
VISITOR_ID = "44030519851212301X"


def _number_fields() -> list[tuple[str, str, dict[str, Any]]]:
    described = yaml.safe_load((PACKAGE / "services.yaml").read_text("utf-8"))
    return [
        (service, field, spec["selector"]["number"])
        for service, description in described.items()
        for field, spec in (description.get("fields") or {}).items()
        if "number" in (spec.get("selector") or {})
    ]


NUMBER_FIELDS = _number_fields()


def _field_errors(schema: Callable[[Any], Any], field: str, value: Any) -> list[str]:
    """Errors a schema reports about one field (other fields may be missing)."""
    try:
        schema({field: value})
    except vol.MultipleInvalid as err:
        return [e.msg for e in err.errors if e.path[:1] == [field]]
    except vol.Invalid as err:
        return [err.msg] if err.path[:1] == [field] else []
    return []


def test_every_number_field_is_found() -> None:
    assert len(NUMBER_FIELDS) >= 25
    assert ("add_household", "card_quota", {"min": 0, "max": 50, "mode": "box"}) in (
        NUMBER_FIELDS
    )


@pytest.mark.parametrize(
    ("service", "field", "selector"),
    NUMBER_FIELDS,
    ids=[f"{s}.{f}" for s, f, _ in NUMBER_FIELDS],
)
async def test_number_fields_match_their_selector(
    hass: HomeAssistant, setup_entry, service: str, field: str, selector: dict
) -> None:
    """The schema takes exactly what the selector offers, and nothing odd."""
    registered = hass.services.async_services_for_domain(DOMAIN)[service]
    schema = registered.schema
    assert schema is not None
    low, high = selector["min"], selector["max"]
    step = selector.get("step", 1)
    for value in (low, high):
        assert _field_errors(schema, field, value) == [], (field, value)
        assert _field_errors(schema, field, str(value)) == [], (field, value)
    refused: list[Any] = [
        low - step,
        high + step,
        True,
        False,
        math.inf,
        -math.inf,
        math.nan,
        HUGE,
        -HUGE,
        float(HUGE),
        "1e30",
        "inf",
        "",
        None,
        [low],
        {"value": low},
    ]
    if step == 1:
        refused += [low + 0.9, f"{low}.5"]
    else:
        refused += [low + 0.001]
    for value in refused:
        errors = _field_errors(schema, field, value)
        assert errors, (field, value)
        assert all(str(low) in e and str(high) in e for e in errors), errors
    if step == 1 and selector["max"] >= 1_000_000:
        # Every id field takes the whole PostgreSQL INTEGER range.
        assert high == 2_147_483_647


def _bounded(validator: Any) -> WholeNumber | Amount | None:
    """The number validator of a schema field (maybe inside vol.All).

    Lists of numbers (``returned_card_ids``) are not number selectors.
    """
    if isinstance(validator, WholeNumber | Amount):
        return validator
    if isinstance(validator, vol.All):
        found = [_bounded(v) for v in validator.validators]
        return next((v for v in found if v is not None), None)
    return None


async def test_every_number_field_is_described(
    hass: HomeAssistant, setup_entry
) -> None:
    """Each bounded number of a schema has a number selector with its bounds."""
    described = {(s, f): sel for s, f, sel in NUMBER_FIELDS}
    checked = 0
    for service, registered in hass.services.async_services_for_domain(DOMAIN).items():
        schema = registered.schema
        if isinstance(schema, vol.All):
            schema = next(v for v in schema.validators if isinstance(v, vol.Schema))
        assert isinstance(schema, vol.Schema), service
        for key, validator in schema.schema.items():
            bounded = _bounded(validator)
            if bounded is None:
                continue
            selector = described.get((service, str(key)))
            assert selector is not None, f"{service}.{key} has no number selector"
            assert (selector["min"], selector["max"]) == (
                bounded.minimum,
                bounded.maximum,
            ), f"{service}.{key}"
            checked += 1
    assert checked == len(NUMBER_FIELDS)


# ---- the cases of the report, through Home Assistant


async def _invalid(hass: HomeAssistant, service: str, data: dict[str, Any]) -> str:
    with pytest.raises(vol.Invalid) as err:
        await call(hass, service, data)
    return str(err.value)


async def _refused(hass: HomeAssistant, service: str, data: dict[str, Any]) -> str:
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, service, data)
    assert err.value.translation_domain == DOMAIN
    return str(err.value.translation_key)


async def test_infinity_is_refused_not_an_overflow(
    hass: HomeAssistant, setup_entry
) -> None:
    ids = await add_resident(hass)
    message = await _invalid(
        hass, "add_household", {"unit": "3-2-502", "card_quota": math.inf}
    )
    assert "must be a whole number from 0 to 50" in message
    assert "card_quota" in message
    assert ID_MESSAGE in await _invalid(
        hass,
        "add_credential",
        {"person_id": math.inf, "kind": "pin", "value": "583716"},
    )
    assert "from 1 to 1440" in await _invalid(
        hass,
        "register_visitor",
        {
            "unit": "3-2-501",
            "name": "钱多多",
            "id_number": VISITOR_ID,
            "phone": "13900001111",
            "expected_minutes": math.inf,
        },
    )
    assert "with at most 2 decimals" in await _invalid(
        hass,
        "issue_card",
        {
            "person_id": ids["person_id"],
            "card_number": "4700517391",
            "deposit": math.nan,
        },
    )


@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("query_access_log", {"person_id": HUGE}),
        ("list_violations", {"person_id": HUGE}),
        ("apply_penalty", {"person_id": HUGE, "kind": "warning"}),
        ("record_violation", {"credential_id": HUGE, "kind": "other"}),
        ("lift_penalty", {"penalty_id": HUGE}),
        ("report_card_lost", {"credential_id": HUGE}),
        ("approve_visitor", {"visit_id": HUGE}),
    ],
)
async def test_huge_ids_never_reach_the_database(
    hass: HomeAssistant, setup_entry, service: str, data: dict[str, Any]
) -> None:
    await add_resident(hass)
    assert ID_MESSAGE in await _invalid(hass, service, data)


@pytest.mark.parametrize("person_id", [1.9, True, "1.0", "１"])
async def test_ids_are_not_rounded(
    hass: HomeAssistant, setup_entry, person_id: Any
) -> None:
    await add_resident(hass)
    community = setup_entry.runtime_data.community
    before = community.counts()
    assert ID_MESSAGE in await _invalid(
        hass,
        "add_credential",
        {"person_id": person_id, "kind": "pin", "value": "583716"},
    )
    assert community.counts() == before


async def test_integral_numbers_are_taken(hass: HomeAssistant, setup_entry) -> None:
    """An ``input_number`` state or a template gives ``2.0`` or ``" 2 "``."""
    await call(hass, "add_household", {"unit": "3-2-501", "card_quota": 2.0})
    await call(hass, "add_household", {"unit": "3-2-502", "card_quota": " 3 "})
    households = setup_entry.runtime_data.community.index.households
    assert sorted(h.card_quota for h in households.values()) == [2, 3]


@pytest.mark.parametrize(
    "card_number",
    ["'; DROP TABLE people;--", "1234😀", "12\x0034", "V0001", "123", "9" * 65],
)
async def test_card_numbers_must_be_digits_or_hex(
    hass: HomeAssistant, setup_entry, card_number: str
) -> None:
    ids = await add_resident(hass, card=None)
    assert (
        await _refused(
            hass,
            "issue_card",
            {"person_id": ids["person_id"], "card_number": card_number},
        )
        == "invalid_card_number"
    )
    assert setup_entry.runtime_data.community.counts()["active_credentials"] == 0


async def test_card_numbers_refused_on_every_issuing_path(
    hass: HomeAssistant, setup_entry
) -> None:
    ids = await add_resident(hass)
    bad = "'; DROP TABLE people;--"
    until = (dt_util.now() + timedelta(days=20)).isoformat()
    cases: list[tuple[str, dict[str, Any]]] = [
        (
            "reissue_card",
            {"credential_id": ids["credential_id"], "card_number": bad},
        ),
        (
            "issue_temporary_card",
            {
                "owner_person_id": ids["person_id"],
                "name": "孙租客",
                "role": "tenant",
                "id_number": "440305199001010018",
                "card_number": bad,
                "valid_until": until,
            },
        ),
        (
            "register_contractor",
            {
                "unit": "3-2-501",
                "name": "周师傅",
                "id_number": "440305199001010018",
                "card_number": bad,
                "valid_until": until,
            },
        ),
        (
            "register_visitor",
            {
                "unit": "3-2-501",
                "name": "钱多多",
                "id_number": VISITOR_ID,
                "phone": "13900001111",
                "card_number": bad,
            },
        ),
    ]
    for service, data in cases:
        assert await _refused(hass, service, data) == "invalid_card_number", service
    window = {
        "arrival_from": dt_util.now().isoformat(),
        "arrival_until": (dt_util.now() + timedelta(hours=4)).isoformat(),
    }
    announced = await call(
        hass,
        "preregister_visitor",
        {"unit": "3-2-501", "name": "周到", "phone": "13800002222", **window},
    )
    assert (
        await _refused(
            hass,
            "check_in_visitor",
            {"code": announced["code"], "card_number": "1234😀"},
        )
        == "invalid_card_number"
    )
    # A card number with separators and lower-case hex is fine.
    other = await add_resident(hass, unit="3-2-502", name="钱二", card=None)
    await call(
        hass,
        "issue_card",
        {"person_id": other["person_id"], "card_number": "4a:00:51:73:91"},
    )


async def test_presenting_a_malformed_card_number(
    hass: HomeAssistant, setup_entry
) -> None:
    await add_resident(hass)
    assert (
        await _refused(
            hass,
            "present_credential",
            {"door": "Main gate", "kind": "card", "value": "'; DROP TABLE people;--"},
        )
        == "invalid_card_number"
    )
    granted = await call(
        hass,
        "present_credential",
        {"door": "Main gate", "kind": "card", "value": CARD.lstrip("0")},
    )
    assert granted is not None and granted["granted"] is True


@pytest.mark.parametrize("name", ["赵\x00磊", "\u202egnp.exe", "赵\u200b磊", "a\nb"])
async def test_names_must_be_printable(
    hass: HomeAssistant, setup_entry, name: str
) -> None:
    ids = await add_resident(hass, card=None)
    assert (
        await _refused(
            hass,
            "add_person",
            {"unit": "3-2-501", "name": name, "role": "family"},
        )
        == "invalid_name"
    )
    assert (
        await _refused(
            hass, "update_person", {"person_id": ids["person_id"], "name": name}
        )
        == "invalid_name"
    )
    assert (
        await _refused(
            hass,
            "register_visitor",
            {
                "unit": "3-2-501",
                "name": name,
                "id_number": VISITOR_ID,
                "phone": "13900001111",
            },
        )
        == "invalid_name"
    )


async def test_contractor_company_and_tools_are_printable(
    hass: HomeAssistant, setup_entry
) -> None:
    await call(hass, "add_household", {"unit": "3-2-501"})
    until = (dt_util.now() + timedelta(days=20)).isoformat()
    base = {
        "unit": "3-2-501",
        "name": "周师傅",
        "id_number": ID_NUMBER,
        "valid_until": until,
    }
    assert (
        await _refused(
            hass, "register_contractor", base | {"company": "安居\u202e装饰"}
        )
        == "invalid_company"
    )
    assert (
        await _refused(hass, "register_contractor", base | {"tools": ["电钻\x00"]})
        == "invalid_tool"
    )


async def test_free_text_refuses_controls(hass: HomeAssistant, setup_entry) -> None:
    ids = await add_resident(hass)
    assert (
        await _refused(
            hass,
            "record_violation",
            {"person_id": ids["person_id"], "kind": "other", "note": "x\x00y"},
        )
        == "invalid_text"
    )
    assert (
        await _refused(
            hass,
            "register_visitor",
            {
                "unit": "3-2-501",
                "name": "钱多多",
                "id_number": VISITOR_ID,
                "phone": "13900001111",
                "purpose": "送\u202e文件",
            },
        )
        == "invalid_text"
    )
    assert (
        await _refused(
            hass, "bar_visitor", {"id_number": VISITOR_ID, "reason": "\u2066x"}
        )
        == "invalid_text"
    )
    # A multi-line note is fine.
    recorded = await call(
        hass,
        "record_violation",
        {"person_id": ids["person_id"], "kind": "other", "note": "第一行\n第二行"},
    )
    assert recorded is not None


def test_new_messages_are_translated() -> None:
    keys = {
        "invalid_card_number",
        "invalid_name",
        "invalid_company",
        "invalid_tool",
        "invalid_text",
    }
    for language in ("en", "zh-Hans"):
        messages = json.loads(
            (PACKAGE / "translations" / f"{language}.json").read_text("utf-8")
        )["exceptions"]
        assert keys <= set(messages), language


@pytest.mark.parametrize(
    "evidence",
    [{"record_id": math.inf}, {"note": "x" * 5000}, {"a": {"b": math.nan}}],
)
async def test_evidence_is_small_plain_json(
    hass: HomeAssistant, setup_entry, evidence: dict[str, Any]
) -> None:
    ids = await add_resident(hass)
    message = await _invalid(
        hass,
        "record_violation",
        {"person_id": ids["person_id"], "kind": "other", "evidence": evidence},
    )
    assert "evidence" in message
    recorded = await call(
        hass,
        "record_violation",
        {"person_id": ids["person_id"], "kind": "other", "evidence": {"id": 1234}},
    )
    assert recorded is not None


@pytest.mark.parametrize(
    ("kind", "value"),
    [("plate", "京A\x0012345"), ("fingerprint", "fp\u202e01"), ("face", "f\u200b1")],
)
async def test_other_credential_values_are_printable(
    hass: HomeAssistant, setup_entry, kind: str, value: str
) -> None:
    ids = await add_resident(hass)
    assert (
        await _refused(
            hass,
            "add_credential",
            {"person_id": ids["person_id"], "kind": kind, "value": value},
        )
        == "invalid_credential_value"
    )
