"""Edited rows checked again in milliseconds at any size: the whole-file checks redone for their recipients only.

A full pass (a fresh import's checks over every row) takes about 100 ms at 100,000 rows, plus the caller's
own pass. The whole-file checks compare only rows of one recipient (`Recipient.identity`: duplicates share
it, totals are per identity and currency; Links rows that name nobody are compared by content:
`recheck_group`), so after an edit only the rows of the groups the edited rows were in before or are in now
can change. `RowRechecker` keeps the rows of each group and redoes the checks for those: the same rows and
issues a full pass gives.

A re-check changes nothing: it runs in a worker and returns `RowChanges`, which the thread that owns the
result (the GUI thread) puts in with `RowRechecker.apply`, so no worker writes what that thread reads.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.domain.catalog import Catalog
from app.domain.import_result import ImportedRow, ImportResult
from app.domain.payments import PayAgain
from app.domain.recipient import Recipient
from app.domain.records import RawRecord
from app.domain.validation import check_recipients, recheck_group


class RecheckMisused(RuntimeError):
    """A re-check asked for what it cannot give: a bug in the caller, never a message for the user."""


@dataclass(frozen=True)
class RowChanges:
    """What checking edited rows again found, to be put in by `RowRechecker.apply`.

    `rows` are the new rows by position: the edited ones, and the rows of their recipients whose whole-file
    issues changed; `before` the rows they replace (their validity and cost may change with them).
    `checked` are the positions of every row whose issues may have changed (the edited rows and their
    recipients' rows). `pay_again` is the choice the rows were checked with.
    """

    rows: Mapping[int, ImportedRow]
    before: Mapping[int, ImportedRow]
    checked: frozenset[int]
    pay_again: PayAgain
    groups: Mapping[int, str | None]  # the edited rows' groups now (see `recheck_group`)
    based_on: int  # the rechecker's count of changes put in when these were found

    def row(self, position: int, rows: Sequence[ImportedRow]) -> ImportedRow:
        """The row at `position` once these changes are in (`rows`: the result's rows before)."""
        changed = self.rows.get(position)
        return rows[position] if changed is None else changed


class RowRechecker:
    """Checks edited rows of one `ImportResult` again, and puts the changes in.

    Built with one pass over the rows (run it in a worker); from then on the result's rows change only
    through `apply` here. `recheck` reads the result and may run in a worker, one at a time; `apply` runs in
    the thread that owns the result, between two re-checks. Records must be rows of the result (edits, never
    new rows).
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
        self._applied = 0

    def recheck(self, records: Sequence[RawRecord], pay_again: PayAgain | None = None) -> RowChanges:
        """Check these rows again, with `pay_again` (None: the result's), and redo the whole-file checks for
        their groups; changes nothing."""
        result = self.result
        rows = result.rows
        chosen = result.pay_again if pay_again is None else pay_again
        validator = result.validator
        new: dict[int, ImportedRow] = {}
        groups: dict[int, str | None] = {}
        touched: set[str] = set()
        for record in records:
            position = self._positions.get(record.key)
            if position is None:
                raise RecheckMisused(f"{record.key} is not a row of this import: only edits can be rechecked")
            recipient, issues = validator.validate_record(record, rows[position].recipient.columns, chosen)
            new[position] = ImportedRow(recipient, issues)
            groups[position] = recheck_group(recipient)
            touched.update(group for group in (self._groups[position], groups[position]) if group)
        members = {p for name in touched for p in self._by_group.get(name, ()) if p not in new}
        members.update(position for position, group in groups.items() if group)
        group_rows = [(position, new.get(position) or rows[position]) for position in sorted(members)]
        found = check_recipients(
            [row.recipient for _, row in group_rows], validator.options.total_threshold, chosen
        )
        for position, row in group_rows:
            now = found.get(row.key)
            if now is not None or row.file_issues:
                new[position] = ImportedRow(row.recipient, row.issues, now or [])
        return RowChanges(
            rows=new,
            before={position: rows[position] for position in new},
            checked=frozenset(groups).union(members),
            pay_again=chosen,
            groups=groups,
            based_on=self._applied,
        )

    def apply(self, changes: RowChanges) -> None:
        """Put in what `recheck` found: a new list of rows and the pay-again choice they were checked with."""
        if changes.based_on != self._applied:
            raise RecheckMisused("these changes were found before others were put in: check the rows again")
        result = self.result
        rows = list(result.rows)  # a new list: whoever took the old one (a worker planning) keeps a whole one
        for position, row in changes.rows.items():
            rows[position] = row
        for position, group in changes.groups.items():
            self._move(position, self._groups[position], group)
        result.rows = rows
        result.pay_again = changes.pay_again
        self._applied += 1

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
