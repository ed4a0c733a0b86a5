"""The serial line subentry flow: port, baud rate, protocol, and a relay board's outputs."""

from __future__ import annotations

from typing import Any

import serialx
import voluptuous as vol

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigSubentry,
    ConfigSubentryFlow,
    SubentryFlowResult,
)
from homeassistant.helpers import selector

from .const import (
    CONF_BAUDRATE,
    CONF_CHANNEL,
    CONF_COIL,
    CONF_DOOR,
    CONF_LOCK_ENTITY,
    CONF_PATTERN,
    CONF_PORT,
    CONF_PROTOCOL,
    CONF_RADIX,
    CONF_UNIT_ID,
    DEFAULT_BAUDRATE,
    PROTOCOL_EM4100,
    PROTOCOL_LCUS,
    PROTOCOL_LINE,
    PROTOCOL_MODBUS,
    PROTOCOL_OSDP,
    RELAY_PROTOCOLS,
    SUBENTRY_DOOR,
    SUBENTRY_SERIAL_LINE,
)
from .drivers.line_reader import LineReader
from .flow_helpers import number_box
from .relay_outputs import (
    CONF_BOARD_SIZE,
    CONF_OUTPUTS,
    MAX_COIL,
    MODBUS_BOARD_SIZES,
    OUTPUT_FIELD,
    board_size,
    board_sizes,
    driven_doors,
    output_numbers,
    outputs_data,
    relay_outputs,
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
            vol.Required(CONF_BAUDRATE, default=DEFAULT_BAUDRATE): number_box(
                300, 921600
            ),
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
            vol.Required(CONF_UNIT_ID, default=1): number_box(1, 247),
            vol.Required(CONF_COIL, default=0): number_box(0, 65535),
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

    def _door_options(self) -> list[selector.SelectOptionDict]:
        return [
            selector.SelectOptionDict(value=sid, label=s.title)
            for sid, s in self._doors().items()
        ]

    def _validate(
        self, user_input: dict[str, Any]
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
        doors = self._door_options()
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
        driven_elsewhere = {
            door_id
            for s in self._get_entry().subentries.values()
            if s.subentry_type == SUBENTRY_SERIAL_LINE and s.subentry_id != editing
            for door_id in driven_doors(s.data)
        }
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
        doors = self._door_options()
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
            data, errors = self._validate(user_input)
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
            data, errors = self._validate(user_input)
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
