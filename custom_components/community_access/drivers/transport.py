"""Serial transport for the sans-IO codecs: one supervised line per port.

A :class:`SerialLine` owns one serial port opened with ``serialx`` and one
asyncio task. The task reads chunks and hands them to the data listeners
(a codec adapter, see :mod:`.readers`); :meth:`SerialLine.write` sends
command bytes, serialised by a lock so writers never interleave.

When the port goes away (a USB adapter unplugged shows up as ``OSError``
(EIO) on read, or EOF) the line closes it, logs once that it is gone, and
reopens it with exponential back-off (``FileNotFoundError`` until the
adapter is back); it logs once when it is back. Listeners of the connected
state are called on every change.

No Home Assistant here: the integration turns :class:`PortUnavailableError`
from :meth:`SerialLine.start` into ``ConfigEntryNotReady`` and the state
listener into entity availability.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
import logging
from typing import Any, Final

import serialx

_LOGGER: Final = logging.getLogger(__name__)

DEFAULT_BAUDRATE: Final = 9600
READ_CHUNK: Final = 4096
OPEN_TIMEOUT: Final = 5.0
CLOSE_TIMEOUT: Final = 2.0

type DataListener = Callable[[bytes], None]
type StateListener = Callable[[bool], None]


class SerialLineError(Exception):
    """Base class of the serial line errors."""


class PortUnavailableError(SerialLineError):
    """The serial port cannot be opened (missing, busy, no permission)."""


class NotConnectedError(SerialLineError):
    """The line is not connected: the bytes were not sent."""


class SerialLine:
    """A supervised serial port: read loop, locked writes, reconnection.

    ``on_data`` and ``on_state`` are optional first listeners; more can be
    added with :meth:`add_data_listener` and :meth:`add_state_listener`.
    Listeners run in the event loop and must not block; an exception in a
    listener is logged and does not stop the line.

    Back-off: after a loss the line waits ``retry_initial`` seconds, then
    doubles the wait after each failed open up to ``retry_max``. The wait
    starts over from ``retry_initial`` once a connection has stayed up for
    ``stable_after`` seconds, so a port that flaps is not hammered.
    """

    def __init__(
        self,
        port: str,
        baudrate: int = DEFAULT_BAUDRATE,
        *,
        name: str | None = None,
        on_data: DataListener | None = None,
        on_state: StateListener | None = None,
        retry_initial: float = 0.5,
        retry_max: float = 30.0,
        stable_after: float = 5.0,
        open_timeout: float = OPEN_TIMEOUT,
    ) -> None:
        """Describe the line; nothing is opened until :meth:`start`."""
        if retry_initial <= 0 or retry_max < retry_initial:
            raise ValueError("need 0 < retry_initial <= retry_max")
        self.port = port
        self.baudrate = baudrate
        self.name = name or port
        self._retry_initial = retry_initial
        self._retry_max = retry_max
        self._stable_after = stable_after
        self._open_timeout = open_timeout
        self._data_listeners: list[DataListener] = []
        self._state_listeners: list[StateListener] = []
        if on_data is not None:
            self._data_listeners.append(on_data)
        if on_state is not None:
            self._state_listeners.append(on_state)
        self._writer: serialx.SerialStreamWriter[Any] | None = None
        self._write_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._unavailable_logged = False
        #: times the port was (re)opened, for diagnostics and tests
        self.connections = 0

    # -- listeners ---------------------------------------------------------

    def add_data_listener(self, listener: DataListener) -> Callable[[], None]:
        """Call ``listener`` with every chunk read; return a remover."""
        self._data_listeners.append(listener)
        return lambda: self._remove(self._data_listeners, listener)

    def add_state_listener(self, listener: StateListener) -> Callable[[], None]:
        """Call ``listener`` with the connected state on every change."""
        self._state_listeners.append(listener)
        return lambda: self._remove(self._state_listeners, listener)

    @staticmethod
    def _remove(listeners: list[Any], listener: Any) -> None:
        with contextlib.suppress(ValueError):
            listeners.remove(listener)

    # -- life cycle --------------------------------------------------------

    @property
    def connected(self) -> bool:
        """Whether the port is open now."""
        return self._writer is not None

    @property
    def running(self) -> bool:
        """Whether the supervising task runs."""
        return self._task is not None and not self._task.done()

    async def probe(self) -> None:
        """Open and close the port once; raise :class:`PortUnavailableError`.

        Meant for set-up, before :meth:`start`; not while the line runs
        (the port is opened for exclusive use).
        """
        if self.running:
            raise RuntimeError("the line is running")
        _, writer = await self._open_or_raise()
        await self._close(writer)

    async def start(self, *, require_port: bool = True) -> None:
        """Start the line.

        With ``require_port`` (the default) the port is opened here and
        :class:`PortUnavailableError` is raised when it cannot be, so the
        caller can retry the set-up later; otherwise a missing port is
        logged once and retried in the background.
        """
        if self.running:
            raise RuntimeError("the line is already running")
        self._stopping = False
        first: tuple[asyncio.StreamReader, serialx.SerialStreamWriter[Any]] | None
        first = await self._open_or_raise() if require_port else None
        if first is not None:
            # Connected as soon as start() returns: writes may follow.
            self._set_writer(first[1])
        self._task = asyncio.get_running_loop().create_task(
            self._run(first), name=f"serial line {self.name}"
        )

    async def stop(self) -> None:
        """Stop the task and close the port; safe to call more than once."""
        self._stopping = True
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if (writer := self._writer) is not None:
            # Cancelled before it ran: the first connection was never served.
            self._set_writer(None)
            await self._close(writer)

    # -- writing -----------------------------------------------------------

    async def write(self, data: bytes) -> None:
        """Send ``data`` whole; raise :class:`NotConnectedError` when down."""
        async with self._write_lock:
            writer = self._writer
            if writer is None or writer.is_closing():
                raise NotConnectedError(f"{self.name}: serial port not connected")
            try:
                writer.write(data)
                await writer.drain()
            except (OSError, ConnectionError) as err:
                raise NotConnectedError(f"{self.name}: write failed: {err}") from err

    # -- internals ---------------------------------------------------------

    async def _open(
        self,
    ) -> tuple[asyncio.StreamReader, serialx.SerialStreamWriter[Any]]:
        async with asyncio.timeout(self._open_timeout):
            reader, writer = await serialx.open_serial_connection(
                url=self.port, baudrate=self.baudrate
            )
        return reader, writer

    async def _open_or_raise(
        self,
    ) -> tuple[asyncio.StreamReader, serialx.SerialStreamWriter[Any]]:
        try:
            return await self._open()
        except (OSError, TimeoutError) as err:
            raise PortUnavailableError(
                f"serial port {self.port} cannot be opened: {err}"
            ) from err

    async def _close(self, writer: serialx.SerialStreamWriter[Any]) -> None:
        writer.close()
        # The transport closes its descriptor in a task of its own; wait
        # for it so nothing lingers. After a read error the wait re-raises
        # that error.
        with contextlib.suppress(OSError, TimeoutError, ConnectionError):
            async with asyncio.timeout(CLOSE_TIMEOUT):
                await writer.wait_closed()

    async def _run(
        self,
        first: tuple[asyncio.StreamReader, serialx.SerialStreamWriter[Any]] | None,
    ) -> None:
        loop = asyncio.get_running_loop()
        delay = self._retry_initial
        connection = first
        while True:
            if connection is None:
                try:
                    connection = await self._open()
                except (OSError, TimeoutError) as err:
                    self._log_unavailable(f"cannot be opened: {err!r}")
                    _LOGGER.debug("%s: retrying in %.2f s (%r)", self.name, delay, err)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self._retry_max)
                    continue
            reader, writer = connection
            connection = None
            since = loop.time()
            reason = await self._serve(reader, writer)
            if loop.time() - since >= self._stable_after:
                delay = self._retry_initial
            self._log_unavailable(reason)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._retry_max)

    async def _serve(
        self,
        reader: asyncio.StreamReader,
        writer: serialx.SerialStreamWriter[Any],
    ) -> str:
        """Read until the port fails; return why it stopped."""
        self.connections += 1
        if self._writer is not writer:
            self._set_writer(writer)
        try:
            while True:
                try:
                    data = await reader.read(READ_CHUNK)
                except (OSError, ConnectionError) as err:
                    return f"read failed: {err!r}"
                if not data:
                    return "end of file"
                self._dispatch(data)
        finally:
            # Not under the write lock: a writer stuck in drain() must not
            # delay the loss. Its drain() fails when the port closes.
            self._set_writer(None)
            await self._close(writer)

    def _set_writer(self, writer: serialx.SerialStreamWriter[Any] | None) -> None:
        was = self._writer is not None
        self._writer = writer
        now = writer is not None
        if now and self._unavailable_logged:
            _LOGGER.info("%s: serial port %s is back", self.name, self.port)
            self._unavailable_logged = False
        elif now:
            _LOGGER.debug("%s: serial port %s open", self.name, self.port)
        if was != now:
            for listener in list(self._state_listeners):
                self._call(listener, now)

    def _log_unavailable(self, reason: str) -> None:
        if self._stopping or self._unavailable_logged:
            return
        self._unavailable_logged = True
        _LOGGER.warning(
            "%s: serial port %s is unavailable (%s); retrying in the background",
            self.name,
            self.port,
            reason,
        )

    def _dispatch(self, data: bytes) -> None:
        for listener in list(self._data_listeners):
            self._call(listener, data)

    def _call(self, listener: Callable[[Any], None], arg: Any) -> None:
        try:
            listener(arg)
        except Exception:
            _LOGGER.exception("%s: error in a serial line listener", self.name)
