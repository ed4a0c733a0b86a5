"""Two entries of the integration on one PostgreSQL database (issue 14 goal 6).

Two compounds' instances in one Home Assistant, each with its own doors,
both with ``db_url`` on the same database of the private server and the
same keys (copied into each entry's key store, as an administrator would
copy them today: see README, "Several compounds on one PostgreSQL").
"""

from __future__ import annotations

import asyncio
import base64
import time
from typing import Any

from custom_components.community_access.const import CONF_DB_URL
from custom_components.community_access.core.carddesk import CardDesk
from custom_components.community_access.core.decision import Reason
from custom_components.community_access.core.models import CredentialKind, Role
from homeassistant.core import HomeAssistant

from .conftest import make_entry
from .helpers import ID_NUMBER, setup_community

CARD = "4700517391"
KEYS = {
    "hmac_key": base64.b64encode(bytes(range(32))).decode(),
    "aes_key": base64.b64encode(bytes(range(32, 64))).decode(),
}


async def test_lost_at_one_compound_is_denied_at_the_other(
    hass: HomeAssistant, hass_storage: dict[str, Any], pg_migrated_url: str
) -> None:
    entries = []
    for title in ("Compound A", "Compound B"):
        entry = make_entry(title=title, options={CONF_DB_URL: pg_migrated_url})
        hass_storage[f"community_access.{entry.entry_id}.keys"] = {
            "version": 1,
            "minor_version": 1,
            "key": f"community_access.{entry.entry_id}.keys",
            "data": KEYS,
        }
        await setup_community(hass, entry)
        entries.append(entry)
    a = entries[0].runtime_data.community
    b = entries[1].runtime_data.community
    assert entries[1].runtime_data.change_listener is not None
    assert entries[1].runtime_data.change_listener.connected

    await a.add_household("3-2-501")
    owner = await a.add_person(
        name="张三", role=Role.OWNER, unit="3-2-501", id_number=ID_NUMBER
    )
    card = (
        await CardDesk(a).issue_card(person_id=owner.id, card_number=CARD)
    ).credential

    def decided() -> Reason:
        return b.decide("door_gate", CredentialKind.CARD, CARD, b_now()).reason

    def b_now() -> Any:
        from homeassistant.util import dt as dt_util  # noqa: PLC0415

        return dt_util.now()

    async def until(reason: Reason) -> float:
        start = time.perf_counter()
        while decided() is not reason:
            assert time.perf_counter() - start < 1.0, decided()
            await asyncio.sleep(0.005)
        return time.perf_counter() - start

    await until(Reason.GRANTED)
    await CardDesk(a).report_lost(card.id)
    await until(Reason.LOST)
    for entry in entries:
        assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
