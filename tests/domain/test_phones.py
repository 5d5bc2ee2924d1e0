"""Phone numbers: the quick North American path agrees with phonenumbers' public API, number for number."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from app.domain.phones import PhoneReading, read_phone


def reference(text: str, region: str) -> tuple[str | None, bool]:
    """What phonenumbers itself says: the E.164 form (None if not valid) and whether it can take an SMS."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None, False
    if not phonenumbers.is_valid_number(number):
        return None, False
    kind = phonenumbers.number_type(number)
    sms = kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164), sms


def random_nanp_numbers(count: int) -> list[str]:
    """Ten-digit North American numbers in the shapes people type, valid and not, US and Caribbean alike."""
    rng = random.Random(20261126)
    shapes = [
        "+1{a}{b}{c}",
        "1{a}{b}{c}",
        "{a}{b}{c}",
        "({a}) {b}-{c}",
        "{a}-{b}-{c}",
        "{a}.{b}.{c}",
        "+1 {a} {b} {c}",
    ]
    numbers = []
    for _ in range(count):
        area = f"{rng.randint(200, 999)}"
        exchange = f"{rng.randint(0, 999):03d}"
        line = f"{rng.randint(0, 9999):04d}"
        numbers.append(rng.choice(shapes).format(a=area, b=exchange, c=line))
    return numbers


def test_north_american_numbers_agree_with_phonenumbers() -> None:
    numbers = random_nanp_numbers(5000)
    answers = {text: read_phone(text, "US") for text in numbers}
    disagree = [t for t, r in answers.items() if (r.e164, r.can_sms) != reference(t, "US")]
    assert disagree == []
    assert sum(1 for r in answers.values() if r.can_sms) > 1000  # the quick path was really exercised


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("+44 7911 123456", "US"),  # UK mobile
        ("+44 20 7946 0958", "US"),  # UK landline: valid, but no SMS
        ("020 7946 0958", "GB"),
        ("+1 800 555 0199", "US"),  # toll free: valid, no SMS
        ("+1 900 555 0199", "US"),  # premium rate
        ("+1 416 555 0123", "US"),  # Toronto, Canada
        ("+1 876 555 0123", "US"),  # Jamaica
        ("(416) 555-0123", "CA"),
        ("+49 1512 3456789", "US"),
        ("+61 412 345 678", "AU"),
        ("0412 345 678", "AU"),
        ("+5555550123", "US"),  # '+' then 55: Brazil, not North America
        ("+1 555 555 0123", "US"),  # 555 is not an area code
        ("555-0123", "US"),
        ("12345", "US"),
        ("not a number", "US"),
    ],
)
def test_other_numbers_agree_with_phonenumbers(text: str, region: str) -> None:
    reading = read_phone(text, region)
    assert (reading.e164, reading.can_sms) == reference(text, region)


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("+1 212 555 0123", "US", PhoneReading("+12125550123", can_sms=True)),
        ("(212) 555-0123", "US", PhoneReading("+12125550123", can_sms=True, assumed_region=True)),
        ("447911123456", "US", PhoneReading("+447911123456", can_sms=True, added_plus=True)),
        ("07911 123456", "GB", PhoneReading("+447911123456", can_sms=True, assumed_region=True)),
    ],
)
def test_the_reading_says_how_the_number_was_understood(
    text: str, region: str, expected: PhoneReading
) -> None:
    assert read_phone(text, region) == expected
