"""Emergency release and lockdown: the site's mode and what it does to a door.

第九条 (devices must not hinder escape), 管理规定 8 (emergencies), GB 50396-2007
9.0.1 and GB 55024-2022: access control on escape routes releases on fire.

* An **emergency release** (fire, earthquake) unlocks every escape-route door
  in its scope and keeps it unlocked. Its scope is the whole site, some
  buildings (their building doors) or a list of doors. A door *listed
  explicitly* is released whether or not it is an escape route (an
  administrator who names a door wants it open); with a site or building
  scope only escape-route doors are released. At a released door every
  presentation is let through and recorded as ``emergency_release`` (the
  refusal the rules gave, if any, kept in ``waived``).
* A **lockdown** lets only the chosen roles (default: staff) in at inward
  doors (direction ``in`` or ``both``) in its scope; the others are refused
  as ``lockdown``. Exit doors (direction ``out``) and request-to-exit buttons
  (hardware) always let people out. An emergency release overrides a lockdown.

:class:`SiteModes` keeps the active modes and, for the decision path, the
sets of released and locked-down door ids (rebuilt when a mode or the doors
change), so :meth:`SiteModes.apply` is O(1) per presentation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from custom_components.community_access.core.decision import Decision, Reason
from custom_components.community_access.core.models import (
    Direction,
    Door,
    Person,
    Role,
    ZoneKind,
)


class ModeKind(StrEnum):
    """What an active mode does."""

    EMERGENCY = "emergency"
    LOCKDOWN = "lockdown"


class SiteState(StrEnum):
    """The site's state as shown in Home Assistant (emergency wins)."""

    NORMAL = "normal"
    LOCKDOWN = "lockdown"
    EMERGENCY = "emergency"


class ScopeKind(StrEnum):
    """What a mode covers."""

    SITE = "site"
    BUILDING = "building"
    DOORS = "doors"


class Cause(StrEnum):
    """Why doors were released."""

    FIRE = "fire"
    EARTHQUAKE = "earthquake"
    OTHER = "other"


class FailMode(StrEnum):
    """What a door does when its driver loses power or its line (hardware)."""

    #: Opens (power-to-lock): escape doors by default.
    FAIL_SAFE = "fail_safe"
    #: Stays locked (power-to-open).
    FAIL_SECURE = "fail_secure"


def default_fail_mode(door: Door) -> FailMode:
    """Fail-safe for escape-route doors, fail-secure for the others."""
    return FailMode.FAIL_SAFE if door.escape_route else FailMode.FAIL_SECURE


#: Roles let in during a lockdown unless the options say otherwise.
DEFAULT_LOCKDOWN_ROLES = frozenset({Role.STAFF})


@dataclass(frozen=True, slots=True)
class Scope:
    """The doors a mode covers: the site, buildings, or listed door ids."""

    kind: ScopeKind
    keys: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Check that a building or door scope names at least one."""
        if self.kind is not ScopeKind.SITE and not self.keys:
            raise ValueError(f"a {self.kind.value} scope needs at least one key")

    def covers(self, door: Door) -> bool:
        """Whether ``door`` lies in the scope."""
        if self.kind is ScopeKind.SITE:
            return True
        if self.kind is ScopeKind.BUILDING:
            return door.zone.kind is ZoneKind.BUILDING and door.zone.key in self.keys
        return door.id in self.keys

    def releases(self, door: Door) -> bool:
        """Whether an emergency release of this scope opens ``door``.

        A door listed by id is released, escape route or not; otherwise only
        the escape-route doors the scope covers.
        """
        if self.kind is ScopeKind.DOORS:
            return door.id in self.keys
        return door.escape_route and self.covers(door)


@dataclass(frozen=True, slots=True)
class SiteMode:
    """One active (or ended) mode, as stored in ``site_modes``."""

    id: int
    kind: ModeKind
    scope: Scope
    started_at: datetime
    cause: str | None = None
    note: str | None = None
    started_by: str | None = None


class SiteModes:
    """The active modes of a community and their effect on each door."""

    def __init__(self, lockdown_roles: Iterable[Role] = DEFAULT_LOCKDOWN_ROLES) -> None:
        """No mode active; ``lockdown_roles`` may enter during a lockdown."""
        self.lockdown_roles = frozenset(lockdown_roles)
        self.active: dict[int, SiteMode] = {}
        self._doors: dict[str, Door] = {}
        #: Door ids released / locked down now (kept in step).
        self.released: frozenset[str] = frozenset()
        self.locked_down: frozenset[str] = frozenset()

    # ---- keeping in step
    def set_doors(self, doors: Iterable[Door]) -> None:
        """Replace the doors the modes act on."""
        self._doors = {door.id: door for door in doors}
        self._recompute()

    def start(self, mode: SiteMode) -> None:
        """Add an active mode (a stored row)."""
        self.active[mode.id] = mode
        self._recompute()

    def replace(self, old_id: int, mode: SiteMode) -> None:
        """Put ``mode`` in place of the active mode ``old_id`` (a provisional one)."""
        self.active.pop(old_id, None)
        self.start(mode)

    def end(self, kind: ModeKind) -> list[SiteMode]:
        """End every active mode of ``kind``; return them."""
        ended = [m for m in self.active.values() if m.kind is kind]
        for mode in ended:
            del self.active[mode.id]
        self._recompute()
        return ended

    def _recompute(self) -> None:
        released: set[str] = set()
        locked: set[str] = set()
        for mode in self.active.values():
            for door in self._doors.values():
                if mode.kind is ModeKind.EMERGENCY and mode.scope.releases(door):
                    released.add(door.id)
                elif (
                    mode.kind is ModeKind.LOCKDOWN
                    and mode.scope.covers(door)
                    and door.direction is not Direction.OUT
                ):
                    locked.add(door.id)
        self.released = frozenset(released)
        self.locked_down = frozenset(locked - released)

    # ---- reading
    def modes(self, kind: ModeKind) -> list[SiteMode]:
        """Active modes of ``kind``, oldest first."""
        return sorted(
            (m for m in self.active.values() if m.kind is kind), key=lambda m: m.id
        )

    @property
    def state(self) -> SiteState:
        """Emergency if any release is active, else lockdown if any, else normal."""
        kinds = {m.kind for m in self.active.values()}
        if ModeKind.EMERGENCY in kinds:
            return SiteState.EMERGENCY
        if ModeKind.LOCKDOWN in kinds:
            return SiteState.LOCKDOWN
        return SiteState.NORMAL

    def reason(self, door_id: str, role: Role | None) -> Reason | None:
        """Return what the modes impose on a presentation at ``door_id`` (O(1)).

        ``EMERGENCY_RELEASE``: let through whatever the rules said;
        ``LOCKDOWN``: refuse (the holder's role is not let in); None: the rules.
        """
        if door_id in self.released:
            return Reason.EMERGENCY_RELEASE
        if door_id in self.locked_down and role not in self.lockdown_roles:
            return Reason.LOCKDOWN
        return None

    def apply(self, decision: Decision, persons: Mapping[int, Person]) -> Decision:
        """Turn the rules' decision into the one the site's mode gives."""
        if not self.active:
            return decision
        person = (
            persons.get(decision.person_id) if decision.person_id is not None else None
        )
        reason = self.reason(decision.door_id, person.role if person else None)
        if reason is Reason.EMERGENCY_RELEASE:
            waived = decision.waived
            if not decision.granted:
                waived = decision.reason
            return replace(
                decision, granted=True, reason=Reason.EMERGENCY_RELEASE, waived=waived
            )
        if reason is Reason.LOCKDOWN and decision.granted:
            return replace(decision, granted=False, reason=Reason.LOCKDOWN)
        return decision
