"""Phone numbers to E.164, and whether they can take an SMS, by Google's phone-number rules (phonenumbers)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

_SMS_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
_NANP_SHAPE = re.compile(r"\+?(?:1[ .-]?)?\(?([2-9]\d\d)\)?[ .-]?(\d{3})[ .-]?(\d{4})")
# An international number whose '+' was lost is tried as one only when it is too long to be a national
# number here (North American numbers have 10 digits): "4935188931" is a wrong US number, not a German one.
_DIGITS_ONLY = re.compile(r"\d{11,15}")


def _compiled_us_patterns() -> tuple[re.Pattern[str], re.Pattern[str]] | None:
    """phonenumbers' US patterns for 10-digit national numbers: (SMS-capable, any other type checked first).

    phonenumbers decides a number's type by trying its region's patterns in a fixed order (premium rate, toll
    free, …, then fixed line/mobile). Compiling the US ones once and matching them directly skips its generic
    parser and its search over the 25 North American regions, most of the cost (20 µs → 1 µs a number).
    `read_phone` falls back to the public API whenever this says no; tests/domain/test_phones.py checks that
    both paths agree.
    """
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("US")
    if metadata is None or not metadata.same_mobile_and_fixed_line_pattern:
        return None
    first = (
        metadata.premium_rate,
        metadata.toll_free,
        metadata.shared_cost,
        metadata.voip,
        metadata.personal_number,
        metadata.pager,
        metadata.uan,
        metadata.voicemail,
    )
    others = [d.national_number_pattern for d in first if d is not None and _applies_to_ten_digits(d)]
    general, fixed = metadata.general_desc, metadata.fixed_line
    if general is None or fixed is None or not others:
        return None
    sms = re.compile(f"(?=(?:{general.national_number_pattern})$)(?:{fixed.national_number_pattern})")
    return sms, re.compile("|".join(f"(?:{p})" for p in others))


def _applies_to_ten_digits(desc: phonenumbers.PhoneNumberDesc) -> bool:
    if not desc.national_number_pattern:
        return False
    return not desc.possible_length or 10 in desc.possible_length


_US_PATTERNS = _compiled_us_patterns()


@dataclass(frozen=True, slots=True)
class PhoneReading:
    """What a phone cell holds, read with a default region.

    `e164` is None when the text is not a valid phone number. `assumed_region` is True when the number had no
    country code and the default region supplied it; `added_plus` when the digits only made sense as an
    international number whose '+' was lost.
    """

    e164: str | None
    can_sms: bool = False
    assumed_region: bool = False
    added_plus: bool = False


INVALID = PhoneReading(e164=None)


def read_phone(text: str, region: str) -> PhoneReading:
    """Read a phone number as typed ('(555) 555-0123', '+44 7911 123456', '15555550123') into E.164."""
    has_plus = text.lstrip().startswith("+")
    fast = _read_north_american(text, has_plus, region)
    if fast is not None:
        return fast
    reading = _parse(text, region, assumed_region=not has_plus)
    if reading.e164 is None and not has_plus and _DIGITS_ONLY.fullmatch(text.strip()):
        # An international number typed without its '+' (or a cell that dropped it): try it as one.
        plus = _parse("+" + text.strip(), region, assumed_region=False)
        if plus.e164 is not None:
            return PhoneReading(plus.e164, plus.can_sms, assumed_region=False, added_plus=True)
    return reading


def _parse(text: str, region: str, *, assumed_region: bool) -> PhoneReading:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return INVALID
    if not phonenumbers.is_valid_number(number):
        return INVALID
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    can_sms = phonenumbers.number_type(number) in _SMS_TYPES
    return PhoneReading(e164, can_sms, assumed_region=assumed_region)


def quick_sms_number(text: str) -> str | None:
    """E.164 for a North American number written with '+1' (no stray spaces) that can take an SMS; None
    means 'ask read_phone', not 'invalid'. The commonest case, answered without building a PhoneReading."""
    if _US_PATTERNS is None or not text.startswith("+1"):
        return None
    match = _NANP_SHAPE.fullmatch(text)
    if match is None:
        return None
    national = "".join(match.groups())
    sms, others = _US_PATTERNS
    if sms.fullmatch(national) is None or others.fullmatch(national) is not None:
        return None
    return "+1" + national


def _read_north_american(text: str, has_plus: bool, region: str) -> PhoneReading | None:
    """The quick path for US-shaped numbers; None means 'not sure, ask phonenumbers'."""
    if _US_PATTERNS is None:
        return None
    if not has_plus and region != "US":
        return None
    match = _NANP_SHAPE.fullmatch(text.strip())
    if match is None or (has_plus and not text.lstrip()[1:].lstrip().startswith("1")):
        return None
    national = "".join(match.groups())
    sms, others = _US_PATTERNS
    if sms.fullmatch(national) is None or others.fullmatch(national) is not None:
        return None
    return PhoneReading("+1" + national, can_sms=True, assumed_region=not has_plus)
