"""Adapters binding the sans-IO codecs to a :class:`~.transport.SerialLine`.

* :class:`Em4100Reader` - RDM6300 / EM4100 module: debounced card reads.
* :class:`LineCardReader` - Wiegand-to-serial converters and USB readers
  printing one number per line.
* :class:`LcusRelays` - LCUS-1/2/4 USB relays (fire and forget).
* :class:`ModbusRelays` - Modbus-RTU relay board: write single coil with
  the echo awaited under a timeout, read coils.

Readers report a :class:`CardPresentation` (card number in the canonical
decimal form, and the reader id) to a callback. Relays raise
:class:`RelayError` subclasses; every error here derives from
:class:`~.transport.SerialLineError`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
import logging
import time
from typing import Final

from .em4100 import Rdm6300Decoder
from .line_reader import LineReader
from .relays import (
    CoilsRead,
    CoilWritten,
    ExceptionResponse,
    ModbusResponse,
    ModbusResponseParser,
    lcus_command,
    modbus_read_coils,
    modbus_write_coil,
)
from .transport import NotConnectedError, SerialLine, SerialLineError

_LOGGER: Final = logging.getLogger(__name__)

DEFAULT_MODBUS_TIMEOUT: Final = 1.0


@dataclass(frozen=True, slots=True)
class CardPresentation:
    """A card presented to a reader."""

    reader_id: str
    card_number: str
    #: what the reader sent, for diagnostics (tag hex digits or the line)
    raw: str


type CardCallback = Callable[[CardPresentation], None]


class _LineListener:
    """Listens to a line's data and state until :meth:`detach`.

    Subclasses set up what :meth:`_feed` and :meth:`_state_changed` use
    before calling this constructor.
    """

    def __init__(self, line: SerialLine) -> None:
        self.line = line
        self._unsubscribe = [
            line.add_data_listener(self._feed),
            line.add_state_listener(self._state_changed),
        ]

    def detach(self) -> None:
        """Stop listening to the line."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    def _feed(self, data: bytes) -> None:
        raise NotImplementedError

    def _state_changed(self, connected: bool) -> None:
        raise NotImplementedError


class _CardReader(_LineListener):
    """Common part: feed the line's chunks to a codec, reset on reconnect."""

    def __init__(self, line: SerialLine, reader_id: str, on_card: CardCallback):
        self.reader_id = reader_id
        self._on_card = on_card
        super().__init__(line)

    def _present(self, card_number: str, raw: str) -> None:
        self._on_card(CardPresentation(self.reader_id, card_number, raw))


class Em4100Reader(_CardReader):
    """RDM6300 / EM4100 module on a line: one presentation per hold.

    A tag held on the module repeats its frame; reads of the same tag less
    than ``debounce`` seconds apart count as one. ``clock`` gives monotonic
    seconds (injectable for tests).
    """

    def __init__(
        self,
        line: SerialLine,
        reader_id: str,
        on_card: CardCallback,
        *,
        debounce: float = 1.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Bind a decoder to ``line``."""
        self._decoder = Rdm6300Decoder(debounce)
        self._clock = clock
        super().__init__(line, reader_id, on_card)

    def _feed(self, data: bytes) -> None:
        for tag in self._decoder.feed(data, self._clock()):
            self._present(tag.card_number, tag.tag_hex)

    def _state_changed(self, connected: bool) -> None:
        # A frame cut by the loss must not glue onto the next one.
        self._decoder.reset()


class LineCardReader(_CardReader):
    """ASCII line reader on a line; see :class:`.line_reader.LineReader`."""

    def __init__(
        self,
        line: SerialLine,
        reader_id: str,
        on_card: CardCallback,
        *,
        pattern: str | None = None,
        radix: int = 16,
    ) -> None:
        """Bind a line reader; raise ``ValueError`` on a bad pattern/radix."""
        self._reader = LineReader(pattern, radix)
        super().__init__(line, reader_id, on_card)

    def _feed(self, data: bytes) -> None:
        for card in self._reader.feed(data):
            self._present(card.card_number, card.line)

    def _state_changed(self, connected: bool) -> None:
        self._reader.reset()


class RelayError(SerialLineError):
    """A relay command failed."""


class RelayTimeoutError(RelayError):
    """The relay board did not answer in time."""


class RelayDeviceError(RelayError):
    """The relay board answered with an exception or an unexpected reply."""


class LcusRelays:
    """LCUS-1/2/4 USB relay board: commands only, no acknowledgement.

    The board does not report its state: :attr:`states` holds what was
    last commanded (``None`` until then).
    """

    def __init__(self, line: SerialLine, channels: int = 1) -> None:
        """Drive ``channels`` relays (1 to 8) on ``line``."""
        if not 1 <= channels <= 8:
            raise ValueError("channels must be 1 to 8")
        self.line = line
        self.channels = channels
        self.states: dict[int, bool | None] = dict.fromkeys(
            range(1, channels + 1), None
        )

    async def switch(self, channel: int, on: bool) -> None:
        """Switch ``channel`` (1-based); raise :class:`RelayError`."""
        if not 1 <= channel <= self.channels:
            raise ValueError(f"channel must be 1 to {self.channels}")
        try:
            await self.line.write(lcus_command(channel, on))
        except NotConnectedError as err:
            raise RelayError(str(err)) from err
        self.states[channel] = on


class ModbusRelays(_LineListener):
    """Modbus-RTU relay board (one unit) on a line.

    One request at a time: each waits for its response (or ``timeout``)
    before the next is sent. A response timeout, an exception response or
    a mismatching echo raise :class:`RelayError` subclasses; nothing hangs.
    """

    def __init__(
        self,
        line: SerialLine,
        unit: int = 1,
        *,
        timeout: float = DEFAULT_MODBUS_TIMEOUT,
    ) -> None:
        """Talk to ``unit`` on ``line``."""
        self.unit = unit
        self._timeout = timeout
        self._parser = ModbusResponseParser(unit)
        self._lock = asyncio.Lock()
        self._pending: asyncio.Future[ModbusResponse] | None = None
        super().__init__(line)

    async def write_coil(self, address: int, on: bool) -> None:
        """Switch coil ``address`` and wait for the board's echo."""
        response = await self._transact(modbus_write_coil(self.unit, address, on))
        if response != CoilWritten(unit=self.unit, address=address, on=on):
            raise RelayDeviceError(f"unexpected reply to write coil: {response}")

    async def read_coils(self, address: int, count: int) -> tuple[bool, ...]:
        """Read ``count`` coil states from ``address``."""
        request = modbus_read_coils(self.unit, address, count)
        response = await self._transact(request)
        if not isinstance(response, CoilsRead) or len(response.states) < count:
            raise RelayDeviceError(f"unexpected reply to read coils: {response}")
        return response.first(count)

    async def _transact(self, request: bytes) -> ModbusResponse:
        async with self._lock:
            loop = asyncio.get_running_loop()
            self._parser.reset()
            pending: asyncio.Future[ModbusResponse] = loop.create_future()
            self._pending = pending
            try:
                await self.line.write(request)
                async with asyncio.timeout(self._timeout):
                    response = await pending
            except NotConnectedError as err:
                raise RelayError(str(err)) from err
            except TimeoutError as err:
                raise RelayTimeoutError(
                    f"{self.line.name}: Modbus unit {self.unit} did not answer"
                    f" within {self._timeout} s"
                ) from err
            finally:
                self._pending = None
        if isinstance(response, ExceptionResponse):
            raise RelayDeviceError(
                f"{self.line.name}: Modbus unit {self.unit} exception {response.name}"
            )
        return response

    def _feed(self, data: bytes) -> None:
        for response in self._parser.feed(data):
            pending = self._pending
            if pending is None or pending.done():
                _LOGGER.debug("%s: unsolicited %s", self.line.name, response)
                continue
            pending.set_result(response)

    def _state_changed(self, connected: bool) -> None:
        self._parser.reset()
        pending = self._pending
        if not connected and pending is not None and not pending.done():
            pending.set_exception(
                NotConnectedError(f"{self.line.name}: serial port lost")
            )
