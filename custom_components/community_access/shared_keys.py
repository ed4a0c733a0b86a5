"""Shared keys in Home Assistant: check at set-up, export, import (see core/sharedkeys.py)."""

from __future__ import annotations

import base64
from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers.storage import Store

from .const import DOMAIN
from .core.community import Community
from .core.privacy import Vault
from .core.sharedkeys import (
    CHECK_SETTING,
    ensure_check,
    export_keys,
    parse_keys,
    passes,
)
from .core.storage import Database
from .runtime import CommunityConfigEntry
from .service_helpers import actor

#: As in ``__init__.async_load_vault`` (the entry's key store).
KEYS_VERSION = 1


def _store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, str]]:
    return Store(
        hass,
        KEYS_VERSION,
        f"{DOMAIN}.{entry_id}.keys",
        private=True,
        atomic_writes=True,
    )


async def async_check_keys(community: Community, vault: Vault) -> None:
    """Refuse set-up when the database was written with other keys."""
    if not await community.run(ensure_check, community.db, vault):
        raise ConfigEntryError(
            translation_domain=DOMAIN, translation_key="keys_mismatch"
        )


async def export_keys_service(
    hass: HomeAssistant, entry: CommunityConfigEntry, call: ServiceCall
) -> ServiceResponse:
    """Answer the entry's keys as one text, for another compound's options (admins only)."""
    keys = await _store(hass, entry.entry_id).async_load()
    assert keys is not None  # written at set-up
    await entry.runtime_data.community.record_admin_action(
        "keys_exported", actor=actor(call), details={}
    )
    return {"keys": export_keys(keys["hmac_key"], keys["aes_key"])}


async def async_import_keys(
    hass: HomeAssistant, entry_id: str, text: str, db_url: str
) -> str | None:
    """Save keys copied from another instance; return an error key, or None.

    Refused when the text is not an export, or when the database already
    holds a check value these keys do not pass.
    """
    try:
        hmac_key, aes_key = parse_keys(text)
    except Exception:  # noqa: BLE001 - CommunityError: shown as the field's error
        return "invalid_shared_keys"
    vault = Vault(base64.b64decode(hmac_key), base64.b64decode(aes_key))

    def _stored() -> str | None:
        database = Database(db_url)
        try:
            with database.transaction() as tx:
                return tx.setting(CHECK_SETTING)
        except Exception:  # noqa: BLE001 - no table yet: nothing to check against
            return None
        finally:
            database.close()

    stored = await hass.async_add_executor_job(_stored)
    if stored is not None and not passes(vault, stored):
        return "keys_mismatch"
    keys: dict[str, Any] = {"hmac_key": hmac_key, "aes_key": aes_key}
    await _store(hass, entry_id).async_save(keys)
    return None
