"""The Review step's issues panel: every issue grouped by kind (a tree of code → issues, with counts)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QApplication, QStyle

from app.domain.fields import Field
from app.domain.issues import Issue, Severity
from app.ui.imported import IssueGroup
from app.ui.models.recipient_model import IssueRole, SeverityRole

Index = QModelIndex | QPersistentModelIndex
_GROUP = 0  # internalId of a group; an issue's is its group's row + 1
_LONGEST_LINE = 160
# Issues listed under one kind; the rest are counted in a last line. A tree view lays out every child of an
# expanded group by asking Python about each: 100,000 of them (every row with the same error) took 0.8 s.
LISTED_PER_GROUP = 1_000
_GROUP_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_CHILD_FLAGS = _GROUP_FLAGS | Qt.ItemFlag.ItemNeverHasChildren


def group_title(code: str) -> str:
    """'email.invalid' → 'Email: invalid'; 'address_line1.missing' → 'Address line 1: missing'."""
    subject, _, detail = code.partition(".")
    named = Field(subject).label if subject in Field._value2member_map_ else subject.replace("_", " ")
    named = named[:1].upper() + named[1:]
    return f"{named}: {detail.replace('_', ' ')}" if detail else named


class IssueTreeModel(QAbstractItemModel):
    """Two levels: one group per kind of issue (errors first, 'Email: invalid — 3'), its issues below.

    A group lists its first LISTED_PER_GROUP issues, then one line counting the others (F8 and the grid's
    filters reach them all). `IssueRole` gives the Issue of a child (None for a group and for that line);
    `SeverityRole` the severity of all of them.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._groups: list[IssueGroup] = []
        self._several_sheets = False

    def set_groups(self, groups: Sequence[IssueGroup], several_sheets: bool = False) -> None:
        self.beginResetModel()
        self._groups = list(groups)
        self._several_sheets = several_sheets
        self.endResetModel()

    def group_at(self, row: int) -> IssueGroup:
        return self._groups[row]

    def group_row(self, code: str, severity: Severity) -> int | None:
        return next(
            (i for i, g in enumerate(self._groups) if g.code == code and g.severity is severity), None
        )

    def index_of(self, issue: Issue) -> QModelIndex:
        """The tree's index of an issue (invalid when it is not listed)."""
        group = self.group_row(issue.code, issue.severity)
        if group is None:
            return QModelIndex()
        try:
            row = self._groups[group].issues.index(issue, 0, LISTED_PER_GROUP)
        except ValueError:
            return QModelIndex()
        return self.index(row, 0, self.index(group, 0))

    # -- QAbstractItemModel --------------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, _GROUP) if row < len(self._groups) else QModelIndex()
        if parent.internalId() != _GROUP or parent.row() >= len(self._groups):
            return QModelIndex()
        if row >= _listed(self._groups[parent.row()]):
            return QModelIndex()
        return self.createIndex(row, 0, parent.row() + 1)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == _GROUP:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _GROUP)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == _GROUP and parent.column() == 0:
            return _listed(self._groups[parent.row()])
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 1

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _GROUP_FLAGS if index.internalId() == _GROUP else _CHILD_FLAGS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:  # noqa: PLR0911 — one answer a role
        if not index.isValid():
            return None
        if index.internalId() == _GROUP:
            return self._group_data(self._groups[index.row()], role)
        group = self._groups[index.internalId() - 1]
        if index.row() == LISTED_PER_GROUP:
            return _more_data(group, role)
        issue = group.issues[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._line(issue)
        if role == Qt.ItemDataRole.ToolTipRole:
            return issue.message
        if role == IssueRole:
            return issue
        if role == SeverityRole:
            return issue.severity
        return None

    def _group_data(self, group: IssueGroup, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{group_title(group.code)} — {len(group.issues):,}"
        if role == Qt.ItemDataRole.ToolTipRole:
            kind = "errors" if group.severity is Severity.ERROR else "warnings"
            return f"{len(group.issues):,} {kind} of this kind ({group.code})"
        if role == Qt.ItemDataRole.DecorationRole:
            return severity_icon(group.severity)
        if role == SeverityRole:
            return group.severity
        return None

    def _line(self, issue: Issue) -> str:
        text = " ".join(issue.message.split())
        if len(text) > _LONGEST_LINE:
            text = text[: _LONGEST_LINE - 1] + "…"
        if self._several_sheets and issue.sheet:
            return f"{issue.sheet} · {text}"
        return text


def _listed(group: IssueGroup) -> int:
    """The group's child lines: its first issues, and one more counting the rest when there are more."""
    count = len(group.issues)
    return count if count <= LISTED_PER_GROUP else LISTED_PER_GROUP + 1


def _more_data(group: IssueGroup, role: int) -> object:
    if role == Qt.ItemDataRole.DisplayRole:
        return f"… and {len(group.issues) - LISTED_PER_GROUP:,} more"
    if role == Qt.ItemDataRole.ToolTipRole:
        return (
            "Press F8 in the grid to go from one to the next, or show only the rows with errors or warnings."
        )
    if role == SeverityRole:
        return group.severity
    return None


def severity_icon(severity: Severity) -> object:
    style = QApplication.style()
    kind = (
        QStyle.StandardPixmap.SP_MessageBoxCritical
        if severity is Severity.ERROR
        else QStyle.StandardPixmap.SP_MessageBoxWarning
    )
    return style.standardIcon(kind)
