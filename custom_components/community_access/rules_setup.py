"""Wiring the rule book and the detector to a community's options and doors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from .const import (
    CONF_FACE_CARD_SECONDS,
    CONF_LADDER,
    CONF_PIN_ATTEMPTS,
    CONF_PIN_LOCKOUT_MINUTES,
    CONF_TRAVEL_SECONDS,
    DEFAULT_FACE_CARD_SECONDS,
    DEFAULT_PIN_ATTEMPTS,
    DEFAULT_PIN_LOCKOUT_MINUTES,
)
from .core.detection import DetectionSettings
from .core.models import DEFAULT_LADDER, PenaltyKind
from .core.rules import RuleSettings

#: Penalties a ladder may hold (fines follow the violation kind, not the ladder).
LADDER_KINDS = frozenset(PenaltyKind) - {PenaltyKind.FINE}


def parse_ladder(value: str | Sequence[str]) -> tuple[PenaltyKind, ...]:
    """Rungs → ladder; empty means no automatic penalty.

    The options hold a list (``["warning", "restriction"]``); options saved
    by earlier versions hold a comma-separated string
    (``"warning,restriction"``), still read.
    """
    parts = value.split(",") if isinstance(value, str) else value
    ladder = []
    for part in parts:
        name = str(part).strip()
        if not name:
            continue
        kind = PenaltyKind(name)  # ValueError for unknown names
        if kind not in LADDER_KINDS:
            raise ValueError(name)
        ladder.append(kind)
    return tuple(ladder)


def rule_settings(options: Mapping[str, Any]) -> RuleSettings:
    """Rule settings from the entry options."""
    value = options.get(CONF_LADDER)
    ladder = DEFAULT_LADDER if value is None else parse_ladder(value)
    return RuleSettings(ladder=ladder)


def detection_settings(options: Mapping[str, Any]) -> DetectionSettings:
    """Detector thresholds from the entry options."""
    return DetectionSettings(
        travel_seconds=int(options.get(CONF_TRAVEL_SECONDS, 0)),
        face_card_seconds=int(
            options.get(CONF_FACE_CARD_SECONDS, DEFAULT_FACE_CARD_SECONDS)
        ),
        pin_attempts=int(options.get(CONF_PIN_ATTEMPTS, DEFAULT_PIN_ATTEMPTS)),
        pin_lockout=timedelta(
            minutes=int(
                options.get(CONF_PIN_LOCKOUT_MINUTES, DEFAULT_PIN_LOCKOUT_MINUTES)
            )
        ),
    )
