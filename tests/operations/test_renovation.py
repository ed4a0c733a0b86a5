"""Renovations: a contractor passes during their renovation only (装修登记)."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
import pytest

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from tests.helpers import call, present

from .common import UNIT, Site, make_site

WORKER_CARD = "0055667788"


def _valid(body: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


async def _worker(hass: HomeAssistant) -> int:
    result = await call(
        hass,
        "register_contractor",
        {
            "unit": UNIT,
            "name": "钱师傅",
            "id_number": _valid("11010519800101001"),
            "valid_until": "2026-07-01T00:00:00+08:00",
            "company": "安居装饰",
            "card_number": WORKER_CARD,
        },
    )
    assert isinstance(result, dict)
    return int(result["person_id"])


async def _renovation(site: Site, worker: int) -> dict:
    result = await site.call(
        "admin",
        "register_renovation",
        unit=UNIT,
        company="安居装饰",
        start="2026-06-01T08:00:00+08:00",
        end="2026-06-05T18:00:00+08:00",
        materials=["Electric drill", "Tiles"],
        contractor_ids=[str(worker)],
    )
    assert isinstance(result, dict)
    return result


async def test_contractor_during_and_after_renovation(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    site = await make_site(hass, freezer)
    worker = await _worker(hass)
    # Not on a renovation: their own pass decides, nothing added.
    before = await present(hass, "Main gate", WORKER_CARD)
    assert before["granted"] is True and "renovation" not in before
    for who in ("guard", "resident", "plain"):
        with pytest.raises(Unauthorized):
            await site.call(
                who,
                "register_renovation",
                unit=UNIT,
                company="x",
                start="2026-06-01T08:00:00+08:00",
                end="2026-06-02T08:00:00+08:00",
            )
    renovation = await _renovation(site, worker)
    assert renovation["contractor_ids"] == [worker]
    during = await present(hass, "Main gate", WORKER_CARD)
    assert during["granted"] is True
    assert during["renovation"]["company"] == "安居装饰"
    assert during["renovation"]["start"] == "2026-06-01T00:00:00+00:00"
    assert during["renovation"]["end"] == "2026-06-05T10:00:00+00:00"
    assert during["renovation"]["materials"] == ["Electric drill", "Tiles"]
    # The gate's look-up of a contractor (guards and admins only).
    shown = await site.call("guard", "renovation_for_person", person_id=worker)
    assert isinstance(shown, dict)
    assert shown["renovation"]["company"] == "安居装饰"
    assert shown["renovation"]["current"] is True
    for who in ("resident", "plain"):
        with pytest.raises(Unauthorized):
            await site.call(who, "renovation_for_person", person_id=worker)
    # After the period the contractor is refused though their card is valid.
    freezer.move_to("2026-06-06T10:00:00+08:00")
    after = await present(hass, "Main gate", WORKER_CARD)
    assert (after["granted"], after["reason"]) == (False, "expired")
    assert after["renovation"]["current"] is False
    # Kept over a restart.
    assert await hass.config_entries.async_reload(site.entry.entry_id)
    await hass.async_block_till_done()
    again = await present(hass, "Main gate", WORKER_CARD)
    assert (again["granted"], again["reason"]) == (False, "expired")
    freezer.move_to("2026-06-03T10:00:00+08:00")
    assert (await present(hass, "Main gate", WORKER_CARD))["granted"] is True


async def test_cancelled_renovation_refuses_at_once(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    site = await make_site(hass, freezer)
    worker = await _worker(hass)
    renovation = await _renovation(site, worker)
    for who in ("guard", "resident"):
        with pytest.raises(Unauthorized):
            await site.call(
                who, "cancel_renovation", renovation_id=renovation["renovation_id"]
            )
    assert (await present(hass, "Main gate", WORKER_CARD))["granted"] is True
    cancelled = await site.call(
        "admin", "cancel_renovation", renovation_id=renovation["renovation_id"]
    )
    assert isinstance(cancelled, dict) and cancelled["cancelled"] is True
    refused = await present(hass, "Main gate", WORKER_CARD)
    assert (refused["granted"], refused["reason"]) == (False, "expired")
    # The resident is not affected.
    assert (await present(hass, "Main gate"))["granted"] is True
    with pytest.raises(ServiceValidationError) as err:
        await site.call("admin", "cancel_renovation", renovation_id=999)
    assert err.value.translation_key == "unknown_renovation"
    with pytest.raises(ServiceValidationError) as err:
        await site.call(
            "admin",
            "register_renovation",
            unit=UNIT,
            company="安居装饰",
            start="2026-06-01T08:00:00+08:00",
            end="2026-06-05T18:00:00+08:00",
            contractor_ids=[str(site.ids["resident"]["person_id"])],
        )
    assert err.value.translation_key == "invalid_renovation_contractor"
    actions = await site.entry.runtime_data.community.admin_actions()
    assert [a.action for a in actions][:2] == [
        "renovation_cancelled",
        "renovation_registered",
    ]
