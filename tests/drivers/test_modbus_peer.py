"""ModbusRelays against a real pymodbus RTU server on a pty.

The server runs in a subprocess (pymodbus and pyserial stay out of the test
process, no threads here). The test process keeps pty A: the line opens its
slave by name, the subprocess gets its master (``pass_fds``), opens a pty B
of its own, runs the pymodbus serial server on B's slave and copies bytes
between the two masters, like a null-modem cable.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import os
import sys

import pytest

from custom_components.community_access.drivers.readers import (
    ModbusRelays,
    RelayDeviceError,
    RelayTimeoutError,
)
from custom_components.community_access.drivers.transport import SerialLine

SERVER = r"""
import asyncio, os, sys

from pymodbus.datastore import (
    ModbusDeviceContext, ModbusSequentialDataBlock, ModbusServerContext,
)
from pymodbus.framer import FramerType
from pymodbus.server import ModbusSerialServer


async def main(fd_a: int) -> None:
    loop = asyncio.get_running_loop()
    master_b, slave_b = os.openpty()
    for fd in (fd_a, master_b):
        os.set_blocking(fd, False)

    def pump(src: int, dst: int) -> None:
        try:
            data = os.read(src, 4096)
        except BlockingIOError:
            return
        os.write(dst, data)

    loop.add_reader(fd_a, pump, fd_a, master_b)
    loop.add_reader(master_b, pump, master_b, fd_a)
    coils = ModbusSequentialDataBlock(0, [False] * 17)
    context = ModbusServerContext(devices=ModbusDeviceContext(co=coils), single=True)
    server = ModbusSerialServer(
        context, framer=FramerType.RTU, port=os.ttyname(slave_b), baudrate=9600
    )
    await server.serve_forever(background=True)
    print("READY", flush=True)
    await loop.run_in_executor(None, sys.stdin.read)


asyncio.run(main(int(sys.argv[1])))
"""


class ModbusPeer:
    def __init__(self) -> None:
        self.master, slave = os.openpty()
        self.path = os.ttyname(slave)
        self._slave = slave
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            SERVER,
            str(self.master),
            pass_fds=(self.master,),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self.proc.stdout is not None
        async with asyncio.timeout(15):
            line = await self.proc.stdout.readline()
        assert line == b"READY\n"

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()

    async def close(self) -> None:
        await self.kill()
        os.close(self.master)
        os.close(self._slave)


@pytest.fixture
async def peer() -> AsyncIterator[ModbusPeer]:
    server = ModbusPeer()
    try:
        await server.start()
        yield server
    finally:
        await server.close()


async def test_write_and_read_coils(peer: ModbusPeer) -> None:
    line = SerialLine(peer.path, name="relay board")
    relays = ModbusRelays(line, unit=1, timeout=2.0)
    await line.start()
    try:
        assert await relays.read_coils(0, 8) == (False,) * 8
        await relays.write_coil(3, True)
        await relays.write_coil(5, True)
        assert await relays.read_coils(0, 8) == (
            False, False, False, True, False, True, False, False,
        )  # fmt: skip
        await relays.write_coil(3, False)
        assert await relays.read_coils(3, 3) == (False, False, True)

        # Concurrent requests are serialised, one transaction at a time.
        await asyncio.gather(*(relays.write_coil(a, True) for a in range(8)))
        assert await relays.read_coils(0, 10) == (True,) * 8 + (False, False)

        # Out of the board's range: the exception response is an error.
        with pytest.raises(RelayDeviceError, match="ILLEGAL_DATA_ADDRESS"):
            await relays.read_coils(100, 1)

        # The server is gone (the cable stays): a timeout, not a hang.
        await peer.kill()
        relays.detach()
        impatient = ModbusRelays(line, unit=1, timeout=0.3)
        async with asyncio.timeout(2):
            with pytest.raises(RelayTimeoutError, match="did not answer"):
                await impatient.write_coil(0, False)
            with pytest.raises(RelayTimeoutError):
                await impatient.read_coils(0, 1)
        assert line.connected
    finally:
        await line.stop()
