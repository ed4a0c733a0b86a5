"""What a loaded community keeps for operations and safety (``runtime.ops``).

Each part (modes, alarms, faults, goods) adds the field it needs here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .modes import ModesController
    from .muster import MusterWatch


@dataclass
class OperationsRuntime:
    """Runtime state of the operations parts of one community entry."""

    #: Emergency release and lockdown (operations/modes.py).
    modes: ModesController | None = None
    #: Who may still be inside, per building (operations/muster.py).
    muster: MusterWatch | None = None
