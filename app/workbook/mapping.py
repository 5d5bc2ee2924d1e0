"""Which column holds which field: known names, careful guesses, the user's own choices, saved mappings."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import cached_property, lru_cache
from pathlib import Path

from app.domain.fields import Field

log = logging.getLogger(__name__)


class MatchConfidence(StrEnum):
    """How sure we are that a column holds its field; the GUI shows found / guessed / chosen."""

    EXACT = "exact"  # the header is a name people use for this field ("E-mail", "Zip/Postal Code")
    GUESSED = (
        "guessed"  # the header contains a telling word ("Work e-mail addr") or is one typo away from a name
    )
    USER = "user"  # the user chose it, now or in an earlier import of a workbook with the same header


# Names people give each field, written as `header_key` reduces them (letters and digits only, lower case).
_SYNONYMS: dict[Field, tuple[str, ...]] = {
    Field.FIRST_NAME: (
        "firstname",
        "first",
        "givenname",
        "forename",
        "fname",
        "firstnames",
        "preferredname",
        "preferredfirstname",
        "nickname",
    ),
    Field.LAST_NAME: ("lastname", "last", "surname", "familyname", "lname", "secondname"),
    Field.FULL_NAME: (
        "name",
        "fullname",
        "recipient",
        "recipientname",
        "employeename",
        "employee",
        "shipto",
        "shiptoname",
        "to",
        "toname",
        "attention",
        "attn",
        "addressee",
        "contactname",
        "displayname",
        "nameonenvelope",
    ),
    Field.EMAIL: (
        "email",
        "emailaddress",
        "emailid",
        "workemail",
        "workemailaddress",
        "businessemail",
        "toemail",
        "emailaddr",
        "mailaddress",
        "emails",
    ),
    Field.SMS: (
        "mobile",
        "mobilephone",
        "mobilenumber",
        "mobileno",
        "mobilephonenumber",
        "cell",
        "cellphone",
        "cellnumber",
        "cellphonenumber",
        "sms",
        "smsnumber",
        "textnumber",
        "textmessagenumber",
        "mob",
    ),
    Field.PHONE: (
        "phone",
        "phonenumber",
        "phoneno",
        "telephone",
        "telephonenumber",
        "tel",
        "contactnumber",
        "contactphone",
    ),
    Field.PRODUCT: (
        "product",
        "productid",
        "productcode",
        "productname",
        "brand",
        "card",
        "cardtype",
        "cardbrand",
        "giftcard",
        "giftcardtype",
        "giftcardbrand",
        "giftcardproduct",
        "rewardtype",
        "sku",
        "merchant",
        "retailer",
    ),
    Field.VALUE: (
        "value",
        "amount",
        "giftvalue",
        "giftamount",
        "cardvalue",
        "cardamount",
        "denomination",
        "facevalue",
        "rewardamount",
        "rewardvalue",
        "giftcardvalue",
        "giftcardamount",
        "amt",
        "dollaramount",
        "loadamount",
        "valueeach",
        "amounteach",
    ),
    Field.QUANTITY: (
        "qty",
        "quantity",
        "numberofcards",
        "noofcards",
        "ofcards",
        "numcards",
        "cards",
        "numberoflinks",
        "cardcount",
        "count",
    ),
    Field.DELIVERY_TYPE: (
        "deliverymethod",
        "delivery",
        "deliverytype",
        "deliveryoption",
        "deliverychannel",
        "sendvia",
        "howtosend",
        "sendhow",
        "sendby",
        "deliveryvia",
        "deliverby",
        "channel",
        "method",
        "sendmethod",
    ),
    Field.COMPANY: (
        "company",
        "companyname",
        "organization",
        "organisation",
        "organizationname",
        "organisationname",
        "business",
        "businessname",
        "employer",
    ),
    Field.ADDRESS_LINE1: (
        "address1",
        "addressline1",
        "address",
        "street",
        "streetaddress",
        "streetaddress1",
        "addr1",
        "line1",
        "street1",
        "shippingaddress",
        "mailingaddress",
        "shiptoaddress",
        "postaladdress",
        "homeaddress",
        "address1street",
    ),
    Field.ADDRESS_LINE2: (
        "address2",
        "addressline2",
        "addr2",
        "line2",
        "street2",
        "streetaddress2",
        "apt",
        "suite",
        "aptsuite",
        "aptsuiteunit",
        "apartment",
        "aptunit",
    ),
    Field.CITY: ("city", "town", "citytown", "towncity", "locality", "suburb", "municipality"),
    Field.STATE: (
        "state",
        "province",
        "stateprovince",
        "provincestate",
        "region",
        "county",
        "stateregion",
        "stateprovinceregion",
        "st",
        "statecode",
        "prov",
    ),
    Field.ZIP: (
        "zip",
        "zipcode",
        "postalcode",
        "postcode",
        "zippostalcode",
        "postalzipcode",
        "postal",
        "zippostcode",
        "postcodezip",
        "zipcodepostalcode",
        "pincode",
    ),
    Field.COUNTRY: ("country", "countrycode", "countryregion", "nation", "countryname"),
    Field.SHIPPING_METHOD: (
        "shippingmethod",
        "shipping",
        "shipmethod",
        "shippingspeed",
        "shippingoption",
        "shippingmethodid",
        "shippingservice",
        "shippingtype",
        "postage",
    ),
    Field.CARRIER: ("carrier", "shippingcarrier", "carrierid", "courier"),
    Field.MESSAGE: (
        "message",
        "note",
        "personalmessage",
        "giftmessage",
        "greeting",
        "personalnote",
        "cardmessage",
        "personalisation",
        "personalization",
        "dedication",
        "messagetorecipient",
    ),
    Field.FROM_NAME: (
        "from",
        "fromname",
        "sender",
        "sendername",
        "sentfrom",
        "sentby",
        "giftfrom",
        "signedby",
        "signature",
    ),
    Field.FROM_EMAIL: (
        "senderemail",
        "fromemail",
        "senderemailaddress",
        "fromemailaddress",
        "replyto",
        "replytoemail",
    ),
    Field.DELIVERY_DATE: (
        "senddate",
        "deliverydate",
        "sendon",
        "deliveron",
        "scheduleddate",
        "scheduledate",
        "deliverydatetime",
        "sendat",
        "senddatetime",
        "scheduledfor",
        "sendingdate",
        "datetosend",
        "deliveryday",
    ),
    Field.BRANDING: ("branding", "brandingid", "cardtemplate", "carddesign", "design"),
    Field.REFERENCE: (
        "reference",
        "ref",
        "employeeid",
        "employeenumber",
        "employeeno",
        "empid",
        "empno",
        "staffid",
        "staffnumber",
        "id",
        "externalid",
        "yourreference",
        "yourref",
        "referenceid",
        "recordid",
        "customerid",
        "memberid",
        "badgeid",
        "personid",
        "workerid",
    ),
}

_EXACT: dict[str, Field] = {key: fld for fld, keys in _SYNONYMS.items() for key in keys}

# Leading words that say whose the column is, not what it holds: "Recipient Email", "Employee First Name".
_OWNER_WORDS = frozenset(
    {
        "recipient",
        "recipients",
        "employee",
        "employees",
        "staff",
        "customer",
        "customers",
        "contact",
        "member",
        "winner",
        "your",
        "the",
        "gift",
        "card",
        "giftcard",
    }
)
# The headers that may mean the recipient's mobile (for SMS) or a shipping contact phone; see `map_headers`.
_PHONE_KEYS = frozenset(_SYNONYMS[Field.PHONE])
_PARENTHESISED = re.compile(r"[(\[{].*?[)\]}]")
_WORDS = re.compile(r"[0-9a-z]+")
_BLANKS = re.compile(r"\s+")
_SHORTEST_TYPO_KEY = 5


def display_header(value: object) -> str:
    """A header cell as a user reads it: one line, no stray or non-breaking spaces."""
    if value is None:
        return ""
    return _BLANKS.sub(" ", str(value).replace("\u00a0", " ")).strip()


def header_key(text: str) -> str:
    """'Zip/Postal Code' → 'zippostalcode': case, accents, spacing, punctuation and currency signs aside."""
    return "".join(_words(text))


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _WORDS.findall(plain)


def match_header(text: str) -> tuple[Field | None, MatchConfidence | None]:
    """The field a header names by itself, and how sure we are; (None, None) when it names none."""
    key = header_key(text)
    if not key:
        return None, None
    for candidate in _exact_candidates(text, key):
        if candidate in _EXACT:
            return _EXACT[candidate], MatchConfidence.EXACT
    guessed = _guess_from_words(_words(text), key) or _guess_from_typo(key)
    return (guessed, MatchConfidence.GUESSED) if guessed else (None, None)


def _exact_candidates(text: str, key: str) -> Iterable[str]:
    yield key
    bare = header_key(_PARENTHESISED.sub(" ", text))  # "Value (USD)", "Email (required)"
    yield bare
    words = _words(_PARENTHESISED.sub(" ", text))
    while len(words) > 1 and words[0] in _OWNER_WORDS:
        words = words[1:]
        yield "".join(words)


def _guess_from_words(words: list[str], key: str) -> Field | None:  # noqa: PLR0911, PLR0912 — one rule a line
    """Telling words, most specific first; deliberately narrow, as a wrong guess flags good cells."""
    has = set(words).intersection
    if "email" in key:
        return Field.FROM_EMAIL if has({"sender", "from", "reply"}) else Field.EMAIL
    if has({"mobile", "cell", "cellphone", "sms", "whatsapp"}):
        return Field.SMS
    if "phone" in key or has({"tel"}):
        return Field.PHONE
    if "zip" in key or "postal" in key or "postcode" in key:
        return Field.ZIP
    if "address" in key or has({"street"}):
        return Field.ADDRESS_LINE2 if has({"2", "line2", "apt", "suite", "unit"}) else Field.ADDRESS_LINE1
    if has({"city", "town"}):
        return Field.CITY
    if has({"state", "province"}):
        return Field.STATE
    if has({"country"}):
        return Field.COUNTRY
    if has({"message", "greeting", "personalization", "personalisation", "dedication"}):
        return Field.MESSAGE
    if has({"sender", "from"}):
        return Field.FROM_NAME
    if has({"first", "given"}) and has({"name", "names"}):
        return Field.FIRST_NAME
    if has({"surname"}) or (has({"last", "family"}) and has({"name"})):
        return Field.LAST_NAME
    if has({"company", "organization", "organisation", "employer"}):
        return Field.COMPANY
    if has({"carrier", "courier"}):
        return Field.CARRIER
    if has({"shipping", "ship", "shipment"}) and has(
        {"method", "speed", "service", "option", "type", "level"}
    ):
        return Field.SHIPPING_METHOD
    if has({"send", "delivery", "deliver", "scheduled", "schedule"}) and has({"date", "day", "on", "when"}):
        return Field.DELIVERY_DATE
    if has({"delivery", "channel"}):
        return Field.DELIVERY_TYPE
    if has({"amount", "value", "denomination", "amt"}):
        return Field.VALUE
    if has({"qty", "quantity"}):
        return Field.QUANTITY
    if has({"product", "brand", "merchant", "retailer", "sku"}):
        return Field.PRODUCT
    if has({"name", "names"}):
        return Field.FULL_NAME
    if has({"reference", "ref"}):
        return Field.REFERENCE
    return None


def _guess_from_typo(key: str) -> Field | None:
    """'Emial', 'Adress', 'Quanity': a letter left out, added or swapped (not replaced: 'Gender')."""
    if len(key) < _SHORTEST_TYPO_KEY:
        return None
    for known, fld in _typo_candidates(len(key)):
        if _one_slip_apart(key, known):
            return fld
    return None


@lru_cache(maxsize=128)
def _typo_candidates(length: int) -> tuple[tuple[str, Field], ...]:
    """The known keys a key of `length` letters can be one slip from (a letter more, less or swapped), in
    the order they are tried. Finding the header tries every cell of the first rows, most of them data."""
    return tuple(
        (known, fld)
        for known, fld in _EXACT.items()
        if len(known) >= _SHORTEST_TYPO_KEY and abs(len(known) - length) <= 1
    )


def _one_slip_apart(typed: str, known: str) -> bool:
    shorter, longer = (typed, known) if len(typed) <= len(known) else (known, typed)
    if len(longer) - len(shorter) > 1:
        return False
    i = 0  # the first place they differ: the slip is there
    while i < len(shorter) and shorter[i] == longer[i]:
        i += 1
    if len(shorter) < len(longer):
        return longer[i + 1 :] == shorter[i:]  # a letter added (or left out) at i
    return (
        i + 1 < len(typed)
        and typed[i] == known[i + 1]
        and typed[i + 1] == known[i]
        and typed[i + 2 :] == known[i + 2 :]  # two neighbours swapped at i
    )


@dataclass(frozen=True)
class HeaderCell:
    """One column of a sheet's header row: 0-based `index`, its `column` letter and its `text` as shown."""

    index: int
    column: str
    text: str

    @property
    def name(self) -> str:
        """How the column is named in messages and in `RawRecord.unmapped`: its header, or 'Column F'."""
        return self.text or f"Column {self.column}"


@dataclass(frozen=True)
class ColumnMatch:
    """What one column was mapped to. `field` None: mapped to nothing (kept in `RawRecord.unmapped`).

    `wanted` is set when the column would have mapped to a field another column holds with more certainty.
    """

    header: HeaderCell
    field: Field | None
    confidence: MatchConfidence | None
    wanted: Field | None = None


@dataclass(frozen=True)
class ColumnMapping:
    """The whole mapping of one sheet: one `ColumnMatch` per column, in column order."""

    columns: tuple[ColumnMatch, ...]

    @cached_property
    def by_field(self) -> dict[Field, ColumnMatch]:
        return {m.field: m for m in self.columns if m.field is not None}

    @property
    def mapped(self) -> list[ColumnMatch]:
        return [m for m in self.columns if m.field is not None]

    @property
    def unmapped(self) -> list[HeaderCell]:
        """Columns that map to nothing, kept as read beside the mapped ones."""
        return [m.header for m in self.columns if m.field is None]

    def missing(self, wanted: Iterable[Field] = tuple(Field)) -> list[Field]:
        """The fields among `wanted` that no column holds (the GUI shows them as 'missing')."""
        return [f for f in wanted if f not in self.by_field]

    def column_of(self, fld: Field) -> str | None:
        """The column letter holding `fld`, or None."""
        match = self.by_field.get(fld)
        return match.header.column if match else None

    def as_dict(self) -> dict[str, str | None]:
        """{header name: field value or None}, as `giftbatch validate --json` prints it."""
        return {m.header.name: (m.field.value if m.field else None) for m in self.columns}

    @property
    def signature(self) -> str:
        return header_signature(h.header.text for h in self.columns)


_RANK = {MatchConfidence.USER: 3, MatchConfidence.EXACT: 2, MatchConfidence.GUESSED: 1}


def map_headers(
    headers: Sequence[HeaderCell], choices: Mapping[str, Field | None] | None = None
) -> ColumnMapping:
    """Map each column to a field.

    `choices` are the user's (an override or a saved mapping), keyed by header text as shown (matched ignoring
    case, spacing and punctuation): a Field, or None to ignore the column. Other columns are matched by name.

    A header such as "Phone" is ambiguous. It maps to `Field.PHONE` (the contact phone printed on a shipping
    label) when the sheet has an address column or another column already holds SMS numbers; otherwise it is
    read as the mobile number for SMS delivery, as a guess the user can change.

    When two columns claim one field, the more certain claim wins (the user's, then a known name, then a
    guess; the leftmost on a tie) and the other column maps to nothing, with `wanted` saying what it claimed.
    """
    chosen = {header_key(text): fld for text, fld in (choices or {}).items()}
    proposals: list[tuple[HeaderCell, Field | None, MatchConfidence | None]] = []
    for header in headers:
        key = header_key(header.text)
        if header.text and key in chosen:
            proposals.append((header, chosen[key], MatchConfidence.USER))
        else:
            proposals.append((header, *match_header(header.text)))
    proposals = _settle_phones(proposals)
    return ColumnMapping(tuple(_settle_claims(proposals)))


def _settle_phones(
    proposals: list[tuple[HeaderCell, Field | None, MatchConfidence | None]],
) -> list[tuple[HeaderCell, Field | None, MatchConfidence | None]]:
    claimed = {fld for header, fld, conf in proposals if fld and not _is_plain_phone(header, fld, conf)}
    phone_is_contact = Field.ADDRESS_LINE1 in claimed or Field.SMS in claimed
    settled: list[tuple[HeaderCell, Field | None, MatchConfidence | None]] = []
    for header, fld, conf in proposals:
        if _is_plain_phone(header, fld, conf) and not phone_is_contact:
            settled.append((header, Field.SMS, MatchConfidence.GUESSED))
        else:
            settled.append((header, fld, conf))
    return settled


def _is_plain_phone(header: HeaderCell, fld: Field | None, conf: MatchConfidence | None) -> bool:
    return fld is Field.PHONE and conf is not MatchConfidence.USER and header_key(header.text) in _PHONE_KEYS


def _settle_claims(
    proposals: list[tuple[HeaderCell, Field | None, MatchConfidence | None]],
) -> list[ColumnMatch]:
    best: dict[Field, HeaderCell] = {}
    claims = [(header, fld, conf) for header, fld, conf in proposals if fld is not None and conf is not None]
    for header, claimed, _ in sorted(claims, key=lambda claim: (-_RANK[claim[2]], claim[0].index)):
        if claimed is not None:
            best.setdefault(claimed, header)
    matches = []
    for header, fld, conf in proposals:
        if fld is None or best[fld] is header:
            matches.append(ColumnMatch(header, fld, conf if fld else None))
        else:
            matches.append(ColumnMatch(header, None, None, wanted=fld))
    return matches


def header_signature(texts: Iterable[str]) -> str:
    """A short fingerprint of a header row, the same whatever the case, spacing or punctuation of names."""
    keys = "\x1f".join(key for key in map(header_key, texts) if key)
    return hashlib.sha256(keys.encode("utf-8")).hexdigest()[:32]


@dataclass
class MappingStore:
    """The user's mapping choices, saved against the header row's signature in a JSON file, reused next time.

    The file is rewritten atomically (a temporary file renamed over it), so a crash never leaves half a file;
    an unreadable file is treated as empty and replaced on the next save. A suitable place is
    `AppPaths.config_dir / "column-mappings.json"`.
    """

    path: Path
    _cache: dict[str, object] | None = field(default=None, init=False, repr=False)

    def load(self, headers: Sequence[str]) -> dict[str, Field | None] | None:
        """The choices saved for this header row ({header text: field or None}), or None if there are none."""
        entry = self._read().get(header_signature(headers))
        if not isinstance(entry, dict) or not isinstance(entry.get("choices"), dict):
            return None
        choices: dict[str, Field | None] = {}
        for text, value in entry["choices"].items():
            if value is None:
                choices[str(text)] = None
            elif value in Field._value2member_map_:
                choices[str(text)] = Field(value)
        return choices

    def save(self, headers: Sequence[str], choices: Mapping[str, Field | None]) -> None:
        """Remember `choices` for workbooks whose header row is `headers`."""
        data = self._read()
        data[header_signature(headers)] = {
            "headers": list(headers),
            "choices": {text: (fld.value if fld else None) for text, fld in choices.items()},
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self._write(data)

    def _read(self) -> dict[str, object]:
        if self._cache is None:
            self._cache = {}
            try:
                loaded = json.loads(self.path.read_text(encoding="utf-8"))
                if isinstance(loaded, dict) and isinstance(loaded.get("mappings"), dict):
                    self._cache = loaded["mappings"]
            except FileNotFoundError:
                pass
            except (OSError, ValueError) as error:
                log.warning(
                    "Saved column mappings in %s could not be read (%s); starting afresh", self.path, error
                )
        return self._cache

    def _write(self, mappings: dict[str, object]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": 1, "mappings": mappings}, indent=1, ensure_ascii=False)
        handle, temp_name = tempfile.mkstemp(prefix=".mappings-", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp_name, self.path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        self._cache = mappings
