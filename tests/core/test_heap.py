"""Handing the C heap's free memory back after start-up (core/heap.py, issue 14)."""

from __future__ import annotations

import ctypes
from pathlib import Path
import threading

from custom_components.community_access.core import heap


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def _glibc() -> bool:
    return getattr(ctypes.CDLL(None), "gnu_get_libc_version", None) is not None


def test_free_heap_memory_goes_back_to_the_system() -> None:
    """Blocks freed between blocks still in use: held until released."""
    assert _glibc(), "these tests run on glibc (the C library of the test machines)"
    kept: list[bytes] = []

    def fragment() -> None:
        # 8 KiB blocks (far below glibc's mmap threshold: from the thread's
        # heap), every eighth kept: the free ones are not at the heap's top.
        blocks = [bytes(8 * 1024) for _ in range(12_000)]
        kept.extend(blocks[::8])
        for i in range(len(blocks)):
            blocks[i] = b""
        blocks.clear()

    thread = threading.Thread(target=fragment)
    thread.start()
    thread.join()
    held = _rss_mib()
    assert heap.release_free_heap() is True
    released = _rss_mib()
    # About 80 MiB were freed: most of it handed back.
    assert held - released > 40, (held, released)
    assert len(kept) == 1500
    assert all(len(block) == 8 * 1024 for block in kept)


def test_nothing_to_release_is_harmless() -> None:
    assert heap.release_free_heap() is True
    assert heap.release_free_heap() is True
