"""Patrols while a door is faulty (153) and regular inspections (第十五条).

Every minute: each door with an open fault whose last patrol (or reminder,
or the fault's opening) is ``patrol_minutes`` old gets a reminder (bus event
``community_access_patrol_due`` and the guard desk's notify service); each
door whose inspection is overdue gets a repair issue. A staff card at a door
marked as patrol point is recorded as a patrol (the access record says
``patrol``; the door stays shut).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from custom_components.community_access.const import (
    CONF_PATROL_POINT,
    DOMAIN,
    EVENT_PATROL_DUE,
    EVENT_PATROL_RECORDED,
    SUBENTRY_DOOR,
)
from custom_components.community_access.core.community import Community
from custom_components.community_access.core.decision import Decision, Reason
from custom_components.community_access.core.operations.faults import FaultCause
from custom_components.community_access.core.operations.patrols import (
    InspectionResult,
    Patrol,
    PatrolKind,
    add_patrol,
    inspection_due,
    last_per_door,
    overdue,
    patrol_decision,
)
from custom_components.community_access.core.storage import AuditRecord
from custom_components.community_access.runtime import CommunityConfigEntry
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from .faults import FaultDesk
from .listeners import ChangeListeners
from .notices import UpkeepSettings, async_notify, chinese

TICK = timedelta(minutes=1)
#: Where the community started counting inspections (kept in the database).
INSPECTION_SINCE_KEY = "operations.inspection_since"


def inspection_issue_id(door_id: str) -> str:
    """Repair issue id of a door's overdue inspection."""
    return f"inspection_overdue_{door_id}"


def patrol_points(entry: CommunityConfigEntry) -> frozenset[str]:
    """Doors marked as patrol point in their subentry."""
    return frozenset(
        sid
        for sid, sub in entry.subentries.items()
        if sub.subentry_type == SUBENTRY_DOOR and sub.data.get(CONF_PATROL_POINT)
    )


class PatrolDesk(ChangeListeners):
    """Patrol reminders, patrol and inspection records of one community."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CommunityConfigEntry,
        settings: UpkeepSettings,
        faults: FaultDesk,
    ) -> None:
        """Prepare; :meth:`async_start` loads and starts the minute tick."""
        super().__init__()
        self.hass = hass
        self.entry = entry
        self.settings = settings
        self.faults = faults
        self.points = patrol_points(entry)
        self.last_patrol: dict[str, datetime] = {}
        self.last_inspection: dict[str, datetime] = {}
        self._reminded: dict[str, datetime] = {}
        self.since: datetime = dt_util.utcnow()
        self._unsub: list[CALLBACK_TYPE] = []
        self._due: frozenset[str] = frozenset()

    @property
    def community(self) -> Community:
        """The community."""
        return self.entry.runtime_data.community

    async def async_start(self) -> None:
        """Read the last patrols and inspections; start the tick."""
        db = self.community.db
        doors = list(self.entry.runtime_data.doors)
        self.last_patrol = await self.community.run(
            last_per_door, db, PatrolKind.PATROL, doors
        )
        self.last_inspection = await self.community.run(
            last_per_door, db, PatrolKind.INSPECTION, doors
        )
        since = await self.community.run(db.setting, INSPECTION_SINCE_KEY)
        parsed = dt_util.parse_datetime(since) if since else None
        if parsed is None:
            await self.community.run(
                db.set_setting, INSPECTION_SINCE_KEY, self.since.isoformat()
            )
        else:
            self.since = parsed
        self._unsub.append(async_track_time_interval(self.hass, self._tick, TICK))
        self._unsub.append(self.community.add_record_listener(self._on_record))
        self._check_inspections(dt_util.utcnow())

    @callback
    def async_stop(self) -> None:
        """Stop the tick and the listener."""
        while self._unsub:
            self._unsub.pop()()

    # ---- decisions
    def decide(self, decision: Decision) -> Decision | None:
        """Return the patrol a staff card at a patrol point makes, if any (O(1))."""
        if decision.door_id not in self.points or decision.person_id is None:
            return None
        person = self.community.index.persons.get(decision.person_id)
        roles = {person.id: person.role} if person is not None else {}
        return patrol_decision(decision, self.points, roles)

    @callback
    def _on_record(self, record: AuditRecord) -> None:
        # At an escape-route exit the patrol is the refusal waived (the note).
        waived = record.reason == Reason.ESCAPE_ROUTE.value and record.note == "patrol"
        if record.reason != Reason.PATROL.value and not waived:
            return
        patrol = Patrol(
            at=record.at,
            kind=PatrolKind.PATROL,
            door_id=record.door_id,
            person_id=record.person_id,
            by=record.actor,
            source="card",
        )
        self.entry.async_create_task(
            self.hass, self.async_record(patrol), "record patrol"
        )

    # ---- records
    async def async_record(
        self, patrol: Patrol, context: Context | None = None
    ) -> Patrol:
        """Write a patrol or an inspection; a faulty inspection opens a fault."""
        patrol_id = await self.community.run(add_patrol, self.community.db, patrol)
        door_id = patrol.door_id
        if door_id is not None:
            table = (
                self.last_patrol
                if patrol.kind is PatrolKind.PATROL
                else self.last_inspection
            )
            table[door_id] = max(patrol.at, table.get(door_id, patrol.at))
        self.hass.bus.async_fire(
            EVENT_PATROL_RECORDED,
            {
                "id": patrol_id,
                "kind": patrol.kind.value,
                "door_id": door_id,
                "door": self._door_name(door_id),
                "checkpoint": patrol.checkpoint,
                "source": patrol.source,
                "result": patrol.result.value if patrol.result else None,
            },
            context=context,
        )
        if patrol.result is InspectionResult.FAULTY and door_id is not None:
            await self.faults.async_open(
                device_id=door_id,
                device_name=self._door_name(door_id),
                door_id=door_id,
                cause=FaultCause.INSPECTION,
                description=patrol.note,
                by=patrol.by,
                context=context,
            )
        self._check_inspections(dt_util.utcnow())
        self._changed()
        return replace(patrol, id=patrol_id)

    def _door_name(self, door_id: str | None) -> str | None:
        operator = self.entry.runtime_data.doors.get(door_id or "")
        return operator.config.door.name if operator is not None else None

    # ---- reminders and inspections
    def faulty_doors(self) -> dict[str, datetime]:
        """Doors with an open fault → when the earliest of them opened."""
        doors: dict[str, datetime] = {}
        for fault in self.faults.book.open.values():
            if (
                fault.door_id is None
                or fault.door_id not in self.entry.runtime_data.doors
            ):
                continue
            opened = doors.get(fault.door_id)
            if opened is None or fault.opened_at < opened:
                doors[fault.door_id] = fault.opened_at
        return doors

    def next_reminder(self, door_id: str, opened_at: datetime) -> datetime:
        """When the next patrol reminder of a faulty door is due."""
        base = max(
            opened_at,
            self.last_patrol.get(door_id, opened_at),
            self._reminded.get(door_id, opened_at),
        )
        return base + timedelta(minutes=self.settings.patrol_minutes)

    def inspection_due_at(self, door_id: str) -> datetime:
        """When a door is (or was) due for inspection."""
        return inspection_due(
            self.last_inspection.get(door_id),
            self.since,
            timedelta(days=self.settings.inspection_days),
        )

    def due_inspections(self, now: datetime) -> dict[str, datetime]:
        """Doors due for inspection now → since when."""
        due = {}
        for door_id in self.entry.runtime_data.doors:
            due_at = self.inspection_due_at(door_id)
            if due_at <= now:
                due[door_id] = due_at
        return due

    @callback
    def _tick(self, now: datetime) -> None:
        now = dt_util.utcnow()
        faulty = self.faulty_doors()
        for door_id in list(self._reminded):
            if door_id not in faulty:
                del self._reminded[door_id]
        for door_id, opened_at in faulty.items():
            if self.next_reminder(door_id, opened_at) <= now:
                self._remind(door_id, now)
        self._check_inspections(now)

    @callback
    def _remind(self, door_id: str, now: datetime) -> None:
        self._reminded[door_id] = now
        name = self._door_name(door_id) or door_id
        last = self.last_patrol.get(door_id)
        text = (
            f"请巡查故障门禁:{name}。"
            if chinese(self.hass)
            else f"Please patrol the faulty door {name}."
        )
        self.hass.bus.async_fire(
            EVENT_PATROL_DUE,
            {
                "door_id": door_id,
                "door": name,
                "last_patrol": last.isoformat() if last else None,
                "interval_minutes": self.settings.patrol_minutes,
                "message": text,
            },
        )
        self.entry.async_create_task(
            self.hass,
            async_notify(self.hass, self.settings.guard_notify, text),
            "patrol reminder",
        )

    @callback
    def _check_inspections(self, now: datetime) -> None:
        due = frozenset(self.due_inspections(now))
        if due != self._due:
            self._due = due
            self._changed()
        for door_id, operator in self.entry.runtime_data.doors.items():
            issue_id = inspection_issue_id(door_id)
            due_at = self.inspection_due_at(door_id)
            if not overdue(due_at, now):
                ir.async_delete_issue(self.hass, DOMAIN, issue_id)
                continue
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key="inspection_overdue",
                translation_placeholders={
                    "door": operator.config.door.name,
                    "due": dt_util.as_local(due_at).strftime("%Y-%m-%d"),
                },
            )
