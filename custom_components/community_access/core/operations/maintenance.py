"""Planned maintenance windows (提前告知) and the decisions taken in them.

A window names doors, a start and an end, a message for residents and a
door mode: ``open`` (the door is held unlocked; presentations are recorded
granted with reason ``maintenance``), ``guard_only`` (cards are refused with
``maintenance``; guards let residents in with a guard-verified entry) or
``normal`` (the rules as always; the window is only announced).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
import json
from typing import Any

from sqlalchemy import insert, select, update

from custom_components.community_access.core.decision import Decision, Reason
from custom_components.community_access.core.errors import CommunityError
from custom_components.community_access.core.schema import maintenance_windows
from custom_components.community_access.core.storage import Database
from custom_components.community_access.core.text import clean_free_text

#: The longest window accepted.
MAX_WINDOW = timedelta(days=14)


class MaintenanceMode(StrEnum):
    """What a door does during a window."""

    OPEN = "open"
    GUARD_ONLY = "guard_only"
    NORMAL = "normal"


@dataclass(frozen=True, slots=True)
class Window:
    """One planned maintenance window."""

    id: int
    door_ids: tuple[str, ...]
    start: datetime
    end: datetime
    mode: MaintenanceMode
    message: str | None
    created_at: datetime
    created_by: str | None = None
    notified_at: datetime | None = None
    cancelled_at: datetime | None = None

    def active(self, at: datetime) -> bool:
        """Whether the window is in force at ``at``."""
        return self.cancelled_at is None and self.start <= at < self.end

    def as_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "window_id": self.id,
            "door_ids": list(self.door_ids),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "mode": self.mode.value,
            "message": self.message,
            "notified": self.notified_at is not None,
            "cancelled": self.cancelled_at is not None,
        }


def new_window(
    *,
    door_ids: list[str],
    start: datetime,
    end: datetime,
    mode: MaintenanceMode,
    message: str | None,
    now: datetime,
    by: str | None,
) -> Window:
    """Return a validated window (not yet written)."""
    if not door_ids:
        raise CommunityError("maintenance_needs_doors")
    if end <= start or end <= now or end - start > MAX_WINDOW:
        raise CommunityError("invalid_time_range")
    return Window(
        id=0,
        door_ids=tuple(dict.fromkeys(door_ids)),
        start=start,
        end=end,
        mode=mode,
        message=clean_free_text(message, max_length=500, multiline=True),
        created_at=now,
        created_by=by,
    )


class MaintenanceGate:
    """The windows in force, by door: what the decision hook reads (O(1))."""

    def __init__(self) -> None:
        """No window in force."""
        self.by_door: dict[str, Window] = {}

    def set_active(self, windows: list[Window], at: datetime) -> None:
        """Take the windows in force at ``at`` (the latest start wins at a door)."""
        by_door: dict[str, Window] = {}
        for window in sorted(windows, key=lambda w: w.start):
            if window.active(at):
                for door_id in window.door_ids:
                    by_door[door_id] = window
        self.by_door = by_door

    def apply(self, decision: Decision) -> Decision:
        """Return the decision as the door's window (if any) makes it."""
        window = self.by_door.get(decision.door_id)
        if window is None or not window.active(decision.at):
            return decision
        if window.mode is MaintenanceMode.OPEN:
            return replace(decision, granted=True, reason=Reason.MAINTENANCE)
        if window.mode is MaintenanceMode.GUARD_ONLY:
            return replace(decision, granted=False, reason=Reason.MAINTENANCE)
        return decision


# ---- database (worker thread)
def _window(row: Any) -> Window:
    return Window(
        id=row.id,
        door_ids=tuple(json.loads(row.door_ids)),
        start=row.start,
        end=row.end,
        mode=MaintenanceMode(row.mode),
        message=row.message,
        created_at=row.created_at,
        created_by=row.created_by,
        notified_at=row.notified_at,
        cancelled_at=row.cancelled_at,
    )


def add_window(db: Database, window: Window) -> Window:
    """Write a window; it with its id."""
    with db.transaction() as tx:
        result = tx.conn.execute(
            insert(maintenance_windows).values(
                door_ids=json.dumps(list(window.door_ids)),
                start=window.start,
                end=window.end,
                mode=window.mode.value,
                message=window.message,
                created_at=window.created_at,
                created_by=window.created_by,
            )
        )
    return replace(window, id=int(result.inserted_primary_key[0]))


def mark_notified(db: Database, window_id: int, at: datetime) -> None:
    """Note that residents were told of a window."""
    _set_window(db, window_id, notified_at=at)


def mark_cancelled(db: Database, window_id: int, at: datetime) -> None:
    """Cancel a window."""
    _set_window(db, window_id, cancelled_at=at)


def _set_window(db: Database, window_id: int, **values: Any) -> None:
    with db.transaction() as tx:
        tx.conn.execute(
            update(maintenance_windows)
            .where(maintenance_windows.c.id == window_id)
            .values(**values)
        )


def pending_windows(db: Database, now: datetime) -> list[Window]:
    """Windows not cancelled that have not ended."""
    with db.transaction() as tx:
        rows = tx.conn.execute(
            select(maintenance_windows)
            .where(
                maintenance_windows.c.cancelled_at.is_(None),
                maintenance_windows.c.end > now,
            )
            .order_by(maintenance_windows.c.start)
        ).all()
    return [_window(r) for r in rows]


def windows_between(db: Database, start: datetime, end: datetime) -> list[Window]:
    """Windows (not cancelled) overlapping [start, end)."""
    with db.transaction() as tx:
        rows = tx.conn.execute(
            select(maintenance_windows).where(
                maintenance_windows.c.cancelled_at.is_(None),
                maintenance_windows.c.start < end,
                maintenance_windows.c.end > start,
            )
        ).all()
    return [_window(r) for r in rows]
