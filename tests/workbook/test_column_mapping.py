"""Column names people use map to the right fields; guesses stay narrow; the user's choices win, and stay."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.domain.fields import Field
from app.workbook.mapping import (
    HeaderCell,
    MappingStore,
    MatchConfidence,
    header_signature,
    map_headers,
    match_header,
)
from app.workbook.reader import column_letter

EXACT = MatchConfidence.EXACT
GUESSED = MatchConfidence.GUESSED


def headers(*texts: str) -> list[HeaderCell]:
    return [HeaderCell(i, column_letter(i), text) for i, text in enumerate(texts)]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("E-mail", Field.EMAIL),
        ("Email Address", Field.EMAIL),
        ("Recipient Email", Field.EMAIL),
        ("  EMAIL\u00a0", Field.EMAIL),
        ("Email (required)", Field.EMAIL),
        ("Email*", Field.EMAIL),
        ("Mobile", Field.SMS),
        ("Cell", Field.SMS),
        ("SMS", Field.SMS),
        ("Mobile Number", Field.SMS),
        ("Amount ($)", Field.VALUE),
        ("Gift Value", Field.VALUE),
        ("Value", Field.VALUE),
        ("Value (USD)", Field.VALUE),
        ("Denomination", Field.VALUE),
        ("Qty", Field.QUANTITY),
        ("Quantity", Field.QUANTITY),
        ("# of Cards", Field.QUANTITY),
        ("Brand", Field.PRODUCT),
        ("Card", Field.PRODUCT),
        ("Product", Field.PRODUCT),
        ("Product Id", Field.PRODUCT),
        ("Gift Card", Field.PRODUCT),
        ("Delivery Method", Field.DELIVERY_TYPE),
        ("Delivery", Field.DELIVERY_TYPE),
        ("Ship To", Field.FULL_NAME),
        ("Address 1", Field.ADDRESS_LINE1),
        ("Address Line 2", Field.ADDRESS_LINE2),
        ("Street", Field.ADDRESS_LINE1),
        ("City", Field.CITY),
        ("Town", Field.CITY),
        ("Zip/Postal Code", Field.ZIP),
        ("Postcode", Field.ZIP),
        ("ZIP", Field.ZIP),
        ("State/Province", Field.STATE),
        ("Region", Field.STATE),
        ("Country", Field.COUNTRY),
        ("Send Date", Field.DELIVERY_DATE),
        ("Delivery Date", Field.DELIVERY_DATE),
        ("Message", Field.MESSAGE),
        ("Note", Field.MESSAGE),
        ("Gift Message", Field.MESSAGE),
        ("From", Field.FROM_NAME),
        ("From Name", Field.FROM_NAME),
        ("Sender Email", Field.FROM_EMAIL),
        ("First Name", Field.FIRST_NAME),
        ("Employee First Name", Field.FIRST_NAME),
        ("Last Name", Field.LAST_NAME),
        ("Surname", Field.LAST_NAME),
        ("Full Name", Field.FULL_NAME),
        ("Name", Field.FULL_NAME),
        ("Company", Field.COMPANY),
        ("Shipping Method", Field.SHIPPING_METHOD),
        ("Carrier", Field.CARRIER),
        ("Branding", Field.BRANDING),
        ("Employee ID", Field.REFERENCE),
        ("Reference", Field.REFERENCE),
        ("Téléphone", Field.PHONE),
    ],
)
def test_names_people_use_map_exactly(header: str, field: Field) -> None:
    assert match_header(header) == (field, EXACT)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Work e-mail addr", Field.EMAIL),
        ("Emial", Field.EMAIL),
        ("Adress", Field.ADDRESS_LINE1),
        ("Quanity", Field.QUANTITY),
        ("Recipient's mobile no.", Field.SMS),
        ("Card amount in dollars", Field.VALUE),
        ("Date to deliver on", Field.DELIVERY_DATE),
        ("Preferred shipping speed", Field.SHIPPING_METHOD),
    ],
)
def test_telling_words_and_typos_are_guesses(header: str, field: Field) -> None:
    assert match_header(header) == (field, GUESSED)


@pytest.mark.parametrize(
    "header",
    [
        "Gender",
        "Date of Birth",
        "Hire Date",
        "Department",
        "Store #",
        "Status",
        "Salary",
        "Manager",
        "",
        "  ",
    ],
)
def test_unrelated_columns_map_to_nothing(header: str) -> None:
    assert match_header(header) == (None, None)


def test_phone_is_the_sms_number_when_there_is_no_address() -> None:
    mapping = map_headers(headers("Name", "Phone", "Product"))
    assert mapping.by_field[Field.SMS].header.text == "Phone"
    assert mapping.by_field[Field.SMS].confidence is GUESSED
    assert Field.PHONE not in mapping.by_field


def test_phone_is_the_contact_phone_beside_an_address_or_a_mobile_column() -> None:
    with_address = map_headers(headers("Name", "Address 1", "Phone"))
    with_mobile = map_headers(headers("Mobile", "Phone"))
    assert with_address.column_of(Field.PHONE) == "C"
    assert with_mobile.column_of(Field.PHONE) == "B"
    assert with_mobile.column_of(Field.SMS) == "A"


def test_two_columns_for_one_field_keep_the_surer_one_and_list_the_other() -> None:
    mapping = map_headers(headers("Home e-mail addr", "Email", "Product"))
    assert mapping.column_of(Field.EMAIL) == "B"
    loser = mapping.columns[0]
    assert loser.field is None and loser.wanted is Field.EMAIL
    assert mapping.unmapped == [mapping.columns[0].header]


def test_the_leftmost_wins_between_equals() -> None:
    mapping = map_headers(headers("Email", "E-mail"))
    assert mapping.column_of(Field.EMAIL) == "A"


def test_overrides_set_or_clear_any_column_ignoring_case_and_spacing() -> None:
    mapping = map_headers(
        headers("Email", "Notes for HR", "Amount"),
        {"notes for hr": Field.MESSAGE, " EMAIL ": None},
    )
    assert mapping.column_of(Field.MESSAGE) == "B"
    assert mapping.by_field[Field.MESSAGE].confidence is MatchConfidence.USER
    assert Field.EMAIL not in mapping.by_field
    assert mapping.as_dict() == {"Email": None, "Notes for HR": "message", "Amount": "value"}


def test_an_override_beats_a_known_name_for_the_same_field() -> None:
    mapping = map_headers(headers("Email", "Personal email"), {"Personal email": Field.EMAIL})
    assert mapping.column_of(Field.EMAIL) == "B"
    assert mapping.columns[0].wanted is Field.EMAIL


def test_missing_lists_the_fields_no_column_holds() -> None:
    mapping = map_headers(headers("Email", "Value"))
    assert mapping.missing([Field.EMAIL, Field.PRODUCT, Field.VALUE]) == [Field.PRODUCT]


def test_signature_ignores_case_spacing_and_punctuation() -> None:
    assert header_signature(["E-mail", "Amount ($)"]) == header_signature([" e mail", "AMOUNT"])
    assert header_signature(["Email", "Amount"]) != header_signature(["Amount", "Email"])


def test_store_saves_and_reuses_choices(tmp_path: Path) -> None:
    path = tmp_path / "config" / "column-mappings.json"
    MappingStore(path).save(["Email", "Notes"], {"Notes": Field.MESSAGE, "Email": None})
    assert MappingStore(path).load(["EMAIL", "notes"]) == {"Notes": Field.MESSAGE, "Email": None}
    assert MappingStore(path).load(["Email", "Other"]) is None
    assert not list(path.parent.glob(".mappings-*")), "no temporary file is left behind"


def test_store_keeps_other_header_rows(tmp_path: Path) -> None:
    store = MappingStore(tmp_path / "m.json")
    store.save(["A"], {"A": Field.EMAIL})
    store.save(["B"], {"B": Field.SMS})
    reopened = MappingStore(tmp_path / "m.json")
    assert reopened.load(["A"]) == {"A": Field.EMAIL}
    assert reopened.load(["B"]) == {"B": Field.SMS}


def test_an_unreadable_store_counts_as_empty_and_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text("{not json", encoding="utf-8")
    store = MappingStore(path)
    assert store.load(["Email"]) is None
    store.save(["Email"], {"Email": Field.EMAIL})
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 1


def test_a_stored_field_this_version_does_not_know_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    MappingStore(path).save(["Email", "Extra"], {"Email": Field.EMAIL})
    data = json.loads(path.read_text(encoding="utf-8"))
    entry = next(iter(data["mappings"].values()))
    entry["choices"]["Extra"] = "favourite_colour"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert MappingStore(path).load(["Email", "Extra"]) == {"Email": Field.EMAIL}
