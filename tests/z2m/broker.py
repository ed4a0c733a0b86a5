"""A private Mosquitto broker for the Zigbee2MQTT tests and benchmarks.

Debian's ``mosquitto`` package (``scripts/setup`` installs it where the
binary is missing): the broker runs as a child process of the test, on a
free TCP port of 127.0.0.1, from a configuration generated in a temporary
folder (anonymous clients, no persistence, no system service). Its log goes
to ``mosquitto.log`` in that folder and is quoted when it does not start.

:meth:`MosquittoBroker.stop` and :meth:`MosquittoBroker.start` end and start
it again on the same port (a broker outage for the tests that want one).

Importable without pytest: ``benchmarks/`` use :func:`start_broker` too.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import os
from pathlib import Path
import shutil
import socket
import subprocess
import tempfile
import time

HOST = "127.0.0.1"
#: How long the broker may take to accept connections.
START_TIMEOUT = 10.0
REMEDY = (
    "the Zigbee2MQTT tests need Debian's mosquitto broker: "
    "apt-get install mosquitto (or run scripts/setup)"
)


class BrokerUnavailable(RuntimeError):
    """Mosquitto could not be started here (the message says why and what to do)."""


def find_mosquitto() -> str | None:
    """The ``mosquitto`` binary: from PATH, else Debian's /usr/sbin."""
    found = shutil.which("mosquitto")
    if found:
        return found
    for candidate in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.2):
            return True
    except OSError:
        return False


@dataclass
class MosquittoBroker:
    """A private broker; ``host``/``port`` are what clients connect to."""

    binary: str
    root: Path
    port: int
    host: str = HOST
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def config(self) -> Path:
        """The generated ``mosquitto.conf``."""
        return self.root / "mosquitto.conf"

    @property
    def log(self) -> Path:
        """The broker's log (stdout and stderr)."""
        return self.root / "mosquitto.log"

    @property
    def running(self) -> bool:
        """Whether the broker process is alive."""
        return self._process is not None and self._process.poll() is None

    def write_config(self) -> None:
        """Anonymous, in-memory, 127.0.0.1 only; logs to stderr (our file)."""
        self.config.write_text(
            "\n".join(
                [
                    "per_listener_settings false",
                    f"listener {self.port} {self.host}",
                    "allow_anonymous true",
                    "persistence false",
                    # Running as root, mosquitto would switch to the
                    # `mosquitto` user; root keeps it able to read this folder.
                    "user root" if os.geteuid() == 0 else "",
                    "log_dest stderr",
                    "log_type error",
                    "log_type warning",
                    "log_type notice",
                    "log_type information",
                    "connection_messages true",
                    "max_queued_messages 100000",
                    "",
                ]
            )
        )

    def start(self) -> None:
        """Start the broker (again) and wait until it accepts connections."""
        if self.running:
            return
        self.write_config()
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603
                [self.binary, "-c", str(self.config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise BrokerUnavailable(
                    f"mosquitto exited with code {self._process.returncode}: "
                    f"{self.log.read_text(errors='replace')[-2000:]}"
                )
            if _accepts(self.port):
                return
            time.sleep(0.02)
        self.stop()
        raise BrokerUnavailable(
            f"mosquitto did not accept connections on {self.host}:{self.port} "
            f"within {START_TIMEOUT} s: {self.log.read_text(errors='replace')[-2000:]}"
        )

    def stop(self) -> None:
        """End the broker (clients see the connection drop); idempotent."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    async def async_start(self) -> None:
        """:meth:`start` off the event loop."""
        await asyncio.get_running_loop().run_in_executor(None, self.start)

    async def async_stop(self) -> None:
        """:meth:`stop` off the event loop."""
        await asyncio.get_running_loop().run_in_executor(None, self.stop)

    def close(self) -> None:
        """Stop the broker and remove its folder."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def start_broker() -> MosquittoBroker:
    """Start a private broker on a free port; :class:`BrokerUnavailable` if it cannot."""
    binary = find_mosquitto()
    if binary is None:
        raise BrokerUnavailable(f"mosquitto was not found. {REMEDY}")
    root = Path(tempfile.mkdtemp(prefix="ca-mqtt-"))
    broker = MosquittoBroker(binary=binary, root=root, port=free_port())
    try:
        broker.start()
    except BrokerUnavailable:
        broker.close()
        raise
    return broker
