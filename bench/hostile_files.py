"""Hostile files against `giftbatch validate`: exit status, time and peak memory of each, in its own process.

Run: .venv/bin/python bench/hostile_files.py [--only NAME ...] [--timeout 300]

Each case is built in a temporary folder and checked by `python -m app validate FILE` in a fresh process
(its own GIFTBATCH_HOME); peak memory is the child's ru_maxrss from wait4. A case that outlives the timeout
is killed and shown as such. The bar (issue 12): a file under 10 MB on disk peaks under 1 GB or is refused
early with one clear line and exit status 2; nothing hangs, nothing aborts.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.workbook import hostile_books as books  # noqa: E402


@dataclass
class Outcome:
    rc: int | str
    seconds: float
    peak_mb: float
    said: str


def run_validate(args: list[str], home: Path, timeout: float, cap_gb: float) -> Outcome:
    """`python -m app validate ARGS` in its own process; its peak memory from wait4. Its address space is
    capped at `cap_gb` so that a runaway case cannot take the machine down with it."""

    def cap() -> None:
        limit = int(cap_gb * (1 << 30))
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = {
        **os.environ,
        "GIFTBATCH_HOME": str(home),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    err = home / "stderr.txt"
    home.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with err.open("wb") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-m", "app", "validate", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
            preexec_fn=cap,  # noqa: PLW1509 — no threads in this process yet that could hold a lock
        )
        timer = threading.Timer(timeout, lambda: os.killpg(child.pid, signal.SIGKILL))
        timer.start()
        _, status, usage = os.wait4(child.pid, 0)
        timer.cancel()
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    rc: int | str = child.returncode
    if child.returncode == -signal.SIGKILL and seconds >= timeout:
        rc = f"killed at {timeout:.0f}s"
    lines = [line for line in err.read_text(errors="replace").splitlines() if line.strip()]
    said = lines[0] if lines else ""
    if len(lines) > 1:
        said += f"  (+{len(lines) - 1} more lines)"
    return Outcome(rc, seconds, usage.ru_maxrss / 1024, said)


def plain_workbook(path: Path, with_error: bool = True) -> Path:
    """A small ordinary workbook; with an error cell so `--report` has something to write."""
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c><c r="B1" t="inlineStr"><is><t>Product' \
        '</t></is></c><c r="C1" t="inlineStr"><is><t>Value</t></is></c></row>'  # fmt: skip
    email = "not-an-address" if with_error else "ana@example.com"
    rows += (
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>{email}</t></is></c><c r="B2" t="inlineStr"><is><t>CVS'
        '</t></is></c><c r="C2"><v>25</v></c></row>'
    )
    return books.write_xlsx(path, [books.sheet_xml(rows)])


# Each case: name, what it is, and a function that builds it in a folder and returns validate's arguments
# plus a check of the aftermath (None when there is nothing to check).
Case = tuple[str, str, Callable[[Path], tuple[list[str], Callable[[], str] | None]]]


def _file(build: Callable[[Path], Path], name: str) -> Callable[[Path], tuple[list[str], None]]:
    def make(folder: Path) -> tuple[list[str], None]:
        return [str(build(folder / name))], None

    return make


def _fifo(folder: Path) -> tuple[list[str], None]:
    path = folder / "pipe.xlsx"
    os.mkfifo(path)
    return [str(path)], None


def _dev_zero(folder: Path) -> tuple[list[str], None]:
    path = folder / "zero.xlsx"
    path.symlink_to("/dev/zero")
    return [str(path)], None


def _report_over_input(via_link: bool) -> Callable[[Path], tuple[list[str], Callable[[], str]]]:
    """`validate X --report X --force`, X spelt differently (folder/./X), or reached through a symlink."""

    def make(folder: Path) -> tuple[list[str], Callable[[], str]]:
        path = plain_workbook(folder / "mine.xlsx")
        target = folder / "." / "mine.xlsx"
        if via_link:
            target = folder / "link.xlsx"
            target.symlink_to(path)
        before = hashlib.sha256(path.read_bytes()).hexdigest()

        def check() -> str:
            same = hashlib.sha256(path.read_bytes()).hexdigest() == before
            kept = "input kept" if same else "INPUT REPLACED"
            return f"{kept}, link kept" if via_link and target.is_symlink() else kept

        return [str(path), "--report", str(target), "--force"], check

    return make


def _growing_csv(folder: Path) -> tuple[list[str], Callable[[], str]]:
    """A CSV another program is still writing: a line every 50 ms for 3 s, validated after 0.5 s."""
    path = folder / "growing.csv"
    path.write_text("Email,Product,Value\n")
    stop = threading.Event()

    def writer() -> None:
        with path.open("a") as out:
            for i in range(60):
                if stop.is_set():
                    return
                out.write(f"p{i}@example.com,CVS,25\n")
                out.flush()
                time.sleep(0.05)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    time.sleep(0.5)

    def check() -> str:
        stop.set()
        thread.join()
        return "writer finished"

    return [str(path)], check


def _merges(path: Path) -> Path:
    """Three recipients and 20,000 overlapping merged ranges a million rows tall."""
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>p{r}@example.com</t></is></c><c r="B{r}"><v>5</v></c></row>'
        for r in range(2, 5)
    )
    merges = '<mergeCells count="20000">' + '<mergeCell ref="A2:A1048576"/>' * 20_000 + "</mergeCells>"
    cells = f'<row r="1">{books.HEADER_CELLS}</row>{rows}'
    return books.write_xlsx(path, [books.sheet_xml(cells).replace("</sheetData>", "</sheetData>" + merges)])


_ODS_REPEATED = (
    '<table:table-row table:number-rows-repeated="1048575"><table:table-cell office:value-type="float" '
    'office:value="1" table:number-columns-repeated="16384"><text:p>1</text:p></table:table-cell></table:table-row>'
)
_ODS_SPACES = (
    '<table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="1000000000"/>'
    "</text:p></table:table-cell></table:table-row>"
)

CASES: list[Case] = [
    ("xfd", "one cell at XFD1048576 (plus a header)", _file(lambda p: books.far_cell(p, "XFD1048576"), "x.xlsx")),
    ("gr", "one cell at GR1048576 (plus a header)", _file(lambda p: books.far_cell(p, "GR1048576"), "g.xlsx")),
    ("sst-bomb", "shared strings expanding to 3 GB", _file(lambda p: books.shared_strings_bomb(p, 3 << 30), "s.xlsx")),
    ("sst-copies", "a 10,000-letter string in 100,000 cells",
     _file(lambda p: books.repeated_string(p, 10_000, 100_000), "c.xlsx")),
    ("unclosed", "60,000 error cells never closed", _file(lambda p: books.unclosed_errors(p, 60_000), "u.xlsx")),
    ("formulas-20k", "20,000 recipients with a formula column (one result missing)",
     _file(lambda p: books.recipients(p, 20_000, formulas=True, missing_results=[4]), "f.xlsx")),
    ("sparse-accepted", "one cell at Z400000: the largest box a small file may ask for",
     _file(lambda p: books.far_cell(p, "Z400000"), "z.xlsx")),
    ("merges", "20,000 overlapping merged ranges a million rows tall", _file(_merges, "m.xlsx")),
    ("ods-repeated", "an .ods cell repeated 16,384 across, its row a million down",
     _file(lambda p: books.write_ods(p, _ODS_REPEATED), "r.ods")),
    ("ods-spaces", "an .ods cell of a billion spaces written as one element",
     _file(lambda p: books.write_ods(p, _ODS_SPACES), "s.ods")),
    ("fifo", "a FIFO named .xlsx", _fifo),
    ("dev-zero", "a symlink to /dev/zero named .xlsx", _dev_zero),
    ("growing-csv", "a CSV still being written", _growing_csv),
    ("report-over-input", "validate X --report ./X --force", _report_over_input(via_link=False)),
    ("report-via-link", "validate X --report LINK --force, LINK a symlink to X", _report_over_input(via_link=True)),
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these cases")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--cap-gb", type=float, default=8, help="address space each case may use (GB)")
    args = parser.parse_args()
    print(f"{'case':<18} {'on disk':>9} {'exit':>14} {'time':>8} {'peak MB':>8}  first line of stderr")
    for name, what, make in CASES:
        if args.only and name not in args.only:
            continue
        folder = Path(tempfile.mkdtemp(prefix=f"hostile-{name}-"))
        try:
            argv, check = make(folder)
            target = Path(argv[0])
            size = target.stat().st_size if target.is_file() else 0
            outcome = run_validate(argv, folder / "home", args.timeout, args.cap_gb)
            after = f" [{check()}]" if check else ""
            print(
                f"{name:<18} {size / 1024:>7.1f}KB {outcome.rc!s:>14} {outcome.seconds:>7.2f}s "
                f"{outcome.peak_mb:>8.0f}  {outcome.said[:150]}{after}",
                flush=True,
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        print(f"{'':<18} ({what})", flush=True)


if __name__ == "__main__":
    main()
