"""Personal data protection (PIPL): keyed hashes, encryption and masking.

ID numbers, card numbers and PINs are never stored or shown in clear: they
are looked up through a keyed hash (HMAC-SHA256) and, where they must be
read back (an ID number for the property office, a card or PIN a lock must
be programmed with), kept encrypted with AES-256-GCM.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import unicodedata

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .models import CredentialKind

_SEPARATORS = re.compile(r"[\s:\-_.]")
#: A card number as readers give it: decimal or hex digits. EM4100 frames are
#: 10 hex digits, Wiegand 26/34 and line readers give decimal numbers, OSDP
#: gives the bits of formats it does not know in decimal (a 200-bit read is
#: 61 digits); 64 characters is the bound credential values always had.
_CARD_ISSUABLE = re.compile(r"[0-9A-F]{4,64}")
#: Readers drop leading zeros, so a card issued as ``0005`` is presented as ``5``.
_CARD_PRESENTABLE = re.compile(r"[0-9A-F]{1,64}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def new_key() -> bytes:
    """Return a fresh random 256-bit key."""
    return secrets.token_bytes(32)


class Vault:
    """Holds the community's two secret keys and applies them."""

    __slots__ = ("_aead", "_hmac_key")

    def __init__(self, hmac_key: bytes, aes_key: bytes) -> None:
        """Create from 32-byte keys."""
        if len(hmac_key) < 32 or len(aes_key) != 32:
            raise ValueError("keys must be 32 bytes")
        self._hmac_key = hmac_key
        self._aead = AESGCM(aes_key)

    def digest(self, purpose: str, value: str) -> str:
        """Keyed hash of an already normalised value, separated by purpose."""
        mac = hmac.new(self._hmac_key, f"{purpose}\x00{value}".encode(), hashlib.sha256)
        return mac.hexdigest()

    def credential_digest(self, kind: CredentialKind, value: str) -> str:
        """Keyed hash used to look a credential up."""
        return self.digest(f"credential:{kind}", normalize_credential(kind, value))

    def credential_key(self, kind: CredentialKind, value: str) -> bytes:
        """Keyed hash of :meth:`credential_digest` in its compact form (its 32 bytes).

        What the access index keys credentials by (``Credential.key``): a
        decision looks the value up without making the hex text first.
        """
        text = f"credential:{kind}\x00{normalize_credential(kind, value)}"
        return hmac.digest(self._hmac_key, text.encode(), hashlib.sha256)

    def id_number_digest(self, id_number: str) -> str:
        """Keyed hash used to match an ID number (duplicates, watch lists)."""
        return self.digest("id_number", normalize_id_number(id_number))

    def encrypt(self, plaintext: str) -> str:
        """AES-GCM encrypt; the result carries its nonce and is base64 text."""
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), None)
        return base64.b64encode(nonce + sealed).decode()

    def decrypt(self, token: str) -> str:
        """Reverse :meth:`encrypt`; raise ``ValueError`` when tampered with."""
        raw = base64.b64decode(token)
        try:
            return self._aead.decrypt(raw[:12], raw[12:], None).decode()
        except Exception as err:  # cryptography raises InvalidTag
            raise ValueError("cannot decrypt") from err


def normalize_credential(kind: CredentialKind, value: str) -> str:
    """Canonical form of a credential value, so readers agree on it.

    Cards and tags: separators dropped, upper case, leading zeros of a purely
    numeric number dropped. PINs: digits only. Plates: upper case, no spaces.
    """
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if kind is CredentialKind.PIN:
        return text
    text = _SEPARATORS.sub("", text).upper()
    if kind in (CredentialKind.CARD, CredentialKind.PHONE_TAG) and text.isdigit():
        text = text.lstrip("0") or "0"
    return text


def _card_text(value: str) -> str:
    """Return a card number without separators, upper case (leading zeros kept)."""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return _SEPARATORS.sub("", text).upper()


def plain_card_number(value: str) -> str:
    """Return a card number as a reader gives it: no separators, upper case.

    Leading zeros are kept (unlike :func:`normalize_credential`), so the
    number can be issued as read and still matches the card when shown.
    """
    return _card_text(value)


def card_number_issuable(value: str) -> bool:
    """Whether a card number may be issued: 4 to 64 decimal or hex digits.

    Separators (spaces, ``:``, ``-``, ``_``, ``.``) and case do not count;
    leading zeros do, so ``0005`` is a valid number for a card read as ``5``.
    """
    return _CARD_ISSUABLE.fullmatch(_card_text(value)) is not None


def card_number_presentable(value: str) -> bool:
    """Whether a presented card number can be one: 1 to 64 decimal or hex digits."""
    return _CARD_PRESENTABLE.fullmatch(_card_text(value)) is not None


def normalize_id_number(id_number: str) -> str:
    """Upper case, no spaces."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", id_number)).upper()


def valid_id_number(id_number: str) -> bool:
    """Check an ID document number.

    An 18-character PRC resident ID must carry a correct GB 11643 check
    digit; other documents (passports, permits) must be 5 to 20 letters or
    digits.
    """
    text = normalize_id_number(id_number)
    if re.fullmatch(r"\d{17}[\dX]", text):
        total = sum(int(c) * w for c, w in zip(text[:17], _ID_WEIGHTS, strict=True))
        return _ID_CHECK[total % 11] == text[17]
    if re.fullmatch(r"\d{15,18}|\d{17}[A-Z]", text):
        return False
    return re.fullmatch(r"[A-Z0-9]{5,20}", text) is not None


def mask_id_number(id_number: str) -> str:
    """``110101199003071234`` → ``110***********1234``."""
    text = normalize_id_number(id_number)
    if len(text) <= 7:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def mask_credential(kind: CredentialKind, value: str) -> str:
    """Return what a person may see of a credential: ``****5678``; of a PIN nothing."""
    text = normalize_credential(kind, value)
    if kind is CredentialKind.PIN:
        return "****"
    if kind in (CredentialKind.FINGERPRINT, CredentialKind.FACE):
        return f"{kind}#{text[-4:]}" if len(text) > 4 else f"{kind}#****"
    if kind is CredentialKind.PLATE:
        return (
            text[:2] + "*" * max(len(text) - 4, 1) + text[-2:]
            if len(text) > 4
            else "****"
        )
    return "****" + text[-4:] if len(text) > 4 else "****"


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678``."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(name: str) -> str:
    """``张三丰`` → ``张**``; ``Alice Smith`` → ``A**** S****``."""
    parts = name.split()
    if len(parts) > 1:
        return " ".join(p[0] + "*" * (len(p) - 1) for p in parts)
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""
