"""Community Access: access control for a residential community."""

from __future__ import annotations

import asyncio
import base64
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.storage import Store
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util

from . import database_url
from .blueprints import async_install_blueprints
from .const import (
    CONF_APPROVAL_TIMEOUT,
    CONF_AUTO_RECORD,
    CONF_CARD_DEPOSIT,
    CONF_CARD_QUOTA,
    CONF_COMPOUND,
    CONF_DB_URL,
    CONF_DEMO,
    CONF_GUARD_NOTIFY,
    CONF_NOTICE_NOTIFY,
    CONF_REISSUE_FEE,
    CONF_RETENTION_DAYS,
    CONF_REVIEW_INTERVAL_DAYS,
    CONF_REVOKE_UNUSED_DAYS,
    CONF_SHOW_FULL_NAMES,
    CONF_VISIT_MINUTES,
    DEFAULT_APPROVAL_TIMEOUT,
    DEFAULT_CARD_DEPOSIT,
    DEFAULT_CARD_QUOTA,
    DEFAULT_REISSUE_FEE,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_REVIEW_INTERVAL_DAYS,
    DEFAULT_REVOKE_UNUSED_DAYS,
    DEFAULT_VISIT_MINUTES,
    DOMAIN,
    LOGGER,
    SUBENTRY_DOOR,
)
from .core.community import Community, Settings
from .core.detection import Detector
from .core.heap import release_free_heap
from .core.models import Door
from .core.privacy import Vault, new_key
from .core.storage import Database
from .core.visitors import VisitorSettings
from .door import DoorConfig, DoorOperator
from .feed import async_feed_position, async_start_feed
from .housekeeping import async_start_housekeeping, keypad_lock_key
from .lock_codes import async_start_lock_codes, async_stop_lock_codes
from .operations.setup import async_setup_operations
from .panel.commands import async_setup_panel_api
from .panel.live import async_setup_live
from .panel.register import async_register_panels, async_remove_panels
from .repairs import async_check_door_locks
from .rules_setup import detection_settings, rule_settings
from .runtime import CommunityConfigEntry, CommunityRuntime, rule_book
from .serial_hub import async_start_lines, async_stop_lines
from .services import async_setup_services
from .shared_keys import async_check_keys
from .spool import async_remove_spool, async_start_spool
from .tag_readers import async_setup_tag_readers

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.CALENDAR,
    Platform.EVENT,
    Platform.LOCK,
    Platform.SENSOR,
    Platform.TODO,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
KEYS_VERSION = 1
#: Longest wait for set-up's own work before the heap is trimmed anyway.
STARTUP_WORK_WAIT = 60.0


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the services and install the blueprints (once)."""
    async_setup_services(hass)
    async_setup_panel_api(hass)
    await async_install_blueprints(hass)
    return True


def default_db_url(hass: HomeAssistant, entry_id: str) -> str:
    """Return the SQLite file URL in the configuration directory."""
    return f"sqlite:///{hass.config.path(f'community_access_{entry_id}.db')}"


async def async_load_vault(hass: HomeAssistant, entry_id: str) -> Vault:
    """Load the entry's keys from ``.storage``, creating them on first use."""
    store: Store[dict[str, str]] = Store(
        hass,
        KEYS_VERSION,
        f"{DOMAIN}.{entry_id}.keys",
        private=True,
        atomic_writes=True,
    )
    keys = await store.async_load()
    if keys is None:
        keys = {
            "hmac_key": base64.b64encode(new_key()).decode(),
            "aes_key": base64.b64encode(new_key()).decode(),
        }
        # Saved at once: nothing may be written with keys that could be lost.
        await store.async_save(keys)
    return Vault(base64.b64decode(keys["hmac_key"]), base64.b64decode(keys["aes_key"]))


def settings_from_options(options: dict[str, Any]) -> Settings:
    """Community settings from the entry options."""
    return Settings(
        card_quota=int(options.get(CONF_CARD_QUOTA, DEFAULT_CARD_QUOTA)),
        retention_days=int(options.get(CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS)),
        card_deposit_cents=round(
            float(options.get(CONF_CARD_DEPOSIT, DEFAULT_CARD_DEPOSIT)) * 100
        ),
        reissue_fee_cents=round(
            float(options.get(CONF_REISSUE_FEE, DEFAULT_REISSUE_FEE)) * 100
        ),
        review_interval_days=int(
            options.get(CONF_REVIEW_INTERVAL_DAYS, DEFAULT_REVIEW_INTERVAL_DAYS)
        ),
        revoke_unused_days=int(
            options.get(CONF_REVOKE_UNUSED_DAYS, DEFAULT_REVOKE_UNUSED_DAYS)
        ),
    )


async def async_migrate_entry(hass: HomeAssistant, entry: CommunityConfigEntry) -> bool:
    """Migrate an entry from an older version.

    1.1 → 1.2: the door reader event entities are disabled (they repeated
    every access in the logbook; the access bus events remain). A user can
    enable them again in the entity settings.
    """
    if entry.version > 1:
        return False  # a newer version of the integration made this entry
    if entry.minor_version < 2:
        registry = er.async_get(hass)
        for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
            if (
                entity.domain == Platform.EVENT
                and entity.platform == DOMAIN
                and entity.unique_id.endswith("_reader")
                and entity.disabled_by is None
            ):
                registry.async_update_entity(
                    entity.entity_id,
                    disabled_by=er.RegistryEntryDisabler.INTEGRATION,
                )
        hass.config_entries.async_update_entry(entry, minor_version=2)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: CommunityConfigEntry) -> bool:
    """Open the community's database, build the index and the doors."""
    vault = await async_load_vault(hass, entry.entry_id)
    url = entry.options.get(CONF_DB_URL) or default_db_url(hass, entry.entry_id)
    try:
        url = database_url.normalise(url)
        await database_url.async_ensure_driver(hass, url)
    except database_url.DatabaseUrlError as err:
        if err.key == "database_driver_unavailable":
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN, translation_key=err.key
            ) from err
        raise ConfigEntryError(
            translation_domain=DOMAIN, translation_key="database_url_refused"
        ) from err
    database = await hass.async_add_executor_job(Database, url)
    database.compound = str(entry.options.get(CONF_COMPOUND) or "")
    community = Community(
        database,
        vault,
        dt_util.get_default_time_zone(),
        hass.async_add_executor_job,
        settings_from_options(dict(entry.options)),
    )
    try:
        feed_after = await async_feed_position(community)
        await community.async_load()
    except SQLAlchemyError as err:
        await hass.async_add_executor_job(database.close)
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="database_unavailable",
            translation_placeholders={"error": type(err).__name__},
        ) from err
    except RuntimeError as err:
        await hass.async_add_executor_job(database.close)
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="database_too_new",
        ) from err

    try:
        await async_check_keys(community, vault)
    except ConfigEntryError:
        await hass.async_add_executor_job(database.close)
        raise

    runtime = CommunityRuntime(
        community=community,
        visitor_settings=VisitorSettings(
            approval_timeout=timedelta(
                minutes=float(
                    entry.options.get(CONF_APPROVAL_TIMEOUT, DEFAULT_APPROVAL_TIMEOUT)
                )
            ),
            default_visit=timedelta(
                minutes=float(
                    entry.options.get(CONF_VISIT_MINUTES, DEFAULT_VISIT_MINUTES)
                )
            ),
        ),
        guard_notify=entry.options.get(CONF_GUARD_NOTIFY) or None,
        rule_settings=rule_settings(entry.options),
        notice_notify=entry.options.get(CONF_NOTICE_NOTIFY) or None,
        auto_record=bool(entry.options.get(CONF_AUTO_RECORD, False)),
        full_names=bool(entry.options.get(CONF_SHOW_FULL_NAMES, False)),
    )
    doors = []
    for subentry in entry.subentries.values():
        if subentry.subentry_type != SUBENTRY_DOOR:
            continue
        try:
            config = DoorConfig.from_subentry(subentry)
        except (ValueError, KeyError) as err:
            LOGGER.error(
                "Door %s is misconfigured and was skipped: %s", subentry.title, err
            )
            continue
        runtime.doors[config.id] = DoorOperator(hass, config)
        doors.append(config.door)
    community.set_doors(doors)
    entry.runtime_data = runtime
    runtime.unsubscribe.extend(await async_start_spool(hass, entry))
    await rule_book(entry).async_load()
    await _async_attach_detector(hass, entry)

    device_registry = dr.async_get(hass)
    device_registry.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, entry.entry_id)},
        name=entry.title,
        manufacturer="Community Access",
        model="Community",
        entry_type=dr.DeviceEntryType.SERVICE,
    )

    if entry.data.get(CONF_DEMO):
        from .demo import async_seed_demo  # noqa: PLC0415

        await async_seed_demo(community)

    for operator in runtime.doors.values():
        operator.async_start()
    runtime.unsubscribe.extend(await async_setup_operations(hass, entry))
    try:
        await async_start_lines(hass, entry)
    except ConfigEntryNotReady:
        for unsub in runtime.unsubscribe:
            unsub()
        for operator in runtime.doors.values():
            operator.async_stop()
        await community.async_close()
        raise

    await async_start_lock_codes(hass, entry)

    runtime.unsubscribe.extend(async_start_housekeeping(hass, entry))
    runtime.unsubscribe.extend(async_setup_live(hass, entry))
    runtime.unsubscribe.extend(async_setup_tag_readers(hass, entry))
    runtime.unsubscribe.extend(await async_start_feed(hass, entry, feed_after))
    entry.async_on_unload(entry.add_update_listener(_async_update_listener))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)

    # Bound locks may come from integrations that start later: check once
    # Home Assistant has started.
    @callback
    def _check_locks(_hass: HomeAssistant) -> None:
        async_check_door_locks(hass, entry)

    entry.async_on_unload(async_at_started(hass, _check_locks))
    await async_register_panels(hass)
    entry.async_create_task(
        hass, _async_release_heap(hass, runtime.startup_work), f"{DOMAIN} heap trim"
    )
    return True


async def _async_release_heap(
    hass: HomeAssistant, work: list[asyncio.Task[Any]]
) -> None:
    """Give what the loading freed back to the system once set-up's work is done.

    The worker threads' C heaps keep what they freed (glibc; see
    core/heap.py). The first expiry sweep and the muster counts still run
    after set-up returns; trimming before they end left 3-4 MiB behind.
    """
    if work:
        await asyncio.wait(work, timeout=STARTUP_WORK_WAIT)
        work.clear()
    await hass.async_add_executor_job(release_free_heap)


async def _async_attach_detector(
    hass: HomeAssistant, entry: CommunityConfigEntry
) -> None:
    """Misuse detection, its state rebuilt from the recent access record.

    Only the grants of the detector's window (24 h of presence, or the
    travel time if longer) are read, through the ``at`` index, and replayed
    in a worker thread: the detector is not shared until it is attached.
    With neither anti-passback nor impossible travel on, nothing is read
    (no check would look at it).
    """
    runtime = entry.runtime_data
    detector = Detector(detection_settings(entry.options))
    doors = {
        door_id: operator.config.door for door_id, operator in runtime.doors.items()
    }
    detector.set_doors(
        (operator.config.door, operator.config.anti_passback)
        for operator in runtime.doors.values()
    )
    if detector.keeps_grants():
        since = dt_util.utcnow() - detector.restore_window()
        await hass.async_add_executor_job(
            _restore_detector, detector, runtime.community.db, doors, since
        )
    # Keypad lockouts in force survive a restart.
    now = dt_util.utcnow()
    db = runtime.community.db
    # Only doors with a lockout kept are read (usually none).
    kept = set(await hass.async_add_executor_job(db.setting_keys, keypad_lock_key("")))
    for door_id in runtime.doors:
        if (key := keypad_lock_key(door_id)) not in kept:
            continue
        value = await hass.async_add_executor_job(db.setting, key)
        until = dt_util.parse_datetime(value) if value else None
        if until is not None and until > now:
            detector.locked_until[door_id] = until
    runtime.community.detector = detector


def _restore_detector(
    detector: Detector, db: Database, doors: dict[str, Door], since: datetime
) -> None:
    """Replay the grants from ``since`` on (in a worker thread)."""
    detector.restore(
        (credential_id, person_id, doors[door_id], at)
        for credential_id, person_id, door_id, at in db.grants_since(since)
        if door_id in doors
    )


async def _async_update_listener(
    hass: HomeAssistant, entry: CommunityConfigEntry
) -> None:
    """Options or doors changed: reload so every part sees the same state."""
    hass.config_entries.async_schedule_reload(entry.entry_id)


async def async_remove_entry(hass: HomeAssistant, entry: CommunityConfigEntry) -> None:
    """Delete what only this entry could use: its spool of waiting records."""
    await async_remove_spool(hass, entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: CommunityConfigEntry) -> bool:
    """Stop the doors and close the database."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        async_remove_panels(hass, entry.entry_id)
        runtime = entry.runtime_data
        for unsub in runtime.unsubscribe:
            unsub()
        await async_stop_lock_codes(entry)
        for operator in runtime.doors.values():
            operator.async_stop()
        await async_stop_lines(entry)
        await runtime.community.async_close()
    return unloaded
