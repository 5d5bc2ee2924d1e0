"""Worker jobs that build and free large structures without holding the GIL long enough to stall the GUI.

CPython's cyclic collector runs in whichever thread happens to allocate, and holds the GIL throughout: a full
pass walks every tracked object that is not frozen. While a worker builds something big that is meant to last
(a read and checked workbook, a plan of 100,000 rows, a run's results), the full passes it triggers walk the
growing heap again and again, each one longer (measured: 55 to 200 ms at 30,000 to 100,000 rows), and the
GUI thread cannot run a line of Python meanwhile. These builders make no reference cycles (a full collection
after reading and checking 100,000 rows finds nothing to free), so they run with the collector paused, and
what exists when they end is frozen: left out of later full passes, still freed by reference counting.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

# release_in_pieces works for SLICE_S, then leaves the GIL alone for PAUSE_S.
SLICE_S = 0.002
PAUSE_S = 0.002


@contextmanager
def building_to_last() -> Iterator[None]:
    """No collection while the block runs; when it succeeds, every object alive is frozen.

    The pause is process-wide (the collector has one switch), so keep the block to the building itself.
    Nested or concurrent blocks are harmless: at worst one re-enables the collector a little early.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if collecting:
            gc.enable()


def built_to_last(job: Callable[P, T]) -> Callable[P, T]:
    """`job` run inside `building_to_last()`: for worker jobs whose result outlives them."""

    @wraps(job)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        with building_to_last():
            return job(*args, **kwargs)

    return run


def release_in_pieces(parcel: list[Any], pieces: Callable[[Any], Iterable[object]]) -> None:
    """Drop the object `parcel` holds, its bulk one piece at a time; run it in a worker.

    Freeing a large structure is one uninterrupted run of C code holding the GIL (76 ms for a read and checked
    100,000-row workbook, 87 ms for a plan of 30,000 rows): wherever it runs, the GUI thread cannot run a line
    of Python meanwhile. Here the pieces `pieces(object)` names are held apart, the rest is dropped, then each
    piece is dropped on its own, and the GIL can change hands in between. Freeing is never urgent, so every
    SLICE_S the worker also stands aside for PAUSE_S: the GUI thread, busy showing the next workbook, gets the
    GIL at once instead of waiting for it on each of its thousands of calls into Python. Nothing is changed: a
    piece still used elsewhere lives on. The caller hands over its last reference: it puts the object in
    `parcel` (a list made for the purpose) and keeps no other.
    """
    held = [*pieces(parcel[0])]
    parcel.clear()
    slice_ends = time.perf_counter() + SLICE_S
    while held:
        held.pop()
        if time.perf_counter() > slice_ends:
            time.sleep(PAUSE_S)
            slice_ends = time.perf_counter() + SLICE_S
