"""Serial lines: one :class:`SerialHub` per ``serial_line`` subentry.

A hub owns one :class:`~.drivers.transport.SerialLine` and one device on
it: a card reader (EM4100 or a line reader) presenting cards at its door
through :func:`~.runtime.async_present`, or a relay (LCUS channel or Modbus
coil) that opens its door (see :class:`~.door.DoorOperator`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady, HomeAssistantError

from .const import (
    CONF_BAUDRATE,
    CONF_CHANNEL,
    CONF_COIL,
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
from .runtime import CommunityConfigEntry, async_present

#: How long switching a relay off may take when a line stops.
STOP_SWITCH_TIMEOUT = 2.0


@dataclass(frozen=True, slots=True)
class LineConfig:
    """A serial line as configured."""

    id: str
    title: str
    port: str
    baudrate: int
    protocol: str
    door_id: str
    pattern: str | None = None
    radix: int = 16
    channel: int = 1
    unit_id: int = 1
    coil: int = 0

    @classmethod
    def from_data(cls, line_id: str, title: str, data: Mapping[str, Any]) -> LineConfig:
        """Read a subentry's data; ``ValueError``/``KeyError`` if invalid."""
        protocol = str(data[CONF_PROTOCOL])
        if protocol not in (
            PROTOCOL_EM4100,
            PROTOCOL_LINE,
            PROTOCOL_LCUS,
            PROTOCOL_MODBUS,
        ):
            raise ValueError(f"unknown protocol {protocol}")
        return cls(
            id=line_id,
            title=title,
            port=str(data[CONF_PORT]),
            baudrate=int(data.get(CONF_BAUDRATE, DEFAULT_BAUDRATE)),
            protocol=protocol,
            door_id=str(data[CONF_DOOR]),
            pattern=str(data.get(CONF_PATTERN) or "").strip() or None,
            radix=int(data.get(CONF_RADIX, 16)),
            channel=int(data.get(CONF_CHANNEL, 1)),
            unit_id=int(data.get(CONF_UNIT_ID, 1)),
            coil=int(data.get(CONF_COIL, 0)),
        )

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry) -> LineConfig:
        """Read a ``serial_line`` subentry."""
        return cls.from_data(subentry.subentry_id, subentry.title, subentry.data)


class SerialHub:
    """One serial line and the reader or relay on it."""

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
        self._relay_on = False
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
            self._lcus = LcusRelays(self.line, channels=config.channel)
        else:
            self._modbus = ModbusRelays(self.line, unit=config.unit_id)
            self._detach.append(self._modbus.detach)

    @property
    def source(self) -> str:
        """The source recorded with the cards read here."""
        return f"serial:{self.config.port}"

    @property
    def is_relay(self) -> bool:
        """Whether this line drives a relay."""
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
        try:
            await self.line.start()
        except PortUnavailableError as err:
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN,
                translation_key="port_unavailable",
                translation_placeholders={
                    "port": self.config.port,
                    "error": str(err.__cause__ or err),
                },
            ) from err
        operator = self.entry.runtime_data.doors.get(self.config.door_id)
        if not self.is_relay or operator is None:
            return
        if operator.config.lock_entity_id is not None or operator.relay is not None:
            LOGGER.error(
                "Door %s already opens otherwise; relay line %s is not used",
                operator.config.door.name,
                self.config.title,
            )
            return
        operator.relay = self

    async def async_stop(self) -> None:
        """Switch a relay left on off, then close the port."""
        if self._relay_on and self.line.connected:
            try:
                async with asyncio.timeout(STOP_SWITCH_TIMEOUT):
                    await self.async_switch(False)
            except (HomeAssistantError, TimeoutError) as err:
                LOGGER.warning("%s: relay not switched off: %s", self.config.title, err)
        for detach in self._detach:
            detach()
        self._detach.clear()
        await self.line.stop()

    async def async_switch(self, on: bool) -> None:
        """Switch the relay (a door opening); raise ``HomeAssistantError``."""
        try:
            if self._lcus is not None:
                await self._lcus.switch(self.config.channel, on)
            elif self._modbus is not None:
                await self._modbus.write_coil(self.config.coil, on)
        except SerialLineError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="relay_failed",
                translation_placeholders={"line": self.config.title, "error": str(err)},
            ) from err
        self._relay_on = on

    @callback
    def _state_changed(self, connected: bool) -> None:
        for listener in list(self._listeners):
            listener()
        operator = self.entry.runtime_data.doors.get(self.config.door_id)
        if operator is not None and operator.relay is self:
            operator.async_relay_changed()

    @callback
    def _card(self, card: CardPresentation) -> None:
        self.entry.async_create_task(
            self.hass, self._present(card.card_number), f"card at {self.config.title}"
        )

    async def _present(self, number: str) -> None:
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
    lines = entry.runtime_data.lines
    for subentry in entry.subentries.values():
        if subentry.subentry_type != SUBENTRY_SERIAL_LINE:
            continue
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


async def async_stop_lines(entry: CommunityConfigEntry) -> None:
    """Stop every line of the entry."""
    lines = entry.runtime_data.lines
    for operator in entry.runtime_data.doors.values():
        operator.relay = None
    hubs = list(lines.values())
    lines.clear()
    for hub in hubs:
        await hub.async_stop()
