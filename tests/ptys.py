"""Pseudo-terminals playing serial devices, for the transport and HA line tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import os


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
