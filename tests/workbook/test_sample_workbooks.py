"""The committed sample workbooks read as intended: clean ones cleanly, the mistakes one with mistakes raw."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.fields import Field
from app.workbook.reader import read_workbook
from tests.workbook.book_builders import values

SAMPLES = Path(__file__).resolve().parents[2] / "sample_workbooks"


@pytest.mark.parametrize(
    ("name", "rows", "unmapped"),
    [
        ("digital-email-sms.xlsx", 20, []),
        ("links.xlsx", 12, ["Campaign", "Notes"]),
        ("physical.xlsx", 12, []),
        ("mixed-all-three.xlsx", 18, ["Department"]),
    ],
)
def test_clean_samples_read_without_warnings(name: str, rows: int, unmapped: list[str]) -> None:
    result = read_workbook(SAMPLES / name)
    assert result.row_count == rows
    assert result.issues == []
    assert result.sheets[0].unmapped_headers == unmapped
    assert Field.DELIVERY_TYPE in result.sheets[0].mapping.by_field


def test_common_mistakes_arrive_raw_at_their_cells() -> None:
    result = read_workbook(SAMPLES / "common-mistakes.xlsx")
    sheet = result.sheets[0]
    assert sheet.header_row == 4 and sheet.row_count == 16
    by_name = {values(r)["name"]: r for r in result.records if values(r)["name"] != "Ivan Petrov"}
    assert values(by_name["Dev Patel"])["sms"] == 14155550123
    assert values(by_name["George Nguyen"])["zip"] == 2108
    assert values(by_name["Ben Carter"])["value"] == "$25.00"
    assert values(by_name["Ben Carter"])["email"] == " ben.carter@example.com\u00a0"
    assert values(by_name["Jade Williams"])["value"] == 50
    assert values(by_name["Nora O'Brien"])["product"] == "COFFEE"
    assert values(result.records[8])["delivery_date"] == 47484
    assert [(i.code, i.cell or str(i.row)) for i in result.issues] == [
        ("cell.merged", "E18"),
        ("cell.merged", "E19"),
        ("row.hidden", "16"),
    ]
