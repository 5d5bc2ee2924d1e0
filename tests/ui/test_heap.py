"""Large structures are built without garbage-collector passes and freed piece by piece off the GUI thread."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest
from PySide6.QtCore import QThreadPool

from app.ui.heap import building_to_last, built_to_last, release_in_pieces
from app.ui.imported import ImportChoices, validate_workbook
from app.ui.session import Session
from tests.domain.conftest import sandbox_like_catalog
from tests.ui.review_fixtures import options, synthetic_read


class Node:
    """Weak-referenceable, so a test can see when it is freed."""

    def __init__(self, parts: list[object] | None = None) -> None:
        self.parts = parts or []


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


def test_release_in_pieces_frees_the_whole_and_spares_a_piece_still_in_use() -> None:
    kept = Node()
    freed: list[str] = []
    pieces = [Node() for _ in range(10)]
    for number, piece in enumerate(pieces):
        weakref.finalize(piece, freed.append, f"piece {number}")
    whole = Node([*pieces, kept])
    weakref.finalize(whole, freed.append, "whole")
    parcel: list[object] = [whole]
    del whole, pieces, piece

    release_in_pieces(parcel, lambda node: node.parts)

    assert parcel == []
    assert freed[0] == "whole"  # the shell first, then its pieces one by one
    assert sorted(freed[1:]) == sorted(f"piece {number}" for number in range(10))
    assert kept.parts == []  # untouched, alive


def test_a_replaced_workbook_is_freed_by_a_worker_not_the_gui_thread(
    session: Session, pool: QThreadPool
) -> None:
    freed_on: list[str] = []
    session.set_import(
        validate_workbook(
            synthetic_read(50), ImportChoices(), catalog=sandbox_like_catalog(), options=options()
        )
    )
    assert session.imported is not None
    weakref.finalize(session.imported, lambda: freed_on.append(threading.current_thread().name))
    weakref.finalize(
        session.imported.read.sheets[0], lambda: freed_on.append(threading.current_thread().name)
    )

    session.set_import(None)
    assert pool.waitForDone(10_000)

    assert len(freed_on) == 2
    assert threading.main_thread().name not in freed_on
