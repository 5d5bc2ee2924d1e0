"""Any XML in a workbook's parts: reading it ends within seconds and within memory, with rows or a message.

Hypothesis writes the sheet, its shared strings and the workbook part — cells anywhere up to XFD1048576,
every cell type, formulas with and without results, hidden rows, merges, wrong dimensions, broken tags,
bytes spliced in at random — and a worker process reads each workbook under a hard memory limit
(RLIMIT_AS) while this test times it. A case that crashes the worker (a Rust abort, a MemoryError), takes
longer than its time limit, or ends in anything but rows or a WorkbookError fails, with the case shown.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.workbook.sheet_span import cell_name
from tests.workbook import hostile_books as books

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_AS and select on pipes are POSIX")

ROOT = Path(__file__).resolve().parents[2]
SECONDS_PER_CASE = 10.0
MEMORY_LIMIT = 2 << 30  # address space of the worker: a blow-up fails fast instead of taking the machine
PEAK_LIMIT_MB = 1024  # resident memory the worker may ever reach: the bar for a file under 10 MB

WORKER = """
import json, resource, sys, traceback
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from app.workbook import sources
from app.workbook.errors import WorkbookError
from app.workbook.reader import read_workbook
sources.SETTLE_SECONDS = 0  # each file is written whole before it is named here
for line in sys.stdin:
    try:
        read = read_workbook(line.strip())
        outcome = {"rows": read.row_count, "issues": len(read.issues)}
    except WorkbookError as error:
        outcome = {"refused": type(error).__name__, "message": error.message}
    except BaseException:
        outcome = {"crashed": traceback.format_exc(limit=-3)}
    outcome["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(outcome), flush=True)
"""


class Worker:
    """One reader process, reused across cases until one kills it."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None

    def read(self, path: Path) -> dict[str, object]:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                [sys.executable, "-c", WORKER, str(MEMORY_LIMIT)],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, "GIFTBATCH_HOME": tempfile.gettempdir()},
            )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{path}\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], SECONDS_PER_CASE)
        if not ready:
            self.stop()
            return {"timed_out": SECONDS_PER_CASE}
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait()
            error = self.process.stderr.read()[-2000:] if self.process.stderr else ""
            self.process = None
            return {"died": code, "stderr": error}
        result: dict[str, object] = json.loads(line)
        return result

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture(scope="module")
def worker() -> Iterator[Worker]:
    reader = Worker()
    yield reader
    reader.stop()


# -- what goes into the parts --------------------------------------------------------------------------------

far_rows = st.sampled_from([1, 2, 3, 30, 1000, 200_000, 400_031, 1_048_576, 2_000_000])
far_columns = st.sampled_from([0, 1, 2, 25, 199, 200, 701, 16383, 20000])
places = st.tuples(st.one_of(st.integers(1, 12), far_rows), st.one_of(st.integers(0, 6), far_columns))
texts = st.text(
    st.characters(whitelist_categories=("L", "N", "P", "S", "Zs"), blacklist_characters="<&"), max_size=30
)
# Mostly what calamine reads (one bad cell fails a whole sheet and would hide the rest), now and then not.
kinds = st.sampled_from(["n", "n", "n", "s", "str", "inlineStr", "e", "b", "d", "none", "none", "junk"])


@st.composite
def cell_xml(draw: st.DrawFn, row: int, column: int, strings: int) -> str:
    kind = draw(kinds)
    if kind == "s" and not strings:
        kind = "n"
    ref = draw(st.sampled_from([f' r="{cell_name(row, column)}"'] * 18 + ["", ' r="1A"']))
    values = {
        "n": st.integers(-(10**12), 10**12).map(str),
        "s": st.integers(0, strings - 1 if draw(st.integers(0, 9)) else strings + 3).map(str),
        "e": st.sampled_from(["#N/A", "#DIV/0!", "#REF!"]),
        "b": st.sampled_from(["0", "1"]),
        "d": st.just("2030-01-31T00:00:00"),
    }
    value = draw(values.get(kind, texts))
    kind_attr = "" if kind == "none" else f' t="{kind}"'
    formula = draw(st.sampled_from(["", "", "", "<f>A1*2</f>", '<f t="shared" ref="A1:A9" si="0">B1</f>']))
    value_xml = f"<is><t>{value}</t></is>" if kind == "inlineStr" else f"<v>{value}</v>"
    body = draw(st.sampled_from([value_xml] * 8 + ["", "<v/>"]))
    closing = draw(st.sampled_from(["</c>"] * 19 + [""]))  # now and then never closed
    return f"<c{ref}{kind_attr}>{formula}{body}{closing}"


@st.composite
def sheet_xml(draw: st.DrawFn, strings: int) -> bytes:
    header = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>Value</t></is></c></row>'
    )
    rows = [header]
    for row, column in sorted(set(draw(st.lists(places, max_size=12)))):
        hidden = draw(st.sampled_from(["", "", ' hidden="1"']))
        rows.append(f'<row r="{row}"{hidden}>{draw(cell_xml(row, column, strings))}</row>')
    dimension = draw(st.sampled_from([None, "A1", "A1:B2", "A1:XFD1048576", "C3:A1", "junk"]))
    after = draw(st.sampled_from(["", '<mergeCells count="1"><mergeCell ref="A2:A1048576"/></mergeCells>']))
    cols = draw(st.sampled_from(["", '<cols><col min="1" max="16384" hidden="1"/></cols>']))
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    data = (
        f'<?xml version="1.0"?><worksheet xmlns="{books.MAIN}">{dim}{cols}<sheetData>{"".join(rows)}'
        f"</sheetData>{after}</worksheet>"
    ).encode()
    if draw(st.integers(0, 5)) == 0:  # splice random bytes in at a random place
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=12)) + data[at + draw(st.integers(0, 12)) :]
    return data


@st.composite
def workbooks(draw: st.DrawFn) -> tuple[list[bytes], str | None]:
    """The sheets' XML and the shared strings they use (None: no shared strings part)."""
    strings = draw(st.one_of(st.none(), st.lists(texts, min_size=1, max_size=6), st.just(["x" * 20_000])))
    count = len(strings) if strings else 0
    sheets = [draw(sheet_xml(count)) for _ in range(draw(st.integers(1, 2)))]
    if strings is None:
        return sheets, None
    return sheets, f'<sst xmlns="{books.MAIN}">' + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(workbook=workbooks())
def test_any_xml_in_the_parts_is_read_or_refused_within_limits(
    worker: Worker, workbook: tuple[list[bytes], str | None]
) -> None:
    sheets, strings = workbook
    with tempfile.TemporaryDirectory() as folder:
        path = books.write_xlsx(Path(folder) / "fuzz.xlsx", list(sheets), strings)
        outcome = worker.read(path)
    assert "rows" in outcome or "refused" in outcome, outcome
    assert float(str(outcome["peak_mb"])) < PEAK_LIMIT_MB, outcome
