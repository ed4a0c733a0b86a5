"""Config flow: one entry per community; doors as subentries; options for defaults."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
import voluptuous as vol

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
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
    CONF_BUILDING,
    CONF_CARD_DEPOSIT,
    CONF_CARD_QUOTA,
    CONF_DB_URL,
    CONF_DEMO,
    CONF_DIRECTION,
    CONF_ESCAPE_ROUTE,
    CONF_FACE_CARD_SECONDS,
    CONF_GUARD_NOTIFY,
    CONF_HOURS,
    CONF_LADDER,
    CONF_LOCK_ENTITY,
    CONF_MANAGE_CODES,
    CONF_NOTICE_NOTIFY,
    CONF_OPEN_TIME,
    CONF_PIN_ATTEMPTS,
    CONF_PIN_LOCKOUT_MINUTES,
    CONF_READER_KEY_DAYS,
    CONF_REISSUE_FEE,
    CONF_RETENTION_DAYS,
    CONF_REVIEW_INTERVAL_DAYS,
    CONF_REVOKE_UNUSED_DAYS,
    CONF_SHOW_FULL_NAMES,
    CONF_TRAVEL_SECONDS,
    CONF_VISIT_MINUTES,
    CONF_WEEKDAYS,
    CONF_ZONE_KIND,
    DEFAULT_APPROVAL_TIMEOUT,
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
    SUBENTRY_DOOR,
    SUBENTRY_OSDP_READER,
    SUBENTRY_SERIAL_LINE,
)
from .core.detection import PassbackMode
from .core.models import DEFAULT_LADDER, Direction, Role, ZoneKind
from .core.schedule import WEEKDAYS
from .demo import demo_doors
from .door import door_from_data
from .flow_helpers import flow_name, number_box
from .osdp_flow import OsdpReaderSubentryFlow
from .rules_setup import parse_ladder
from .serial_flow import SerialLineSubentryFlow


class CommunityConfigFlow(ConfigFlow, domain=DOMAIN):
    """Create a community."""

    VERSION = 1
    #: 1.2: reader event entities disabled by default (see async_migrate_entry).
    MINOR_VERSION = 2

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Name the community."""
        errors: dict[str, str] = {}
        if user_input is not None:
            name = flow_name(user_input[CONF_NAME])
            if name is None:
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
        CONF_SHOW_FULL_NAMES: False,
        CONF_AUTO_RECORD: False,
        CONF_LADDER: ",".join(k.value for k in DEFAULT_LADDER),
        CONF_NOTICE_NOTIFY: "",
        CONF_READER_KEY_DAYS: DEFAULT_READER_KEY_DAYS,
        CONF_DB_URL: "",
    }


def _money() -> selector.NumberSelector:
    return number_box(0, 10000, step=0.01, unit="CNY")


def _days(minimum: int) -> selector.NumberSelector:
    return number_box(minimum, 3650, unit="d")


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
                        CONF_SHOW_FULL_NAMES: bool(
                            user_input.get(CONF_SHOW_FULL_NAMES, False)
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
                vol.Required(
                    CONF_CARD_QUOTA, default=current[CONF_CARD_QUOTA]
                ): number_box(1, 50),
                vol.Required(
                    CONF_CARD_DEPOSIT, default=current[CONF_CARD_DEPOSIT]
                ): _money(),
                vol.Required(
                    CONF_REISSUE_FEE, default=current[CONF_REISSUE_FEE]
                ): _money(),
                vol.Required(
                    CONF_RETENTION_DAYS, default=current[CONF_RETENTION_DAYS]
                ): number_box(MIN_RETENTION_DAYS, 3650, unit="d"),
                vol.Required(
                    CONF_REVIEW_INTERVAL_DAYS,
                    default=current[CONF_REVIEW_INTERVAL_DAYS],
                ): _days(0),
                vol.Required(
                    CONF_REVOKE_UNUSED_DAYS, default=current[CONF_REVOKE_UNUSED_DAYS]
                ): _days(0),
                vol.Required(
                    CONF_APPROVAL_TIMEOUT, default=current[CONF_APPROVAL_TIMEOUT]
                ): number_box(1, 60, unit="min"),
                vol.Required(
                    CONF_VISIT_MINUTES, default=current[CONF_VISIT_MINUTES]
                ): number_box(5, 1440, step=5, unit="min"),
                vol.Optional(
                    CONF_GUARD_NOTIFY, default=current[CONF_GUARD_NOTIFY]
                ): selector.TextSelector(),
                vol.Required(
                    CONF_TRAVEL_SECONDS, default=current[CONF_TRAVEL_SECONDS]
                ): number_box(0, 3600, unit="s"),
                vol.Required(
                    CONF_FACE_CARD_SECONDS, default=current[CONF_FACE_CARD_SECONDS]
                ): number_box(0, 300, unit="s"),
                vol.Required(
                    CONF_PIN_ATTEMPTS, default=current[CONF_PIN_ATTEMPTS]
                ): number_box(0, 5),
                vol.Required(
                    CONF_PIN_LOCKOUT_MINUTES, default=current[CONF_PIN_LOCKOUT_MINUTES]
                ): number_box(1, 1440, unit="min"),
                vol.Required(
                    CONF_SHOW_FULL_NAMES, default=current[CONF_SHOW_FULL_NAMES]
                ): selector.BooleanSelector(),
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
        vol.Required(CONF_OPEN_TIME, default=DEFAULT_OPEN_TIME): number_box(
            1, 300, unit="s"
        ),
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
    if flow_name(user_input.get(CONF_NAME)) is None:
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
                    title=str(flow_name(user_input[CONF_NAME])), data=data
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
                    title=str(flow_name(user_input[CONF_NAME])),
                    data=data,
                )
        current = user_input or {CONF_NAME: subentry.title, **subentry.data}
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(DOOR_SCHEMA, current),
            errors=errors,
        )
