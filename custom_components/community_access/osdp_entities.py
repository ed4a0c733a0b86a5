"""Entities of OSDP lines and readers (binary sensors).

One device per OSDP line (its connectivity) and one per reader, linked to
the line with ``via_device``: the reader's connectivity (it answers polls),
tamper and power failure (from LSTATR, asked when the reader comes online
and sent by the reader by itself when they change). They are push entities;
they are unavailable while the line's port is closed (tamper and power also
while the reader does not answer: their state is then unknown).
"""

from __future__ import annotations

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
)
from homeassistant.const import EntityCategory
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN
from .osdp_hub import OsdpHub
from .osdp_reader import OsdpReader
from .runtime import CommunityConfigEntry


def line_device(entry: CommunityConfigEntry, hub: OsdpHub) -> DeviceInfo:
    """Return the device of an OSDP line (under the community device)."""
    return DeviceInfo(
        identifiers={(DOMAIN, hub.config.id)},
        name=hub.config.title,
        manufacturer="Community Access",
        model="OSDP line",
        via_device=(DOMAIN, entry.entry_id),
    )


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


class OsdpLineConnectivity(BinarySensorEntity):
    """On while the OSDP line's port is open."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_translation_key = "line_connected"

    def __init__(self, entry: CommunityConfigEntry, hub: OsdpHub) -> None:
        """Create for a line, on the line's device."""
        self.hub = hub
        self._attr_unique_id = f"{entry.entry_id}_{hub.config.id}_connected"
        self._attr_device_info = line_device(entry, hub)

    async def async_added_to_hass(self) -> None:
        """Follow the line."""
        self.async_on_remove(self.hub.add_listener(self.async_write_ha_state))

    @property
    def is_on(self) -> bool:
        """Whether the port is open."""
        return self.hub.connected


class OsdpReaderEntity(BinarySensorEntity):
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
    """Add the line and reader sensors, each in its own subentry."""
    for line_id, hub in entry.runtime_data.osdp.items():
        async_add_entities(
            [OsdpLineConnectivity(entry, hub)], config_subentry_id=line_id
        )
        for reader in hub.readers.values():
            async_add_entities(
                [
                    OsdpReaderConnectivity(entry, reader),
                    OsdpReaderTamper(entry, reader),
                    OsdpReaderPower(entry, reader),
                ],
                config_subentry_id=reader.config.id,
            )
