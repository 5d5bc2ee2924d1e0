"""Secrets out of text: bearer tokens, access tokens and claim links become '***' before anything is logged or shown."""

from __future__ import annotations

import re

_SECRET_PATTERNS = (
    # "bearer token obtained" is prose, not a secret: the word after Bearer must not be "token".
    re.compile(r"(Bearer\s+)(?!tokens?\b)[A-Za-z0-9._~+/=-]+", re.IGNORECASE),
    re.compile(
        r"((?:AccessToken|access_token|Authorization|token|ClaimLink|ClaimLinkChallengeAnswer)"
        r"[\"']?\s*[:=]\s*[\"']?)[^\"'\s,}]+",
        re.IGNORECASE,
    ),
    re.compile(r"(https?://[^\s\"']*/claim/)[^\s\"']+", re.IGNORECASE),
)


def redact(text: str) -> str:
    """Replace anything that looks like a bearer token, access token or claim link with '***'."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(r"\1***", text)
    return text
