"""The real ZHA integration on a fake zigpy radio, with a Door Lock joined.

No radio library talks to hardware here: ``ControllerApplication.new`` of the
configured radio type (bellows, ``ezsp``) is patched to return
:class:`FakeRadio`, a zigpy ``ControllerApplication`` whose radio methods do
nothing. Everything above it is real: Home Assistant sets ZHA up through its
config entry, the zha library's gateway starts, a Door Lock device joins and
ZHA creates its ``lock.*`` entity.

The lock's memory is :class:`DoorLockSimulator`. It replaces the ``request``
of the lock's endpoint, so it receives the very bytes zigpy serialised for
each ZCL command (on every cluster of that endpoint), decodes them with
zigpy's own cluster code, keeps users / codes / schedules / attributes per
ZCL, and hands back the deserialised ZCL response, as zigpy's
``Device.request`` would after a reply arrived over the air. Notifications
from the lock (operation and programming events) are encoded as ZCL frames
and fed to ``ControllerApplication.packet_received``, the path a received
radio packet takes.

ZDO traffic (bind requests while ZHA configures the device) is answered by
patching ``zigpy.device.Device.request``, as Home Assistant's own ZHA tests
do; the lock endpoint's ZCL traffic never reaches it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
import time
from typing import Any
from unittest.mock import patch

from pytest_homeassistant_custom_component.common import MockConfigEntry
from zigpy.application import ControllerApplication
import zigpy.config
import zigpy.device
import zigpy.endpoint
import zigpy.exceptions
from zigpy.profiles import zha as zha_profile
import zigpy.state
import zigpy.types as t
from zigpy.zcl import foundation
from zigpy.zcl.clusters.closures import DoorLock
from zigpy.zcl.clusters.general import Basic, Groups, PowerConfiguration
import zigpy.zdo.types as zdo_t

from homeassistant.components.zha import const as zha_const
from homeassistant.components.zha.helpers import get_zha_gateway
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component

RADIO_PATH = "/dev/ttyUSB0"
COORDINATOR_IEEE = "00:15:8d:00:02:32:4f:32"
LOCK_IEEE = "68:0a:e2:ff:fe:6a:10:01"
LOCK_NWK = 0x4C21
LOCK_MANUFACTURER = "Community Test Locks"
LOCK_MODEL = "CA-DL100 keypad and card lock"
LOCK_ENDPOINT = 1
DOOR_LOCK = DoorLock.cluster_id

#: Platforms ZHA sets up in these tests (the lock, its battery sensor).
ZHA_TEST_PLATFORMS = (Platform.DEVICE_TRACKER, Platform.LOCK, Platform.SENSOR)

_Status = foundation.Status
_UserStatus = DoorLock.UserStatus
_UserType = DoorLock.UserType


class FakeRadio(ControllerApplication):  # type: ignore[misc]
    """A zigpy application whose radio does nothing (no serial port)."""

    async def connect(self) -> None:
        """Nothing to open."""

    async def disconnect(self) -> None:
        """Nothing to close."""

    async def start_network(self) -> None:
        """The network is always up."""

    async def load_network_info(self, *, load_devices: bool = False) -> None:
        """The state is set in :func:`make_fake_radio`."""

    async def write_network_info(self, *, network_info: Any, node_info: Any) -> None:
        """Nothing is written."""

    async def reset_network_info(self) -> None:
        """Nothing is reset."""

    async def add_endpoint(self, descriptor: zdo_t.SimpleDescriptor) -> None:
        """The coordinator's endpoints are fixed."""

    async def force_remove(self, dev: zigpy.device.Device) -> None:
        """Nothing to remove."""

    async def permit_ncp(self, time_s: int = 60) -> None:
        """Joins are simulated."""

    async def permit_with_link_key(
        self, node: t.EUI64, link_key: t.KeyData, time_s: int = 60
    ) -> None:
        """Joins are simulated."""

    async def send_packet(self, packet: t.ZigbeePacket) -> None:
        """Packets to other devices go nowhere."""

    async def move_network_to_channel(
        self, new_channel: int, *, num_broadcasts: int = 5
    ) -> None:
        """The channel is fixed."""


def make_fake_radio() -> FakeRadio:
    """A formed network with a coordinator, as a radio library would load it."""
    app = FakeRadio(
        {
            zigpy.config.CONF_DATABASE: None,
            zigpy.config.CONF_DEVICE: {zigpy.config.CONF_DEVICE_PATH: RADIO_PATH},
            zigpy.config.CONF_NWK_BACKUP_ENABLED: False,
            zigpy.config.CONF_TOPO_SCAN_ENABLED: False,
            zigpy.config.CONF_STARTUP_ENERGY_SCAN: False,
            zigpy.config.CONF_OTA: {zigpy.config.CONF_OTA_ENABLED: False},
        }
    )
    ieee = t.EUI64.convert(COORDINATOR_IEEE)
    app.state.node_info.nwk = t.NWK(0x0000)
    app.state.node_info.ieee = ieee
    app.state.node_info.manufacturer = "Fake radio"
    app.state.node_info.model = "No hardware"
    app.state.network_info.pan_id = t.PanId(0x1A62)
    app.state.network_info.extended_pan_id = ieee
    app.state.network_info.channel = 15
    app.state.network_info.network_key.key = t.KeyData(range(16))
    app.state.counters = zigpy.state.CounterGroups()

    coordinator = app.add_device(nwk=app.state.node_info.nwk, ieee=ieee)
    coordinator.node_desc = zdo_t.NodeDescriptor()
    coordinator.node_desc.logical_type = zdo_t.LogicalType.Coordinator
    coordinator.manufacturer = "Fake radio"
    coordinator.model = "No hardware"
    endpoint = coordinator.add_endpoint(1)
    endpoint.profile_id = zha_profile.PROFILE_ID
    endpoint.add_input_cluster(Basic.cluster_id)
    endpoint.add_input_cluster(Groups.cluster_id)
    return app


def zha_config_entry() -> MockConfigEntry:
    """ZHA's config entry for an EZSP radio on a serial port."""
    return MockConfigEntry(
        version=5,
        domain=zha_const.DOMAIN,
        data={
            zigpy.config.CONF_DEVICE: {
                zigpy.config.CONF_DEVICE_PATH: RADIO_PATH,
                zigpy.config.CONF_DEVICE_BAUDRATE: 115200,
                zigpy.config.CONF_DEVICE_FLOW_CONTROL: "hardware",
            },
            zha_const.CONF_RADIO_TYPE: "ezsp",
        },
        options={},
    )


@contextmanager
def patched_radio(app: FakeRadio) -> Iterator[None]:
    """Make ZHA's radio library hand out ``app``; ZDO requests succeed."""
    with (
        patch(
            "bellows.zigbee.application.ControllerApplication.new",
            side_effect=lambda *args, **kwargs: _hand_out(app),
        ),
        patch("homeassistant.components.zha.radio_manager.CONNECT_DELAY_S", 0),
        patch("homeassistant.components.zha.radio_manager.RETRY_DELAY_S", 0),
        patch("zha.application.gateway.SHUT_DOWN_DELAY_S", 0),
        patch("homeassistant.components.zha.PLATFORMS", ZHA_TEST_PLATFORMS),
        patch("zigpy.device.Device.request", return_value=[_Status.SUCCESS]),
    ):
        yield


def _hand_out(app: FakeRadio) -> FakeRadio:
    """Give ZHA the radio application, as a radio library's ``new`` does.

    A real radio library builds a new application each time; this one is
    reused across ZHA reloads (it holds the joined devices), so gateways that
    ZHA shut down are detached from it first.
    """
    for listener_id, (listener, _context) in list(app._listeners.items()):
        if getattr(listener, "application_controller", app) is None:
            del app._listeners[listener_id]
    return app


async def async_setup_zha(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set ZHA up through its config entry (call inside :func:`patched_radio`)."""
    entry.add_to_hass(hass)
    assert await async_setup_component(
        hass,
        zha_const.DOMAIN,
        {zha_const.DOMAIN: {zha_const.CONF_ENABLE_QUIRKS: False}},
    )
    await hass.async_block_till_done()
    assert entry.state.name == "LOADED", entry.state


# --------------------------------------------------------------------------
# The lock's memory
# --------------------------------------------------------------------------


@dataclass
class LockUser:
    """One ZCL user on the lock (user status and type are per user)."""

    status: int = _UserStatus.Available
    user_type: int = _UserType.Unrestricted
    pin: str | None = field(default=None, repr=False)
    rfid: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class SentCommand:
    """A command the lock received: its name and decoded arguments."""

    cluster_id: int
    name: str
    args: dict[str, Any]
    tsn: int


#: Door Lock attributes of the simulated lock (ZCL ids → values).
DEFAULT_LOCK_ATTRIBUTES: dict[int, Any] = {
    0x0000: DoorLock.LockState.Locked,
    0x0001: DoorLock.LockType.Dead_bolt,
    0x0002: True,  # actuator enabled
    0x0010: 100,  # log records
    0x0011: 20,  # total users
    0x0012: 20,  # PIN users
    0x0013: 20,  # RFID users
    0x0014: 4,  # week-day schedules per user
    0x0015: 2,  # year-day schedules per user
    0x0016: 0,  # holiday schedules
    0x0017: 8,  # max PIN length
    0x0018: 4,  # min PIN length
    0x0019: 20,  # max RFID length
    0x001A: 4,  # min RFID length
    0x0020: False,  # logging
    0x0025: DoorLock.OperatingMode.Normal,
    0x0030: 5,  # wrong code entry limit
    0x0031: 60,  # user code temporary disable time (s)
}

#: Attributes of the lock's other clusters (Basic, Power Configuration).
DEFAULT_OTHER_ATTRIBUTES: dict[int, dict[int, Any]] = {
    Basic.cluster_id: {
        0x0000: 3,  # ZCL version
        0x0004: LOCK_MANUFACTURER,
        0x0005: LOCK_MODEL,
        0x0007: Basic.PowerSource.Battery,
    },
    PowerConfiguration.cluster_id: {
        0x0020: 60,  # battery voltage (100 mV)
        0x0021: 180,  # battery percentage remaining (half percent)
    },
}

#: Set-code responses carry this status when the code is already on the lock.
STATUS_DUPLICATE_CODE = 0x03
STATUS_MEMORY_FULL = 0x02
STATUS_GENERAL_FAILURE = 0x01

_WRITABLE_LOCK_ATTRIBUTES = frozenset(
    {0x0004, 0x0005, 0x0006, 0x0020, 0x0021, 0x0022, 0x0023, 0x0024, 0x0025}
    | {0x0028, 0x0029, 0x002A, 0x002B, 0x0030, 0x0031, 0x0032, 0x0033}
    | set(range(0x0040, 0x0048))
)


class DoorLockSimulator:
    """The memory and radio behaviour of a ZCL Door Lock.

    Attach it with :meth:`attach`; it then answers every request zigpy sends
    to the lock's endpoint. Faults (delays, timeouts, failure statuses) apply
    to the Door Lock cluster only, so a test can make the lock misbehave
    while ZHA's own Basic / battery traffic still works.
    """

    def __init__(
        self,
        *,
        lock_attributes: dict[int, Any] | None = None,
        other_attributes: dict[int, dict[int, Any]] | None = None,
    ) -> None:
        """Start with empty credential memory and the given attributes."""
        self.attributes: dict[int, dict[int, Any]] = {
            cid: dict(attrs) for cid, attrs in DEFAULT_OTHER_ATTRIBUTES.items()
        }
        for cid, attrs in (other_attributes or {}).items():
            self.attributes.setdefault(cid, {}).update(attrs)
        self.attributes[DOOR_LOCK] = DEFAULT_LOCK_ATTRIBUTES | (lock_attributes or {})
        self.users: dict[int, LockUser] = {}
        self.week_day: dict[tuple[int, int], tuple[int, int, int, int, int]] = {}
        self.year_day: dict[tuple[int, int], tuple[int, int]] = {}
        #: Every command the lock received, in order (Door Lock cluster only).
        self.commands: list[SentCommand] = []
        #: Every request on any cluster of the endpoint, in order.
        self.all_requests: list[SentCommand] = []
        #: Door Lock commands being answered now, and the most at once.
        self.in_flight = 0
        self.max_in_flight = 0
        #: Seconds every Door Lock command takes before it is answered.
        self.delay: float = 0.0
        self._timeouts_left = 0
        self._timeout_exc: Callable[[], BaseException] = TimeoutError
        self._hang: asyncio.Event | None = None
        self._fail_status: int | None = None
        self._fail_left = 0
        self._endpoint: zigpy.endpoint.Endpoint | None = None
        self._app: ControllerApplication | None = None
        self._nwk = LOCK_NWK
        self._tsn = 0x40

    # -- set-up -------------------------------------------------------------

    def attach(self, app: ControllerApplication, device: zigpy.device.Device) -> None:
        """Answer every request to the lock endpoint of ``device``."""
        self._app = app
        self._nwk = int(device.nwk)
        self._endpoint = device.endpoints[LOCK_ENDPOINT]
        self._endpoint.request = self._request  # type: ignore[method-assign]

    @property
    def cluster(self) -> DoorLock:
        """The zigpy Door Lock cluster the simulator sits behind."""
        assert self._endpoint is not None
        return self._endpoint.in_clusters[DOOR_LOCK]

    @property
    def pin_users(self) -> int:
        """Number of PIN users (attribute 0x12)."""
        return int(self.attributes[DOOR_LOCK][0x0012])

    @property
    def rfid_users(self) -> int:
        """Number of RFID users (attribute 0x13)."""
        return int(self.attributes[DOOR_LOCK][0x0013])

    def preload_pin(
        self,
        user_id: int,
        pin: str,
        *,
        user_type: int = _UserType.Unrestricted,
        status: int = _UserStatus.Enabled,
    ) -> None:
        """Put a PIN on the lock as if entered at its keypad (not recorded)."""
        user = self.users.setdefault(user_id, LockUser())
        user.pin, user.status, user.user_type = pin, status, user_type

    def preload_rfid(
        self,
        user_id: int,
        card: str,
        *,
        user_type: int = _UserType.Unrestricted,
        status: int = _UserStatus.Enabled,
    ) -> None:
        """Put a card on the lock as if enrolled at the lock (not recorded)."""
        user = self.users.setdefault(user_id, LockUser())
        user.rfid, user.status, user.user_type = card, status, user_type

    def pins(self) -> dict[int, str]:
        """The PINs stored on the lock by user id."""
        return {uid: u.pin for uid, u in self.users.items() if u.pin is not None}

    def cards(self) -> dict[int, str]:
        """The RFID codes stored on the lock by user id."""
        return {uid: u.rfid for uid, u in self.users.items() if u.rfid is not None}

    def reset_records(self) -> None:
        """Forget the recorded commands (for example after the join)."""
        self.commands.clear()
        self.all_requests.clear()

    def command_names(self) -> list[str]:
        """Names of the Door Lock commands received, in order."""
        return [c.name for c in self.commands]

    # -- faults -------------------------------------------------------------

    def time_out(
        self,
        count: int | None = None,
        *,
        exc: Callable[[], BaseException] = TimeoutError,
    ) -> None:
        """Let the next ``count`` Door Lock commands fail with ``exc`` (None: all).

        ``TimeoutError`` is what zigpy's ``Device.request`` raises when no
        reply arrives in time; ``zigpy.exceptions.DeliveryError`` is what a
        radio library raises when the frame could not be delivered.
        Nothing is stored on the lock for a command that timed out.
        """
        self._timeouts_left = -1 if count is None else count
        self._timeout_exc = exc

    def hang(self) -> None:
        """Leave Door Lock commands unanswered until :meth:`release`.

        The caller's own timeout ends the wait (the lock is out of range).
        """
        self._hang = asyncio.Event()

    def release(self) -> None:
        """End :meth:`time_out`, :meth:`hang` and :meth:`fail_with`."""
        self._timeouts_left = 0
        self._fail_left = 0
        self._fail_status = None
        if self._hang is not None:
            self._hang.set()
            self._hang = None

    def fail_with(self, status: int, count: int | None = None) -> None:
        """Answer the next ``count`` Door Lock commands with ``status`` (None: all)."""
        self._fail_status = status
        self._fail_left = -1 if count is None else count

    # -- notifications from the lock ---------------------------------------

    def emit_operation_event(
        self,
        *,
        source: int,
        code: int,
        user_id: int,
        pin: str = "",
        local_time: int = 0,
    ) -> None:
        """Send an operation event notification (0x20) as if heard over the air."""
        self._emit(
            0x20,
            operation_event_source=source,
            operation_event_code=code,
            user_id=user_id,
            pin=pin,
            local_time=local_time,
        )

    def emit_programming_event(
        self,
        *,
        source: int,
        code: int,
        user_id: int,
        pin: str = "",
        user_type: int = _UserType.Unrestricted,
        user_status: int = _UserStatus.Enabled,
        local_time: int = 0,
    ) -> None:
        """Send a programming event notification (0x21) as if heard over the air."""
        self._emit(
            0x21,
            program_event_source=source,
            program_event_code=code,
            user_id=user_id,
            pin=pin,
            user_type=user_type,
            user_status=user_status,
            local_time=local_time,
        )

    def _emit(self, command_id: int, **kwargs: Any) -> None:
        assert self._app is not None
        assert self._endpoint is not None
        self._tsn = (self._tsn + 1) & 0xFF
        data = _frame(
            self.cluster.client_commands[command_id].schema(**kwargs),
            command_id=command_id,
            tsn=self._tsn,
            general=False,
            disable_default_response=True,
        )
        self._app.packet_received(
            t.ZigbeePacket(
                src=t.AddrModeAddress(addr_mode=t.AddrMode.NWK, address=self._nwk),
                src_ep=LOCK_ENDPOINT,
                dst=t.AddrModeAddress(addr_mode=t.AddrMode.NWK, address=0x0000),
                dst_ep=1,
                tsn=self._tsn,
                profile_id=zha_profile.PROFILE_ID,
                cluster_id=DOOR_LOCK,
                data=t.SerializableBytes(data),
                lqi=200,
                rssi=-60,
            )
        )

    # -- the radio side ----------------------------------------------------

    async def _request(
        self,
        cluster: int,
        sequence: int,
        data: bytes,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """Take a serialised ZCL request; return the deserialised response.

        The signature is ``zigpy.endpoint.Endpoint.request``'s; only
        ``expect_reply`` (fifth, or by keyword) matters here.
        """
        expect_reply = kwargs.get("expect_reply", args[2] if len(args) > 2 else True)
        assert self._endpoint is not None
        zcl = (
            self._endpoint.in_clusters.get(cluster)
            or self._endpoint.out_clusters[cluster]
        )
        hdr, request = zcl.deserialize(data)
        general = hdr.frame_control.frame_type == foundation.FrameType.GLOBAL_COMMAND
        if general:
            name = foundation.GeneralCommand(hdr.command_id).name.lower()
        else:
            name = zcl.server_commands[hdr.command_id].name
        record = SentCommand(
            cluster_id=cluster,
            name=name,
            args=request.as_dict() if hasattr(request, "as_dict") else {},
            tsn=hdr.tsn,
        )
        self.all_requests.append(record)
        if cluster == DOOR_LOCK:
            self.commands.append(record)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                await self._misbehave()
            finally:
                self.in_flight -= 1
            if self._fail_left:
                self._fail_left -= 1 if self._fail_left > 0 else 0
                assert self._fail_status is not None
                response = self._failure(hdr, general, self._fail_status)
                return _round_trip(zcl, response, hdr, general)
        if general:
            response = self._general(zcl, hdr, request)
        else:
            response = self._door_lock(hdr.command_id, request)
        if not expect_reply:
            return None
        return _round_trip(zcl, response, hdr, general)

    async def _misbehave(self) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self._hang is not None:
            await self._hang.wait()
        if self._timeouts_left:
            if self._timeouts_left > 0:
                self._timeouts_left -= 1
            raise self._timeout_exc()

    def _failure(
        self, hdr: foundation.ZCLHeader, general: bool, status: int
    ) -> tuple[int, Any]:
        if not general and hdr.command_id in self.cluster.client_commands:
            response_def = self.cluster.client_commands[hdr.command_id]
            if [f.name for f in response_def.schema.fields] == ["status"]:
                return hdr.command_id, response_def.schema(status=status)
        return _default_response(hdr.command_id, status)

    # -- general (foundation) commands --------------------------------------

    def _general(
        self, zcl: Any, hdr: foundation.ZCLHeader, request: Any
    ) -> tuple[int, Any]:
        store = self.attributes.setdefault(zcl.cluster_id, {})
        command = foundation.GeneralCommand(hdr.command_id)
        if command == foundation.GeneralCommand.Read_Attributes:
            records = []
            for attrid in request.attribute_ids:
                if attrid not in store:
                    records.append(
                        foundation.ReadAttributeRecord(
                            attrid=attrid, status=_Status.UNSUPPORTED_ATTRIBUTE
                        )
                    )
                    continue
                attr_def = zcl.find_attribute(attrid)
                records.append(
                    foundation.ReadAttributeRecord(
                        attrid=attrid,
                        status=_Status.SUCCESS,
                        value=foundation.TypeValue(
                            type=attr_def.zcl_type, value=attr_def.type(store[attrid])
                        ),
                    )
                )
            return _general_response(
                foundation.GeneralCommand.Read_Attributes_rsp, status_records=records
            )
        if command == foundation.GeneralCommand.Write_Attributes:
            failures = []
            accepted = []
            for attr in request.attributes:
                unsupported = attr.attrid not in store
                read_only = (
                    zcl.cluster_id == DOOR_LOCK
                    and attr.attrid not in _WRITABLE_LOCK_ATTRIBUTES
                )
                if unsupported or read_only:
                    status = (
                        _Status.UNSUPPORTED_ATTRIBUTE
                        if unsupported
                        else _Status.READ_ONLY
                    )
                    failures.append(
                        foundation.WriteAttributesStatusRecord(
                            status=status, attrid=attr.attrid
                        )
                    )
                else:
                    accepted.append(attr)
            for attr in accepted:  # Write Attributes is not "undivided" (ZCL 2.5.3)
                store[attr.attrid] = attr.value.value
            return _general_response(
                foundation.GeneralCommand.Write_Attributes_rsp,
                status_records=failures
                or [foundation.WriteAttributesStatusRecord(status=_Status.SUCCESS)],
            )
        if command == foundation.GeneralCommand.Configure_Reporting:
            return _general_response(
                foundation.GeneralCommand.Configure_Reporting_rsp,
                status_records=[
                    foundation.ConfigureReportingResponseRecord(status=_Status.SUCCESS)
                ],
            )
        return _default_response(hdr.command_id, _Status.UNSUP_GENERAL_COMMAND)

    # -- Door Lock cluster commands ----------------------------------------

    def _door_lock(self, command_id: int, req: Any) -> tuple[int, Any]:
        command = self.cluster.server_commands.get(command_id)
        handler = getattr(self, f"_cmd_{command.name}", None) if command else None
        if handler is None:
            return _default_response(command_id, _Status.UNSUP_CLUSTER_COMMAND)
        result = handler(req)
        response_schema = self.cluster.client_commands[command_id].schema
        if isinstance(result, tuple):  # a default response
            return result
        if isinstance(result, dict):
            return command_id, response_schema(**result)
        return command_id, response_schema(status=result)

    def _users_range(self, user_id: int, kind: str) -> bool:
        limit = self.pin_users if kind == "pin" else self.rfid_users
        return 0 <= user_id < limit

    def _code_in_range(self, code: str, kind: str) -> bool:
        attrs = self.attributes[DOOR_LOCK]
        low, high = (
            (attrs[0x0018], attrs[0x0017])
            if kind == "pin"
            else (attrs[0x001A], attrs[0x0019])
        )
        return low <= len(code) <= high

    def _set_code(self, req: Any, kind: str, code: str) -> int:
        if not self._users_range(req.user_id, kind) or not self._code_in_range(
            code, kind
        ):
            return STATUS_GENERAL_FAILURE
        for uid, other in self.users.items():
            if uid != req.user_id and getattr(other, kind) == code:
                return STATUS_DUPLICATE_CODE
        user = self.users.setdefault(req.user_id, LockUser())
        setattr(user, kind, code)
        user.status = req.user_status
        user.user_type = req.user_type
        return _Status.SUCCESS

    def _get_code(self, req: Any, kind: str) -> dict[str, Any] | tuple[int, Any]:
        if not self._users_range(req.user_id, kind):
            return _default_response(
                0x06 if kind == "pin" else 0x17, _Status.INVALID_FIELD
            )
        user = self.users.get(req.user_id)
        code = getattr(user, kind) if user is not None else None
        key = "code" if kind == "pin" else "rfid_code"
        if user is None or code is None:
            return {
                "user_id": req.user_id,
                "user_status": _UserStatus.Available,
                "user_type": _UserType.Not_Supported,
                key: "",
            }
        return {
            "user_id": req.user_id,
            "user_status": user.status,
            "user_type": user.user_type,
            key: code,
        }

    def _clear_code(self, req: Any, kind: str) -> int:
        if not self._users_range(req.user_id, kind):
            return STATUS_GENERAL_FAILURE
        user = self.users.get(req.user_id)
        if user is not None:
            setattr(user, kind, None)
            if user.pin is None and user.rfid is None:
                del self.users[req.user_id]
                self._drop_schedules(req.user_id)
        return _Status.SUCCESS

    def _drop_schedules(self, user_id: int) -> None:
        for key in [k for k in self.week_day if k[0] == user_id]:
            del self.week_day[key]
        for key in [k for k in self.year_day if k[0] == user_id]:
            del self.year_day[key]

    def _cmd_lock_door(self, req: Any) -> int:
        self.attributes[DOOR_LOCK][0x0000] = DoorLock.LockState.Locked
        return _Status.SUCCESS

    def _cmd_unlock_door(self, req: Any) -> int:
        self.attributes[DOOR_LOCK][0x0000] = DoorLock.LockState.Unlocked
        return _Status.SUCCESS

    def _cmd_set_pin_code(self, req: Any) -> int:
        return self._set_code(req, "pin", str(req.pin_code))

    def _cmd_get_pin_code(self, req: Any) -> dict[str, Any] | tuple[int, Any]:
        return self._get_code(req, "pin")

    def _cmd_clear_pin_code(self, req: Any) -> int:
        return self._clear_code(req, "pin")

    def _cmd_clear_all_pin_codes(self, req: Any) -> int:
        for uid in list(self.users):
            self._clear_code(_UserRef(uid), "pin")
        return _Status.SUCCESS

    def _cmd_set_rfid_code(self, req: Any) -> int:
        return self._set_code(req, "rfid", str(req.rfid_code))

    def _cmd_get_rfid_code(self, req: Any) -> dict[str, Any] | tuple[int, Any]:
        return self._get_code(req, "rfid")

    def _cmd_clear_rfid_code(self, req: Any) -> int:
        return self._clear_code(req, "rfid")

    def _cmd_clear_all_rfid_codes(self, req: Any) -> int:
        for uid in list(self.users):
            self._clear_code(_UserRef(uid), "rfid")
        return _Status.SUCCESS

    def _max_users(self) -> int:
        return max(self.pin_users, self.rfid_users)

    def _cmd_set_user_status(self, req: Any) -> int:
        user = self.users.get(req.user_id)
        if user is None or not 0 <= req.user_id < self._max_users():
            return STATUS_GENERAL_FAILURE
        user.status = req.user_status
        return _Status.SUCCESS

    def _cmd_get_user_status(self, req: Any) -> dict[str, Any]:
        user = self.users.get(req.user_id)
        status = user.status if user is not None else _UserStatus.Available
        return {"user_id": req.user_id, "user_status": status}

    def _cmd_set_user_type(self, req: Any) -> int:
        if not 0 <= req.user_id < self._max_users():
            return STATUS_GENERAL_FAILURE
        self.users.setdefault(req.user_id, LockUser()).user_type = req.user_type
        return _Status.SUCCESS

    def _cmd_get_user_type(self, req: Any) -> dict[str, Any]:
        user = self.users.get(req.user_id)
        kind = user.user_type if user is not None else _UserType.Not_Supported
        return {"user_id": req.user_id, "user_type": kind}

    def _schedule_ok(self, req: Any, capacity_attr: int) -> bool:
        return 0 <= req.user_id < self._max_users() and 0 <= req.schedule_id < int(
            self.attributes[DOOR_LOCK][capacity_attr]
        )

    def _cmd_set_week_day_schedule(self, req: Any) -> int:
        if not self._schedule_ok(req, 0x0014):
            return _Status.INVALID_FIELD
        if req.start_hour > 23 or req.end_hour > 23 or req.start_minute > 59:
            return _Status.INVALID_FIELD
        if req.end_minute > 59 or (req.start_hour, req.start_minute) >= (
            req.end_hour,
            req.end_minute,
        ):
            return _Status.INVALID_FIELD
        self.week_day[(req.user_id, req.schedule_id)] = (
            int(req.days_mask),
            req.start_hour,
            req.start_minute,
            req.end_hour,
            req.end_minute,
        )
        return _Status.SUCCESS

    def _cmd_get_week_day_schedule(self, req: Any) -> dict[str, Any]:
        entry = self.week_day.get((req.user_id, req.schedule_id))
        if entry is None:
            return {
                "schedule_id": req.schedule_id,
                "user_id": req.user_id,
                "status": _Status.NOT_FOUND,
            }
        days, sh, sm, eh, em = entry
        return {
            "schedule_id": req.schedule_id,
            "user_id": req.user_id,
            "status": _Status.SUCCESS,
            "days_mask": days,
            "start_hour": sh,
            "start_minute": sm,
            "end_hour": eh,
            "end_minute": em,
        }

    def _cmd_clear_week_day_schedule(self, req: Any) -> int:
        if not self._schedule_ok(req, 0x0014):
            return _Status.INVALID_FIELD
        self.week_day.pop((req.user_id, req.schedule_id), None)
        return _Status.SUCCESS

    def _cmd_set_year_day_schedule(self, req: Any) -> int:
        if not self._schedule_ok(req, 0x0015):
            return _Status.INVALID_FIELD
        if req.local_end_time <= req.local_start_time:
            return _Status.INVALID_FIELD
        self.year_day[(req.user_id, req.schedule_id)] = (
            int(req.local_start_time),
            int(req.local_end_time),
        )
        return _Status.SUCCESS

    def _cmd_get_year_day_schedule(self, req: Any) -> dict[str, Any]:
        entry = self.year_day.get((req.user_id, req.schedule_id))
        if entry is None:
            return {
                "schedule_id": req.schedule_id,
                "user_id": req.user_id,
                "status": _Status.NOT_FOUND,
            }
        return {
            "schedule_id": req.schedule_id,
            "user_id": req.user_id,
            "status": _Status.SUCCESS,
            "local_start_time": entry[0],
            "local_end_time": entry[1],
        }

    def _cmd_clear_year_day_schedule(self, req: Any) -> int:
        if not self._schedule_ok(req, 0x0015):
            return _Status.INVALID_FIELD
        self.year_day.pop((req.user_id, req.schedule_id), None)
        return _Status.SUCCESS


@dataclass(frozen=True)
class _UserRef:
    user_id: int


def _default_response(command_id: int, status: int) -> tuple[int, Any]:
    """A ZCL Default Response (general command 0x0B) to ``command_id``."""
    return _general_response(
        foundation.GeneralCommand.Default_Response,
        command_id=command_id,
        status=status,
    )


def _general_response(command: foundation.GeneralCommand, **kwargs: Any) -> Any:
    return (
        _GENERAL,
        (command, foundation.GENERAL_COMMANDS[command].schema(**kwargs)),
    )


_GENERAL = -1


def _frame(
    schema: Any,
    *,
    command_id: int,
    tsn: int,
    general: bool,
    disable_default_response: bool = True,
) -> bytes:
    hdr = foundation.ZCLHeader(
        frame_control=foundation.FrameControl(
            frame_type=(
                foundation.FrameType.GLOBAL_COMMAND
                if general
                else foundation.FrameType.CLUSTER_COMMAND
            ),
            is_manufacturer_specific=False,
            direction=foundation.Direction.Server_to_Client,
            disable_default_response=disable_default_response,
            reserved=0,
        ),
        tsn=tsn,
        command_id=command_id,
    )
    return bytes(hdr.serialize() + schema.serialize())


def _round_trip(
    zcl: Any, response: tuple[int, Any], hdr: foundation.ZCLHeader, general: bool
) -> Any:
    """Serialise the lock's answer and parse it back, as zigpy does on receipt."""
    if response[0] == _GENERAL:
        command, schema = response[1]
        data = _frame(schema, command_id=command, tsn=hdr.tsn, general=True)
    else:
        command_id, schema = response
        data = _frame(schema, command_id=command_id, tsn=hdr.tsn, general=False)
    _hdr, parsed = zcl.deserialize(data)
    return parsed


# --------------------------------------------------------------------------
# Joining the lock
# --------------------------------------------------------------------------


def make_lock_device(
    app: ControllerApplication, ieee: str = LOCK_IEEE, nwk: int = LOCK_NWK
) -> zigpy.device.Device:
    """A battery Door Lock as zigpy knows it after its interview."""
    device = app.add_device(ieee=t.EUI64.convert(ieee), nwk=t.NWK(nwk))
    device.manufacturer = LOCK_MANUFACTURER
    device.model = LOCK_MODEL
    # End device, allocate address, battery powered, not receiving when idle.
    device.node_desc = zdo_t.NodeDescriptor.deserialize(
        b"\x02\x40\x80\x34\x12\x52\x52\x00\x00\x00\x52\x00\x00"
    )[0]
    device.last_seen = time.time()
    endpoint = device.add_endpoint(LOCK_ENDPOINT)
    endpoint.profile_id = zha_profile.PROFILE_ID
    endpoint.device_type = zha_profile.DeviceType.DOOR_LOCK
    for cluster_id in (Basic.cluster_id, PowerConfiguration.cluster_id, DOOR_LOCK):
        endpoint.add_input_cluster(cluster_id)
    endpoint.status = zigpy.endpoint.Status.ZDO_INIT
    device.status = zigpy.device.Status.ENDPOINTS_INIT
    return device


@dataclass
class ZhaLockEnv:
    """What a test gets: the running ZHA, the joined lock and its memory."""

    hass: HomeAssistant
    app: FakeRadio
    entry: MockConfigEntry
    device: zigpy.device.Device
    sim: DoorLockSimulator
    entity_id: str

    @property
    def cluster(self) -> DoorLock:
        """The lock's zigpy Door Lock cluster."""
        return self.sim.cluster


async def async_join_door_lock(
    hass: HomeAssistant,
    app: FakeRadio,
    sim: DoorLockSimulator,
    *,
    ieee: str = LOCK_IEEE,
    nwk: int = LOCK_NWK,
) -> tuple[zigpy.device.Device, str]:
    """Join a lock through ZHA's gateway; return it and its lock entity id.

    Call it again with another ``ieee`` / ``nwk`` and simulator for a
    second lock on the same network.
    """
    device = make_lock_device(app, ieee, nwk)
    sim.attach(app, device)
    gateway = get_zha_gateway(hass)
    gateway.get_or_create_device(device)
    await gateway.async_device_initialized(device)
    await hass.async_block_till_done(wait_background_tasks=True)
    registry = er.async_get(hass)
    entity_ids = [
        entry.entity_id
        for entry in registry.entities.values()
        if entry.platform == zha_const.DOMAIN
        and entry.domain == Platform.LOCK
        and entry.unique_id.startswith(str(device.ieee))
    ]
    assert len(entity_ids) == 1, entity_ids
    return device, entity_ids[0]


@asynccontextmanager
async def zha_with_door_lock(
    hass: HomeAssistant, sim: DoorLockSimulator | None = None
) -> AsyncIterator[ZhaLockEnv]:
    """ZHA set up on a fake radio, with a Door Lock joined and its memory."""
    app = make_fake_radio()
    sim = sim or DoorLockSimulator()
    entry = zha_config_entry()
    with patched_radio(app):
        await async_setup_zha(hass, entry)
        device, entity_id = await async_join_door_lock(hass, app, sim)
        sim.reset_records()
        try:
            yield ZhaLockEnv(hass, app, entry, device, sim, entity_id)
        finally:
            sim.release()
            await hass.config_entries.async_unload(entry.entry_id)
            await hass.async_block_till_done()


def delivery_error() -> BaseException:
    """What a radio library raises when a frame could not be delivered."""
    return zigpy.exceptions.DeliveryError("Failed to deliver packet (simulated)")
