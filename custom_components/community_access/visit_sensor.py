"""Visitor sensors: one enum sensor per active visit, and two visitor figures.

Home Assistant loads entity platforms by file name, so ``sensor.py`` calls
:func:`async_setup_visit_sensors` from its own ``async_setup_entry``.

A visit's sensor appears when the visit is registered at the gate or
pre-registered, follows its status, and is removed from the state machine and
from the entity registry once the visit is closed. Its attributes name the
visitor masked (``张*``, unless the community shows full names) and the host
unit only: never the ID number, the
phone number or a pass code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import slugify

from .const import DOMAIN
from .core.community import Community
from .core.models import Visit, VisitStatus
from .entity import CommunityEntity
from .names import shown_name
from .runtime import CommunityConfigEntry


def visit_unit(community: Community, visit: Visit) -> str:
    """Return the host unit of a visit (``3-2-501``), or ``""`` if unknown."""
    household = community.index.households.get(visit.household_id)
    return str(household.unit) if household else ""


def visit_unique_id(entry: CommunityConfigEntry, visit_id: int) -> str:
    """Return the unique id of a visit's sensor."""
    return f"{entry.entry_id}_visit_{visit_id}"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def visits_with(community: Community, status: VisitStatus) -> int:
    """How many active visits have one status (the visitor count sensors)."""
    return sum(1 for visit in community.visits.values() if visit.status is status)


async def async_setup_visit_sensors(
    hass: HomeAssistant,
    entry: CommunityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Create one sensor per active visit and follow the changes."""
    community = entry.runtime_data.community
    _remove_stale_visit_entities(hass, entry, community)
    visit_sensors = VisitSensors(hass, entry, async_add_entities)
    visit_sensors.async_sync()
    entry.async_on_unload(community.add_listener(visit_sensors.async_sync))


@callback
def _remove_stale_visit_entities(
    hass: HomeAssistant, entry: CommunityConfigEntry, community: Community
) -> None:
    """Drop registry entries of visits that were closed while not loaded."""
    registry = er.async_get(hass)
    prefix = visit_unique_id(entry, 0)[:-1]
    for registered in er.async_entries_for_config_entry(registry, entry.entry_id):
        if (
            registered.domain != Platform.SENSOR
            or registered.platform != DOMAIN
            or not registered.unique_id.startswith(prefix)
        ):
            continue
        suffix = registered.unique_id.removeprefix(prefix)
        if suffix.isdigit() and int(suffix) not in community.visits:
            _forget_registry_entry(registry, registered.entity_id)


@callback
def _forget_registry_entry(registry: er.EntityRegistry, entity_id: str) -> None:
    """Remove a closed visit's sensor from the registry, leaving no tombstone.

    Home Assistant keeps what it knew of a removed entity (a deleted entry)
    for as long as its config entry exists, to restore it should the same
    unique id come back. A visit's id never comes back: kept, these would
    grow the registry (in memory and in ``.storage``) by one per visit, for
    the life of the community.
    """
    registered = registry.async_get(entity_id)
    if registered is None:
        return
    registry.async_remove(entity_id)
    key = (registered.domain, registered.platform, registered.unique_id)
    if registry.deleted_entities.pop(key, None) is not None:
        registry.async_schedule_save()


class VisitSensors:
    """Keeps one :class:`VisitSensor` per entry of ``community.visits``."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CommunityConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        """Follow the visits of one community."""
        self.hass = hass
        self.entry = entry
        self.community = entry.runtime_data.community
        self._add = async_add_entities
        self.entities: dict[int, VisitSensor] = {}

    @callback
    def async_sync(self) -> None:
        """Add sensors of new visits, update changed ones, retire closed ones."""
        if self.entry.state is ConfigEntryState.UNLOAD_IN_PROGRESS:
            return
        visits = self.community.visits
        for visit_id, entity in list(self.entities.items()):
            visit = visits.get(visit_id)
            if visit is None:
                del self.entities[visit_id]
                entity.async_visit_gone()
                self.entry.async_create_task(
                    self.hass,
                    entity.async_retire(self.hass),
                    f"{DOMAIN} visit {visit_id} ended",
                )
            elif visit is not entity.visit:
                entity.async_set_visit(visit)
        new = [
            VisitSensor(self.entry, visit)
            for visit_id, visit in visits.items()
            if visit_id not in self.entities
        ]
        if new:
            self.entities.update((entity.visit.id, entity) for entity in new)
            self._add(new)


class VisitSensor(CommunityEntity, SensorEntity):
    """Where one visit stands (expected, pending, approved, on site, overdue)."""

    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = [status.value for status in VisitStatus]

    def __init__(self, entry: CommunityConfigEntry, visit: Visit) -> None:
        """Create for one active visit, on the community device."""
        super().__init__(entry, f"visit_{visit.id}")
        self._attr_translation_key = "visit"
        self.visit = visit
        self._unit = visit_unit(entry.runtime_data.community, visit)
        self._attr_translation_placeholders = {
            "visitor": self._visitor(visit),
            "unit": self._unit,
        }
        # Named after the visit id rather than the (masked) visitor name, so
        # ids stay stable and two visitors of one household never collide.
        self.entity_id = (
            f"{Platform.SENSOR}.{slugify(entry.title) or DOMAIN}_visit_{visit.id}"
        )
        self._gone = False
        self._added = False

    async def async_added_to_hass(self) -> None:
        """Retire at once if the visit ended while the entity was being added."""
        self._added = True
        self.async_on_remove(self._async_mark_removed)
        if self._gone:
            self.entry.async_create_task(
                self.hass,
                self.async_retire(self.hass),
                f"{DOMAIN} visit {self.visit.id} ended",
            )

    @callback
    def _async_mark_removed(self) -> None:
        self._added = False

    @callback
    def async_set_visit(self, visit: Visit) -> None:
        """Take the visit's new state."""
        self.visit = visit
        if self._added:
            self.async_write_ha_state()

    @callback
    def async_visit_gone(self) -> None:
        """Note that the visit was closed (call :meth:`async_retire` next)."""
        self._gone = True

    async def async_retire(self, hass: HomeAssistant) -> None:
        """Leave the state machine and the entity registry.

        Before the entity is added only its registry entry (if any) goes; it
        retires itself once added (see :meth:`async_added_to_hass`).
        """
        if self._added:
            await self.async_remove(force_remove=True)
        registry = er.async_get(hass)
        if entity_id := registry.async_get_entity_id(
            Platform.SENSOR, DOMAIN, visit_unique_id(self.entry, self.visit.id)
        ):
            _forget_registry_entry(registry, entity_id)

    def _visitor(self, visit: Visit) -> str:
        """Return the visitor's name as users may see it (masked unless configured)."""
        return shown_name(visit.visitor_name, self.entry.runtime_data.full_names) or ""

    @property
    def native_value(self) -> str:
        """Return the visit's status."""
        return VisitStatus.CLOSED.value if self._gone else self.visit.status.value

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Masked visitor, host unit, purpose and times; no ID, phone or code."""
        visit = self.visit
        return {
            "visit_id": visit.id,
            "visitor": self._visitor(visit),
            "unit": self._unit,
            "purpose": visit.purpose,
            "pre_registered": visit.pre_registered,
            "valid_until": _iso(visit.valid_until),
            "window_from": _iso(visit.window_from),
            "window_until": _iso(visit.window_until),
        }
