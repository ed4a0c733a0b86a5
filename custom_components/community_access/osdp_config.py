"""OSDP configuration and key records: what the other OSDP modules share.

An OSDP line is a ``serial_line`` subentry of protocol osdp
(:class:`OsdpLineConfig`); each reader on it an ``osdp_reader`` subentry
(:class:`ReaderConfig`). A paired reader's secrets (:class:`KeyRecord`: its
secure channel key and the :class:`Identity` it reported at pairing) are
kept encrypted in the settings table under :func:`key_setting`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
import json
from typing import Any, Final

from homeassistant.config_entries import ConfigSubentry
from homeassistant.exceptions import HomeAssistantError

from .const import (
    CONF_ADDRESS,
    CONF_BAUDRATE,
    CONF_DOOR,
    CONF_FEEDBACK,
    CONF_LINE,
    CONF_OUTPUT,
    CONF_PORT,
    CONF_PROTOCOL,
    DEFAULT_BAUDRATE,
    PROTOCOL_OSDP,
    SUBENTRY_OSDP_READER,
)
from .drivers.osdp import PdId
from .runtime import CommunityConfigEntry

#: Install mode is open at most this long while pairing.
PAIR_TIMEOUT: Final = 60.0
#: How long a command (OUT, KEYSET) may take to be answered.
COMMAND_TIMEOUT: Final = 3.0

#: Settings keys of the readers' key records start with this.
KEY_SETTING_PREFIX: Final = "osdp_reader_key:"


def key_setting(reader_id: str) -> str:
    """Return the settings key of a reader's encrypted secure channel record."""
    return f"{KEY_SETTING_PREFIX}{reader_id}"


def alarm_issue_id(reader_id: str) -> str:
    """Repair issue id of a reader alarm."""
    return f"osdp_reader_alarm_{reader_id}"


def mask_serial(serial: int) -> str:
    """Show only the last 2 hex digits of a serial number."""
    text = f"{serial:08X}"
    return "*" * (len(text) - 2) + text[-2:]


class PairingError(HomeAssistantError):
    """Pairing failed; ``reason`` is a flow error key."""

    def __init__(self, reason: str) -> None:
        """Keep the reason (``pair_timeout``, ``pair_refused`` ...)."""
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Identity:
    """What a reader says it is (PDID)."""

    vendor: str
    model: int
    version: int
    serial: int
    firmware: str = ""

    @classmethod
    def from_pdid(cls, pdid: PdId) -> Identity:
        """From a PDID reply."""
        return cls(
            vendor=pdid.vendor_code.hex(),
            model=pdid.model,
            version=pdid.version,
            serial=pdid.serial_number,
            firmware=".".join(str(p) for p in pdid.firmware),
        )

    def same_device(self, other: Identity) -> bool:
        """Vendor, model and serial agree (firmware may be updated)."""
        return (self.vendor, self.model, self.serial) == (
            other.vendor,
            other.model,
            other.serial,
        )

    def as_dict(self, *, masked: bool = True) -> dict[str, Any]:
        """As data; the serial masked unless told otherwise."""
        return {
            "vendor": self.vendor,
            "model": self.model,
            "version": self.version,
            "serial": mask_serial(self.serial) if masked else self.serial,
            "firmware": self.firmware,
        }


@dataclass(slots=True)
class KeyRecord:
    """A paired reader's secrets, as kept (encrypted) in the settings table."""

    scbk: bytes = field(repr=False)
    identity: Identity
    paired_at: str
    rotated_at: str | None = None
    #: A key sent with KEYSET whose acknowledgement never came.
    pending: bytes | None = field(default=None, repr=False)

    def dumps(self) -> str:
        """As JSON (to be encrypted)."""
        return json.dumps(
            {
                "scbk": self.scbk.hex(),
                "pending": self.pending.hex() if self.pending else None,
                "identity": self.identity.as_dict(masked=False),
                "paired_at": self.paired_at,
                "rotated_at": self.rotated_at,
            }
        )

    @classmethod
    def loads(cls, text: str) -> KeyRecord:
        """From JSON; ``ValueError``/``KeyError`` if invalid."""
        raw = json.loads(text)
        ident = raw["identity"]
        scbk = bytes.fromhex(raw["scbk"])
        if len(scbk) != 16:
            raise ValueError("SCBK must be 16 bytes")
        return cls(
            scbk=scbk,
            identity=Identity(
                vendor=str(ident["vendor"]),
                model=int(ident["model"]),
                version=int(ident["version"]),
                serial=int(ident["serial"]),
                firmware=str(ident.get("firmware", "")),
            ),
            paired_at=str(raw["paired_at"]),
            rotated_at=raw.get("rotated_at"),
            pending=bytes.fromhex(raw["pending"]) if raw.get("pending") else None,
        )


@dataclass(frozen=True, slots=True)
class OsdpLineConfig:
    """An OSDP line as configured."""

    id: str
    title: str
    port: str
    baudrate: int
    protocol: str = PROTOCOL_OSDP

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry) -> OsdpLineConfig:
        """Read a ``serial_line`` subentry of protocol osdp."""
        data = subentry.data
        if data.get(CONF_PROTOCOL) != PROTOCOL_OSDP:
            raise ValueError("not an OSDP line")
        return cls(
            id=subentry.subentry_id,
            title=subentry.title,
            port=str(data[CONF_PORT]),
            baudrate=int(data.get(CONF_BAUDRATE, DEFAULT_BAUDRATE)),
        )


@dataclass(frozen=True, slots=True)
class ReaderConfig:
    """An OSDP reader as configured."""

    id: str
    title: str
    line_id: str
    address: int
    door_id: str
    output: int | None
    feedback: bool

    @classmethod
    def from_data(
        cls, reader_id: str, title: str, data: Mapping[str, Any]
    ) -> ReaderConfig:
        """Read a subentry's data; ``ValueError``/``KeyError`` if invalid."""
        address = int(data[CONF_ADDRESS])
        if not 0 <= address <= 126:
            raise ValueError("address must be 0 to 126")
        output = data.get(CONF_OUTPUT)
        return cls(
            id=reader_id,
            title=title,
            line_id=str(data[CONF_LINE]),
            address=address,
            door_id=str(data[CONF_DOOR]),
            output=None if output is None or output == "" else int(output),
            feedback=bool(data.get(CONF_FEEDBACK, True)),
        )

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry) -> ReaderConfig:
        """Read an ``osdp_reader`` subentry."""
        return cls.from_data(subentry.subentry_id, subentry.title, subentry.data)


def reader_subentries(entry: CommunityConfigEntry) -> list[ConfigSubentry]:
    """Return the entry's ``osdp_reader`` subentries."""
    return [
        s for s in entry.subentries.values() if s.subentry_type == SUBENTRY_OSDP_READER
    ]
