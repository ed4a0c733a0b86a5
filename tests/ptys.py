"""Pseudo-terminals playing serial devices, for the transport and HA line tests.

Also libosdp's reader (``drivers/peers/osdp_pd.py``, a PD) in a subprocess on
a pty end: :func:`start_osdp_pd` starts it, :class:`OsdpPd` reads what it
prints from the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import json
import os
from pathlib import Path
import subprocess
import sys
from typing import Any

#: libosdp's PD as a script: ``--fd`` its pty end, commands on stdin, JSON out.
OSDP_PD_SCRIPT = Path(__file__).parent / "drivers" / "peers" / "osdp_pd.py"


class PtyDevice:
    """The device end of a pty pair, driven from the event loop."""

    def __init__(self) -> None:
        self.master, self._slave = os.openpty()
        self.path = os.ttyname(self._slave)
        os.set_blocking(self.master, False)
        self.received = bytearray()
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(self.master, self._read)
        self.closed = False

    def _read(self) -> None:
        try:
            data = os.read(self.master, 4096)
        except BlockingIOError:
            return
        except OSError:
            self._loop.remove_reader(self.master)
            return
        self.received += data

    def send(self, data: bytes) -> None:
        assert os.write(self.master, data) == len(data)

    def unplug(self) -> None:
        """Close both ends held here: the line's reads fail."""
        if self.closed:
            return
        self.closed = True
        self._loop.remove_reader(self.master)
        os.close(self.master)
        os.close(self._slave)


async def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until ``predicate()`` holds, or fail after ``timeout`` seconds."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


def start_osdp_pd(
    fd: int,
    address: int,
    *,
    scbk: bytes | None = None,
    install_mode: bool = False,
    serial: int | None = None,
) -> subprocess.Popen[bytes]:
    """libosdp's PD at ``address`` in a subprocess, on the pty end ``fd``.

    ``scbk``: its secure channel key (paired); ``install_mode``: it takes a new
    key over KEYSET; ``serial``: the serial number it reports. Its stdin and
    stdout are unbuffered pipes.
    """
    args = [sys.executable, str(OSDP_PD_SCRIPT), "--fd", str(fd)]
    args += ["--address", str(address)]
    if serial is not None:
        args += ["--serial", str(serial)]
    if scbk is not None:
        args += ["--scbk", scbk.hex()]
    if install_mode:
        args.append("--install-mode")
    return subprocess.Popen(  # noqa: S603 - our own script
        args,
        pass_fds=[fd],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        bufsize=0,
    )


def stop_osdp_pd(proc: subprocess.Popen[bytes], timeout: float = 3.0) -> None:
    """Ask the PD to quit; kill it if it does not within ``timeout``."""
    if proc.poll() is not None:
        return
    try:
        assert proc.stdin is not None
        proc.stdin.write(b"quit\n")
        proc.stdin.flush()
        proc.wait(timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        proc.kill()
        proc.wait(timeout=timeout)


class OsdpPd:
    """libosdp's PD in a subprocess (:func:`start_osdp_pd`), driven from the loop.

    It prints JSON lines (``{"ready": true}``, the commands it got, answers to
    ``status``); :meth:`message` reads them without blocking the event loop.
    """

    def __init__(self, fd: int, address: int, **options: Any) -> None:
        """Start the PD on the pty end ``fd`` (see :func:`start_osdp_pd`)."""
        self.proc = start_osdp_pd(fd, address, **options)
        assert self.proc.stdout is not None
        os.set_blocking(self.proc.stdout.fileno(), False)
        self._out = bytearray()

    @property
    def running(self) -> bool:
        return self.proc.poll() is None

    async def wait_ready(self) -> None:
        """Wait for its ``ready`` line (libosdp set up)."""
        assert await self.message(timeout=10) == {"ready": True}

    def tell(self, line: str) -> None:
        """One command line to its stdin (``card ...``, ``keys ...``, ``mute``)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    async def message(self, timeout: float = 3.0) -> dict[str, Any]:
        """The next JSON line it printed."""
        assert self.proc.stdout is not None
        out = self.proc.stdout.fileno()
        async with asyncio.timeout(timeout):
            while b"\n" not in self._out:
                try:
                    chunk = os.read(out, 4096)
                except BlockingIOError:
                    await asyncio.sleep(0.01)
                    continue
                assert chunk, "the PD exited"
                self._out += chunk
        line, _, rest = bytes(self._out).partition(b"\n")
        self._out[:] = rest
        result: dict[str, Any] = json.loads(line)
        return result

    def stop(self) -> None:
        """Ask it to quit (killed if it does not)."""
        stop_osdp_pd(self.proc)

    def close(self) -> None:
        """Kill it if it still runs; close its pipes."""
        if self.running:
            self.proc.kill()
            self.proc.wait(timeout=3)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()
