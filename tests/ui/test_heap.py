"""Large, lasting structures are built without the garbage collector's full passes, then frozen."""

from __future__ import annotations

import gc

import pytest

from app.ui.heap import building_to_last, built_to_last


class Node:
    """A tracked object, as the rows of a workbook are."""


def test_building_to_last_pauses_the_collector_and_freezes_what_was_built() -> None:
    before = gc.get_freeze_count()
    with building_to_last():
        assert not gc.isenabled()
        built = [Node() for _ in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= before + len(built)


def test_a_failed_build_turns_the_collector_back_on_and_freezes_nothing() -> None:
    @built_to_last
    def build() -> None:
        raise ValueError("unreadable")

    before = gc.get_freeze_count()
    with pytest.raises(ValueError, match="unreadable"):
        build()
    assert gc.isenabled()
    assert gc.get_freeze_count() == before


def test_the_collector_stays_off_when_it_was_off_before() -> None:
    gc.disable()
    try:
        with building_to_last():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
