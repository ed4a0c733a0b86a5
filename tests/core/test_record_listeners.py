"""Record listeners: told of every access record once written, with its id."""

from __future__ import annotations

from datetime import UTC, datetime

from custom_components.community_access.core.community import Community
from custom_components.community_access.core.models import CredentialKind
from custom_components.community_access.core.storage import AuditQuery, AuditRecord


async def test_record_listener_gets_the_written_record(community: Community) -> None:
    heard: list[AuditRecord] = []
    remove = community.add_record_listener(heard.append)
    at = datetime(2026, 6, 1, 2, 0, 0, 500_000, tzinfo=UTC)
    decision = await community.present("gate", CredentialKind.CARD, "0012345678", at)
    assert not decision.granted
    [record] = heard
    [stored] = await community.query_access_log(AuditQuery(limit=5))
    assert record.id == stored.id is not None
    assert record.reason == "unknown_credential" and record.door_id == "gate"
    assert record.at == at.replace(microsecond=0)
    assert record.masked == stored.masked  # masked, never the card number
    remove()
    await community.present("gate", CredentialKind.CARD, "0012345678", at)
    assert len(heard) == 1
