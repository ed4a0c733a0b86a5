"""Keys shared by the instances of several compounds on one database.

Credential digests and encrypted values use the entry's two keys: every
instance on one database must hold the same ones, or its digests match
nothing. The first instance stores a *check value* in the database
(``settings_kv``): a keyed digest (the HMAC key) and a sealed constant (the
AES key). An instance whose keys do not pass it is refused; the
administrator copies the first instance's keys (:func:`export_keys`,
an admin-only service) into the second one's options (:func:`parse_keys`).
Neither the keys nor the check value are logged or shown elsewhere.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from .errors import CommunityError
from .privacy import Vault
from .storage import Database

#: The settings key of the check value.
CHECK_SETTING = "vault.check"
_CONSTANT = "community_access keys check"
_PREFIX = "ca1"


def check_value(vault: Vault) -> str:
    """Return a check value of the vault's keys (a new sealed part each time)."""
    return f"{vault.digest('keys-check', _CONSTANT)}.{vault.encrypt(_CONSTANT)}"


def passes(vault: Vault, stored: str) -> bool:
    """Whether the vault's keys are the ones that made ``stored``."""
    digest, _, sealed = stored.partition(".")
    if not hmac.compare_digest(digest, vault.digest("keys-check", _CONSTANT)):
        return False
    try:
        return vault.decrypt(sealed) == _CONSTANT
    except (ValueError, binascii.Error):
        return False


def ensure_check(db: Database, vault: Vault) -> bool:
    """Store the check value if the database has none; whether the keys pass. Blocking."""
    with db.transaction() as tx:
        stored = tx.setting(CHECK_SETTING)
        if stored is None:
            tx.set_setting(CHECK_SETTING, check_value(vault))
            return True
    return passes(vault, stored)


def export_keys(hmac_key: str, aes_key: str) -> str:
    """Return the text an administrator copies to another instance (base64 keys)."""
    return f"{_PREFIX}:{hmac_key}:{aes_key}"


def parse_keys(text: str) -> tuple[str, str]:
    """Return the (hmac, aes) base64 keys of an exported text, or refuse."""
    parts = text.strip().split(":")
    if len(parts) != 3 or parts[0] != _PREFIX:
        raise CommunityError("invalid_shared_keys")
    try:
        hmac_raw = base64.b64decode(parts[1], validate=True)
        aes_raw = base64.b64decode(parts[2], validate=True)
        Vault(hmac_raw, aes_raw)
    except (ValueError, binascii.Error) as err:
        raise CommunityError("invalid_shared_keys") from err
    return parts[1], parts[2]
