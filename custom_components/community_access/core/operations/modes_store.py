"""The ``site_modes`` table: active emergency releases and lockdowns (blocking calls).

Run through ``community.run``; each function is one transaction.
"""

from __future__ import annotations

from datetime import datetime
import json
from typing import Any

from sqlalchemy import insert, select, update

from custom_components.community_access.core.schema import site_modes
from custom_components.community_access.core.storage import Database

from .modes import ModeKind, Scope, ScopeKind, SiteMode

#: Column widths of ``started_by`` / ``ended_by``.
_BY_STARTED = 128
_BY_ENDED = 64


def _mode(row: Any) -> SiteMode:
    keys = json.loads(row.scope) if row.scope else []
    return SiteMode(
        id=row.id,
        kind=ModeKind(row.kind),
        scope=Scope(ScopeKind(row.scope_kind), tuple(str(k) for k in keys)),
        started_at=row.started_at,
        cause=row.cause,
        note=row.note,
        started_by=row.started_by,
    )


def active_modes(db: Database) -> list[SiteMode]:
    """Every mode not ended, oldest first."""
    with db.transaction() as tx:
        rows = tx.conn.execute(
            select(site_modes)
            .where(site_modes.c.ended_at.is_(None))
            .order_by(site_modes.c.id)
        ).all()
    return [_mode(row) for row in rows]


def add_mode(
    db: Database,
    kind: ModeKind,
    scope: Scope,
    *,
    at: datetime,
    by: str | None,
    cause: str | None = None,
    note: str | None = None,
) -> SiteMode:
    """Store a new active mode; return it with its id."""
    with db.transaction() as tx:
        result = tx.conn.execute(
            insert(site_modes).values(
                kind=kind.value,
                scope_kind=scope.kind.value,
                scope=json.dumps(list(scope.keys)) if scope.keys else None,
                cause=cause,
                note=note,
                started_at=at,
                started_by=by[:_BY_STARTED] if by else None,
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        mode_id = int(key[0])
    return SiteMode(
        id=mode_id,
        kind=kind,
        scope=scope,
        started_at=at,
        cause=cause,
        note=note,
        started_by=by,
    )


def end_modes(db: Database, kind: ModeKind, *, at: datetime, by: str | None) -> int:
    """End every active mode of ``kind``; return how many."""
    with db.transaction() as tx:
        result = tx.conn.execute(
            update(site_modes)
            .where(site_modes.c.kind == kind.value, site_modes.c.ended_at.is_(None))
            .values(ended_at=at, ended_by=by[:_BY_ENDED] if by else None)
        )
    return int(result.rowcount)


def end_mode(db: Database, mode_id: int, *, at: datetime, by: str | None) -> None:
    """End one mode (a release restored while it was being stored)."""
    with db.transaction() as tx:
        tx.conn.execute(
            update(site_modes)
            .where(site_modes.c.id == mode_id, site_modes.c.ended_at.is_(None))
            .values(ended_at=at, ended_by=by[:_BY_ENDED] if by else None)
        )
