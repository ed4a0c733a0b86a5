"""A community with an admin, a guard, two linked households and a plain user.

Service calls are made as one of them through ``Context(user_id=...)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.community_access.const import CONF_GUARD_USERS
from homeassistant.auth.models import User
from homeassistant.core import Context, HomeAssistant, ServiceResponse
from tests.conftest import make_entry
from tests.helpers import add_resident, call

UNIT = "3-2-501"
OTHER_UNIT = "1-1-101"
OTHER_CARD = "0099887766"


@dataclass
class Site:
    """The test community and its users."""

    hass: HomeAssistant
    entry: MockConfigEntry
    users: dict[str, User]
    ids: dict[str, Any] = field(default_factory=dict)

    async def call(self, who: str, service: str, **data: Any) -> ServiceResponse:
        """Call a service as ``who`` (``automation``: without a user)."""
        user_id = None if who == "automation" else self.users[who].id
        return await call(self.hass, service, data, context=Context(user_id=user_id))


def _valid(body: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


async def make_site(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, **options: Any
) -> Site:
    """Set the community up at 10:00 on 1 June 2026 in Shanghai, with its users."""
    await hass.config.async_set_time_zone("Asia/Shanghai")
    freezer.move_to("2026-06-01T10:00:00+08:00")
    users: dict[str, User] = {}
    for who, admin in (
        ("admin", True),
        ("guard", False),
        ("resident", False),
        ("neighbour", False),
        ("plain", False),
    ):
        users[who] = await hass.auth.async_create_user(
            who.title(), group_ids=["system-admin" if admin else "system-users"]
        )
    entry = make_entry(options={CONF_GUARD_USERS: [users["guard"].id], **options})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    site = Site(hass, entry, users)
    site.ids["resident"] = await add_resident(hass, UNIT, "赵磊")
    site.ids["neighbour"] = await add_resident(
        hass,
        OTHER_UNIT,
        "孙丽",
        card=OTHER_CARD,
        id_number=_valid("31010419800101123"),
    )
    for unit, who in ((UNIT, "resident"), (OTHER_UNIT, "neighbour")):
        await call(hass, "link_household", {"unit": unit, "users": [users[who].id]})
    return site
