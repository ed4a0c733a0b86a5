"""Config flow: one entry per community; doors as subentries; options for defaults."""

from __future__ import annotations

from typing import Any

import serialx
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
import voluptuous as vol

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentry,
    ConfigSubentryData,
    ConfigSubentryFlow,
    OptionsFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_NAME
from homeassistant.core import callback
from homeassistant.helpers import selector
from homeassistant.util import slugify

from .const import (
    CONF_ALLOWED_ROLES,
    CONF_ANTI_PASSBACK,
    CONF_APPROVAL_TIMEOUT,
    CONF_AREA,
    CONF_AUTO_RECORD,
    CONF_BAUDRATE,
    CONF_BUILDING,
    CONF_CARD_DEPOSIT,
    CONF_CARD_QUOTA,
    CONF_CHANNEL,
    CONF_COIL,
    CONF_DB_URL,
    CONF_DEMO,
    CONF_DIRECTION,
    CONF_DOOR,
    CONF_ESCAPE_ROUTE,
    CONF_FACE_CARD_SECONDS,
    CONF_GUARD_NOTIFY,
    CONF_HOURS,
    CONF_LADDER,
    CONF_LOCK_ENTITY,
    CONF_MANAGE_CODES,
    CONF_NOTICE_NOTIFY,
    CONF_OPEN_TIME,
    CONF_PATTERN,
    CONF_PIN_ATTEMPTS,
    CONF_PIN_LOCKOUT_MINUTES,
    CONF_PORT,
    CONF_PROTOCOL,
    CONF_RADIX,
    CONF_READER_KEY_DAYS,
    CONF_REISSUE_FEE,
    CONF_RETENTION_DAYS,
    CONF_REVIEW_INTERVAL_DAYS,
    CONF_REVOKE_UNUSED_DAYS,
    CONF_TRAVEL_SECONDS,
    CONF_UNIT_ID,
    CONF_VISIT_MINUTES,
    CONF_WEEKDAYS,
    CONF_ZONE_KIND,
    DEFAULT_APPROVAL_TIMEOUT,
    DEFAULT_BAUDRATE,
    DEFAULT_CARD_DEPOSIT,
    DEFAULT_CARD_QUOTA,
    DEFAULT_FACE_CARD_SECONDS,
    DEFAULT_OPEN_TIME,
    DEFAULT_PIN_ATTEMPTS,
    DEFAULT_PIN_LOCKOUT_MINUTES,
    DEFAULT_READER_KEY_DAYS,
    DEFAULT_REISSUE_FEE,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_REVIEW_INTERVAL_DAYS,
    DEFAULT_REVOKE_UNUSED_DAYS,
    DEFAULT_VISIT_MINUTES,
    DOMAIN,
    MIN_RETENTION_DAYS,
    PROTOCOL_EM4100,
    PROTOCOL_LCUS,
    PROTOCOL_LINE,
    PROTOCOL_MODBUS,
    PROTOCOL_OSDP,
    RELAY_PROTOCOLS,
    SUBENTRY_DOOR,
    SUBENTRY_OSDP_READER,
    SUBENTRY_SERIAL_LINE,
)
from .core.detection import PassbackMode
from .core.models import DEFAULT_LADDER, Direction, Role, ZoneKind
from .core.schedule import WEEKDAYS
from .demo import demo_doors
from .door import door_from_data
from .drivers.line_reader import LineReader
from .osdp_flow import OsdpReaderSubentryFlow
from .relay_outputs import (
    CONF_BOARD_SIZE,
    CONF_OUTPUTS,
    MAX_COIL,
    MODBUS_BOARD_SIZES,
    OUTPUT_FIELD,
    board_size,
    board_sizes,
    output_numbers,
    outputs_data,
    relay_outputs,
)
from .rules_setup import parse_ladder


class CommunityConfigFlow(ConfigFlow, domain=DOMAIN):
    """Create a community."""

    VERSION = 1

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Name the community."""
        errors: dict[str, str] = {}
        if user_input is not None:
            name = user_input[CONF_NAME].strip()
            if not name:
                errors[CONF_NAME] = "invalid_name"
            else:
                await self.async_set_unique_id(slugify(name))
                self._abort_if_unique_id_configured()
                demo = bool(user_input.get(CONF_DEMO, False))
                subentries: list[ConfigSubentryData] = (
                    [
                        ConfigSubentryData(
                            data=data,
                            subentry_type=SUBENTRY_DOOR,
                            title=title,
                            unique_id=None,
                        )
                        for title, data in demo_doors()
                    ]
                    if demo
                    else []
                )
                return self.async_create_entry(
                    title=name,
                    data={CONF_NAME: name, CONF_DEMO: demo},
                    options=default_options(),
                    subentries=subentries,
                )
        return self.async_show_form(
            step_id="user",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_NAME): selector.TextSelector(),
                    vol.Optional(CONF_DEMO, default=False): selector.BooleanSelector(),
                }
            ),
            errors=errors,
        )

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> CommunityOptionsFlow:
        """Defaults of the community."""
        return CommunityOptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Doors and serial lines are subentries."""
        return {
            SUBENTRY_DOOR: DoorSubentryFlow,
            SUBENTRY_SERIAL_LINE: SerialLineSubentryFlow,
            SUBENTRY_OSDP_READER: OsdpReaderSubentryFlow,
        }


def default_options() -> dict[str, Any]:
    """Options of a new community."""
    return {
        CONF_CARD_QUOTA: DEFAULT_CARD_QUOTA,
        CONF_CARD_DEPOSIT: DEFAULT_CARD_DEPOSIT,
        CONF_REISSUE_FEE: DEFAULT_REISSUE_FEE,
        CONF_RETENTION_DAYS: DEFAULT_RETENTION_DAYS,
        CONF_REVIEW_INTERVAL_DAYS: DEFAULT_REVIEW_INTERVAL_DAYS,
        CONF_REVOKE_UNUSED_DAYS: DEFAULT_REVOKE_UNUSED_DAYS,
        CONF_APPROVAL_TIMEOUT: DEFAULT_APPROVAL_TIMEOUT,
        CONF_VISIT_MINUTES: DEFAULT_VISIT_MINUTES,
        CONF_GUARD_NOTIFY: "",
        CONF_TRAVEL_SECONDS: 0,
        CONF_FACE_CARD_SECONDS: DEFAULT_FACE_CARD_SECONDS,
        CONF_PIN_ATTEMPTS: DEFAULT_PIN_ATTEMPTS,
        CONF_PIN_LOCKOUT_MINUTES: DEFAULT_PIN_LOCKOUT_MINUTES,
        CONF_AUTO_RECORD: False,
        CONF_LADDER: ",".join(k.value for k in DEFAULT_LADDER),
        CONF_NOTICE_NOTIFY: "",
        CONF_READER_KEY_DAYS: DEFAULT_READER_KEY_DAYS,
        CONF_DB_URL: "",
    }


def _box(
    minimum: float, maximum: float, *, step: float = 1, unit: str | None = None
) -> selector.NumberSelector:
    """Return a number selector typed in a box."""
    config = selector.NumberSelectorConfig(
        min=minimum, max=maximum, step=step, mode=selector.NumberSelectorMode.BOX
    )
    if unit is not None:
        config["unit_of_measurement"] = unit
    return selector.NumberSelector(config)


def _money() -> selector.NumberSelector:
    return _box(0, 10000, step=0.01, unit="CNY")


def _days(minimum: int) -> selector.NumberSelector:
    return _box(minimum, 3650, unit="d")


class CommunityOptionsFlow(OptionsFlow):
    """Card quota, deposit, reissue fee, record retention, database."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """One form with every default."""
        errors: dict[str, str] = {}
        current = default_options() | dict(self.config_entry.options)
        if user_input is not None:
            url = str(user_input.get(CONF_DB_URL) or "").strip()
            guard = str(user_input.get(CONF_GUARD_NOTIFY) or "").strip()
            notice = str(user_input.get(CONF_NOTICE_NOTIFY) or "").strip()
            if notice and not self.hass.services.has_service(
                "notify", notice.removeprefix("notify.")
            ):
                errors[CONF_NOTICE_NOTIFY] = "unknown_notify_service"
            ladder = ",".join(
                p.strip()
                for p in str(user_input.get(CONF_LADDER) or "").split(",")
                if p.strip()
            )
            try:
                parse_ladder(ladder)
            except ValueError:
                errors[CONF_LADDER] = "invalid_ladder"
            if guard and not self.hass.services.has_service(
                "notify", guard.removeprefix("notify.")
            ):
                errors[CONF_GUARD_NOTIFY] = "unknown_notify_service"
            if url:
                try:
                    make_url(url)
                except ArgumentError:
                    errors[CONF_DB_URL] = "invalid_db_url"
            if not errors:
                return self.async_create_entry(
                    data={
                        CONF_CARD_QUOTA: int(user_input[CONF_CARD_QUOTA]),
                        CONF_CARD_DEPOSIT: float(user_input[CONF_CARD_DEPOSIT]),
                        CONF_REISSUE_FEE: float(user_input[CONF_REISSUE_FEE]),
                        CONF_RETENTION_DAYS: int(user_input[CONF_RETENTION_DAYS]),
                        CONF_REVIEW_INTERVAL_DAYS: int(
                            user_input[CONF_REVIEW_INTERVAL_DAYS]
                        ),
                        CONF_REVOKE_UNUSED_DAYS: int(
                            user_input[CONF_REVOKE_UNUSED_DAYS]
                        ),
                        CONF_APPROVAL_TIMEOUT: int(user_input[CONF_APPROVAL_TIMEOUT]),
                        CONF_VISIT_MINUTES: int(user_input[CONF_VISIT_MINUTES]),
                        CONF_GUARD_NOTIFY: guard,
                        CONF_TRAVEL_SECONDS: int(user_input[CONF_TRAVEL_SECONDS]),
                        CONF_FACE_CARD_SECONDS: int(user_input[CONF_FACE_CARD_SECONDS]),
                        CONF_PIN_ATTEMPTS: int(user_input[CONF_PIN_ATTEMPTS]),
                        CONF_PIN_LOCKOUT_MINUTES: int(
                            user_input[CONF_PIN_LOCKOUT_MINUTES]
                        ),
                        CONF_AUTO_RECORD: bool(user_input[CONF_AUTO_RECORD]),
                        CONF_LADDER: ladder,
                        CONF_NOTICE_NOTIFY: notice,
                        CONF_READER_KEY_DAYS: int(user_input[CONF_READER_KEY_DAYS]),
                        CONF_DB_URL: url,
                    }
                )
            current |= user_input
        schema = vol.Schema(
            {
                vol.Required(CONF_CARD_QUOTA, default=current[CONF_CARD_QUOTA]): _box(
                    1, 50
                ),
                vol.Required(
                    CONF_CARD_DEPOSIT, default=current[CONF_CARD_DEPOSIT]
                ): _money(),
                vol.Required(
                    CONF_REISSUE_FEE, default=current[CONF_REISSUE_FEE]
                ): _money(),
                vol.Required(
                    CONF_RETENTION_DAYS, default=current[CONF_RETENTION_DAYS]
                ): _box(MIN_RETENTION_DAYS, 3650, unit="d"),
                vol.Required(
                    CONF_REVIEW_INTERVAL_DAYS,
                    default=current[CONF_REVIEW_INTERVAL_DAYS],
                ): _days(0),
                vol.Required(
                    CONF_REVOKE_UNUSED_DAYS, default=current[CONF_REVOKE_UNUSED_DAYS]
                ): _days(0),
                vol.Required(
                    CONF_APPROVAL_TIMEOUT, default=current[CONF_APPROVAL_TIMEOUT]
                ): _box(1, 60, unit="min"),
                vol.Required(
                    CONF_VISIT_MINUTES, default=current[CONF_VISIT_MINUTES]
                ): _box(5, 1440, step=5, unit="min"),
                vol.Optional(
                    CONF_GUARD_NOTIFY, default=current[CONF_GUARD_NOTIFY]
                ): selector.TextSelector(),
                vol.Required(
                    CONF_TRAVEL_SECONDS, default=current[CONF_TRAVEL_SECONDS]
                ): _box(0, 3600, unit="s"),
                vol.Required(
                    CONF_FACE_CARD_SECONDS, default=current[CONF_FACE_CARD_SECONDS]
                ): _box(0, 300, unit="s"),
                vol.Required(
                    CONF_PIN_ATTEMPTS, default=current[CONF_PIN_ATTEMPTS]
                ): _box(0, 5),
                vol.Required(
                    CONF_PIN_LOCKOUT_MINUTES, default=current[CONF_PIN_LOCKOUT_MINUTES]
                ): _box(1, 1440, unit="min"),
                vol.Required(
                    CONF_AUTO_RECORD, default=current[CONF_AUTO_RECORD]
                ): selector.BooleanSelector(),
                vol.Required(
                    CONF_LADDER, default=current[CONF_LADDER]
                ): selector.TextSelector(),
                vol.Optional(
                    CONF_NOTICE_NOTIFY, default=current[CONF_NOTICE_NOTIFY]
                ): selector.TextSelector(),
                vol.Required(
                    CONF_READER_KEY_DAYS, default=current[CONF_READER_KEY_DAYS]
                ): _days(0),
                vol.Optional(
                    CONF_DB_URL, default=current[CONF_DB_URL]
                ): selector.TextSelector(),
            }
        )
        return self.async_show_form(step_id="init", data_schema=schema, errors=errors)


DOOR_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_NAME): selector.TextSelector(),
        vol.Required(
            CONF_ZONE_KIND, default=ZoneKind.GATE.value
        ): selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[k.value for k in ZoneKind], translation_key=CONF_ZONE_KIND
            )
        ),
        vol.Optional(CONF_BUILDING): selector.TextSelector(),
        vol.Optional(CONF_AREA): selector.TextSelector(),
        vol.Required(
            CONF_DIRECTION, default=Direction.IN.value
        ): selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[d.value for d in Direction], translation_key=CONF_DIRECTION
            )
        ),
        vol.Optional(CONF_LOCK_ENTITY): selector.EntitySelector(
            selector.EntitySelectorConfig(domain="lock")
        ),
        vol.Required(CONF_MANAGE_CODES, default=False): selector.BooleanSelector(),
        vol.Required(CONF_OPEN_TIME, default=DEFAULT_OPEN_TIME): _box(1, 300, unit="s"),
        vol.Optional(CONF_ALLOWED_ROLES): selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[r.value for r in Role], multiple=True, translation_key="role"
            )
        ),
        vol.Optional(CONF_WEEKDAYS): selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=list(WEEKDAYS), multiple=True, translation_key="weekday"
            )
        ),
        vol.Optional(CONF_HOURS): selector.TextSelector(),
        vol.Required(CONF_ESCAPE_ROUTE, default=False): selector.BooleanSelector(),
        vol.Required(
            CONF_ANTI_PASSBACK, default=PassbackMode.NONE.value
        ): selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[m.value for m in PassbackMode],
                translation_key=CONF_ANTI_PASSBACK,
            )
        ),
    }
)


def _validate_door(user_input: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Normalise a door form; return (data, errors)."""
    data = {k: v for k, v in user_input.items() if k != CONF_NAME}
    errors: dict[str, str] = {}
    kind = ZoneKind(data[CONF_ZONE_KIND])
    if kind is ZoneKind.BUILDING and not str(data.get(CONF_BUILDING) or "").strip():
        errors[CONF_BUILDING] = "building_required"
    if kind is ZoneKind.PUBLIC and not str(data.get(CONF_AREA) or "").strip():
        errors[CONF_AREA] = "area_required"
    if not str(user_input.get(CONF_NAME) or "").strip():
        errors[CONF_NAME] = "invalid_name"
    if data.get(CONF_MANAGE_CODES) and not data.get(CONF_LOCK_ENTITY):
        errors[CONF_MANAGE_CODES] = "manage_codes_needs_lock"
    if not errors:
        try:
            door_from_data("check", user_input[CONF_NAME], data)
        except ValueError:
            key = {
                ZoneKind.BUILDING: CONF_BUILDING,
                ZoneKind.PUBLIC: CONF_AREA,
                ZoneKind.GATE: CONF_HOURS,
            }[kind]
            if str(data.get(CONF_HOURS) or "").strip():
                key = CONF_HOURS
            errors[key] = f"invalid_{key}"
    data[CONF_OPEN_TIME] = int(data.get(CONF_OPEN_TIME, DEFAULT_OPEN_TIME))
    return data, errors


class DoorSubentryFlow(ConfigSubentryFlow):
    """Add or reconfigure a door."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Add a door."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = _validate_door(user_input)
            if not errors:
                return self.async_create_entry(
                    title=user_input[CONF_NAME].strip(), data=data
                )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                DOOR_SCHEMA, user_input or {}
            ),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a door."""
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = _validate_door(user_input)
            if not errors:
                return self.async_update_and_abort(
                    self._get_entry(),
                    subentry,
                    title=user_input[CONF_NAME].strip(),
                    data=data,
                )
        current = user_input or {CONF_NAME: subentry.title, **subentry.data}
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(DOOR_SCHEMA, current),
            errors=errors,
        )


PROTOCOLS = [
    PROTOCOL_EM4100,
    PROTOCOL_LINE,
    PROTOCOL_LCUS,
    PROTOCOL_MODBUS,
    PROTOCOL_OSDP,
]
#: The fields each protocol keeps, besides port, baud rate, protocol and door.
PROTOCOL_FIELDS: dict[str, tuple[str, ...]] = {
    PROTOCOL_EM4100: (),
    PROTOCOL_LINE: (CONF_PATTERN, CONF_RADIX),
    PROTOCOL_LCUS: (CONF_BOARD_SIZE,),
    PROTOCOL_MODBUS: (CONF_UNIT_ID, CONF_COIL, CONF_BOARD_SIZE),
    PROTOCOL_OSDP: (),
}


def _list_ports() -> list[str]:
    """List the serial ports present on this machine (blocking)."""
    try:
        return sorted(str(port.device) for port in serialx.list_serial_ports())
    except OSError:
        return []


def _line_schema(
    doors: list[selector.SelectOptionDict], ports: list[str]
) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_PORT): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=ports,
                    custom_value=True,
                    mode=selector.SelectSelectorMode.DROPDOWN,
                )
            ),
            vol.Required(CONF_BAUDRATE, default=DEFAULT_BAUDRATE): _box(300, 921600),
            vol.Required(CONF_PROTOCOL, default=PROTOCOL_EM4100): (
                selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=PROTOCOLS, translation_key=CONF_PROTOCOL
                    )
                )
            ),
            vol.Optional(CONF_DOOR): selector.SelectSelector(
                selector.SelectSelectorConfig(options=doors)
            ),
            vol.Optional(CONF_PATTERN): selector.TextSelector(),
            vol.Required(CONF_RADIX, default="16"): selector.SelectSelector(
                selector.SelectSelectorConfig(options=["16", "10"])
            ),
            vol.Required(CONF_BOARD_SIZE, default="1"): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=[str(n) for n in MODBUS_BOARD_SIZES]
                )
            ),
            vol.Required(CONF_UNIT_ID, default=1): _box(1, 247),
            vol.Required(CONF_COIL, default=0): _box(0, 65535),
        }
    )


def _outputs_schema(
    doors: list[selector.SelectOptionDict], positions: int
) -> vol.Schema:
    """One optional door per output of the board (by position, 1-based)."""
    return vol.Schema(
        {
            vol.Optional(OUTPUT_FIELD.format(n)): selector.SelectSelector(
                selector.SelectSelectorConfig(options=doors)
            )
            for n in range(1, positions + 1)
        }
    )


def _relay_form_values(data: dict[str, Any]) -> dict[str, Any]:
    """Return a relay line's data as the forms show it (old one-door data too)."""
    protocol = str(data.get(CONF_PROTOCOL))
    if protocol not in RELAY_PROTOCOLS:
        return data
    shown = {
        k: v
        for k, v in data.items()
        if k not in (CONF_DOOR, CONF_CHANNEL, CONF_OUTPUTS)
    }
    try:
        shown[CONF_BOARD_SIZE] = board_size(protocol, data)
    except (TypeError, ValueError):
        return shown
    return shown


def _suggested_outputs(old: dict[str, Any], line: dict[str, Any]) -> dict[str, Any]:
    """Fill the output fields of ``line`` from an earlier line's doors."""
    if old.get(CONF_PROTOCOL) != line[CONF_PROTOCOL]:
        return {}
    try:
        outputs = relay_outputs(line[CONF_PROTOCOL], old)
    except (TypeError, ValueError):
        return {}
    return {
        OUTPUT_FIELD.format(position): outputs[number]
        for position, number in enumerate(
            output_numbers(line[CONF_PROTOCOL], line), start=1
        )
        if number in outputs
    }


class SerialLineSubentryFlow(ConfigSubentryFlow):
    """Add or reconfigure a serial line with a reader or a relay board on it.

    A relay line takes a second step choosing the door of each output.
    """

    _line: dict[str, Any]
    _shown: dict[str, Any]

    def _doors(self) -> dict[str, ConfigSubentry]:
        return {
            s.subentry_id: s
            for s in self._get_entry().subentries.values()
            if s.subentry_type == SUBENTRY_DOOR
        }

    def _validate(
        self, user_input: dict[str, Any], editing: str | None
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """Normalise the form; return (data, errors)."""
        protocol = user_input[CONF_PROTOCOL]
        data: dict[str, Any] = {
            CONF_PORT: str(user_input.get(CONF_PORT) or "").strip(),
            CONF_BAUDRATE: int(user_input.get(CONF_BAUDRATE, DEFAULT_BAUDRATE)),
            CONF_PROTOCOL: protocol,
            CONF_DOOR: user_input.get(CONF_DOOR),
        }
        for key in PROTOCOL_FIELDS[protocol]:
            value = user_input.get(key)
            if key == CONF_PATTERN:
                data[key] = str(value or "").strip()
            elif value is not None:
                data[key] = int(value)
        errors: dict[str, str] = {}
        if not data[CONF_PORT]:
            errors[CONF_PORT] = "invalid_port"
        if protocol in RELAY_PROTOCOLS:
            # The doors are chosen per output in the next step.
            del data[CONF_DOOR]
            if data[CONF_BOARD_SIZE] not in board_sizes(protocol) or (
                output_numbers(protocol, data)[-1] > MAX_COIL
            ):
                errors[CONF_BOARD_SIZE] = "output_out_of_range"
        elif protocol == PROTOCOL_OSDP:
            del data[CONF_DOOR]  # its readers are subentries of their own
        elif self._doors().get(str(data[CONF_DOOR])) is None:
            errors[CONF_DOOR] = "unknown_door"
        if protocol == PROTOCOL_LINE:
            try:
                LineReader(data[CONF_PATTERN] or None, data.get(CONF_RADIX, 16))
            except ValueError:
                errors[CONF_PATTERN] = "invalid_pattern"
        return data, errors

    async def _form(
        self, step_id: str, current: dict[str, Any], errors: dict[str, str]
    ) -> SubentryFlowResult:
        ports = await self.hass.async_add_executor_job(_list_ports)
        doors = [
            selector.SelectOptionDict(value=sid, label=s.title)
            for sid, s in self._doors().items()
        ]
        shown = {
            k: str(v) if k in (CONF_RADIX, CONF_BOARD_SIZE) else v
            for k, v in current.items()
        }
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                _line_schema(doors, ports), shown
            ),
            errors=errors,
        )

    def _title(self, data: dict[str, Any]) -> str:
        if data[CONF_PROTOCOL] == PROTOCOL_OSDP:
            return f"OSDP ({data[CONF_PORT]})"
        doors = self._doors()
        if data[CONF_PROTOCOL] in RELAY_PROTOCOLS:
            names = ", ".join(
                doors[d].title for d in data[CONF_OUTPUTS].values() if d in doors
            )
        else:
            names = doors[str(data[CONF_DOOR])].title
        return f"{names} {data[CONF_PROTOCOL]} ({data[CONF_PORT]})"

    def _validate_outputs(
        self, line: dict[str, Any], user_input: dict[str, Any], editing: str | None
    ) -> tuple[dict[str, str], dict[str, str]]:
        """Check the door of each output; return (stored outputs, errors)."""
        protocol = line[CONF_PROTOCOL]
        doors = self._doors()
        driven_elsewhere: set[str] = set()
        for s in self._get_entry().subentries.values():
            if (
                s.subentry_type != SUBENTRY_SERIAL_LINE
                or s.subentry_id == editing
                or s.data.get(CONF_PROTOCOL) not in RELAY_PROTOCOLS
            ):
                continue
            try:
                driven_elsewhere.update(
                    relay_outputs(s.data[CONF_PROTOCOL], s.data).values()
                )
            except (TypeError, ValueError):
                continue
        outputs: dict[int, str] = {}
        errors: dict[str, str] = {}
        numbers = output_numbers(protocol, line)
        for position, number in enumerate(numbers, start=1):
            key = OUTPUT_FIELD.format(position)
            door_id = user_input.get(key)
            if not door_id:
                continue
            door = doors.get(str(door_id))
            if door is None:
                errors[key] = "unknown_door"
            elif door.data.get(CONF_LOCK_ENTITY):
                errors[key] = "door_has_lock"
            elif door.subentry_id in driven_elsewhere:
                errors[key] = "door_has_relay"
            elif door.subentry_id in outputs.values():
                errors[key] = "door_twice"
            else:
                outputs[number] = door.subentry_id
        if not outputs and not errors:
            errors["base"] = "no_outputs"
        return outputs_data(outputs), errors

    async def _outputs_form(
        self, step_id: str, current: dict[str, Any], errors: dict[str, str]
    ) -> SubentryFlowResult:
        line = self._line
        protocol = line[CONF_PROTOCOL]
        numbers = output_numbers(protocol, line)
        doors = [
            selector.SelectOptionDict(value=sid, label=s.title)
            for sid, s in self._doors().items()
        ]
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                _outputs_schema(doors, len(numbers)), current
            ),
            errors=errors,
            description_placeholders={
                "first": str(numbers[0]),
                "last": str(numbers[-1]),
            },
        )

    async def _step_outputs(
        self, step_id: str, user_input: dict[str, Any] | None
    ) -> SubentryFlowResult:
        editing = (
            self._get_reconfigure_subentry().subentry_id
            if self.source == SOURCE_RECONFIGURE
            else None
        )
        errors: dict[str, str] = {}
        if user_input is not None:
            outputs, errors = self._validate_outputs(self._line, user_input, editing)
            if not errors:
                data = {**self._line, CONF_OUTPUTS: outputs}
                if editing is None:
                    return self.async_create_entry(title=self._title(data), data=data)
                return self.async_update_and_abort(
                    self._get_entry(),
                    self._get_reconfigure_subentry(),
                    title=self._title(data),
                    data=data,
                )
        return await self._outputs_form(step_id, user_input or self._shown, errors)

    async def async_step_outputs(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Choose the door each relay output opens."""
        return await self._step_outputs("outputs", user_input)

    async def async_step_reconfigure_outputs(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change the door each relay output opens."""
        return await self._step_outputs("reconfigure_outputs", user_input)

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Add a serial line."""
        errors: dict[str, str] = {}
        if not self._doors():
            return self.async_abort(reason="no_doors")
        if user_input is not None:
            data, errors = self._validate(user_input, None)
            if not errors and data[CONF_PROTOCOL] in RELAY_PROTOCOLS:
                self._line, self._shown = data, {}
                return await self.async_step_outputs()
            if not errors:
                return self.async_create_entry(title=self._title(data), data=data)
        return await self._form("user", user_input or {}, errors)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a serial line."""
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = self._validate(user_input, subentry.subentry_id)
            if not errors and data[CONF_PROTOCOL] in RELAY_PROTOCOLS:
                self._line = data
                self._shown = _suggested_outputs(dict(subentry.data), data)
                return await self.async_step_reconfigure_outputs()
            if not errors:
                return self.async_update_and_abort(
                    self._get_entry(), subentry, title=self._title(data), data=data
                )
        return await self._form(
            "reconfigure", user_input or _relay_form_values(dict(subentry.data)), errors
        )
