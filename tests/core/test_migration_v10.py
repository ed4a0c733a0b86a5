"""Schema v10 (several compounds): from a v9 database, on SQLite and PostgreSQL.

The v9 database is made from the current schema taken back to v9's shape:
no ``changes`` table, no ``households.compound``, ``households.unit``
unique across the database, no feed triggers.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from custom_components.community_access.core.changefeed import last_change_id
from custom_components.community_access.core.community import Community
from custom_components.community_access.core.schema import SCHEMA_VERSION
from custom_components.community_access.core.storage import Database

from .common import DOORS, TZ, make_vault

pytestmark = pytest.mark.both_databases


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


def _make_v9(url: str) -> None:
    database = Database(url)
    database.migrate()
    database.close()
    back = [
        "DROP INDEX ix_households_compound_unit",
        "ALTER TABLE households DROP COLUMN compound",
        "DROP TABLE changes",
        "UPDATE schema_info SET version = 9",
        (
            "INSERT INTO households (unit, building, created_at, occupancy) "
            "VALUES ('3-2-501', '3', '2024-03-01 08:00:00', 1)"
        ),
    ]
    if url.startswith("postgresql"):
        back = [
            *(
                f"DROP TRIGGER community_access_feed ON {table}"
                for table in (
                    "households",
                    "persons",
                    "credentials",
                    "visits",
                    "penalties",
                    "household_links",
                )
            ),
            "DROP TRIGGER community_access_card ON credentials",
            *back,
            "ALTER TABLE households ADD CONSTRAINT households_unit_key UNIQUE (unit)",
        ]
    else:
        back.append("CREATE UNIQUE INDEX households_unit_v9 ON households (unit)")
    _sql(url, *back)


async def test_v9_database_migrates_to_compounds_and_the_feed(
    empty_db_url: str,
) -> None:
    _make_v9(empty_db_url)
    community = Community(Database(empty_db_url), make_vault(), TZ, asyncio.to_thread)
    community.set_doors(DOORS)
    await community.async_load()
    try:
        assert await community.run(community.db.schema_version) == SCHEMA_VERSION >= 10
        # The old household is the single compound's ("").
        household = community.household("3-2-501")
        assert household.compound == ""
        assert _sql(empty_db_url, "SELECT compound FROM households") == [("",)]
        await community.add_household("3-2-502")
        changes = await community.run(last_change_id, community.db)
        if empty_db_url.startswith("postgresql"):
            assert changes >= 1  # the trigger wrote the new household
            # Another compound may have its own 3-2-501 now…
            _sql(
                empty_db_url,
                "INSERT INTO households (unit, building, created_at, compound) "
                "VALUES ('3-2-501', '3', now(), 'B')",
            )
            # …but not a second one in the same compound.
            with pytest.raises(IntegrityError):
                _sql(
                    empty_db_url,
                    "INSERT INTO households (unit, building, created_at, compound) "
                    "VALUES ('3-2-501', '3', now(), 'B')",
                )
        else:
            assert changes == 0  # SQLite: one instance, no feed
        assert await community.run(community.db.migrate) == SCHEMA_VERSION
    finally:
        await community.async_close()
