"""The results workbook: every input row with its outcome, a Summary for finance, claim links on request."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from app.domain.catalog import DeliveryType
from app.domain.outcomes import ResultStatus, RowOutcome, RunReport
from app.domain.redaction import redact
from app.workbook.output_file import ExportOptions, write_atomically
from app.workbook.own_sheets import CLAIM_LINKS_HEADER, SUMMARY_TITLE
from app.workbook.safe_cells import FastCellWriter, WritableValue

RESULTS_SHEET = "Results"
SUMMARY_SHEET = "Summary"
CLAIMS_SHEET = "Claim Links"

RESULT_HEADERS = (
    "Status",
    "Order Id",
    "PONumber",
    "Line Item Id",
    "Cost",
    "Currency",
    "Claim Link(s)",
    "Challenge Answer",
    "Failure Reason",
    "Paid Again",
    "Submitted At",
    "Completed At",
)
SECRET_HEADERS = frozenset({"Claim Link(s)", "Challenge Answer"})
SOURCE_HEADERS = ("Source Sheet", "Source Row")
CLAIM_HEADERS = CLAIM_LINKS_HEADER

_KeyOf = Callable[[RowOutcome], str]
HEADER_STYLE: dict[str, object] = {"bold": True, "bg_color": "#DDEBF7", "bottom": 1}

_MIN_WIDTH, _MAX_WIDTH = 8, 50
_WIDTH_SAMPLE_ROWS = 200
FIXED_WIDTHS = {  # columns whose width does not depend on what they hold (also the write-back's)
    "Paid Again": 40,
    "Cost": 12,
    "Submitted At": 19,
    "Completed At": 19,
    "Claim Link(s)": 45,
    "Claim Link": 45,
}


def result_headers(with_secrets: bool) -> tuple[str, ...]:
    """The result columns, in order; the claim columns only when secrets were asked for."""
    return RESULT_HEADERS if with_secrets else tuple(h for h in RESULT_HEADERS if h not in SECRET_HEADERS)


def result_values(outcome: RowOutcome, with_secrets: bool) -> list[WritableValue]:
    """One row's result cells, matching `result_headers(with_secrets)`."""
    values: list[WritableValue] = [
        outcome.status.value,
        outcome.order_id,
        outcome.po_number,
        outcome.line_item_id,
        outcome.cost,
        outcome.currency,
    ]
    if with_secrets:
        values += ["\n".join(outcome.claim_links) or None, "\n".join(outcome.challenge_answers) or None]
        values.append(outcome.failure_reason)
    else:
        # Belt and braces: a vendor message quoting a claim link must not carry it into a file sans secrets.
        values.append(redact(outcome.failure_reason) if outcome.failure_reason else None)
    values += [outcome.paid_again, outcome.submitted_at, outcome.completed_at]
    return values


def original_headers(report: RunReport) -> list[str]:
    """The union of the sheets' headers in workbook order, then any header only the rows know."""
    headers: dict[str, None] = {}
    for layout in report.sheets:
        headers.update(dict.fromkeys(layout.headers))
    for outcome in report.outcomes:
        headers.update(dict.fromkeys(outcome.values))
    return list(headers)


def ordered_outcomes(report: RunReport) -> list[RowOutcome]:
    """Rows in the order the workbook has them: sheet by sheet, top to bottom."""
    sheet_order = {layout.name: index for index, layout in enumerate(report.sheets)}
    return sorted(report.outcomes, key=lambda o: (sheet_order.get(o.sheet, len(sheet_order)), o.sheet, o.row))


def write_results_workbook(report: RunReport, target: Path, options: ExportOptions | None = None) -> Path:
    """Write the results workbook to `target` (see `ExportOptions` for secrets, password and replacing)."""
    options = options or ExportOptions()

    def build(destination: str | BinaryIO) -> None:
        # With a password the file is built in memory, so no plain copy of the claim links touches the disk.
        in_memory = not isinstance(destination, str)
        workbook = Workbook(destination, {"constant_memory": not in_memory, "in_memory": in_memory})
        try:
            _ResultsWriter(workbook, report, options.with_secrets).write()
        finally:
            workbook.close()

    return write_atomically(target, build, options)


class _ResultsWriter:
    def __init__(self, workbook: Workbook, report: RunReport, with_secrets: bool) -> None:
        self.workbook = workbook
        self.report = report
        self.with_secrets = with_secrets
        self.cells = FastCellWriter(workbook)
        self.bold = workbook.add_format({"bold": True})
        self.header = workbook.add_format(HEADER_STYLE)
        self.header_cells = FastCellWriter(workbook, HEADER_STYLE)
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.outcomes = ordered_outcomes(report)

    def write(self) -> None:
        self.workbook.set_properties({"title": f"Giftbatch results, run {self.report.run_id}"})
        self._write_results()
        self._write_summary()
        if self.with_secrets:
            self._write_claims()

    def _write_results(self) -> None:
        sheet = self.workbook.add_worksheet(RESULTS_SHEET)
        originals = original_headers(self.report)
        headers = [*originals, *result_headers(self.with_secrets), *SOURCE_HEADERS]
        sample = [self._row_values(o, originals) for o in self.outcomes[:_WIDTH_SAMPLE_ROWS]]
        self._start_table(sheet, headers, sample)
        write, write_text = self.cells.write, self.cells.write_text
        for row, outcome in enumerate(self.outcomes, start=1):
            own = outcome.values
            for col, header in enumerate(originals):
                value = own.get(header)
                if value is not None:
                    write(sheet, row, col, value)
            col = len(originals)
            for result in result_values(outcome, self.with_secrets):
                if result is not None:
                    write(sheet, row, col, result)
                col += 1
            write_text(sheet, row, col, outcome.sheet)
            sheet.write_number(row, col + 1, outcome.row)
        sheet.autofilter(0, 0, len(self.outcomes), len(headers) - 1)

    def _row_values(self, outcome: RowOutcome, originals: Sequence[str]) -> list[WritableValue]:
        own = [outcome.values.get(h) for h in originals]
        return [*own, *result_values(outcome, self.with_secrets), outcome.sheet, outcome.row]

    def _start_table(
        self, sheet: Worksheet, headers: Sequence[str], sample: Sequence[Sequence[object]]
    ) -> None:
        """Header row, widths from the header and the first rows, header frozen."""
        for col, header in enumerate(headers):
            widest = max([len(header), *(_shown_length(row[col]) for row in sample)])
            width = FIXED_WIDTHS.get(header, min(max(widest + 2, _MIN_WIDTH), _MAX_WIDTH))
            sheet.set_column(col, col, width)
            self.header_cells.write_text(sheet, 0, col, header)
        sheet.freeze_panes(1, 0)

    def _write_summary(self) -> None:
        sheet = self.workbook.add_worksheet(SUMMARY_SHEET)
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, 6, 16)
        sheet.write_string(0, 0, SUMMARY_TITLE[0], self.title)
        row = 2
        for label, value in self._run_details():
            sheet.write_string(row, 0, label, self.bold)
            if value is not None:
                self.cells.write(sheet, row, 1, value)
            row += 1
        row = self._write_status_counts(sheet, row + 1)
        row = self._write_totals(sheet, row + 1, "Product", lambda o: o.product_id or "(none)")
        row = self._write_totals(
            sheet, row + 1, "Delivery type", lambda o: o.delivery_type.value if o.delivery_type else "(none)"
        )
        self._write_totals(sheet, row + 1, None, lambda _o: "")

    def _run_details(self) -> list[tuple[str, WritableValue]]:
        report = self.report
        secrets_note = (
            "Included. Anyone holding this file can spend the cards: keep it safe."
            if self.with_secrets
            else "Not included (export with secrets to include them)."
        )
        return [
            ("Run", report.run_id),
            ("Workbook", report.workbook_path),
            ("Profile", report.profile),
            ("Campaign", report.campaign),
            ("Run status", report.status),
            ("Started", report.created_at),
            ("Finished", report.finished_at),
            ("Exported", datetime.now(UTC)),
            ("Times", "All times are UTC."),
            ("Claim links", secrets_note),
        ]

    def _write_status_counts(self, sheet: Worksheet, row: int) -> int:
        sheet.write_string(row, 0, "Rows by status", self.bold)
        row += 1
        for col, header in enumerate(("Status", "Rows", "Cards")):
            sheet.write_string(row, col, header, self.header)
        for status in ResultStatus:
            matching = [o for o in self.outcomes if o.status is status]
            if matching:
                row += 1
                sheet.write_string(row, 0, status.value)
                sheet.write_number(row, 1, len(matching))
                sheet.write_number(row, 2, sum(o.quantity for o in matching))
        row += 1
        sheet.write_string(row, 0, "Total", self.bold)
        sheet.write_number(row, 1, len(self.outcomes), self.bold)
        sheet.write_number(row, 2, sum(o.quantity for o in self.outcomes), self.bold)
        return row + 1

    def _write_totals(self, sheet: Worksheet, row: int, label: str | None, key: _KeyOf) -> int:
        """A totals table by `label` and currency (by currency alone when `label` is None)."""
        sheet.write_string(row, 0, f"Totals by {(label or 'currency').lower()}", self.bold)
        row += 1
        headers = ["Currency", "Rows", "Cards issued", "Cost charged", "Cost in progress"]
        if label is not None:
            headers.insert(0, label)
        for col, header in enumerate(headers):
            sheet.write_string(row, col, header, self.header)
        for (name, currency), totals in sorted(_group(self.outcomes, key).items()):
            row += 1
            cells: list[WritableValue] = [currency, totals.rows, totals.cards_issued]
            if label is not None:
                cells.insert(0, name)
            cells += [totals.charged, totals.in_progress]
            for col, value in enumerate(cells):
                self.cells.write(sheet, row, col, value)
        return row + 1

    def _write_claims(self) -> None:
        sheet = self.workbook.add_worksheet(CLAIMS_SHEET)
        rows = list(_claim_rows(self.outcomes))
        self._start_table(sheet, CLAIM_HEADERS, rows[:_WIDTH_SAMPLE_ROWS])
        for row, values in enumerate(rows, start=1):
            for col, value in enumerate(values):
                self.cells.write(sheet, row, col, value)
        sheet.autofilter(0, 0, len(rows), len(CLAIM_HEADERS) - 1)


@dataclass
class _Totals:
    rows: int = 0
    cards_issued: int = 0
    charged: Decimal = Decimal(0)
    in_progress: Decimal = Decimal(0)

    def add(self, outcome: RowOutcome) -> None:
        self.rows += 1
        if outcome.status is ResultStatus.COMPLETED:
            self.cards_issued += outcome.quantity
            self.charged += outcome.cost or 0
        elif outcome.status.is_in_progress:
            self.in_progress += outcome.cost or 0


def _group(outcomes: Iterable[RowOutcome], key: _KeyOf) -> dict[tuple[str, str], _Totals]:
    groups: dict[tuple[str, str], _Totals] = {}
    for outcome in outcomes:
        groups.setdefault((key(outcome), outcome.currency or ""), _Totals()).add(outcome)
    return groups


def _claim_rows(outcomes: Iterable[RowOutcome]) -> Iterable[list[WritableValue]]:
    """One row per card of each Links line item."""
    for outcome in outcomes:
        if outcome.delivery_type is not DeliveryType.LINKS:
            continue
        for number, claim in enumerate(outcome.claims, start=1):
            yield [
                outcome.sheet,
                outcome.row,
                outcome.recipient,
                outcome.order_id,
                outcome.po_number,
                outcome.line_item_id,
                outcome.product_id,
                outcome.face_value,
                outcome.currency,
                number,
                claim.link,
                claim.challenge_answer,
            ]


def _shown_length(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 19
    return len(str(value))
