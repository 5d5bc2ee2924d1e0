"""Step 4, Send: confirm the totals, then watch orders and rows go out, with pause, resume and cancel."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import partial
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QProgressDialog,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import GiftbatchError
from app.domain.outcomes import ResultStatus
from app.engine.claims import PaymentsTaken
from app.engine.events import (
    BalanceShort,
    EngineEvent,
    Progress,
    RowStatusChanged,
    RunFinished,
    RunPaused,
    RunResumed,
)
from app.engine.plan import BalanceCheck, BalanceShortError
from app.engine.states import RunStatus
from app.ui.confirm_send import SendConfirmDialog
from app.ui.formatting import format_money
from app.ui.heap import release_in_pieces
from app.ui.imported import ImportedWorkbook
from app.ui.pages.base import Page
from app.ui.run_summaries import RunSummary, load_summary, run_to_offer
from app.ui.run_text import Pace, describe_event, plural, time_left_words
from app.ui.send_plan import Prepared, SendPlan, check_remaining, make_plan, prepare_confirmation, store_run
from app.ui.session import AccountCheck, Session
from app.ui.submit_worker import SubmitWorker
from app.ui.widgets import MessageLabel, busy_bar, push_button
from app.ui.workers import Worker, report_unexpected, run_in_background

NOT_KNOWN = "—"
# The progress bars, speed and log are redrawn this often while a run goes: events arrive much faster.
REFRESH_MS = 200
# Lines kept in the live log (the journal keeps every event).
LOG_LINES = 5000
RESUMABLE = frozenset({RunStatus.PAUSED, RunStatus.INTERRUPTED, RunStatus.FAILED})
CLOSE_QUESTION = (
    "The run is paused while you decide: no new order goes out. Close Giftbatch and keep the run paused? "
    "The orders already sent are answered first; resume the run later from History or when Giftbatch "
    "starts again. Nobody is paid twice."
)


class SendPage(Page):
    """Plans the reviewed rows, confirms cost and balance, then sends them with a `SubmitWorker`.

    The page shows one of two things: the plan of the reviewed workbook (before it is sent), or a run (being
    sent, paused, stopped or finished). A workbook that was sent is never planned again from the same
    import, so pressing Send twice cannot pay anyone twice; runs that stopped are resumed, never re-planned.
    Rows' statuses go to the Review grid as they change, and the step is done once a run has ended.
    """

    title = "Send"
    summary = (
        "Check the totals, then send. You can pause or cancel at any time; an interrupted run resumes "
        "where it stopped, and nobody is paid twice."
    )

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.runs = session.runs
        self._plan: SendPlan | None = None
        self._planning: Worker | None = None
        self._plan_attempt = 0
        self._busy_job: Worker | None = None
        self._submit: SubmitWorker | None = None
        self._run_id: str | None = None
        # The workbook the run was sent from (None: resumed), and the one under review when it was opened.
        self._run_source: ImportedWorkbook | None = None
        self._shown_with: ImportedWorkbook | None = None
        self._run_status: RunStatus | None = None
        self._progress: Progress | None = None
        self._skipped = 0
        self._pending_log: list[str] = []
        self._pending_rows: dict[str, str] = {}
        self._pace = Pace()
        self._closing: QProgressDialog | None = None
        self._confirming: SendConfirmDialog | None = None
        self._offered_for: set[str] = set()
        self.resume_offer: QMessageBox | None = None

        self._build_plan_box()
        self._build_run_box()
        self._build_buttons()
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(REFRESH_MS)
        self.refresh_timer.timeout.connect(self._refresh)

        session.connection_changed.connect(self._connection_changed)
        self.runs.resume_requested.connect(self.resume_run)
        self._show_mode()

    # -- layout --------------------------------------------------------------------------------------------

    def _build_plan_box(self) -> None:
        self.plan_box = QGroupBox("What will be sent")
        self.rows_label = _value("Rows to send")
        self.orders_label = _value("Orders")
        self.cards_label = _value("Cards")
        self.cost_label = _value("Total cost")
        self.balance_after_label = _value("Balance after sending")
        self.planning_busy = busy_bar("Working out the orders and cost")
        plan = QFormLayout(self.plan_box)
        plan.addRow("Rows:", self.rows_label)
        plan.addRow("Orders:", self.orders_label)
        plan.addRow("Cards:", self.cards_label)
        plan.addRow("Total cost:", self.cost_label)
        plan.addRow("Balance after:", self.balance_after_label)
        plan.addRow(self.planning_busy)
        self.plan_message = MessageLabel()
        plan.addRow(self.plan_message)
        self.layout_.addWidget(self.plan_box)

    def _build_run_box(self) -> None:
        self.run_box = QGroupBox("Progress")
        self.run_label = _value("Run")
        self.state_label = _value("State of the run")
        self.state_label.setWordWrap(True)
        self.orders_progress = _bar("Orders answered", "%v of %m orders")
        self.rows_progress = _bar("Rows settled", "%v of %m rows")
        self.rate_label = _value("Throughput")
        self.time_left_label = _value("Time left")
        form = QFormLayout()
        form.addRow("Run:", self.run_label)
        form.addRow("State:", self.state_label)
        form.addRow("Orders:", self.orders_progress)
        form.addRow("Rows:", self.rows_progress)
        form.addRow("Speed:", self.rate_label)
        form.addRow("Time left:", self.time_left_label)

        self.balance_message = MessageLabel()
        self.check_balance_button = push_button(
            "Check the balance &again", "Check the balance again", self.check_balance_again
        )
        self.balance_row = QWidget()
        balance = QHBoxLayout(self.balance_row)
        balance.setContentsMargins(0, 0, 0, 0)
        balance.addWidget(self.balance_message, 1)
        balance.addWidget(self.check_balance_button, 0, Qt.AlignmentFlag.AlignTop)
        self.balance_row.hide()

        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(LOG_LINES)
        self.log.setAccessibleName("What happened so far")
        self.log.setPlaceholderText("What happens during the run appears here.")
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(form)
        top_layout.addWidget(self.balance_row)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.log)
        self.splitter.setStretchFactor(1, 1)
        QVBoxLayout(self.run_box).addWidget(self.splitter)
        self.layout_.addWidget(self.run_box, 1)

    def _build_buttons(self) -> None:
        self.message = MessageLabel()
        self.layout_.addWidget(self.message)
        self.send_button = QPushButton("&Send")
        self.send_button.setAccessibleName("Send the cards")
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.send)
        self.pause_button = push_button("&Pause", "Pause sending", self.pause)
        self.resume_button = push_button("&Resume", "Resume sending", self.resume)
        self.cancel_button = push_button("&Cancel", "Cancel sending", self.cancel)
        self.busy = busy_bar("Working")
        buttons = QHBoxLayout()
        buttons.addWidget(self.busy)
        buttons.addStretch(1)
        for button in (self.send_button, self.pause_button, self.resume_button, self.cancel_button):
            buttons.addWidget(button)
        self.layout_.addLayout(buttons)
        self.plan_stretch = self.layout_.count()
        self.layout_.addStretch(0)

    # -- what the page shows -------------------------------------------------------------------------------

    def opens_on_its_own(self) -> bool:
        """A resumed run is shown here without the Import and Review steps (its workbook is not imported)."""
        return self._run_source is None and self._shows_run()

    @property
    def planning(self) -> bool:
        """The orders and cost of the reviewed rows are being worked out."""
        return self._planning is not None

    @property
    def sending(self) -> bool:
        """A pass is running (sending or following orders), paused or not."""
        return self._submit is not None and self._submit.running

    def _shows_run(self) -> bool:
        """The run, while it goes and afterwards until another workbook is reviewed; else the plan."""
        return self._run_id is not None and (self.sending or self._shown_with is self._imported())

    def _show_mode(self) -> None:
        shows_run = self._shows_run()
        self.plan_box.setVisible(not shows_run)
        self.run_box.setVisible(shows_run)
        self.layout_.setStretch(self.plan_stretch, 0 if shows_run else 1)
        self._update_buttons()

    def _update_buttons(self) -> None:
        shows_run = self._shows_run()
        submit = self._submit if self.sending else None
        working = self._busy_job is not None
        self.send_button.setVisible(not shows_run)
        self.send_button.setEnabled(
            not shows_run
            and not working
            and self._confirming is None
            and self._plan is not None
            and self._plan.fits
        )
        self.pause_button.setVisible(shows_run)
        self.resume_button.setVisible(shows_run)
        self.cancel_button.setVisible(shows_run)
        live = submit is not None and not submit.cancelling
        self.pause_button.setEnabled(live and submit is not None and not submit.paused)
        self.cancel_button.setEnabled(live)
        can_start_again = submit is None and not working and self._run_status in RESUMABLE
        self.resume_button.setEnabled((live and submit is not None and submit.paused) or can_start_again)
        self.check_balance_button.setEnabled(not working and submit is None)

    # -- the plan ------------------------------------------------------------------------------------------

    def page_entered(self) -> None:
        if self._run_id is not None and not self._shows_run():
            self._forget_run()  # another workbook (or a reload) was reviewed since the run was opened
        self._show_mode()
        if not self._shows_run():
            self.prepare_plan()

    def prepare_plan(self) -> None:
        """Work out the orders, cost and balance after for the reviewed rows, in a worker."""
        imported = self._imported()
        connection = self.session.connection
        catalog = self.session.catalog
        self._drop_plan()
        self._show_plan(None)
        if imported is None or connection is None or catalog is None:
            self.plan_message.show_info("Connect, open a workbook and review it first.")
            self._update_buttons()
            return
        if self._planning is not None:
            self._planning.cancel()
        self._plan_attempt += 1
        self.planning_busy.show()
        self._planning = run_in_background(
            self.session.pool,
            partial(make_plan, imported.result, catalog, self.session.settings, connection.client),
            with_cancel=True,
            on_success=partial(self._planned, self._plan_attempt, imported),
            on_failure=partial(self._plan_failed, self._plan_attempt),
        )
        self._update_buttons()

    def _drop_plan(self) -> None:
        """Forget the plan; a worker frees it, order by order (freeing a plan of 30,000 rows at once, here,
        stood the GUI thread still for 87 ms)."""
        if self._plan is not None:
            parcel: list[Any] = [self._plan]
            self._plan = None
            run_in_background(self.session.pool, partial(release_in_pieces, parcel, SendPlan.bulk))

    def _planned(self, attempt: int, imported: ImportedWorkbook, planned: SendPlan) -> None:
        if attempt != self._plan_attempt:
            return
        self._planning = None
        self.planning_busy.hide()
        if imported is not self._imported():
            self.prepare_plan()  # another workbook was reviewed while the plan was worked out
            return
        self._plan = planned
        self._show_plan(planned)
        self._update_buttons()

    def _plan_failed(self, attempt: int, error: BaseException) -> None:
        if attempt != self._plan_attempt:
            return
        self._planning = None
        self.planning_busy.hide()
        self._show_error(self.plan_message, error)
        self._update_buttons()

    def _show_plan(self, planned: SendPlan | None) -> None:
        self.plan_message.clear()
        if planned is None:
            for label in (
                self.rows_label,
                self.orders_label,
                self.cards_label,
                self.cost_label,
                self.balance_after_label,
            ):
                label.setText(NOT_KNOWN)
            self.send_button.setText("&Send")
            return
        plan = planned.plan
        rows = plural(plan.row_count, "row")
        if plan.skipped:
            rows += f" ({plural(len(plan.skipped), 'row')} with errors left out)"
        self.rows_label.setText(rows)
        self.orders_label.setText(
            f"{plural(len(plan.orders), 'order')} ({plural(plan.row_count, 'line item')}, at most "
            f"{planned.max_line_items} per order)"
        )
        self.cards_label.setText(f"{plan.card_count:,}")
        self.cost_label.setText(
            ", ".join(format_money(amount, currency) for currency, amount in plan.costs.items())
        )
        self._show_balance_after(planned.check)
        notes = []
        if planned.blocked_rows:
            notes.append(
                f"{plural(planned.blocked_rows, 'row')} left out: already paid by an earlier run, or "
                "repeating a row of this file. To send one anyway, choose Pay again for it in Review."
            )
        if planned.paid_again_rows:
            notes.append(
                f"{plural(planned.paid_again_rows, 'row')} paid again on purpose (the reason is kept with "
                "the run)."
            )
        if planned.check is not None and not planned.check.fits:
            self.plan_message.show_error(
                f"The balance does not cover this run: {planned.check.describe_shortfall()}. Add funds in the "
                "vendor's portal, then come back to this step."
            )
        elif notes:
            self.plan_message.show_warning(" ".join(notes))
        costs = ", ".join(format_money(amount, currency) for currency, amount in plan.costs.items())
        self.send_button.setText(f"&Send {plural(plan.row_count, 'row')} for {costs}")

    def _show_balance_after(self, check: BalanceCheck | None) -> None:
        if check is None:
            self.balance_after_label.setText("Not reported by this vendor; check it in the vendor's portal.")
            return
        text = (
            f"{format_money(check.balance_after, check.currency)} "
            f"({format_money(check.available, check.currency)} available)"
        )
        for currency, amount in check.unchecked.items():
            text += f"; {format_money(amount, currency)} charged in {check.currency} at the vendor's rate"
        self.balance_after_label.setText(text)

    # -- sending -------------------------------------------------------------------------------------------

    def send(self) -> None:
        """Ask first: the balance is read again, the rows checked again against the journal, and the modal
        confirmation shown (`SendConfirmDialog`); only its Send stores the plan and sends it."""
        connection, catalog, planned = self.session.connection, self.session.catalog, self._plan
        if planned is None or connection is None or catalog is None or self._busy_job or self._confirming:
            return
        self.message.clear()
        self.plan_message.clear()
        runs, client = self.runs, connection.client
        limit = Decimal(str(self.session.settings.spending_limit))
        account = self.session.account
        self._start_job(
            lambda: prepare_confirmation(runs.journal(), planned, catalog, client, spending_limit=limit),
            partial(self._ask, planned, account),
            self._not_confirmable,
        )

    def _ask(self, planned: SendPlan, account: AccountCheck | None, prepared: Prepared) -> None:
        confirmation, balance, at = prepared
        if account is not None:
            self.session.set_balance(account, balance, at)  # every page shows the figure just read
        if planned is not self._plan:
            return  # the plan was made again meanwhile: the user confirms the new one
        self._show_balance_after(confirmation.balance)
        if confirmation.balance is not None and not confirmation.balance.fits:
            self._show_error(self.plan_message, BalanceShortError(confirmation.balance))
            self._drop_plan()
            self._update_buttons()
            return
        dialog = SendConfirmDialog(confirmation, self.window())
        dialog.finished.connect(partial(self._answered, dialog, planned))
        self._confirming = dialog
        self._update_buttons()
        dialog.open()

    def _answered(self, dialog: SendConfirmDialog, planned: SendPlan, result: int) -> None:
        self._confirming = None
        dialog.deleteLater()
        if result == QDialog.DialogCode.Accepted and planned is self._plan:
            self._store()
        else:
            self.status_posted.emit("Nothing was sent.")
        self._update_buttons()

    def _not_confirmable(self, error: BaseException) -> None:
        if isinstance(error, PaymentsTaken):
            self._rows_taken(error)
            return
        self._show_error(self.plan_message, error)

    def _rows_taken(self, error: PaymentsTaken) -> None:
        """Another run paid rows of this plan meanwhile: nothing was sent; Review checks the rows again."""
        self._show_error(self.plan_message, error)
        self._drop_plan()
        self._update_buttons()
        self.session.request_revalidation()

    def _store(self) -> None:
        """Store the confirmed plan in the journal (after checking the balance again), then send it.

        The plan goes to the storing job, which frees it once stored (see `_drop_plan`), or hands it back.
        """
        imported, connection = self._imported(), self.session.connection
        if self._plan is None or imported is None or connection is None or self._busy_job is not None:
            return
        self.message.clear()
        runs, settings, client = self.runs, self.session.settings, connection.client
        profile = connection.profile.name
        shape = self._plan.shape
        parcel: list[Any] = [self._plan]  # the only reference from here on: not freed on this thread
        self._plan = None

        def store() -> str:
            run_id = store_run(
                runs.journal(),
                parcel[0],
                workbook=imported.path,
                profile=profile,
                settings=settings,
                client=client,
            )
            release_in_pieces(parcel, SendPlan.bulk)
            return run_id

        self._start_job(store, partial(self._stored, imported, shape), partial(self._store_failed, parcel))

    def _stored(self, imported: ImportedWorkbook, shape: tuple[int, int, int], run_id: str) -> None:
        orders, rows, skipped = shape
        self.runs.remember_source(run_id, imported)
        start = Progress(run_id, 0, orders, skipped, rows + skipped)
        self._open_run(run_id, imported, start, skipped)
        self.status_posted.emit(f"Run {run_id} stored; sending.")
        self._start_pass()

    def _store_failed(self, parcel: list[Any], error: BaseException) -> None:
        self._plan = parcel.pop()
        if isinstance(error, PaymentsTaken):
            self._rows_taken(error)
            return
        if isinstance(error, BalanceShortError):
            self._show_balance_after(error.check)
            self._drop_plan()  # the plan no longer fits: Send stays off until the balance is checked again
        self._show_error(self.plan_message, error)
        self._update_buttons()

    def resume_run(self, run_id: str) -> None:
        """Send what the run has left (asked at start or from History); its plan is never made again."""
        if self.sending:
            self.status_posted.emit("Another run is being sent; resume this one when it has finished.")
            return
        runs = self.runs
        self._start_job(
            lambda: load_summary(runs.journal(), run_id), self._resume_loaded, self._resume_failed
        )

    def _resume_failed(self, error: BaseException) -> None:
        if isinstance(error, GiftbatchError):
            self._refuse_resume(error.message)
        else:
            report_unexpected(error)

    def _resume_loaded(self, summary: RunSummary) -> None:
        profile = self.session.profile
        if profile is None or profile.name != summary.profile:
            self._refuse_resume(
                f"Run {summary.id} was sent from the profile '{summary.profile}'. Connect to it in the Connect "
                "step, then resume the run from History."
            )
            return
        if not summary.can_resume:
            self._refuse_resume(f"Run {summary.id} has nothing left to send.")
            return
        source = self.runs.source_of(summary.id)
        source = source if source is self._imported() else None
        self._open_run(summary.id, source, summary.progress(), summary.skipped)
        self.show_requested.emit()
        self._start_pass()

    def _refuse_resume(self, reason: str) -> None:
        """Said where the user is (History, or the start-up offer) as well as here."""
        self.message.show_error(reason)
        self.status_posted.emit(reason)

    def _open_run(self, run_id: str, source: ImportedWorkbook | None, start: Progress, skipped: int) -> None:
        """Show this run (sent from `source`, or resumed when None) from now on, with a fresh log.

        `start` is where it stands; rows left out for errors (`skipped`) are kept out of the rows bar.
        """
        self._run_id = run_id
        self._run_source = source
        self._shown_with = self._imported()
        self._run_status = None
        self._progress = start
        self._skipped = skipped
        self.log.clear()
        self.balance_row.hide()
        self.run_label.setText(run_id)
        self._refresh()
        self.runs.set_current(run_id, on_its_own=source is None)
        self.set_complete(False)
        self._show_mode()

    def _forget_run(self) -> None:
        if self._run_source is None and self.runs.current == self._run_id:
            self.runs.set_current(None)
        self._run_id = None
        self._run_source = None
        self._shown_with = None
        self._run_status = None
        self.set_complete(False)

    def _start_pass(self) -> None:
        connection = self.session.connection
        if self._run_id is None or connection is None:
            return
        settings = self.session.settings
        submit = SubmitWorker(
            self.runs.journal,
            connection.client,
            self._run_id,
            concurrency=settings.concurrency,
            webhook=settings.webhook,
            parent=self,
        )
        submit.event_emitted.connect(self._event)
        submit.finished.connect(partial(self._pass_ended, submit))
        submit.failed.connect(partial(self._pass_failed, submit))
        self._submit = submit
        self._run_status = RunStatus.RUNNING
        self._pace.reset()
        self.message.clear()
        self.balance_row.hide()
        self.state_label.setText("Sending…")
        submit.start(self.session.pool)
        self.refresh_timer.start()
        self._grid_editable(False)
        self._show_mode()

    def pause(self) -> None:
        if self._submit is not None and self.sending:
            self._submit.pause()
            self.state_label.setText("Pausing: orders already sent are being answered…")
            self._update_buttons()

    def resume(self) -> None:
        if self._submit is not None and self.sending:
            self._submit.resume()
            self.state_label.setText("Sending…")
            self._update_buttons()
        elif self._run_status in RESUMABLE:
            self._start_pass()

    def cancel(self) -> None:
        if self._submit is not None and self.sending:
            self._submit.cancel()
            self.state_label.setText(
                "Cancelling: waiting for the answers to the orders already sent. Nothing is lost."
            )
            self._update_buttons()

    # -- events --------------------------------------------------------------------------------------------

    def _event(self, event: EngineEvent) -> None:
        if isinstance(event, RowStatusChanged):
            for change in event.rows:
                self._pending_rows[change.key] = ResultStatus[change.status.name].value
            return
        if isinstance(event, Progress):
            self._progress = event
            return
        if isinstance(event, RunPaused):
            self.state_label.setText(event.reason)
        elif isinstance(event, RunResumed):
            self.state_label.setText("Sending…")
        elif isinstance(event, BalanceShort):
            self._show_shortfall(event)
        line = describe_event(event)
        if line:
            self._pending_log.append(line)

    def _refresh(self) -> None:
        """Redraw the progress, speed and log, and pass row statuses to the grid, a few times a second."""
        if self._pending_log:
            self.log.appendPlainText("\n".join(self._pending_log))
            self._pending_log.clear()
        if self._pending_rows:
            self._show_row_statuses(self._pending_rows)
            self._pending_rows = {}
        progress = self._progress
        if progress is None:
            return
        rows_done, rows_total = progress.rows_done - self._skipped, progress.rows_total - self._skipped
        _set_bar(self.orders_progress, progress.orders_done, progress.orders_total)
        _set_bar(self.rows_progress, rows_done, rows_total)
        self._pace.add(rows_done)
        rate = self._pace.rows_per_second()
        self.rate_label.setText(NOT_KNOWN if rate is None else f"{rate:,.1f} rows/s")
        left = self._pace.seconds_left(rows_total - rows_done)
        if rows_done >= rows_total:
            self.time_left_label.setText("none")
        else:
            self.time_left_label.setText(NOT_KNOWN if left is None else time_left_words(left))

    def _show_shortfall(self, event: BalanceShort) -> None:
        line = describe_event(event) or "The balance ran short."
        self.balance_message.show_error(f"{line} Add funds in the vendor's portal, then resume the run.")
        self.balance_row.show()

    def _pass_ended(self, submit: SubmitWorker, end: RunFinished) -> None:
        self.session.refresh_balance()  # what the run spent shows on every page, not the old figure
        self._refresh()
        self.refresh_timer.stop()
        self._run_status = end.status
        self.state_label.setText(describe_event(end) or end.message)
        if end.status is RunStatus.COMPLETED:
            self.time_left_label.setText("none")
        self._after_pass(submit)
        self.status_posted.emit(f"Run {end.run_id}: {end.message}")

    def _pass_failed(self, submit: SubmitWorker, error: BaseException) -> None:
        self.session.refresh_balance()
        self._refresh()
        self.refresh_timer.stop()
        self._run_status = RunStatus.INTERRUPTED
        self.state_label.setText("Stopped before the end. Nothing is lost: resume the run to carry on.")
        self._after_pass(submit)
        self._show_error(self.message, error)

    def _after_pass(self, submit: SubmitWorker) -> None:
        if submit is self._submit:
            self._submit = None
        self._grid_editable(True)
        submit.deleteLater()
        self.set_complete(True)
        if self._run_id is not None:
            self.runs.updated(self._run_id)
        self._show_mode()
        if self._closing is not None:
            self._closing.close()
            self._closing = None
            self.window().close()

    # -- balance short -------------------------------------------------------------------------------------

    def check_balance_again(self) -> None:
        connection, run_id, runs = self.session.connection, self._run_id, self.runs
        if run_id is None or connection is None:
            return
        client = connection.client
        self._start_job(
            lambda: check_remaining(runs.journal(), run_id, client),
            self._balance_checked,
            partial(self._show_error, self.balance_message),
        )

    def _balance_checked(self, check: BalanceCheck | None) -> None:
        if check is None:
            self.balance_message.show_info(
                "This vendor does not report the balance; resume when funds are in."
            )
        elif check.fits:
            self.balance_message.show_info(
                f"The balance is {format_money(check.available, check.currency)}; the rest of the run needs "
                f"{format_money(check.needed, check.currency)}. Press Resume to send it."
            )
        else:
            self.balance_message.show_error(
                f"Still short: {check.describe_shortfall()}. Add funds in the vendor's portal, then check again."
            )

    # -- resuming at start ---------------------------------------------------------------------------------

    def _connection_changed(self) -> None:
        profile = self.session.profile
        if profile is None or profile.name in self._offered_for or self.sending:
            return
        self._offered_for.add(profile.name)
        runs, name = self.runs, profile.name
        run_in_background(
            self.session.pool,
            lambda: run_to_offer(runs.journal(), name),
            on_success=self._offer_resume,
            on_failure=partial(self._show_error, self.message),
        )

    def _offer_resume(self, summary: RunSummary | None) -> None:
        if summary is None or self.sending or self.resume_offer is not None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question, "Resume a run?", summary.resume_question(), parent=self.window()
        )
        box.setInformativeText(
            "Orders already sent are never sent again: only what is left goes out. You can also resume it "
            "later from History."
        )
        resume = box.addButton("&Resume it", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("&Not now", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(resume)
        box.finished.connect(partial(self._offer_answered, box, resume, summary.id))
        self.resume_offer = box
        box.open()

    def _offer_answered(self, box: QMessageBox, resume: QPushButton, run_id: str, _result: int) -> None:
        self.resume_offer = None
        box.deleteLater()
        if box.clickedButton() is resume:
            self.resume_run(run_id)

    # -- closing -------------------------------------------------------------------------------------------

    def confirm_close(self) -> bool:
        """While a run goes: pause it first (no order leaves while the question is open), then ask; on yes,
        stop it paused and close once the requests in flight are answered; on no, carry on as before."""
        submit = self._submit if self.sending else None
        if submit is None:
            return True
        if self._closing is not None:
            return False
        was_paused = submit.paused
        submit.pause()
        self.state_label.setText("Paused while you decide whether to close.")
        self._update_buttons()
        answer = QMessageBox.question(
            self.window(),
            "Close Giftbatch?",
            CLOSE_QUESTION,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes or not self.sending or self._submit is not submit:
            if not was_paused and self.sending and self._submit is submit:
                self.resume()
            return not self.sending
        submit.stop_paused()
        self._closing = QProgressDialog(
            "Pausing the run: waiting for the answers to the orders already sent…", "", 0, 0, self.window()
        )
        self._closing.setWindowTitle("Pausing")
        self._closing.setCancelButton(None)  # no cancel: this wait is what keeps the run safe
        self._closing.setMinimumDuration(0)
        self._closing.setWindowModality(Qt.WindowModality.WindowModal)
        self._closing.show()
        return False

    def shut_down(self) -> None:
        for job in (self._planning, self._busy_job):
            if job is not None:
                job.cancel()
        if self._confirming is not None:
            self._confirming.reject()
        if self._submit is not None:
            self._submit.stop_paused()
        self.refresh_timer.stop()

    def save_view_state(self, store: QSettings) -> None:
        store.setValue("splitter", self.splitter.saveState())

    def restore_view_state(self, store: QSettings) -> None:
        state = store.value("splitter")
        if state is not None:
            self.splitter.restoreState(state)

    # -- helpers -------------------------------------------------------------------------------------------

    def _start_job(
        self,
        job: Callable[[], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None],
    ) -> None:
        """Run a short job (store, load, check) with the busy bar; the callbacks run once it has ended."""
        self.busy.show()
        self._busy_job = run_in_background(
            self.session.pool,
            job,
            on_success=partial(self._job_ended, on_success),
            on_failure=partial(self._job_ended, on_failure),
        )
        self._update_buttons()

    def _job_ended(self, then: Callable[[Any], None], value: Any) -> None:
        self._end_job()
        then(value)

    def _end_job(self) -> None:
        self._busy_job = None
        self.busy.hide()
        self._update_buttons()

    def _show_error(self, where: MessageLabel, error: BaseException) -> None:
        if isinstance(error, GiftbatchError):
            where.show_error(error.message)
        else:
            report_unexpected(error)

    def _imported(self) -> ImportedWorkbook | None:
        return self.session.imported

    def _show_row_statuses(self, statuses: Mapping[str, str]) -> None:
        """Into the Review grid, when it shows the workbook this run was sent from."""
        model = self.session.recipient_model
        if self._run_source is not None and model.workbook is self._run_source:
            model.set_row_statuses(statuses)

    def _grid_editable(self, editable: bool) -> None:
        """The rows being sent are not edited meanwhile: what the grid shows is what goes out."""
        model = self.session.recipient_model
        if self._run_source is not None and model.workbook is self._run_source:
            model.set_editable(editable)


def _value(accessible_name: str) -> QLabel:
    label = QLabel(NOT_KNOWN)
    label.setAccessibleName(accessible_name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _bar(accessible_name: str, text: str) -> QProgressBar:
    bar = QProgressBar()
    bar.setAccessibleName(accessible_name)
    bar.setFormat(text)
    bar.setRange(0, 1)
    bar.setValue(0)
    return bar


def _set_bar(bar: QProgressBar, done: int, total: int) -> None:
    bar.setRange(0, max(total, 1))
    bar.setValue(min(done, max(total, 1)))
