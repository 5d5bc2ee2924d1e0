"""Imported workbooks for the Review tests: the sample workbooks, and synthetic sheets of any size in memory."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from app.domain.fields import Field
from app.domain.validation import ValidationOptions
from app.ui.imported import ImportChoices, ImportedWorkbook, load_workbook
from app.workbook.mapping import ColumnMapping, ColumnMatch, HeaderCell, MatchConfidence
from app.workbook.reader import SheetRead, WorkbookRead, column_letter
from app.workbook.sources import WorkbookFormat
from tests.domain.conftest import sandbox_like_catalog

SAMPLES = Path(__file__).resolve().parents[2] / "sample_workbooks"
COMMON_MISTAKES = SAMPLES / "common-mistakes.xlsx"
TODAY = date(2026, 11, 26)


def options() -> ValidationOptions:
    return ValidationOptions(today=TODAY)


def imported_sample(path: Path = COMMON_MISTAKES) -> ImportedWorkbook:
    return load_workbook(path, ImportChoices(), catalog=sandbox_like_catalog(), options=options(), store=None)


def synthetic_read(rows: int, bad_every: int = 0) -> WorkbookRead:
    """One sheet of `rows` email rows built in memory; every `bad_every`-th email has no @ (an error)."""
    columns: list[tuple[str, Field, list[object]]] = [
        ("Name", Field.FULL_NAME, [f"Person {i}" for i in range(rows)]),
        (
            "Email",
            Field.EMAIL,
            [
                f"person{i}.example.com" if bad_every and i % bad_every == 0 else f"person{i}@example.com"
                for i in range(rows)
            ],
        ),
        ("Product", Field.PRODUCT, ["CVS" if i % 2 else "COFFEE" for i in range(rows)]),
        ("Amount", Field.VALUE, [25 if i % 2 else 10 for i in range(rows)]),
        ("Delivery", Field.DELIVERY_TYPE, ["email"] * rows),
    ]
    headers = tuple(HeaderCell(i, column_letter(i), name) for i, (name, _, _) in enumerate(columns))
    mapping = ColumnMapping(
        tuple(
            ColumnMatch(h, fld, MatchConfidence.EXACT)
            for h, (_, fld, _) in zip(headers, columns, strict=True)
        )
    )
    sheet = SheetRead(
        name="Recipients",
        header_row=1,
        headers=headers,
        mapping=mapping,
        last_column_index=len(columns) - 1,
        row_numbers=list(range(2, rows + 2)),
        _columns={i: values for i, (_, _, values) in enumerate(columns)},  # type: ignore[misc]
    )
    return WorkbookRead(Path("synthetic.xlsx"), WorkbookFormat.XLSX, [sheet])
