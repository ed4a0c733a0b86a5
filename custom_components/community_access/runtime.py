"""Runtime data of a community config entry and the access path.

``present`` is the universal entry point: readers, automations and the
``present_credential`` service all end up here. It decides from memory,
starts opening the door on a grant, waits until the access record is
committed (batched by the community's record writer), then fires the bus
event and tells the door's entities.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .const import EVENT_ACCESS_DENIED, EVENT_ACCESS_GRANTED, LOGGER
from .core.changefeed import ChangeListener
from .core.community import Community
from .core.decision import Decision, Reason
from .core.enrolment import CARD_READ_FOR_ENROLMENT, CardCaptures, audit_details
from .core.models import CredentialKind
from .core.rules import RuleBook, RuleSettings
from .core.visitors import VisitorDesk, VisitorSettings
from .door import DoorOperator
from .names import shown_name
from .operations.state import OperationsRuntime

if TYPE_CHECKING:
    from .lock_codes import LockCodes
    from .osdp_hub import OsdpHub
    from .serial_hub import SerialHub


@dataclass
class CommunityRuntime:
    """What a loaded community entry holds."""

    community: Community
    doors: dict[str, DoorOperator] = field(default_factory=dict)
    #: Serial lines by subentry id.
    lines: dict[str, SerialHub] = field(default_factory=dict)
    #: OSDP lines (protocol ``osdp``) by subentry id.
    osdp: dict[str, OsdpHub] = field(default_factory=dict)
    #: Doors keeping their codes on a Zigbee lock (ZHA or Zigbee2MQTT), by door id.
    lock_codes: dict[str, LockCodes] = field(default_factory=dict)
    unsubscribe: list[CALLBACK_TYPE] = field(default_factory=list)
    #: The change feed's listener (PostgreSQL; see feed.py), else None.
    change_listener: ChangeListener | None = None
    visitor_settings: VisitorSettings = field(default_factory=VisitorSettings)
    #: Notify service of the guard desk (``notify.<name>``), if configured.
    guard_notify: str | None = None
    rule_settings: RuleSettings = field(default_factory=RuleSettings)
    #: Notify service for public notices (公告批评), if configured.
    notice_notify: str | None = None
    #: Turn detected suspicions into recorded violations.
    auto_record: bool = False
    #: The latest public notice (masked), for its sensor.
    last_notice: dict[str, Any] | None = None
    #: Full names in states, attributes, bus events and the logbook (see names.py).
    full_names: bool = False
    #: Doors where an administrator waits for a card to issue (panel/ws_office_capture).
    captures: CardCaptures = field(default_factory=CardCaptures)
    #: Operations and safety: modes, alarms, faults, goods (operations/).
    ops: OperationsRuntime = field(default_factory=OperationsRuntime)
    #: Set-up's own work left running (the first expiry sweep, the muster
    #: counts): the loading's freed memory is handed back once it is done.
    startup_work: list[asyncio.Task[Any]] = field(default_factory=list)


def rule_book(entry: CommunityConfigEntry) -> RuleBook:
    """Return the rule book of a loaded community."""
    runtime = entry.runtime_data
    return RuleBook(runtime.community, runtime.rule_settings)


def visitor_desk(entry: CommunityConfigEntry) -> VisitorDesk:
    """Return the visitor desk of a loaded community."""
    runtime = entry.runtime_data
    return VisitorDesk(runtime.community, runtime.visitor_settings)


type CommunityConfigEntry = ConfigEntry[CommunityRuntime]


def event_data(
    decision: Decision, door_name: str | None, source: str | None, full_names: bool
) -> dict[str, Any]:
    """Bus event payload: who (masked unless ``full_names``), where, result.

    Never the credential's value. ``waived`` (only at an escape-route exit that
    let out someone the rules refused): the reason the rules gave.
    """
    data: dict[str, Any] = {
        "door_id": decision.door_id,
        "door": door_name,
        "granted": decision.granted,
        "reason": decision.reason.value,
        "kind": decision.kind.value if decision.kind else None,
        "person_id": decision.person_id,
        "person_name": shown_name(decision.person_name, full_names),
        "unit": decision.unit,
        "source": source,
    }
    if decision.waived is not None:
        data["waived"] = decision.waived.value
    return data


async def async_present(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    door_id: str,
    kind: CredentialKind,
    value: str,
    *,
    at: datetime | None = None,
    source: str | None = None,
    context: Context | None = None,
) -> Decision | None:
    """Decide, record, announce and (on a grant) open the door.

    A card at a door where an administrator waits to read a new card goes
    to them instead (None): not decided, not recorded as an access, the door
    left shut; the audit trail notes the read, without the number.
    """
    runtime = entry.runtime_data
    at = at or dt_util.utcnow()
    operator = runtime.doors.get(door_id)
    door_name = operator.config.door.name if operator is not None else None
    capture = runtime.captures.take(door_id, kind, at)
    if capture is not None:
        await runtime.community.record_admin_action(
            CARD_READ_FOR_ENROLMENT,
            actor=capture.user_id,
            details=audit_details(door_id, door_name, value),
            at=at,
        )
        capture.deliver(value)
        return None
    actor = context.user_id if context is not None else None

    def open_at_once(decision: Decision) -> None:
        # The door opens as soon as the decision is made; the record is
        # committed meanwhile and this call returns once it is.
        if operator is not None and decision.granted:
            note_legitimate_open(runtime, door_id)
            entry.async_create_task(
                hass, _open_logged(operator, context), f"open {door_name}"
            )

    decision = await runtime.community.present(
        door_id, kind, value, at, source=source, actor=actor, on_decided=open_at_once
    )
    hass.bus.async_fire(
        EVENT_ACCESS_GRANTED if decision.granted else EVENT_ACCESS_DENIED,
        event_data(decision, door_name, source, runtime.full_names),
        context=context,
    )
    if operator is not None:
        operator.async_announce(decision)
    if (
        decision.granted
        and decision.credential_id in runtime.community.visit_by_credential
    ):
        await visitor_desk(entry).note_access(decision)
    return decision


async def async_remote_open(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    operator: DoorOperator,
    context: Context | None,
    note: str | None = None,
) -> None:
    """Open a door from the UI or an automation, and record who did it.

    ``note``: kept with the record (e.g. the group visit the door opened for).
    """
    note_legitimate_open(entry.runtime_data, operator.id)
    await operator.async_open(context)
    decision = Decision(
        granted=True,
        reason=Reason.REMOTE_OPEN,
        door_id=operator.id,
        kind=None,
        at=dt_util.utcnow(),
    )
    actor = context.user_id if context is not None else None
    await entry.runtime_data.community.record(
        decision, source="remote", actor=actor, note=note
    )
    hass.bus.async_fire(
        EVENT_ACCESS_GRANTED,
        event_data(
            decision,
            operator.config.door.name,
            "remote",
            entry.runtime_data.full_names,
        ),
        context=context,
    )


async def async_guard_entry(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    door_id: str,
    *,
    unit: str,
    person_id: int,
    note: str | None,
    context: Context | None,
) -> Decision:
    """Record an entry a guard verified (seed 4.2), announce it and open the door."""
    runtime = entry.runtime_data
    decision = await runtime.community.guard_verified_entry(
        door_id,
        unit=unit,
        person_id=person_id,
        at=dt_util.utcnow(),
        note=note,
        actor=context.user_id if context is not None else None,
    )
    operator = runtime.doors.get(door_id)
    door_name = operator.config.door.name if operator is not None else None
    hass.bus.async_fire(
        EVENT_ACCESS_GRANTED,
        event_data(decision, door_name, "guard", runtime.full_names),
        context=context,
    )
    if operator is not None:
        operator.async_announce(decision)
        note_legitimate_open(runtime, door_id)
        entry.async_create_task(
            hass, _open_logged(operator, context), f"open {door_name}"
        )
    return decision


def note_legitimate_open(runtime: CommunityRuntime, door_id: str) -> None:
    """Tell the door alarms the door opens on purpose now (no forced-open alarm)."""
    if runtime.ops.alarms is not None:
        runtime.ops.alarms.note_open(door_id)


async def _open_logged(operator: DoorOperator, context: Context | None) -> None:
    try:
        await operator.async_open(context)
    except HomeAssistantError as err:
        LOGGER.warning("Door %s did not open: %s", operator.config.door.name, err)
