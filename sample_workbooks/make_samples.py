"""Writes the sample workbooks beside this script: a clean sheet per delivery type, one mixing all three, and
one full of the mistakes real HR sheets have. All use the sandbox's products and example.com/.org addresses.

Run: .venv/bin/python sample_workbooks/make_samples.py
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

HERE = Path(__file__).resolve().parent

PEOPLE = [
    ("Ana", "Ortiz"),
    ("Ben", "Carter"),
    ("Chloé", "Dubois"),
    ("Dev", "Patel"),
    ("Emma", "Schmidt"),
    ("Farah", "Haddad"),
    ("George", "Nguyen"),
    ("Hana", "Sato"),
    ("Ivan", "Petrov"),
    ("Jade", "Williams"),
    ("Kofi", "Mensah"),
    ("Lena", "Berg"),
    ("Mateo", "García"),
    ("Nora", "O'Brien"),
    ("Omar", "Farouk"),
    ("Priya", "Raman"),
    ("Quinn", "Taylor"),
    ("Rosa", "Lopez"),
    ("Sam", "Cohen"),
    ("Tariq", "Aziz"),
    ("Uma", "Iyer"),
    ("Victor", "Moreau"),
    ("Wen", "Li"),
    ("Ximena", "Ruiz"),
    ("Yusuf", "Kaya"),
]
# Fictional numbers (555-01xx is reserved for fiction) in real area codes.
AREA_CODES = ["212", "415", "312", "617", "206", "303", "512", "404"]
ADDRESSES = [
    ("12 Beacon Street", "", "Boston", "MA", "02108"),
    ("400 Market Street", "Suite 210", "San Francisco", "CA", "94111"),
    ("77 Wacker Drive", "Floor 5", "Chicago", "IL", "60601"),
    ("1200 Congress Avenue", "", "Austin", "TX", "78701"),
    ("900 Pine Street", "Apt 4B", "Seattle", "WA", "98101"),
    ("1600 Broad Street", "", "Newark", "NJ", "07102"),
    ("55 Asylum Street", "Unit 3", "Hartford", "CT", "06103"),
    ("1701 Larimer Street", "", "Denver", "CO", "80202"),
    ("310 Peachtree Road", "Suite 1400", "Atlanta", "GA", "30305"),
    ("88 Main Street", "", "Springfield", "IL", "62701"),
    ("2 Portland Square", "", "Portland", "ME", "04101"),
    ("415 Fifth Avenue", "Floor 12", "New York", "NY", "10016"),
]
MESSAGES = [
    "Thank you for a wonderful year!",
    "Happy work anniversary!",
    "Thanks for going above and beyond on the launch.",
    "Enjoy a coffee on us.",
    "With gratitude from the whole team.",
]


def email(first: str, last: str, domain: str = "example.com") -> str:
    plain = {"é": "e", "í": "i", "'": ""}
    name = "".join(plain.get(ch, ch) for ch in f"{first}.{last}".lower())
    return f"{name}@{domain}"


def mobile(i: int, area: str | None = None) -> str:
    return f"+1 {area or AREA_CODES[i % len(AREA_CODES)]} 555 {100 + i:04d}"


class Sheet:
    """A sheet being written: formats for a header, text columns and dates."""

    def __init__(self, book: Workbook, name: str) -> None:
        self.book = book
        self.sheet: Worksheet = book.add_worksheet(name)
        self.bold = book.add_format({"bold": True, "bg_color": "#E2EFDA", "border": 1})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.text = book.add_format({"num_format": "@"})
        self.day = book.add_format({"num_format": "yyyy-mm-dd"})
        self.money = book.add_format({"num_format": "$#,##0.00"})

    def header(self, row: int, names: Sequence[str], widths: Sequence[int]) -> None:
        for col, (name, width) in enumerate(zip(names, widths, strict=True)):
            self.sheet.set_column(col, col, width)
            self.sheet.write_string(row, col, name, self.bold)
        self.sheet.freeze_panes(row + 1, 0)
        self.sheet.autofilter(row, 0, row, len(names) - 1)

    def rows(self, first_row: int, rows: Sequence[Sequence[Any]], text_columns: Sequence[int] = ()) -> None:
        for r, row in enumerate(rows, start=first_row):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, dt.date):
                    self.sheet.write_datetime(r, c, value, self.day)
                elif c in text_columns or isinstance(value, str):
                    self.sheet.write_string(r, c, str(value), self.text if c in text_columns else None)
                else:
                    self.sheet.write_number(r, c, value)


def write(name: str, build: Callable[[Workbook], None]) -> Path:
    path = HERE / name
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    book.set_properties({"title": name, "author": "Giftbatch samples", "created": dt.datetime(2026, 1, 5)})
    build(book)
    book.close()
    return path


def digital(book: Workbook) -> None:
    """Email and SMS cards for an anniversary programme: 20 people, a clean sheet."""
    s = Sheet(book, "Anniversaries")
    s.header(
        0,
        [
            "Employee ID",
            "First Name",
            "Last Name",
            "Email",
            "Mobile",
            "Delivery Method",
            "Product",
            "Value",
            "Message",
            "From",
        ],
        [12, 12, 14, 30, 18, 16, 11, 8, 40, 16],
    )
    products = [("CVS", 25), ("COFFEE", 15), ("VISA-VAR", 40), ("CVS", 50), ("COFFEE", 10)]
    rows = []
    for i, (first, last) in enumerate(PEOPLE[:20]):
        by_sms = i % 4 == 3
        product, value = products[i % len(products)]
        if i in (6, 13):
            product, value = "TIMS-CA", 25  # the Toronto office
        rows.append(
            [
                f"E{1040 + i}",
                first,
                last,
                "" if by_sms else email(first, last),
                mobile(i, "416" if product == "TIMS-CA" else None) if by_sms or product == "TIMS-CA" else "",
                "SMS" if by_sms else "Email",
                product,
                value,
                MESSAGES[i % len(MESSAGES)],
                "People Team",
            ]
        )
    s.rows(1, rows, text_columns=(0, 4))


def links(book: Workbook) -> None:
    """Claim links for a customer promotion: products, values and how many links of each."""
    s = Sheet(book, "Promotion links")
    s.sheet.write_string(0, 0, "Spring promotion: claim links to hand out at the stand", s.title)
    s.header(
        2, ["Campaign", "Delivery Method", "Product", "Value", "Quantity", "Notes"], [18, 16, 11, 8, 10, 40]
    )
    rows = [
        ["SPRING-STAND", "Link", "COFFEE", 5, 40, "Free coffee for visitors"],
        ["SPRING-STAND", "Link", "COFFEE", 10, 25, "Newsletter sign-ups"],
        ["SPRING-RAFFLE", "Link", "VISA-VAR", 100, 3, "Raffle prizes"],
        ["SPRING-RAFFLE", "Link", "VISA-VAR", 250, 1, "Grand prize"],
        ["SPRING-SURVEY", "Link", "CVS", 10, 50, "Survey thank-you"],
        ["SPRING-SURVEY", "Link", "CVS", 25, 20, "Long survey thank-you"],
        ["PARTNERS", "Link", "CVS", 50, 10, "Partner staff"],
        ["PARTNERS", "Link", "COFFEE", 25, 10, "Partner staff"],
        ["REFERRALS", "Link", "VISA-VAR", 20, 30, "Referral bonus"],
        ["REFERRALS", "Link", "VISA-VAR", 35.5, 5, "Referral bonus, premium tier"],
        ["STAFF-DRAW", "Link", "CVS", 100, 2, "Staff draw"],
        ["STAFF-DRAW", "Link", "COFFEE", 15, 12, "Runners-up"],
    ]
    s.rows(3, rows)


def physical(book: Workbook) -> None:
    """Plastic cards mailed to remote staff: full postal addresses, shipping method and carrier."""
    s = Sheet(book, "Mail list")
    s.header(
        0,
        [
            "Ship To",
            "Company",
            "Address 1",
            "Address 2",
            "City",
            "State",
            "Zip",
            "Country",
            "Phone",
            "Delivery Method",
            "Product",
            "Value",
            "Shipping Method",
            "Carrier",
            "Employee ID",
        ],
        [20, 16, 24, 12, 15, 7, 8, 8, 18, 16, 11, 8, 16, 9, 12],
    )
    rows = []
    for i, (address, line2, city, state, zip_code) in enumerate(ADDRESSES):
        first, last = PEOPLE[i + 5]
        express = i % 4 == 1
        product, value = ("VISA-PHYS", (25, 50, 100)[i % 3]) if i % 3 else ("CVS", 50)
        rows.append(
            [
                f"{first} {last}",
                "Example Corp" if i % 5 == 0 else "",
                address,
                line2,
                city,
                state,
                zip_code,
                "US",
                mobile(i),
                "Physical",
                product,
                value,
                "EXPRESS" if express else "STANDARD",
                "UPS" if express else "DEFAULT",
                f"E{2100 + i}",
            ]
        )
    s.rows(1, rows, text_columns=(6, 8, 14))


def mixed(book: Workbook) -> None:
    """Year-end rewards going out every way at once: email, SMS, links and mail."""
    s = Sheet(book, "Year-end rewards")
    s.header(
        0,
        [
            "First Name",
            "Last Name",
            "Email",
            "Mobile",
            "Delivery",
            "Product",
            "Amount",
            "Qty",
            "Address 1",
            "City",
            "State",
            "Zip",
            "Country",
            "Shipping Method",
            "Carrier",
            "Send Date",
            "Message",
            "Department",
        ],
        [11, 12, 30, 17, 10, 11, 8, 5, 22, 14, 6, 7, 8, 16, 9, 12, 34, 14],
    )
    send = dt.date(2030, 12, 15)
    rows = []
    departments = ["Finance", "Engineering", "Sales", "Support", "Operations"]
    for i, (first, last) in enumerate(PEOPLE[:16]):
        kind = ("email", "sms", "email", "physical")[i % 4]
        row: list[Any] = [
            first,
            last,
            "",
            "",
            kind,
            "CVS",
            25,
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            send,
            MESSAGES[i % len(MESSAGES)],
            departments[i % len(departments)],
        ]
        if kind == "email":
            row[2] = email(first, last, "example.org")
            row[5], row[6] = ("VISA-VAR", 75) if i % 3 == 0 else ("CVS", 25)
        elif kind == "sms":
            row[3] = mobile(i)
            row[5], row[6] = "COFFEE", 15
        else:
            address, _, city, state, zip_code = ADDRESSES[i % len(ADDRESSES)]
            row[5], row[6] = "VISA-PHYS", 50
            row[8:15] = [address, city, state, zip_code, "US", "STANDARD", "DEFAULT"]
        rows.append(row)
    rows.append(["", "", "", "", "link", "COFFEE", 10, 20, "", "", "", "", "", "", "", "", "", "Events"])
    rows.append(["", "", "", "", "link", "VISA-VAR", 50, 4, "", "", "", "", "", "", "", "", "", "Events"])
    s.rows(1, rows, text_columns=(3, 11))


def mistake(
    name: str,
    mail: str,
    how: str,
    card: str,
    amount: Any,
    *,
    cell: Any = "",
    notes: str = "",
    address: tuple[str, str, str, Any, str] = ("", "", "", "", ""),
    send: Any = "",
) -> list[Any]:
    """One row of the common-mistakes sheet, in its column order."""
    return [name, mail, cell, how, card, amount, *address, send, notes]


def mistakes(book: Workbook) -> None:
    """What a real sheet looks like before it is checked: each mistake below is one the validation flags
    or repairs (with a warning), at its cell."""
    s = Sheet(book, "Gifts Q4")
    s.sheet.write_string(0, 0, "Q4 thank-you gifts", s.title)
    s.sheet.write_string(1, 0, "Prepared by People Ops, do not forward. Budget approved by Finance.")
    names = [
        "Name",
        "E-mail Address",
        "Cell",
        "How to send",
        "Card",
        "Amount ($)",
        "Street",
        "Town",
        "State/Province",
        "Zip/Postal Code",
        "Country",
        "Send Date",
        "Notes",
    ]
    s.header(3, names, [18, 30, 15, 11, 10, 10, 22, 13, 13, 14, 9, 12, 44])
    serial = 47484  # 2030-01-01 as Excel counts days, typed into a cell formatted as a number
    rows = [
        mistake("Ana Ortiz", "ana.ortiz@example.com", "email", "CVS", 25),
        mistake(
            "Ben Carter",
            " ben.carter@example.com\u00a0",
            "Email",
            "CVS",
            "$25.00",
            notes="stray spaces around the address; the amount typed as text",
        ),
        mistake(
            "Chloé Dubois", "chloe.dubois.example.com", "email", "COFFEE", 10, notes="no @ in the address"
        ),
        mistake(
            "Dev Patel",
            "",
            "sms",
            "COFFEE",
            15,
            cell=14155550123,
            notes="Excel turned the mobile number into a number",
        ),
        mistake(
            "Emma Schmidt",
            "emma.schmidt@example.com",
            "email",
            "STARBUCKS",
            25,
            notes="a product the vendor does not sell",
        ),
        mistake(
            "Farah Haddad",
            "farah.haddad@example.com",
            "email",
            "CVS",
            30,
            notes="CVS comes in 10, 25, 50 or 100 only",
        ),
        mistake(
            "George Nguyen",
            "",
            "mail",
            "VISA-PHYS",
            50,
            notes="the ZIP lost its leading zero",
            address=("12 Beacon Street", "Boston", "MA", 2108, "US"),
        ),
        mistake(
            "Hana Sato",
            "",
            "physical",
            "VISA-PHYS",
            50,
            notes="no street address",
            address=("", "Seattle", "WA", "98101", "US"),
        ),
        mistake(
            "Ivan Petrov",
            "ivan.petrov@example.com",
            "email",
            "VISA-VAR",
            40,
            notes="the send date is an Excel serial number",
            send=serial,
        ),
        mistake(
            "Ivan Petrov",
            "ivan.petrov@example.com",
            "email",
            "VISA-VAR",
            40,
            notes="the same row twice",
            send=serial,
        ),
        mistake(
            "Jade Williams",
            "jade.williams@example.com",
            "email",
            "CVS",
            None,
            notes="the amount is a formula",
        ),
        mistake("Kofi Mensah", "kofi.mensah@example.com", "email", "CVS", 50, notes="a hidden row"),
        mistake("Lena Berg", "lena.berg@example.com", "email", "", 10, notes="the card is in a merged cell"),
        mistake("Mateo García", "mateo.garcia@example.com", "email", "", 10),
        mistake("Nora O'Brien", "nora.obrien@example.org", "email", "", 10),
        mistake(
            "Omar Farouk",
            "omar.farouk@example.org",
            "Email ",
            "TIMS-CA",
            25,
            notes="a stray space after the delivery method",
        ),
    ]
    first = 4
    s.rows(first, rows)
    s.sheet.write_formula(first + 10, 5, "=2*25", None, 50)
    s.sheet.set_row(first + 11, None, None, {"hidden": True})
    s.sheet.merge_range(first + 12, 4, first + 14, 4, "COFFEE")


SAMPLES: dict[str, Callable[[Workbook], None]] = {
    "digital-email-sms.xlsx": digital,
    "links.xlsx": links,
    "physical.xlsx": physical,
    "mixed-all-three.xlsx": mixed,
    "common-mistakes.xlsx": mistakes,
}


def main() -> None:
    for name, build in SAMPLES.items():
        print(f"wrote {write(name, build)}")


if __name__ == "__main__":
    main()
