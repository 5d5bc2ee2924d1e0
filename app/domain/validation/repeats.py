"""A card paid twice, or too much for one person: checks against the rest of the file and earlier runs.

A row that repeats an earlier row cell for cell (`duplicate.exact_row`) is an error: it is sent only when the
user pays it again with a reason (see `app.domain.payments`). The same card to the same person in a row that
differs otherwise (another message, another date) and a recipient's total above the limit are warnings: the
user may mean them. These need every row of the import and are recomputed after every edit in the grid: one
pass over the recipients with dictionaries, a few milliseconds for 100,000 rows. A row that pays what an
earlier run paid (`duplicate.earlier_run`, from the journal's payments) is an error of the row itself, lifted
the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from app.domain.catalog import DeliveryType
from app.domain.fields import Field
from app.domain.issues import Issue, Severity
from app.domain.payments import (
    EARLIER_RUN,
    EXACT_ROW,
    ON_PURPOSE,
    PAID_AGAIN,
    EarlierPayments,
    PayAgain,
    payment_claims,
    row_content,
)
from app.domain.recipient import Recipient, identity_field
from app.domain.repairs import plain_number
from app.domain.validation.row import RowCells
from app.domain.validation.wording import listed


def check_recipients(
    recipients: Sequence[Recipient], threshold: Decimal, pay_again: PayAgain | None = None
) -> dict[str, list[Issue]]:
    """{row key: issues} for repeated rows (`duplicate.exact_row`, an error unless `pay_again` names the
    row), repeated cards (`duplicate.in_file`) and totals above `threshold` (`recipient.total_high`, per
    recipient and currency)."""
    found: dict[str, list[Issue]] = defaultdict(list)
    _duplicates(recipients, found, pay_again or PayAgain())
    _totals(recipients, threshold, found)
    return found


def earlier_run(row: RowCells, recipient: Recipient, earlier: EarlierPayments, pay_again: PayAgain) -> None:
    """An error for a payment an earlier run already made (or is making), unless the user pays again."""
    found = earlier.find(payment_claims(recipient))
    if found is None:
        return
    card = " ".join(p for p in (recipient.product_id, plain_number(recipient.value), recipient.currency) if p)
    said = f"{recipient.shown_as} already got {card} in {found.describe()}."
    reason = pay_again.reason_for(recipient.key, recipient.row)
    if reason is not None:
        row.warn(PAID_AGAIN, identity_field(recipient), f"{said}{ON_PURPOSE}{reason}")
        return
    row.fail(
        EARLIER_RUN,
        identity_field(recipient),
        f"{said} Delete this row; if they should get another card, choose Pay again for this row "
        "and say why.",
    )


def recheck_group(recipient: Recipient) -> str | None:
    """The rows whose whole-file issues can change with this row's: those of the same recipient, or, for
    Links rows that name nobody, those with the same content (None: the row takes part in no check)."""
    if recipient.identity is not None:
        return recipient.identity
    if recipient.delivery_type is DeliveryType.LINKS and recipient.product_id and recipient.value is not None:
        return "row:" + row_content(recipient)
    return None


def _duplicates(recipients: Sequence[Recipient], found: dict[str, list[Issue]], pay_again: PayAgain) -> None:
    first: dict[tuple[str, str, Decimal], Recipient] = {}
    # Rows by content, for the rows that share a recipient, product and value with another (and for Links
    # rows that name nobody): comparing every cell is needed only there.
    by_content: dict[str, Recipient] = {}
    for recipient in recipients:
        key = recipient.duplicate_key
        if key is None:
            group = recheck_group(recipient) if recipient.identity is None else None
            if group is not None:
                earlier = by_content.setdefault(group, recipient)
                if earlier is not recipient:
                    _exact(recipient, earlier, found, pay_again)
            continue
        earlier = first.setdefault(key, recipient)
        if earlier is recipient:
            continue
        by_content.setdefault(row_content(earlier), earlier)
        same = by_content.setdefault(row_content(recipient), recipient)
        if same is not recipient:
            _exact(recipient, same, found, pay_again)
            continue
        this, that = _row_names(recipient, earlier)
        found[recipient.key].append(
            _at(
                recipient,
                "duplicate.in_file",
                identity_field(recipient),
                f"{this} repeats {that} (same recipient, product and value). Delete one of them if it was "
                "not "
                "meant to be sent twice.",
            )
        )


def _exact(
    recipient: Recipient, earlier: Recipient, found: dict[str, list[Issue]], pay_again: PayAgain
) -> None:
    """`recipient` repeats `earlier` cell for cell: blocked, unless the user pays it again."""
    this, that = _row_names(recipient, earlier)
    said = f"{this} repeats {that} cell for cell, the same card to the same recipient."
    where = identity_field(recipient)
    reason = pay_again.reason_for(recipient.key, recipient.row)
    if reason is not None:
        found[recipient.key].append(_at(recipient, PAID_AGAIN, where, f"{said}{ON_PURPOSE}{reason}"))
        return
    fix = (
        "To hand out several links, put the number in Quantity instead. "
        if recipient.delivery_type is DeliveryType.LINKS
        else ""
    )
    found[recipient.key].append(
        _at(
            recipient,
            EXACT_ROW,
            where,
            f"{said} Delete this row. {fix}To send it twice on purpose, choose Pay again for this row and "
            "say why.",
            Severity.ERROR,
        )
    )


def _totals(recipients: Sequence[Recipient], threshold: Decimal, found: dict[str, list[Issue]]) -> None:
    totals: dict[tuple[str, str], Decimal] = {}
    for recipient in recipients:
        identity, currency, value, quantity = (
            recipient.identity,
            recipient.currency,
            recipient.value,
            recipient.quantity,
        )
        if identity and currency and value is not None and quantity:
            key = (identity, currency)
            amount = value if quantity == 1 else value * quantity  # one card: no multiplication to do
            total = totals.get(key)
            totals[key] = amount if total is None else total + amount
    over = {key for key, total in totals.items() if total > threshold}
    if not over:
        return  # the usual case: one pass, no lists of rows
    groups: dict[tuple[str, str], list[Recipient]] = defaultdict(list)
    for recipient in recipients:
        key = (recipient.identity or "", recipient.currency or "")
        if key in over and recipient.value is not None and recipient.quantity:
            groups[key].append(recipient)
    for (_, currency), rows in groups.items():
        _total_warning(rows, currency, threshold, found)


def _total_warning(
    rows: list[Recipient], currency: str, threshold: Decimal, found: dict[str, list[Issue]]
) -> None:
    """One warning, at the row where the recipient's running total first goes above the threshold."""
    running = Decimal(0)
    crossing: Recipient | None = None
    for recipient in rows:
        running += recipient.value * recipient.quantity  # type: ignore[operator]  # both checked by the caller
        if crossing is None and running > threshold:
            crossing = recipient
    assert crossing is not None  # the caller found the total above the threshold
    numbers = [str(r.row) if r.sheet == crossing.sheet else f"{r.row} of “{r.sheet}”" for r in rows]
    where = f"row {numbers[0]}" if len(rows) == 1 else f"rows {listed(numbers, 'and')}"
    found[crossing.key].append(
        _at(
            crossing,
            "recipient.total_high",
            Field.VALUE,
            f"Row {crossing.row}: {crossing.shown_as} gets {plain_number(running)} {currency} in total "
            f"({where}), more than the {plain_number(threshold)} {currency} limit per recipient. Check the "
            "amounts; raise the limit in Settings if this is intended.",
        )
    )


def _row_names(recipient: Recipient, earlier: Recipient) -> tuple[str, str]:
    if recipient.sheet == earlier.sheet:
        return f"Row {recipient.row}", f"row {earlier.row}"
    return f"Row {recipient.row} of “{recipient.sheet}”", f"row {earlier.row} of “{earlier.sheet}”"


def _at(
    recipient: Recipient, code: str, fld: Field, text: str, severity: Severity = Severity.WARNING
) -> Issue:
    """An issue (a warning unless said) at `fld`'s cell in the recipient's row; the text names the row."""
    column = recipient.columns.get(fld)
    return Issue(severity, code, text, recipient.sheet, recipient.row, column, fld)
