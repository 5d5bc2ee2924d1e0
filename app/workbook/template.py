"""The workbook people fill in: instructions, a header with a note on each column, dropdowns, example rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from app.domain.catalog import Catalog, DeliveryType, Product
from app.domain.fields import Field
from app.workbook.output_file import ExportOptions, write_atomically

RECIPIENTS_SHEET = "Recipients"
INSTRUCTIONS_SHEET = "Instructions"
LISTS_SHEET = "Lists"  # very hidden: the dropdowns' source, never read as recipients
DELIVERY_CHOICES = ("Email", "SMS", "Link", "Physical")
FILLABLE_ROWS = 5_000
_LISTED_PRODUCTS = 12  # products named in the Product column's note; the dropdown has them all


@dataclass(frozen=True)
class TemplateColumn:
    """One column of the template: its header (a name the reader maps exactly), its field and its note."""

    header: str
    field: Field
    note: str
    width: int = 16
    text: bool = False  # stored as text, so Excel keeps a phone's + and a ZIP's leading zero


COLUMNS: tuple[TemplateColumn, ...] = (
    TemplateColumn("First Name", Field.FIRST_NAME, "The recipient's first name, shown on the card."),
    TemplateColumn("Last Name", Field.LAST_NAME, "The recipient's last name."),
    TemplateColumn("Email", Field.EMAIL, "Where an Email card is sent, e.g. ana@example.com.", 28),
    TemplateColumn(
        "Mobile", Field.SMS, "Where an SMS card is sent, with country code: +1 555 555 0123.", 18, text=True
    ),
    TemplateColumn(
        "Delivery Method",
        Field.DELIVERY_TYPE,
        "Email, SMS, Link (a claim link you hand out yourself) or Physical (a card in the mail). "
        "Pick from the list.",
        16,
    ),
    TemplateColumn("Product", Field.PRODUCT, "", 14),
    TemplateColumn(
        "Value", Field.VALUE, "The card's value in the product's currency, e.g. 25 (no currency sign).", 10
    ),
    TemplateColumn("Quantity", Field.QUANTITY, "How many cards (or links) for this row. Empty means 1.", 10),
    TemplateColumn("Message", Field.MESSAGE, "A personal message shown with the card (optional).", 36),
    TemplateColumn("From Name", Field.FROM_NAME, "Who the card is from, e.g. The HR Team (optional).", 18),
    TemplateColumn(
        "Send Date", Field.DELIVERY_DATE, "The day to deliver the card (optional; empty means now).", 12
    ),
    TemplateColumn(
        "Company", Field.COMPANY, "Physical cards: the company line of the address (optional).", 18
    ),
    TemplateColumn("Address 1", Field.ADDRESS_LINE1, "Physical cards: street and number.", 26),
    TemplateColumn(
        "Address 2", Field.ADDRESS_LINE2, "Physical cards: apartment, suite, floor (optional).", 16
    ),
    TemplateColumn("City", Field.CITY, "Physical cards: city or town.", 16),
    TemplateColumn("State", Field.STATE, "Physical cards: state or province, e.g. IL or Ontario.", 10),
    TemplateColumn("Zip", Field.ZIP, "Physical cards: ZIP or postal code, e.g. 02134.", 10, text=True),
    TemplateColumn("Country", Field.COUNTRY, "Physical cards: country, e.g. US or Canada.", 10),
    TemplateColumn(
        "Phone", Field.PHONE, "Physical cards: a phone number for the courier (optional).", 16, text=True
    ),
    TemplateColumn("Shipping Method", Field.SHIPPING_METHOD, "", 16),
    TemplateColumn("Carrier", Field.CARRIER, "", 12),
    TemplateColumn(
        "Reference", Field.REFERENCE, "Your own reference for the row, e.g. an employee id (optional).", 14
    ),
)

# (delivery choice, preferred sandbox product and value, what the row shows)
_EXAMPLES: tuple[tuple[str, DeliveryType, str, Decimal, dict[Field, Any]], ...] = (
    (
        "Email",
        DeliveryType.DIGITAL,
        "CVS",
        Decimal(25),
        {
            Field.FIRST_NAME: "Ana",
            Field.LAST_NAME: "Ortiz",
            Field.EMAIL: "ana.ortiz@example.com",
            Field.MESSAGE: "Thank you for a great year!",
            Field.FROM_NAME: "The HR Team",
        },
    ),
    (
        "SMS",
        DeliveryType.DIGITAL,
        "COFFEE",
        Decimal(10),
        {
            Field.FIRST_NAME: "Ben",
            Field.LAST_NAME: "Carter",
            Field.SMS: "+1 555 555 0123",
            Field.FROM_NAME: "The HR Team",
        },
    ),
    (
        "Link",
        DeliveryType.LINKS,
        "VISA-VAR",
        Decimal(50),
        {Field.QUANTITY: 3, Field.REFERENCE: "RAFFLE-PRIZES"},
    ),
    (
        "Physical",
        DeliveryType.PHYSICAL,
        "VISA-PHYS",
        Decimal(50),
        {
            Field.FIRST_NAME: "Dana",
            Field.LAST_NAME: "Lee",
            Field.ADDRESS_LINE1: "1 Main Street",
            Field.ADDRESS_LINE2: "Suite 200",
            Field.CITY: "Springfield",
            Field.STATE: "IL",
            Field.ZIP: "62701",
            Field.COUNTRY: "US",
            Field.PHONE: "+1 217 555 0100",
        },
    ),
)


def write_template(
    path: Path,
    catalog: Catalog,
    *,
    force: bool = False,
    today: date | None = None,
    app_folders: tuple[Path, ...] = (),
) -> Path:
    """Write the template to `path` (atomically; an existing file only with `force`, never one in
    `app_folders`), with the catalog's products, shipping methods and carriers in its dropdowns. Returns the
    path written."""
    builder = _TemplateBuilder(catalog, today or date.today())
    return write_atomically(path, builder.build, ExportOptions(force=force, app_folders=app_folders))


class _TemplateBuilder:
    def __init__(self, catalog: Catalog, today: date) -> None:
        self.catalog = catalog
        self.today = today
        self.products = sorted(catalog.products.values(), key=lambda p: p.id)

    def build(self, target: str | BinaryIO) -> None:
        book = xlsxwriter.Workbook(target, {"strings_to_numbers": False, "strings_to_formulas": False})
        instructions = book.add_worksheet(INSTRUCTIONS_SHEET)
        recipients = book.add_worksheet(RECIPIENTS_SHEET)
        lists = book.add_worksheet(LISTS_SHEET)
        self._write_lists(book, lists)
        self._write_recipients(book, recipients)
        self._write_instructions(book, instructions)
        recipients.activate()
        lists.very_hidden()
        book.close()

    def _write_lists(self, book: xlsxwriter.Workbook, sheet: Worksheet) -> None:
        """Each dropdown's values in a column of the hidden Lists sheet, under a defined name."""
        for col, (name, values) in enumerate(self._lists().items()):
            for row, value in enumerate(values):
                sheet.write_string(row, col, value)
            if values:
                letter = chr(ord("A") + col)
                book.define_name(name, f"='{LISTS_SHEET}'!${letter}$1:${letter}${len(values)}")

    def _lists(self) -> dict[str, list[str]]:
        methods = self.catalog.shipping_methods.values()
        return {
            "ProductIds": [p.id for p in self.products],
            "ShippingMethodIds": [m.id for m in methods],
            "CarrierIds": sorted({c.id for m in methods for c in m.carriers}),
        }

    def _write_recipients(self, book: xlsxwriter.Workbook, sheet: Worksheet) -> None:
        header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        text = book.add_format({"num_format": "@"})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        example = book.add_format({"font_color": "#595959", "italic": True})
        sheet.freeze_panes(1, 0)
        for col, column in enumerate(COLUMNS):
            cell_format = text if column.text else day if column.field is Field.DELIVERY_DATE else None
            sheet.set_column(col, col, column.width, cell_format)
            sheet.write_string(0, col, column.header, header)
            sheet.write_comment(0, col, self._note(column), {"x_scale": 2.2, "y_scale": 1.6})
            self._validate(sheet, col, column.field)
        for row, values in enumerate(self._example_rows(), start=1):
            for col, column in enumerate(COLUMNS):
                value = values.get(column.field)
                if value is None:
                    continue
                if isinstance(value, date):
                    sheet.write_datetime(
                        row,
                        col,
                        value,
                        book.add_format(
                            {"num_format": "yyyy-mm-dd", "font_color": "#595959", "italic": True}
                        ),
                    )
                elif isinstance(value, str):
                    sheet.write_string(row, col, value, example)
                else:
                    sheet.write_number(row, col, value, example)

    def _note(self, column: TemplateColumn) -> str:
        if column.field is Field.PRODUCT:
            return self._product_note()
        if column.field is Field.SHIPPING_METHOD:
            methods = ", ".join(f"{m.id} ({m.name})" for m in self.catalog.shipping_methods.values())
            return f"Physical cards: how the card is mailed. One of: {methods or 'none offered'}."
        if column.field is Field.CARRIER:
            return (
                "Physical cards: who carries it. Each shipping method has its own carriers: "
                + "; ".join(
                    f"{m.id}: {', '.join(c.id for c in m.carriers)}"
                    for m in self.catalog.shipping_methods.values()
                )
                + "."
            )
        return column.note

    def _product_note(self) -> str:
        if not self.products:
            return "The product id from your vendor's catalog."
        shown = [f"{p.id}: {p.name}, {p.describe_values()}, {_deliveries(p)}" for p in self.products]
        more = len(shown) - _LISTED_PRODUCTS
        listed = "\n".join(shown[:_LISTED_PRODUCTS]) + (
            f"\n… and {more} more in the list." if more > 0 else ""
        )
        return f"The product id; pick from the list.\n{listed}"

    def _validate(self, sheet: Worksheet, col: int, field: Field) -> None:
        rule = self._rule(field)
        if rule is None:
            return
        rule.setdefault(
            "error_type", "warning"
        )  # a warning still lets people paste; validation catches the rest
        sheet.data_validation(1, col, FILLABLE_ROWS, col, rule)

    def _rule(self, field: Field) -> dict[str, Any] | None:
        if field is Field.DELIVERY_TYPE:
            return {
                "validate": "list",
                "source": list(DELIVERY_CHOICES),
                "error_message": "Pick Email, SMS, Link or Physical.",
            }
        named = {
            Field.PRODUCT: "ProductIds",
            Field.SHIPPING_METHOD: "ShippingMethodIds",
            Field.CARRIER: "CarrierIds",
        }
        if field in named and self._lists()[named[field]]:
            return {
                "validate": "list",
                "source": f"={named[field]}",
                "error_message": f"Pick a {field.label.lower()} from the list.",
            }
        if field is Field.QUANTITY:
            return {
                "validate": "integer",
                "criteria": ">=",
                "value": 1,
                "error_message": "A whole number of cards, 1 or more.",
            }
        if field is Field.VALUE:
            return {
                "validate": "decimal",
                "criteria": ">",
                "value": 0,
                "error_message": "A number such as 25, without a currency sign.",
            }
        if field is Field.DELIVERY_DATE:
            return {
                "validate": "date",
                "criteria": ">=",
                "value": self.today,
                "error_message": "A date from today on, such as 2030-01-31.",
            }
        return None

    def _example_rows(self) -> list[dict[Field, Any]]:
        rows = []
        for choice, delivery, preferred, value, shown in _EXAMPLES:
            product = self._example_product(preferred, delivery)
            if product is None:
                continue
            row = dict(shown)
            row[Field.DELIVERY_TYPE] = choice
            row[Field.PRODUCT] = product.id
            row[Field.VALUE] = _number(value if product.allows_value(value) else product.minimum)
            if delivery is DeliveryType.PHYSICAL:
                row.update(self._shipping_example())
            if choice == "Email":
                row[Field.DELIVERY_DATE] = self.today + timedelta(days=14)
            rows.append(row)
        return rows

    def _example_product(self, preferred: str, delivery: DeliveryType) -> Product | None:
        wanted = self.catalog.product(preferred)
        if wanted is not None and delivery in wanted.delivery_types:
            return wanted
        return next((p for p in self.products if delivery in p.delivery_types), None)

    def _shipping_example(self) -> dict[Field, Any]:
        method = self.catalog.shipping_methods.get("STANDARD") or next(
            iter(self.catalog.shipping_methods.values()), None
        )
        if method is None:
            return {}
        carrier = (
            "DEFAULT"
            if method.has_carrier("DEFAULT")
            else (method.carriers[0].id if method.carriers else None)
        )
        return {Field.SHIPPING_METHOD: method.id, Field.CARRIER: carrier}

    def _write_instructions(self, book: xlsxwriter.Workbook, sheet: Worksheet) -> None:
        title = book.add_format({"bold": True, "font_size": 14})
        bold = book.add_format({"bold": True})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        sheet.set_column(0, 0, 110, wrap)
        lines: list[tuple[str, Any]] = [
            ("Sending gift cards with this workbook", title),
            ("", None),
            ("Fill in the Recipients sheet: one row per recipient (or per batch of links).", None),
            ("Rows 2 to 5 of the Recipients sheet are examples in grey: replace them or delete them.", None),
            ("Hover over a column's header to see what it holds; dropdowns offer the allowed values.", None),
            ("", None),
            ("Which columns each delivery method needs", bold),
            ("Email — the recipient's email address in the Email column.", None),
            ("SMS — the recipient's mobile number, with its country code, in the Mobile column.", None),
            (
                "Link — nothing about the recipient: you receive claim links to hand out yourself. Quantity "
                "says how many.",
                None,
            ),
            (
                "Physical — name, Address 1, City, State, Zip and Country, a Shipping Method and a Carrier.",
                None,
            ),
            ("Every row — a Product, a Value the product allows, and a Quantity (empty means 1).", None),
            ("", None),
            ("Good to know", bold),
            (
                "You can add columns of your own (a department, a cost centre): they are kept and ignored.",
                None,
            ),
            (
                "Mobile, Zip and Phone are text columns, so Excel keeps the + of a phone number and the "
                "leading "
                "zero of a ZIP code.",
                None,
            ),
            (
                "Check the workbook before sending: giftbatch validate FILE (or open it in the app). Every "
                "problem is shown at its cell, with how to fix it.",
                None,
            ),
        ]
        for row, (text, cell_format) in enumerate(lines):
            if text:
                sheet.write_string(row, 0, text, cell_format or wrap)


def _deliveries(product: Product) -> str:
    names = {DeliveryType.DIGITAL: "Email/SMS", DeliveryType.LINKS: "Link", DeliveryType.PHYSICAL: "Physical"}
    return " or ".join(names[d] for d in DeliveryType if d in product.delivery_types)


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)
