"""What a user confirms before money moves, in the words both faces use (the app's dialog and `submit`'s prompt).

"Send 1,448.85 USD to 40 recipients?", and per currency the face value, fees, discounts and total, against
the balance as read just before (with the time it was read). Above the spending limit the user types the
total instead of clicking once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from app.domain.catalog import Catalog, money
from app.engine.plan import BalanceCheck, Plan, line_cost

DEFAULT_SPENDING_LIMIT = Decimal(5000)
_NOT_AMOUNT = re.compile(r"[^\d.,]")
_DECIMALS = re.compile(r"(.*?)[.,](\d{1,2})")


def amount_text(amount: Decimal, currency: str) -> str:
    """'1,448.85 USD', as the exports and both faces write amounts."""
    return f"{amount:,.2f} {currency}"


@dataclass(frozen=True)
class CurrencyCost:
    """What the run costs in one currency: face value, the vendor's fees, its discounts and the total charged.

    The total is the plan's own (each card's cost in cents, as the vendor charges it); the discounts are
    what makes face value and fees come to it.
    """

    currency: str
    face_value: Decimal
    fees: Decimal
    discounts: Decimal
    total: Decimal


def cost_breakdown(plan: Plan, catalog: Catalog) -> list[CurrencyCost]:
    """The plan's cost per currency, in the plan's currency order."""
    face: dict[str, Decimal] = {}
    fees: dict[str, Decimal] = {}
    for order in plan.orders:
        for item in order.request.line_items:
            currency, _ = line_cost(item, catalog)
            product = catalog.product(item.product_id)
            assert product is not None  # line_cost raised PlanningError otherwise
            face[currency] = face.get(currency, Decimal(0)) + item.value * item.quantity
            fees[currency] = fees.get(currency, Decimal(0)) + product.fee * item.quantity
    costs = []
    for currency, total in plan.costs.items():
        value, fee = money(face.get(currency, 0)), money(fees.get(currency, 0))
        costs.append(CurrencyCost(currency, value, fee, money(value + fee - total), total))
    return costs


@dataclass(frozen=True)
class SendConfirmation:
    """Everything the confirmation shows: recipients, cards, cost per currency, the balance and its time.

    `balance` is None when the vendor does not report one. `limit_total` is the total the user must type
    (the largest one above `spending_limit`), or None when one deliberate click is enough.
    """

    recipients: int
    cards: int
    costs: Sequence[CurrencyCost]
    balance: BalanceCheck | None
    balance_at: datetime | None
    spending_limit: Decimal = DEFAULT_SPENDING_LIMIT

    @classmethod
    def of(
        cls,
        plan: Plan,
        catalog: Catalog,
        balance: BalanceCheck | None,
        balance_at: datetime | None,
        spending_limit: Decimal = DEFAULT_SPENDING_LIMIT,
    ) -> SendConfirmation:
        return cls(
            plan.row_count,
            plan.card_count,
            cost_breakdown(plan, catalog),
            balance,
            balance_at,
            spending_limit,
        )

    @property
    def question(self) -> str:
        """'Send 1,448.85 USD to 40 recipients?'."""
        amounts = " and ".join(amount_text(c.total, c.currency) for c in self.costs) or "nothing"
        people = "1 recipient" if self.recipients == 1 else f"{self.recipients:,} recipients"
        return f"Send {amounts} to {people}?"

    @property
    def limit_total(self) -> CurrencyCost | None:
        above = [c for c in self.costs if c.total > self.spending_limit]
        return max(above, key=lambda c: c.total) if above else None

    def matches_typed_total(self, text: str) -> bool:
        """Whether `text` is the total to type ('6,250.00', '6250', '6.250,00 USD' all read as 6250)."""
        wanted = self.limit_total
        typed = parse_amount(text)
        return wanted is None or (typed is not None and typed == wanted.total)


def parse_amount(text: str) -> Decimal | None:
    """An amount as people type it, with either decimal mark and any grouping; None when it is not one."""
    digits = _NOT_AMOUNT.sub("", text)
    if not any(c.isdigit() for c in digits):
        return None
    found = _DECIMALS.fullmatch(digits)
    whole, cents = (found.group(1), found.group(2)) if found else (digits, "0")
    whole = whole.replace(".", "").replace(",", "") or "0"
    try:
        return Decimal(f"{whole}.{cents}")
    except InvalidOperation:
        return None
