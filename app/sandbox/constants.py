"""Fixed facts of the sandbox vendor: its credentials, opening balance, limits and exchange rates."""

from __future__ import annotations

import string
from decimal import Decimal

SANDBOX_EMAIL = "sandbox@example.com"
SANDBOX_ACCESS_TOKEN = "sandbox-secret"  # noqa: S105 - a published sandbox credential, not a secret
OPENING_BALANCE = Decimal("100000.00")
ACCOUNT_CURRENCY = "USD"

# The account is kept in USD. Cards in another currency are charged at these fixed sandbox rates
# (USD for one unit of the card's currency), so costs are reproducible; a real vendor quotes its own rates.
USD_PER_UNIT: dict[str, Decimal] = {
    "USD": Decimal("1"),
    "CAD": Decimal("0.73"),
    "EUR": Decimal("1.08"),
    "GBP": Decimal("1.27"),
}

# Orders of this many cards or more are accepted as Pending and complete later, as large vendor orders do.
PENDING_THRESHOLD_CARDS = 50
DEFAULT_PENDING_DELAY_S = 3.0
DEFAULT_TOKEN_TTL_S = 3600

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
PO_NUMBER_MAX_LENGTH = 40
# A ceiling per line item, so one mistyped quantity cannot make the sandbox mint millions of claim links.
MAX_QUANTITY = 10_000
# Line items in one order: the limit docs/api-contract.md assumes for the vendor.
MAX_LINE_ITEMS = 100
# `Note` (an order's) and `Culture` (a line item's, such as en-US): optional texts public clients send.
MAX_NOTE_LENGTH = 500
MAX_CULTURE_LENGTH = 20

# Digital line items addressed to this domain fail, so tests can produce failed and partly completed orders.
BOUNCE_DOMAIN = "bounce.example.com"
# `.invalid` is reserved (RFC 2606): sandbox claim links can never reach a real site.
CLAIM_LINK_BASE = "https://sandbox.giftbatch.invalid/claim/"
ANSWER_ALPHABET = string.ascii_uppercase + string.digits  # of challenge answers
MEDIA_BASE = "https://sandbox.giftbatch.invalid/media/"

# Webhook delivery: attempts in all, and the first wait between them (doubled after each failure).
WEBHOOK_ATTEMPTS = 5
WEBHOOK_FIRST_BACKOFF_S = 0.25
WEBHOOK_TIMEOUT_S = 5.0
