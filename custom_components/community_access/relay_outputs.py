"""Which door each output of a relay line drives (the ``outputs`` mapping).

A relay line (LCUS USB relays or a Modbus-RTU relay board) has a board
size and maps some of its outputs to doors:

* LCUS: ``board_size`` channels numbered 1..N; the mapping is keyed by
  channel.
* Modbus: ``board_size`` coils from ``coil`` (the first coil address); the
  mapping is keyed by coil address.

Subentry data stores the mapping as ``{"outputs": {"<output>": door_id}}``
(JSON object keys are strings). Lines made before several outputs existed
store one door and one output (``door`` + ``channel``, or ``door`` +
``coil``); :func:`relay_outputs` reads both shapes, so old subentries load
unchanged and are rewritten in the new shape when reconfigured.

No Home Assistant import here: the config flow and the hub both use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from .const import (
    CONF_CHANNEL,
    CONF_COIL,
    CONF_DOOR,
    CONF_PROTOCOL,
    PROTOCOL_LCUS,
    PROTOCOL_MODBUS,
    RELAY_PROTOCOLS,
)

CONF_OUTPUTS: Final = "outputs"
CONF_BOARD_SIZE: Final = "board_size"
#: The form field of the n-th output of the board (1-based position).
OUTPUT_FIELD: Final = "output_{}"

#: LCUS-1/2/4/8 boards (the command addresses channels 1 to 8).
LCUS_BOARD_SIZES: Final = (1, 2, 4, 8)
MODBUS_BOARD_SIZES: Final = (1, 2, 4, 8, 16)
MAX_COIL: Final = 0xFFFF


def board_sizes(protocol: str) -> tuple[int, ...]:
    """Return the board sizes offered for ``protocol``."""
    return LCUS_BOARD_SIZES if protocol == PROTOCOL_LCUS else MODBUS_BOARD_SIZES


def first_output(protocol: str, data: Mapping[str, Any]) -> int:
    """Return the first output number: channel 1 (LCUS) or the first coil (Modbus)."""
    return 1 if protocol == PROTOCOL_LCUS else int(data.get(CONF_COIL, 0))


def output_numbers(protocol: str, data: Mapping[str, Any]) -> list[int]:
    """Return the outputs of the board: channels or coil addresses, in order."""
    first = first_output(protocol, data)
    return list(range(first, first + board_size(protocol, data)))


def board_size(protocol: str, data: Mapping[str, Any]) -> int:
    """Return the board size, or for a one-output line the smallest that fits."""
    if CONF_BOARD_SIZE in data:
        return int(data[CONF_BOARD_SIZE])
    if protocol == PROTOCOL_LCUS:
        channel = int(data.get(CONF_CHANNEL, 1))
        return next((s for s in LCUS_BOARD_SIZES if s >= channel), channel)
    return 1


def relay_outputs(protocol: str, data: Mapping[str, Any]) -> dict[int, str]:
    """Output number -> door id, from either shape of the line's data.

    ``ValueError`` when an output lies outside the board or a door is
    driven by two outputs.
    """
    if CONF_OUTPUTS in data:
        raw = data[CONF_OUTPUTS] or {}
        outputs = {int(output): str(door) for output, door in raw.items() if door}
    elif data.get(CONF_DOOR):
        output = (
            int(data.get(CONF_CHANNEL, 1))
            if protocol == PROTOCOL_LCUS
            else int(data.get(CONF_COIL, 0))
        )
        outputs = {output: str(data[CONF_DOOR])}
    else:
        outputs = {}
    numbers = output_numbers(protocol, data)
    if protocol == PROTOCOL_LCUS and numbers[-1] > LCUS_BOARD_SIZES[-1]:
        raise ValueError(f"an LCUS board has at most {LCUS_BOARD_SIZES[-1]} channels")
    if protocol == PROTOCOL_MODBUS and (numbers[0] < 0 or numbers[-1] > MAX_COIL):
        raise ValueError("coil addresses must be 0 to 65535")
    if outside := sorted(set(outputs) - set(numbers)):
        raise ValueError(f"outputs {outside} are not on the board")
    if len(set(outputs.values())) != len(outputs):
        raise ValueError("a door is driven by two outputs")
    return dict(sorted(outputs.items()))


def driven_doors(data: Mapping[str, Any]) -> set[str]:
    """Return the doors a serial line's data drives by its relay outputs.

    None for a line that is not a relay line, or whose outputs are invalid
    (such a line does not start).
    """
    protocol = data.get(CONF_PROTOCOL)
    if protocol not in RELAY_PROTOCOLS:
        return set()
    try:
        return set(relay_outputs(str(protocol), data).values())
    except (TypeError, ValueError):
        return set()


def outputs_data(outputs: Mapping[int, str]) -> dict[str, str]:
    """Return the mapping as stored in subentry data."""
    return {str(output): door for output, door in sorted(outputs.items())}
