"""Detection of misuse at the doors (违规处理).

Anti-passback, impossible travel, card and face disagreeing, and the keypad
lockout after wrong PINs.

The detector keeps a little state per person, credential and door in memory
(rebuilt at start-up from the access record of the last
:meth:`Detector.restore_window`, never the whole record). Presence inside a
zone lasts :attr:`DetectionSettings.presence_window` (24 h): an entry older
than that no longer counts, live or after a restart. It runs around each decision:
before it (a locked keypad refuses PINs) and after it (a grant to enter may
turn into an ``anti_passback`` denial in enforce mode; suspicions are
reported). An exit is never refused for anti-passback: leaving twice is only
reported.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from .decision import Decision, Reason
from .models import CredentialKind, Direction, Door

#: Whose presence anti-passback tracks: ``("person", id)`` when the person is
#: known (a card and a PIN of one person are one presence), else
#: ``("credential", id)``.
type Subject = tuple[str, int]


def subject(credential_id: int, person_id: int | None) -> Subject:
    """Return the key presence is kept under."""
    if person_id is not None:
        return ("person", person_id)
    return ("credential", credential_id)


class PassbackMode(StrEnum):
    """Anti-passback per zone."""

    NONE = "none"
    LOG = "log"
    ENFORCE = "enforce"


@dataclass(slots=True)
class DetectionSettings:
    """Thresholds of the detector (0 turns a check off)."""

    #: Minimum walking time between doors of two different zones.
    travel_seconds: int = 0
    #: How close a face recognition and a card at the same door must be.
    face_card_seconds: int = 10
    #: GB 50396: an alarm after at most 5 wrong attempts.
    pin_attempts: int = 5
    pin_window: timedelta = timedelta(minutes=5)
    pin_lockout: timedelta = timedelta(minutes=10)
    #: How long an entry or exit counts for anti-passback (a daily reset: who
    #: entered yesterday and left by a door without a reader may enter again).
    presence_window: timedelta = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Finding:
    """Something the detector noticed: a suspicion or an alarm."""

    type: str  # anti_passback, impossible_travel, card_face_mismatch, keypad_locked
    door_id: str
    at: datetime
    credential_id: int | None = None
    person_id: int | None = None
    other_person_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Event payload (no secrets)."""
        return {
            "type": self.type,
            "door_id": self.door_id,
            "at": self.at.isoformat(),
            "credential_id": self.credential_id,
            "person_id": self.person_id,
            "other_person_id": self.other_person_id,
            **self.details,
        }


class Detector:
    """Per-community detection state."""

    def __init__(self, settings: DetectionSettings | None = None) -> None:
        """Start with no history."""
        self.settings = settings or DetectionSettings()
        self.modes: dict[str, PassbackMode] = {}
        #: (subject, zone) → inside (True) or outside (False), and since when.
        self._inside: dict[tuple[Subject, str], tuple[bool, datetime]] = {}
        self._last_grant: dict[int, tuple[str, str, datetime]] = {}
        self._last_face: dict[str, tuple[int, datetime]] = {}
        self._wrong_pins: dict[str, deque[datetime]] = {}
        self.locked_until: dict[str, datetime] = {}

    def set_doors(self, doors: Iterable[tuple[Door, PassbackMode]]) -> None:
        """Anti-passback mode per zone: the strictest of its doors."""
        order = list(PassbackMode)
        modes: dict[str, PassbackMode] = {}
        for door, mode in doors:
            zone = door.zone.id
            if order.index(mode) > order.index(modes.get(zone, PassbackMode.NONE)):
                modes[zone] = mode
            else:
                modes.setdefault(zone, mode)
        self.modes = modes

    def restore_window(self) -> timedelta:
        """How far back the access record matters: presence or travel time."""
        travel = timedelta(seconds=max(self.settings.travel_seconds, 0))
        return max(self.settings.presence_window, travel)

    def keeps_grants(self) -> bool:
        """Whether any check reads past grants (else :meth:`restore` keeps nothing).

        Impossible travel reads each credential's last grant; anti-passback
        the presence in its zones. Without either, the access record need
        not be read at start-up.
        """
        return self.settings.travel_seconds > 0 or any(
            mode is not PassbackMode.NONE for mode in self.modes.values()
        )

    def restore(self, grants: Iterable[tuple[int, int | None, Door, datetime]]) -> None:
        """Rebuild presence and last grants from the access record.

        ``grants``: (credential, person or None, door, time) of the grants of
        the last :meth:`restore_window` (older ones change nothing), in any
        order.
        """
        for credential_id, person_id, door, at in sorted(grants, key=lambda g: g[3]):
            self._note_grant(credential_id, person_id, door, at)

    # ---- around a decision
    def keypad_locked(self, door_id: str, at: datetime) -> bool:
        """Whether PINs are refused at a door right now."""
        until = self.locked_until.get(door_id)
        return until is not None and at < until

    def before(self, door_id: str, kind: CredentialKind, at: datetime) -> Reason | None:
        """Return a refusal before deciding (a locked keypad), or None."""
        if kind is CredentialKind.PIN and self.keypad_locked(door_id, at):
            return Reason.KEYPAD_LOCKED
        return None

    def after(
        self, decision: Decision, door: Door | None
    ) -> tuple[Decision, list[Finding]]:
        """Check a decision; return it (maybe turned into a denial) and findings."""
        findings: list[Finding] = []
        if door is None:
            return decision, findings
        at = decision.at
        if (
            decision.kind is CredentialKind.PIN
            and decision.reason is Reason.UNKNOWN_CREDENTIAL
        ):
            finding = self._wrong_pin(door.id, at)
            if finding is not None:
                findings.append(finding)
            return decision, findings
        if not decision.granted or decision.credential_id is None:
            return decision, findings
        cid = decision.credential_id
        if decision.kind is CredentialKind.FACE and decision.person_id is not None:
            self._last_face[door.id] = (decision.person_id, at)
        elif decision.kind is CredentialKind.CARD:
            face = self._last_face.get(door.id)
            window = timedelta(seconds=self.settings.face_card_seconds)
            if (
                face is not None
                and self.settings.face_card_seconds > 0
                and at - face[1] <= window
                and face[0] != decision.person_id
            ):
                findings.append(
                    Finding(
                        "card_face_mismatch",
                        door.id,
                        at,
                        cid,
                        decision.person_id,
                        other_person_id=face[0],
                    )
                )
        if self.settings.travel_seconds > 0:
            last = self._last_grant.get(cid)
            if last is not None and last[1] != door.zone.id:
                elapsed = (at - last[2]).total_seconds()
                if 0 <= elapsed < self.settings.travel_seconds:
                    findings.append(
                        Finding(
                            "impossible_travel",
                            door.id,
                            at,
                            cid,
                            decision.person_id,
                            details={
                                "from_door_id": last[0],
                                "seconds": round(elapsed, 1),
                            },
                        )
                    )
        mode = self.modes.get(door.zone.id, PassbackMode.NONE)
        if mode is not PassbackMode.NONE and door.direction is not Direction.BOTH:
            who = subject(cid, decision.person_id)
            inside = self.presence(who, door.zone.id, at)
            entering = door.direction is Direction.IN
            if (entering and inside is True) or (not entering and inside is False):
                findings.append(
                    Finding(
                        "anti_passback",
                        door.id,
                        at,
                        cid,
                        decision.person_id,
                        details={
                            "zone": door.zone.id,
                            "mode": mode.value,
                            "direction": door.direction.value,
                        },
                    )
                )
                # Only an entry is refused: nobody is kept from leaving.
                if mode is PassbackMode.ENFORCE and entering:
                    return replace(
                        decision, granted=False, reason=Reason.ANTI_PASSBACK
                    ), findings
        self._note_grant(cid, decision.person_id, door, at)
        return decision, findings

    def _note_grant(
        self, credential_id: int, person_id: int | None, door: Door, at: datetime
    ) -> None:
        # Only what a check reads is kept: last grants for impossible travel,
        # presence in the zones with anti-passback (the others are never
        # asked: a change of doors or settings reloads the entry).
        # Each entry is moved to the end when renewed, so both dicts stay in
        # the order of their last grant and the stale ones are dropped from
        # the front: the state is what the windows hold, not every credential
        # or visitor ever seen.
        zone = door.zone.id
        travel = self.settings.travel_seconds
        if travel > 0:
            self._last_grant.pop(credential_id, None)
            self._last_grant[credential_id] = (door.id, zone, at)
            _drop_before(self._last_grant, at - timedelta(seconds=travel), 2)
        if (
            door.direction is not Direction.BOTH
            and self.modes.get(zone, PassbackMode.NONE) is not PassbackMode.NONE
        ):
            key = (subject(credential_id, person_id), zone)
            self._inside.pop(key, None)
            self._inside[key] = (door.direction is Direction.IN, at)
            _drop_before(self._inside, at - self.settings.presence_window, 1)

    def sizes(self) -> dict[str, int]:
        """Entries kept: last grants and presences (diagnostics, benchmarks)."""
        return {"last_grants": len(self._last_grant), "presences": len(self._inside)}

    def presence(self, who: Subject, zone: str, at: datetime) -> bool | None:
        """Inside, outside, or unknown (never seen, or too long ago)."""
        seen = self._inside.get((who, zone))
        if seen is None or at - seen[1] > self.settings.presence_window:
            return None
        return seen[0]

    def _wrong_pin(self, door_id: str, at: datetime) -> Finding | None:
        settings = self.settings
        if settings.pin_attempts <= 0:
            return None
        attempts = self._wrong_pins.setdefault(door_id, deque())
        attempts.append(at)
        while attempts and at - attempts[0] > settings.pin_window:
            attempts.popleft()
        if len(attempts) < settings.pin_attempts:
            return None
        attempts.clear()
        until = at + settings.pin_lockout
        self.locked_until[door_id] = until
        return Finding(
            "keypad_locked",
            door_id,
            at,
            details={"until": until.isoformat(), "attempts": settings.pin_attempts},
        )

    def unlock_keypad(self, door_id: str) -> None:
        """Lift a keypad lockout early."""
        self.locked_until.pop(door_id, None)
        self._wrong_pins.pop(door_id, None)


def _drop_before(entries: dict[Any, Any], since: datetime, at_index: int) -> None:
    """Drop the oldest entries (front first) whose time is before ``since``.

    ``entries`` keeps its values in the order of their time (each renewed
    entry moved to the end); ``at_index``: where the time is in a value.
    """
    while entries:
        key = next(iter(entries))
        if entries[key][at_index] >= since:
            return
        del entries[key]
