"""The runs the pages share through the session: the journal, and the run the Send and Results pages show."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.engine.journal import SubmissionJournal
from app.ui.imported import ImportedWorkbook


class RunState(QObject):
    """Holds the submission journal (opened on first use) and which run is current.

    The current run is the one being sent or last sent from the reviewed workbook, or one picked elsewhere
    (resumed at start, opened from History): then `on_its_own` is True, and the Send and Results steps show it
    without the Import and Review steps before them.

    Signals:
        current_changed(): another run became current; read `current`.
        run_updated(str): the run with this id moved on (a pass ended or paused); views of it read it again.
        resume_requested(str): the user asked to resume this run (at start, or from History); Send does it.
        results_requested(str): the user asked to see this run's results and files (from History).
    """

    current_changed = Signal()
    run_updated = Signal(str)
    resume_requested = Signal(str)
    results_requested = Signal(str)

    def __init__(self, journal_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.journal_path = journal_path
        self._journal: SubmissionJournal | None = None
        self._lock = threading.Lock()
        self.current: str | None = None
        self.on_its_own = False
        self._sources: dict[str, ImportedWorkbook] = {}

    def journal(self) -> SubmissionJournal:
        """The journal, opened on first use. Call it from a worker: opening and reading touch the disk.

        It stays open for the app's life: a job may be reading it at any moment until the process ends, and
        closing a SQLite connection another thread is using crashes the process.
        """
        with self._lock:
            if self._journal is None:
                self._journal = SubmissionJournal(self.journal_path)
            return self._journal

    def remember_source(self, run_id: str, imported: ImportedWorkbook) -> None:
        """The reviewed workbook this run was sent from: its edits and password go into the run's exports."""
        self._sources[run_id] = imported

    def source_of(self, run_id: str) -> ImportedWorkbook | None:
        """The workbook the run was sent from in this session (None for runs of earlier sessions)."""
        return self._sources.get(run_id)

    def set_current(self, run_id: str | None, *, on_its_own: bool = False) -> None:
        if run_id == self.current and on_its_own == self.on_its_own:
            return
        self.current = run_id
        self.on_its_own = on_its_own and run_id is not None
        self.current_changed.emit()

    def updated(self, run_id: str) -> None:
        self.run_updated.emit(run_id)

    def request_resume(self, run_id: str) -> None:
        self.resume_requested.emit(run_id)

    def request_results(self, run_id: str) -> None:
        self.set_current(run_id, on_its_own=True)
        self.results_requested.emit(run_id)
