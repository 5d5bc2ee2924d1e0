"""A read sheet's layout (header row, columns and their unique names) in the shape the exports take."""

from __future__ import annotations

from app.domain.outcomes import SheetColumn, SheetLayout
from app.workbook.reader import SheetRead, WorkbookRead


def layout_of(sheet: SheetRead) -> SheetLayout:
    """The sheet's columns left to right, each named as `values_by_header` keys its values.

    Unmapped columns keep the names the reader gave them in `RawRecord.unmapped` (a repeated name gets its
    column letter); a mapped column whose name is already taken gets its letter too, so names stay unique.
    """
    unmapped: dict[str, str] = {}
    for header in sheet.mapping.unmapped:  # the reader's rule for `RawRecord.unmapped` keys (tests hold it)
        taken = header.name in unmapped.values()
        unmapped[header.column] = f"{header.name} ({header.column})" if taken else header.name
    used = set(unmapped.values())
    columns = []
    for header in sheet.headers:
        name = unmapped.get(header.column)
        if name is None:
            name = header.name if header.name not in used else f"{header.name} ({header.column})"
            used.add(name)
        columns.append(SheetColumn(header.column, name, None if name == header.text else header.text))
    return SheetLayout(sheet.name, sheet.header_row, tuple(columns))


def layouts_of(read: WorkbookRead) -> list[SheetLayout]:
    return [layout_of(sheet) for sheet in read.sheets]
