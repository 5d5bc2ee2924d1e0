"""The journal: a plan stored whole before sending, legal state moves only, results and secrets kept apart."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from app.api import wire
from app.domain.fields import Field
from app.engine.field_errors import map_field_errors
from app.engine.journal import JournalError, SubmissionJournal
from app.engine.plan import PlanRow, SkippedRow, plan_orders
from app.engine.states import ROW_STATUS_OF_ORDER, IllegalTransition, OrderState, RowStatus, RunStatus
from tests.engine.helpers import digital_row, links_row, make_plan, sandbox_catalog, store

CATALOG = sandbox_catalog()
CLAIM = "https://sandbox.giftbatch.invalid/claim/SECRET-LINK"


@pytest.fixture
def journal(tmp_path: Path) -> SubmissionJournal:
    return SubmissionJournal(tmp_path / "journal.sqlite3")


def vendor_order(
    po: str, keys: list[str], status: str, line_status: str | None = None, failed: tuple[str, ...] = ()
) -> wire.Order:
    lines = [
        {
            "Id": f"LI-{i}",
            "ExternalId": key,
            "ProductId": "CVS",
            "Value": 10,
            "Quantity": 1,
            "Status": "Failed" if key in failed else (line_status or status),
            "FailureReason": "mailbox unavailable" if key in failed else None,
            "ClaimData": [{"Id": f"C{i}", "ClaimLink": CLAIM, "ClaimLinkChallengeAnswer": "ANSWER42"}],
        }
        for i, key in enumerate(keys)
    ]
    return wire.Order.model_validate(
        {"Id": f"ORD-{po}", "PONumber": po, "Status": status, "LineItems": lines}
    )


def test_a_stored_plan_reads_back_the_same_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    plan = make_plan([digital_row(i) for i in range(1, 6)] + [links_row(1)], CATALOG, max_line_items=2)
    run_id = store(SubmissionJournal(path), plan)

    reopened = SubmissionJournal(path)
    orders = reopened.orders(run_id)
    assert [o.po_number for o in orders] == [o.po_number for o in plan.orders]
    assert [o.request for o in orders] == [o.request for o in plan.orders]
    assert all(o.state is OrderState.PLANNED for o in orders)
    assert orders[0].costs == {"USD": Decimal("20.00")}
    rows = reopened.rows(run_id)
    assert {r.key for r in rows} == {r.key for o in plan.orders for r in o.rows}
    assert all(r.status is RowStatus.QUEUED and r.po_number for r in rows)
    assert next(r for r in rows if r.sheet == "Sheet1").cells[Field.EMAIL.value].startswith("B")
    assert reopened.run(run_id).workbook == "test.xlsx"


def test_the_journal_is_durable_wal_with_full_sync(journal: SubmissionJournal) -> None:
    connection = sqlite3.connect(journal.path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert journal._connection().execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_a_journal_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    SubmissionJournal(path).close()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    with pytest.raises(JournalError, match="newer Giftbatch"):
        SubmissionJournal(path)


def test_orders_move_only_along_their_life(journal: SubmissionJournal) -> None:
    plan = make_plan([digital_row(1), digital_row(2)], CATALOG)
    run_id = store(journal, plan)
    po = plan.orders[0].po_number
    keys = [r.key for r in plan.orders[0].rows]

    with pytest.raises(IllegalTransition):
        journal.record_order(po, vendor_order(po, keys, "Completed"))  # never sent: cannot be completed
    changes = journal.mark_sending(po)
    assert {c.status for c in changes} == {RowStatus.SENDING}
    state, changes = journal.record_order(po, vendor_order(po, keys, "Pending"))
    assert state is OrderState.PENDING and {c.status for c in changes} == {RowStatus.PENDING}
    state, changes = journal.record_order(po, vendor_order(po, keys, "Completed"))
    assert state is OrderState.COMPLETED and {c.status for c in changes} == {RowStatus.COMPLETED}
    with pytest.raises(IllegalTransition):
        journal.mark_sending(po)  # a final order is never sent again
    assert journal.order(po).sends == 1
    assert journal.unfinished_runs() == []
    assert journal.run(run_id).id == run_id


def test_no_funds_puts_the_order_back_to_planned_with_its_po_number(journal: SubmissionJournal) -> None:
    plan = make_plan([digital_row(1)], CATALOG)
    store(journal, plan)
    po = plan.orders[0].po_number
    journal.mark_sending(po)
    changes = journal.mark_planned(po, "Insufficient funds")
    assert [c.status for c in changes] == [RowStatus.QUEUED]
    assert journal.order(po).state is OrderState.PLANNED
    assert journal.order(po).po_number == po


def test_rows_take_their_own_line_items_result(journal: SubmissionJournal) -> None:
    plan = make_plan([links_row(i) for i in range(1, 4)], CATALOG)
    run_id = store(journal, plan)
    po = plan.orders[0].po_number
    keys = [r.key for r in plan.orders[0].rows]
    journal.mark_sending(po)
    state, _ = journal.record_order(
        po, vendor_order(po, keys, "PartiallyCompleted", "Completed", failed=(keys[1],))
    )

    assert state is OrderState.PARTIALLY_COMPLETED
    rows = {r.key: r for r in journal.rows(run_id)}
    assert rows[keys[0]].status is RowStatus.COMPLETED and rows[keys[0]].line_item_id == "LI-0"
    assert rows[keys[1]].status is RowStatus.FAILED and rows[keys[1]].detail == "mailbox unavailable"
    results = {r.external_id: r for r in journal.line_results(run_id)}
    assert results[keys[0]].claim_data[0]["ClaimLink"] == CLAIM


def test_a_final_order_without_every_lines_result_is_kept_pending(journal: SubmissionJournal) -> None:
    plan = make_plan([links_row(1), links_row(2)], CATALOG)
    store(journal, plan)
    po = plan.orders[0].po_number
    keys = [r.key for r in plan.orders[0].rows]
    journal.mark_sending(po)
    state, _ = journal.record_order(po, vendor_order(po, keys[:1], "Completed"))
    assert state is OrderState.PENDING
    state, _ = journal.record_order(po, vendor_order(po, keys, "Completed", line_status="Processing"))
    assert state is OrderState.PENDING
    state, _ = journal.record_order(po, vendor_order(po, keys, "Completed"))
    assert state is OrderState.COMPLETED


def test_a_400_rejects_the_rows_it_names_and_replans_the_others(journal: SubmissionJournal) -> None:
    plan = make_plan([digital_row(i) for i in range(1, 6)], CATALOG)
    run_id = store(journal, plan)
    po = plan.orders[0].po_number
    keys = [r.key for r in plan.orders[0].rows]
    journal.mark_sending(po)
    cells = {r.key: dict(r.cells) for r in journal.rows_of_order(po)}
    mapped = map_field_errors({"LineItems[3].Value": ["Value must be one of 10, 25"]}, keys, cells)

    rejection = journal.reject_order(po, "refused", mapped)

    assert [c.key for c in rejection.rejected if c.status is RowStatus.REJECTED] == [keys[3]]
    bad = next(r for r in journal.rows(run_id) if r.key == keys[3])
    assert bad.detail == "D5: Value must be one of 10, 25"
    assert bad.field_errors[0].field is Field.VALUE and bad.field_errors[0].cell == "D5"
    retry = journal.order(rejection.retry_po_number or "")
    assert retry.state is OrderState.PLANNED and retry.seq == 2
    assert retry.po_number == po[:-4] + "0002"
    assert retry.row_keys == [k for k in keys if k != keys[3]]
    assert retry.costs == {"USD": Decimal("40.00")}
    assert journal.order(po).state is OrderState.REJECTED
    moved = {r.key: r for r in journal.rows(run_id) if r.key != keys[3]}
    assert {r.po_number for r in moved.values()} == {retry.po_number}
    assert [moved[k].line_index for k in retry.row_keys] == [0, 1, 2, 3]


def test_a_400_about_the_whole_order_rejects_every_row(journal: SubmissionJournal) -> None:
    plan = make_plan([digital_row(1), digital_row(2)], CATALOG)
    run_id = store(journal, plan)
    po = plan.orders[0].po_number
    journal.mark_sending(po)
    mapped = map_field_errors({"Type": ["Type must be one of …"]}, [r.key for r in plan.orders[0].rows], {})
    rejection = journal.reject_order(po, "refused", mapped)
    assert rejection.retry_po_number is None
    assert journal.row_counts(run_id) == {RowStatus.REJECTED: 2}


def test_skipped_rows_are_kept_with_their_reason(journal: SubmissionJournal) -> None:
    plan = plan_orders(
        [digital_row(1)],
        run_id="261126-SKIP00",
        catalog=CATALOG,
        prefix="T",
        max_line_items=10,
        skipped=[SkippedRow("Sheet1!9", "Sheet1", 9, "C9: not an email address")],
    )
    run_id = store(journal, plan)
    skipped = [r for r in journal.rows(run_id) if r.status is RowStatus.SKIPPED]
    assert [(r.key, r.detail) for r in skipped] == [("Sheet1!9", "C9: not an email address")]


def test_secrets_never_reach_events_or_messages(journal: SubmissionJournal) -> None:
    plan = make_plan([links_row(1)], CATALOG)
    run_id = store(journal, plan)
    journal.add_event(run_id, "note", {"text": f"ClaimLink: {CLAIM}"})
    journal.set_run_status(run_id, RunStatus.FAILED, f"Bearer abc.def.ghi and {CLAIM}")
    assert "SECRET-LINK" not in str(journal.events(run_id))
    message = journal.run(run_id).message or ""
    assert "SECRET-LINK" not in message and "abc.def.ghi" not in message


def test_unfinished_runs_are_those_with_an_order_not_final(journal: SubmissionJournal) -> None:
    done = make_plan([digital_row(1)], CATALOG)
    store(journal, done)
    po = done.orders[0].po_number
    journal.mark_sending(po)
    journal.record_order(po, vendor_order(po, [done.orders[0].rows[0].key], "Completed"))
    waiting = make_plan([digital_row(1)], CATALOG)
    store(journal, waiting)
    assert [r.id for r in journal.unfinished_runs()] == [waiting.run_id]


def sent_order(journal: SubmissionJournal, rows: list[PlanRow]) -> tuple[str, str, list[str]]:
    """(run id, PONumber, row keys) of a one-order run stored and marked sending."""
    plan = make_plan(rows, CATALOG)
    run_id = store(journal, plan)
    po = plan.orders[0].po_number
    journal.mark_sending(po)
    return run_id, po, [r.key for r in plan.orders[0].rows]


def test_a_400_naming_no_row_rejects_every_row_with_the_vendors_message(journal: SubmissionJournal) -> None:
    run_id, po, keys = sent_order(journal, [digital_row(i) for i in range(1, 5)])
    message = "The vendor at vendor.test refused the request as malformed (HTTP 400): The request is invalid."
    for field_errors in ({}, {"Foo.Bar": ["no such thing"]}, {"": ["The request is invalid."]}):
        mapped = map_field_errors(field_errors, keys, {})
        assert mapped.by_row == {}
    rejection = journal.reject_order(po, message, map_field_errors({}, keys, {}))

    assert rejection.retry_po_number is None  # nothing to send again: no row was named
    assert [c.status for c in rejection.rejected] == [RowStatus.REJECTED] * 4
    assert len(journal.orders(run_id)) == 1
    for row in journal.rows(run_id):
        assert row.detail is not None and "The request is invalid." in row.detail
        assert "the vendor named no row" in row.detail


def test_an_order_level_error_is_shown_at_every_row_with_its_path(journal: SubmissionJournal) -> None:
    run_id, po, keys = sent_order(journal, [digital_row(1), digital_row(2)])
    mapped = map_field_errors({"order.Note": ["Note is too long."]}, keys, {})

    journal.reject_order(po, "refused", mapped)

    details = {r.detail for r in journal.rows(run_id)}
    assert details == {"The vendor refused the whole order: order.Note: Note is too long."}


def test_a_replanned_order_refused_again_rejects_its_other_rows_instead_of_replanning(
    journal: SubmissionJournal,
) -> None:
    run_id, po, keys = sent_order(journal, [digital_row(i) for i in range(1, 6)])
    cells = {r.key: dict(r.cells) for r in journal.rows_of_order(po)}
    first = journal.reject_order(
        po, "refused", map_field_errors({"LineItems[0].Value": ["bad"]}, keys, cells)
    )
    retry_po = first.retry_po_number or ""
    retry_keys = journal.order(retry_po).row_keys
    journal.mark_sending(retry_po)

    second = journal.reject_order(
        retry_po, "refused again", map_field_errors({"lineItems[1].value": ["also bad"]}, retry_keys, cells)
    )

    assert second.retry_po_number is None
    assert len(journal.orders(run_id)) == 2  # the plan's order and its one re-plan, never a third
    rows = {r.key: r for r in journal.rows(run_id)}
    assert {r.status for r in rows.values()} == {RowStatus.REJECTED}
    assert rows[keys[0]].detail == "D2: bad"
    assert rows[retry_keys[1]].detail == "D4: also bad"
    innocent = rows[retry_keys[0]].detail or ""
    assert innocent.startswith("Not sent: the vendor refused this row's order a second time")
    assert "lineItems[1].value: also bad" in innocent


def test_a_journal_written_before_re_plans_were_traced_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    plan = make_plan([digital_row(1)], CATALOG)
    run_id = store(SubmissionJournal(path), plan)
    connection = sqlite3.connect(path)  # as version 1 wrote it: no replanned_from column
    connection.execute("ALTER TABLE orders DROP COLUMN replanned_from")
    connection.execute("PRAGMA user_version = 1")
    connection.commit()
    connection.close()

    reopened = SubmissionJournal(path)

    assert reopened.orders(run_id)[0].po_number == plan.orders[0].po_number
    assert reopened._connection().execute("PRAGMA user_version").fetchone()[0] == 2
    po = plan.orders[0].po_number
    reopened.mark_sending(po)
    assert reopened.reject_order(po, "refused", map_field_errors({}, [plan.orders[0].rows[0].key], {}))


def test_the_write_before_a_request_is_durable_even_after_a_quicker_write_on_the_same_thread(
    journal: SubmissionJournal,
) -> None:
    plan = make_plan([digital_row(1), digital_row(2)], CATALOG, max_line_items=1)
    run_id = store(journal, plan)
    first, second = (o.po_number for o in plan.orders)
    journal.mark_sending(first)
    statements: list[str] = []
    journal._connection().set_trace_callback(statements.append)

    journal.note_error(first, "no answer yet")  # NORMAL: an answer, re-read from the vendor if lost
    journal.set_run_status(run_id, RunStatus.RUNNING)
    journal.mark_sending(second)  # FULL: it announces a request about to leave

    pragmas = [(i, s) for i, s in enumerate(statements) if s.startswith("PRAGMA synchronous")]
    assert [s for _, s in pragmas] == ["PRAGMA synchronous=NORMAL", "PRAGMA synchronous=FULL"]
    sending_update = next(i for i, s in enumerate(statements) if "sends = sends + 1" in s)
    begin = max(i for i, s in enumerate(statements[:sending_update]) if s.startswith("BEGIN"))
    assert pragmas[1][0] < begin < sending_update  # FULL is in force for that whole transaction
    assert journal._connection().execute("PRAGMA synchronous").fetchone()[0] == 2


def _rows_agree_with_their_order(journal: SubmissionJournal, po: str) -> None:
    """What a user relies on: no row is left sending or accepted under an order that moved on."""
    state = journal.order(po).state
    statuses = {r.status for r in journal.rows_of_order(po)}
    if state.is_final:
        assert statuses <= {RowStatus.COMPLETED, RowStatus.FAILED}, (state, statuses)
    else:
        assert statuses == {ROW_STATUS_OF_ORDER[state]}, (state, statuses)


@pytest.mark.parametrize(
    ("status", "answered", "echo", "expected"),
    [
        ("Completed", 0, False, OrderState.COMPLETED),  # no line items: the order speaks for every row
        ("Failed", 0, False, OrderState.FAILED),
        ("PartiallyCompleted", 0, False, OrderState.PENDING),  # which rows failed is unknown: keep asking
        ("Completed", 2, False, OrderState.PENDING),  # fewer than sent, no echo: position cannot be trusted
        ("Completed", 2, True, OrderState.PENDING),  # fewer than sent, echoed: the third row is unknown
        ("Completed", 3, False, OrderState.COMPLETED),  # as many as sent, no echo: matched by position
    ],
)
def test_a_final_order_with_missing_line_items_settles_every_row_consistently(
    journal: SubmissionJournal, status: str, answered: int, echo: bool, expected: OrderState
) -> None:
    run_id, po, keys = sent_order(journal, [links_row(i) for i in range(1, 4)])
    order = vendor_order(po, keys[:answered], status).model_dump(by_alias=True)
    for line in order["LineItems"]:
        if not echo:
            del line["ExternalId"]

    state, changes = journal.record_order(po, wire.Order.model_validate(order))

    assert state is expected
    assert {c.key for c in changes} == set(keys)  # every row is told where it stands
    _rows_agree_with_their_order(journal, po)
    if expected is OrderState.COMPLETED and answered:
        assert len(journal.line_results(run_id)) == 3


def test_a_named_row_beside_an_error_about_the_order_rejects_only_that_row_and_replans_the_rest(
    journal: SubmissionJournal,
) -> None:
    """ASP.NET adds `"order": ["The order field is required."]` when a value cannot be read."""
    run_id, po, keys = sent_order(journal, [digital_row(i) for i in range(1, 4)])
    cells = {r.key: dict(r.cells) for r in journal.rows_of_order(po)}
    errors = {"$.lineItems[1].value": ["The JSON value could not be converted."], "order": ["Required."]}

    rejection = journal.reject_order(po, "refused", map_field_errors(errors, keys, cells))

    assert [c.key for c in rejection.rejected if c.status is RowStatus.REJECTED] == [keys[1]]
    assert journal.order(rejection.retry_po_number or "").row_keys == [keys[0], keys[2]]
    bad = next(r for r in journal.rows(run_id) if r.key == keys[1])
    assert bad.detail == "D3: The JSON value could not be converted; Required."
