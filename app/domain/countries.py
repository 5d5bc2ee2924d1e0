"""Countries as people write them, in any language, turned into ISO 3166-1 alpha-2 codes (pycountry's data).

A name is looked up in steps, each loaded only when the ones before did not know it: the ISO codes and English
names (what most cells hold), a few English names people write that ISO 3166 does not give, and then the names
in every language pycountry translates (its gettext catalogues: about 50 ms, once per process).
pycountry is imported on first use: most runs never read an address, and importing it costs ~20 ms.
"""

from __future__ import annotations

import difflib
import gettext
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

# Names in everyday use that neither ISO 3166 nor any of its translations give (pycountry's own data covers
# 'USA', 'U.S.', 'Deutschland', 'Allemagne', 'Türkiye', 'Côte d'Ivoire' and thousands more).
_EVERYDAY_NAMES: dict[str, tuple[str, ...]] = {
    "US": ("America", "United States of America", "U.S. of A."),
    "GB": ("UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales", "Northern Ireland"),
    "NL": ("Holland",),
    "KR": ("Korea", "South Korea", "Republic of Korea"),
    "KP": ("North Korea",),
    "RU": ("Russia",),
    "TR": ("Turkey",),
    "CI": ("Ivory Coast",),
    "CD": ("DR Congo", "DRC", "Congo-Kinshasa"),
    "CG": ("Congo-Brazzaville",),
    "SY": ("Syria",),
    "MM": ("Burma",),
    "SZ": ("Swaziland",),
    "MK": ("Macedonia",),
    "CV": ("Cape Verde",),
    "TL": ("East Timor",),
    "VA": ("Vatican", "Vatican City"),
    "BN": ("Brunei",),
    "MO": ("Macau",),
    "AE": ("UAE", "U.A.E.", "Emirates"),
}

_NOT_WORD = re.compile(r"[\W_]+")
_ASIDES = re.compile(r"\s*(\([^)]*\)|\[[^\]]*\])")  # '(Vatican City State)', '[La Coruña]'
_CODE_IN_ASIDE = re.compile(r"\s*\b[A-Z]{2}-[A-Z0-9]+\b")  # 'Wales [Cymru GB-CYM]'

# Accents and other marks that decomposition splits off (the combining blocks, and kana voicing marks): names
# are compared without them, 'Côte' as 'Cote'.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u3099\u309a]")


def place_key(text: str) -> str:
    """How place names are compared: case, accents, punctuation, spaces and a leading 'the' aside, '&' as
    'and' and 'St' as 'Saint' ('U.S.A.' → 'usa', 'Côte d’Ivoire' → 'cotedivoire'). Letters of every script
    are kept, so 'Германия' and 'ドイツ' have keys too."""
    return "".join(place_words(text))


def place_words(text: str) -> list[str]:
    """The words of a place name, compared as `place_key` says ('St. Kitts & Nevis' → saint, kitts, and,
    nevis)."""
    plain = text.casefold()
    if not plain.isascii():
        plain = _MARKS.sub("", unicodedata.normalize("NFKD", plain)).replace("\u2019", "")
    plain = plain.replace("'", "").replace("&", " and ")
    words = _NOT_WORD.sub(" ", plain).split()
    if words and words[0] == "the":
        words = words[1:]
    if len(words) > 1:  # 'St Lucia'; 'ST' alone is São Tomé's code
        words = ["saint" if word == "st" else word for word in words]
    return words


def find_country(text: str) -> str | None:
    """The ISO alpha-2 code of the country `text` names: an alpha-2 or alpha-3 code or a name in any language
    ('USA', 'U.S.', 'Deutschland', 'Allemagne', 'Türkiye'); None if it names none."""
    key = place_key(text)
    if not key:
        return None
    return (
        _codes().get(key) or _names().get(key) or _everyday_names().get(key) or _translated_names().get(key)
    )


def country_name(code: str) -> str:
    """A country's short English name ('Germany', 'South Korea'); the code itself if ISO does not know it."""
    return _display_names().get(code, code)


def is_country_code(code: str) -> bool:
    return code in _display_names()


def nearest_country(text: str) -> str | None:
    """The code of the country whose English name `text` misspells ('Germny', 'Gremany' → 'DE'), if one."""
    found = nearest_key(place_key(text), _near_names())
    return _names()[found] if found else None


class NearIndex:
    """Names by every form with one letter left out, to find the names a misspelling is one or two edits
    from (a letter wrong, missing, extra, or two swapped) with a few look-ups: a column of 100,000
    different wrong values must not take 100,000 fuzzy comparisons against every name."""

    def __init__(self, keys: Iterable[str]) -> None:
        self._by_form: dict[str, set[str]] = defaultdict(set)
        for key in keys:
            for form in _one_out(key):
                self._by_form[form].add(key)

    def near(self, key: str) -> set[str]:
        return {name for form in _one_out(key) for name in self._by_form.get(form, ())}


def nearest_key(key: str, index: NearIndex) -> str | None:
    """The key of `index` that `key` most likely misspells; None if none is near."""
    if len(key) < _SHORTEST_GUESSED:
        return None
    near = sorted(index.near(key))
    if not near:
        return None
    return max(near, key=lambda name: difflib.SequenceMatcher(None, key, name).ratio())


_SHORTEST_GUESSED = 4  # 'Frnc' → France is a fair guess; 'Ud' → anything is not


def _one_out(key: str) -> set[str]:
    return {key, *(key[:i] + key[i + 1 :] for i in range(len(key)))}


@cache
def _near_names() -> NearIndex:
    return NearIndex(_names())


# -- the indexes, built once each, on first use -----------------------------------------------------------


def _countries() -> Iterator[Any]:
    import pycountry  # noqa: PLC0415  (lazy: see the module docstring)

    return iter(pycountry.countries)


@cache
def _codes() -> dict[str, str]:
    codes: dict[str, str] = {}
    for country in _countries():
        codes[country.alpha_2.casefold()] = country.alpha_2
        codes[country.alpha_3.casefold()] = country.alpha_2
    return codes


@cache
def _display_names() -> dict[str, str]:
    return {c.alpha_2: getattr(c, "common_name", None) or c.name for c in _countries()}


def _written_names(country: Any) -> Iterator[str]:
    yield country.name
    for attribute in ("common_name", "official_name"):
        name = getattr(country, attribute, None)
        if name:
            yield name


def name_forms(name: str) -> Iterator[tuple[str, bool]]:
    """`name`, and the forms people write of ISO's inverted or annotated names, each with True if derived:
    'Korea, Republic of' → 'Republic of Korea', 'Korea'; 'Holy See (Vatican City State)' → 'Holy See',
    'Vatican City State'; 'A Coruña [La Coruña]' → 'A Coruña', 'La Coruña'."""
    yield name, False
    bare = _ASIDES.sub("", name).strip()
    if bare != name:
        yield bare, True
        for aside in _ASIDES.findall(name):
            yield _CODE_IN_ASIDE.sub("", aside.strip(" ()[]")), True
    head, comma, tail = bare.partition(", ")
    if comma:
        yield head, True
        yield f"{tail} {head}", True


def _unambiguous(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Keys that name one country; a key several name ('Virgin Islands', 'Congo' as a short form) is left out."""
    found: dict[str, set[str]] = defaultdict(set)
    for key, code in pairs:
        if key:
            found[key].add(code)
    return {key: codes.pop() for key, codes in found.items() if len(codes) == 1}


@cache
def _names() -> dict[str, str]:
    """English names (ISO's name, common and official names) first; the short forms they imply after."""
    exact: dict[str, str] = {}
    derived: list[tuple[str, str]] = []
    for country in _countries():
        for name in _written_names(country):
            for form, is_derived in name_forms(name):
                if is_derived:
                    derived.append((place_key(form), country.alpha_2))
                else:
                    exact.setdefault(place_key(form), country.alpha_2)
    return {**_unambiguous(derived), **exact}


@cache
def _translated_names() -> dict[str, str]:
    """Every language's names for every country. Where languages disagree on a key, the country most of them
    give it wins; a tie names no country."""
    import pycountry  # noqa: PLC0415

    english = [(c.alpha_2, name) for c in _countries() for name in _written_names(c)]
    written: Counter[tuple[str, str]] = Counter()  # (translated name, code): how many languages write it
    for catalogue in catalogues(Path(pycountry.LOCALES_DIR), "iso3166-1"):
        for code, name in english:
            translated = catalogue.gettext(name)
            if translated != name:
                written[translated, code] += 1
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for (translated, code), count in written.items():
        for form, _ in name_forms(translated):
            key = place_key(form)
            if key:
                votes[key][code] += count
    names: dict[str, str] = {}
    for key, counter in votes.items():
        (first, most), *rest = counter.most_common(2)
        if not rest or rest[0][1] < most:
            names[key] = first
    return names


@cache
def _everyday_names() -> dict[str, str]:
    return {place_key(name): code for code, names in _EVERYDAY_NAMES.items() for name in names}


def catalogues(locales: Path, domain: str) -> Iterator[gettext.GNUTranslations]:
    """The translations of `domain` (English names → that language's) in each language pycountry ships."""
    for path in sorted(locales.glob(f"*/LC_MESSAGES/{domain}.mo")):
        with path.open("rb") as file:
            yield gettext.GNUTranslations(file)
