"""Diagnostics: configuration and figures, with personal data redacted."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_DB_URL
from .core.storage import AuditQuery
from .runtime import CommunityConfigEntry

TO_REDACT = {
    CONF_DB_URL,
    "person_name",
    "name",
    "unit",
    "credential",
    "masked",
    "id_number",
    "phone",
    "actor",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: CommunityConfigEntry
) -> dict[str, Any]:
    """Return what a maintainer needs to help, and nothing personal."""
    runtime = entry.runtime_data
    community = runtime.community
    writer = community.writer
    try:
        recent = await community.query_access_log(AuditQuery(limit=20))
        schema_version: int | None = await hass.async_add_executor_job(
            community.db.schema_version
        )
        audit_count: int | None = await hass.async_add_executor_job(
            community.db.count_audit
        )
    except SQLAlchemyError:  # the database is away: what memory knows
        recent, schema_version, audit_count = [], None, None
    return {
        "entry": {
            "title": entry.title,
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": async_redact_data(dict(entry.options), TO_REDACT),
        },
        "database": {
            "dialect": community.db.engine.dialect.name,
            "schema_version": schema_version,
            "access_records": audit_count,
        },
        # Records kept in the local spool while the database was away.
        "record_writer": {
            "records": writer.stats.records,
            "batches": writer.stats.batches,
            "failed_batches": writer.stats.failed_batches,
            "waiting": writer.waiting,
            "spooled": writer.stats.spooled,
            "replayed": writer.stats.replayed,
            "replay_skipped": writer.stats.replay_skipped,
            "replay_refused": writer.stats.replay_refused,
            "unreadable": writer.spool.unreadable if writer.spool else 0,
        },
        "counts": community.counts(),
        "deposits_held": community.deposits_held_cents / 100,
        "visits": dict(Counter(v.status.value for v in community.visits.values())),
        "linked_households": len(community.links),
        "visitor_settings": {
            "approval_timeout_s": runtime.visitor_settings.approval_timeout.total_seconds(),
            "default_visit_s": runtime.visitor_settings.default_visit.total_seconds(),
            "guard_notify": runtime.guard_notify is not None,
        },
        "doors": [
            {
                "id": operator.id,
                "zone": operator.config.door.zone.id,
                "direction": operator.config.door.direction.value,
                "bound_lock": operator.config.lock_entity_id,
                "open_time": operator.config.open_time,
                "escape_route": operator.config.door.escape_route,
                "state": operator.state,
            }
            for operator in runtime.doors.values()
        ],
        "lines": [
            {
                "protocol": hub.config.protocol,
                "port": hub.config.port,
                "baudrate": hub.config.baudrate,
                "door_id": hub.config.door_id,
                "outputs": {str(k): v for k, v in hub.config.outputs.items()},
                "connected": hub.connected,
                "connections": hub.line.connections,
            }
            for hub in runtime.lines.values()
        ],
        "osdp": [hub.diagnostics() for hub in runtime.osdp.values()],
        "lock_codes": [codes.diagnostics() for codes in runtime.lock_codes.values()],
        "recent_access": async_redact_data([r.as_dict() for r in recent], TO_REDACT),
        "site_modes": runtime.ops.modes.diagnostics() if runtime.ops.modes else None,
    }
