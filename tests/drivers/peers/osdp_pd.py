# ruff: noqa: INP001
"""A real OSDP reader (libosdp's PD) on a pty fd, driven over stdin/stdout.

Run in a subprocess (libosdp runs its own thread)::

    osdp_pd.py --fd N --address 1 [--scbk HEX] [--install-mode] [--serial N]

The PD talks OSDP on file descriptor ``N`` (one end of a pty, passed with
``pass_fds``). It prints ``ready`` once started, then one JSON line per
command the CP sends it (``{"command": {...}}``). Lines on stdin:

* ``card <hex> <bits>``: report a Wiegand card read of ``bits`` bits,
* ``keys <digits>``: report key presses,
* ``status``: print ``{"sc_active": bool, "online": bool}``,
* ``lstat <tamper> <power>``: report a local status change (0/1 each; an
  LSTATR in answer to the next POLL),
* ``mute`` / ``unmute``: stop answering (drop what arrives) / answer again,
* ``quit`` (or end of input): stop.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

import osdp


class FdChannel(osdp.Channel):
    """libosdp channel over a non-blocking file descriptor."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self.fd = fd
        self.muted = False
        os.set_blocking(fd, False)

    def read(self, max_bytes: int) -> bytes:
        try:
            data = os.read(self.fd, max_bytes)
        except (BlockingIOError, OSError):
            return b""
        return b"" if self.muted else data

    def write(self, buf: bytes) -> int:
        if self.muted:
            return len(buf)
        try:
            return os.write(self.fd, buf)
        except (BlockingIOError, OSError):
            return 0

    def flush(self) -> None:
        return None


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--address", type=int, default=1)
    parser.add_argument("--scbk", default=None, help="hex SCBK; none = install mode")
    parser.add_argument("--install-mode", action="store_true")
    parser.add_argument("--enforce-secure", action="store_true")
    parser.add_argument("--serial", type=int, default=0x12345678)
    args = parser.parse_args()

    flags = []
    if args.install_mode:
        flags.append(osdp.LibFlag.InstallMode)
    if args.enforce_secure:
        flags.append(osdp.LibFlag.EnforceSecure)
    scbk = bytes.fromhex(args.scbk) if args.scbk else None
    channel = FdChannel(args.fd)
    local_status = bytearray(2)  # tamper, power failure
    info = osdp.PDInfo(
        args.address,
        channel,
        scbk=scbk,
        name="test-pd",
        flags=flags,
        id=osdp.PdId(2, 3, 0x00A1B2C3, args.serial, 0x00010203),
    )
    caps = osdp.PDCapabilities(
        [
            (osdp.Capability.OutputControl, 1, 1),
            (osdp.Capability.LEDControl, 1, 1),
            (osdp.Capability.AudibleControl, 1, 1),
            (osdp.Capability.TextOutput, 1, 1),
            (osdp.Capability.CommunicationSecurity, 1, 1),
            (osdp.Capability.CardDataFormat, 1, 1),
            (osdp.Capability.Readers, 1, 1),
        ]
    )

    def on_command(command: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
        shown = {
            key: (value.hex() if isinstance(value, bytes) else value)
            for key, value in command.items()
        }
        _emit({"command": shown})
        return 0, None

    pd = osdp.PeripheralDevice(
        info, caps, log_level=osdp.LogLevel.Error, command_handler=on_command
    )
    pd.start()
    _emit({"ready": True})
    try:
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            if words[0] == "quit":
                break
            if words[0] == "card":
                pd.submit_event(
                    {
                        "event": osdp.Event.CardRead,
                        "reader_no": 0,
                        "direction": 0,
                        "format": osdp.CardFormat.Wiegand,
                        "length": int(words[2]),
                        "data": bytes.fromhex(words[1]),
                    }
                )
            elif words[0] == "keys":
                pd.submit_event(
                    {
                        "event": osdp.Event.KeyPress,
                        "reader_no": 0,
                        "data": words[1].encode("ascii"),
                    }
                )
            elif words[0] == "lstat":
                local_status[:] = bytes([int(words[1]), int(words[2])])
                pd.submit_event(
                    {
                        "event": osdp.Event.Status,
                        "type": osdp.StatusReportType.Local,
                        "report": bytes(local_status),
                    }
                )
            elif words[0] == "mute":
                channel.muted = True
            elif words[0] == "unmute":
                channel.muted = False
            elif words[0] == "status":
                _emit(
                    {
                        "sc_active": bool(pd.is_sc_active()),
                        "online": bool(pd.is_online()),
                    }
                )
    finally:
        pd.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
