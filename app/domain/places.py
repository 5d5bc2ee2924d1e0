"""Countries, states and postal codes: tables that turn what people type into the codes the vendor expects."""

from __future__ import annotations

import re
import unicodedata


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Every ISO 3166-1 alpha-2 code. A full list is 249 short strings; pycountry would add a dependency for it.
ISO_COUNTRY_CODES = _codes(
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS YE YT ZA ZM ZW"
)

# The names and three-letter codes people actually write, keyed by `place_key()`. Not every country: the
# common ones, in English and in their own language; anything else must be written as its ISO code.
_COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "US": ("united states", "united states of america", "usa", "america", "u s", "u s a", "etats unis"),
    "CA": ("canada", "can"),
    "MX": ("mexico", "mex", "estados unidos mexicanos"),
    "GB": (
        "united kingdom",
        "uk",
        "u k",
        "great britain",
        "britain",
        "england",
        "scotland",
        "wales",
        "northern ireland",
        "gbr",
    ),
    "IE": ("ireland", "republic of ireland", "eire", "irl"),
    "DE": ("germany", "deutschland", "deu", "ger"),
    "FR": ("france", "fra"),
    "ES": ("spain", "espana", "esp"),
    "PT": ("portugal", "prt"),
    "IT": ("italy", "italia", "ita"),
    "NL": ("netherlands", "the netherlands", "holland", "nederland", "nld"),
    "BE": ("belgium", "belgie", "belgique", "bel"),
    "LU": ("luxembourg", "lux"),
    "CH": ("switzerland", "schweiz", "suisse", "svizzera", "che"),
    "AT": ("austria", "osterreich", "aut"),
    "DK": ("denmark", "danmark", "dnk"),
    "NO": ("norway", "norge", "nor"),
    "SE": ("sweden", "sverige", "swe"),
    "FI": ("finland", "suomi", "fin"),
    "IS": ("iceland",),
    "PL": ("poland", "polska", "pol"),
    "CZ": ("czech republic", "czechia", "cze"),
    "SK": ("slovakia",),
    "HU": ("hungary",),
    "RO": ("romania",),
    "BG": ("bulgaria",),
    "GR": ("greece", "grc"),
    "HR": ("croatia",),
    "SI": ("slovenia",),
    "RS": ("serbia",),
    "EE": ("estonia",),
    "LV": ("latvia",),
    "LT": ("lithuania",),
    "UA": ("ukraine",),
    "RU": ("russia", "russian federation"),
    "TR": ("turkey", "turkiye"),
    "IL": ("israel", "isr"),
    "AE": ("united arab emirates", "uae", "u a e"),
    "SA": ("saudi arabia",),
    "QA": ("qatar",),
    "EG": ("egypt",),
    "ZA": ("south africa", "zaf"),
    "NG": ("nigeria",),
    "KE": ("kenya",),
    "MA": ("morocco",),
    "IN": ("india", "ind"),
    "PK": ("pakistan",),
    "BD": ("bangladesh",),
    "LK": ("sri lanka",),
    "CN": ("china", "peoples republic of china", "prc", "chn"),
    "HK": ("hong kong", "hkg"),
    "TW": ("taiwan",),
    "JP": ("japan", "jpn"),
    "KR": ("south korea", "korea", "republic of korea", "kor"),
    "SG": ("singapore", "sgp"),
    "MY": ("malaysia",),
    "TH": ("thailand",),
    "VN": ("vietnam", "viet nam"),
    "PH": ("philippines", "phl"),
    "ID": ("indonesia",),
    "AU": ("australia", "aus"),
    "NZ": ("new zealand", "nzl"),
    "BR": ("brazil", "brasil", "bra"),
    "AR": ("argentina", "arg"),
    "CL": ("chile",),
    "CO": ("colombia",),
    "PE": ("peru",),
    "UY": ("uruguay",),
    "CR": ("costa rica",),
    "DO": ("dominican republic",),
    "JM": ("jamaica",),
    "PR": ("puerto rico",),
}

US_STATES: dict[str, str] = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    # Territories and military post offices: USPS delivers there with these codes.
    "AS": "American Samoa",
    "GU": "Guam",
    "MP": "Northern Mariana Islands",
    "PR": "Puerto Rico",
    "VI": "U.S. Virgin Islands",
    "AA": "Armed Forces Americas",
    "AE": "Armed Forces Europe",
    "AP": "Armed Forces Pacific",
}

CA_PROVINCES: dict[str, str] = {
    "AB": "Alberta",
    "BC": "British Columbia",
    "MB": "Manitoba",
    "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador",
    "NS": "Nova Scotia",
    "NT": "Northwest Territories",
    "NU": "Nunavut",
    "ON": "Ontario",
    "PE": "Prince Edward Island",
    "QC": "Quebec",
    "SK": "Saskatchewan",
    "YT": "Yukon",
}

AU_STATES: dict[str, str] = {
    "ACT": "Australian Capital Territory",
    "NSW": "New South Wales",
    "NT": "Northern Territory",
    "QLD": "Queensland",
    "SA": "South Australia",
    "TAS": "Tasmania",
    "VIC": "Victoria",
    "WA": "Western Australia",
}

# Countries whose addresses need a state or province, and the codes they use.
STATES_BY_COUNTRY: dict[str, dict[str, str]] = {"US": US_STATES, "CA": CA_PROVINCES, "AU": AU_STATES}

_EXTRA_STATE_NAMES: dict[str, dict[str, str]] = {
    "US": {"washington dc": "DC", "washington d c": "DC", "virgin islands": "VI", "us virgin islands": "VI"},
    "CA": {"newfoundland": "NL", "labrador": "NL", "pei": "PE", "yukon territory": "YT"},
    "AU": {},
}

# Postal codes typed as numbers lose their leading zeros: these countries use all-digit codes of this length.
DIGIT_POSTAL_LENGTHS: dict[str, int] = {
    "US": 5,
    "DE": 5,
    "FR": 5,
    "IT": 5,
    "ES": 5,
    "MX": 5,
    "FI": 5,
    "MY": 5,
    "TH": 5,
    "AU": 4,
    "AT": 4,
    "BE": 4,
    "CH": 4,
    "DK": 4,
    "NO": 4,
    "NZ": 4,
    "ZA": 4,
    "PH": 4,
    "HU": 4,
    "LU": 4,
    "IN": 6,
    "SG": 6,
    "CN": 6,
    "RU": 6,
}

POSTAL_PATTERNS: dict[str, tuple[re.Pattern[str], str]] = {
    "US": (re.compile(r"\d{5}(?:-\d{4})?"), "5 digits (12345) or ZIP+4 (12345-6789)"),
    "CA": (re.compile(r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d"), "the form A1A 1A1"),
    "GB": (re.compile(r"GIR 0AA|[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}"), "a UK postcode such as SW1A 1AA"),
    "NL": (re.compile(r"\d{4} [A-Z]{2}"), "4 digits and 2 letters, such as 1012 AB"),
    "JP": (re.compile(r"\d{3}-\d{4}"), "the form 123-4567"),
    "BR": (re.compile(r"\d{5}-\d{3}"), "the form 12345-678"),
    "PL": (re.compile(r"\d{2}-\d{3}"), "the form 12-345"),
    "SE": (re.compile(r"\d{3} \d{2}"), "the form 123 45"),
    "PT": (re.compile(r"\d{4}-\d{3}"), "the form 1234-567"),
}

# Countries without postal codes (or where they are not used in addresses): the postal code may be left empty.
NO_POSTAL_CODE = _codes(
    "AE AG AO AW BF BI BJ BO BS BW BZ CD CF CG CI CK CM DJ DM ER FJ GA GD GH GM GQ GY HK KI KM "
    "KN KP LY ML MO MR MW NR NU QA RW SB SC SL SR ST SY TD TG TK TL TO TT TV UG VU YE ZW"
)

_LENIENT_POSTAL = re.compile(r"[A-Z0-9][A-Z0-9 -]{1,10}")


def place_key(text: str) -> str:
    """How a place name is compared: no accents, case, dots, commas or extra spaces ('U.S.A.' → 'u s a')."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.sub(r"[^a-z0-9]+", " ", plain.replace("'", "")).split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def _build_country_lookup() -> dict[str, str]:
    lookup = {code.casefold(): code for code in ISO_COUNTRY_CODES}
    for code, names in _COUNTRY_NAMES.items():
        for name in names:
            lookup[name] = code
    return lookup


def _build_state_lookup() -> dict[str, dict[str, str]]:
    lookups: dict[str, dict[str, str]] = {}
    for country, states in STATES_BY_COUNTRY.items():
        lookup = {place_key(name): code for code, name in states.items()}
        lookup.update(_EXTRA_STATE_NAMES[country])
        lookups[country] = lookup
    return lookups


_COUNTRY_LOOKUP = _build_country_lookup()
_STATE_LOOKUP = _build_state_lookup()


def country_code(text: str) -> str | None:
    """The ISO-2 code for a country name or code as people write it ('USA', 'Deutschland', 'gb'), or None."""
    return _COUNTRY_LOOKUP.get(place_key(text))


def state_code(country: str, text: str) -> str | None:
    """The code of a state or province of `country` ('California' → 'CA', 'on' → 'ON'), or None if unknown."""
    states = STATES_BY_COUNTRY.get(country)
    if states is None:
        return None
    upper = text.strip().upper()
    if upper in states:
        return upper
    return _STATE_LOOKUP[country].get(place_key(text))


def has_states(country: str) -> bool:
    return country in STATES_BY_COUNTRY


def normalise_postal_code(country: str, text: str) -> str:
    """Upper case, single spaces, and the space that Canada, the UK, the Netherlands and Sweden put in."""
    compact = re.sub(r"\s+", "", text.upper())
    if country in {"CA", "GB"} and len(compact) > 3:
        return f"{compact[:-3]} {compact[-3:]}"
    if country == "NL" and len(compact) == 6:
        return f"{compact[:4]} {compact[4:]}"
    if country == "SE" and len(compact) == 5 and compact.isdigit():
        return f"{compact[:3]} {compact[3:]}"
    if country == "US" and len(compact) == 9 and compact.isdigit():
        return f"{compact[:5]}-{compact[5:]}"
    return " ".join(text.upper().split())


def postal_code_problem(country: str, code: str) -> str | None:
    """None when `code` (normalised) is a valid postal code for `country`, else what is expected, in words."""
    rule = POSTAL_PATTERNS.get(country)
    if rule is not None:
        pattern, expected = rule
        return None if pattern.fullmatch(code) else expected
    length = DIGIT_POSTAL_LENGTHS.get(country)
    if length is not None:
        return None if code.isdigit() and len(code) == length else f"{length} digits"
    return None if _LENIENT_POSTAL.fullmatch(code) else "letters, digits, spaces or dashes (2 to 12)"


def described_states(country: str) -> str:
    """'a US state code such as NY or CA' — for messages."""
    examples = {"US": "NY or CA", "CA": "ON or BC", "AU": "NSW or VIC"}[country]
    return f"a {country} state or province code such as {examples}"
