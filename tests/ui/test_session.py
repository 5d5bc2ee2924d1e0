"""The session keeps one connection: a replaced or unwanted one is closed, and the last one at exit."""

from __future__ import annotations

import threading

import httpx
import pytest
from pytestqt.qtbot import QtBot

from app.api.errors import RequestCancelled
from app.config.profiles import SANDBOX
from app.ui.session import AccountCheck, Session, connect_and_check
from tests.ui.conftest import WORKER_DRAIN_MS


def sandbox_check(session: Session) -> AccountCheck:
    return connect_and_check(SANDBOX, session.paths, session.secrets, threading.Event())


def is_serving(check: AccountCheck) -> bool:
    try:
        httpx.get(f"{check.connection.base_url}/v1/Products", timeout=2)
    except httpx.TransportError:
        return False
    return True


def test_a_new_connection_replaces_and_closes_the_old_one(session: Session, qtbot: QtBot) -> None:
    first, second = sandbox_check(session), sandbox_check(session)
    with qtbot.waitSignal(session.connection_changed):
        session.adopt(first)

    with qtbot.waitSignal(session.connection_changed):
        session.adopt(second)

    assert session.connection is second.connection
    qtbot.waitUntil(lambda: not is_serving(first), timeout=WORKER_DRAIN_MS)
    assert is_serving(second)


def test_checking_the_same_connection_again_is_an_account_change(session: Session, qtbot: QtBot) -> None:
    check = sandbox_check(session)
    session.adopt(check)
    again = AccountCheck(check.connection, check.balance, check.catalog)

    with qtbot.waitSignal(session.account_changed):
        session.adopt(again)

    assert session.account is again
    assert is_serving(check)


def test_a_connection_that_arrives_too_late_is_closed(session: Session, qtbot: QtBot) -> None:
    late = sandbox_check(session)

    session.discard(late.connection)

    qtbot.waitUntil(lambda: not is_serving(late), timeout=WORKER_DRAIN_MS)
    assert session.connection is None


def test_close_at_exit_stops_the_sandbox(session: Session) -> None:
    check = sandbox_check(session)
    session.adopt(check)

    session.close()

    assert session.connection is None
    assert not is_serving(check)


def test_a_cancelled_check_leaves_nothing_running(session: Session) -> None:
    cancel = threading.Event()
    cancel.set()

    with pytest.raises(RequestCancelled):
        connect_and_check(SANDBOX, session.paths, session.secrets, cancel)

    assert [t for t in threading.enumerate() if t.name == "giftbatch-sandbox"] == []
