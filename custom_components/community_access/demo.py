"""A demo community to try the integration (chosen in the config flow).

Demo values are public by design: they are printed by ``scripts/develop`` so
that a newcomer can present them. Never use them for a real site.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.util import dt as dt_util

from .const import (
    CONF_ALLOWED_ROLES,
    CONF_AREA,
    CONF_BUILDING,
    CONF_DIRECTION,
    CONF_ESCAPE_ROUTE,
    CONF_HOURS,
    CONF_OPEN_TIME,
    CONF_ZONE_KIND,
)
from .core.carddesk import CardDesk
from .core.community import Community
from .core.models import CredentialKind, Role
from .core.schedule import Schedule

#: (unit, [(name, role, card number, PIN or None)])
DEMO_HOUSEHOLDS: list[tuple[str, list[tuple[str, Role, str, str | None]]]] = [
    (
        "1-1-101",
        [
            ("王建国", Role.OWNER, "10000101", "250731"),
            ("李秀英", Role.FAMILY, "10000102", None),
        ],
    ),
    ("1-1-102", [("张伟", Role.OWNER, "10000201", None)]),
    ("2-1-301", [("刘洋", Role.TENANT, "20000301", "480216")]),
    (
        "2-2-502",
        [
            ("陈静", Role.OWNER, "20000501", None),
            ("陈小明", Role.FAMILY, "20000502", None),
        ],
    ),
    ("3-2-501", [("赵磊", Role.OWNER, "30000501", "913572")]),
]
DEMO_STAFF_CARD = "90000001"
DEMO_CONTRACTOR_CARD = "80000001"


def demo_doors() -> list[tuple[str, dict[str, Any]]]:
    """(title, subentry data) of the demo doors."""
    gate = {CONF_ZONE_KIND: "gate", CONF_OPEN_TIME: 5, CONF_ESCAPE_ROUTE: True}
    return [
        ("North gate in", gate | {CONF_DIRECTION: "in"}),
        ("North gate out", gate | {CONF_DIRECTION: "out"}),
        ("South gate", gate | {CONF_DIRECTION: "both"}),
        *[
            (
                f"Building {b} unit door",
                {
                    CONF_ZONE_KIND: "building",
                    CONF_BUILDING: b,
                    CONF_DIRECTION: "in",
                    CONF_OPEN_TIME: 5,
                    CONF_ESCAPE_ROUTE: True,
                },
            )
            for b in ("1", "2", "3")
        ],
        (
            "Gym",
            {
                CONF_ZONE_KIND: "public",
                CONF_AREA: "gym",
                CONF_DIRECTION: "in",
                CONF_OPEN_TIME: 5,
                CONF_HOURS: "06:00-22:00",
                CONF_ALLOWED_ROLES: ["owner", "family", "tenant"],
                CONF_ESCAPE_ROUTE: False,
            },
        ),
        (
            "Parking",
            {
                CONF_ZONE_KIND: "public",
                CONF_AREA: "parking",
                CONF_DIRECTION: "both",
                CONF_OPEN_TIME: 10,
                CONF_ESCAPE_ROUTE: False,
            },
        ),
    ]


def demo_id_number(serial: int) -> str:
    """Return a made-up resident ID with a correct check digit (demo data only)."""
    body = f"11010519800101{serial:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


async def async_seed_demo(community: Community) -> bool:
    """Fill an empty community with the demo households; False if not empty."""
    if community.index.households:
        return False
    desk = CardDesk(community)
    serial = 0
    for unit, people in DEMO_HOUSEHOLDS:
        await community.add_household(unit)
        for name, role, card, pin in people:
            serial += 1
            person = await community.add_person(
                name=name, role=role, unit=unit, id_number=demo_id_number(serial)
            )
            await desk.issue_card(
                person_id=person.id, card_number=card, recorded_by="demo"
            )
            if pin:
                await community.add_credential(
                    person_id=person.id, kind=CredentialKind.PIN, value=pin
                )
    staff = await community.add_person(
        name="保安 孙强", role=Role.STAFF, id_number=demo_id_number(90)
    )
    await desk.issue_card(
        person_id=staff.id,
        card_number=DEMO_STAFF_CARD,
        deposit_cents=0,
        schedule=Schedule.daily("07:00-19:00"),
        recorded_by="demo",
    )
    await desk.register_contractor(
        unit="3-2-501",
        name="装修 周师傅",
        id_number=demo_id_number(80),
        company="安居装饰",
        tools=["电钻", "切割机", "瓷砖 20 箱"],
        card_number=DEMO_CONTRACTOR_CARD,
        valid_until=dt_util.utcnow() + timedelta(days=30),
        recorded_by="demo",
    )
    return True
