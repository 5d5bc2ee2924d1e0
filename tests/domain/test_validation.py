"""Each rule: the error's code and cell, and a message saying what was found, what is expected and the fix."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from app.domain.catalog import Catalog, DeliveryType, DenominationType, LeftOut, Product
from app.domain.fields import Field
from app.domain.issues import Issue, Severity
from app.domain.payments import EarlierPayment, EarlierPayments, PayAgain, payment_claims
from app.domain.recipient import Recipient
from app.domain.records import CellError, CellValue
from app.domain.validation import (
    PersonalizationDefaults,
    RowValidator,
    ValidationOptions,
    delivery_type_from_word,
)
from tests.domain.helpers import TODAY, Check, codes, validate_one

F = Field
DIGITAL: dict[Field, CellValue | CellError] = {
    F.FIRST_NAME: "Ana",
    F.LAST_NAME: "Lopez",
    F.EMAIL: "ana@example.com",
    F.PRODUCT: "CVS",
    F.VALUE: 25,
    F.DELIVERY_TYPE: "email",
}
PHYSICAL: dict[Field, CellValue | CellError] = {
    F.FULL_NAME: "Ana Lopez",
    F.ADDRESS_LINE1: "1 Main St",
    F.CITY: "Boston",
    F.STATE: "MA",
    F.ZIP: "02134",
    F.COUNTRY: "US",
    F.PRODUCT: "VISA-PHYS",
    F.VALUE: 50,
    F.DELIVERY_TYPE: "mail",
}
LINKS: dict[Field, CellValue | CellError] = {
    F.PRODUCT: "CVS",
    F.VALUE: 25,
    F.QUANTITY: 5,
    F.DELIVERY_TYPE: "links",
}


def row(base: dict[Field, CellValue | CellError], **changes: CellValue | CellError) -> dict[Field, object]:
    """`base` with some fields changed; a change to None empties the cell."""
    values: dict[Field, object] = dict(base)
    for name, value in changes.items():
        values[Field[name.upper()]] = value
    return values


def only_error(issues: list[Issue]) -> Issue:
    errors = [i for i in issues if i.severity is Severity.ERROR]
    assert len(errors) == 1, [i.message for i in issues]
    return errors[0]


@pytest.mark.parametrize("base", [DIGITAL, PHYSICAL, LINKS], ids=["digital", "physical", "links"])
def test_clean_rows_have_no_issues(check: Check, base: dict[Field, CellValue]) -> None:
    recipient, issues = check(base)
    assert issues == []
    assert recipient.value == base[F.VALUE]


RULES = [
    # (row, code, cell, words the message must hold: what was found, what is expected, how to fix it)
    (
        row(DIGITAL, email="ana@example"),
        "email.invalid",
        "D7",
        ['"ana@example" is not a valid email address', "such as example.com", "give an SMS number instead"],
    ),
    (
        row(DIGITAL, email=None, delivery_type="digital"),
        "contact.missing",
        "D7",
        ["no email address or SMS number", "Expected an email address", "Type one"],
    ),
    (
        row(DIGITAL, email=None, sms="+12125550123"),
        "email.missing",
        "D7",
        ["says email", "name@example.com", "change the delivery type to sms"],
    ),
    (
        row(DIGITAL, delivery_type="sms"),
        "sms.missing",
        "E7",
        ["says SMS", "mobile number", "change the delivery type to email"],
    ),
    (
        row(DIGITAL, email=None, sms="+1 555 555 0123", delivery_type="sms"),
        "sms.invalid",
        "E7",
        ['"+1 555 555 0123" is not a valid phone number', "with its country code", "Correct the number"],
    ),
    (
        row(DIGITAL, email=None, sms="+44 20 7946 0958", delivery_type="sms"),
        "sms.not_mobile",
        "E7",
        ["+442079460958", "cannot receive SMS", "Give a mobile number"],
    ),
    (row(DIGITAL, product=None), "product.missing", "F7", ["no product", "such as COFFEE, CVS", "Type"]),
    (
        row(DIGITAL, product="XYZ"),
        "product.unknown",
        "F7",
        ['"XYZ" is not a product in the catalog', "such as COFFEE", "refresh the catalog"],
    ),
    (row(DIGITAL, product="CVSS"), "product.unknown", "F7", ["did you mean CVS?"]),
    (
        row(DIGITAL, value=None),
        "value.missing",
        "G7",
        ["no value", "10, 25, 50 or 100 USD", "Type the amount"],
    ),
    (
        row(DIGITAL, value="lots"),
        "value.not_a_number",
        "G7",
        ['"lots" is not an amount', "such as 25", "plain"],
    ),
    (
        row(DIGITAL, value=30),
        "value.not_allowed",
        "G7",
        ["30 USD is not a value CVS allows", "Expected 10, 25, 50 or 100 USD", "Change the value"],
    ),
    (row(DIGITAL, product="VISA-VAR", value=600), "value.not_allowed", "G7", ["from 5 to 500 USD"]),
    (row(DIGITAL, product="VISA-VAR", value=12.345), "value.not_allowed", "G7", ["with at most 2 decimals"]),
    (
        row(DIGITAL, product="VISA-VAR", value=1e26),
        "value.not_allowed",
        "G7",
        ["from 5 to 500 USD"],
    ),  # > precision
    (
        row(DIGITAL, product="TIMS-CA", value="25 USD"),
        "value.currency_mismatch",
        "G7",
        ['"25 USD" is in USD', "sold in CAD", "10, 25 or 50 CAD", "pick a product sold in USD"],
    ),
    (
        row(DIGITAL, quantity="many"),
        "quantity.not_a_number",
        "H7",
        ['"many" is not a number of cards', "from 1 to 1000", "Type the number"],
    ),
    (row(DIGITAL, quantity=2.5), "quantity.not_whole", "H7", ["2.5 is not a whole number", "whole number"]),
    (row(DIGITAL, quantity=0), "quantity.out_of_range", "H7", ["0 cards", "from 1 to 1000", "split"]),
    (row(DIGITAL, quantity=1001), "quantity.out_of_range", "H7", ["1001 cards"]),
    (row(DIGITAL, quantity=-2), "quantity.out_of_range", "H7", ["-2 cards"]),
    (
        row(DIGITAL, delivery_type="fax"),
        "delivery_type.unknown",
        "I7",
        ['"fax" is not a delivery type', "email, sms, link or mail", "Type one of them"],
    ),
    (
        row(LINKS, delivery_type=None),
        "delivery_type.missing",
        "I7",
        ["no delivery type", "email, sms, link or mail", "choose a default delivery type"],
    ),
    (
        row(DIGITAL, product="VISA-PHYS", value=50),
        "delivery_type.not_available",
        "I7",
        [
            "VISA-PHYS cannot be sent as DigitalDelivery",
            "offered as PhysicalShipment",
            "Change the delivery type",
        ],
    ),
    (row(PHYSICAL, full_name=None), "name.missing", "C7", ["no recipient name", "Type it"]),
    (row(PHYSICAL, address_line1=None), "address_line1.missing", "K7", ["no street address", "1 Main St"]),
    (row(PHYSICAL, city=None), "city.missing", "M7", ["no city", "town or city"]),
    (
        row(PHYSICAL, state=None),
        "state.missing",
        "N7",
        ["no state, and addresses in United States (US) need one", "such as CA or VA", "Type it"],
    ),
    (
        row(PHYSICAL, state="ZZ"),
        "state.unknown",
        "N7",
        ['"ZZ" is not a state of United States (US)', "code or name, such as CA or VA", "Correct it"],
    ),
    (
        row(PHYSICAL, state="Califonia"),
        "state.unknown",
        "N7",
        ['"Califonia" is not a state', "Did you mean California?", "Correct it"],
    ),
    (
        row(PHYSICAL, state="Texas", country="CA", zip="K1A 0B1"),
        "state.unknown",
        "N7",
        ["not a province of Canada (CA)", "such as QC or BC", "check the country"],
    ),
    (
        row(PHYSICAL, zip=None),
        "zip.missing",
        "O7",
        ["no ZIP code, and addresses in United States (US) need one", "such as 95014 or 22162-1010"],
    ),
    (
        row(PHYSICAL, zip="ABCDE"),
        "zip.invalid",
        "O7",
        [
            '"ABCDE" is not a valid ZIP code for United States (US)',
            "95014 or 22162-1010",
            "check the country",
        ],
    ),
    (row(PHYSICAL, country="CA", state="ON", zip="12345"), "zip.invalid", "O7", ["such as H3Z 2Y7"]),
    (row(PHYSICAL, country="GB", state=None, zip="12345"), "zip.invalid", "O7", ["such as EC1Y 8SY"]),
    (
        row(PHYSICAL, country="DE", state=None, zip="803310"),
        "zip.invalid",
        "O7",
        ['"803310" is not a valid postal code for Germany (DE)', "a 5-digit postal code such as 26133"],
    ),
    (
        row(PHYSICAL, country="Narnia"),
        "country.unknown",
        "P7",
        ['"Narnia" is not a country we recognise', "name (in any language)", "Type the country's code"],
    ),
    (
        row(PHYSICAL, country="Germny"),
        "country.unknown",
        "P7",
        ['"Germny" is not a country', "Did you mean DE (Germany)?", "Type the country's code"],
    ),
    (row(PHYSICAL, phone="12"), "phone.invalid", "Q7", ['"12" is not a valid phone number', "optional"]),
    (
        row(PHYSICAL, shipping_method="FAST"),
        "shipping_method.unknown",
        "R7",
        ['"FAST" is not a shipping method', "EXPRESS or STANDARD", "clear the cell to use STANDARD"],
    ),
    (
        row(PHYSICAL, shipping_method="EXPRESS", carrier="USPS"),
        "carrier.unknown",
        "S7",
        ['"USPS" is not a carrier for shipping method EXPRESS', "Expected UPS"],
    ),
    (
        row(DIGITAL, message="x" * 1001),
        "message.too_long",
        "T7",
        ["1,001 characters", "at most 1,000", "Shorten"],
    ),
    (row(DIGITAL, from_name="x" * 101), "from_name.too_long", "U7", ["101 characters", "at most 100"]),
    (row(DIGITAL, first_name="x" * 101), "first_name.too_long", "A7", ["101 characters"]),
    (row(DIGITAL, full_name="x" * 101), "name.too_long", "C7", ["101 characters"]),
    (
        row(DIGITAL, from_email="hr@"),
        "from_email.invalid",
        "V7",
        ['"hr@" is not a valid email', "clear the cell"],
    ),
    (
        row(DIGITAL, delivery_date="soon"),
        "delivery_date.invalid",
        "W7",
        ['"soon" is not a date', "such as 2026-11-26", "clear the cell to send at once"],
    ),
    (
        row(DIGITAL, delivery_date=date(2026, 11, 25)),
        "delivery_date.past",
        "W7",
        ["2026-11-25 is in the past", "today is 2026-11-26", "Change the date"],
    ),
    (
        row(DIGITAL, branding="NEON"),
        "branding.unknown",
        "X7",
        ['"NEON" is not one of your brandings', "HOLIDAY-2026 or PLAIN", "clear the cell"],
    ),
    (
        row(DIGITAL, email=CellError("#N/A")),
        "cell.excel_error",
        "D7",
        ["Excel error #N/A", "email is unknown", "Fix the formula"],
    ),
    (row(DIGITAL, value=CellError("#REF!")), "cell.excel_error", "G7", ["#REF!", "value is unknown"]),
]


@pytest.mark.parametrize(
    ("values", "code", "cell", "fragments"), RULES, ids=[f"{r[1]}@{r[2]}" for r in RULES]
)
def test_each_rule_names_its_cell_and_the_fix(
    check: Check, values: dict[Field, CellValue], code: str, cell: str, fragments: list[str]
) -> None:
    _, issues = check(values)
    issue = only_error(issues)
    assert (issue.code, issue.cell, issue.sheet, issue.row) == (code, cell, "Sheet1", 7)
    assert issue.message.startswith(f"{cell}: ")
    for fragment in fragments:
        assert fragment in issue.message, issue.message


def test_a_missing_column_puts_the_error_on_the_row(check: Check) -> None:
    _, issues = check(row(DIGITAL, product=None), present=[F.EMAIL, F.VALUE, F.DELIVERY_TYPE])
    issue = only_error(issues)
    assert (issue.code, issue.cell, issue.row, issue.column) == ("product.missing", None, 7, None)
    assert issue.message.startswith("Row 7: no product")


def test_an_ambiguous_product_name_is_an_error(catalog: Catalog) -> None:
    twin = Product(
        "CVS-2", "CVS Pharmacy", "USD", DenominationType.FIXED, (Decimal(25),), frozenset(DeliveryType)
    )
    doubled = Catalog(products={**catalog.products, twin.id: twin})
    _, issues = validate_one(
        RowValidator(doubled, ValidationOptions(today=TODAY)), row(DIGITAL, product="cvs pharmacy")
    )
    issue = only_error(issues)
    assert issue.code == "product.ambiguous"
    assert "CVS or CVS-2" in issue.message


def test_a_product_name_is_accepted_with_a_warning(check: Check) -> None:
    recipient, issues = check(row(DIGITAL, product="Cvs Pharmacy"))
    assert recipient.product_id == "CVS"
    assert codes(issues) == ["product.name_matched"]
    assert issues[0].cell == "F7" and "name of product CVS" in issues[0].message


def test_product_ids_ignore_case_and_spaces_silently(check: Check) -> None:
    recipient, issues = check(row(DIGITAL, product="cvs"))
    assert (recipient.product_id, issues) == ("CVS", [])


@pytest.mark.parametrize(
    ("word", "kind", "needs"),
    [
        ("email", DeliveryType.DIGITAL, F.EMAIL),
        ("E-mail", DeliveryType.DIGITAL, F.EMAIL),
        ("EMAIL", DeliveryType.DIGITAL, F.EMAIL),
        ("sms", DeliveryType.DIGITAL, F.SMS),
        ("Text", DeliveryType.DIGITAL, F.SMS),
        ("text message", DeliveryType.DIGITAL, F.SMS),
        ("digital", DeliveryType.DIGITAL, None),
        ("DigitalDelivery", DeliveryType.DIGITAL, None),
        ("Digital Delivery", DeliveryType.DIGITAL, None),
        ("link", DeliveryType.LINKS, None),
        ("Links", DeliveryType.LINKS, None),
        ("claim link", DeliveryType.LINKS, None),
        ("mail", DeliveryType.PHYSICAL, None),
        ("Post", DeliveryType.PHYSICAL, None),
        ("physical", DeliveryType.PHYSICAL, None),
        ("ship", DeliveryType.PHYSICAL, None),
        ("PhysicalShipment", DeliveryType.PHYSICAL, None),
        ("physical_shipment", DeliveryType.PHYSICAL, None),
        ("By e-mail", DeliveryType.DIGITAL, F.EMAIL),
        ("via SMS", DeliveryType.DIGITAL, F.SMS),
        ("by post", DeliveryType.PHYSICAL, None),
        ("Email address", DeliveryType.DIGITAL, F.EMAIL),
        ("eGift card", DeliveryType.DIGITAL, None),
    ],
)
def test_delivery_type_words(word: str, kind: DeliveryType, needs: Field | None) -> None:
    assert delivery_type_from_word(word) == (kind, needs)


@pytest.mark.parametrize("word", ["fax", "", "pigeon", "e mail me", "by", "bypass"])
def test_other_words_are_not_delivery_types(word: str) -> None:
    assert delivery_type_from_word(word) is None


def test_an_empty_delivery_cell_is_inferred_from_the_contact_with_a_warning(check: Check) -> None:
    recipient, issues = check(row(DIGITAL, delivery_type=None))
    assert recipient.delivery_type is DeliveryType.DIGITAL
    assert codes(issues) == ["delivery_type.inferred"]
    assert issues[0].cell == "I7" and "sending as DigitalDelivery" in issues[0].message


def test_an_empty_delivery_cell_is_inferred_from_the_address(check: Check) -> None:
    recipient, issues = check(row(PHYSICAL, delivery_type=None))
    assert recipient.delivery_type is DeliveryType.PHYSICAL
    assert codes(issues) == ["delivery_type.inferred"]


def test_a_product_sold_one_way_only_decides_the_delivery_type(check: Check) -> None:
    recipient, issues = check({F.PRODUCT: "VISA-PHYS", F.VALUE: 50, F.FULL_NAME: "Ana"})
    assert recipient.delivery_type is DeliveryType.PHYSICAL
    assert "only sent that way" in next(i for i in issues if i.code == "delivery_type.inferred").message


def test_without_a_delivery_column_one_sheet_warning_explains_the_inference(catalog: Catalog) -> None:
    validator = RowValidator(catalog, ValidationOptions(today=TODAY))
    present = [F.EMAIL, F.PRODUCT, F.VALUE]
    for number in (2, 3, 4):
        recipient, issues = validate_one(validator, row(DIGITAL, delivery_type=None), number, present)
        assert (recipient.delivery_type, issues) == (DeliveryType.DIGITAL, [])
    (note,) = validator.sheet_notes()
    assert (note.code, note.sheet, note.row, note.severity) == (
        "delivery_type.inferred",
        "Sheet1",
        None,
        Severity.WARNING,
    )


def test_the_default_delivery_type_fills_empty_cells_silently(check: Check) -> None:
    recipient, issues = check(row(LINKS, delivery_type=None), default_delivery_type=DeliveryType.LINKS)
    assert (recipient.delivery_type, issues) == (DeliveryType.LINKS, [])


def test_the_cell_wins_over_the_default(check: Check) -> None:
    recipient, _ = check(DIGITAL, default_delivery_type=DeliveryType.LINKS)
    assert recipient.delivery_type is DeliveryType.DIGITAL


def test_an_empty_country_is_the_default_country_with_a_warning(check: Check) -> None:
    recipient, issues = check(row(PHYSICAL, country=None))
    assert recipient.address is not None and recipient.address.country == "US"
    assert codes(issues) == ["country.assumed"]
    assert issues[0].cell == "P7"


def test_digital_rows_ignore_address_columns_and_physical_rows_ignore_contacts(check: Check) -> None:
    mixed = {**DIGITAL, F.ZIP: "not a zip", F.STATE: "ZZ"}
    assert check(mixed)[1] == []
    mixed = {**PHYSICAL, F.EMAIL: "not an email", F.SMS: "12"}
    assert check(mixed)[1] == []


def test_an_excel_error_is_reported_once_and_not_as_missing_too(check: Check) -> None:
    _, issues = check(row(DIGITAL, email=CellError("#N/A"), delivery_type="digital"))
    assert codes(issues) == ["cell.excel_error"]


def test_a_repair_warning_is_dropped_where_the_same_cell_has_an_error(check: Check) -> None:
    _, issues = check(row(DIGITAL, product="TIMS-CA", value="25 USD"))
    assert codes(issues) == ["value.currency_mismatch"]


def test_a_valid_digital_row_is_normalised(check: Check) -> None:
    values = row(DIGITAL, email=" Ana.Lopez@EXAMPLE.com", sms=12125550123, quantity="2", value="$25.00")
    recipient, issues = check(
        values, personalization=PersonalizationDefaults("HR", "hr@corp.example", "Thanks!")
    )
    assert recipient.email == "Ana.Lopez@example.com"
    assert recipient.sms == "+12125550123"
    assert (recipient.value, recipient.currency, recipient.quantity) == (Decimal("25.00"), "USD", 2)
    assert recipient.name == "Ana Lopez"
    personal = recipient.personalization
    assert (personal.to, personal.from_name, personal.from_email, personal.message) == (
        "Ana",
        "HR",
        "hr@corp.example",
        "Thanks!",
    )
    assert sorted(codes(issues)) == sorted(
        ["repair.trimmed", "repair.phone_from_number", "repair.number_as_text", "repair.amount_text"]
    )
    assert recipient.source[F.EMAIL].ref == "D7"
    assert recipient.source[F.EMAIL].value == " Ana.Lopez@EXAMPLE.com"


def test_a_row_message_wins_over_the_runs(check: Check) -> None:
    recipient, _ = check(
        row(DIGITAL, message="Well done"), personalization=PersonalizationDefaults(message="Hi")
    )
    assert recipient.personalization.message == "Well done"


def test_a_valid_physical_row_is_normalised(check: Check) -> None:
    values = row(PHYSICAL, state="Massachusetts", zip=2134, country="United States", phone="(617) 555-0100")
    recipient, issues = check(values)
    address = recipient.address
    assert address is not None
    assert (address.name, address.line1, address.city, address.state, address.zip, address.country) == (
        "Ana Lopez",
        "1 Main St",
        "Boston",
        "MA",
        "02134",
        "US",
    )
    assert address.phone == "+16175550100"
    assert (recipient.shipping_method_id, recipient.carrier_id) == ("STANDARD", "DEFAULT")
    assert all(i.severity is Severity.WARNING for i in issues)


def test_shipping_method_and_carrier_are_matched_by_id_or_name(check: Check) -> None:
    recipient, issues = check(row(PHYSICAL, shipping_method="express", carrier="ups"))
    assert (recipient.shipping_method_id, recipient.carrier_id, issues) == ("EXPRESS", "UPS", [])


def test_quantity_defaults_to_one(check: Check) -> None:
    recipient, _ = check(DIGITAL, present=[F.EMAIL, F.PRODUCT, F.VALUE, F.DELIVERY_TYPE])
    assert recipient.quantity == 1


def test_today_is_not_in_the_past(check: Check) -> None:
    recipient, issues = check(row(DIGITAL, delivery_date=TODAY))
    assert (recipient.delivery_date, issues) == (TODAY, [])


def test_with_an_empty_catalog_product_checks_are_skipped(check: Check) -> None:
    recipient, issues = check(row(DIGITAL, product="ANYTHING", value=33), catalog_=Catalog())
    assert (recipient.product_id, recipient.value, issues) == ("ANYTHING", Decimal(33), [])
    _, issues = check(row(PHYSICAL, shipping_method="ANY"), catalog_=Catalog())
    assert issues == []


def test_with_an_empty_catalog_a_value_must_still_be_positive(check: Check) -> None:
    _, issues = check(row(DIGITAL, value=0), catalog_=Catalog())
    assert only_error(issues).code == "value.not_allowed"


EARLIER = EarlierPayment(
    "261120-K7QX9M",
    datetime(2026, 11, 20, 9, 30),
    "GB-261120-K7QX9M-0001",
    "May",
    4,
    "/hr/q4.xlsx",
    "completed",
)


def paid(*recipients: Recipient) -> EarlierPayments:
    """The journal's payments as if these rows had been sent in run EARLIER."""
    return EarlierPayments({claim: EARLIER for r in recipients for claim in payment_claims(r)})


def test_a_card_an_earlier_run_gave_is_an_error_naming_the_run_its_date_and_order(check: Check) -> None:
    first, _ = check(DIGITAL)
    _, issues = check(DIGITAL, earlier=paid(first))
    (issue,) = issues
    assert (issue.code, issue.severity, issue.cell) == ("duplicate.earlier_run", Severity.ERROR, "D7")
    assert (
        "ana@example.com already got CVS 25 USD in run 261120-K7QX9M of 2026-11-20 "
        "(order GB-261120-K7QX9M-0001, row 4 of “q4.xlsx”)" in issue.message
    )
    assert "choose Pay again for this row and say why" in issue.message


@pytest.mark.parametrize(
    ("before", "now"),
    [
        ({}, {F.EMAIL: " ANA@Example.com "}),  # the same address, as validation normalises it
        (
            {F.EMAIL: "ana@example.com", F.SMS: "+1 617 555 0134"},
            {F.EMAIL: "ana.new@example.com", F.SMS: "(617) 555-0134"},
        ),
        ({F.VALUE: 25}, {F.VALUE: "25.00"}),
    ],
)
def test_the_same_recipient_by_email_or_phone_is_already_paid(
    check: Check, before: dict[Field, CellValue], now: dict[Field, CellValue]
) -> None:
    first, _ = check({**DIGITAL, **before})
    _, issues = check({**DIGITAL, **now}, earlier=paid(first))
    assert [i.code for i in issues if i.is_error] == ["duplicate.earlier_run"]


@pytest.mark.parametrize(
    "now",
    [{F.VALUE: 50}, {F.PRODUCT: "VISA-VAR"}, {F.EMAIL: "bo@example.com"}],
)
def test_another_card_or_another_person_is_not_already_paid(
    check: Check, now: dict[Field, CellValue]
) -> None:
    first, _ = check(DIGITAL)
    _, issues = check({**DIGITAL, **now}, earlier=paid(first))
    assert [i.code for i in issues if i.code.startswith("duplicate")] == []


def test_a_mailed_card_is_the_same_payment_by_name_and_address(check: Check) -> None:
    first, _ = check(PHYSICAL)
    _, issues = check({**PHYSICAL, F.FULL_NAME: "ana  LOPEZ", F.CITY: "boston"}, earlier=paid(first))
    assert [i.code for i in issues if i.is_error] == ["duplicate.earlier_run"]
    _, elsewhere = check({**PHYSICAL, F.ADDRESS_LINE1: "9 Elm St"}, earlier=paid(first))
    assert [i.code for i in elsewhere if i.is_error] == []


def test_links_rows_that_name_nobody_are_the_same_payment_when_the_row_is_the_same(check: Check) -> None:
    first, _ = check(LINKS)
    _, issues = check({**LINKS, F.DELIVERY_TYPE: " Links "}, earlier=paid(first))
    assert [i.code for i in issues if i.is_error] == ["duplicate.earlier_run"]
    _, more = check({**LINKS, F.QUANTITY: 6}, earlier=paid(first))
    assert [i.code for i in more if i.is_error] == []


def test_pay_again_turns_the_error_into_a_warning_with_the_reason(check: Check) -> None:
    first, _ = check(DIGITAL)
    chosen = PayAgain({"Sheet1!7": "the first card was never delivered"})
    _, issues = check(DIGITAL, earlier=paid(first), pay_again=chosen)
    (issue,) = issues
    assert (issue.code, issue.severity) == ("duplicate.paid_again", Severity.WARNING)
    assert issue.message.endswith("Paid again on purpose: the first card was never delivered")
    _, by_number = check(DIGITAL, earlier=paid(first), pay_again=PayAgain({"7": "by row number"}))
    assert [i.code for i in by_number] == ["duplicate.paid_again"]
    _, other_row = check(DIGITAL, row=8, earlier=paid(first), pay_again=chosen)
    assert [i.code for i in other_row] == ["duplicate.earlier_run"]
    _, every = check(DIGITAL, row=8, earlier=paid(first), pay_again=PayAgain(every_row="all of them"))
    assert [i.code for i in every] == ["duplicate.paid_again"]


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ({F.EMAIL: "Ana@Example.com"}, {F.EMAIL: "ana@example.com"}, True),
        ({F.VALUE: 25}, {F.VALUE: "25.00"}, True),
        ({F.PRODUCT: "cvs"}, {F.PRODUCT: "CVS"}, True),
        ({F.VALUE: 25}, {F.VALUE: 50}, False),
        ({F.EMAIL: "ana@example.com"}, {F.EMAIL: "bo@example.com"}, False),
        ({F.PRODUCT: "CVS"}, {F.PRODUCT: "COFFEE"}, False),
    ],
)
def test_fingerprints_identify_recipient_product_and_value(
    check: Check, one: dict[Field, CellValue], other: dict[Field, CellValue], same: bool
) -> None:
    first, _ = check({**DIGITAL, **one})
    second, _ = check({**DIGITAL, **other})
    assert (first.fingerprint == second.fingerprint) is same


def test_a_delivery_word_with_a_stray_space_is_trimmed_with_a_warning(check: Check) -> None:
    recipient, issues = check(row(DIGITAL, delivery_type="Email "))
    assert recipient.delivery_type is DeliveryType.DIGITAL
    assert [(i.code, i.cell) for i in issues] == [("repair.trimmed", "I7")]


def test_an_account_offered_no_shipping_methods_cannot_mail_cards_but_sends_the_rest(
    check: Check, catalog: Catalog
) -> None:
    why = "the vendor answered GET /v1/ShippingMethods with HTTP 404 Not Found"
    no_shipping = replace(catalog, shipping_methods={}, shipping_unavailable=why)

    _, mailed = check(row(PHYSICAL), catalog_=no_shipping)
    _, emailed = check(row(DIGITAL), catalog_=no_shipping)
    _, linked = check(row(LINKS), catalog_=no_shipping)

    error = only_error(mailed)
    assert error.code == "shipping_method.none_offered"
    assert f"this account is offered no shipping methods ({why})" in error.message
    assert (emailed, linked) == ([], [])


def test_a_product_the_vendor_listed_but_could_not_be_read_is_named_as_such(
    check: Check, catalog: Catalog
) -> None:
    broken = replace(catalog, left_out=(LeftOut("GIFT-X", "it lists no denominations."),))

    _, issues = check(row(DIGITAL, product="gift-x"), catalog_=broken)

    error = only_error(issues)
    assert error.code == "product.unreadable"
    assert (
        '"gift-x" is in the vendor\'s catalog, but its entry cannot be used: it lists no denominations.'
        in (error.message)
    )


def test_a_branding_named_where_the_account_is_offered_none_is_an_error_saying_why(
    check: Check, catalog: Catalog
) -> None:
    why = "the vendor answered GET /v1/Brandings with HTTP 403 Forbidden"
    no_brandings = replace(catalog, brandings={}, brandings_unavailable=why)

    _, branded = check(row(DIGITAL, branding="HOLIDAY"), catalog_=no_brandings)
    recipient, plain = check(row(DIGITAL), catalog_=no_brandings)

    error = only_error(branded)
    assert error.code == "branding.none_offered"
    assert f'"HOLIDAY" cannot be used: this account is offered no brandings ({why})' in error.message
    assert (plain, recipient.branding_id) == ([], None)
