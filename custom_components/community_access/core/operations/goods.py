"""Goods passes (放行条) and a guard's checks of goods.

A household (its linked user, or the office) issues a one-time pass for
goods taken out: the items, whether they are large or valuable, the local
day (or a window) it is valid for. The 8-digit code is shown once and kept
only as a keyed hash; the guard at the gate types it (or scans the QR
payload ``CAGP:<community>:<code>``) and the pass is used. A second
verification says when and where it was used. A guard may also record a
check of suspicious goods, with or without a pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
import json
import secrets
from typing import Any

from sqlalchemy import and_, insert, select, update

from custom_components.community_access.core.community import Community, utcnow
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.models import PersonStatus
from custom_components.community_access.core.schema import goods_checks, goods_passes
from custom_components.community_access.core.text import clean_free_text

#: Purpose of the keyed hash of a pass's code (separate from visitor codes).
CODE_PURPOSE = "goods_pass"
QR_PREFIX = "CAGP"
CODE_DIGITS = 8
#: A pass is valid for at most this long.
MAX_WINDOW = timedelta(days=7)
MAX_ITEMS = 30
ITEM_MAX = 100
NOTE_MAX = 500
LIST_LIMIT = 200


class PassCheck(StrEnum):
    """What verifying a code found."""

    VALID = "valid"
    INVALID = "invalid"
    USED = "used"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class GoodsPass:
    """A goods pass (never its code)."""

    id: int
    household_id: int
    person_id: int | None
    items: tuple[str, ...]
    large_or_valuable: bool
    valid_from: datetime
    valid_until: datetime
    note: str | None
    issued_at: datetime
    issued_by: str | None
    used_at: datetime | None = None
    used_by: str | None = None
    used_door_id: str | None = None


@dataclass(frozen=True, slots=True)
class IssuedPass:
    """A new pass and its code (to show once)."""

    goods_pass: GoodsPass
    code: str


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of a code at the gate; the pass when one was found."""

    status: PassCheck
    goods_pass: GoodsPass | None = None


@dataclass(frozen=True, slots=True)
class GoodsCheck:
    """A guard's check of goods."""

    id: int
    at: datetime
    door_id: str | None
    goods_pass_id: int | None
    household_id: int | None
    note: str | None
    by: str | None


def day_window(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """Return the local day ``day`` in ``tz``: (its midnight, the next midnight)."""
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def qr_payload(community_id: str, code: str) -> str:
    """Return the QR payload of a pass: no personal data, only where and the code."""
    return f"{QR_PREFIX}:{community_id}:{code}"


def code_from_input(text: str) -> str:
    """Return the code in what the guard typed or scanned (QR payload or digits)."""
    value = text.strip()
    if value.upper().startswith(f"{QR_PREFIX}:"):
        value = value.rsplit(":", 1)[-1]
    return "".join(ch for ch in value if not ch.isspace() and ch != "-")


def clean_items(items: Sequence[str]) -> tuple[str, ...]:
    """Items as listed (each printable, at most 100 characters); at least one."""
    cleaned = [
        clean_free_text(str(item), max_length=ITEM_MAX, key="invalid_goods_items")
        for item in items
    ]
    kept = tuple(item for item in cleaned if item)
    if not kept or len(kept) > MAX_ITEMS:
        raise CommunityError("invalid_goods_items")
    return kept


def check_window(valid_from: datetime, valid_until: datetime) -> None:
    """Check a pass's window: aware, ending after it starts, at most 7 days."""
    if valid_from.tzinfo is None or valid_until.tzinfo is None:
        raise CommunityError("naive_datetime")
    if not valid_from < valid_until <= valid_from + MAX_WINDOW:
        raise CommunityError("invalid_goods_window")


def status_at(goods_pass: GoodsPass, now: datetime) -> PassCheck:
    """Whether a pass may be used now (before marking it used)."""
    if goods_pass.used_at is not None:
        return PassCheck.USED
    if now < goods_pass.valid_from:
        return PassCheck.NOT_YET_VALID
    if now >= goods_pass.valid_until:
        return PassCheck.EXPIRED
    return PassCheck.VALID


def _pass(row: Mapping[Any, Any]) -> GoodsPass:
    return GoodsPass(
        id=row["id"],
        household_id=row["household_id"],
        person_id=row["person_id"],
        items=tuple(json.loads(row["items"])),
        large_or_valuable=bool(row["large_or_valuable"]),
        valid_from=_aware(row["valid_from"]),
        valid_until=_aware(row["valid_until"]),
        note=row["note"],
        issued_at=_aware(row["issued_at"]),
        issued_by=row["issued_by"],
        used_at=_aware(row["used_at"]) if row["used_at"] else None,
        used_by=row["used_by"],
        used_door_id=row["used_door_id"],
    )


def _aware(value: datetime) -> datetime:
    # Rows come back aware (UTCDateTime); a value from elsewhere is UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class GoodsDesk:
    """Goods passes and checks of one community (rows in the database only)."""

    def __init__(self, community: Community) -> None:
        """Work on one community."""
        self.community = community

    # ---- issuing
    async def issue(
        self,
        *,
        unit: str,
        items: Sequence[str],
        valid_from: datetime,
        valid_until: datetime,
        person_id: int | None = None,
        large_or_valuable: bool = False,
        note: str | None = None,
        issued_by: str | None = None,
        now: datetime | None = None,
    ) -> IssuedPass:
        """Issue a pass for a household's goods; the code is returned once."""
        community = self.community
        household = community.household(unit)
        if household.moved_out_at is not None:
            raise CommunityError("household_moved_out", unit=str(household.unit))
        if person_id is not None:
            person = community.person(person_id)
            if (
                person.household_id != household.id
                or person.status is PersonStatus.MOVED_OUT
            ):
                raise CommunityError(
                    "person_not_in_household", unit=str(household.unit)
                )
        check_window(valid_from, valid_until)
        values: dict[str, Any] = {
            "household_id": household.id,
            "person_id": person_id,
            "items": json.dumps(list(clean_items(items)), ensure_ascii=False),
            "large_or_valuable": large_or_valuable,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "note": clean_free_text(note, max_length=NOTE_MAX, multiline=True),
            "issued_at": (now or utcnow()).replace(microsecond=0),
            "issued_by": issued_by,
        }
        async with community.write_lock:
            code, goods_pass = await community.run(self._insert, values)
        return IssuedPass(goods_pass, code)

    def _insert(self, values: dict[str, Any]) -> tuple[str, GoodsPass]:
        db = self.community.db
        with db.transaction() as tx:
            conn = tx.conn
            while True:
                code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
                digest = self.community.vault.digest(CODE_PURPOSE, code)
                taken = conn.execute(
                    select(goods_passes.c.id).where(
                        goods_passes.c.code_digest == digest
                    )
                ).first()
                if taken is None:
                    break
            new_id = conn.execute(
                insert(goods_passes).values(**values, code_digest=digest)
            ).inserted_primary_key[0]
            row = conn.execute(
                select(goods_passes).where(goods_passes.c.id == new_id)
            ).mappings()
            return code, _pass(row.one())

    # ---- at the gate
    async def verify(
        self,
        code: str,
        *,
        door_id: str | None,
        by: str | None = None,
        now: datetime | None = None,
    ) -> Verification:
        """Check a code at the gate; a valid pass is used by this check."""
        community = self.community
        now = now or utcnow()
        digits = code_from_input(code)
        if not digits.isdigit() or len(digits) != CODE_DIGITS:
            return Verification(PassCheck.INVALID)
        digest = community.vault.digest(CODE_PURPOSE, digits)
        async with community.write_lock:
            result: Verification = await community.run(
                self._use, digest, door_id, by, now.replace(microsecond=0)
            )
        if result.status is PassCheck.VALID and result.goods_pass is not None:
            await community.record_admin_action(
                "goods_pass_used",
                actor=by,
                details={
                    "goods_pass_id": result.goods_pass.id,
                    "unit": self.unit_of(result.goods_pass.household_id),
                    "door_id": door_id,
                },
                at=now,
            )
        return result

    def _use(
        self, digest: str, door_id: str | None, by: str | None, now: datetime
    ) -> Verification:
        with self.community.db.transaction() as tx:
            conn = tx.conn
            row = (
                conn.execute(
                    select(goods_passes)
                    .where(goods_passes.c.code_digest == digest)
                    .order_by(goods_passes.c.id.desc())
                )
                .mappings()
                .first()
            )
            if row is None:
                return Verification(PassCheck.INVALID)
            found = _pass(row)
            status = status_at(found, now)
            if status is not PassCheck.VALID:
                return Verification(status, found)
            conn.execute(
                update(goods_passes)
                .where(
                    and_(
                        goods_passes.c.id == found.id, goods_passes.c.used_at.is_(None)
                    )
                )
                .values(used_at=now, used_by=by, used_door_id=door_id)
            )
            used = replace(found, used_at=now, used_by=by, used_door_id=door_id)
            return Verification(PassCheck.VALID, used)

    async def inspect(
        self,
        *,
        note: str,
        door_id: str | None = None,
        goods_pass_id: int | None = None,
        unit: str | None = None,
        by: str | None = None,
        now: datetime | None = None,
    ) -> GoodsCheck:
        """Record a guard's check of suspicious goods (with or without a pass)."""
        community = self.community
        text = clean_free_text(note, max_length=NOTE_MAX, multiline=True)
        if not text:
            raise CommunityError("goods_check_note_required")
        household_id = community.household(unit).id if unit else None
        values: dict[str, Any] = {
            "at": (now or utcnow()).replace(microsecond=0),
            "door_id": door_id,
            "goods_pass_id": goods_pass_id,
            "household_id": household_id,
            "note": text,
            "by": by,
        }
        check: GoodsCheck = await community.run(self._insert_check, values)
        await community.record_admin_action(
            "goods_inspected",
            actor=by,
            details={
                "goods_check_id": check.id,
                "door_id": door_id,
                "goods_pass_id": goods_pass_id,
                "unit": self.unit_of(household_id),
            },
            at=check.at,
        )
        return check

    def _insert_check(self, values: dict[str, Any]) -> GoodsCheck:
        with self.community.db.transaction() as tx:
            conn = tx.conn
            if values["goods_pass_id"] is not None:
                known = conn.execute(
                    select(goods_passes.c.id).where(
                        goods_passes.c.id == values["goods_pass_id"]
                    )
                ).first()
                if known is None:
                    raise CommunityError(
                        "unknown_goods_pass", goods_pass_id=str(values["goods_pass_id"])
                    )
            new_id = conn.execute(
                insert(goods_checks).values(**values)
            ).inserted_primary_key[0]
            return GoodsCheck(id=int(new_id), **values)

    # ---- the office's list
    async def passes(
        self,
        *,
        unit: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        used: bool | None = None,
        limit: int = LIST_LIMIT,
    ) -> list[GoodsPass]:
        """Return the passes valid at some time in [start, end), newest first."""
        household_id = self.community.household(unit).id if unit else None
        found: list[GoodsPass] = await self.community.run(
            self._select, household_id, start, end, used, limit
        )
        return found

    def _select(
        self,
        household_id: int | None,
        start: datetime | None,
        end: datetime | None,
        used: bool | None,
        limit: int,
    ) -> list[GoodsPass]:
        table = goods_passes
        conditions = []
        if household_id is not None:
            conditions.append(table.c.household_id == household_id)
        if start is not None:
            conditions.append(table.c.valid_until > start)
        if end is not None:
            conditions.append(table.c.valid_from < end)
        if used is not None:
            conditions.append(
                table.c.used_at.is_not(None) if used else table.c.used_at.is_(None)
            )
        stmt = select(table).where(*conditions).order_by(table.c.id.desc())
        with self.community.db.transaction() as tx:
            rows = tx.conn.execute(stmt.limit(limit)).mappings()
            return [_pass(row) for row in rows]

    async def checks(self, *, limit: int = LIST_LIMIT) -> list[GoodsCheck]:
        """Return the latest checks of goods, newest first."""
        found: list[GoodsCheck] = await self.community.run(self._checks, limit)
        return found

    def _checks(self, limit: int) -> list[GoodsCheck]:
        stmt = select(goods_checks).order_by(goods_checks.c.id.desc()).limit(limit)
        with self.community.db.transaction() as tx:
            return [
                GoodsCheck(
                    id=row["id"],
                    at=_aware(row["at"]),
                    door_id=row["door_id"],
                    goods_pass_id=row["goods_pass_id"],
                    household_id=row["household_id"],
                    note=row["note"],
                    by=row["by"],
                )
                for row in tx.conn.execute(stmt).mappings()
            ]

    def unit_of(self, household_id: int | None) -> str | None:
        """Return the unit of a household (None if unknown)."""
        if household_id is None:
            return None
        household = self.community.index.households.get(household_id)
        return str(household.unit) if household else None
