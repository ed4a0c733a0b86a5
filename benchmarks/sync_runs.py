"""Counting a door's lock-code sync runs (the ZHA and Zigbee2MQTT benchmarks)."""

from __future__ import annotations

from custom_components.community_access.lock_codes import LockCodes


class SyncRuns:
    """Finished sync runs of a door's lock-code worker, across reloads.

    ``LockCodes`` tells its listeners when a run starts (``_running`` set)
    and when it ends; a reload makes a new worker, watched when first seen.
    """

    def __init__(self) -> None:
        """Nothing counted yet."""
        self.finished = 0
        self._watched: LockCodes | None = None
        self._in_run = False

    def watch(self, codes: LockCodes) -> None:
        """Count the runs of ``codes`` (once per worker)."""
        if codes is self._watched:
            return
        self._watched = codes
        self._in_run = codes._running  # noqa: SLF001

        def changed() -> None:
            if codes._running:  # noqa: SLF001
                self._in_run = True
            elif self._in_run:
                self._in_run = False
                self.finished += 1

        codes.add_listener(changed)

    def settled(self, codes: LockCodes, before: int) -> bool:
        """A run finished since ``before`` runs, all in sync, nothing to do."""
        self.watch(codes)
        status = codes.status()
        return (
            self.finished > before
            and status is not None
            and status.state == "in_sync"
            and not codes._wake.is_set()  # noqa: SLF001
            and not codes._running  # noqa: SLF001
        )
