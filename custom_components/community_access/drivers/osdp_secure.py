"""OSDP v2.2 secure channel, control panel side (sans-IO).

AES-128 throughout (``cryptography``'s AES, ECB and CBC modes):

* session keys from the secure channel base key (SCBK) and the CP's random
  RND.A: ``S-ENC``/``S-MAC1``/``S-MAC2`` = AES-ECB(SCBK, ``01 82``/``01 01``/
  ``01 02`` + RND.A[0:6] + 8 zero bytes);
* handshake: ``osdp_CHLNG`` (SCB ``11``) carries RND.A; ``osdp_CCRYPT``
  (SCB ``12``) returns the PD's cUID, RND.B and the PD cryptogram
  AES(S-ENC, RND.A || RND.B), checked here; ``osdp_SCRYPT`` (SCB ``13``)
  carries the CP cryptogram AES(S-ENC, RND.B || RND.A); ``osdp_RMAC_I``
  (SCB ``14``) must return AES(S-MAC2, AES(S-MAC1, CP cryptogram)), the
  initial reply MAC;
* then every frame ends with a MAC: a CBC-MAC over the frame from SOM to the
  end of the (encrypted) data, S-MAC1 for all blocks but the last and S-MAC2
  for the last one, its IV the other side's last full MAC (so MACs chain
  across messages), truncated to 4 bytes on the wire. Data is encrypted with
  AES-CBC and S-ENC, IV = bitwise NOT of the other side's last MAC, padded
  with ``0x80`` then zeros.

The SCB data byte of the handshake says which key is in use: 0 for the
default key SCBK-D (``30 31 .. 3F``, accepted by a PD in install mode only),
1 for a provisioned SCBK.

Policy: a channel built with a provisioned key is *required*; nothing here
ever turns a secure session back into a plain one, and
:meth:`SecureChannel.unwrap_reply` rejects every reply without a valid MAC
once the channel is established.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
import hmac
import secrets
from typing import Final

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .osdp import (
    MAC_LEN,
    CommandCode,
    Frame,
    OsdpError,
    ReplyCode,
    SecurityBlock,
    SecurityBlockType,
    build_frame,
)

BLOCK: Final = 16
KEY_LEN: Final = 16
RANDOM_LEN: Final = 8
CUID_LEN: Final = 8
#: the default secure channel base key, install mode only
SCBK_DEFAULT: Final = bytes(range(0x30, 0x40))
#: KEYSET key type for an SCBK
KEY_TYPE_SCBK: Final = 0x01

_KEY_DEFAULT: Final = 0x00
_KEY_PROVISIONED: Final = 0x01


class SecureChannelError(OsdpError):
    """The secure channel failed: bad cryptogram, bad MAC, plaintext, ..."""


# --- primitives ---------------------------------------------------------------


def _check_key(key: bytes, name: str = "key") -> bytes:
    if len(key) != KEY_LEN:
        raise ValueError(f"{name} must be 16 bytes")
    return bytes(key)


def aes_ecb_encrypt(key: bytes, block: bytes) -> bytes:
    """AES-128 of one or more whole blocks, ECB mode."""
    if len(block) % BLOCK:
        raise ValueError("data must be whole 16-byte blocks")
    encryptor = Cipher(algorithms.AES(_check_key(key)), modes.ECB()).encryptor()  # noqa: S305
    return encryptor.update(block) + encryptor.finalize()


def _cbc(key: bytes, iv: bytes, data: bytes, *, decrypt: bool = False) -> bytes:
    cipher = Cipher(algorithms.AES(_check_key(key)), modes.CBC(iv))
    context = cipher.decryptor() if decrypt else cipher.encryptor()
    return context.update(data) + context.finalize()


def pad(data: bytes) -> bytes:
    """OSDP padding: ``0x80`` then zeros up to a whole block (always added)."""
    padded = data + b"\x80"
    return padded + bytes(-len(padded) % BLOCK)


def unpad(data: bytes) -> bytes:
    """Remove OSDP padding; raise :class:`SecureChannelError` if absent."""
    if not data or len(data) % BLOCK:
        raise SecureChannelError("encrypted data is not whole blocks")
    stripped = data.rstrip(b"\x00")
    if not stripped or stripped[-1] != 0x80 or len(data) - len(stripped) >= BLOCK:
        raise SecureChannelError("bad padding")
    return stripped[:-1]


def _invert(block: bytes) -> bytes:
    return bytes(~byte & 0xFF for byte in block)


@dataclass(frozen=True, slots=True)
class SessionKeys:
    """The three AES-128 session keys of one secure session."""

    enc: bytes
    mac1: bytes
    mac2: bytes


def derive_session_keys(scbk: bytes, rnd_a: bytes) -> SessionKeys:
    """Session keys from the SCBK and the CP's random number RND.A."""
    if len(rnd_a) != RANDOM_LEN:
        raise ValueError("RND.A must be 8 bytes")
    tail = rnd_a[:6] + bytes(8)
    return SessionKeys(
        enc=aes_ecb_encrypt(scbk, b"\x01\x82" + tail),
        mac1=aes_ecb_encrypt(scbk, b"\x01\x01" + tail),
        mac2=aes_ecb_encrypt(scbk, b"\x01\x02" + tail),
    )


def pd_cryptogram(keys: SessionKeys, rnd_a: bytes, rnd_b: bytes) -> bytes:
    """Compute the PD cryptogram AES(S-ENC, RND.A || RND.B) of ``osdp_CCRYPT``."""
    return aes_ecb_encrypt(keys.enc, rnd_a + rnd_b)


def cp_cryptogram(keys: SessionKeys, rnd_a: bytes, rnd_b: bytes) -> bytes:
    """Compute the CP cryptogram AES(S-ENC, RND.B || RND.A) of ``osdp_SCRYPT``."""
    return aes_ecb_encrypt(keys.enc, rnd_b + rnd_a)


def initial_rmac(keys: SessionKeys, cp_crypt: bytes) -> bytes:
    """RMAC_I = AES(S-MAC2, AES(S-MAC1, CP cryptogram))."""
    return aes_ecb_encrypt(keys.mac2, aes_ecb_encrypt(keys.mac1, cp_crypt))


def compute_mac(keys: SessionKeys, iv: bytes, message: bytes) -> bytes:
    """Full 16-byte OSDP MAC of ``message`` chained from ``iv``.

    The message is padded (``0x80``, zeros) only when it is not whole
    blocks; all blocks but the last go through AES-CBC with S-MAC1, the last
    one through AES-CBC with S-MAC2.
    """
    if len(iv) != BLOCK:
        raise ValueError("IV must be 16 bytes")
    if not message:
        raise ValueError("nothing to MAC")
    padded = message if len(message) % BLOCK == 0 else pad(message)
    chain = iv
    if len(padded) > BLOCK:
        chain = _cbc(keys.mac1, iv, padded[:-BLOCK])[-BLOCK:]
    return _cbc(keys.mac2, chain, padded[-BLOCK:])


def encrypt_data(keys: SessionKeys, other_mac: bytes, data: bytes) -> bytes:
    """Encrypt a data field; ``other_mac`` is the other side's last MAC."""
    return _cbc(keys.enc, _invert(other_mac), pad(data))


def decrypt_data(keys: SessionKeys, other_mac: bytes, data: bytes) -> bytes:
    """Decrypt a data field; raise :class:`SecureChannelError`."""
    if not data or len(data) % BLOCK:
        raise SecureChannelError("encrypted data is not whole blocks")
    return unpad(_cbc(keys.enc, _invert(other_mac), data, decrypt=True))


def keyset_payload(new_scbk: bytes) -> bytes:
    """Build the ``osdp_KEYSET`` data installing ``new_scbk`` (type 1)."""
    key = _check_key(new_scbk, "SCBK")
    if key == SCBK_DEFAULT:
        raise ValueError("refusing to install the default key")
    return bytes([KEY_TYPE_SCBK, KEY_LEN]) + key


def new_scbk() -> bytes:
    """Generate a fresh random SCBK (``secrets``)."""
    return secrets.token_bytes(KEY_LEN)


# --- the CP side of one secure session ------------------------------------------


class ChannelState(Enum):
    """Where the CP side of the secure channel stands."""

    IDLE = "idle"
    CHALLENGE_SENT = "challenge_sent"
    CRYPTOGRAM_SENT = "cryptogram_sent"
    ESTABLISHED = "established"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class HandshakeMessage:
    """A handshake command for the session layer to frame and send."""

    code: int
    scb: SecurityBlock
    data: bytes


class SecureChannel:
    """CP side of the OSDP secure channel for one PD.

    ``scbk`` is the PD's provisioned key; without one, ``install_mode``
    selects the default key SCBK-D (pairing only). Once established,
    :meth:`wrap_command` builds complete secure frames and
    :meth:`unwrap_reply` checks and opens reply frames; MAC chaining state
    lives here.
    """

    def __init__(
        self, scbk: bytes | None = None, *, install_mode: bool = False
    ) -> None:
        """Set the key; a provisioned key wins over install mode."""
        if scbk is None and not install_mode:
            raise ValueError("a secure channel needs an SCBK or install mode")
        self._scbk = SCBK_DEFAULT if scbk is None else _check_key(scbk, "SCBK")
        if scbk is not None and self._scbk == SCBK_DEFAULT:
            raise ValueError("the default key is for install mode only")
        self._default_key = scbk is None
        self.state = ChannelState.IDLE
        self.failure: str | None = None
        self.cuid: bytes | None = None
        self._keys: SessionKeys | None = None
        self._rnd_a = b""
        self._rnd_b = b""
        self._expected_rmac = b""
        self._c_mac = bytes(BLOCK)
        self._r_mac = bytes(BLOCK)

    @property
    def uses_default_key(self) -> bool:
        """Whether this channel runs on SCBK-D (install mode)."""
        return self._default_key

    @property
    def established(self) -> bool:
        """Whether the handshake completed."""
        return self.state is ChannelState.ESTABLISHED

    def set_scbk(self, scbk: bytes) -> None:
        """Switch to a provisioned key (after KEYSET); restart required."""
        key = _check_key(scbk, "SCBK")
        if key == SCBK_DEFAULT:
            raise ValueError("the default key is for install mode only")
        self._scbk = key
        self._default_key = False
        self.reset()

    def reset(self) -> None:
        """Forget the session (PD reset, timeout); next: :meth:`challenge`."""
        self.state = ChannelState.IDLE
        self.failure = None
        self._keys = None
        self._rnd_a = self._rnd_b = self._expected_rmac = b""
        self._c_mac = self._r_mac = bytes(BLOCK)

    def _key_flag(self) -> bytes:
        return bytes([_KEY_DEFAULT if self._default_key else _KEY_PROVISIONED])

    def fail(self, reason: str) -> SecureChannelError:
        """Mark the handshake failed; return the error to raise."""
        self.state = ChannelState.FAILED
        self.failure = reason
        self._keys = None
        return SecureChannelError(reason)

    def challenge(self, rnd_a: bytes | None = None) -> HandshakeMessage:
        """Start a handshake: the ``osdp_CHLNG`` command with RND.A."""
        self.reset()
        self._rnd_a = secrets.token_bytes(RANDOM_LEN) if rnd_a is None else rnd_a
        if len(self._rnd_a) != RANDOM_LEN:
            raise ValueError("RND.A must be 8 bytes")
        self._keys = derive_session_keys(self._scbk, self._rnd_a)
        self.state = ChannelState.CHALLENGE_SENT
        return HandshakeMessage(
            CommandCode.CHLNG,
            SecurityBlock(SecurityBlockType.SCS_11, self._key_flag()),
            self._rnd_a,
        )

    def handle_ccrypt(self, frame: Frame) -> HandshakeMessage:
        """Check ``osdp_CCRYPT``; return the ``osdp_SCRYPT`` command.

        Raise :class:`SecureChannelError` (state ``FAILED``) when the reply is
        not a CCRYPT with our key mode or the PD's cryptogram is wrong (the
        PD holds another key).
        """
        if self.state is not ChannelState.CHALLENGE_SENT or self._keys is None:
            raise self.fail("CCRYPT without a challenge")
        if (
            frame.code != ReplyCode.CCRYPT
            or frame.scb is None
            or frame.scb.type != SecurityBlockType.SCS_12
        ):
            raise self.fail(f"expected CCRYPT, got reply 0x{frame.code:02X}")
        if frame.scb.data[:1] != self._key_flag():
            raise self.fail("PD answered for another key type")
        if len(frame.data) != CUID_LEN + RANDOM_LEN + BLOCK:
            raise self.fail("CCRYPT has the wrong length")
        cuid = frame.data[:CUID_LEN]
        rnd_b = frame.data[CUID_LEN : CUID_LEN + RANDOM_LEN]
        received = frame.data[CUID_LEN + RANDOM_LEN :]
        expected = pd_cryptogram(self._keys, self._rnd_a, rnd_b)
        if not hmac.compare_digest(received, expected):
            raise self.fail("PD cryptogram does not match: wrong key")
        self.cuid = cuid
        self._rnd_b = rnd_b
        cp_crypt = cp_cryptogram(self._keys, self._rnd_a, rnd_b)
        self._expected_rmac = initial_rmac(self._keys, cp_crypt)
        self.state = ChannelState.CRYPTOGRAM_SENT
        return HandshakeMessage(
            CommandCode.SCRYPT,
            SecurityBlock(SecurityBlockType.SCS_13, self._key_flag()),
            cp_crypt,
        )

    def handle_rmac_i(self, frame: Frame) -> None:
        """Check ``osdp_RMAC_I``; the channel is then established."""
        if self.state is not ChannelState.CRYPTOGRAM_SENT:
            raise self.fail("RMAC_I without a cryptogram")
        if (
            frame.code != ReplyCode.RMAC_I
            or frame.scb is None
            or frame.scb.type != SecurityBlockType.SCS_14
        ):
            raise self.fail(f"expected RMAC_I, got reply 0x{frame.code:02X}")
        if frame.scb.data[:1] != b"\x01":
            raise self.fail("PD rejected our cryptogram")
        if len(frame.data) != BLOCK or not hmac.compare_digest(
            frame.data, self._expected_rmac
        ):
            raise self.fail("RMAC_I does not match")
        self._r_mac = self._expected_rmac
        self.state = ChannelState.ESTABLISHED

    def wrap_command(
        self,
        address: int,
        sqn: int,
        code: int,
        data: bytes = b"",
        *,
        use_crc: bool = True,
    ) -> bytes:
        """Build a complete secure command frame (SCS_17 with data, else 15).

        Advances the MAC chain: resend the returned bytes as they are.
        """
        if not self.established or self._keys is None:
            raise SecureChannelError("secure channel not established")
        if data:
            scb = SecurityBlock(SecurityBlockType.SCS_17)
            payload = encrypt_data(self._keys, self._r_mac, data)
        else:
            scb = SecurityBlock(SecurityBlockType.SCS_15)
            payload = b""
        draft = build_frame(
            address, sqn, code, payload, use_crc=use_crc, scb=scb, mac=bytes(MAC_LEN)
        )
        body = draft[: len(draft) - MAC_LEN - (2 if use_crc else 1)]
        mac = compute_mac(self._keys, self._r_mac, body)
        self._c_mac = mac
        return build_frame(
            address, sqn, code, payload, use_crc=use_crc, scb=scb, mac=mac[:MAC_LEN]
        )

    def unwrap_reply(self, frame: Frame) -> Frame:
        """Check a reply's MAC and decrypt it: a plain :class:`Frame`.

        The MAC is computed over :attr:`Frame.raw`, the bytes exactly as
        received (never over a frame rebuilt from the parsed fields), and
        compared with the MAC those bytes carry. Any reply without a valid
        MAC (plaintext and frames not read off the wire included) raises
        :class:`SecureChannelError`; the chain state is left unchanged then.
        """
        if not self.established or self._keys is None:
            raise SecureChannelError("secure channel not established")
        if frame.scb is None or frame.mac is None:
            raise SecureChannelError("plaintext reply on a secure channel")
        if frame.scb.type not in (SecurityBlockType.SCS_16, SecurityBlockType.SCS_18):
            raise SecureChannelError(
                f"unexpected security block 0x{frame.scb.type:02X}"
            )
        raw = frame.raw
        tail = MAC_LEN + (2 if frame.use_crc else 1)
        if len(raw) <= tail:
            raise SecureChannelError("no received bytes to verify")
        body, received = raw[:-tail], raw[-tail : -tail + MAC_LEN]
        mac = compute_mac(self._keys, self._c_mac, body)
        if not hmac.compare_digest(mac[:MAC_LEN], received):
            raise SecureChannelError("reply MAC does not match")
        self._r_mac = mac
        data = frame.data
        if frame.scb.type == SecurityBlockType.SCS_18:
            data = decrypt_data(self._keys, self._c_mac, data)
        return Frame(
            address=frame.address,
            is_reply=True,
            sqn=frame.sqn,
            use_crc=frame.use_crc,
            code=frame.code,
            data=data,
        )
