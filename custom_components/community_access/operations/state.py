"""What a loaded community keeps for operations and safety (``runtime.ops``).

Each part (modes, alarms, faults, goods) adds the field it needs here.
"""

from __future__ import annotations

from dataclasses import dataclass

from custom_components.community_access.core.operations.renovation import RenovationBook
from custom_components.community_access.core.visitors import EscortWatch


@dataclass
class OperationsRuntime:
    """Runtime state of the operations parts of one community entry."""

    #: Renovations by contractor (goods part), loaded at set-up.
    renovations: RenovationBook | None = None
    #: Staff members' latest entries, for accompanied viewers (goods part).
    escorts: EscortWatch | None = None
