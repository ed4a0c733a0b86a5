"""Entities of OSDP lines and readers (binary sensors).

One device per OSDP line (its connectivity sensor is the serial lines' one,
:class:`~.binary_sensor.LineConnectivity`, with :data:`OSDP_LINE_MODEL`) and
one per reader, linked to the line with ``via_device``: the reader's
connectivity (it answers polls),
tamper and power failure (from LSTATR, asked when the reader comes online
and sent by the reader by itself when they change). They are push entities;
they are unavailable while the line's port is closed (tamper and power also
while the reader does not answer: their state is then unknown).
"""

from __future__ import annotations

from typing import Final

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
)
from homeassistant.const import EntityCategory
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN
from .entity import QuietRemoval
from .osdp_reader import OsdpReader
from .runtime import CommunityConfigEntry

#: Model of an OSDP line's device.
OSDP_LINE_MODEL: Final = "OSDP line"


def reader_device(reader: OsdpReader) -> DeviceInfo:
    """Return the device of a reader, linked to its line."""
    identity = reader.record.identity if reader.record else reader.identity
    info = DeviceInfo(
        identifiers={(DOMAIN, reader.config.id)},
        name=reader.config.title,
        manufacturer="OSDP",
        model=f"OSDP reader (address {reader.config.address})",
        via_device=(DOMAIN, reader.hub.config.id),
    )
    if identity is not None:
        info["model_id"] = f"{identity.vendor}:{identity.model}"
        if identity.firmware:
            info["sw_version"] = identity.firmware
    return info


class OsdpReaderEntity(QuietRemoval, BinarySensorEntity):
    """A binary sensor of one reader, on the reader's device."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self, entry: CommunityConfigEntry, reader: OsdpReader, key: str
    ) -> None:
        """Attach to the reader's device."""
        self.reader = reader
        self._attr_unique_id = f"{entry.entry_id}_{reader.config.id}_{key}"
        self._attr_translation_key = key
        self._attr_device_info = reader_device(reader)

    async def async_added_to_hass(self) -> None:
        """Follow the reader and its line."""
        self.async_on_remove(self.reader.add_listener(self.async_write_ha_state))

    @property
    def available(self) -> bool:
        """Unavailable while the line is down or the reader silent."""
        return self.reader.hub.connected and self.reader.online


class OsdpReaderConnectivity(OsdpReaderEntity):
    """On while the reader answers polls."""

    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(self, entry: CommunityConfigEntry, reader: OsdpReader) -> None:
        """Create for a reader."""
        super().__init__(entry, reader, "reader_connected")

    @property
    def available(self) -> bool:
        """Unavailable only while the line is down."""
        return self.reader.hub.connected

    @property
    def is_on(self) -> bool:
        """Whether the reader answers."""
        return self.reader.online


class OsdpReaderTamper(OsdpReaderEntity):
    """On while the reader reports tampering (LSTATR)."""

    _attr_device_class = BinarySensorDeviceClass.TAMPER

    def __init__(self, entry: CommunityConfigEntry, reader: OsdpReader) -> None:
        """Create for a reader."""
        super().__init__(entry, reader, "reader_tamper")

    @property
    def is_on(self) -> bool:
        """Whether the reader reports tampering."""
        return self.reader.tamper


class OsdpReaderPower(OsdpReaderEntity):
    """On while the reader reports a power failure (LSTATR)."""

    _attr_device_class = BinarySensorDeviceClass.PROBLEM

    def __init__(self, entry: CommunityConfigEntry, reader: OsdpReader) -> None:
        """Create for a reader."""
        super().__init__(entry, reader, "reader_power")

    @property
    def is_on(self) -> bool:
        """Whether the reader reports a power failure."""
        return self.reader.power_failure


def async_add_osdp_entities(
    entry: CommunityConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the reader sensors, each in its reader's subentry."""
    for hub in entry.runtime_data.osdp.values():
        for reader in hub.readers.values():
            async_add_entities(
                [
                    OsdpReaderConnectivity(entry, reader),
                    OsdpReaderTamper(entry, reader),
                    OsdpReaderPower(entry, reader),
                ],
                config_subentry_id=reader.config.id,
            )
