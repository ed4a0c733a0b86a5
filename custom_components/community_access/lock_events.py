"""Events from a lock that keeps codes: access records and programming reports.

An operation event (a PIN typed or a card shown at the lock, also while Home
Assistant could not reach the lock) becomes an access record and an access
event with the person the lock user belongs to. Programming done at the
lock's own keypad is reported (``lock_programmed``) and triggers a full
read-back of the lock.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Final

from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from .const import EVENT_ACCESS_DENIED, EVENT_ACCESS_GRANTED, LOGGER
from .core.decision import Decision, Reason
from .core.lock_sync import CredentialSlotKind
from .core.lock_sync.events import LockEvent, LockOperationEvent, LockProgrammingEvent
from .core.models import CredentialKind
from .runtime import event_data, visitor_desk

if TYPE_CHECKING:
    from .lock_codes import LockCodes

#: Operation events that are a credential used at the lock.
_GRANTS: Final = {"unlock"}
_DENIALS: Final = {
    "unlock_failure_invalid_code": Reason.UNKNOWN_CREDENTIAL,
    "unlock_failure_invalid_schedule": Reason.OUTSIDE_TIME_WINDOW,
}
#: Sources of operation events that carry a credential of the lock's memory
#: ("rf" is a Zigbee command, i.e. Home Assistant itself; "manual" a key).
_CREDENTIAL_SOURCES: Final = {
    "keypad": CredentialKind.PIN,
    "rfid": CredentialKind.CARD,
    "indeterminate": None,
}
#: The slot table's kind of each credential kind.
_SLOT_KINDS: Final = {
    CredentialKind.PIN: CredentialSlotKind.PIN.value,
    CredentialKind.CARD: CredentialSlotKind.RFID.value,
}
#: Programming events not made over Zigbee: someone at the lock's keypad.
_LOCAL_PROGRAMMING_SOURCES: Final = {"keypad", "manual", "rfid", "indeterminate"}


class LockEventRecorder:
    """Turns one managed lock's events into records, events and read-backs."""

    def __init__(self, codes: LockCodes) -> None:
        """Record for the door of ``codes``."""
        self.codes = codes
        self.hass = codes.hass
        self.entry = codes.entry
        self.operator = codes.operator
        self.door_id = codes.door_id
        self.entity_id = codes.entity_id

    @property
    def door_name(self) -> str:
        """The door's name."""
        return self.codes.door_name

    @callback
    def on_event(self, event: LockEvent) -> None:
        """Handle an operation or programming event from the lock."""
        if isinstance(event, LockOperationEvent):
            self._operation(event)
        elif isinstance(event, LockProgrammingEvent):
            self._programming(event)

    @callback
    def _operation(self, event: LockOperationEvent) -> None:
        if event.source not in _CREDENTIAL_SOURCES:
            return
        if event.operation in _GRANTS:
            granted, reason = True, Reason.GRANTED
        elif event.operation in _DENIALS:
            granted, reason = False, _DENIALS[event.operation]
        else:
            return
        decision = self._decision(event, granted, reason, dt_util.utcnow())
        self.entry.async_create_task(
            self.hass, self._record(decision), f"lock event {self.door_name}"
        )

    def _decision(
        self, event: LockOperationEvent, granted: bool, reason: Reason, at: datetime
    ) -> Decision:
        """Build the access record of a credential used at the lock itself."""
        community = self.entry.runtime_data.community
        kind = _CREDENTIAL_SOURCES[event.source]
        row = (
            self.codes.syncer.slots.get(event.user_id)
            if self.codes.syncer is not None and event.user_id is not None
            else None
        )
        if row is not None and kind is not None and _SLOT_KINDS[kind] != row.kind:
            # A card shown for a user id that holds one of our PINs (or the
            # reverse): not our credential (Zigbee2MQTT numbers RFID users
            # the integration never writes in the same ids).
            row = None
        credential = (
            community.index.credentials.get(row.credential_id)
            if row is not None and row.credential_id is not None
            else None
        )
        if credential is None:
            if kind is None and row is not None:
                kind = (
                    CredentialKind.PIN
                    if row.kind == CredentialSlotKind.PIN
                    else CredentialKind.CARD
                )
            return Decision(
                granted,
                reason,
                self.door_id,
                kind,
                at,
                masked=None
                if event.user_id is None
                else f"lock user {event.user_id + 1}",
            )
        who = community.who(credential.person_id)
        person = community.index.persons.get(credential.person_id)
        return Decision(
            granted,
            reason,
            self.door_id,
            credential.kind,
            at,
            credential_id=credential.id,
            person_id=credential.person_id,
            person_name=who["person_name"],
            household_id=person.household_id if person is not None else None,
            unit=who["unit"],
            masked=credential.masked,
        )

    async def _record(self, decision: Decision) -> None:
        """Write the record, announce it, note a visitor's entry."""
        runtime = self.entry.runtime_data
        source = f"lock:{self.entity_id}"
        try:
            await runtime.community.record(decision, source=source)
        except Exception:  # noqa: BLE001 - a lost record must not kill the listener
            LOGGER.exception("%s: access at the lock not recorded", self.door_name)
            return
        self.hass.bus.async_fire(
            EVENT_ACCESS_GRANTED if decision.granted else EVENT_ACCESS_DENIED,
            event_data(decision, self.door_name, source, runtime.full_names),
        )
        self.operator.async_announce(decision)
        if (
            decision.granted
            and decision.credential_id in runtime.community.visit_by_credential
        ):
            await visitor_desk(self.entry).note_access(decision)

    @callback
    def _programming(self, event: LockProgrammingEvent) -> None:
        if event.source not in _LOCAL_PROGRAMMING_SOURCES:
            return  # our own commands, echoed back over Zigbee
        self.entry.runtime_data.community.emit(
            "lock_programmed",
            {
                "door_id": self.door_id,
                "door": self.door_name,
                "lock": self.entity_id,
                "event": event.event,
                "source": event.source,
                "slot": None if event.user_id is None else event.user_id + 1,
            },
        )
        # The lock's memory changed behind our back: look at all of it again.
        self.codes.async_request_sync(full=True)
