"""Nobody is paid twice across runs, from outside: `giftbatch submit` processes against a sandbox's ledger.

The same workbook sent twice, then with new hires and --skip-invalid; rows repeated in the file; paying a
row again on purpose (and the journal's record of it); two submits started at the same moment.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import xlsxwriter

from app.engine.states import RowStatus
from tests.engine import test_submit_cli
from tests.engine.helpers import ledger_lines
from tests.engine.test_submit_cli import ROOT, _env, giftbatch, journal_of, json_lines, use_profile

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the CLI's signals are POSIX here")


# The sandbox process of test_submit_cli, which a user's scheduled job and app would both reach.
quiet_sandbox = test_submit_cli.quiet_sandbox


def hires(path: Path, people: list[str], *, repeat: tuple[int, ...] = ()) -> Path:
    """A sheet of new hires, one CVS 10 USD card each; `repeat` copies those data rows (1-based) at the end."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Hires")
    sheet.write_row(0, 0, ["Name", "Email", "Product", "Value"])
    rows = [[name, f"{name.lower()}@example.com", "CVS", 10] for name in people]
    rows += [rows[n - 1] for n in repeat]
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, row)
    book.close()
    return path


def paid(base_url: str, home: Path) -> Counter[str]:
    """Cards the vendor's ledger holds, by the email address the journal's row for that line item sent to."""
    journal = journal_of(home)
    emails = {
        (row.po_number, row.key): row.data["DigitalDeliveryAddress"]["Email"]
        for run in journal.runs()
        for row in journal.rows(run.id)
        if row.po_number
    }
    return Counter(emails[(line["PONumber"], line["ExternalId"])] for line in ledger_lines(base_url))


TEAM = ["Ana", "Bo", "Cy", "Di", "Ed", "Flo"]


def test_the_same_workbook_again_pays_nobody_and_new_hires_alone_are_paid(
    giftbatch_home: Path, quiet_sandbox: str, tmp_path: Path
) -> None:
    use_profile(giftbatch_home, quiet_sandbox)
    book = hires(tmp_path / "q4.xlsx", TEAM)
    first = giftbatch("submit", str(book), "--yes")
    assert first.returncode == 0, first.stderr
    assert paid(quiet_sandbox, giftbatch_home) == Counter({f"{n.lower()}@example.com": 1 for n in TEAM})

    again = giftbatch("submit", str(book), "--yes")  # a scheduled job that ran twice
    assert again.returncode == 2
    assert (
        "nothing was sent" in again.stderr and "6 rows pay what an earlier run already paid" in again.stderr
    )
    assert "already got CVS 10 USD in run" in again.stderr
    quietly = giftbatch("submit", str(book), "--yes", "--json")
    assert quietly.returncode == 2
    assert [e["code"] for e in json_lines(quietly.stdout)] == ["duplicate.earlier_run"] * 6
    assert (
        all(n == 1 for n in paid(quiet_sandbox, giftbatch_home).values())
        and len(ledger_lines(quiet_sandbox)) == 6
    )

    grown = hires(tmp_path / "q4.xlsx", [*TEAM, "Gus", "Hal"])
    more = giftbatch("submit", str(grown), "--yes", "--skip-invalid")
    assert more.returncode == 1  # sent, but rows of the workbook were blocked: a script must notice
    assert "Not sent: 6 rows pay what an earlier run already paid" in more.stderr
    assert paid(quiet_sandbox, giftbatch_home) == Counter(
        {f"{n.lower()}@example.com": 1 for n in [*TEAM, "Gus", "Hal"]}
    )
    run_id = journal_of(giftbatch_home).runs()[0].id
    assert journal_of(giftbatch_home).row_counts(run_id) == {RowStatus.COMPLETED: 2, RowStatus.SKIPPED: 6}


def test_a_row_repeated_in_the_file_is_paid_once(
    giftbatch_home: Path, quiet_sandbox: str, tmp_path: Path
) -> None:
    use_profile(giftbatch_home, quiet_sandbox)
    book = hires(tmp_path / "twice.xlsx", ["Ana", "Bo"], repeat=(1,))
    refused = giftbatch("submit", str(book), "--yes")
    assert refused.returncode == 2 and "Row 4 repeats row 2 cell for cell" in refused.stderr
    sent = giftbatch("submit", str(book), "--yes", "--skip-invalid")
    assert sent.returncode == 1
    assert paid(quiet_sandbox, giftbatch_home) == Counter({"ana@example.com": 1, "bo@example.com": 1})


def test_paying_a_row_again_takes_the_rows_and_a_reason_and_is_kept_with_who_chose_it(
    giftbatch_home: Path, quiet_sandbox: str, tmp_path: Path
) -> None:
    use_profile(giftbatch_home, quiet_sandbox)
    book = hires(tmp_path / "q4.xlsx", TEAM)
    assert giftbatch("submit", str(book), "--yes").returncode == 0

    no_reason = giftbatch("submit", str(book), "--yes", "--pay-again", "3")
    assert no_reason.returncode == 2 and "--pay-again needs --reason" in no_reason.stderr
    not_a_row = giftbatch("submit", str(book), "--yes", "--pay-again", "3x", "--reason", "lost card")
    assert not_a_row.returncode == 2 and "is not a row" in not_a_row.stderr
    only_skip = giftbatch("submit", str(book), "--yes", "--skip-invalid")
    assert only_skip.returncode == 2 and "There is no valid row to send" in only_skip.stderr

    reason = "Bo's first card was sent to an old address"
    again = giftbatch(
        "submit", str(book), "--yes", "--skip-invalid", "--pay-again", "Hires!3", "--reason", reason
    )
    assert again.returncode == 1, again.stderr  # five rows still blocked
    assert paid(quiet_sandbox, giftbatch_home)["bo@example.com"] == 2
    assert sum(paid(quiet_sandbox, giftbatch_home).values()) == 7
    journal = journal_of(giftbatch_home)
    run_id = journal.runs()[0].id
    (record,) = journal.paid_again(run_id).values()
    assert (record.key, record.reason) == ("Hires!3", reason) and record.os_user
    assert "bo@example.com already got CVS 10 USD in run" in record.overrides

    export = tmp_path / "results.xlsx"
    assert giftbatch("export", run_id, "--out", str(export)).returncode == 0
    from openpyxl import load_workbook  # noqa: PLC0415 (only this test reads the export back)

    results = load_workbook(export, read_only=True)["Results"]
    rows = [list(r) for r in results.iter_rows(values_only=True)]
    column = rows[0].index("Paid Again")
    noted = [r[column] for r in rows[1:] if r[column]]
    assert len(noted) == 1 and reason in noted[0] and record.os_user in noted[0]


def test_of_two_submits_started_together_exactly_one_pays(
    giftbatch_home: Path, quiet_sandbox: str, tmp_path: Path
) -> None:
    use_profile(giftbatch_home, quiet_sandbox)
    book = hires(tmp_path / "q4.xlsx", [f"P{n}" for n in range(120)])
    command = [sys.executable, "-m", "app", "submit", str(book), "--yes"]
    both = [
        subprocess.Popen(
            command, cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    ends = [process.communicate(timeout=240) for process in both]
    codes = sorted(process.returncode for process in both)
    assert codes[0] == 0 and codes[1] != 0, ends
    loser = ends[[p.returncode for p in both].index(codes[1])][1]
    assert "already paid" in loser or "pay what an earlier run already paid" in loser
    assert paid(quiet_sandbox, giftbatch_home) == Counter({f"p{n}@example.com": 1 for n in range(120)})
    assert len(journal_of(giftbatch_home).runs()) == 1
