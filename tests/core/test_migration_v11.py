"""Schema v11 (the access record's unique key): from a v10 database, both databases.

The v10 database is the current schema taken back to v10's shape: no
``audit_log.uid`` and no ``ix_audit_uid``, with one access record in it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from custom_components.community_access.core.community import Community
from custom_components.community_access.core.schema import SCHEMA_VERSION
from custom_components.community_access.core.storage import AuditRecord, Database

from .common import DOORS, TZ, make_vault

pytestmark = pytest.mark.both_databases

AT = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


def _sql(url: str, *statements: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            result: list[tuple[object, ...]] = []
            for statement in statements:
                rows = conn.execute(text(statement))
                result = [tuple(r) for r in rows] if rows.returns_rows else []
            return result
    finally:
        engine.dispose()


def _make_v10(url: str) -> None:
    database = Database(url)
    database.migrate()
    database.close()
    _sql(
        url,
        "DROP INDEX ix_audit_uid",
        "ALTER TABLE audit_log DROP COLUMN uid",
        "UPDATE schema_info SET version = 10",
        "INSERT INTO audit_log (at, granted, reason, door_id) "
        "VALUES ('2024-03-01 07:00:00', true, 'granted', 'gate')",
    )


def _record(uid: str | None) -> AuditRecord:
    return AuditRecord(at=AT, granted=True, reason="granted", door_id="gate", uid=uid)


async def test_v10_database_gets_the_record_key(empty_db_url: str) -> None:
    _make_v10(empty_db_url)
    community = Community(Database(empty_db_url), make_vault(), TZ, asyncio.to_thread)
    community.set_doors(DOORS)
    await community.async_load()
    try:
        db = community.db
        assert await community.run(db.schema_version) == SCHEMA_VERSION == 11
        columns = {c["name"] for c in inspect(db.engine).get_columns("audit_log")}
        assert "uid" in columns
        indexes = {i["name"]: i for i in inspect(db.engine).get_indexes("audit_log")}
        assert indexes["ix_audit_uid"]["unique"]
        # The old record has no key; records without one may be many.
        await community.run(db.add_audits, [_record(None), _record(None)])
        assert (
            _sql(empty_db_url, "SELECT count(*) FROM audit_log WHERE uid IS NULL")[0][0]
            == 3
        )
        # A key is written once: the plain insert refuses it again…
        await community.run(db.add_audits, [_record("a" * 32)])
        with pytest.raises(IntegrityError):
            await community.run(db.add_audits, [_record("a" * 32)])
        # …and the replay's insert skips it (and a repeat within its batch).
        ids = await community.run(
            db.add_audits_once,
            [_record("a" * 32), _record("b" * 32), _record("b" * 32)],
        )
        assert ids[0] is None and ids[1] is not None and ids[2] is None
        assert _sql(empty_db_url, "SELECT count(*) FROM audit_log")[0][0] == 5
        assert await community.run(db.migrate) == SCHEMA_VERSION  # again: nothing
    finally:
        await community.async_close()
