"""Whole-file problems with a workbook: one plain message each, naming the file and saying how to fix it."""

from __future__ import annotations

from pathlib import Path

from app.domain.errors import GiftbatchError, UserInputError


class WorkbookError(UserInputError):
    """The file cannot be read as a workbook of recipients; `message` says why and what to do."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = path


class WorkbookMissing(WorkbookError):
    def __init__(self, path: Path) -> None:
        super().__init__(path, f"“{path}” does not exist. Check the name and the folder, then try again.")


class WorkbookIsFolder(WorkbookError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            path, f"“{path}” is a folder, not a workbook. Choose an .xlsx, .xls, .ods or .csv file."
        )


class WorkbookUnreadable(WorkbookError):
    """The operating system would not let us read the file (permissions, a lock held by another program)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            path,
            f"“{path.name}” could not be opened ({reason}). If it is open in another program, close it "
            "there and try again.",
        )


class NotARegularFile(WorkbookError):
    """A named pipe, a device or a socket: reading it could wait forever or never end."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(
            path,
            f"“{path.name}” is {kind}, not a file, so it cannot be read as a workbook. Choose the workbook "
            "file itself.",
        )


class WorkbookChanging(WorkbookError):
    """The file changed while it was read: another program is still writing it."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            path,
            f"“{path.name}” changed while it was being read; another program is probably still writing it. "
            "Wait until it has finished (or close the file there), then try again.",
        )


class FileTooLarge(WorkbookError):
    def __init__(self, path: Path, size: int, limit: int) -> None:
        super().__init__(
            path,
            f"“{path.name}” is {size_text(size)}; at most {size_text(limit)} can be read. Split the recipients "
            "into several smaller workbooks.",
        )


class WorkbookInflated(WorkbookError):
    """A part of the package unpacks to far more than any spreadsheet does: a damaged or crafted file."""

    def __init__(self, path: Path, part: str, packed: int, unpacked: int) -> None:
        super().__init__(
            path,
            f"“{path.name}” cannot be read safely: its part “{part}” unpacks from {size_text(packed)} to "
            f"more than {size_text(unpacked)}, far more than a spreadsheet does, so it is damaged or was made "
            "to exhaust the computer's memory. If Excel opens it, save a fresh copy with File › Save As and "
            "choose that copy.",
        )


class SheetTooLarge(WorkbookError):
    """Reading the sheet would take more memory than its file size allows (see app.workbook.limits):
    its cells are spread over a vast box (`spread`), or they hold far more text than the file does."""

    def __init__(self, path: Path, sheet: str, span: str, cells: int, needed: int, *, spread: bool) -> None:
        if spread:
            found = f"its {cells:,} cells are spread over {span}"
            advice = (
                "Delete the stray values far below or to the right of your table (or the whole rows and "
                "columns around them), save, and try again."
            )
        else:
            found = f"its {cells:,} cells hold far more text than the file itself"
            advice = (
                "It is damaged or was made to exhaust the computer's memory; if it is a real list, split it "
                "into smaller workbooks."
            )
        super().__init__(
            path,
            f"Sheet “{sheet}” of “{path.name}” cannot be read safely: {found}, which would take about "
            f"{size_text(needed)} of memory to read. {advice}",
        )


def size_text(size: int) -> str:
    """1536 → '1.5 KB': sizes as people read them (powers of 1024, one decimal)."""
    if size < 1024:
        return f"{size:,} bytes"
    value = size / 1024
    for unit in ("KB", "MB", "GB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} TB"


class NotAWorkbook(WorkbookError):
    _ADVICE = "Open it in Excel and save it as an .xlsx workbook (or as CSV), then choose that file."

    def __init__(self, path: Path, found: str, advice: str = _ADVICE) -> None:
        super().__init__(path, f"“{path.name}” is not a workbook: {found}. {advice}")


class WorkbookCorrupt(WorkbookError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            path,
            f"“{path.name}” looks like a workbook but is damaged and cannot be read. If Excel can open it, "
            "save a fresh copy with File › Save As and choose that copy.",
        )


class WorkbookEmpty(WorkbookError):
    def __init__(self, path: Path, sheet: str | None = None) -> None:
        where = f"sheet “{sheet}” of “{path.name}”" if sheet else f"“{path.name}”"
        super().__init__(path, f"{where} has no data. Add a header row and one row per recipient.")


class HeaderNotFound(WorkbookError):
    """No row in the first rows of any sheet names the columns we need."""

    def __init__(self, path: Path, looked_in: str, examples: str) -> None:
        super().__init__(
            path,
            f"No header row found in {looked_in} of “{path.name}”. We look in the first 30 rows for a row "
            f"naming columns such as {examples}. Add such a header above the recipients, or use "
            "`giftbatch template` to start from a workbook that has one.",
        )


class SheetNotFound(WorkbookError):
    def __init__(self, path: Path, wanted: str, available: list[str]) -> None:
        names = ", ".join(f"“{name}”" for name in available) or "none"
        super().__init__(path, f"“{path.name}” has no sheet “{wanted}”. Its sheets are: {names}.")


class TooManyRows(WorkbookError):
    def __init__(self, path: Path, sheet: str, limit: int) -> None:
        super().__init__(
            path,
            f"Sheet “{sheet}” of “{path.name}” has more than {limit:,} recipient rows, the most one import "
            "can hold. Split it into several workbooks of at most that many rows.",
        )


class TooManyColumns(WorkbookError):
    def __init__(self, path: Path, sheet: str, found: int, limit: int, span: str | None = None) -> None:
        where = f" Its cells reach across {span}." if span else ""
        super().__init__(
            path,
            f"Sheet “{sheet}” of “{path.name}” uses {found:,} columns; at most {limit} can be read.{where} "
            "Delete the columns you do not need (including stray values far to the right), then try again.",
        )


class WorkbookPasswordRequired(WorkbookError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            path,
            f"“{path.name}” is password-protected. Give its password: in the app you will be asked; on the "
            "command line use --password-from-env VAR, with the password in the environment variable VAR.",
        )


class WorkbookPasswordWrong(WorkbookError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            path,
            f"The password for “{path.name}” is wrong. Check it (passwords are case-sensitive) "
            "and try again.",
        )


class WorkbookReadCancelled(GiftbatchError):
    """The user stopped the import; nothing was changed."""

    exit_code = 130

    def __init__(self, path: Path) -> None:
        super().__init__(f"Reading “{path.name}” was cancelled.")
        self.path = path
