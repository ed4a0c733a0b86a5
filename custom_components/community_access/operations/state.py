"""What a loaded community keeps for operations and safety (``runtime.ops``).

Each part (modes, alarms, faults, goods) adds the field it needs here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .alarms import DoorAlarms
    from .faults import FaultDesk
    from .maintenance import MaintenancePlanner
    from .modes import ModesController
    from .muster import MusterWatch
    from .patrols import PatrolDesk

from custom_components.community_access.core.operations.renovation import RenovationBook
from custom_components.community_access.core.visitors import EscortWatch


@dataclass
class OperationsRuntime:
    """Runtime state of the operations parts of one community entry."""

    #: Faults and repairs (operations/faults.py), once started.
    faults: FaultDesk | None = None
    #: Patrols and inspections (operations/patrols.py), once started.
    patrols: PatrolDesk | None = None
    #: Planned maintenance windows (operations/maintenance.py), once started.
    maintenance: MaintenancePlanner | None = None
    #: Door alarms (forced open, held open, tamper, power failure): alarms.py.
    alarms: DoorAlarms | None = None
    #: Renovations by contractor (goods part), loaded at set-up.
    renovations: RenovationBook | None = None
    #: Staff members' latest entries, for accompanied viewers (goods part).
    escorts: EscortWatch | None = None
    #: Emergency release and lockdown (operations/modes.py).
    modes: ModesController | None = None
    #: Who may still be inside, per building (operations/muster.py).
    muster: MusterWatch | None = None
