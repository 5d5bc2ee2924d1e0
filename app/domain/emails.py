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
_FAST = re.compile(rf"({_ATOM}(?:\.{_ATOM})*)@((?:{_LABEL}\.)+([A-Za-z]{{2,63}}))")
_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)
_MAX_LOCAL = 64
_MAX_ADDRESS = 254

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
    match = _FAST.fullmatch(text)
    if match is None or len(text) > _MAX_ADDRESS:
        return None
    local, domain, top = match.groups()
    if len(local) > _MAX_LOCAL or "--" in domain or top.lower() in _SPECIAL_USE:
        return None
    return text if domain.islower() else f"{local}@{domain.lower()}"


def _plainer(reason: str) -> str:
    for fragment, plain in _PLAINER.items():
        if fragment in reason:
            return plain
    reason = reason.rstrip(".")
    return reason[:1].lower() + reason[1:]
