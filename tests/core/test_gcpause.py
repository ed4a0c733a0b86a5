"""collector_paused: no automatic collection inside, young objects aged, state restored."""

from __future__ import annotations

from collections.abc import Iterator
import gc
import threading

import pytest

from custom_components.community_access.core.gcpause import collector_paused


@pytest.fixture
def thawed() -> Iterator[None]:
    """A heap with nothing frozen (the test plugin freezes it per module)."""
    gc.unfreeze()
    yield
    gc.enable()
    gc.freeze()  # as the plugin left it


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """Generations of the collections run meanwhile."""
    seen: list[int] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(callback)
    yield seen
    gc.callbacks.remove(callback)


def _many() -> list[list[int]]:
    return [[n] for n in range(50_000)]


def test_no_collection_inside_and_young_objects_aged(
    thawed: None, collections: list[int]
) -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        made = _many()
    assert collections == []  # 50,000 containers: 25 young passes otherwise
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # nothing left frozen
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(o) in oldest for o in made[::997])
    assert gc.get_count()[0] < 100  # the young generation starts empty
    # And the collector still collects cycles made afterwards.
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1


def test_without_the_pause_the_collector_runs(
    thawed: None, collections: list[int]
) -> None:
    _many()
    assert collections


def test_frozen_objects_stay_frozen(collections: list[int]) -> None:
    gc.freeze()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    with collector_paused():
        _many()
    assert gc.get_freeze_count() == frozen
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled(thawed: None) -> None:
    gc.disable()
    with collector_paused():
        _many()
    assert not gc.isenabled()


def test_nested_and_concurrent_pauses_resume_once(thawed: None) -> None:
    inside = threading.Event()
    release = threading.Event()

    def other() -> None:
        with collector_paused():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    with collector_paused():
        thread.start()
        assert inside.wait(5)
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other pause is still on
    release.set()
    thread.join(5)
    assert gc.isenabled()


def test_resumes_after_an_error(thawed: None) -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError
    assert gc.isenabled()
