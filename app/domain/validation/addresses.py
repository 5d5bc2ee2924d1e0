"""A mailed card's address by its country's rules, and how it is shipped.

Addresses are checked only on physical rows. An empty country cell (or no country column) means the default
country, with a warning. Addresses follow their country's rules (Google's address data,
`app.domain.address_rules`): the city, the state or province and the postal code are required only where
that country's addresses have them, the postal code is checked against the country's pattern, and one
outside the state's range is a warning. The shipping method and carrier are checked against the catalog.
"""

from __future__ import annotations

from app.domain.address_rules import AddressRules, address_rules
from app.domain.catalog import Catalog, ShippingMethod, by_id_or_name
from app.domain.cells import error, shown, warning
from app.domain.countries import country_name, nearest_country, place_key
from app.domain.fields import Field
from app.domain.postal_codes import describe_postal_code, outside_area, postal_code_problem
from app.domain.recipient import PhysicalAddress, Recipient
from app.domain.records import SourceCell
from app.domain.repairs import repair_country, repair_phone, repair_postal_code, repair_state, text_value
from app.domain.subdivisions import area_label, area_words, nearest_area
from app.domain.validation.answers import Answer, AnswerCache, value_key
from app.domain.validation.options import ValidationOptions
from app.domain.validation.row import RowCells, SheetNotes
from app.domain.validation.wording import listed

_FIRST, _LAST, _FULL, _PHONE = Field.FIRST_NAME, Field.LAST_NAME, Field.FULL_NAME, Field.PHONE
_LINE1, _CITY, _STATE, _ZIP, _COUNTRY = (
    Field.ADDRESS_LINE1,
    Field.CITY,
    Field.STATE,
    Field.ZIP,
    Field.COUNTRY,
)
_LONGEST_AREA_CODE = 4  # 'CA', 'NSW', 'CDMX', 'Jal.': a key this short is a code, not a name


class AddressChecks:
    """The address, contact phone and shipping of each physical row."""

    def __init__(
        self, catalog: Catalog, options: ValidationOptions, answers: AnswerCache, notes: SheetNotes
    ) -> None:
        self._catalog = catalog
        self._options = options
        self._notes = notes
        self._countries = answers.field(_COUNTRY)
        self._states = answers.field(_STATE)
        self._postal_codes = answers.field(_ZIP)

    def check(self, row: RowCells, recipient: Recipient) -> None:
        """Set the row's address (to the name the row gives) and its shipping method and carrier."""
        address = PhysicalAddress(
            name=recipient.name,
            company=row.text(Field.COMPANY),
            line1=row.text(_LINE1),
            line2=row.text(Field.ADDRESS_LINE2),
            city=row.text(_CITY),
        )
        recipient.address = address
        address.country = self._country(row)
        rules = address_rules(address.country) if address.country else None
        self._require_address_parts(row, address, rules)
        address.state = self._state(row, rules)
        address.zip = self._postal_code(row, rules, address.state)
        address.phone = self._contact_phone(row, address.country)
        recipient.shipping_method_id, recipient.carrier_id = self._shipping(row)

    def _require_address_parts(
        self, row: RowCells, address: PhysicalAddress, rules: AddressRules | None
    ) -> None:
        """Name and street always; the city where the country's addresses need one (all, when the country is
        not known)."""
        if address.name is None and not row.broken & {_FULL, _FIRST, _LAST}:
            where = _FIRST if _FIRST in row.columns and _FULL not in row.columns else _FULL
            row.fail(
                "name.missing",
                where,
                "no recipient name, and a mailed card needs one. Expected the name "
                "to print on the envelope. Type it.",
            )
        if address.line1 is None and _LINE1 not in row.broken:
            row.fail(
                "address_line1.missing",
                _LINE1,
                "no street address, and a mailed card needs one. "
                "Expected the first address line, such as 1 Main St. Type it.",
            )
        if address.city is None and _CITY not in row.broken and (rules is None or rules.needs_city):
            needs = f"addresses in {_country_words(rules)} need one" if rules else "a mailed card needs one"
            row.fail("city.missing", _CITY, f"no city, and {needs}. Expected the town or city. Type it.")

    def _country(self, row: RowCells) -> str | None:
        value = row.get(_COUNTRY)
        if value is None:
            return None if _COUNTRY in row.broken else self._default_country(row)
        code: str | None = self._countries.answer(row, value_key(value), _read_country)
        return code

    def _default_country(self, row: RowCells) -> str:
        country = self._options.default_region
        if _COUNTRY in row.columns:
            row.warn(
                "country.assumed",
                _COUNTRY,
                f"no country given; assumed {country} (the default country). "
                "Type the country if the address is elsewhere.",
            )
        else:
            self._notes.add(
                row.sheet,
                "country.assumed",
                _COUNTRY,
                f"Sheet “{row.sheet}” has no country column, so every address is taken to be in "
                f"{country} (the default country). Add a Country column if any address is "
                "elsewhere.",
            )
        return country

    def _state(self, row: RowCells, rules: AddressRules | None) -> str | None:
        value = row.get(_STATE)
        if value is None:
            if rules is not None and rules.needs_area and _STATE not in row.broken:
                row.fail(
                    "state.missing",
                    _STATE,
                    f"no {rules.area_word}, and addresses in {_country_words(rules)} need one. "
                    f"Expected {_described_areas(rules)}. Type it.",
                )
            return None
        country = rules.country if rules else None
        code: str | None = self._states.answer(row, (type(value), value, country), _read_state, rules)
        return code

    def _postal_code(self, row: RowCells, rules: AddressRules | None, area: str | None) -> str | None:
        value = row.get(_ZIP)
        if value is None:
            if rules is not None and rules.needs_postal_code and _ZIP not in row.broken:
                row.fail(
                    "zip.missing",
                    _ZIP,
                    f"no {rules.postal_word}, and addresses in {_country_words(rules)} need one. "
                    f"Expected {describe_postal_code(rules)}. Type it.",
                )
            return None
        country = rules.country if rules else None
        key = (type(value), value, country, area)
        code: str | None = self._postal_codes.answer(row, key, _read_postal_code, rules, area)
        return code

    def _contact_phone(self, row: RowCells, country: str | None) -> str | None:
        if row.get(_PHONE) is None:
            return None
        cell = row.cell(_PHONE)
        region = country or self._options.default_region
        reading, repaired = repair_phone(cell, _PHONE, region)
        row.add(repaired)
        if reading.e164 is None:
            row.fail(
                "phone.invalid",
                _PHONE,
                f"{shown(cell.value)} is not a valid phone number. Expected a "
                f"number with its country code, such as +1 555 555 0123 (without one it is read as a "
                f"{region} number). Correct it, or clear the cell: the phone is optional.",
            )
        return reading.e164

    def _shipping(self, row: RowCells) -> tuple[str | None, str | None]:
        catalog = self._catalog
        methods = catalog.shipping_methods
        method_text, carrier_text = row.text(Field.SHIPPING_METHOD), row.text(Field.CARRIER)
        if not catalog.ships:
            why = f" ({catalog.shipping_unavailable})" if catalog.shipping_unavailable else ""
            row.fail(
                "shipping_method.none_offered",
                Field.SHIPPING_METHOD,
                f"this account is offered no shipping methods{why}, so no card can be mailed through it. "
                "Send this row by email, SMS or link instead, or ask the vendor to enable physical cards "
                "and refresh the catalog.",
            )
            return None, None
        if not methods:
            return method_text or "STANDARD", carrier_text or "DEFAULT"
        default = self._default_shipping_method()
        method = by_id_or_name(methods, method_text) if method_text else default
        if method is None:
            clear = f", or clear the cell to use {default.id}" if default else ""
            row.fail(
                "shipping_method.unknown",
                Field.SHIPPING_METHOD,
                f"{shown(method_text)} is not a shipping "
                f"method the vendor offers. Expected {listed(sorted(methods))}. Type one of them{clear}.",
            )
            return None, carrier_text
        carriers = {c.id: c for c in method.carriers}
        if not carrier_text:
            return method.id, method.carriers[0].id if method.carriers else None
        carrier = by_id_or_name(carriers, carrier_text)
        if carrier is None:
            row.fail(
                "carrier.unknown",
                Field.CARRIER,
                f"{shown(carrier_text)} is not a carrier for shipping "
                f"method {method.id}. Expected {listed(carriers)}. Type one of them, or clear the cell to "
                "use the first.",
            )
            return method.id, None
        return method.id, carrier.id

    def _default_shipping_method(self) -> ShippingMethod | None:
        methods = self._catalog.shipping_methods
        wanted = self._options.default_shipping_method or "STANDARD"
        return by_id_or_name(methods, wanted) or next(iter(methods.values()), None)


# -- readers, cached: they look at nothing but the cell and their arguments ------------------------------------


def _read_country(cell: SourceCell) -> Answer:
    code, repaired = repair_country(cell, _COUNTRY)
    if code is not None:
        return code, (repaired,) if repaired else ()
    nearest = nearest_country(text_value(cell))
    guess = f" Did you mean {nearest} ({country_name(nearest)})?" if nearest else ""
    return None, (
        error(
            "country.unknown",
            cell,
            _COUNTRY,
            f"{shown(cell.value)} is not a country we recognise. Expected the country's name (in any "
            f"language) or its two-letter code, such as US, DE or GB.{guess} Type the country's code.",
        ),
    )


def _read_state(cell: SourceCell, rules: AddressRules | None) -> Answer:
    code, repaired = repair_state(cell, _STATE, rules.country if rules else None)
    if code is not None:
        return code, (repaired,) if repaired else ()
    assert rules is not None  # repair_state answers None only for a country with a list of areas
    text = text_value(cell)
    nearest = nearest_area(rules.country, text)
    guess = f" Did you mean {nearest}?" if nearest else ""
    if not rules.needs_area:  # the country lists its areas, but its addresses may leave them out
        return text, (
            warning(
                "state.unknown",
                cell,
                _STATE,
                f"{shown(cell.value)} is not {rules.an_area} of {_country_words(rules)} we know; kept as "
                f"it is.{guess} Check it, or clear the cell: addresses there need no {rules.area_word}.",
            ),
        )
    return None, (
        error(
            "state.unknown",
            cell,
            _STATE,
            f"{shown(cell.value)} is not {rules.an_area} of {_country_words(rules)}. Expected "
            f"{_described_areas(rules)}.{guess} Correct it (and check the country).",
        ),
    )


def _read_postal_code(cell: SourceCell, rules: AddressRules | None, area: str | None) -> Answer:
    code, repaired = repair_postal_code(cell, _ZIP, rules.country if rules else None)
    notes = (repaired,) if repaired else ()
    if rules is None:
        return code, notes
    word = rules.postal_word
    problem = postal_code_problem(rules.country, code)
    if problem is not None:
        return None, (
            *notes,
            error(
                "zip.invalid",
                cell,
                _ZIP,
                f"{shown(cell.value)} is not a valid {word} for {_country_words(rules)}. Expected {problem}. "
                f"Correct the {word} (and check the country).",
            ),
        )
    if outside_area(rules, code, area):
        assert area is not None  # outside_area is True only for a known area
        return code, (
            *notes,
            warning(
                "zip.other_area",
                cell,
                _ZIP,
                f"{code} is not a {word} of {area_words(rules, area)}: the {word}s there begin otherwise. "
                f"Check the {word} and the {rules.area_word}; one of them is likely mistyped.",
            ),
        )
    return code, notes


def _country_words(rules: AddressRules) -> str:
    """'United States (US)': how a country is named in messages."""
    return f"{rules.name} ({rules.country})"


def _described_areas(rules: AddressRules) -> str:
    """'the state's code or name, such as CA or VA'; 'the prefecture's name, such as Tokyo or Saitama'."""
    labels = [area_label(rules, key) for key in rules.examples]
    if not labels:
        return f"the {rules.area_word}"
    coded = any(key.isascii() and len(place_key(key)) <= _LONGEST_AREA_CODE for key in rules.examples)
    kind = "code or name" if coded else "name"
    return f"the {rules.area_word}'s {kind}, such as {' or '.join(labels)}"
