"""Serial lines: one :class:`SerialHub` per ``serial_line`` subentry.

A hub owns one :class:`~.drivers.transport.SerialLine` and what is on it:
a card reader (EM4100 or a line reader) presenting cards at its door
through :func:`~.runtime.async_present`, or a relay board (LCUS channels or
Modbus coils) whose outputs each open one door (see
:class:`~.door.DoorOperator` and :mod:`.relay_outputs`).

It also holds what every line hub shares (the OSDP hub too): opening the
port (:func:`async_open_line`), taking a door's relay (:func:`claim_door`)
and the error of a relay that did not switch (:func:`relay_error`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady, HomeAssistantError

from .const import (
    CONF_BAUDRATE,
    CONF_DOOR,
    CONF_PATTERN,
    CONF_PORT,
    CONF_PROTOCOL,
    CONF_RADIX,
    CONF_UNIT_ID,
    DEFAULT_BAUDRATE,
    DOMAIN,
    LOGGER,
    PROTOCOL_EM4100,
    PROTOCOL_LCUS,
    PROTOCOL_LINE,
    PROTOCOL_MODBUS,
    PROTOCOL_OSDP,
    RELAY_PROTOCOLS,
    SUBENTRY_SERIAL_LINE,
)
from .core.models import CredentialKind
from .drivers.readers import (
    CardPresentation,
    Em4100Reader,
    LcusRelays,
    LineCardReader,
    ModbusRelays,
)
from .drivers.transport import PortUnavailableError, SerialLine, SerialLineError
from .relay_outputs import board_size, relay_outputs
from .runtime import CommunityConfigEntry, async_present

if TYPE_CHECKING:
    from .door import DoorOperator, DoorRelay

#: How long switching a relay off may take when a line stops.
STOP_SWITCH_TIMEOUT = 2.0


async def async_open_line(line: SerialLine) -> None:
    """Open a line's port; ``ConfigEntryNotReady`` when it cannot be opened.

    Shared by every hub that owns a line (this module's and the OSDP hub).
    """
    try:
        await line.start()
    except PortUnavailableError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="port_unavailable",
            translation_placeholders={
                "port": line.port,
                "error": str(err.__cause__ or err),
            },
        ) from err


def claim_door(operator: DoorOperator, relay: DoorRelay, what: str) -> bool:
    """Make ``relay`` the door's relay unless the door already opens otherwise.

    A door opens one way: by its lock or by one relay output (``what``, for
    the log); returns whether ``relay`` is now the door's relay.
    """
    if operator.config.lock_entity_id is not None or operator.relay is not None:
        LOGGER.error(
            "Door %s already opens otherwise; %s is not used",
            operator.config.door.name,
            what,
        )
        return False
    operator.relay = relay
    return True


def relay_error(line: str, error: str) -> HomeAssistantError:
    """Return the error of a relay (an output on ``line``) that did not switch."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="relay_failed",
        translation_placeholders={"line": line, "error": error},
    )


@dataclass(frozen=True, slots=True)
class LineConfig:
    """A serial line as configured.

    ``door_id`` is the reader's door; a relay line has ``outputs`` instead
    (channel or coil -> door id, see :mod:`.relay_outputs`).
    """

    id: str
    title: str
    port: str
    baudrate: int
    protocol: str
    door_id: str | None = None
    pattern: str | None = None
    radix: int = 16
    unit_id: int = 1
    board_size: int = 1
    outputs: Mapping[int, str] = field(default_factory=dict)

    @classmethod
    def from_data(cls, line_id: str, title: str, data: Mapping[str, Any]) -> LineConfig:
        """Read a subentry's data; ``ValueError``/``KeyError`` if invalid.

        Relay lines in the one-door shape of earlier versions (``door`` and
        ``channel`` or ``coil``) read as a one-output mapping.
        """
        protocol = str(data[CONF_PROTOCOL])
        if protocol not in (
            PROTOCOL_EM4100,
            PROTOCOL_LINE,
            PROTOCOL_LCUS,
            PROTOCOL_MODBUS,
        ):
            raise ValueError(f"unknown protocol {protocol}")
        relay = protocol in RELAY_PROTOCOLS
        return cls(
            id=line_id,
            title=title,
            port=str(data[CONF_PORT]),
            baudrate=int(data.get(CONF_BAUDRATE, DEFAULT_BAUDRATE)),
            protocol=protocol,
            door_id=None if relay else str(data[CONF_DOOR]),
            pattern=str(data.get(CONF_PATTERN) or "").strip() or None,
            radix=int(data.get(CONF_RADIX, 16)),
            unit_id=int(data.get(CONF_UNIT_ID, 1)),
            board_size=board_size(protocol, data) if relay else 1,
            outputs=relay_outputs(protocol, data) if relay else {},
        )

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry) -> LineConfig:
        """Read a ``serial_line`` subentry."""
        return cls.from_data(subentry.subentry_id, subentry.title, subentry.data)


class RelayOutput:
    """One output of a relay line (an LCUS channel or a Modbus coil).

    It is the :class:`~.door.DoorRelay` of the door it opens.
    """

    def __init__(self, hub: SerialHub, output: int, door_id: str) -> None:
        """Output ``output`` of ``hub``, wired to ``door_id``."""
        self.hub = hub
        self.output = output
        self.door_id = door_id

    @property
    def connected(self) -> bool:
        """Whether the line is open."""
        return self.hub.connected

    async def async_switch(self, on: bool) -> None:
        """Switch this output; raise ``HomeAssistantError``."""
        await self.hub.async_switch_output(self.output, on)


class SerialHub:
    """One serial line and the reader or relay board on it."""

    def __init__(
        self, hass: HomeAssistant, entry: CommunityConfigEntry, config: LineConfig
    ) -> None:
        """Build the line and its device; nothing is opened yet."""
        self.hass = hass
        self.entry = entry
        self.config = config
        self.line = SerialLine(config.port, config.baudrate, name=config.title)
        self._detach: list[Callable[[], None]] = [
            self.line.add_state_listener(self._state_changed)
        ]
        self._listeners: list[Callable[[], None]] = []
        self._lcus: LcusRelays | None = None
        self._modbus: ModbusRelays | None = None
        #: The outputs wired to doors, by channel or coil.
        self.outputs: dict[int, RelayOutput] = {
            output: RelayOutput(self, output, door_id)
            for output, door_id in config.outputs.items()
        }
        #: Outputs last switched on (switched off again when the line stops).
        self._on: set[int] = set()
        if config.protocol == PROTOCOL_EM4100:
            reader: Em4100Reader | LineCardReader = Em4100Reader(
                self.line, config.id, self._card
            )
            self._detach.append(reader.detach)
        elif config.protocol == PROTOCOL_LINE:
            reader = LineCardReader(
                self.line,
                config.id,
                self._card,
                pattern=config.pattern,
                radix=config.radix,
            )
            self._detach.append(reader.detach)
        elif config.protocol == PROTOCOL_LCUS:
            self._lcus = LcusRelays(self.line, channels=config.board_size)
        else:
            self._modbus = ModbusRelays(self.line, unit=config.unit_id)
            self._detach.append(self._modbus.detach)

    @property
    def source(self) -> str:
        """The source recorded with the cards read here."""
        return f"serial:{self.config.port}"

    @property
    def is_relay(self) -> bool:
        """Whether this line drives relays."""
        return self._lcus is not None or self._modbus is not None

    @property
    def connected(self) -> bool:
        """Whether the port is open."""
        return self.line.connected

    @callback
    def add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Be told when the line connects or disconnects."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def async_start(self) -> None:
        """Open the port; ``ConfigEntryNotReady`` when it cannot be opened."""
        await async_open_line(self.line)
        for relay in self.outputs.values():
            operator = self.entry.runtime_data.doors.get(relay.door_id)
            if operator is None:
                LOGGER.error(
                    "%s: output %s drives a door that no longer exists",
                    self.config.title,
                    relay.output,
                )
                continue
            if claim_door(
                operator, relay, f"output {relay.output} of {self.config.title}"
            ):
                operator.async_relay_changed()

    async def async_stop(self) -> None:
        """Switch outputs left on off, then close the port."""
        for output in sorted(self._on):
            if not self.line.connected:
                break
            try:
                async with asyncio.timeout(STOP_SWITCH_TIMEOUT):
                    await self.async_switch_output(output, False)
            except (HomeAssistantError, TimeoutError) as err:
                LOGGER.warning(
                    "%s: output %s not switched off: %s",
                    self.config.title,
                    output,
                    err,
                )
        for detach in self._detach:
            detach()
        self._detach.clear()
        await self.line.stop()

    async def async_switch_output(self, output: int, on: bool) -> None:
        """Switch one channel or coil; raise ``HomeAssistantError``.

        Modbus requests on the line go one at a time (each waits for the
        board's echo); LCUS commands are written whole, unacknowledged.
        """
        try:
            if self._lcus is not None:
                await self._lcus.switch(output, on)
            elif self._modbus is not None:
                await self._modbus.write_coil(output, on)
            else:
                raise ValueError(f"{self.config.title} has no relays")
        except SerialLineError as err:
            raise relay_error(self.config.title, str(err)) from err
        if on:
            self._on.add(output)
        else:
            self._on.discard(output)

    async def async_read_outputs(self) -> dict[int, bool | None]:
        """Return the outputs' states (read from a Modbus board, else as commanded)."""
        if self._modbus is not None and self.outputs:
            first = min(self.outputs)
            count = max(self.outputs) - first + 1
            try:
                states = await self._modbus.read_coils(first, count)
            except SerialLineError as err:
                raise relay_error(self.config.title, str(err)) from err
            return {output: states[output - first] for output in self.outputs}
        if self._lcus is not None:
            return {output: self._lcus.states.get(output) for output in self.outputs}
        return {}

    @callback
    def _state_changed(self, connected: bool) -> None:
        for listener in list(self._listeners):
            listener()
        doors = self.entry.runtime_data.doors
        for relay in self.outputs.values():
            operator = doors.get(relay.door_id)
            if operator is not None and operator.relay is relay:
                operator.async_relay_changed()

    @callback
    def _card(self, card: CardPresentation) -> None:
        self.entry.async_create_task(
            self.hass, self._present(card.card_number), f"card at {self.config.title}"
        )

    async def _present(self, number: str) -> None:
        if self.config.door_id is None:
            return
        try:
            await async_present(
                self.hass,
                self.entry,
                self.config.door_id,
                CredentialKind.CARD,
                number,
                source=self.source,
            )
        except HomeAssistantError as err:
            LOGGER.warning("%s: card not presented: %s", self.config.title, err)


async def async_start_lines(hass: HomeAssistant, entry: CommunityConfigEntry) -> None:
    """Start a hub per ``serial_line`` subentry; all or none."""
    from .osdp_hub import async_start_osdp  # noqa: PLC0415

    lines = entry.runtime_data.lines
    for subentry in entry.subentries.values():
        if subentry.subentry_type != SUBENTRY_SERIAL_LINE:
            continue
        if subentry.data.get(CONF_PROTOCOL) == PROTOCOL_OSDP:
            continue  # OSDP lines and their readers: osdp_hub
        try:
            hub = SerialHub(hass, entry, LineConfig.from_subentry(subentry))
        except (ValueError, KeyError) as err:
            LOGGER.error(
                "Serial line %s is misconfigured and was skipped: %s",
                subentry.title,
                err,
            )
            continue
        try:
            await hub.async_start()
        except ConfigEntryNotReady:
            await async_stop_lines(entry)
            raise
        lines[subentry.subentry_id] = hub
    try:
        await async_start_osdp(hass, entry)
    except ConfigEntryNotReady:
        await async_stop_lines(entry)
        raise


async def async_stop_lines(entry: CommunityConfigEntry) -> None:
    """Stop every line of the entry."""
    from .osdp_hub import async_stop_osdp  # noqa: PLC0415

    await async_stop_osdp(entry)
    lines = entry.runtime_data.lines
    for operator in entry.runtime_data.doors.values():
        operator.relay = None
    hubs = list(lines.values())
    lines.clear()
    for hub in hubs:
        await hub.async_stop()
