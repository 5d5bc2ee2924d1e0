"""Postal codes written the way each country's post writes them, checked against its pattern (Google's data).

The shape of a country's codes comes from its own example codes: 'K1A 0B1' says Canada's have a space after
the third character, '154-0023' that Japan's have a dash after the third digit. A code typed without its
space or dash, with other spacing, in lower case, or with the prefix some countries print ('CH-8001') is
written in that shape when the result matches the pattern; that changes nothing about which code it is.
Leading zeros that Excel dropped are put back separately (`restore_zeros`), because that is a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from app.domain.address_rules import AddressRules, address_rules

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")  # spaces and every kind of dash
_MOST_ZEROS_LOST = 2  # a US ZIP such as 00501 loses two; more than that is a different code


@dataclass(frozen=True, slots=True)
class _Shape:
    """An example code as a template: its characters with separators removed, and where they go."""

    length: int  # characters without separators
    separators: tuple[tuple[int, str], ...]  # (position in the code without separators, separator)
    digits_only: bool

    def fill(self, compact: str) -> str:
        parts, start = [], 0
        for position, separator in self.separators:
            parts += [compact[start:position], separator]
            start = position
        parts.append(compact[start:])
        return "".join(parts)


def _shape(example: str) -> _Shape:
    separators, length = [], 0
    for char in example:
        if char in " -":
            separators.append((length, char))
        else:
            length += 1
    compact = example.replace(" ", "").replace("-", "")
    return _Shape(length, tuple(separators), compact.isdigit())


@dataclass(frozen=True)
class _Form:
    """How one country's codes are written: shapes and a pattern for codes already written that way."""

    shapes: tuple[_Shape, ...]
    written: re.Pattern[str] | None  # the example shapes as a pattern: no reshaping needed
    lead: str  # letters every example starts with ('LV' in 'LV-1073'); '' if none
    prefixes: tuple[re.Pattern[str], ...]  # what may be written before a code ('CH-8001', 'DE 80331')


@cache
def _form(country: str) -> _Form:
    rules = address_rules(country)
    examples = [example.upper() for example in rules.postal_examples]
    shapes = tuple(dict.fromkeys(_shape(example) for example in examples))
    written = "|".join(dict.fromkeys(_as_pattern(example) for example in examples))
    prefixes = {rules.postal_prefix.strip(" -"), country} - {""}
    return _Form(
        shapes,
        re.compile(written) if written else None,
        _common_letters(examples),
        tuple(re.compile(rf"{re.escape(prefix)}[\s-]*(?=\w)") for prefix in sorted(prefixes)),
    )


def normalise_postal_code(country: str, text: str) -> str:
    """`text` in the shape the country's post writes its codes ('k1a0b1' → 'K1A 0B1', '1540023' → '154-0023'),
    when that shape matches its pattern; else upper case with single spaces."""
    pattern = address_rules(country).postal_pattern
    form = _form(country)
    if (
        pattern is not None
        and form.written is not None
        and form.written.fullmatch(text)
        and pattern.fullmatch(text)
    ):
        return text  # the common case: written as the post writes it
    upper = " ".join(text.upper().split())
    if pattern is None:
        return upper
    for base in [upper, *(upper[m.end() :] for p in form.prefixes if (m := p.match(upper)))]:
        compact = _SEPARATORS.sub("", base)
        candidates = [compact] if compact.startswith(form.lead) else [compact, form.lead + compact]
        for candidate in candidates:
            for shape in form.shapes:
                if shape.length == len(candidate) and pattern.fullmatch(filled := shape.fill(candidate)):
                    return filled
        if pattern.fullmatch(base):
            return base
    return upper


def restore_zeros(country: str, text: str) -> str | None:
    """The code with the leading zeros Excel dropped put back ('2134' → '02134' in the US, '21341234' →
    '02134-1234'), where the country's codes are digits and only that makes it valid; else None."""
    pattern = address_rules(country).postal_pattern
    digits = _SEPARATORS.sub("", text)
    if pattern is None or not digits.isdigit() or pattern.fullmatch(normalise_postal_code(country, text)):
        return None
    parts = _SEPARATORS.split(text.strip())
    for shape in _form(country).shapes:
        if not shape.digits_only or not 0 < shape.length - len(digits) <= _MOST_ZEROS_LOST:
            continue
        # '2134-1234': the zeros go at the start of the code, so the part after the dash must be whole.
        if len(parts) > 1 and (
            not shape.separators or len(parts[-1]) != shape.length - shape.separators[-1][0]
        ):
            continue
        filled = shape.fill(digits.zfill(shape.length))
        if pattern.fullmatch(filled):
            return filled
    return None


def postal_code_problem(country: str, code: str) -> str | None:
    """None when `code` (normalised) is a postal code of `country`, else what one looks like, in words."""
    rules = address_rules(country)
    if rules.postal_pattern is None or rules.postal_pattern.fullmatch(code):
        return None
    return describe_postal_code(rules)


def outside_area(rules: AddressRules, code: str, area_key: str | None) -> bool:
    """True when Google says the codes of the area (state, province…) `area_key` begin otherwise."""
    area = rules.area(area_key) if area_key else None
    return bool(area and area.postal_prefix and not area.postal_prefix.match(code))


def describe_postal_code(rules: AddressRules) -> str:
    """'a 5-digit postal code such as 26133 or 53225', 'a ZIP code such as 95014 or 22162-1010'."""
    examples = rules.postal_examples[:2]
    if not examples:
        return f"the {rules.postal_word}"
    shapes = _form(rules.country).shapes
    lengths = {shape.length for shape in shapes}
    kind = rules.postal_word
    if all(shape.digits_only and not shape.separators for shape in shapes) and len(lengths) == 1:
        kind = f"{lengths.pop()}-digit {kind}"
    article = "an" if kind[0] in "AEIOU8" or kind.startswith(("11-", "18-")) else "a"
    return f"{article} {kind} such as {' or '.join(examples)}"


def _as_pattern(example: str) -> str:
    """'K1A 0B1' → '[A-Z]\\d[A-Z] \\d[A-Z]\\d': codes written in the same shape as the example."""
    return "".join(r"\d" if c.isdigit() else "[A-Z]" if c.isalpha() else re.escape(c) for c in example)


def _common_letters(examples: list[str]) -> str:
    """The letters every example code starts with ('LV' in 'LV-1073', 'AD' in 'AD100'); '' if none."""
    lead = ""
    for i, char in enumerate(examples[0] if examples else ""):
        if not char.isalpha() or any(len(e) <= i or e[i] != char for e in examples):
            break
        lead += char
    return lead
