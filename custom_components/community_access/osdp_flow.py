"""Config subentry flow of OSDP readers: add, reconfigure, pair.

Pairing is the only way a reader gets a secure channel key. It runs here
and from the office panel (both through :mod:`.osdp_pairing`): the
``pair`` step (from reconfigure) opens install mode on our
side for at most :data:`~.osdp_config.PAIR_TIMEOUT` seconds, shown as a
progress step, and reports a failure or a timeout as a flow error.
"""

from __future__ import annotations

import asyncio
from typing import Any

import voluptuous as vol

from homeassistant.config_entries import (
    ConfigSubentry,
    ConfigSubentryFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_NAME
from homeassistant.helpers import selector

from .const import (
    CONF_ADDRESS,
    CONF_DOOR,
    CONF_FEEDBACK,
    CONF_LINE,
    CONF_LOCK_ENTITY,
    CONF_OUTPUT,
    CONF_PROTOCOL,
    PROTOCOL_OSDP,
    SUBENTRY_DOOR,
    SUBENTRY_OSDP_READER,
    SUBENTRY_SERIAL_LINE,
)
from .flow_helpers import flow_name, number_box
from .osdp_config import Identity, PairingError, mask_serial
from .osdp_hub import find_reader
from .osdp_pairing import async_pair_configured
from .relay_outputs import driven_doors


def _schema(
    lines: list[selector.SelectOptionDict], doors: list[selector.SelectOptionDict]
) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_NAME): selector.TextSelector(),
            vol.Required(CONF_LINE): selector.SelectSelector(
                selector.SelectSelectorConfig(options=lines)
            ),
            vol.Required(CONF_ADDRESS, default=0): number_box(0, 126),
            vol.Required(CONF_DOOR): selector.SelectSelector(
                selector.SelectSelectorConfig(options=doors)
            ),
            vol.Optional(CONF_OUTPUT): number_box(0, 255),
            vol.Required(CONF_FEEDBACK, default=True): selector.BooleanSelector(),
        }
    )


class OsdpReaderSubentryFlow(ConfigSubentryFlow):
    """Add, change or pair an OSDP reader."""

    _pair_task: asyncio.Task[Identity] | None = None
    _pair_error: str | None = None
    _identity: Identity | None = None

    # ---- helpers
    def _subentries(self, kind: str) -> dict[str, ConfigSubentry]:
        return {
            s.subentry_id: s
            for s in self._get_entry().subentries.values()
            if s.subentry_type == kind
        }

    def _lines(self) -> dict[str, ConfigSubentry]:
        return {
            sid: s
            for sid, s in self._subentries(SUBENTRY_SERIAL_LINE).items()
            if s.data.get(CONF_PROTOCOL) == PROTOCOL_OSDP
        }

    def _door_driven(self, door_id: str, editing: str | None) -> bool:
        """Whether another relay already opens a door."""
        for sid, s in self._get_entry().subentries.items():
            if sid == editing:
                continue
            if s.subentry_type == SUBENTRY_OSDP_READER:
                if (
                    s.data.get(CONF_OUTPUT) is not None
                    and s.data.get(CONF_DOOR) == door_id
                ):
                    return True
            elif s.subentry_type == SUBENTRY_SERIAL_LINE and door_id in driven_doors(
                s.data
            ):
                return True
        return False

    def _validate(
        self, user_input: dict[str, Any], editing: str | None
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """Normalise the form; return (data, errors)."""
        errors: dict[str, str] = {}
        output = user_input.get(CONF_OUTPUT)
        data: dict[str, Any] = {
            CONF_LINE: str(user_input.get(CONF_LINE) or ""),
            CONF_ADDRESS: int(user_input.get(CONF_ADDRESS, 0)),
            CONF_DOOR: str(user_input.get(CONF_DOOR) or ""),
            CONF_OUTPUT: None if output in (None, "") else int(output),
            CONF_FEEDBACK: bool(user_input.get(CONF_FEEDBACK, True)),
        }
        if flow_name(user_input.get(CONF_NAME)) is None:
            errors[CONF_NAME] = "invalid_name"
        if data[CONF_LINE] not in self._lines():
            errors[CONF_LINE] = "unknown_line"
        elif any(
            s.data.get(CONF_LINE) == data[CONF_LINE]
            and int(s.data.get(CONF_ADDRESS, -1)) == data[CONF_ADDRESS]
            for sid, s in self._subentries(SUBENTRY_OSDP_READER).items()
            if sid != editing
        ):
            errors[CONF_ADDRESS] = "address_taken"
        door = self._subentries(SUBENTRY_DOOR).get(data[CONF_DOOR])
        if door is None:
            errors[CONF_DOOR] = "unknown_door"
        elif data[CONF_OUTPUT] is not None:
            if door.data.get(CONF_LOCK_ENTITY):
                errors[CONF_OUTPUT] = "door_has_lock"
            elif self._door_driven(door.subentry_id, editing):
                errors[CONF_OUTPUT] = "door_has_relay"
        return data, errors

    def _form(
        self, step_id: str, current: dict[str, Any], errors: dict[str, str]
    ) -> SubentryFlowResult:
        lines = [
            selector.SelectOptionDict(value=sid, label=s.title)
            for sid, s in self._lines().items()
        ]
        doors = [
            selector.SelectOptionDict(value=sid, label=s.title)
            for sid, s in self._subentries(SUBENTRY_DOOR).items()
        ]
        shown = {k: v for k, v in current.items() if v is not None}
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                _schema(lines, doors), shown
            ),
            errors=errors,
        )

    # ---- add
    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Add a reader on an OSDP line (pair it afterwards from Reconfigure)."""
        if not self._lines():
            return self.async_abort(reason="no_osdp_lines")
        if not self._subentries(SUBENTRY_DOOR):
            return self.async_abort(reason="no_doors")
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = self._validate(user_input, None)
            if not errors:
                return self.async_create_entry(
                    title=str(flow_name(user_input[CONF_NAME])), data=data
                )
        return self._form("user", user_input or {}, errors)

    # ---- reconfigure
    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change the reader's settings, or pair it."""
        return self.async_show_menu(
            step_id="reconfigure", menu_options=["settings", "pair"]
        )

    async def async_step_settings(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change where the reader is and what it drives."""
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = self._validate(user_input, subentry.subentry_id)
            if not errors:
                return self.async_update_and_abort(
                    self._get_entry(),
                    subentry,
                    title=str(flow_name(user_input[CONF_NAME])),
                    data=data,
                )
        current = user_input or {CONF_NAME: subentry.title, **subentry.data}
        return self._form("settings", current, errors)

    # ---- pairing
    async def async_step_pair(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Pair: install mode for at most 60 s, then a fresh key (progress)."""
        subentry = self._get_reconfigure_subentry()
        if self._pair_task is None:
            entry = self._get_entry()
            if find_reader(entry, subentry.subentry_id) is None:
                return self.async_abort(reason="reader_not_running")
            self._pair_task = self.hass.async_create_task(
                async_pair_configured(entry, subentry.subentry_id),
                f"pair OSDP reader {subentry.title}",
            )
        if not self._pair_task.done():
            return self.async_show_progress(
                step_id="pair",
                progress_action="pair",
                progress_task=self._pair_task,
                description_placeholders={"reader": subentry.title},
            )
        task, self._pair_task = self._pair_task, None
        try:
            self._identity = task.result()
        except PairingError as err:
            self._pair_error = err.reason
            return self.async_show_progress_done(next_step_id="pair_failed")
        return self.async_show_progress_done(next_step_id="pair_done")

    async def async_step_pair_done(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Paired: the reader runs its secure channel from now on."""
        identity = self._identity
        return self.async_abort(
            reason="paired",
            description_placeholders={
                "model": str(identity.model) if identity else "?",
                "serial": mask_serial(identity.serial) if identity else "?",
            },
        )

    async def async_step_pair_failed(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Pairing failed: say why; submitting tries again."""
        if user_input is not None:
            self._pair_error = None
            return await self.async_step_pair()
        return self.async_show_form(
            step_id="pair_failed",
            data_schema=vol.Schema({}),
            errors={"base": self._pair_error or "pair_refused"},
        )
