"""`giftbatch track` follows what was sent and never sends: a run with unsent orders is not called done."""

from __future__ import annotations

import pytest

from app.cli import main
from app.config.paths import AppPaths
from app.engine.journal import SubmissionJournal
from app.engine.states import RowStatus
from tests.engine.helpers import digital_row, make_plan, sandbox_catalog, store


def test_track_over_a_run_never_sent_exits_unfinished_with_the_resume_hint(
    capsys: pytest.CaptureFixture[str], app_paths: AppPaths
) -> None:
    journal = SubmissionJournal(app_paths.journal_file)
    run_id = store(journal, make_plan([digital_row(i) for i in range(1, 4)], sandbox_catalog()))
    journal.close()

    code = main(["track", run_id])

    out = capsys.readouterr().out
    assert code == 3
    assert f"Run {run_id}: interrupted. 1 order is not sent yet; resume the run." in out
    assert f"Nothing is lost. Finish it with: giftbatch resume {run_id}" in out
    journal = SubmissionJournal(app_paths.journal_file)
    assert journal.row_counts(run_id) == {RowStatus.QUEUED: 3}  # nothing was sent
    journal.close()
