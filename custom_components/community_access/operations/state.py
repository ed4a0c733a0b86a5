"""What a loaded community keeps for operations and safety (``runtime.ops``).

Each part (modes, alarms, faults, goods) adds the field it needs here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .alarms import DoorAlarms


@dataclass
class OperationsRuntime:
    """Runtime state of the operations parts of one community entry."""

    #: Door alarms (forced open, held open, tamper, power failure): alarms.py.
    alarms: DoorAlarms | None = None
