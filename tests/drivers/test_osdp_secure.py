"""OSDP secure channel (osdp_secure) and the CP session (osdp_session), pure.

The reference here is a small independent implementation: only the AES
block function comes from ``cryptography``; CBC chaining, padding, key
derivation and MACs are written out again from the specification.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
import pytest

from custom_components.community_access.drivers import osdp_secure as sc
from custom_components.community_access.drivers.osdp import (
    Ack,
    CardRead,
    Frame,
    LedControl,
    LedRecord,
    Poll,
    SecurityBlock,
    build_frame,
    crc16_aug_ccitt,
    parse_frame,
)
from custom_components.community_access.drivers.osdp_session import (
    CommandCompleted,
    KeySet,
    KeysetAccepted,
    Offline,
    Online,
    PdSession,
    SecureChannelEstablished,
    SecureChannelFailed,
    SecurityViolation,
)
from custom_components.community_access.drivers.wiegand import encode_facility_number

SCBK_D = bytes.fromhex("303132333435363738393a3b3c3d3e3f")
RND_A = bytes.fromhex("b0b1b2b3b4b5b6b7")
RND_B = bytes.fromhex("c0c1c2c3c4c5c6c7")
CUID = bytes.fromhex("a1b2c3d4e5f60718")


# --- independent reference ---------------------------------------------------------


def _aes(key: bytes, block: bytes) -> bytes:
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305
    return encryptor.update(block) + encryptor.finalize()


def _aes_inv(key: bytes, block: bytes) -> bytes:
    decryptor = Cipher(algorithms.AES(key), modes.ECB()).decryptor()  # noqa: S305
    return decryptor.update(block) + decryptor.finalize()


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def _blocks(data: bytes) -> list[bytes]:
    return [data[i : i + 16] for i in range(0, len(data), 16)]


def _ref_keys(scbk: bytes, rnd_a: bytes) -> tuple[bytes, bytes, bytes]:
    def derive(prefix: int) -> bytes:
        return _aes(scbk, bytes([0x01, prefix]) + rnd_a[:6] + b"\x00" * 8)

    return derive(0x82), derive(0x01), derive(0x02)


def _ref_mac(mac1: bytes, mac2: bytes, iv: bytes, message: bytes) -> bytes:
    if len(message) % 16:
        message += b"\x80" + b"\x00" * (15 - len(message) % 16)
    blocks = _blocks(message)
    state = iv
    for block in blocks[:-1]:
        state = _aes(mac1, _xor(state, block))
    return _aes(mac2, _xor(state, blocks[-1]))


def _ref_encrypt(enc: bytes, other_mac: bytes, data: bytes) -> bytes:
    data += b"\x80"
    data += b"\x00" * (-len(data) % 16)
    state = bytes(0xFF - b for b in other_mac)
    out = b""
    for block in _blocks(data):
        state = _aes(enc, _xor(state, block))
        out += state
    return out


def _ref_decrypt(enc: bytes, other_mac: bytes, data: bytes) -> bytes:
    state = bytes(0xFF - b for b in other_mac)
    out = b""
    for block in _blocks(data):
        out += _xor(_aes_inv(enc, block), state)
        state = block
    return out.rstrip(b"\x00")[:-1]


# --- primitives ----------------------------------------------------------------------


def test_aes_known_answer() -> None:
    """FIPS-197 appendix C.1."""
    key = bytes(range(16))
    plain = bytes.fromhex("00112233445566778899aabbccddeeff")
    assert sc.aes_ecb_encrypt(key, plain).hex() == "69c4e0d86a7b0430d8cdb78070b4c55a"


def test_default_key() -> None:
    assert sc.SCBK_DEFAULT == SCBK_D


def test_session_keys_match_reference() -> None:
    keys = sc.derive_session_keys(SCBK_D, RND_A)
    enc, mac1, mac2 = _ref_keys(SCBK_D, RND_A)
    assert (keys.enc, keys.mac1, keys.mac2) == (enc, mac1, mac2)
    assert len({keys.enc, keys.mac1, keys.mac2}) == 3
    # only RND.A[0:6] enters the derivation
    other = sc.derive_session_keys(SCBK_D, RND_A[:6] + b"\x00\x00")
    assert other == keys
    with pytest.raises(ValueError):
        sc.derive_session_keys(SCBK_D, RND_A[:7])
    with pytest.raises(ValueError):
        sc.derive_session_keys(SCBK_D[:15], RND_A)


def test_cryptograms_match_reference() -> None:
    keys = sc.derive_session_keys(SCBK_D, RND_A)
    enc, mac1, mac2 = _ref_keys(SCBK_D, RND_A)
    assert sc.pd_cryptogram(keys, RND_A, RND_B) == _aes(enc, RND_A + RND_B)
    cp = sc.cp_cryptogram(keys, RND_A, RND_B)
    assert cp == _aes(enc, RND_B + RND_A)
    assert sc.initial_rmac(keys, cp) == _aes(mac2, _aes(mac1, cp))


@pytest.mark.parametrize("length", [1, 5, 15, 16, 17, 31, 32, 33, 60])
def test_mac_matches_reference(length: int) -> None:
    keys = sc.derive_session_keys(SCBK_D, RND_A)
    iv = bytes(range(100, 116))
    message = bytes((i * 7 + 3) & 0xFF for i in range(length))
    assert sc.compute_mac(keys, iv, message) == _ref_mac(
        keys.mac1, keys.mac2, iv, message
    )


def test_mac_rejects_bad_input() -> None:
    keys = sc.derive_session_keys(SCBK_D, RND_A)
    with pytest.raises(ValueError):
        sc.compute_mac(keys, bytes(16), b"")
    with pytest.raises(ValueError):
        sc.compute_mac(keys, bytes(15), b"x")


@pytest.mark.parametrize("length", [0, 1, 15, 16, 17, 40])
def test_encryption_matches_reference(length: int) -> None:
    keys = sc.derive_session_keys(SCBK_D, RND_A)
    other_mac = bytes(range(16))
    data = bytes((i * 13 + 1) & 0xFF for i in range(length))
    encrypted = sc.encrypt_data(keys, other_mac, data)
    assert encrypted == _ref_encrypt(keys.enc, other_mac, data)
    assert len(encrypted) == (length // 16 + 1) * 16  # padding always added
    assert sc.decrypt_data(keys, other_mac, encrypted) == data
    if data and data[-1] != 0:
        assert _ref_decrypt(keys.enc, other_mac, encrypted) == data


def test_decrypt_rejects_bad_padding_and_length() -> None:
    keys = sc.derive_session_keys(SCBK_D, RND_A)
    iv = bytes(16)
    with pytest.raises(sc.SecureChannelError):
        sc.decrypt_data(keys, iv, b"")
    with pytest.raises(sc.SecureChannelError):
        sc.decrypt_data(keys, iv, bytes(15))
    # a block of plain zeros (no 0x80 marker) encrypted the raw way
    no_marker = _aes(keys.enc, _xor(bytes(16), bytes(0xFF - b for b in iv)))
    with pytest.raises(sc.SecureChannelError):
        sc.decrypt_data(keys, iv, no_marker)
    assert sc.unpad(b"ab\x80" + bytes(13)) == b"ab"
    with pytest.raises(sc.SecureChannelError):
        sc.unpad(b"ab\x81" + bytes(13))


def test_keyset_payload() -> None:
    key = bytes(range(16))
    assert sc.keyset_payload(key) == b"\x01\x10" + key
    with pytest.raises(ValueError):
        sc.keyset_payload(key[:8])
    with pytest.raises(ValueError):
        sc.keyset_payload(SCBK_D)
    fresh = sc.new_scbk()
    assert len(fresh) == 16
    assert fresh != sc.new_scbk()


def test_channel_key_rules() -> None:
    with pytest.raises(ValueError):
        sc.SecureChannel()
    with pytest.raises(ValueError):
        sc.SecureChannel(SCBK_D)  # SCBK-D only through install mode
    assert sc.SecureChannel(install_mode=True).uses_default_key
    assert not sc.SecureChannel(bytes(16), install_mode=True).uses_default_key


# --- a fake PD built on the reference ---------------------------------------------------


@dataclass
class FakePd:
    """Just enough PD to run the handshake and answer POLLs."""

    scbk: bytes
    address: int = 1
    rnd_b: bytes = RND_B
    enc: bytes = b""
    mac1: bytes = b""
    mac2: bytes = b""
    c_mac: bytes = b""
    r_mac: bytes = b""
    card: bytes | None = None
    keyset: list[bytes] = field(default_factory=list)
    last: tuple[bytes, bytes] = (b"", b"")

    def _reply(self, cmd: Frame, code: int, data: bytes, scb: SecurityBlock) -> bytes:
        return build_frame(self.address, cmd.sqn, code, data, reply=True, scb=scb)

    def secure_reply(self, cmd: Frame, code: int, data: bytes = b"") -> bytes:
        scb_type = 0x18 if data else 0x16
        payload = _ref_encrypt(self.enc, self.c_mac, data) if data else b""
        scb = SecurityBlock(scb_type)
        draft = build_frame(
            self.address, cmd.sqn, code, payload, reply=True, scb=scb, mac=bytes(4)
        )
        mac = _ref_mac(self.mac1, self.mac2, self.c_mac, draft[:-6])
        self.r_mac = mac
        return build_frame(
            self.address, cmd.sqn, code, payload, reply=True, scb=scb, mac=mac[:4]
        )

    def handle(self, raw: bytes) -> bytes:
        if raw == self.last[0]:  # a repeated SQN: replay the last reply
            return self.last[1]
        reply = self._handle(raw)
        self.last = (raw, reply)
        return reply

    def _handle(self, raw: bytes) -> bytes:
        cmd = parse_frame(raw)
        if cmd.code == 0x76:  # CHLNG
            assert cmd.scb is not None
            rnd_a = cmd.data
            self.enc, self.mac1, self.mac2 = _ref_keys(self.scbk, rnd_a)
            self.rnd_a = rnd_a
            crypt = _aes(self.enc, rnd_a + self.rnd_b)
            return self._reply(
                cmd, 0x76, CUID + self.rnd_b + crypt, SecurityBlock(0x12, cmd.scb.data)
            )
        if cmd.code == 0x77:  # SCRYPT
            assert cmd.scb is not None
            ok = cmd.data == _aes(self.enc, self.rnd_b + self.rnd_a)
            self.r_mac = _aes(self.mac2, _aes(self.mac1, cmd.data))
            return self._reply(
                cmd,
                0x78,
                self.r_mac,
                SecurityBlock(0x14, b"\x01" if ok else b"\xff"),
            )
        assert cmd.scb is not None
        assert cmd.mac is not None
        mac = _ref_mac(self.mac1, self.mac2, self.r_mac, raw[:-6])
        assert mac[:4] == cmd.mac, "CP MAC does not verify"
        self.c_mac = mac
        data = cmd.data
        if cmd.scb.type == 0x17:
            data = _ref_decrypt(self.enc, self.r_mac, data)
        if cmd.code == 0x75:
            self.keyset.append(data)
        if cmd.code == 0x60 and self.card is not None:
            card, self.card = self.card, None
            return self.secure_reply(cmd, 0x50, card)
        return self.secure_reply(cmd, 0x40)


def _card_data(facility: int, number: int) -> bytes:
    pattern = encode_facility_number(facility, number)
    return b"\x00\x01\x1a\x00" + (pattern << 6).to_bytes(4, "big")


def _establish(session: PdSession, pd: FakePd) -> list[object]:
    events: list[object] = []
    for _ in range(2):
        events += session.on_bytes(pd.handle(session.next_frame()))
    return events


def test_session_handshake_card_and_keyset() -> None:
    pd = FakePd(SCBK_D)
    session = PdSession(1, install_mode=True)
    events = _establish(session, pd)
    assert events[0] == Online()
    assert events[1] == SecureChannelEstablished(default_key=True, cuid=CUID)
    assert session.secure_established

    pd.card = _card_data(12, 3456)
    events = session.on_bytes(pd.handle(session.next_frame()))
    (card,) = events
    assert isinstance(card, CardRead)
    assert card.wiegand is not None
    assert (card.wiegand.facility, card.wiegand.number) == (12, 3456)

    key = bytes(range(1, 17))
    session.send(KeySet(key))
    events = session.on_bytes(pd.handle(session.next_frame()))
    assert pd.keyset == [b"\x01\x10" + key]
    assert isinstance(events[1], CommandCompleted)
    assert events[2] == KeysetAccepted(key)
    assert not session.secure_established

    pd.scbk = key
    events = _establish(session, pd)
    assert events == [SecureChannelEstablished(default_key=False, cuid=CUID)]


def test_session_rejects_plaintext_after_handshake() -> None:
    """A downgrade: a plaintext card read on the secure channel is refused."""
    pd = FakePd(bytes(range(16)))
    session = PdSession(1, scbk=bytes(range(16)))
    _establish(session, pd)
    frame = session.next_frame()
    sqn = parse_frame(frame).sqn
    plain = build_frame(1, sqn, 0x50, _card_data(1, 1), reply=True)
    events = session.on_bytes(plain)
    assert len(events) == 1
    assert isinstance(events[0], SecurityViolation)
    assert not session.secure_established
    # the next frame is a new handshake (SQN 0), never a plain command
    chlng = parse_frame(session.next_frame())
    assert (chlng.code, chlng.sqn) == (0x76, 0)


def test_session_rejects_bad_mac() -> None:
    pd = FakePd(bytes(range(16)))
    session = PdSession(1, scbk=bytes(range(16)))
    _establish(session, pd)
    pd.card = _card_data(1, 1)
    reply = bytearray(pd.handle(session.next_frame()))
    reply[-3] ^= 0x01  # last MAC byte; fix the CRC
    body = bytes(reply[:-2])
    forged = body + crc16_aug_ccitt(body).to_bytes(2, "little")
    events = session.on_bytes(forged)
    assert [type(e) for e in events] == [SecurityViolation]
    assert "MAC" in events[0].reason  # type: ignore[union-attr]


def _with_control_bit(reply: bytes, bit: int) -> bytes:
    """Set a reserved CTRL bit of a CRC frame and fix the CRC up."""
    body = reply[:4] + bytes([reply[4] | bit]) + reply[5:-2]
    return body + crc16_aug_ccitt(body).to_bytes(2, "little")


@pytest.mark.parametrize("bit", [0x10, 0x20, 0x40, 0x80])
def test_session_rejects_reply_altered_in_reserved_bits(bit: int) -> None:
    """A genuine secure card read with a reserved CTRL bit set is refused.

    The MAC covers the frame as sent; a parser that dropped CTRL bits 4-7
    and verified a rebuilt frame would accept the altered bytes.
    """
    pd = FakePd(bytes(range(16)))
    session = PdSession(1, scbk=bytes(range(16)))
    _establish(session, pd)
    pd.card = _card_data(7, 4242)
    genuine = pd.handle(session.next_frame())
    assert session.on_bytes(_with_control_bit(genuine, bit)) == []
    assert session.bad_frames == 1
    assert session.awaiting_reply  # nothing was accepted
    # the PD repeats its (genuine) reply to the resend: accepted, chain intact
    session.on_timeout()
    events = session.on_bytes(pd.handle(session.next_frame()))
    assert [type(e) for e in events] == [CardRead]
    assert session.secure_established


def test_unwrap_verifies_the_bytes_as_received() -> None:
    """The MAC is checked over the received bytes, never over a rebuilt frame."""
    pd = FakePd(bytes(range(16)))
    session = PdSession(1, scbk=bytes(range(16)))
    _establish(session, pd)
    secure = session.secure
    assert secure is not None
    pd.card = _card_data(7, 4242)
    genuine = parse_frame(pd.handle(session.next_frame()))
    # same parsed fields, other bytes on the wire: the MAC does not match
    altered = replace(genuine, raw=_with_control_bit(genuine.raw, 0x10))
    with pytest.raises(sc.SecureChannelError, match="MAC"):
        secure.unwrap_reply(altered)
    # a frame that did not come off the wire has nothing to verify
    with pytest.raises(sc.SecureChannelError, match="received"):
        secure.unwrap_reply(replace(genuine, raw=b""))
    # both left the chain as it was: the genuine reply still verifies
    assert secure.unwrap_reply(genuine).code == 0x50


def test_session_wrong_key_never_sends_commands() -> None:
    pd = FakePd(bytes(range(16)))
    session = PdSession(1, scbk=bytes(range(1, 17)))
    session.send(LedControl((LedRecord(perm_control=1),)))
    for _ in range(3):
        raw = session.next_frame()
        assert parse_frame(raw).code == 0x76  # only challenges go out
        events = session.on_bytes(pd.handle(raw))
        assert any(isinstance(e, SecureChannelFailed) for e in events)
    assert session.queued == 1


def test_session_handshake_refused_in_plaintext() -> None:
    session = PdSession(1, install_mode=True)
    raw = session.next_frame()
    nak = build_frame(1, parse_frame(raw).sqn, 0x41, b"\x05", reply=True)
    events = session.on_bytes(nak)
    assert isinstance(events[-1], SecureChannelFailed)
    assert "SECURITY_NOT_SUPPORTED" in events[-1].reason


def test_session_resend_same_bytes_then_offline() -> None:
    pd = FakePd(bytes(range(16)))
    session = PdSession(1, scbk=bytes(range(16)), max_retries=2)
    _establish(session, pd)
    session.send(LedControl((LedRecord(perm_control=1),)))
    first = session.next_frame()
    with pytest.raises(RuntimeError):
        session.next_frame()
    assert session.on_timeout() == []
    assert session.next_frame() == first  # same SQN, same MAC
    assert session.on_timeout() == []
    assert session.next_frame() == first
    assert session.on_timeout() == [Offline(0x69)]
    assert session.queued == 1  # kept for the next session
    assert parse_frame(session.next_frame()).code == 0x76


def test_session_line_lost_goes_offline_and_keeps_the_command() -> None:
    """Line down with a command outstanding: offline at once, command kept."""
    pd = FakePd(bytes(range(16)))
    session = PdSession(1, scbk=bytes(range(16)))
    _establish(session, pd)
    session.send(LedControl((LedRecord(perm_control=1),)))
    session.next_frame()
    assert session.on_line_lost() == [Offline(0x69)]
    assert not session.online
    assert not session.secure_established
    assert session.on_line_lost() == []  # already offline
    assert session.queued == 1  # kept for the next session
    assert parse_frame(session.next_frame()).code == 0x76  # a new handshake


def test_session_resend_answered_keeps_chain() -> None:
    """The PD got the command, its reply was lost: the resend still verifies."""
    pd = FakePd(bytes(range(16)))
    session = PdSession(1, scbk=bytes(range(16)))
    _establish(session, pd)
    first = session.next_frame()
    pd.handle(first)  # reply lost
    session.on_timeout()
    resend = session.next_frame()
    assert resend == first
    events = session.on_bytes(pd.handle(resend))
    assert events == [Ack(address=1, sqn=parse_frame(first).sqn)]


def test_plain_session_sequence_and_strays() -> None:
    session = PdSession(2)
    sqns = []
    for _ in range(5):
        cmd = parse_frame(session.next_frame())
        assert cmd.code == Poll.CODE
        sqns.append(cmd.sqn)
        # a reply from another address and one with a stale SQN are dropped
        session.on_bytes(build_frame(3, cmd.sqn, 0x40, reply=True))
        session.on_bytes(build_frame(2, (cmd.sqn + 1) % 4, 0x40, reply=True))
        assert session.awaiting_reply
        session.on_bytes(build_frame(2, cmd.sqn, 0x40, reply=True))
    assert sqns == [0, 1, 2, 3, 1]
    assert session.stray_replies == 10
    with pytest.raises(ValueError):
        session.send(KeySet(bytes(range(16))))
    assert session.on_timeout() == []
