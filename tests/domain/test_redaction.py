"""Secrets never reach a log line or a message: bearer tokens, access tokens, claim links, challenge answers."""

from __future__ import annotations

import pytest

from app.domain.redaction import redact


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer eyJhbGciOi.eyJzdWIiOi.sig-123", "eyJhbGciOi"),
        ("sent Bearer abc.def.ghi to the vendor", "abc.def.ghi"),
        ('{"AccessToken": "tok-SECRET-42"}', "tok-SECRET-42"),
        ("access_token=tok-SECRET-42&x=1", "tok-SECRET-42"),
        ('{"ClaimLink": "https://cards.example/c/XYZ"}', "cards.example/c/XYZ"),
        ('{"ClaimLinkChallengeAnswer": "blue-fish-7"}', "blue-fish-7"),
        ("open https://sandbox.giftbatch.invalid/claim/Q2xhaW0 to spend", "Q2xhaW0"),
    ],
)
def test_secrets_are_replaced(text: str, secret: str) -> None:
    cleaned = redact(text)
    assert secret not in cleaned
    assert "***" in cleaned


@pytest.mark.parametrize(
    "text",
    [
        "New bearer token obtained",
        "The vendor at api.example.com did not answer (timeout)",
        "Row 14 repeats row 13",
    ],
)
def test_plain_prose_is_left_alone(text: str) -> None:
    assert redact(text) == text
