"""Building many long-lived objects without the garbage collector walking them.

Start-up makes about 270,000 objects that live as long as the entry (the
access index of 150,000 credentials and 50,000 people). Made with the
collector on, they set off its collections while they are made: up to ten
young-generation passes and one or two full ones, each a stop of every
thread, the event loop's included, for as long as it walks the heap (a
full pass of Home Assistant's heap with the index in it: 70-300 ms).

:func:`collector_paused` makes them with the automatic collector off, then
moves every young object into the oldest generation without walking it
(``gc.freeze()`` then ``gc.unfreeze()``: two list splices) and turns the
collector back on. Nothing is left frozen and no setting is kept: the
objects are walked by the next full collection the process makes anyway,
which they do not bring forward (they are not counted as promoted). Young
garbage of the pause (cycles other threads made meanwhile) waits for that
full collection too instead of a young one.

If the collector was already off, it is left off and nothing is moved. If
some objects are frozen already (someone called ``gc.freeze()``, as the
Home Assistant test plugin does), they must stay so: an ``unfreeze`` would
thaw them too, so nothing is moved and the young objects are walked as
usual. Nested or concurrent pauses count: the last one out resumes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
import gc
import threading


class _State:
    """Pauses in progress, process-wide (the collector is)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        #: Whether the first pause turned the collector off (so the last resumes it).
        self.owned = False


_STATE = _State()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Make long-lived objects without automatic collections (see the module)."""
    with _STATE.lock:
        if _STATE.depth == 0:
            _STATE.owned = gc.isenabled()
            if _STATE.owned:
                gc.disable()
        _STATE.depth += 1
    try:
        yield
    finally:
        with _STATE.lock:
            _STATE.depth -= 1
            if _STATE.depth == 0 and _STATE.owned:
                if gc.get_freeze_count() == 0:
                    gc.freeze()
                    gc.unfreeze()
                gc.enable()
                _STATE.owned = False
