"""Summary sensors of the community (figures only, no personal data).

Households are data, not entities: a community has hundreds of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .core.community import Community
from .core.models import VisitStatus
from .entity import CommunityEntity
from .lock_sensor import async_add_lock_sync_sensors
from .operations.modes_entities import async_add_mode_sensors
from .operations.upkeep_sensor import OpenFaultsSensor
from .runtime import CommunityConfigEntry
from .visit_sensor import async_setup_visit_sensors, visits_with

PARALLEL_UPDATES = 0


def _lost_this_month(community: Community) -> int:
    """Cards reported lost since the first of the month (cached per change of the set)."""
    index = community.index
    start = dt_util.start_of_local_day().replace(day=1)
    key = (index.lost_version, start)
    if index.lost_month_cache is not None and index.lost_month_cache[0] == key:
        return index.lost_month_cache[1]
    value = sum(
        1
        for c in index.lost_credentials()
        if c.updated_at is not None and c.updated_at >= start
    )
    index.lost_month_cache = (key, value)
    return value


def _suspended_now(community: Community) -> int:
    now = dt_util.utcnow()
    by_penalty = {
        pid
        for pid, end in community.index.suspended.items()
        if end is None or now < end
    }
    return len(by_penalty | community.index.suspended_by_status)


@dataclass(frozen=True, kw_only=True)
class CountDescription(SensorEntityDescription):
    """A figure computed from the community (cheap: it runs on every change)."""

    value: Callable[[Community], float]


SENSORS = (
    CountDescription(
        key="households",
        state_class=SensorStateClass.MEASUREMENT,
        value=lambda c: len(c.index.households),
    ),
    CountDescription(
        key="residents",
        state_class=SensorStateClass.MEASUREMENT,
        value=lambda c: c.index.resident_count,
    ),
    CountDescription(
        key="active_credentials",
        state_class=SensorStateClass.MEASUREMENT,
        value=lambda c: c.index.active_credential_count,
    ),
    CountDescription(
        key="active_cards",
        state_class=SensorStateClass.MEASUREMENT,
        value=lambda c: c.index.active_card_count,
    ),
    CountDescription(
        key="cards_lost_this_month",
        state_class=SensorStateClass.MEASUREMENT,
        value=_lost_this_month,
    ),
    CountDescription(
        key="visitors_on_site",
        state_class=SensorStateClass.MEASUREMENT,
        value=lambda c: visits_with(c, VisitStatus.ON_SITE),
    ),
    CountDescription(
        key="overdue_visitor_cards",
        state_class=SensorStateClass.MEASUREMENT,
        value=lambda c: visits_with(c, VisitStatus.OVERDUE),
    ),
    CountDescription(
        key="open_violations",
        state_class=SensorStateClass.MEASUREMENT,
        value=lambda c: c.open_violation_count,
    ),
    CountDescription(
        key="people_suspended",
        state_class=SensorStateClass.MEASUREMENT,
        value=_suspended_now,
    ),
    CountDescription(
        key="deposits_held",
        device_class=SensorDeviceClass.MONETARY,
        native_unit_of_measurement="CNY",
        suggested_display_precision=2,
        value=lambda c: c.deposits_held_cents / 100,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Create the summary sensors."""
    async_add_entities(CountSensor(entry, description) for description in SENSORS)
    async_add_entities([PublicNoticeSensor(entry, "latest_public_notice")])
    await async_setup_visit_sensors(hass, entry, async_add_entities)
    async_add_lock_sync_sensors(entry, async_add_entities)
    async_add_entities([OpenFaultsSensor(entry)])
    async_add_mode_sensors(entry, async_add_entities)


class CountSensor(CommunityEntity, SensorEntity):
    """A figure kept up to date on every change."""

    entity_description: CountDescription

    def __init__(
        self, entry: CommunityConfigEntry, description: CountDescription
    ) -> None:
        """Create from a description."""
        super().__init__(entry, description.key)
        self.entity_description = description

    async def async_added_to_hass(self) -> None:
        """Update on every change of the community."""
        self.async_on_remove(
            self.entry.runtime_data.community.add_listener(self.async_write_ha_state)
        )

    @property
    def native_value(self) -> float:
        """Return the current figure."""
        return self.entity_description.value(self.entry.runtime_data.community)


class PublicNoticeSensor(CommunityEntity, SensorEntity):
    """The latest public notice (公告批评), name masked."""

    async def async_added_to_hass(self) -> None:
        """Update when a notice is published."""
        self.async_on_remove(
            self.entry.runtime_data.community.add_listener(self.async_write_ha_state)
        )

    @property
    def native_value(self) -> str | None:
        """Masked name and unit of the latest notice."""
        notice = self.entry.runtime_data.last_notice
        if notice is None:
            return None
        return f"{notice.get('person', '')} {notice.get('unit') or ''}".strip()

    @property
    def extra_state_attributes(self) -> dict[str, object]:
        """When, and the violation it follows."""
        notice = self.entry.runtime_data.last_notice or {}
        return {"at": notice.get("at"), "violation_id": notice.get("violation_id")}
