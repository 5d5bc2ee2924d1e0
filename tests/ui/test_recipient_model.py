"""The Review grid's models: Qt's model checks, colours and tooltips by role, edits, filters, batched statuses."""

from __future__ import annotations

import random

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QTableView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.domain.catalog import DeliveryType
from app.domain.issues import Issue, Severity
from app.ui.imported import (
    HAS_ERROR,
    HAS_WARNING,
    KIND_FLAGS,
    ImportChoices,
    IssueGroup,
    validate_workbook,
)
from app.ui.models.issue_model import LISTED_PER_GROUP, IssueTreeModel
from app.ui.models.recipient_model import (
    CHECKING,
    ERROR_FILL,
    WARNING_FILL,
    IssueRole,
    RecipientFilterProxy,
    RecipientTableModel,
    RowFilter,
    RowKeyRole,
    SeverityRole,
    StatusRole,
)
from tests.domain.conftest import sandbox_like_catalog
from tests.ui.review_fixtures import imported_sample, options, synthetic_read


def sample_model() -> RecipientTableModel:
    model = RecipientTableModel()
    model.set_workbook(imported_sample())
    return model


def cell(model: RecipientTableModel, key: str, header: str) -> QModelIndex:
    workbook = model.workbook
    assert workbook is not None
    row = model.row_for_key(key)
    assert row is not None
    return model.index(row, workbook.headers.index(header))


# One check per test: pytest-qt keeps one C++ tester per test.
def test_the_recipient_model_passes_qts_model_checks(qtmodeltester: ModelTester) -> None:
    qtmodeltester.check(sample_model())


def test_the_filter_proxy_passes_qts_model_checks(qtmodeltester: ModelTester) -> None:
    proxy = RecipientFilterProxy()
    proxy.setSourceModel(sample_model())
    proxy.set_row_filter(RowFilter.WARNINGS)
    qtmodeltester.check(proxy)


def test_the_issue_tree_passes_qts_model_checks(qtmodeltester: ModelTester, qapp: QApplication) -> None:
    workbook = imported_sample()
    issues = IssueTreeModel()
    issues.set_groups(workbook.facts.groups)
    qtmodeltester.check(issues)


def test_the_python_model_checks_pass_too(qtmodeltester: ModelTester, qapp: QApplication) -> None:
    workbook = imported_sample()
    issues = IssueTreeModel()
    issues.set_groups(workbook.facts.groups, several_sheets=True)
    qtmodeltester.check(issues, force_py=True)


def test_empty_models_pass_qts_model_checks(qtmodeltester: ModelTester, qapp: QApplication) -> None:
    qtmodeltester.check(RecipientTableModel(), force_py=True)
    qtmodeltester.check(IssueTreeModel(), force_py=True)


def test_the_grid_shows_the_workbooks_own_headers_and_a_status_column() -> None:
    model = sample_model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:3] == ["Name", "E-mail Address", "Cell"]
    assert headers[-2:] == ["Notes", "Status"]
    assert model.rowCount() == 16
    assert model.headerData(0, Qt.Orientation.Vertical) == "5"  # Excel's row number


def test_an_error_cell_is_red_with_its_message_and_a_warning_cell_amber() -> None:
    model = sample_model()
    bad_email = cell(model, "Gifts Q4!7", "E-mail Address")
    assert bad_email.data() == "chloe.dubois.example.com"
    assert bad_email.data(SeverityRole) == Severity.ERROR
    assert bad_email.data(Qt.ItemDataRole.BackgroundRole).color() == ERROR_FILL
    assert "not a valid email address" in bad_email.data(Qt.ItemDataRole.ToolTipRole)
    assert [i.code for i in bad_email.data(IssueRole)] == ["email.invalid"]

    trimmed = cell(model, "Gifts Q4!6", "E-mail Address")
    assert trimmed.data(SeverityRole) == Severity.WARNING
    assert trimmed.data(Qt.ItemDataRole.BackgroundRole).color() == WARNING_FILL

    clean = cell(model, "Gifts Q4!5", "E-mail Address")
    assert clean.data(SeverityRole) is None
    assert clean.data(Qt.ItemDataRole.BackgroundRole) is None
    assert clean.data(RowKeyRole) == "Gifts Q4!5"


def test_a_row_level_issue_sits_on_the_status_column() -> None:
    model = sample_model()
    row = model.row_for_key("Gifts Q4!16")
    assert row is not None
    status = model.index(row, model.status_column)
    assert [i.code for i in status.data(IssueRole)] == ["row.hidden"]
    assert status.data() == "Ready · 1 warning"
    errors = model.index(model.row_for_key("Gifts Q4!7") or 0, model.status_column)
    assert errors.data(StatusRole) == "1 error"


def test_editing_a_cell_keeps_the_edit_and_marks_the_row_for_checking(qtbot: QtBot) -> None:
    model = sample_model()
    index = cell(model, "Gifts Q4!7", "E-mail Address")
    with qtbot.waitSignal(model.cell_edited) as edited:
        assert model.setData(index, "chloe.dubois@example.com")
    assert edited.args == [index.row()]
    assert index.data() == "chloe.dubois@example.com"
    assert model.index(index.row(), model.status_column).data() == CHECKING
    assert model.workbook is not None
    assert model.workbook.edits == {"Gifts Q4!7": {"E-mail Address": "chloe.dubois@example.com"}}

    assert model.setData(index, "chloe.dubois.example.com")  # back as read: no edit left
    assert model.workbook.edits == {}
    assert not model.setData(model.index(index.row(), model.status_column), "x")


def test_a_read_only_grid_refuses_edits() -> None:
    model = sample_model()
    model.set_editable(False)
    index = cell(model, "Gifts Q4!7", "E-mail Address")
    assert not index.flags() & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(index, "chloe.dubois@example.com")


def test_statuses_arrive_in_one_data_change_per_tick(qtbot: QtBot) -> None:
    model = sample_model()
    changes: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(
        lambda top, bottom, _roles=(): changes.append(
            (top.row(), top.column(), bottom.row(), bottom.column())
        )
    )
    model.set_row_statuses({"Gifts Q4!5": "Sending"})
    model.set_row_statuses({"Gifts Q4!9": "Completed", "Gifts Q4!6": "Sending", "Nowhere!1": "Sending"})
    assert changes == []  # nothing until the timer's tick
    qtbot.waitUntil(lambda: len(changes) == 1)
    status = model.status_column
    assert changes == [(0, status, 4, status)]
    assert model.index(4, status).data() == "Completed"
    assert model.index(1, 0).data(StatusRole) == "Sending"
    model.clear_row_statuses()
    assert model.index(4, status).data() == "1 error"  # its review status again


def test_filters_by_kind_and_search_in_any_cell_ignoring_case() -> None:
    model = sample_model()
    proxy = RecipientFilterProxy()
    proxy.setSourceModel(model)

    def keys() -> list[str]:
        return [proxy.index(r, 0).data(RowKeyRole) for r in range(proxy.rowCount())]

    proxy.set_row_filter(RowFilter.ERRORS)
    assert keys() == ["Gifts Q4!7", "Gifts Q4!9", "Gifts Q4!10", "Gifts Q4!12", "Gifts Q4!14"]
    proxy.set_row_filter(RowFilter.PHYSICAL)
    assert "Gifts Q4!12" in keys() and "Gifts Q4!7" not in keys()
    proxy.set_row_filter(RowFilter.ALL)
    proxy.set_search("CHLOE")
    assert keys() == ["Gifts Q4!7"]
    proxy.set_search("")
    assert proxy.rowCount() == model.rowCount()


def test_a_fixed_row_stays_in_view_until_the_filter_is_chosen_again() -> None:
    model = sample_model()
    proxy = RecipientFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_row_filter(RowFilter.ERRORS)
    workbook = model.workbook
    assert workbook is not None
    row = model.row_for_key("Gifts Q4!7")
    assert row is not None
    model.setData(cell(model, "Gifts Q4!7", "E-mail Address"), "chloe.dubois@example.com")
    workbook.apply(workbook.recheck([workbook.record(row)], workbook.pay_again))
    model.facts_changed({row})
    assert proxy.rowCount() == 5
    proxy.refilter()
    assert proxy.rowCount() == 4


def test_a_hundred_thousand_rows_filter_and_search_correctly(qtmodeltester: ModelTester) -> None:
    read = synthetic_read(100_000, bad_every=1000)
    workbook = validate_workbook(read, ImportChoices(), catalog=sandbox_like_catalog(), options=options())
    model = RecipientTableModel()
    model.set_workbook(workbook)
    proxy = RecipientFilterProxy()
    proxy.setSourceModel(model)
    assert proxy.rowCount() == 100_000
    proxy.set_row_filter(RowFilter.ERRORS)
    assert proxy.rowCount() == 100
    assert proxy.index(99, 1).data() == "person99000.example.com"
    assert proxy.mapToSource(proxy.index(99, 0)).row() == 99_000
    proxy.set_row_filter(RowFilter.ALL)
    proxy.set_search("person4242@")
    assert proxy.rowCount() == 1
    assert proxy.index(0, 0).data() == "Person 4242"
    assert workbook.facts.error_rows == 100
    assert workbook.facts.costs == {"USD": 50_000 * 25 + 49_900 * 10}


def test_the_filter_proxy_stays_consistent_through_filters_searches_and_new_workbooks(
    qtmodeltester: ModelTester,
) -> None:
    model = sample_model()
    proxy = RecipientFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)  # the tester keeps watching every signal below
    proxy.set_row_filter(RowFilter.ERRORS)
    proxy.set_search("example")
    model.setData(cell(model, "Gifts Q4!7", "E-mail Address"), "chloe.dubois@example.com")
    model.set_row_statuses({"Gifts Q4!7": "Sending", "Gifts Q4!5": "Sending"})
    model.flush_statuses()
    model.set_workbook(imported_sample())
    assert proxy.rowCount() == len(matching(model, RowFilter.ERRORS, "example"))
    proxy.set_search("")
    proxy.set_row_filter(RowFilter.ALL)
    assert proxy.rowCount() == model.rowCount()
    model.set_workbook(None)
    assert proxy.rowCount() == 0


def test_the_current_cell_stays_on_its_row_when_the_filter_changes(qtbot: QtBot) -> None:
    model = sample_model()
    proxy = RecipientFilterProxy()
    proxy.setSourceModel(model)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(proxy)
    row = model.row_for_key("Gifts Q4!9")
    assert row is not None
    view.setCurrentIndex(proxy.mapFromSource(model.index(row, 1)))
    proxy.set_row_filter(RowFilter.ERRORS)
    assert view.currentIndex().data(RowKeyRole) == "Gifts Q4!9"
    assert view.currentIndex().column() == 1
    proxy.set_search("chloe")  # hides that row
    assert not view.currentIndex().isValid()


def matching(model: RecipientTableModel, kind: RowFilter, search: str) -> list[int]:
    """The rows a filter shows, worked out row by row (as a QSortFilterProxyModel's filterAcceptsRow did)."""
    wanted = {
        RowFilter.ALL: 0,
        RowFilter.ERRORS: HAS_ERROR,
        RowFilter.WARNINGS: HAS_WARNING,
        RowFilter.DIGITAL: KIND_FLAGS[DeliveryType.DIGITAL],
        RowFilter.LINKS: KIND_FLAGS[DeliveryType.LINKS],
        RowFilter.PHYSICAL: KIND_FLAGS[DeliveryType.PHYSICAL],
    }[kind]
    needle = search.strip().casefold()
    return [
        row
        for row in range(model.rowCount())
        if (not wanted or model.row_flags(row) & wanted) and needle in model.search_text(row)
    ]


def test_a_hundred_thousand_rows_show_exactly_the_rows_each_filter_and_search_matches() -> None:
    workbook = validate_workbook(
        synthetic_read(100_000, bad_every=1000),
        ImportChoices(),
        catalog=sandbox_like_catalog(),
        options=options(),
    )
    shuffle = random.Random(6)
    kinds = [0, *KIND_FLAGS.values()]  # every kind of row, some with errors or warnings
    workbook.facts.flags = [
        shuffle.choice(kinds) | shuffle.choice([0, 0, 0, HAS_ERROR, HAS_WARNING, HAS_ERROR | HAS_WARNING])
        for _ in workbook.keys
    ]
    model = RecipientTableModel()
    model.set_workbook(workbook)
    proxy = RecipientFilterProxy()
    proxy.setSourceModel(model)
    searches = [(kind, "") for kind in RowFilter if kind is not RowFilter.ALL]
    searches += [
        (RowFilter.ALL, "  PERSON 12 "),
        (RowFilter.ALL, "\x1fcoffee\x1f"),
        (RowFilter.ALL, "nothing"),
    ]
    searches += [(RowFilter.ERRORS, "person7"), (RowFilter.LINKS, "example.com"), (RowFilter.ALL, "")]
    for kind, search in searches:
        proxy.set_row_filter(kind)
        proxy.set_search(search)
        shown = [proxy.mapToSource(proxy.index(row, 0)).row() for row in range(proxy.rowCount())]
        assert shown == matching(model, kind, search), (kind, search)
        every_7th = range(0, model.rowCount(), 7)
        assert [row for row in every_7th if proxy.shows(row)] == [row for row in shown if row % 7 == 0]
        assert all(
            proxy.mapFromSource(model.index(row, 2)).row() == i for i, row in [*enumerate(shown)][-50:]
        )


def many_errors(count: int) -> IssueGroup:
    issues = tuple(
        Issue(Severity.ERROR, "email.invalid", f"B{row}: not an email", "Sheet1", row, "B")
        for row in range(2, 2 + count)
    )
    return IssueGroup("email.invalid", Severity.ERROR, issues)


def test_a_kind_with_thousands_of_issues_lists_the_first_and_counts_the_rest(
    qtmodeltester: ModelTester, qapp: QApplication
) -> None:
    group = many_errors(LISTED_PER_GROUP + 500)
    model = IssueTreeModel()
    model.set_groups([group, many_errors(3)])
    qtmodeltester.check(model, force_py=True)

    kind = model.index(0, 0)
    assert kind.data() == f"Email: invalid — {LISTED_PER_GROUP + 500:,}"
    assert model.rowCount(kind) == LISTED_PER_GROUP + 1
    more = model.index(LISTED_PER_GROUP, 0, kind)
    assert more.data() == "… and 500 more"
    assert more.data(IssueRole) is None
    assert model.index(LISTED_PER_GROUP - 1, 0, kind).data(IssueRole) == group.issues[LISTED_PER_GROUP - 1]
    assert model.index_of(group.issues[10]).row() == 10
    assert not model.index_of(group.issues[LISTED_PER_GROUP + 1]).isValid()
