"""Qt test fixtures: an app-owned thread pool, and the check that no worker thread outlives its test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThreadPool

# A job ends within moments of its last signal; one still running after this long was left behind.
WORKER_DRAIN_MS = 10_000


@pytest.fixture
def pool() -> Iterator[QThreadPool]:
    """The thread pool a test hands to the code under test, as the app hands its own."""
    threads = QThreadPool()
    threads.setMaxThreadCount(4)
    yield threads
    assert threads.waitForDone(WORKER_DRAIN_MS), "a background job was still running after the test"
    assert threads.activeThreadCount() == 0


@pytest.fixture(autouse=True)
def no_worker_left_running() -> Iterator[None]:
    """Every test leaves Qt's global pool idle: nothing the app starts may be forgotten on it."""
    yield
    global_pool = QThreadPool.globalInstance()
    assert global_pool.waitForDone(WORKER_DRAIN_MS), "a job on the global pool outlived the test"
    assert global_pool.activeThreadCount() == 0
