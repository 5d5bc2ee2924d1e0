"""Edited rows checked again in milliseconds at any size: the whole-file checks redone for their recipients only.

`ImportResult.revalidate` redoes the duplicate and total checks over every row after each edit (about 100 ms
at 100,000 rows, plus the caller's own pass over every row). Both checks compare only rows of one recipient
(`Recipient.identity`: duplicates share it, totals are per identity and currency; Links rows that name
nobody are compared by content: `recheck_group`), so after an edit only the rows of the groups the edited
rows were in before or are in now can change. `RowRechecker` keeps the rows of each group and redoes the
checks for those: the same rows and issues `revalidate` gives.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from app.domain.catalog import Catalog
from app.domain.import_result import ImportedRow, ImportResult
from app.domain.recipient import Recipient
from app.domain.records import RawRecord
from app.domain.validation import check_recipients, recheck_group


class RowRechecker:
    """Checks edited rows of one `ImportResult` again, in place.

    Built with one pass over the rows (run it in a worker); from then on the result's rows must change only
    through `revalidate` here. Records must be rows of the result (edits, never new rows).
    """

    def __init__(self, result: ImportResult) -> None:
        self.result = result
        self._positions = {row.key: i for i, row in enumerate(result.rows)}
        self._by_group: dict[str, list[int]] = defaultdict(list)  # positions, ascending
        self._groups: list[str | None] = []
        for position, row in enumerate(result.rows):
            group = recheck_group(row.recipient)
            self._groups.append(group)
            if group:
                self._by_group[group].append(position)
        # The rows of the last `revalidate` that were replaced only because their whole-file issues changed,
        # as they were before (their validity and cost may have changed with them).
        self.replaced: dict[int, ImportedRow] = {}

    def revalidate(self, records: Sequence[RawRecord]) -> set[int]:
        """Check these rows again and redo the whole-file checks for their groups; the positions of every row
        whose issues may have changed (the edited rows, and the rows of those groups)."""
        rows = self.result.rows
        validator = self.result.validator
        touched: set[str] = set()
        changed: set[int] = set()
        self.replaced = {}
        for record in records:
            position = self._positions[record.key]
            before = rows[position].recipient
            recipient, issues = validator.validate_record(record, before.columns)
            rows[position] = ImportedRow(recipient, issues)
            old, new = self._groups[position], recheck_group(recipient)
            self._move(position, old, new)
            touched.update(group for group in (old, new) if group)
            changed.add(position)
        group = sorted({position for name in touched for position in self._by_group.get(name, ())})
        found = check_recipients(
            [rows[p].recipient for p in group], validator.options.total_threshold, validator.pay_again
        )
        for position in group:
            row = rows[position]
            now = found.get(row.key)
            if now is not None or row.file_issues:
                # A new row, not the old one changed: the GUI thread may be reading the old one.
                rows[position] = ImportedRow(row.recipient, row.issues, now or [])
                if position not in changed:
                    self.replaced[position] = row
        return changed.union(group)

    def _move(self, position: int, before: str | None, now: str | None) -> None:
        self._groups[position] = now
        if before == now:
            return
        if before:
            positions = self._by_group[before]
            del positions[bisect_left(positions, position)]
            if not positions:
                del self._by_group[before]
        if now:
            insort(self._by_group[now], position)


def row_cost(recipient: Recipient, catalog: Catalog) -> tuple[str, Decimal] | None:
    """What a valid row costs, as `ImportResult.cost()` adds it up: (currency, value less discount, plus
    fee, times quantity, in cents); None when it cannot be priced."""
    product = catalog.product(recipient.product_id) if recipient.product_id else None
    if product is None or recipient.value is None or recipient.quantity is None:
        return None
    return product.currency, product.card_cost(recipient.value) * recipient.quantity
