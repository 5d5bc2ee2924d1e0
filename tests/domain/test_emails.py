"""The email fast path agrees with email-validator (the reference) on tricky and on random addresses."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.emails import read_email

TRICKY = [
    # ordinary
    "ana@example.com",
    "Ana.Lopez@Example.COM",
    "ana+bonus@example.co.uk",
    "first_last-1@sub.domain.example.org",
    "a@b.co",
    "x@x.c",  # a one-letter top-level domain: email-validator allows it
    "o'brien@example.ie",
    "{weird}|#$%&*=?^`~@example.com",
    "a" * 64 + "@example.com",
    "a" * 65 + "@example.com",
    "ana@" + "b" * 63 + ".com",
    "ana@" + "b" * 64 + ".com",
    "ana@" + ".".join(["abcdefghij"] * 24) + ".com",  # longer than 254 characters in all
    # internationalised (valid for email-validator; a naive ASCII pattern rejects them)
    "josé@example.com",
    "ana@exämple.com",
    "用户@例子.广告",
    "юзер@пример.рф",
    "ana@xn--bcher-kva.com",
    "ÄNA@EXAMPLE.COM",
    # invalid
    "ana",
    "ana@",
    "@example.com",
    "ana@example",
    "ana@@example.com",
    "ana @example.com",
    "ana@exa mple.com",
    "ana..lopez@example.com",
    ".ana@example.com",
    "ana.@example.com",
    "ana@example..com",
    "ana@.example.com",
    "ana@example.com.",
    "ana@-example.com",
    "ana@example-.com",
    "ana@ex_ample.com",
    "ana@ab--cd.com",
    "ana@localhost",
    "ana@example.test",
    "ana@example.local",
    "ana@example.invalid",
    "ana@1.2.3.4",
    "ana@[1.2.3.4]",
    "ana@example.123",
    '"ana"@example.com',
    "Ana Lopez <ana@example.com>",
    "mailto:ana@example.com",
    "ana@example.com;bo@example.com",
    "ana@example,com",
    "ana(comment)@example.com",
    "",
]


def reference(address: str) -> str | None:
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


@pytest.mark.parametrize("address", TRICKY)
def test_agrees_with_email_validator(address: str) -> None:
    assert read_email(address).normalized == reference(address)


@pytest.mark.parametrize("address", [a for a in TRICKY if reference(a) is None])
def test_an_invalid_address_comes_with_a_reason(address: str) -> None:
    reading = read_email(address)
    assert reading.problem
    assert reading.problem[0].islower() and not reading.problem.endswith(".")


@pytest.mark.parametrize(
    ("address", "fragment"),
    [
        ("ana@example", "must be a domain such as example.com"),
        ("ana", "no @ sign"),
        ("ana@example.123", "must end in a domain"),
        ("Ana <ana@example.com>", "without a name"),
        ("ana@example.test", "reserved name"),
        ("ana@example.com; bo@example.com", "more than one address"),
        ("ana@example.com, bo@example.com", "more than one address"),
    ],
)
def test_common_mistakes_are_explained_plainly(address: str, fragment: str) -> None:
    problem = read_email(address).problem
    assert problem is not None and fragment in problem


_ATOM_CHARS = "abcXYZ019!#$%&'*+/=?^_`{|}~-.@ éü"


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=_ATOM_CHARS, min_size=1, max_size=20),
    st.lists(st.text(alphabet="abz09-_.", min_size=0, max_size=12), min_size=1, max_size=4),
    st.sampled_from(["com", "org", "c", "test", "local", "co", "123", "xn--p1ai", "рф"]),
)
def test_random_addresses_agree_with_email_validator(local: str, labels: list[str], top: str) -> None:
    address = f"{local}@{'.'.join(labels)}.{top}"
    assert read_email(address).normalized == reference(address)
