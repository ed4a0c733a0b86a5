"""Lock credential sync: keeps the codes in a lock equal to what a door allows.

Pure Python (no Home Assistant import). A lock adapter (the ZHA one, the
Zigbee2MQTT one) implements :class:`LockPort`; :class:`LockSyncer` plans and runs the
difference between what the community allows at a door and what is stored in
the lock's credential memory. One lock user holds exactly one community
credential (its PIN or its RFID code, never both).

Modules, each depending only on those before it:

- :mod:`.port`: the lock adapter interface (slots, schedules, errors);
- :mod:`.events`: what a lock reports by itself (operations, programming);
- :mod:`.desired`: the credentials that belong on a lock, best first;
- :mod:`.slots`: a slot's state in the slot table and its schedule form;
- :mod:`.planner`: the plan from the slot table to the desired state;
- :mod:`.channel`: sending commands (paced, retried) and recording outcomes;
- :mod:`.syncer`: :class:`LockSyncer`, its status and reports.
"""

from .channel import FailedCallback, UnmanagedCallback
from .desired import (
    COMMUNITY_KIND,
    SLOT_KIND,
    DesiredCredential,
    Priority,
    desired_credentials,
)
from .planner import Operation, OpKind, Plan, Unfitted, plan
from .port import (
    MAX_LOCKOUT_SECONDS,
    MAX_WRONG_CODE_LIMIT,
    USER_TYPE_UNRESTRICTED,
    USER_TYPE_WEEK_DAY,
    USER_TYPE_YEAR_DAY,
    CredentialSlotKind,
    DuplicateCodeError,
    LockCapacity,
    LockCommandError,
    LockPort,
    LockTimeoutError,
    SlotReading,
    WeekDaySchedule,
    YearDaySchedule,
)
from .slots import OPEN_END, OPEN_START, SlotSchedule, SlotState, week_day_schedules
from .syncer import (
    DuplicateSlot,
    LockSyncer,
    LockSyncStatus,
    SyncReport,
    lockout_attributes,
)

__all__ = [
    "COMMUNITY_KIND",
    "MAX_LOCKOUT_SECONDS",
    "MAX_WRONG_CODE_LIMIT",
    "OPEN_END",
    "OPEN_START",
    "SLOT_KIND",
    "USER_TYPE_UNRESTRICTED",
    "USER_TYPE_WEEK_DAY",
    "USER_TYPE_YEAR_DAY",
    "CredentialSlotKind",
    "DesiredCredential",
    "DuplicateCodeError",
    "DuplicateSlot",
    "FailedCallback",
    "LockCapacity",
    "LockCommandError",
    "LockPort",
    "LockSyncStatus",
    "LockSyncer",
    "LockTimeoutError",
    "OpKind",
    "Operation",
    "Plan",
    "Priority",
    "SlotReading",
    "SlotSchedule",
    "SlotState",
    "SyncReport",
    "Unfitted",
    "UnmanagedCallback",
    "WeekDaySchedule",
    "YearDaySchedule",
    "desired_credentials",
    "lockout_attributes",
    "plan",
    "week_day_schedules",
]
