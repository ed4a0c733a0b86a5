"""Handing the C heap's free memory back to the system after start-up (issue 14).

Start-up reads 200,000 rows and builds dictionaries of 150,000 entries in
worker threads. The C allocator of glibc keeps what they freed (the
dictionaries' smaller tables as they grew, SQLite's pages, the rows) in the
threads' heaps, between blocks still in use, where it is not given back to
the system on its own: about 10 MiB of the process's resident memory after
the set-up of a 50,000-person community, free but held.

:func:`release_free_heap` asks glibc to give it back (``malloc_trim``):
nothing in use moves, and what is handed back is allocated again as needed.
Elsewhere (musl, jemalloc, another system) it does nothing. It takes a few
milliseconds and locks each heap while it walks it: call it in a worker
thread, once a burst of allocations is over.
"""

from __future__ import annotations

from collections.abc import Callable
import ctypes
import sys

type _Trim = Callable[[int], int]


def _glibc_trim() -> _Trim | None:
    """``malloc_trim`` of the running C library, if it is glibc."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        if getattr(libc, "gnu_get_libc_version", None) is None:
            return None  # not glibc (musl has no malloc_trim)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


_TRIM = _glibc_trim()


def release_free_heap() -> bool:
    """Hand the C heap's free memory back to the system; whether it was asked."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True
