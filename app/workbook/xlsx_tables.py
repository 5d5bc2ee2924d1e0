"""A user's Excel table (ListObject) over their data grows to take in the result columns beside it.

Excel keeps a table's range, its filter and its column names in the table's own part (`xl/tables/…`); the
header cells must read exactly as the column names. A table whose header row is the data's header row and
whose last column is the one just left of the results is extended over them, with each new column's name
made unique within the table the way Excel does it ("Status2"). The rest of the part stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.workbook.xlsx_xml import (
    attribute,
    element,
    escape,
    range_bounds,
    range_ref,
    start_tag,
    unescape,
    with_attribute,
    with_children,
)

_TABLE = start_tag(b"table")
_AUTO_FILTER = start_tag(b"autoFilter")
_TABLE_COLUMNS = element(b"tableColumns")
_TABLE_COLUMN = start_tag(b"tableColumn")


@dataclass(frozen=True)
class TableExtension:
    """The table part's new XML and the names its new columns took (the header cells must show them)."""

    xml: bytes
    names: tuple[str, ...]


def extend_table(xml: bytes, header_row: int, first: int, headers: tuple[str, ...]) -> TableExtension | None:
    """The table grown by `headers` from column `first`, when it sits right before them on the header row."""
    table = _TABLE.search(xml)
    columns = _TABLE_COLUMNS.search(xml)
    if table is None or columns is None:
        return None
    attributes = table.group(2)
    bounds = range_bounds(attribute(attributes, b"ref") or b"")
    if bounds is None or attribute(attributes, b"headerRowCount") == b"0":
        return None
    top, left, bottom, right = bounds
    if top != header_row or right != first - 1:
        return None
    last = first + len(headers) - 1
    existing = [_column_name(tag.group(2)) for tag in _TABLE_COLUMN.finditer(columns.group(3) or b"")]
    ids = [int(i) for tag in _TABLE_COLUMN.finditer(columns.group(3) or b"") if (i := _id(tag.group(2)))]
    names = _unique_names(headers, existing)
    prefix = columns.group(1)
    added = [
        b"<" + prefix + f'tableColumn id="{number}" name="{escape(name)}"/>'.encode()
        for number, name in enumerate(names, start=max(ids, default=0) + 1)
    ]
    grown = with_children(columns, b"tableColumns", added, len(existing) + len(names))
    new_ref = range_ref(top, left, bottom, last)
    head = b"<" + table.group(1) + b"table" + with_attribute(attributes, b"ref", new_ref) + b">"
    middle = _widened_filter(xml[table.end() : columns.start()], last)
    result = xml[: table.start()] + head + middle + grown + xml[columns.end() :]
    return TableExtension(result, names)


def _widened_filter(xml: bytes, last: int) -> bytes:
    """The table's own filter (it leaves out a totals row) over the same rows, to the new last column."""
    found = _AUTO_FILTER.search(xml)
    bounds = range_bounds(attribute(found.group(2), b"ref") or b"") if found else None
    if found is None or bounds is None:
        return xml
    top, left, bottom, _ = bounds
    attributes = with_attribute(found.group(2), b"ref", range_ref(top, left, bottom, last))
    closing = b"/>" if found.group().endswith(b"/>") else b">"
    return (
        xml[: found.start()]
        + b"<"
        + found.group(1)
        + b"autoFilter"
        + attributes
        + closing
        + xml[found.end() :]
    )


def _column_name(attributes: bytes) -> str:
    return unescape(attribute(attributes, b"name") or b"")


def _id(attributes: bytes) -> int | None:
    value = attribute(attributes, b"id")
    return int(value) if value and value.isdigit() else None


def _unique_names(headers: tuple[str, ...], existing: list[str]) -> tuple[str, ...]:
    """Excel compares table column names without case; a taken name gets the first free number."""
    taken = {name.casefold() for name in existing}
    names = []
    for header in headers:
        name, number = header, 2
        while name.casefold() in taken:
            name, number = f"{header}{number}", number + 1
        taken.add(name.casefold())
        names.append(name)
    return tuple(names)
