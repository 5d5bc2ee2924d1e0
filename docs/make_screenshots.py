"""Screenshots of every step for the README: starts the app on a virtual display and walks through it.

Run (Linux; needs Debian's `xvfb`, `libxcb-icccm4`, `libxcb-keysyms1` and `libxcb-cursor0`):

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python docs/make_screenshots.py

Without a DISPLAY the script starts itself under `xvfb-run -a` the same way. It uses a fresh temporary
GIFTBATCH_HOME and the built-in sandbox, opens `sample_workbooks/common-mistakes.xlsx` (so Review has
problems to show and Results has rows that were not sent), and saves one PNG per step into
`docs/screenshots/`: Connect, Import with the column-mapping dialog, Review with issues, the Send
confirmation, Send in progress, Results, History and Settings.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
SAMPLE = ROOT / "sample_workbooks" / "common-mistakes.xlsx"
SCREEN = "1400x900x24"
WINDOW = (1240, 800)
STEP_TIMEOUT_S = 120
SETTLE_MS = 400


def rerun_under_xvfb() -> int:
    """No display: run this same script again inside `xvfb-run -a` with a screen big enough for the window."""
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        print(
            "No DISPLAY and no xvfb-run: install Debian's 'xvfb' package, or run on a desktop.",
            file=sys.stderr,
        )
        return 2
    command = [xvfb, "-a", "-s", f"-screen 0 {SCREEN}", sys.executable, *sys.argv]
    return subprocess.call(command)  # noqa: S603 (our own interpreter and script, under xvfb-run)


def main() -> int:
    if not os.environ.get("DISPLAY"):
        return rerun_under_xvfb()
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    with tempfile.TemporaryDirectory(prefix="giftbatch-shots-") as folder:
        os.environ["GIFTBATCH_HOME"] = str(Path(folder) / "home")
        workbook = Path(folder) / "Q4 thank-you gifts.xlsx"
        shutil.copy(SAMPLE, workbook)
        return Walkthrough(workbook).run()


class Walkthrough:
    """The app as `giftbatch` builds it, driven step by step; `shot()` saves what the screen shows."""

    def __init__(self, workbook: Path) -> None:
        sys.path.insert(0, str(ROOT))
        from PySide6.QtCore import QSettings, QThreadPool  # noqa: PLC0415

        from app.config.paths import AppPaths  # noqa: PLC0415
        from app.config.secrets import SecretStore  # noqa: PLC0415
        from app.config.settings import SettingsStore  # noqa: PLC0415
        from app.main import POOL_THREADS, create_application  # noqa: PLC0415
        from app.ui.main_window import MainWindow  # noqa: PLC0415
        from app.ui.session import Session  # noqa: PLC0415

        self.workbook = workbook
        self.paths = AppPaths.from_environment().ensure()
        self.app = create_application()
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(POOL_THREADS)
        self.session = Session(self.paths, SettingsStore(self.paths.settings_file), SecretStore(), self.pool)
        view_state = QSettings(str(self.paths.config_dir / "window.ini"), QSettings.Format.IniFormat)
        self.window = MainWindow(self.session, view_state)
        self.taken: list[Path] = []

    # -- helpers -------------------------------------------------------------------------------------------

    def wait(self, done: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while not done():
            if time.monotonic() > deadline:
                raise SystemExit(f"Timed out waiting for {what}.")
            self.app.processEvents()
            time.sleep(0.01)

    def settle(self, ms: int = SETTLE_MS) -> None:
        """Let layouts, repaints and batched model updates happen before a picture is taken."""
        end = time.monotonic() + ms / 1000
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.01)

    def shot(self, name: str) -> None:
        self.settle()
        frame = self.window.frameGeometry()
        screen = self.window.screen()
        picture = screen.grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
        path = OUT / f"{name}.png"
        if not picture.save(str(path)):
            raise SystemExit(f"Could not save {path}.")
        self.taken.append(path)
        print(f"saved {path.relative_to(ROOT)}")

    def modal(self) -> object:
        from PySide6.QtWidgets import QApplication  # noqa: PLC0415

        return QApplication.activeModalWidget()

    # -- the walk ------------------------------------------------------------------------------------------

    def run(self) -> int:
        OUT.mkdir(parents=True, exist_ok=True)
        window = self.window
        window.resize(*WINDOW)
        window.move(20, 20)
        window.show()
        window.start()
        try:
            self.connect()
            self.import_with_mapping()
            self.review()
            self.send()
            self.results()
            self.history()
            self.settings()
        finally:
            window.close()
            self.pool.waitForDone(30_000)
            self.session.close()
        print(f"{len(self.taken)} screenshots in {OUT.relative_to(ROOT)}")
        return 0

    def connect(self) -> None:
        self.wait(lambda: self.session.account is not None, "the sandbox connection")
        self.shot("01-connect")

    def import_with_mapping(self) -> None:
        from app.ui.main_window import IMPORT  # noqa: PLC0415
        from app.ui.mapping_dialog import MappingDialog  # noqa: PLC0415

        page = self.window.import_page
        self.window.go_to_step(IMPORT)
        page.open_path(self.workbook)
        self.wait(
            lambda: isinstance(self.modal(), MappingDialog) or self.session.imported is not None, "the import"
        )
        dialog = self.modal()
        if not isinstance(dialog, MappingDialog):  # every column was found: open it as "Columns…" does
            self.window.go_to_step(IMPORT)
            dialog = page.open_mapping_dialog()
        self.wait(lambda: isinstance(self.modal(), MappingDialog), "the column mapping dialog")
        self.shot("02-import-mapping")
        assert isinstance(dialog, MappingDialog)
        dialog.accept()

    def review(self) -> None:
        from app.ui.main_window import REVIEW  # noqa: PLC0415

        page = self.window.review_page
        self.wait(lambda: self.window.import_page.is_complete() and self.modal() is None, "the import")
        self.window.go_to_step(REVIEW)
        self.wait(lambda: self.window.current_step() == REVIEW and not page.checking, "the Review step")
        self.wait(page.skip_check.isVisible, "the choice to send only the valid rows")
        first_issue = page.issues.model().index(0, 0)
        if first_issue.isValid():
            page.issues.expand(first_issue)
            page.issues.setCurrentIndex(first_issue)
            page.next_issue()
        self.shot("03-review")
        page.skip_check.click()
        self.wait(page.is_complete, "the Review step to be done")

    def send(self) -> None:
        import httpx  # noqa: PLC0415

        from app.ui.main_window import SEND  # noqa: PLC0415

        settings = self.session.settings
        settings.max_line_items_per_order = 2
        settings.concurrency = 1
        self.session.save_settings(settings)
        connection = self.session.connection
        assert connection is not None
        faults = f"{connection.base_url}/_sandbox/faults"
        self.window.go_to_step(SEND)
        page = self.window.send_page
        self.wait(lambda: not page.planning and page.send_button.isEnabled(), "the plan")
        page.send_button.click()
        self.wait(lambda: page._confirming is not None and page._confirming.isVisible(), "the confirmation")
        self.shot("04-send-confirm")
        httpx.post(faults, json={"latency_ms": 700}).raise_for_status()
        assert page._confirming is not None
        page._confirming.send_button.click()
        bar = page.rows_progress
        self.wait(lambda: bar.value() > 0 and 2 * bar.value() >= bar.maximum(), "half of the rows to be sent")
        self.settle(800)
        self.shot("05-send-progress")
        httpx.post(faults, json={"latency_ms": 0}).raise_for_status()
        self.wait(lambda: page.is_complete() and not page.sending, "the end of the run")
        defaults = type(settings)()
        settings.max_line_items_per_order = defaults.max_line_items_per_order
        settings.concurrency = defaults.concurrency
        self.session.save_settings(settings)

    def results(self) -> None:
        from app.ui.main_window import RESULTS  # noqa: PLC0415

        self.window.go_to_step(RESULTS)
        page = self.window.results_page
        self.wait(lambda: page.results is not None, "the results")
        self.shot("06-results")

    def history(self) -> None:
        page = self.window.history_page
        self.window.show_history()
        self.wait(lambda: page.rows_model.rowCount() > 0, "the run's rows in History")
        self.shot("07-history")

    def settings(self) -> None:
        from app.ui.settings_dialog import SettingsDialog  # noqa: PLC0415

        self.window.open_settings()
        self.wait(lambda: isinstance(self.modal(), SettingsDialog), "the Settings dialog")
        self.shot("08-settings")
        dialog = self.modal()
        assert isinstance(dialog, SettingsDialog)
        dialog.reject()


if __name__ == "__main__":
    raise SystemExit(main())
