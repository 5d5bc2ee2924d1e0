"""The template people fill in reads back with every column mapped, notes on each header, and dropdowns."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from app.cli import main
from app.cli.template_cmd import builtin_sandbox_catalog
from app.domain.catalog import Catalog, DeliveryType, DenominationType, Product
from app.domain.fields import Field
from app.workbook.mapping import MatchConfidence
from app.workbook.reader import read_workbook
from app.workbook.template import COLUMNS, write_template
from tests.workbook.book_builders import values

TODAY = date(2030, 6, 1)


def test_template_reads_back_with_every_column_mapped_exactly(tmp_path: Path) -> None:
    path = write_template(tmp_path / "t.xlsx", builtin_sandbox_catalog(), today=TODAY)
    result = read_workbook(path)
    assert [s.name for s in result.sheets] == ["Recipients"]
    assert result.issues == []
    mapping = result.sheets[0].mapping
    assert [(m.header.text, m.field, m.confidence) for m in mapping.columns] == [
        (c.header, c.field, MatchConfidence.EXACT) for c in COLUMNS
    ]
    rows = [values(r) for r in result.records]
    assert [(r["delivery_type"], r["product"], r["value"]) for r in rows] == [
        ("Email", "CVS", 25),
        ("SMS", "COFFEE", 10),
        ("Link", "VISA-VAR", 50),
        ("Physical", "VISA-PHYS", 50),
    ]
    assert rows[1]["sms"] == "+1 555 555 0123", "the mobile column is text, so the + survives"
    assert rows[3]["zip"] == "62701" and rows[3]["shipping_method"] == "STANDARD"
    assert rows[0]["delivery_date"] == date(2030, 6, 15)


def test_every_header_has_a_note_and_the_dropdowns_offer_the_catalog(tmp_path: Path) -> None:
    path = write_template(tmp_path / "t.xlsx", builtin_sandbox_catalog(), today=TODAY)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Instructions", "Recipients", "Lists"]
    assert book["Lists"].sheet_state == "veryHidden"
    sheet = book["Recipients"]
    notes = {cell.value: cell.comment.text for cell in sheet[1]}
    assert all(notes.values())
    assert "CVS: CVS Pharmacy, 10, 25, 50 or 100 USD" in notes["Product"]
    assert "STANDARD" in notes["Shipping Method"] and "UPS" in notes["Carrier"]
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["E2"] == '"Email,SMS,Link,Physical"'
    assert lists["F2"] == "ProductIds"
    product_ids = [row[0].value for row in book["Lists"].iter_rows(max_col=1)]
    assert {"CVS", "VISA-VAR", "VISA-PHYS", "COFFEE", "TIMS-CA"} <= set(product_ids)


def test_examples_follow_what_the_catalog_offers(tmp_path: Path) -> None:
    only_digital = Catalog(
        products={
            "GIFT-5": Product(
                "GIFT-5",
                "Five",
                "EUR",
                DenominationType.FIXED,
                (Decimal(5),),
                frozenset({DeliveryType.DIGITAL, DeliveryType.LINKS}),
            )
        },
        fetched_at=datetime(2030, 1, 1, tzinfo=UTC),
    )
    result = read_workbook(write_template(tmp_path / "t.xlsx", only_digital, today=TODAY))
    rows = [values(r) for r in result.records]
    assert [(r["delivery_type"], r["product"], r["value"]) for r in rows] == [
        ("Email", "GIFT-5", 5),
        ("SMS", "GIFT-5", 5),
        ("Link", "GIFT-5", 5),
    ]
    assert result.sheets[0].mapping.column_of(Field.CARRIER) == "U"


def test_command_writes_the_template_and_never_overwrites_unasked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "gift list"
    assert main(["template", "--out", str(out)]) == 0
    written = tmp_path / "gift list.xlsx"
    assert "products from the sandbox's catalog" in capsys.readouterr().out
    before = written.read_bytes()
    assert main(["template", "--out", str(written)]) == 2
    assert "already exists. Use --force" in capsys.readouterr().err
    assert written.read_bytes() == before
    assert main(["template", "--out", str(written), "--force"]) == 0
    assert read_workbook(written).row_count == 4
