"""Import and validate 10,000 and 100,000 rows, next to a bare read of the same file with python-calamine.

Run: .venv/bin/python bench/import_validate.py [--rows 10000 100000] [--repeat 3] [--physical]
     [--formulas 20000 100000]

Each workbook has 12 columns (names, email, a mobile number on every row, product, amount, quantity, delivery
method, message, sender, send date, employee id), written with xlsxwriter in constant-memory mode to a
temporary folder. With --physical, every row is a card to mail instead: name, street, city, state, postal code
and country in 30 countries, written as people write them (country and state names in several languages,
ZIP codes that lost their leading zero), nearly every postal code a different one. Every measurement runs in
its own fresh interpreter, so its peak memory (ru_maxrss) is its own; the best of `--repeat` runs is shown.
Targets at 100,000 rows: import and validate within 2x the bare read, under 400 MB. The `read only` column
(read_workbook without validation) shows where the time goes.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.domain.catalog import (  # noqa: E402
    Carrier,
    Catalog,
    DeliveryType,
    DenominationType,
    Product,
    ShippingMethod,
)
from app.domain.validation import ValidationOptions  # noqa: E402
from app.sandbox.catalog import PRODUCTS as SANDBOX  # noqa: E402
from app.workbook.importer import import_workbook  # noqa: E402
from app.workbook.reader import read_workbook  # noqa: E402

HEADER = ["First Name", "Last Name", "Email", "Mobile", "Product", "Amount", "Qty", "Delivery Method",
          "Message", "From", "Send Date", "Employee ID"]  # fmt: skip
PRODUCTS = [("CVS", 25), ("COFFEE", 10), ("VISA-VAR", 40), ("TIMS-CA", 25)]
KINDS = ("bare", "read", "import")
PHYSICAL_HEADER = ["Full Name", "Address", "City", "State", "Zip", "Country", "Product", "Amount", "Qty",
                   "Delivery Method", "Message", "Employee ID"]  # fmt: skip
# (country as written, state as written, postal code: a format string for a number, city)
PLACES = [
    ("US", "CA", "94{:03d}", "San Francisco"), ("USA", "California", "90{:03d}", "Los Angeles"),
    ("United States", "NY", "10{:03d}", "New York"), ("us", "Massachusetts", "2{:03d}", "Boston"),
    ("U.S.", "Texas", "75{:03d}", "Dallas"), ("US", "Calif.", "95{:03d}", "San Jose"),
    ("Canada", "ON", "M5V 1A{:01d}", "Toronto"), ("CA", "Québec", "H3Z 2Y{:01d}", "Montréal"),
    ("Deutschland", "Bayern", "80{:03d}", "München"), ("Germany", "", "10{:03d}", "Berlin"),
    ("DE", "", "1{:03d}", "Dresden"), ("Allemagne", "", "50{:03d}", "Köln"),
    ("UK", "", "SW1A {:01d}AA", "London"), ("GB", "", "EC1Y {}SY", "London"),
    ("France", "", "75{:03d}", "Paris"), ("FR", "", "69{:03d}", "Lyon"), ("España", "Madrid", "28{:03d}", "Madrid"),
    ("Italia", "RM", "00{:03d}", "Roma"), ("Netherlands", "", "1{:03d} AB", "Amsterdam"),
    ("Japan", "Tokyo", "154-{:04d}", "Setagaya"), ("Australia", "NSW", "2{:03d}", "Sydney"),
    ("Mexico", "Jalisco", "44{:03d}", "Guadalajara"), ("Brasil", "SP", "01{:03d}-100", "São Paulo"),
    ("India", "Maharashtra", "400{:03d}", "Mumbai"), ("Ireland", "", "A65 F4E{}", "Dublin"),
    ("Schweiz", "", "80{:02d}", "Zürich"), ("Österreich", "", "10{:02d}", "Wien"),
    ("Türkiye", "", "34{:03d}", "İstanbul"), ("Singapore", "", "04{:04d}", ""), ("Hong Kong", "Kowloon", "", ""),
]  # fmt: skip


def build(path: Path, rows: int, total: str | None = None) -> None:
    """A realistic, clean sheet: the rows every large send has, none of them repeated. `total` adds a 13th
    column, Total = Amount x Qty: "formula" as a formula with its result saved, "number" as plain numbers."""
    rng = random.Random(rows)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Recipients")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADER + (["Total"] if total else []))
    for i in range(1, rows + 1):
        product, value = PRODUCTS[i % len(PRODUCTS)]
        mobile = f"+1 212 {rng.randint(200, 999)} {rng.randint(0, 9999):04d}"
        sheet.write_row(i, 0, [f"First{i}", f"Last{i}", f"person{i}@example.com", mobile, product, value, 1,
                               "email", "Thank you for a great year!", "People Team"])  # fmt: skip
        sheet.write_datetime(i, 10, date(2030, 1, 1 + i % 28), dates)
        sheet.write_string(i, 11, f"E{i:06d}")
        if total == "formula":
            sheet.write_formula(i, 12, f"=F{i + 1}*G{i + 1}", None, value)
        elif total == "number":
            sheet.write_number(i, 12, value)
    book.close()


def build_physical(path: Path, rows: int) -> None:
    """Cards to mail, to addresses in 30 countries written every which way (see PLACES)."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Recipients")
    sheet.write_row(0, 0, PHYSICAL_HEADER)
    for i in range(1, rows + 1):
        country, state, postal, city = PLACES[i % len(PLACES)]
        width = int(postal[postal.index(":0") + 2]) if ":0" in postal else 1  # '{:03d}': 1,000 codes
        code = postal.format((i // len(PLACES)) % 10**width)
        zip_value: str | int = int(code) if code.isdigit() and country.startswith(("U", "u")) else code
        sheet.write_row(i, 0, [f"Person {i}", f"{i} Main Street", city, state, zip_value, country,
                               "VISA-PHYS", 50, 1, "mail", "Thank you!", f"E{i:06d}"])  # fmt: skip
    book.close()


# The bare read runs in an interpreter that loads nothing but calamine, so that its peak memory is its own.
BARE_READ = """
import json, resource, sys, time
import python_calamine
start = time.perf_counter()
rows = python_calamine.CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "rows": len(rows) - 1}))
"""


def measure(kind: str, path: Path) -> dict[str, float]:
    """Time `read_workbook` alone ("read") or `import_workbook` ("import") in this process, its modules
    loaded first as in the running app; returns seconds and this process's peak memory in MB."""
    catalog, options = sandbox_catalog(), ValidationOptions(today=date(2029, 12, 1))
    start = time.perf_counter()
    if kind == "read":
        count = read_workbook(path).row_count
    else:
        count = import_workbook(path, catalog=catalog, options=options).valid_count
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak_mb, "rows": count}


def sandbox_catalog() -> Catalog:
    """The sandbox's products as the domain sees them."""
    products = {
        p.id: Product(
            p.id,
            p.name,
            p.currency,
            DenominationType(p.denomination_type),
            p.denominations,
            frozenset(DeliveryType(d) for d in p.delivery_types),
            p.type,
            p.fee,
            p.discount_percentage,
        )
        for p in SANDBOX
    }
    standard = ShippingMethod(
        "STANDARD", "Standard mail", Decimal(0), (Carrier("DEFAULT", "Best available"),)
    )
    return Catalog(products=products, shipping_methods={"STANDARD": standard})


def best_of(kind: str, path: Path, repeat: int) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        command = ["-c", BARE_READ, str(path)] if kind == "bare" else [__file__, "--measure", kind, str(path)]
        out = subprocess.run([sys.executable, *command], capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout))
    return min(runs, key=lambda r: r["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--physical", action="store_true", help="cards to mail, to addresses in 30 countries")
    parser.add_argument("--formulas", type=int, nargs="*", default=[20_000, 100_000], metavar="ROWS")
    parser.add_argument("--measure", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        kind, path = args.measure
        print(json.dumps(measure(kind, Path(path))))
        return
    print(f"{'rows':>8}  {'bare read':>9}  {'read only':>9}  {'import+validate':>15}  {'ratio':>5}  "
          f"{'peak MB (bare / import)':>23}  valid")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        for rows in args.rows:
            path = Path(folder) / f"recipients-{rows}.xlsx"
            (build_physical if args.physical else build)(path, rows)
            bare, read, full = (best_of(kind, path, args.repeat) for kind in KINDS)
            ratio = full["seconds"] / bare["seconds"]
            print(
                f"{rows:>8,}  {bare['seconds']:>8.2f}s  {read['seconds']:>8.2f}s  {full['seconds']:>14.2f}s  "
                f"{ratio:>4.2f}x  {bare['peak_mb']:>10.0f} / {full['peak_mb']:<10.0f}  {int(full['rows']):,}"
            )
    print("\nTarget at 100,000 rows: import+validate within 2x the bare read, peak under 400 MB.")
    if args.formulas:
        formula_table(args.formulas, args.repeat)


def formula_table(sizes: list[int], repeat: int) -> None:
    """The same workbook read with a formula column and with plain numbers in its place."""
    print(
        f"\n{'rows':>8}  {'numbers':>9}  {'formulas':>9}  {'ratio':>5}  {'peak MB (numbers / formulas)':>28}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for rows in sizes:
            timings = {}
            for total in ("number", "formula"):
                path = Path(folder) / f"{total}-{rows}.xlsx"
                build(path, rows, total)
                timings[total] = best_of("read", path, repeat)
            plain, formula = timings["number"], timings["formula"]
            ratio = formula["seconds"] / plain["seconds"]
            print(
                f"{rows:>8,}  {plain['seconds']:>8.2f}s  {formula['seconds']:>8.2f}s  {ratio:>4.2f}x  "
                f"{plain['peak_mb']:>13.0f} / {formula['peak_mb']:<13.0f}"
            )
    print("\nTarget: a formula column costs at most 1.5x the same workbook with numbers in its place.")


if __name__ == "__main__":
    main()
