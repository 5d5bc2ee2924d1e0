"""The sandbox accepts exactly the recipient and From addresses email-validator accepts, fast path or not."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from app.sandbox.validation import InvalidOrder, validate_order
from tests.domain.test_emails import TRICKY
from tests.sandbox.conftest import digital_order, line


def reference_accepts(address: str) -> bool:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def sandbox_accepts(address: str) -> bool:
    """Whether the sandbox takes `address` both as a recipient and as a From address."""
    body = digital_order("PO-1", line("CVS", 10, email=address, Personalization={"FromEmail": address}))
    try:
        validate_order(body)
    except InvalidOrder as refused:
        named = set(refused.errors)
        assert named <= {
            "LineItems[0].DigitalDeliveryAddress",  # the empty address
            "LineItems[0].DigitalDeliveryAddress.Email",
            "LineItems[0].Personalization.FromEmail",
        }
        return False
    return True


@pytest.mark.parametrize("address", TRICKY)
def test_agrees_with_email_validator(address: str) -> None:
    assert sandbox_accepts(address) == reference_accepts(address)


_CHARS = "abcXYZ019!#$%&'*+/=?^_`{|}~-.@ éü"


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=_CHARS, min_size=1, max_size=20),
    st.lists(st.text(alphabet="abz09-_.", min_size=0, max_size=12), min_size=1, max_size=4),
    st.sampled_from(["com", "org", "c", "test", "local", "co", "123", "xn--p1ai", "рф"]),
)
def test_random_addresses_agree_with_email_validator(local: str, labels: list[str], top: str) -> None:
    address = f"{local}@{'.'.join(labels)}.{top}"
    assert sandbox_accepts(address) == reference_accepts(address)
