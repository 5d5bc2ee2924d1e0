"""Email addresses checked by email-validator's rules (no DNS look-up), with a fast path for common ones."""

from __future__ import annotations

import re
from dataclasses import dataclass

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

# Plain ASCII addresses (most of any file) are checked with one regex: email-validator takes ~25 µs an
# address, too slow for 100,000 rows. The pattern is deliberately narrower than the rules: anything it does
# not accept (internationalised, quoted, 1-letter or special-use top-level domains, '--' in a label, long
# parts) goes to email-validator, so the fast path can only agree with it; tests/domain/test_emails.py checks.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_LOCAL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
_DOMAIN = re.compile(rf"(?:{_LABEL}\.)+([A-Za-z]{{2,63}})")
_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)
_MAX_LOCAL = 64
_MAX_ADDRESS = 254
# The domain part's verdict, by domain: a file's addresses share a handful of domains, and the domain is the
# costly half of the pattern. Bounded, as a file can hold any number of domains.
_DOMAINS: dict[str, str | None] = {}
_MAX_DOMAINS = 4096

# email-validator's wording, replaced where a plainer sentence helps people who are not developers.
_PLAINER = {
    "It should have a period.": "the part after @ must be a domain such as example.com",
    "must have an @-sign": "it has no @ sign; an address looks like name@example.com",
    "not within a valid top-level domain": "the part after @ must end in a domain such as .com or .org",
    "special-use or reserved name": "the part after @ is a reserved name that cannot receive email",
    "display name and angle brackets": "write the address alone, without a name or < > around it",
}


@dataclass(frozen=True, slots=True)
class EmailReading:
    """`normalized`: the address to send to (domain in lower case, Unicode NFC); or None, with a `problem`."""

    normalized: str | None
    problem: str | None = None


def read_email(text: str) -> EmailReading:
    """Check one address (already trimmed) the way email-validator does, without DNS."""
    quick = quick_email(text)
    if quick is not None:
        return EmailReading(quick)
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        if text.count("@") > 1 and any(sep in text for sep in ",; "):
            return EmailReading(
                None, "it holds more than one address; give each recipient a row of their own"
            )
        return EmailReading(None, _plainer(str(error)))
    return EmailReading(checked.normalized)


def quick_email(text: str) -> str | None:
    """The address to send to when `text` is a plain ASCII address the fast path is sure of; else None
    (which means 'ask read_email', not 'invalid')."""
    local, at, domain = text.rpartition("@")
    if not at or len(text) > _MAX_ADDRESS or len(local) > _MAX_LOCAL or _LOCAL.fullmatch(local) is None:
        return None
    lowered = _DOMAINS.get(domain)
    if lowered is None and domain not in _DOMAINS:
        lowered = _quick_domain(domain)
        if len(_DOMAINS) >= _MAX_DOMAINS:
            _DOMAINS.clear()
        _DOMAINS[domain] = lowered
    if lowered is None:
        return None
    return text if lowered == domain else f"{local}@{lowered}"


def _quick_domain(domain: str) -> str | None:
    """The domain in lower case when the fast path is sure of it; None means 'ask read_email'."""
    match = _DOMAIN.fullmatch(domain)
    if match is None or "--" in domain or match.group(1).lower() in _SPECIAL_USE:
        return None
    return domain.lower()


def _plainer(reason: str) -> str:
    for fragment, plain in _PLAINER.items():
        if fragment in reason:
            return plain
    reason = reason.rstrip(".")
    return reason[:1].lower() + reason[1:]
