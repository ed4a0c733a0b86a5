"""Constants of the Community Access integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "community_access"
LOGGER = logging.getLogger(__package__)

# Config entry data and options
CONF_DEMO: Final = "demo"
CONF_CARD_QUOTA: Final = "card_quota"
CONF_CARD_DEPOSIT: Final = "card_deposit"
CONF_REISSUE_FEE: Final = "reissue_fee"
CONF_RETENTION_DAYS: Final = "retention_days"
CONF_DB_URL: Final = "db_url"
#: Several compounds on one PostgreSQL: this instance's compound ("": one).
CONF_COMPOUND: Final = "compound"
CONF_REVIEW_INTERVAL_DAYS: Final = "review_interval_days"
CONF_REVOKE_UNUSED_DAYS: Final = "revoke_unused_days"
CONF_APPROVAL_TIMEOUT: Final = "approval_timeout_minutes"
CONF_VISIT_MINUTES: Final = "visit_minutes"
CONF_GUARD_NOTIFY: Final = "guard_notify"
CONF_ANTI_PASSBACK: Final = "anti_passback"
CONF_TRAVEL_SECONDS: Final = "travel_seconds"
CONF_FACE_CARD_SECONDS: Final = "face_card_seconds"
DEFAULT_FACE_CARD_SECONDS: Final = 10
CONF_PIN_ATTEMPTS: Final = "pin_attempts"
CONF_PIN_LOCKOUT_MINUTES: Final = "pin_lockout_minutes"
CONF_AUTO_RECORD: Final = "auto_record_suspicions"
CONF_LADDER: Final = "penalty_ladder"
CONF_NOTICE_NOTIFY: Final = "notice_notify"
#: Days after which paired OSDP readers get a new key (0: never).
CONF_READER_KEY_DAYS: Final = "reader_key_days"
DEFAULT_READER_KEY_DAYS: Final = 90
#: Show people's full names in states, attributes, bus events and the logbook
#: (off: masked as ``王**``; services and the admin panel always show them).
CONF_SHOW_FULL_NAMES: Final = "show_full_names"
#: Home Assistant users who work the gate desk (they need not be admins).
CONF_GUARD_USERS: Final = "guard_users"
DEFAULT_PIN_ATTEMPTS: Final = 5
DEFAULT_PIN_LOCKOUT_MINUTES: Final = 10

DEFAULT_CARD_QUOTA: Final = 4
DEFAULT_CARD_DEPOSIT: Final = 20.0
DEFAULT_REISSUE_FEE: Final = 30.0
#: GB 50396 asks access records to be kept at least 180 days.
DEFAULT_RETENTION_DAYS: Final = 180
MIN_RETENTION_DAYS: Final = 180
#: 门禁权限管理规范 3: permissions reviewed regularly; default every 90 days.
DEFAULT_REVIEW_INTERVAL_DAYS: Final = 90
DEFAULT_REVOKE_UNUSED_DAYS: Final = 0
#: Seed 134: a visitor whose host cannot be reached is refused; after 3 minutes.
DEFAULT_APPROVAL_TIMEOUT: Final = 3
DEFAULT_VISIT_MINUTES: Final = 120

# Door subentries
SUBENTRY_DOOR: Final = "door"
CONF_ZONE_KIND: Final = "zone_kind"
CONF_BUILDING: Final = "building"
CONF_AREA: Final = "area"
CONF_DIRECTION: Final = "direction"
CONF_LOCK_ENTITY: Final = "lock_entity"
CONF_OPEN_TIME: Final = "open_time"
CONF_ALLOWED_ROLES: Final = "allowed_roles"
CONF_WEEKDAYS: Final = "weekdays"
CONF_HOURS: Final = "hours"
CONF_ESCAPE_ROUTE: Final = "escape_route"
CONF_MANAGE_CODES: Final = "manage_codes"
DEFAULT_OPEN_TIME: Final = 5

# Serial line subentries (readers and relays on a serial port)
SUBENTRY_SERIAL_LINE: Final = "serial_line"
CONF_PORT: Final = "port"
CONF_BAUDRATE: Final = "baudrate"
CONF_PROTOCOL: Final = "protocol"
CONF_DOOR: Final = "door"
CONF_PATTERN: Final = "pattern"
CONF_RADIX: Final = "radix"
CONF_CHANNEL: Final = "channel"
CONF_UNIT_ID: Final = "unit_id"
CONF_COIL: Final = "coil"
DEFAULT_BAUDRATE: Final = 9600
PROTOCOL_EM4100: Final = "em4100"
PROTOCOL_LINE: Final = "line"
PROTOCOL_LCUS: Final = "lcus"
PROTOCOL_MODBUS: Final = "modbus"
READER_PROTOCOLS: Final = (PROTOCOL_EM4100, PROTOCOL_LINE)
RELAY_PROTOCOLS: Final = (PROTOCOL_LCUS, PROTOCOL_MODBUS)

# Bus events (never carry ID numbers, card numbers or PINs)
EVENT_ACCESS_GRANTED: Final = f"{DOMAIN}_access_granted"
EVENT_ACCESS_DENIED: Final = f"{DOMAIN}_access_denied"

#: Card-desk events (``community_access_<name>``), fired from the core's events.
DESK_EVENTS: Final = (
    "card_issued",
    "card_lost",
    "card_reissued",
    "card_returned",
    "temporary_card_issued",
    "contractor_registered",
    "credential_revoked",
    "credential_expired",
    "moved_out",
    "visitor_approval_requested",
    "visitor_preregistered",
    "visitor_approved",
    "visitor_denied",
    "visitor_refused",
    "visitor_on_site",
    "visitor_checked_out",
    "visitor_overdue",
    "visitor_expired",
    "violation_recorded",
    "violation_suspected",
    "penalty_applied",
    "penalty_lifted",
    "public_notice",
    "keypad_locked",
    "commendation_recorded",
    "lock_programmed",
)

# Event entity types
EVENT_TYPE_GRANTED: Final = "granted"
EVENT_TYPE_DENIED: Final = "denied"

# Daily purge of the access record (local time)
PURGE_HOUR: Final = 3
PURGE_MINUTE: Final = 17

# OSDP readers on an OSDP serial line (a ``serial_line`` with protocol osdp)
PROTOCOL_OSDP: Final = "osdp"
SUBENTRY_OSDP_READER: Final = "osdp_reader"
CONF_LINE: Final = "line"
CONF_ADDRESS: Final = "address"
CONF_OUTPUT: Final = "output"
CONF_FEEDBACK: Final = "feedback"
#: Fired when a paired reader answers without the secure channel or with
#: another identity (no secrets in it).
EVENT_READER_ALARM: Final = f"{DOMAIN}_reader_alarm"

# ---- faults, patrols, inspections, planned maintenance (issue 13)
CONF_MAINTENANCE_NOTIFY: Final = "maintenance_notify"
CONF_RESIDENTS_NOTIFY: Final = "residents_notify"
CONF_PATROL_MINUTES: Final = "patrol_interval_minutes"
CONF_INSPECTION_DAYS: Final = "inspection_days"
CONF_NOTICE_HOURS: Final = "maintenance_notice_hours"
#: Door subentry: a staff card here records a patrol instead of an entry.
CONF_PATROL_POINT: Final = "patrol_point"
DEFAULT_PATROL_MINUTES: Final = 30
DEFAULT_INSPECTION_DAYS: Final = 30
DEFAULT_NOTICE_HOURS: Final = 24
EVENT_FAULT_OPENED: Final = f"{DOMAIN}_fault_opened"
EVENT_FAULT_UPDATED: Final = f"{DOMAIN}_fault_updated"
EVENT_PATROL_DUE: Final = f"{DOMAIN}_patrol_due"
EVENT_PATROL_RECORDED: Final = f"{DOMAIN}_patrol_recorded"
EVENT_MAINTENANCE: Final = f"{DOMAIN}_maintenance"
# Door alarms (operations/alarms.py): a door's contact and exit button
CONF_DOOR_CONTACT: Final = "door_contact"
CONF_EXIT_REQUEST: Final = "exit_request"
CONF_HELD_OPEN_AFTER: Final = "held_open_after"
DEFAULT_HELD_OPEN_AFTER: Final = 30
#: Fired when a door alarm starts, ends or is acknowledged (no personal data).
EVENT_DOOR_ALARM: Final = f"{DOMAIN}_door_alarm"
# Tag readers (tag_readers.py): devices firing tag_scanned bound to a door
CONF_TAG_READERS: Final = "tag_readers"
#: Home Assistant's tag integration fires this with tag_id and device_id.
EVENT_TAG_SCANNED: Final = "tag_scanned"
