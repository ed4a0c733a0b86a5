"""Config flow: one entry per community; doors as subentries; options for defaults."""

from __future__ import annotations

from typing import Any

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
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import selector
from homeassistant.util import slugify

from . import database_url
from .const import (
    CONF_ALLOWED_ROLES,
    CONF_ANTI_PASSBACK,
    CONF_APPROVAL_TIMEOUT,
    CONF_AREA,
    CONF_AUTO_RECORD,
    CONF_BUILDING,
    CONF_CARD_DEPOSIT,
    CONF_CARD_QUOTA,
    CONF_COMPOUND,
    CONF_DB_URL,
    CONF_DEMO,
    CONF_DIRECTION,
    CONF_DOOR_CONTACT,
    CONF_ESCAPE_ROUTE,
    CONF_EXIT_REQUEST,
    CONF_FACE_CARD_SECONDS,
    CONF_GUARD_NOTIFY,
    CONF_GUARD_USERS,
    CONF_HELD_OPEN_AFTER,
    CONF_HOURS,
    CONF_INSPECTION_DAYS,
    CONF_LADDER,
    CONF_LOCK_ENTITY,
    CONF_MAINTENANCE_NOTIFY,
    CONF_MANAGE_CODES,
    CONF_NOTICE_HOURS,
    CONF_NOTICE_NOTIFY,
    CONF_OPEN_TIME,
    CONF_PATROL_MINUTES,
    CONF_PATROL_POINT,
    CONF_PIN_ATTEMPTS,
    CONF_PIN_LOCKOUT_MINUTES,
    CONF_READER_KEY_DAYS,
    CONF_REISSUE_FEE,
    CONF_RESIDENTS_NOTIFY,
    CONF_RETENTION_DAYS,
    CONF_REVIEW_INTERVAL_DAYS,
    CONF_REVOKE_UNUSED_DAYS,
    CONF_SHOW_FULL_NAMES,
    CONF_TAG_READERS,
    CONF_TRAVEL_SECONDS,
    CONF_VISIT_MINUTES,
    CONF_WEEKDAYS,
    CONF_ZONE_KIND,
    DEFAULT_APPROVAL_TIMEOUT,
    DEFAULT_CARD_DEPOSIT,
    DEFAULT_CARD_QUOTA,
    DEFAULT_FACE_CARD_SECONDS,
    DEFAULT_HELD_OPEN_AFTER,
    DEFAULT_INSPECTION_DAYS,
    DEFAULT_NOTICE_HOURS,
    DEFAULT_OPEN_TIME,
    DEFAULT_PATROL_MINUTES,
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
from .core.models import DEFAULT_LADDER, Direction, PenaltyKind, Role, ZoneKind
from .core.schedule import WEEKDAYS
from .demo import demo_doors
from .door import door_from_data
from .flow_helpers import checked_box, flow_name, number_box, out_of_range
from .operations.modes_options import (
    DOOR_FAIL_MODE_FIELD,
    MODES_DEFAULTS,
    modes_option_fields,
    modes_option_values,
)
from .osdp_flow import OsdpReaderSubentryFlow
from .rules_setup import LADDER_KINDS, parse_ladder
from .serial_flow import SerialLineSubentryFlow
from .shared_keys import async_import_keys
from .tag_readers import door_readers, readers_taken


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
        CONF_GUARD_USERS: [],
        CONF_TRAVEL_SECONDS: 0,
        CONF_FACE_CARD_SECONDS: DEFAULT_FACE_CARD_SECONDS,
        CONF_PIN_ATTEMPTS: DEFAULT_PIN_ATTEMPTS,
        CONF_PIN_LOCKOUT_MINUTES: DEFAULT_PIN_LOCKOUT_MINUTES,
        CONF_SHOW_FULL_NAMES: False,
        CONF_AUTO_RECORD: False,
        CONF_LADDER: [k.value for k in DEFAULT_LADDER],
        CONF_NOTICE_NOTIFY: "",
        CONF_READER_KEY_DAYS: DEFAULT_READER_KEY_DAYS,
        CONF_DB_URL: "",
        CONF_COMPOUND: "",
        # Faults, patrols, inspections, planned maintenance.
        CONF_MAINTENANCE_NOTIFY: "",
        CONF_RESIDENTS_NOTIFY: "",
        CONF_PATROL_MINUTES: DEFAULT_PATROL_MINUTES,
        CONF_INSPECTION_DAYS: DEFAULT_INSPECTION_DAYS,
        CONF_NOTICE_HOURS: DEFAULT_NOTICE_HOURS,
        **MODES_DEFAULTS,
    }


#: Number fields of the options form: (min, max, step, unit). Their limits are
#: checked by the step, which answers ``<field>_range`` (translated).
_NUMBERS: dict[str, tuple[float, float, float, str | None]] = {
    CONF_CARD_QUOTA: (1, 50, 1, None),
    CONF_CARD_DEPOSIT: (0, 10000, 0.01, "CNY"),
    CONF_REISSUE_FEE: (0, 10000, 0.01, "CNY"),
    CONF_RETENTION_DAYS: (MIN_RETENTION_DAYS, 3650, 1, "d"),
    CONF_REVIEW_INTERVAL_DAYS: (0, 3650, 1, "d"),
    CONF_REVOKE_UNUSED_DAYS: (0, 3650, 1, "d"),
    CONF_APPROVAL_TIMEOUT: (1, 60, 1, "min"),
    CONF_VISIT_MINUTES: (5, 1440, 5, "min"),
    CONF_TRAVEL_SECONDS: (0, 3600, 1, "s"),
    CONF_FACE_CARD_SECONDS: (0, 300, 1, "s"),
    CONF_PIN_ATTEMPTS: (0, 5, 1, None),
    CONF_PIN_LOCKOUT_MINUTES: (1, 1440, 1, "min"),
    CONF_READER_KEY_DAYS: (0, 3650, 1, "d"),
    CONF_PATROL_MINUTES: (5, 1440, 1, "min"),
    CONF_INSPECTION_DAYS: (1, 365, 1, "d"),
    CONF_NOTICE_HOURS: (0, 720, 1, "h"),
}
#: Notify fields of the options form (stored as the bare service name).
_NOTIFY_FIELDS = (
    CONF_GUARD_NOTIFY,
    CONF_NOTICE_NOTIFY,
    CONF_MAINTENANCE_NOTIFY,
    CONF_RESIDENTS_NOTIFY,
)
#: field → (min, max) of the options form's numbers.
OPTION_LIMITS = {name: (low, high) for name, (low, high, _, _) in _NUMBERS.items()}
#: The ladder is chosen rung by rung: the penalty of the 1st … 5th violation.
LADDER_RUNGS = 5
NO_RUNG = "none"
NO_NOTIFY = "none"


def _rung(n: int) -> str:
    return f"{CONF_LADDER}_{n}"


def _box(name: str) -> selector.NumberSelector:
    low, high, step, unit = _NUMBERS[name]
    return checked_box(low, high, step=step, unit=unit)


def _ladder_select() -> selector.SelectSelector:
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=[k.value for k in PenaltyKind if k in LADDER_KINDS] + [NO_RUNG],
            translation_key="penalty_rung",
        )
    )


def _notify_select(services: list[str]) -> selector.SelectSelector:
    """Return a select of the notify services ("none" first; ``x`` is kept)."""
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=[selector.SelectOptionDict(value=NO_NOTIFY, label=NO_NOTIFY)]
            + [
                selector.SelectOptionDict(value=name, label=f"notify.{name}")
                for name in services
            ],
            custom_value=True,
            translation_key="notify_service",
        )
    )


def _form_values(options: dict[str, Any]) -> dict[str, Any]:
    """Return the values of the form's fields for stored options."""
    values = dict(options)
    ladder = [k.value for k in parse_ladder(options[CONF_LADDER])]
    for n in range(1, LADDER_RUNGS + 1):
        values[_rung(n)] = ladder[n - 1] if n <= len(ladder) else NO_RUNG
    for key in _NOTIFY_FIELDS:
        values[key] = _notify_value(options.get(key)) or NO_NOTIFY
    return values


def _notify_value(value: Any) -> str:
    """Return a notify field as stored: the bare service name, "" for none."""
    name = str(value or "").strip().removeprefix("notify.")
    return "" if name == NO_NOTIFY else name


def _ladder(values: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Return the rungs up to the first "none"; one chosen after it is an error."""
    ladder: list[str] = []
    errors: dict[str, str] = {}
    ended = False
    for n in range(1, LADDER_RUNGS + 1):
        rung = str(values.get(_rung(n)) or NO_RUNG)
        if rung == NO_RUNG:
            ended = True
        elif ended:
            errors[_rung(n)] = "ladder_gap"
        else:
            ladder.append(rung)
    return ladder, errors


def _users_select(users: dict[str, str]) -> selector.SelectSelector:
    """Return a multiple select of Home Assistant users (id → name)."""
    return selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=[
                selector.SelectOptionDict(value=user_id, label=name)
                for user_id, name in sorted(users.items(), key=lambda u: u[1].lower())
            ],
            multiple=True,
            mode=selector.SelectSelectorMode.DROPDOWN,
        )
    )


async def guard_candidates(hass: HomeAssistant, chosen: list[str]) -> dict[str, str]:
    """Return the users who may be named guards (people, active), id → name.

    Users already chosen stay listed (a deactivated one can be taken off).
    """
    users: dict[str, str] = {}
    for user in await hass.auth.async_get_users():
        if user.system_generated:
            continue
        if user.is_active or user.id in chosen:
            users[user.id] = user.name or user.id
    return users


def options_schema(
    values: dict[str, Any], notify: list[str], users: dict[str, str] | None = None
) -> vol.Schema:
    """Return the options form with ``values`` as defaults."""

    def number(name: str) -> dict[vol.Marker, Any]:
        return {vol.Required(name, default=values[name]): _box(name)}

    # A service named in the options but gone since still shows (and is refused).
    notify = sorted(
        set(notify) | {values.get(k, NO_NOTIFY) for k in _NOTIFY_FIELDS} - {NO_NOTIFY}
    )
    fields: dict[vol.Marker, Any] = {
        **number(CONF_CARD_QUOTA),
        **number(CONF_CARD_DEPOSIT),
        **number(CONF_REISSUE_FEE),
        **number(CONF_RETENTION_DAYS),
        **number(CONF_REVIEW_INTERVAL_DAYS),
        **number(CONF_REVOKE_UNUSED_DAYS),
        **number(CONF_APPROVAL_TIMEOUT),
        **number(CONF_VISIT_MINUTES),
        vol.Optional(
            CONF_GUARD_NOTIFY, default=values[CONF_GUARD_NOTIFY]
        ): _notify_select(notify),
        vol.Optional(
            CONF_GUARD_USERS, default=list(values.get(CONF_GUARD_USERS) or [])
        ): _users_select(users or {}),
        **number(CONF_TRAVEL_SECONDS),
        **number(CONF_FACE_CARD_SECONDS),
        **number(CONF_PIN_ATTEMPTS),
        **number(CONF_PIN_LOCKOUT_MINUTES),
        vol.Required(
            CONF_SHOW_FULL_NAMES, default=values.get(CONF_SHOW_FULL_NAMES, False)
        ): selector.BooleanSelector(),
        vol.Required(
            CONF_AUTO_RECORD, default=values[CONF_AUTO_RECORD]
        ): selector.BooleanSelector(),
        **{
            vol.Required(_rung(n), default=values[_rung(n)]): _ladder_select()
            for n in range(1, LADDER_RUNGS + 1)
        },
        vol.Optional(
            CONF_NOTICE_NOTIFY, default=values[CONF_NOTICE_NOTIFY]
        ): _notify_select(notify),
        **number(CONF_READER_KEY_DAYS),
        vol.Optional(
            CONF_MAINTENANCE_NOTIFY, default=values[CONF_MAINTENANCE_NOTIFY]
        ): _notify_select(notify),
        vol.Optional(
            CONF_RESIDENTS_NOTIFY, default=values[CONF_RESIDENTS_NOTIFY]
        ): _notify_select(notify),
        **number(CONF_PATROL_MINUTES),
        **number(CONF_INSPECTION_DAYS),
        **number(CONF_NOTICE_HOURS),
        vol.Optional(CONF_DB_URL, default=values[CONF_DB_URL]): selector.TextSelector(),
        vol.Optional(
            CONF_COMPOUND, default=values.get(CONF_COMPOUND, "")
        ): selector.TextSelector(),
        # Never shown back: the keys go to the entry's key store, not options.
        vol.Optional(SHARED_KEYS): selector.TextSelector(
            selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
        ),
        **modes_option_fields(values),
    }
    return vol.Schema(fields)


#: The options field taking keys exported by another instance (not an option).
SHARED_KEYS = "shared_keys"


def default_db_url(hass: HomeAssistant, entry_id: str) -> str:
    """Return the entry's SQLite file URL (as ``__init__.default_db_url``)."""
    return f"sqlite:///{hass.config.path(f'community_access_{entry_id}.db')}"


class CommunityOptionsFlow(OptionsFlow):
    """Card quota, deposit, reissue fee, record retention, database."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """One form with every default."""
        errors: dict[str, str] = {}
        values = _form_values(default_options() | dict(self.config_entry.options))
        notify = sorted(self.hass.services.async_services_for_domain("notify"))
        users = await guard_candidates(
            self.hass, list(values.get(CONF_GUARD_USERS) or [])
        )
        if user_input is not None:
            errors = out_of_range(options_schema(values, notify, users), user_input)
            guards = [str(u) for u in user_input.get(CONF_GUARD_USERS) or []]
            if any(user_id not in users for user_id in guards):
                errors[CONF_GUARD_USERS] = "unknown_user"
            url = str(user_input.get(CONF_DB_URL) or "").strip()
            guard = _notify_value(user_input.get(CONF_GUARD_NOTIFY))
            notice = _notify_value(user_input.get(CONF_NOTICE_NOTIFY))
            upkeep = {
                key: _notify_value(user_input.get(key))
                for key in (CONF_MAINTENANCE_NOTIFY, CONF_RESIDENTS_NOTIFY)
            }
            named = {CONF_GUARD_NOTIFY: guard, CONF_NOTICE_NOTIFY: notice} | upkeep
            for key, name in named.items():
                if name and not self.hass.services.has_service("notify", name):
                    errors[key] = "unknown_notify_service"
            ladder, ladder_errors = _ladder(user_input)
            errors |= ladder_errors
            if url:
                try:
                    url = await database_url.async_check(self.hass, url)
                except database_url.DatabaseUrlError as err:
                    errors[CONF_DB_URL] = err.key
            shared = str(user_input.get(SHARED_KEYS) or "").strip()
            if shared and not errors:
                problem = await async_import_keys(
                    self.hass,
                    self.config_entry.entry_id,
                    shared,
                    url or default_db_url(self.hass, self.config_entry.entry_id),
                )
                if problem is not None:
                    errors[SHARED_KEYS] = problem
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
                        CONF_GUARD_USERS: guards,
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
                        CONF_COMPOUND: str(user_input.get(CONF_COMPOUND) or "").strip()[
                            :64
                        ],
                        **modes_option_values(user_input),
                    }
                    | upkeep
                    | {
                        key: int(user_input[key])
                        for key in (
                            CONF_PATROL_MINUTES,
                            CONF_INSPECTION_DAYS,
                            CONF_NOTICE_HOURS,
                        )
                    }
                )
            values |= {k: v for k, v in user_input.items() if k != SHARED_KEYS}
        return self.async_show_form(
            step_id="init",
            data_schema=options_schema(values, notify, users),
            errors=errors,
        )


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
        vol.Optional(CONF_PATROL_POINT, default=False): selector.BooleanSelector(),
        vol.Required(
            CONF_ANTI_PASSBACK, default=PassbackMode.NONE.value
        ): selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=[m.value for m in PassbackMode],
                translation_key=CONF_ANTI_PASSBACK,
            )
        ),
        # Door alarms (operations/alarms.py)
        vol.Optional(CONF_DOOR_CONTACT): selector.EntitySelector(
            selector.EntitySelectorConfig(
                domain="binary_sensor", device_class=["door", "opening"]
            )
        ),
        vol.Optional(CONF_EXIT_REQUEST): selector.EntitySelector(
            selector.EntitySelectorConfig(domain=["binary_sensor", "event"])
        ),
        vol.Required(CONF_HELD_OPEN_AFTER, default=DEFAULT_HELD_OPEN_AFTER): number_box(
            5, 3600, unit="s"
        ),
        **DOOR_FAIL_MODE_FIELD,
        # Tag readers (tag_readers.py): devices whose tag_scanned opens this door
        vol.Optional(CONF_TAG_READERS): selector.DeviceSelector(
            selector.DeviceSelectorConfig(multiple=True)
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
    data[CONF_HELD_OPEN_AFTER] = int(
        data.get(CONF_HELD_OPEN_AFTER, DEFAULT_HELD_OPEN_AFTER)
    )
    return data, errors


class DoorSubentryFlow(ConfigSubentryFlow):
    """Add or reconfigure a door."""

    def _readers_free(
        self, data: dict[str, Any], door_id: str | None = None
    ) -> dict[str, str]:
        """Return an error if a chosen tag reader is bound to another door."""
        taken = readers_taken(self._get_entry().subentries.values(), skip=door_id)
        if taken & set(door_readers(data)):
            return {CONF_TAG_READERS: "tag_reader_taken"}
        return {}

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Add a door."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = _validate_door(user_input)
            errors |= self._readers_free(data)
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
            errors |= self._readers_free(data, subentry.subentry_id)
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
