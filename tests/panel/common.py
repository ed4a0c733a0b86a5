"""A community with an admin, a named guard, two residents and a plain user.

Each has a real Home Assistant user and access token; ``Desk.ws`` opens a
websocket as one of them and ``Desk.call`` sends one command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pytest_homeassistant_custom_component.common import CLIENT_ID, MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    MockHAClientWebSocket,
    WebSocketGenerator,
)

from custom_components.community_access.const import CONF_GUARD_USERS, DOMAIN
from homeassistant.auth.models import User
from homeassistant.core import HomeAssistant
from tests.conftest import make_entry
from tests.helpers import add_resident, call, setup_community

UNIT = "3-2-501"
OTHER_UNIT = "1-1-101"
OTHER_CARD = "0099887766"


def valid_id(body: str) -> str:
    """Return a resident ID number with its GB 11643 check digit."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


VISITOR_ID = valid_id("44030519851212301")
OTHER_ID = valid_id("31010419800101123")


async def make_user(hass: HomeAssistant, name: str, *, admin: bool) -> tuple[User, str]:
    """Return a new user and an access token for them."""
    user = await hass.auth.async_create_user(
        name, group_ids=["system-admin" if admin else "system-users"]
    )
    refresh = await hass.auth.async_create_refresh_token(user, CLIENT_ID)
    return user, hass.auth.async_create_access_token(refresh)


@dataclass
class Desk:
    """The test community and its people."""

    hass: HomeAssistant
    client: WebSocketGenerator
    entry: MockConfigEntry
    users: dict[str, User]
    tokens: dict[str, str]
    ids: dict[str, Any] = field(default_factory=dict)
    sockets: dict[str, MockHAClientWebSocket] = field(default_factory=dict)
    #: Events that arrived while waiting for a result, by user.
    pending: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    async def ws(self, who: str) -> MockHAClientWebSocket:
        """Return the websocket of ``who`` (opened once)."""
        if who not in self.sockets:
            self.sockets[who] = await self.client(self.hass, self.tokens[who])
        return self.sockets[who]

    async def send(self, who: str, command: str, **data: Any) -> int:
        """Send a command as ``who``; return its message id."""
        socket = await self.ws(who)
        message = {"type": f"{DOMAIN}/{command}", **data}
        if command != "panels":
            message.setdefault("entry_id", self.entry.entry_id)
        await socket.send_json_auto_id(message)
        return int(message["id"])

    async def call(self, who: str, command: str, **data: Any) -> dict[str, Any]:
        """Send a command as ``who``; return the whole answer."""
        msg_id = await self.send(who, command, **data)
        while True:
            answer: dict[str, Any] = await self.sockets[who].receive_json()
            if answer["id"] == msg_id and answer["type"] == "result":
                return answer
            # An event of a subscription came first: kept for :meth:`event`.
            self.pending.setdefault(who, []).append(answer)

    async def event(self, who: str, msg_id: int) -> dict[str, Any]:
        """Return the next event of the subscription ``msg_id`` of ``who``."""
        waiting = self.pending.get(who, [])
        message = waiting.pop(0) if waiting else await self.sockets[who].receive_json()
        assert message["id"] == msg_id and message["type"] == "event", message
        data: dict[str, Any] = message["event"]
        return data

    async def subscribe(
        self, who: str, command: str, **data: Any
    ) -> tuple[int, dict[str, Any]]:
        """Subscribe as ``who``; return the subscription id and the first snapshot."""
        answer = await self.call(who, command, **data)
        assert answer["success"], answer
        return int(answer["id"]), answer["result"]

    async def ok(self, who: str, command: str, **data: Any) -> Any:
        """Send a command that must succeed; return its result."""
        answer = await self.call(who, command, **data)
        assert answer["success"], answer
        return answer["result"]

    async def error(self, who: str, command: str, **data: Any) -> dict[str, Any]:
        """Send a command that must fail; return the error."""
        answer = await self.call(who, command, **data)
        assert not answer["success"], answer
        error: dict[str, Any] = answer["error"]
        return error


async def make_desk(hass: HomeAssistant, client: WebSocketGenerator) -> Desk:
    """Set the community up with its people, households and links."""
    users: dict[str, User] = {}
    tokens: dict[str, str] = {}
    for who, admin in (
        ("admin", True),
        ("guard", False),
        ("resident", False),
        ("neighbour", False),
        ("plain", False),
    ):
        users[who], tokens[who] = await make_user(hass, who.title(), admin=admin)
    entry = make_entry(options={CONF_GUARD_USERS: [users["guard"].id]})
    await setup_community(hass, entry)
    desk = Desk(hass, client, entry, users, tokens)
    desk.ids["resident"] = await add_resident(hass, UNIT, "赵磊")
    desk.ids["neighbour"] = await add_resident(
        hass, OTHER_UNIT, "孙丽", card=OTHER_CARD, id_number=OTHER_ID
    )
    for unit, who in ((UNIT, "resident"), (OTHER_UNIT, "neighbour")):
        await call(hass, "link_household", {"unit": unit, "users": [users[who].id]})
    return desk


def visitor(**extra: Any) -> dict[str, Any]:
    """Fields of gate/register_visitor for a visitor to the resident's unit."""
    return {
        "unit": UNIT,
        "name": "钱多多",
        "id_number": VISITOR_ID,
        "phone": "13900001111",
        "purpose": "送文件",
        "minutes": 60,
    } | extra
