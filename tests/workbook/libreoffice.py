"""LibreOffice, run headless, as an independent Excel-family reader of the files we write."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

_SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_libreoffice = pytest.mark.skipif(
    _SOFFICE is None,
    reason="LibreOffice is not installed (apt-get install libreoffice-calc-nogui); CI installs it",
)


def libreoffice_sheet(path: Path, sheet_number: int, work: Path) -> list[list[str]]:
    """The sheet's cells as LibreOffice shows them (converted to CSV): proof that it opens the file."""
    assert _SOFFICE is not None
    out = work / "libreoffice-out"
    # ',' and '"', UTF-8, from line 1, cells as shown (formatted); the 12th token picks the sheet.
    options = f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,{sheet_number}"
    result = subprocess.run(
        [
            _SOFFICE,
            f"-env:UserInstallation=file://{work / 'libreoffice-profile'}",
            "--headless",
            "--convert-to",
            options,
            "--outdir",
            str(out),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    written = sorted(out.glob(f"{path.stem}*.csv"))
    assert result.returncode == 0 and written, f"LibreOffice could not open {path.name}: {result.stderr}"
    with written[0].open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))
