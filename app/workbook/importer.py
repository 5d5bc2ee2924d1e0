"""Import a workbook: read it, map its columns, repair and validate every row, in one call."""

from __future__ import annotations

import dataclasses
import gc
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from app.domain.catalog import Catalog
from app.domain.fields import Field
from app.domain.import_result import ImportResult, SheetValues, validate_sheets
from app.domain.payments import EarlierPayments, PayAgain
from app.domain.validation import RowValidator, ValidationOptions
from app.workbook.mapping import MappingStore
from app.workbook.reader import SheetRead, read_workbook
from app.workbook.sources import WorkbookFormat

ProgressCallback = Callable[[int], None]
_READ_SHARE = 60  # percent of the progress bar given to reading; validating takes the rest


def import_workbook(
    path: Path | str,
    *,
    catalog: Catalog,
    options: ValidationOptions | None = None,
    sheet: str | int | None = None,
    password: str | None = None,
    mapping_overrides: Mapping[str, Field | None] | None = None,
    mapping_store: MappingStore | None = None,
    earlier: EarlierPayments | None = None,
    pay_again: PayAgain | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> ImportResult:
    """Read `path` and check every recipient row against `catalog` and `options`.

    `sheet`, `password`, `mapping_overrides` and `mapping_store` are passed to `read_workbook`.
    `earlier` (the journal's payments) blocks rows that pay what an earlier run paid, unless `pay_again`
    names them. `progress` gets a percentage for the whole import; setting `cancel` stops it
    (`WorkbookReadCancelled` while reading, `ImportCancelled` while validating). A file that cannot be read
    raises a `WorkbookError` (a `UserInputError`) whose message says why and what to do.
    """
    with _built_to_last():
        read = read_workbook(
            path,
            sheet=sheet,
            password=password,
            mapping_overrides=mapping_overrides,
            mapping_store=mapping_store,
            progress=_scaled(progress, 0, _READ_SHARE),
            cancel=cancel,
        )
        chosen = options or ValidationOptions()
        if read.format is WorkbookFormat.CSV:
            # Every CSV cell is text: no 'stored as text'.
            chosen = dataclasses.replace(chosen, text_source=True)
        validator = RowValidator(catalog, chosen, earlier, pay_again)
        return validate_sheets(
            [sheet_values(s) for s in read.sheets],
            validator,
            file=str(read.path),
            general_issues=read.issues,
            notes=read.notes,
            progress=_scaled(progress, _READ_SHARE, 100),
            cancel=cancel,
        )


@contextmanager
def _built_to_last() -> Iterator[None]:
    """The cyclic garbage collector off while the import is built; once it is, every object alive is frozen.

    An import of 100,000 rows makes 1.5 million objects that last and hold no reference cycles. With the
    collector on, its passes walk them again and again; and however it was paused, the first pass after (at
    the caller's next allocation) walked the lot once more: 200 ms. Frozen, they are left out of every later
    pass and still freed by reference counting. Only a successful import freezes; the collector is back on
    after, as it was. (The GUI's workers do the same for everything they build: app/ui/heap.py.)
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if collecting:
            gc.enable()


def sheet_values(sheet: SheetRead) -> SheetValues:
    """A sheet's mapped columns as the validator takes them, without building a record per row."""
    mapped = [match.field for match in sheet.mapping.mapped if match.field is not None]
    return SheetValues(
        name=sheet.name,
        row_numbers=sheet.row_numbers,
        columns={fld: sheet.column_values(fld) or [] for fld in mapped},
        letters={fld: sheet.mapping.column_of(fld) or "?" for fld in mapped},
        mapping=sheet.mapping.as_dict(),
    )


def _scaled(progress: ProgressCallback | None, start: int, end: int) -> ProgressCallback | None:
    if progress is None:
        return None
    report = progress  # bound for the closure: mypy cannot see that it stays set
    return lambda percent: report(start + percent * (end - start) // 100)
