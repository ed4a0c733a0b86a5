"""Faults in Home Assistant: opened by devices going away, published as repaired.

Watched signals (a fault opened when one turns bad, closed when it turns good
again while still ``reported``):

- a door's bound lock (or relay line) unavailable (``DoorOperator.available``);
- a serial line or an OSDP line disconnected (their hubs' listeners);
- an OSDP reader going offline, or reporting tamper;
- lock-code sync giving up on a slot (``LockCodes.status().state == "failed"``).

Only transitions count: a device unavailable when the community starts is
not a fault until it has been seen working. Lines, readers and lock codes
start after the operations parts, so they are watched once the entry is
loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from custom_components.community_access.const import (
    EVENT_FAULT_OPENED,
    EVENT_FAULT_UPDATED,
)
from custom_components.community_access.core.operations.faults import (
    Fault,
    FaultBook,
    FaultCause,
    FaultStatus,
)
from custom_components.community_access.core.text import clean_free_text
from custom_components.community_access.door import DoorOperator
from custom_components.community_access.lock_codes import LockCodes
from custom_components.community_access.osdp_hub import OsdpHub
from custom_components.community_access.osdp_reader import OsdpReader
from custom_components.community_access.runtime import CommunityConfigEntry
from custom_components.community_access.serial_hub import SerialHub
from custom_components.community_access.words import (
    FAULT_CAUSES,
    FAULT_STATUSES,
    local_time,
    word,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .listeners import ChangeListeners
from .notices import UpkeepSettings, async_notify, async_tell_residents, chinese


def fault_event(fault: Fault, note: str | None = None) -> dict[str, Any]:
    """Bus event data of a fault (device names only, nobody's name)."""
    data = fault.as_dict()
    data.pop("description", None)
    if note is not None:
        data["note"] = note
    return data


def new_fault_text(hass: HomeAssistant, fault: Fault) -> str:
    """Return the maintenance contact's message about a new fault."""
    language = hass.config.language
    cause = word(FAULT_CAUSES, fault.cause.value, language)
    device = fault.device_name or fault.device_id
    if chinese(hass):
        text = f"门禁设备故障:{device}({cause})。"
    else:
        text = f"Access equipment fault: {device} ({cause})."
    return f"{text} {fault.description}" if fault.description else text


def progress_text(hass: HomeAssistant, fault: Fault, note: str | None) -> str:
    """Return the residents' notice of a repair's progress (152: 公示维修进度)."""
    language = hass.config.language
    status = word(FAULT_STATUSES, fault.status.value, language)
    device = fault.device_name or fault.device_id
    expected = local_time(fault.expected_at.isoformat()) if fault.expected_at else ""
    if chinese(hass):
        text = f"维修进度:{device}{status}。"
        if expected and fault.open:
            text += f"预计完成时间:{expected}。"
    else:
        text = f"Repair progress: {device} {status}."
        if expected and fault.open:
            text += f" Expected completion: {expected}."
    return f"{text} {note}" if note else text


# ---- the signals (each a "is it faulty now?" of one device)
def _lock_gone(operator: DoorOperator) -> Callable[[], bool]:
    return lambda: operator.bound and not operator.available


def _disconnected(hub: SerialHub | OsdpHub) -> Callable[[], bool]:
    return lambda: not hub.connected


def _reader_offline(reader: OsdpReader) -> Callable[[], bool]:
    # A reader behind a closed port is the line's fault, not the reader's.
    return lambda: reader.hub.connected and not reader.online


def _reader_tamper(reader: OsdpReader) -> Callable[[], bool]:
    return lambda: bool(reader.tamper)


def _sync_failed(codes: LockCodes) -> Callable[[], bool]:
    def failed() -> bool:
        status = codes.status()
        return status is not None and status.state == "failed"

    return failed


class FaultDesk(ChangeListeners):
    """Opens, updates and publishes the faults of one community."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CommunityConfigEntry,
        settings: UpkeepSettings,
    ) -> None:
        """Prepare; :meth:`async_start` loads and watches."""
        super().__init__()
        self.hass = hass
        self.entry = entry
        self.settings = settings
        self.book = FaultBook(entry.runtime_data.community)
        self._unsub: list[CALLBACK_TYPE] = []
        #: Last state seen of each watched signal: (device id, cause) → faulty.
        self._seen: dict[tuple[str, FaultCause], bool] = {}
        self._lines = False

    async def async_start(self) -> None:
        """Read the open faults, watch the doors, and the lines once loaded."""
        await self.book.async_load()
        for operator in self.entry.runtime_data.doors.values():
            check = self.watch(
                operator.id,
                operator.config.door.name,
                operator.id,
                FaultCause.LOCK_UNAVAILABLE,
                _lock_gone(operator),
            )
            self._unsub.append(operator.add_state_listener(check))

        @callback
        def _state(*_args: Any) -> None:
            if self.entry.state is ConfigEntryState.LOADED and not self._lines:
                self._lines = True
                self._watch_lines()

        self._unsub.append(self.entry.async_on_state_change(_state))

    @callback
    def async_stop(self) -> None:
        """Stop watching."""
        while self._unsub:
            self._unsub.pop()()

    # ---- watching
    @callback
    def watch(
        self,
        device_id: str,
        name: str,
        door_id: str | None,
        cause: FaultCause,
        faulty: Callable[[], bool],
    ) -> Callable[[], None]:
        """Return a listener that opens or closes a fault on each transition.

        A fault still open from before whose device works now (it came back
        while Home Assistant was stopped) is closed at once, if still reported.
        """
        self._seen[(device_id, cause)] = bad = faulty()
        if not bad and self.book.find(device_id, cause) is not None:
            self.entry.async_create_task(
                self.hass, self.async_recovered(device_id, cause), f"fault {name}"
            )

        @callback
        def _check() -> None:
            now_faulty = faulty()
            was = self._seen.get((device_id, cause))
            self._seen[(device_id, cause)] = now_faulty
            if now_faulty == was:
                return
            coro = (
                self._async_went_bad(device_id, name, door_id, cause)
                if now_faulty
                else self.async_recovered(device_id, cause)
            )
            self.entry.async_create_task(self.hass, coro, f"fault {name}")

        return _check

    @callback
    def _watch_lines(self) -> None:
        """Watch the serial and OSDP lines, the readers and lock-code sync."""
        runtime = self.entry.runtime_data
        for hub in runtime.lines.values():
            check = self.watch(
                hub.config.id,
                hub.config.title,
                hub.config.door_id,
                FaultCause.LINE_OFFLINE,
                _disconnected(hub),
            )
            self._unsub.append(hub.add_listener(check))
        for osdp in runtime.osdp.values():
            line_check = self.watch(
                osdp.config.id,
                osdp.config.title,
                None,
                FaultCause.LINE_OFFLINE,
                _disconnected(osdp),
            )
            self._unsub.append(osdp.add_listener(line_check))
            for reader in osdp.readers.values():
                offline = self.watch(
                    reader.config.id,
                    reader.config.title,
                    reader.config.door_id,
                    FaultCause.READER_OFFLINE,
                    _reader_offline(reader),
                )
                tamper = self.watch(
                    reader.config.id,
                    reader.config.title,
                    reader.config.door_id,
                    FaultCause.TAMPER,
                    _reader_tamper(reader),
                )
                self._unsub.append(reader.add_listener(offline))
                self._unsub.append(reader.add_listener(tamper))
        for codes in runtime.lock_codes.values():
            sync = self.watch(
                codes.entity_id,
                codes.door_name,
                codes.door_id,
                FaultCause.LOCK_SYNC_FAILED,
                _sync_failed(codes),
            )
            self._unsub.append(codes.add_listener(sync))

    async def _async_went_bad(
        self, device_id: str, name: str, door_id: str | None, cause: FaultCause
    ) -> None:
        await self.async_open(
            device_id=device_id,
            device_name=name,
            door_id=door_id,
            cause=cause,
            description=None,
        )

    # ---- actions
    async def async_open(
        self,
        *,
        device_id: str,
        device_name: str | None,
        door_id: str | None,
        cause: FaultCause,
        description: str | None,
        by: str | None = None,
        context: Context | None = None,
    ) -> tuple[Fault, bool]:
        """Open a fault (or find the open one); tell the maintenance contact."""
        fault, new = await self.book.report(
            device_id=device_id,
            device_name=device_name,
            door_id=door_id,
            cause=cause,
            description=description,
            at=dt_util.utcnow(),
            by=by,
        )
        if not new:
            return fault, False
        self.hass.bus.async_fire(
            EVENT_FAULT_OPENED, fault_event(fault), context=context
        )
        self._changed()
        await async_notify(
            self.hass,
            self.settings.maintenance_notify,
            new_fault_text(self.hass, fault),
        )
        return fault, True

    async def async_update(
        self,
        fault_id: int,
        status: FaultStatus,
        *,
        note: str | None = None,
        expected_at: Any = None,
        by: str | None = None,
        context: Context | None = None,
    ) -> Fault:
        """Move a fault along; publish the progress to the residents it concerns."""
        note = clean_free_text(note, max_length=500, multiline=True)
        fault = await self.book.update(
            fault_id,
            status,
            at=dt_util.utcnow(),
            note=note,
            expected_at=expected_at,
            by=by,
        )
        await self._published(fault, note, context)
        return fault

    async def async_recovered(self, device_id: str, cause: FaultCause) -> None:
        """Close a device's fault when it is back, if nobody started a repair."""
        fault = await self.book.recovered(device_id, cause, dt_util.utcnow())
        if fault is not None:
            await self._published(fault, None, None)

    async def _published(
        self, fault: Fault, note: str | None, context: Context | None
    ) -> None:
        text = progress_text(self.hass, fault, note)
        self.hass.bus.async_fire(
            EVENT_FAULT_UPDATED,
            fault_event(fault, note) | {"message": text},
            context=context,
        )
        self._changed()
        await async_tell_residents(
            self.hass, self.entry, self.settings, [fault.door_id], text
        )
