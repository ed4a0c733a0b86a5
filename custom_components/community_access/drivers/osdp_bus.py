"""OSDP control panel for a multi-drop RS-485 bus: several PDs, one line.

:class:`OsdpBus` drives one :class:`~.osdp_session.PdSession` per reader
address over one serial line (half duplex: the control panel speaks, one
PD answers). The bus runs one asyncio task that

* keeps one command outstanding at a time on the whole bus,
* visits the PDs round-robin, each about every ``poll_interval`` seconds
  (a queued command goes out at once, before the next cycle is due),
* waits ``reply_timeout`` seconds (200 ms in OSDP, plus the time the frame
  takes on the wire at the line's baud rate) for a reply, and calls
  :meth:`PdSession.on_timeout` on a miss: the session resends the same
  frame, and declares the PD offline after its ``max_retries``,
* probes an offline PD only every ``offline_poll_interval`` seconds, one
  frame at a time, so a dead reader does not stall the others,
* routes every reply, as the bytes received, to the session of the address
  it carries (a secure session verifies its MAC over exactly those bytes).

Events go to ``on_event(address, event)``. When the line goes away (its
state listener reports ``False``) the bus stops writing, reports every
online PD as :class:`~.osdp_session.Offline`, and resumes polling when
the line is back; the PDs then come back :class:`~.osdp_session.Online`.

The bus does not own the line: start the line, then the bus; stop the bus,
then the line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
import contextlib
import logging
from typing import Final, Protocol

from .osdp import FrameParser
from .osdp_session import PdSession, SessionCommand, SessionEvent
from .transport import NotConnectedError

_LOGGER: Final = logging.getLogger(__name__)

DEFAULT_REPLY_TIMEOUT: Final = 0.2
DEFAULT_POLL_INTERVAL: Final = 0.05
DEFAULT_OFFLINE_POLL_INTERVAL: Final = 1.0
#: bits per byte on the wire at 8N1
_BITS_PER_BYTE: Final = 10

type BusEventCallback = Callable[[int, SessionEvent], None]


class BusLine(Protocol):
    """What the bus needs from a line (:class:`~.transport.SerialLine`)."""

    @property
    def baudrate(self) -> int:
        """Bits per second, for the time a frame takes on the wire."""
        ...

    @property
    def connected(self) -> bool:
        """Whether writes can go out now."""
        ...

    def add_data_listener(
        self, listener: Callable[[bytes], None]
    ) -> Callable[[], None]:
        """Call ``listener`` with every chunk read; return a remover."""
        ...

    def add_state_listener(
        self, listener: Callable[[bool], None]
    ) -> Callable[[], None]:
        """Call ``listener`` with the connected state; return a remover."""
        ...

    async def write(self, data: bytes) -> None:
        """Send bytes; raise :class:`~.transport.NotConnectedError`."""
        ...


class OsdpBus:
    """Poll several OSDP readers over one half-duplex line (see module doc)."""

    def __init__(
        self,
        line: BusLine,
        on_event: BusEventCallback,
        sessions: Iterable[PdSession] = (),
        *,
        reply_timeout: float = DEFAULT_REPLY_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        offline_poll_interval: float = DEFAULT_OFFLINE_POLL_INTERVAL,
        name: str = "osdp bus",
    ) -> None:
        """Describe the bus; nothing runs until :meth:`start`."""
        if reply_timeout <= 0 or poll_interval < 0 or offline_poll_interval < 0:
            raise ValueError("timeouts and intervals must be positive")
        self.line = line
        self.name = name
        self.reply_timeout = reply_timeout
        self.poll_interval = poll_interval
        self.offline_poll_interval = offline_poll_interval
        self._on_event = on_event
        self._sessions: dict[int, PdSession] = {}
        self._parser = FrameParser("reply")
        self._current: PdSession | None = None
        self._replied = asyncio.Event()
        self._wake = asyncio.Event()
        self._connected = asyncio.Event()
        self._next_probe: dict[int, float] = {}
        self._removers: list[Callable[[], None]] = []
        self._task: asyncio.Task[None] | None = None
        #: replies for an address with no session
        self.unknown_replies = 0
        #: frames written, for diagnostics and tests
        self.frames_sent = 0
        for session in sessions:
            self.add_session(session)

    # -- PDs ---------------------------------------------------------------

    def add_session(self, session: PdSession) -> None:
        """Add a PD; its address must be free on this bus."""
        if session.address in self._sessions:
            raise ValueError(f"address {session.address} is already on the bus")
        self._sessions[session.address] = session
        self._wake.set()

    def remove_session(self, address: int) -> PdSession:
        """Take a PD off the bus (no event is emitted for it)."""
        session = self._sessions.pop(address)
        self._next_probe.pop(address, None)
        if self._current is session:
            self._replied.set()
        return session

    @property
    def bad_frames(self) -> int:
        """Frames received malformed (check bytes, reserved bits, layout)."""
        return self._parser.bad_frames

    @property
    def addresses(self) -> list[int]:
        """The PD addresses, in polling order."""
        return list(self._sessions)

    def session(self, address: int) -> PdSession:
        """Return the session of a PD (``KeyError`` if unknown)."""
        return self._sessions[address]

    def is_online(self, address: int) -> bool:
        """Whether the PD answers (``KeyError`` if unknown)."""
        return self._sessions[address].online

    @property
    def online(self) -> dict[int, bool]:
        """Online state per address."""
        return {address: s.online for address, s in self._sessions.items()}

    def send(self, address: int, command: SessionCommand) -> None:
        """Queue a command (LED, BUZ, OUT, ...) for a PD; sent before its POLL.

        The reply arrives as a ``CommandCompleted`` event for that address.
        Raises ``KeyError`` for an unknown address.
        """
        self._sessions[address].send(command)
        self._wake.set()

    # -- life cycle ----------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the polling task runs."""
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Listen to the line and start polling (when it is connected)."""
        if self.running:
            raise RuntimeError("the bus is already running")
        self._removers = [
            self.line.add_data_listener(self._on_data),
            self.line.add_state_listener(self._on_line_state),
        ]
        if self.line.connected:
            self._connected.set()
        else:
            self._connected.clear()
        self._parser.reset()
        self._task = asyncio.get_running_loop().create_task(
            self._run(), name=f"{self.name} polling"
        )

    async def stop(self) -> None:
        """Stop polling and stop listening; safe to call more than once."""
        for remove in self._removers:
            remove()
        self._removers = []
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        self._current = None

    # -- line callbacks -----------------------------------------------------------

    def _on_data(self, data: bytes) -> None:
        for frame in self._parser.feed(data):
            session = self._sessions.get(frame.address)
            if session is None:
                self.unknown_replies += 1
                _LOGGER.debug(
                    "%s: reply from unknown address %d", self.name, frame.address
                )
                continue
            # the bytes as received: the session's secure channel verifies
            # its MAC over exactly these, never over a rebuilt frame
            self._emit(session, session.on_bytes(frame.raw))
            if session is self._current and not session.awaiting_reply:
                self._replied.set()

    def _on_line_state(self, connected: bool) -> None:
        if connected:
            self._parser.reset()
            self._next_probe.clear()
            self._connected.set()
            return
        self._connected.clear()
        self._replied.set()  # stop waiting for a reply that cannot come
        for session in list(self._sessions.values()):
            self._emit(session, session.on_line_lost())

    # -- polling --------------------------------------------------------------------

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_cycle = loop.time()
        while True:
            await self._connected.wait()
            now = loop.time()
            if now >= next_cycle:
                due = list(self._sessions.values())
                next_cycle = now + self.poll_interval
            else:
                due = [s for s in self._sessions.values() if s.queued and s.online]
            if not due:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(next_cycle - now):
                        await self._wake.wait()
                continue
            for session in due:
                if not self._connected.is_set():
                    break
                if session.address not in self._sessions:
                    continue
                if not session.online:
                    probe = self._next_probe.get(session.address, 0.0)
                    if loop.time() < probe:
                        continue
                await self._exchange(session)
                if not session.online:
                    self._next_probe[session.address] = (
                        loop.time() + self.offline_poll_interval
                    )

    async def _exchange(self, session: PdSession) -> None:
        """One command and its reply (or its timeout)."""
        frame = session.next_frame()
        self._current = session
        self._replied.clear()
        try:
            try:
                await self.line.write(frame)
            except NotConnectedError as err:
                # The state listener follows; it takes the PDs offline.
                _LOGGER.debug("%s: write failed: %s", self.name, err)
                self._connected.clear()
            else:
                self.frames_sent += 1
                wait = self.reply_timeout + len(frame) * _BITS_PER_BYTE / max(
                    self.line.baudrate, 1
                )
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait):
                        await self._replied.wait()
        except asyncio.CancelledError:
            # Stopped while a reply was due: count it as missed so that the
            # session can send again after a restart.
            if session.awaiting_reply:
                self._emit(session, session.on_timeout())
            raise
        finally:
            self._current = None
        if session.awaiting_reply:
            self._parser.reset()
            self._emit(session, session.on_timeout())

    def _emit(self, session: PdSession, events: list[SessionEvent]) -> None:
        for event in events:
            try:
                self._on_event(session.address, event)
            except Exception:
                _LOGGER.exception("%s: error in the event callback", self.name)
