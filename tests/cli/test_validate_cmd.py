"""`giftbatch validate FILE`: the summary and table, the JSON object's shape, and exit codes 0, 1 and 2."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.api.catalog_cache import catalog_to_json
from app.cli import main
from app.config.paths import AppPaths
from app.domain.catalog import Catalog
from tests.domain.helpers import sandbox_like_catalog
from tests.workbook.book_builders import encrypt, xlsx

SOON = (datetime.now(UTC) + timedelta(days=30)).date()
CLEAN = [
    ["Name", "Email", "Product", "Value", "Delivery", "Send Date"],
    ["Ana", "ana@example.com", "CVS", 25, "email", SOON],
    ["Bo", "bo@example.com", "VISA-VAR", 12.5, "email", SOON],
]
MESSY = [
    ["Gifts"],
    ["Name", "Email", "Product", "Value", "Delivery"],
    ["Ana", "ana@example", "CVS", 25, "email"],
    ["Bo", " bo@example.com", "CVS", 30, "email"],
    ["Cy", "cy@example.com", "VISA-PHYS", 50, "email"],
    ["Di", "di@example.com", "TIMS-CA", 25, "email"],
]
ISSUE_KEYS = {"severity", "sheet", "row", "column", "cell", "field", "code", "message"}


def _cache(paths: AppPaths, catalog: Catalog) -> None:
    """A fresh catalog in the sandbox profile's cache, so no test needs the vendor."""
    path = paths.catalog_cache_file("sandbox")
    path.parent.mkdir(parents=True, exist_ok=True)
    stamped = Catalog(catalog.products, catalog.shipping_methods, catalog.brandings, datetime.now(UTC))
    path.write_text(json.dumps(catalog_to_json(stamped)), encoding="utf-8")


@pytest.fixture(autouse=True)
def cached_catalog(app_paths: AppPaths) -> None:
    _cache(app_paths, sandbox_like_catalog())


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["validate", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_has_the_documented_shape_and_errors_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = xlsx(tmp_path / "messy.xlsx", MESSY)
    code, out, _ = _run(capsys, str(path), "--json")
    assert code == 1
    report = json.loads(out)
    assert set(report) == {
        "file",
        "sheets",
        "rows",
        "valid_rows",
        "errors",
        "warnings",
        "mapping",
        "cost",
        "issues",
    }
    assert report["file"] == str(path)
    assert report["sheets"] == ["Recipients"]
    assert (report["rows"], report["valid_rows"], report["errors"], report["warnings"]) == (4, 1, 3, 1)
    assert report["mapping"] == {
        "Name": "name",
        "Email": "email",
        "Product": "product",
        "Value": "value",
        "Delivery": "delivery_type",
    }
    assert report["cost"] == {"CAD": 25.0}
    assert all(set(issue) == ISSUE_KEYS for issue in report["issues"])
    assert [(i["severity"], i["cell"], i["code"]) for i in report["issues"]] == [
        ("error", "B3", "email.invalid"),
        ("warning", "B4", "repair.trimmed"),
        ("error", "D4", "value.not_allowed"),
        ("error", "E5", "delivery_type.not_available"),
    ]
    first = report["issues"][0]
    assert (first["sheet"], first["row"], first["column"], first["field"]) == ("Recipients", 3, "B", "email")
    assert first["message"].startswith('B3: "ana@example" is not a valid email address')


def test_a_repair_the_error_replaces_is_not_listed_but_others_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [MESSY[1], ["Bo", " bo@example.com", "CVS", 25, "email"]]
    code, out, _ = _run(capsys, str(xlsx(tmp_path / "b.xlsx", rows)), "--json")
    assert code == 0
    assert [(i["severity"], i["cell"], i["code"]) for i in json.loads(out)["issues"]] == [
        ("warning", "B2", "repair.trimmed")
    ]


def test_a_clean_workbook_exits_0_with_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, str(xlsx(tmp_path / "clean.xlsx", CLEAN)))
    assert (code, err) == (0, "")
    assert "Rows:      2 (2 valid)" in out
    assert "Errors:    0" in out
    assert "Cost:      40.45 USD" in out  # 25 + 12.50 + the 2.95 fee of VISA-VAR
    assert "Email → email" in out
    assert "No problems found." in out


def test_the_human_table_is_aligned(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, str(xlsx(tmp_path / "messy.xlsx", MESSY)))
    assert code == 1
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Severity"))
    table = lines[header : header + 6]
    assert table[1].startswith("--------")
    assert table[2].startswith("error     B3    email.invalid")
    assert table[3].startswith("warning   B4    repair.trimmed")
    message = table[0].index("Message")
    assert [line[message : message + 3] for line in table[2:]] == ["B3:", "B4:", "D4:", "E5:"]


def test_a_missing_file_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, str(tmp_path / "nope.xlsx"))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "does not exist" in err


def test_json_mode_says_why_a_file_cannot_be_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("just some text")
    code, out, err = _run(capsys, str(path), "--json")
    assert code == 2
    report = json.loads(out)
    assert report["file"] == str(path) and "not a workbook" in report["error"]
    assert "not a workbook" in err


def test_password_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = encrypt(xlsx(tmp_path / "plain.xlsx", CLEAN), tmp_path / "locked.xlsx", "hunter2")
    monkeypatch.setenv("BOOK_PASSWORD", "hunter2")
    code, out, _ = _run(capsys, str(locked), "--password-from-env", "BOOK_PASSWORD", "--json")
    assert (code, json.loads(out)["valid_rows"]) == (0, 2)
    monkeypatch.setenv("BOOK_PASSWORD", "wrong")
    code, _, err = _run(capsys, str(locked), "--password-from-env", "BOOK_PASSWORD")
    assert code == 2 and "password" in err and "wrong" in err
    assert "hunter2" not in err


def test_an_unset_password_variable_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(
        capsys, str(xlsx(tmp_path / "b.xlsx", CLEAN)), "--password-from-env", "NOT_SET_ANYWHERE"
    )
    assert code == 2 and "NOT_SET_ANYWHERE is not set" in err


def test_delivery_type_default_for_rows_that_do_not_say(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [["Product", "Value", "Qty"], ["CVS", 25, 4]]
    code, out, _ = _run(
        capsys, str(xlsx(tmp_path / "links.xlsx", rows)), "--delivery-type", "links", "--json"
    )
    assert (code, json.loads(out)["issues"], json.loads(out)["cost"]) == (0, [], {"USD": 100.0})
    code, _, err = _run(capsys, str(tmp_path / "links.xlsx"), "--delivery-type", "pigeon")
    assert code == 2 and "'pigeon' is not a delivery type" in err


def test_sheet_option_reads_one_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = xlsx(tmp_path / "b.xlsx", CLEAN, sheet="December")
    code, out, _ = _run(capsys, str(path), "--sheet", "december", "--json")
    assert (code, json.loads(out)["sheets"]) == (0, ["December"])
    code, _, err = _run(capsys, str(path), "--sheet", "January")
    assert code == 2 and "no sheet “January”" in err


def test_without_a_catalog_product_checks_are_skipped_and_said_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], app_paths: AppPaths
) -> None:
    _cache(app_paths, Catalog())
    code, out, _ = _run(capsys, str(xlsx(tmp_path / "b.xlsx", CLEAN)), "--json")
    report = json.loads(out)
    assert code == 0
    assert [i["code"] for i in report["issues"]] == ["catalog.missing"]
    assert report["cost"] == {}


def test_the_sandbox_catalog_is_fetched_when_none_is_cached(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], app_paths: AppPaths
) -> None:
    app_paths.catalog_cache_file("sandbox").unlink()
    rows = [CLEAN[0], ["Ana", "ana@example.com", "AMAZON-US", 199, "email", SOON]]  # only the sandbox has it
    code, out, _ = _run(capsys, str(xlsx(tmp_path / "b.xlsx", rows)), "--json")
    assert (code, json.loads(out)["issues"]) == (0, [])
    assert app_paths.catalog_cache_file("sandbox").exists()


def test_a_row_already_paid_in_an_earlier_run_is_pointed_out(
    capsys: pytest.CaptureFixture[str], giftbatch_home: Path
) -> None:
    sample = Path(__file__).resolve().parents[2] / "sample_workbooks" / "digital-email-sms.xlsx"
    assert main(["submit", str(sample), "--yes"]) == 0
    capsys.readouterr()

    code = main(["validate", str(sample), "--json"])

    report = json.loads(capsys.readouterr().out)
    assert code == 1  # an error: it is sent again only when the user says so, with a reason
    again = [i for i in report["issues"] if i["code"] == "duplicate.earlier_run"]
    assert len(again) == report["rows"]
    assert all(i["severity"] == "error" and "already got" in i["message"] for i in again)


def test_a_column_can_be_mapped_by_hand_and_is_remembered(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    book = tmp_path / "own-names.csv"
    book.write_text("Who,Reach me at,Card,Amount\nAna,ana@example.com,CVS,25\n", encoding="utf-8")

    code = main(["validate", str(book), "--json", "--delivery-type", "email", "--map", "Reach me at=email"])
    first = json.loads(capsys.readouterr().out)
    code_again = main(["validate", str(book), "--json", "--delivery-type", "email"])
    again = json.loads(capsys.readouterr().out)

    assert code == 0, first["issues"]
    assert first["mapping"]["Reach me at"] == "email"
    assert code_again == 0
    assert again["mapping"]["Reach me at"] == "email"


def test_a_mapping_to_an_unknown_field_is_one_clear_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    book = tmp_path / "b.csv"
    book.write_text("Email,Card,Amount\nana@example.com,CVS,25\n", encoding="utf-8")

    code = main(["validate", str(book), "--map", "Email=inbox"])

    err = capsys.readouterr().err
    assert code == 2
    assert "'inbox' is not a field" in err
