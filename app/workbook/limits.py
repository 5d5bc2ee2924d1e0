"""How much one import may hold, in one place: rows, columns, bytes on disk, bytes unpacked, memory.

The caps a user can meet with a real workbook (rows, columns) say so in their messages. The others stop what
no spreadsheet program writes — a part that unpacks a thousand times over, a sheet whose few values sit a
million rows apart — before any reader allocates for it. Memory is judged from the cells really present
(counted while the file is scanned), never from what a header or a dimension claims, and the allowance
grows with the file: a big file may use more memory than a small one, never more than its content needs.
"""

from __future__ import annotations

ROW_LIMIT = 200_000  # recipient rows per sheet
COLUMN_LIMIT = 200
HEADER_SCAN_ROWS = 30  # the header is looked for in the first rows of a sheet

FILE_SIZE_LIMIT = 1 << 30  # bytes on disk: a million-row workbook is well under 200 MB
PART_SIZE_LIMIT = 2 << 30  # bytes of one part of a package once unpacked
PART_COUNT_LIMIT = 10_000  # parts in one package (an .xlsx has a dozen; one per sheet, picture, …)
# Unpacked bytes per packed byte. Sheets compress 5-15x; a sheet of identical rows reaches ~60x. Deflate
# cannot go past ~1030x, which is what a bomb uses. Parts under RATIO_FLOOR bytes are not held to it.
RATIO_LIMIT = 100
RATIO_FLOOR = 1 << 20

# The memory a read may take (an estimate made before reading, see `app.workbook.bounds`): a floor that
# every ordinary workbook fits in, plus an allowance per byte of the file. A file under 10 MB thus stays
# under 1 GB with the app itself; a real workbook of a million rows (~60 MB) gets the ~2 GB it needs.
MEMORY_FLOOR = 512 << 20
MEMORY_PER_FILE_BYTE = 60


def row_cap() -> int:
    """Rows a sheet may span: the limit, plus room for title rows and blank rows between recipients."""
    return 2 * ROW_LIMIT + HEADER_SCAN_ROWS


def memory_budget(file_size: int) -> int:
    """The memory a read of a file of `file_size` bytes may take."""
    return max(MEMORY_FLOOR, file_size * MEMORY_PER_FILE_BYTE)
