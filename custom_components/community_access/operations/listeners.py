"""Tell the entities that show a part (to-do list, calendar, sensors) it changed."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.core import CALLBACK_TYPE, callback


class ChangeListeners:
    """A part's listeners: ``add_listener`` for entities, ``_changed`` to call them."""

    def __init__(self) -> None:
        """Start with no listeners."""
        self._listeners: list[Callable[[], None]] = []

    @callback
    def add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Be told when the part changes; returns a remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()
