"""Two compounds' entries, the PostgreSQL server stopped and started (issue 14 goal 6).

One Home Assistant, two entries on one database of the private server
(``tests/pgserver.py``), as in ``test_compounds_ha.py``. The server is
stopped (``pg_ctl stop -m fast``): A keeps deciding from memory, its
``present_credential`` calls return with their records in the encrypted
local spool, and a repair issue counts them. The server starts again: the
records land in the database once each, the issue goes, a card B issued
while A's listener was still away is caught up, and a card B then reports
lost is refused at A within a second. Last, the nightly housekeeping prunes
the change feed's old rows. A second test unloads an entry while records
wait and sets it up again once the server is back: they are written then.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import stat
import time
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from sqlalchemy import text

from custom_components.community_access.const import CONF_COMPOUND, CONF_DB_URL, DOMAIN
from custom_components.community_access.core import changefeed
from custom_components.community_access.core.carddesk import CardDesk
from custom_components.community_access.core.community import Community
from custom_components.community_access.core.decision import Reason
from custom_components.community_access.core.models import CredentialKind, Role
from custom_components.community_access.core.spool import Spool
from custom_components.community_access.core.storage import AuditQuery, AuditRecord
from custom_components.community_access.diagnostics import (
    async_get_config_entry_diagnostics,
)
from custom_components.community_access.housekeeping import async_nightly
from custom_components.community_access.spool import (
    records_refused_issue_id,
    records_waiting_issue_id,
    spool_path,
)
from homeassistant.auth.models import User
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from tests.pgserver import PgServer

from .conftest import make_entry
from .helpers import ID_NUMBER, call, setup_community

CARD_A = "4700517391"
CARD_STAFF = "4700528462"
NAME = "张三"
#: The listeners' first reconnect comes this long after the loss: B's write
#: right after the restart is made while A's listener is still away.
FIRST_RECONNECT = 5.0


def _reason(community: Community, card: str) -> Reason:
    return community.decide(
        "door_gate", CredentialKind.CARD, card, dt_util.now()
    ).reason


async def _until(check: Callable[[], bool], budget: float) -> float:
    start = time.perf_counter()
    while not check():
        assert time.perf_counter() - start < budget, f"not within {budget} s"
        await asyncio.sleep(0.01)
    return time.perf_counter() - start


async def _retry(write: Callable[[], Any]) -> Any:
    """A write right after the restart: the pool's stale connections fail first."""
    for attempt in range(50):
        try:
            return await write()
        except Exception:  # noqa: BLE001 - a connection cut by the restart
            if attempt == 49:
                raise
            await asyncio.sleep(0.1)
    return None


async def _two_compounds(
    hass: HomeAssistant, url: str, admin: User
) -> tuple[MockConfigEntry, MockConfigEntry]:
    first = make_entry(
        title="Compound A", options={CONF_DB_URL: url, CONF_COMPOUND: "A"}
    )
    await setup_community(hass, first)
    exported = await hass.services.async_call(
        DOMAIN,
        "export_keys",
        {"config_entry_id": first.entry_id},
        blocking=True,
        return_response=True,
        context=Context(user_id=admin.id),
    )
    assert isinstance(exported, dict)
    second = make_entry(
        title="Compound B", options={CONF_DB_URL: url, CONF_COMPOUND: "B"}
    )
    await setup_community(hass, second, expect=ConfigEntryState.SETUP_ERROR)
    flow = await hass.config_entries.options.async_init(second.entry_id)
    await hass.config_entries.options.async_configure(
        flow["flow_id"],
        {
            "card_quota": 3,
            "card_deposit": 20,
            "reissue_fee": 20,
            "retention_days": 180,
            "db_url": url,
            "compound": "B",
            "shared_keys": str(exported["keys"]),
        },
    )
    assert await hass.config_entries.async_reload(second.entry_id)
    await hass.async_block_till_done()
    assert second.state is ConfigEntryState.LOADED
    return first, second


async def test_compound_a_keeps_its_records_while_the_server_is_down(
    hass: HomeAssistant,
    pg_server: PgServer,
    pg_migrated_url: str,
    hass_admin_user: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(changefeed, "BACKOFF_FIRST", FIRST_RECONNECT)
    first, second = await _two_compounds(hass, pg_migrated_url, hass_admin_user)
    a: Community = first.runtime_data.community
    b: Community = second.runtime_data.community
    feed_a = first.runtime_data.change_listener
    assert feed_a is not None and feed_a.connected
    issues = ir.async_get(hass)
    issue_id = records_waiting_issue_id(first.entry_id)

    await a.add_household("3-2-501")
    owner = await a.add_person(
        name=NAME, role=Role.OWNER, unit="3-2-501", id_number=ID_NUMBER
    )
    await CardDesk(a).issue_card(person_id=owner.id, card_number=CARD_A)
    records_before = await a.count_access_log(AuditQuery())

    # ---- the server stops: A decides from memory, the calls return.
    await hass.async_add_executor_job(pg_server.stop_only)
    await _until(lambda: not feed_a.connected, budget=5)
    responses = [
        await call(
            hass,
            "present_credential",
            {
                "config_entry_id": first.entry_id,
                "door": "Main gate",
                "kind": "card",
                "value": value,
            },
        )
        for value in (CARD_A, CARD_A, "4700599999")
    ]
    assert [r["granted"] for r in responses] == [True, True, False]
    assert a.writer.waiting == 3
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "records_waiting"
    assert issue.translation_placeholders == {"community": "Compound A", "count": "3"}
    path = spool_path(hass, first.entry_id)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_bytes()
    # (texts with a character base64 never writes: no chance match)
    assert NAME.encode() not in raw and b"****" not in raw and b"3-2-501" not in raw
    assert (
        issues.async_get_issue(DOMAIN, records_waiting_issue_id(second.entry_id))
        is None
    )
    # Diagnostics answer from memory: the records waiting, no personal data.
    diagnostics = await async_get_config_entry_diagnostics(hass, first)
    assert diagnostics["database"]["access_records"] is None
    assert diagnostics["record_writer"]["waiting"] == 3
    assert diagnostics["record_writer"]["spooled"] == 3
    assert NAME not in str(diagnostics)

    # ---- the server is back. B issues a card to company staff at once,
    # while A's listener is still waiting for its first reconnect.
    await hass.async_add_executor_job(pg_server.start_again)
    staff = await _retry(
        lambda: b.add_person(name="Guard", role=Role.STAFF, id_number=ID_NUMBER)
    )
    card = (
        await _retry(
            lambda: CardDesk(b).issue_card(person_id=staff.id, card_number=CARD_STAFF)
        )
    ).credential
    assert not feed_a.connected, "A reconnected before B's write: nothing to catch up"
    assert _reason(a, CARD_STAFF) is Reason.UNKNOWN_CREDENTIAL
    # A reconnects, catches up, and its records go in (the reconnect wakes
    # the writer); the issue goes.
    await _until(lambda: _reason(a, CARD_STAFF) is Reason.GRANTED, budget=30)
    await _until(lambda: a.writer.waiting == 0, budget=30)
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    assert not path.exists()
    records = await a.query_access_log(AuditQuery(limit=100))
    assert len(records) == records_before + 3
    uids = [r.uid for r in records]
    assert len(set(uids)) == len(uids) and None not in uids
    assert [r.granted for r in sorted(records, key=lambda r: r.id or 0)] == [
        True,
        True,
        False,
    ]
    assert a.writer.stats.replayed == 3

    # ---- a change now made at B reaches A's decisions within a second.
    await CardDesk(b).report_lost(card.id)
    waited = await _until(lambda: _reason(a, CARD_STAFF) is Reason.LOST, budget=1.0)
    assert waited < 1.0

    # ---- the nightly housekeeping prunes the change feed's old rows.
    def _age_changes() -> int:
        with a.db.transaction() as tx:
            tx.conn.execute(text("UPDATE changes SET at = at - interval '8 days'"))
            return int(tx.conn.execute(text("SELECT count(*) FROM changes")).scalar())

    assert await hass.async_add_executor_job(_age_changes) > 0
    await async_nightly(hass, first)

    def _left() -> int:
        with a.db.transaction() as tx:
            return int(tx.conn.execute(text("SELECT count(*) FROM changes")).scalar())

    assert await hass.async_add_executor_job(_left) == 0
    assert feed_a.reloads == 0  # A was up to date: nothing to reload

    for entry in (first, second):
        assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def test_records_left_in_the_spool_are_written_at_the_next_start(
    hass: HomeAssistant, pg_server: PgServer, pg_migrated_url: str
) -> None:
    """Unloaded while the server is down: the next set-up writes what waited."""
    entry = make_entry(title="Compound A", options={CONF_DB_URL: pg_migrated_url})
    await setup_community(hass, entry)
    community: Community = entry.runtime_data.community
    await community.add_household("3-2-501")
    owner = await community.add_person(
        name=NAME, role=Role.OWNER, unit="3-2-501", id_number=ID_NUMBER
    )
    await CardDesk(community).issue_card(person_id=owner.id, card_number=CARD_A)
    issues = ir.async_get(hass)
    issue_id = records_waiting_issue_id(entry.entry_id)
    path = spool_path(hass, entry.entry_id)

    await hass.async_add_executor_job(pg_server.stop_only)
    response = await call(
        hass,
        "present_credential",
        {"door": "Main gate", "kind": "card", "value": CARD_A},
    )
    assert response["granted"] is True
    assert issues.async_get_issue(DOMAIN, issue_id) is not None
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert path.exists()  # kept for the next start

    await hass.async_add_executor_job(pg_server.start_again)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    community = entry.runtime_data.community
    await _until(lambda: community.writer.waiting == 0, budget=30)
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    assert not path.exists()
    records = await community.query_access_log(AuditQuery(limit=10))
    assert [(r.granted, r.door_id, r.person_id) for r in records] == [
        (True, "door_gate", owner.id)
    ]
    assert community.writer.stats.replayed == 1
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def test_removing_the_entry_deletes_its_spool(
    hass: HomeAssistant,
    pg_server: PgServer,
    pg_migrated_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A removed entry's waiting records go with it, not left on disk."""
    entry = make_entry(title="Compound A", options={CONF_DB_URL: pg_migrated_url})
    await setup_community(hass, entry)
    community: Community = entry.runtime_data.community
    await community.add_household("3-2-501")
    owner = await community.add_person(
        name=NAME, role=Role.OWNER, unit="3-2-501", id_number=ID_NUMBER
    )
    await CardDesk(community).issue_card(person_id=owner.id, card_number=CARD_A)
    path = spool_path(hass, entry.entry_id)
    issue_id = records_waiting_issue_id(entry.entry_id)

    await hass.async_add_executor_job(pg_server.stop_only)
    try:
        for _ in range(2):
            response = await call(
                hass,
                "present_credential",
                {"door": "Main gate", "kind": "card", "value": CARD_A},
            )
            assert response["granted"] is True
        assert path.exists()
        assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

        await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()
    finally:
        await hass.async_add_executor_job(pg_server.start_again)
    assert not path.exists()
    assert not path.with_name(path.name + ".new").exists()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert "removed with 2 access records still waiting" in caplog.text
    assert CARD_A not in caplog.text


async def test_a_spooled_record_the_database_refuses_is_set_aside(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """Left in the spool, refused when written: kept apart, a repair says so.

    The record behind it is written; the refused one stays in the sealed
    ``.refused`` file (the repair is raised again at each start while the
    file is there) until the entry is removed, which deletes it.
    """
    entry = make_entry(title="Compound A")
    await setup_community(hass, entry)
    vault = entry.runtime_data.community.vault
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    path = spool_path(hass, entry.entry_id)
    at = dt_util.utcnow()

    def left(n: int, reason: str | None) -> AuditRecord:
        return AuditRecord(
            at=at,
            granted=True,
            reason=reason,  # type: ignore[arg-type]
            door_id="door_gate",
            kind="card",
            masked="****7391",
            person_name=NAME,
            unit="3-2-501",
            source=f"left {n}",
            uid=f"{n:032x}",
        )

    spool = Spool(path, vault.encrypt, vault.decrypt)
    await hass.async_add_executor_job(spool.append, [left(1, None), left(2, "granted")])

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    community = entry.runtime_data.community
    await _until(lambda: community.writer.waiting == 0, budget=30)
    records = await community.query_access_log(AuditQuery(limit=10))
    assert [r.source for r in records] == ["left 2"]
    assert not path.exists()
    assert spool.refused_path.exists()
    assert stat.S_IMODE(spool.refused_path.stat().st_mode) == 0o600
    issues = ir.async_get(hass)
    issue_id = records_refused_issue_id(entry.entry_id)
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "records_refused"
    assert issue.translation_placeholders == {
        "community": "Compound A",
        "count": "1",
        "file": spool.refused_path.name,
    }
    assert NAME not in caplog.text
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["record_writer"]["replay_refused"] == 1

    # Raised again at the next start while the file is there.
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, issue_id) is not None

    # Removing the entry deletes it (it names people: PIPL).
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert not spool.refused_path.exists()
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    assert "removed with 1 access records" in caplog.text
