"""States, provinces, prefectures… as people write them, turned into what the country's addresses write.

Where Google's address data lists a country's areas (the US, Canada, Australia, Japan, Italy, Mexico and
some 60 more), the answer is Google's key for the area — 'CA' for California, 'ON' for Ontario, 'NSW' for
New South Wales — found from any of its names, its ISO 3166-2 code, or its name in any language pycountry
translates ('Kalifornien', 'Californie', 'Tokio'). A key in a script other than Latin ('東京都') is given by its
Latin name ('Tokyo') when the cell was written in Latin letters, so one address is not written in two scripts.
Elsewhere (Germany, France, the UK…) the answer is the ISO 3166-2 code of a subdivision pycountry knows
('Bayern' and 'Bavaria' → 'BY'), or its name where that code is a number.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from app.domain.address_rules import AddressRules, Area, address_rules
from app.domain.countries import NearIndex, catalogues, name_forms, nearest_key, place_key, place_words

_SHORTEST_ABBREVIATION = 3  # 'Ont.', 'Mass.', 'Calif.': fewer letters than this match too much
_SHORTEST_LEADING_WORDS = 4  # 'Beijing' for 'Beijing Shi'; 'New' or 'Río' alone say too little

# Names in everyday use that neither Google's data nor ISO 3166-2 and its translations give, by country.
_EVERYDAY_NAMES: dict[str, dict[str, str]] = {
    "US": {"Washington DC": "DC", "Washington, D.C.": "DC"},
    "CA": {"PEI": "PE", "Labrador": "NL"},
}


@dataclass(frozen=True, slots=True)
class AreaMatch:
    """A state or province found: `value` goes into the address; `name` says which one it is, in messages."""

    value: str
    name: str
    abbreviated: bool = False  # matched as the start of its name ('Calif.')


@dataclass(frozen=True, slots=True)
class _Target:
    """What a key leads to: a Google area, or (where Google lists none) a subdivision pycountry knows."""

    area: Area | None
    value: str
    name: str


def find_area(country: str, text: str) -> AreaMatch | None:
    """The state, province… of `country` that `text` names, or None if it names none that is known.

    Besides whole names and codes, a name's start is taken where it names one area only: an abbreviation
    ending in a dot ('Calif.', 'Mass.', 'Ont.'), or the name's first words ('Beijing' for 'Beijing Shi',
    'Newfoundland' for 'Newfoundland and Labrador'); the warning then says which area it was read as."""
    words = place_words(text)
    key = "".join(words)
    if not key:
        return None
    index = _index(country)
    target = index.codes.get(key) or index.names.get(key)
    if target is not None:
        return AreaMatch(_value(target, text), target.name)
    found: set[_Target] = set()
    if text.rstrip().endswith(".") and len(key) >= _SHORTEST_ABBREVIATION:
        found = {t for name, t in index.names.items() if name.startswith(key)}
    elif len(key) >= _SHORTEST_LEADING_WORDS:
        found = {t for name, t in index.phrases if name[: len(words)] == words and len(name) > len(words)}
    if len(found) == 1:
        target = found.pop()
        return AreaMatch(_value(target, text), target.name, abbreviated=True)
    # Other languages last: loading their names costs ~0.3 s, once.
    target = index.translated().get(key)
    return AreaMatch(_value(target, text), target.name) if target is not None else None


def nearest_area(country: str, text: str) -> str | None:
    """The name of the area whose name `text` misspells ('Califonia' → 'California'), if one."""
    index = _index(country)
    found = nearest_key(place_key(text), index.near)
    return index.names[found].name if found else None


def area_label(rules: AddressRules, key: str) -> str:
    """How an area of `rules.country` is named in a message: its key, or its Latin name for a key in
    another script."""
    area = rules.area(key)
    return key if area is None or _is_latin(key) else _latin_name(area) or key


def area_words(rules: AddressRules, key: str) -> str:
    """'California (CA)', 'Tokyo', 'Co. Cork': an area named so that no one mistakes it."""
    area = rules.area(key)
    label = area_label(rules, key)
    name = _latin_name(area) if area is not None else None
    return f"{name} ({label})" if name and name != label else label


def _value(target: _Target, written: str) -> str:
    area = target.area
    if area is None or _is_latin(area.key) or not _is_latin(written):
        return target.value
    return _latin_name(area) or target.value


def _latin_name(area: Area) -> str | None:
    return next((name for name in area.names if _is_latin(name)), None)


def _is_latin(text: str) -> bool:
    return text.isascii() or all(not c.isalpha() or unicodedata.name(c, "").startswith("LATIN") for c in text)


# -- the index of one country's areas, built on first use -------------------------------------------------


class _Index:
    """One country's areas by key: `codes` (Google's keys, ISO codes), `names` (names Google and pycountry
    give, in the country's languages and English; `phrases`, the same as words), and `translated()` (every
    other language, looked up on a miss)."""

    def __init__(self, country: str) -> None:
        self.country = country
        self.rules = address_rules(country)
        self.targets = list(_targets(country, self.rules))
        codes: list[tuple[str, _Target]] = []
        names: list[tuple[str, _Target]] = []
        for target, subdivision in self.targets:
            if target.area is not None and subdivision is None:
                codes += [(place_key(c), target) for c in (target.area.key, target.area.iso_code) if c]
                names.extend((name, target) for name in target.area.names)
            if subdivision is not None:
                code = subdivision.code
                codes += [(place_key(code), target), (place_key(code.split("-", 1)[1]), target)]
                for name in (subdivision.name, _english().gettext(subdivision.name)):
                    names.extend((form, target) for form, _ in name_forms(name))
        by_key = {target.value: target for target, _ in self.targets}
        everyday = _EVERYDAY_NAMES.get(country, {})
        names += [(name, by_key[value]) for name, value in everyday.items() if value in by_key]
        self.codes = _unambiguous(codes)
        self.names = {
            k: t for k, t in _unambiguous((place_key(n), t) for n, t in names).items() if k not in self.codes
        }
        self.phrases = [(place_words(name), target) for name, target in names]
        self.near = NearIndex(self.names)
        self._translated: dict[str, _Target] | None = None

    def translated(self) -> dict[str, _Target]:
        if self._translated is None:
            translations = _translations()
            pairs = [
                (place_key(form), target)
                for target, subdivision in self.targets
                if subdivision is not None
                for name in translations.get(subdivision.name, ())
                for form, _ in name_forms(name)
            ]
            known = self.codes.keys() | self.names.keys()
            self._translated = {k: t for k, t in _unambiguous(pairs).items() if k not in known}
        return self._translated


@cache
def _index(country: str) -> _Index:
    return _Index(country)


def _targets(country: str, rules: AddressRules) -> Iterator[tuple[_Target, Any]]:
    """Each Google area (with no subdivision), then each pycountry subdivision with what it leads to: its
    Google area where Google lists the country's areas (a subdivision Google does not list — Italy's
    regions, where addresses name provinces — leads nowhere), else itself."""
    by_iso = {area.iso_code or area.key: area for area in rules.areas}
    own = {area.key: _Target(area, area.key, _latin_name(area) or area.key) for area in rules.areas}
    yield from ((target, None) for target in own.values())
    for subdivision in _subdivisions(country):
        suffix = subdivision.code.split("-", 1)[1]
        if rules.areas:
            area = by_iso.get(suffix)
            if area is not None:
                yield own[area.key], subdivision
        else:
            value = suffix if suffix.isalpha() else subdivision.name
            yield _Target(None, value, subdivision.name), subdivision


def _subdivisions(country: str) -> list[Any]:
    import pycountry  # noqa: PLC0415  (lazy: see app.domain.countries)

    found: list[Any] | None = pycountry.subdivisions.get(country_code=country)  # type: ignore[no-untyped-call]
    return found or []


def _unambiguous(pairs: Iterable[tuple[str, _Target]]) -> dict[str, _Target]:
    """Keys that lead to one value; a key two areas share leads nowhere."""
    found: dict[str, dict[str, _Target]] = defaultdict(dict)
    for key, target in pairs:
        if key:
            found[key].setdefault(target.value, target)
    return {key: next(iter(targets.values())) for key, targets in found.items() if len(targets) == 1}


@cache
def _english() -> Any:
    """pycountry's English names of subdivisions whose ISO name is in their own language ('Bavaria')."""
    import gettext  # noqa: PLC0415

    import pycountry  # noqa: PLC0415

    return gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["en"], fallback=True)


@cache
def _translations() -> dict[str, tuple[str, ...]]:
    """Every subdivision name → its names in every language pycountry translates (about 0.3 s, once)."""
    import pycountry  # noqa: PLC0415

    names = {subdivision.name for subdivision in pycountry.subdivisions}
    found: dict[str, set[str]] = defaultdict(set)
    for catalogue in catalogues(Path(pycountry.LOCALES_DIR), "iso3166-2"):
        for name in names:
            translated = catalogue.gettext(name)
            if translated != name:
                found[name].add(translated)
    return {name: tuple(sorted(translations)) for name, translations in found.items()}
