"""The column-mapping dialog: which field each column holds (found, guessed, chosen), with a preview of the rows.

Each column of the sheet gets a choice of field ("— ignore —" to leave it out). Columns found by a name people
use for the field are plain, guessed ones amber, the user's own choices marked as such; fields the workbook
needs for the delivery types it sends and that no column holds are listed as missing. The choices are
handed back as mapping overrides; the reader saves them with the header row, so a workbook with the same
header is mapped the same way next time (`app.workbook.mapping.MappingStore`).
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.edits import shown_value
from app.domain.fields import Field
from app.domain.required_fields import missing_needs
from app.ui.imported import ImportedWorkbook
from app.ui.widgets import MessageLabel
from app.workbook.mapping import MatchConfidence
from app.workbook.reader import SheetRead

PREVIEW_ROWS = 20
IGNORE = "— ignore —"
GUESSED_FILL = QColor(255, 179, 0, 90)
CHOSEN_FILL = QColor(66, 133, 244, 60)
_CHOICE_ROW, _STATE_ROW, _FIRST_PREVIEW_ROW = 0, 1, 2
_COLUMN_WIDTH_MIN, _COLUMN_WIDTH_MAX = 110, 260


class MappingDialog(QDialog):
    """Shows one sheet's mapping at a time (a sheet chooser when several are read). Read `overrides()` after
    it is accepted: {header text: Field, or None to ignore} for every column the user chose or confirmed."""

    def __init__(self, workbook: ImportedWorkbook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workbook = workbook
        self.setWindowTitle(f"Columns of “{workbook.path.name}”")
        # {sheet name: {column index: field or None}} as the user has set it in this dialog.
        self._choices: dict[str, dict[int, Field | None]] = {
            sheet.name: {m.header.index: m.field for m in sheet.mapping.columns} for sheet in workbook.sheets
        }
        self._touched: dict[str, set[int]] = {sheet.name: set() for sheet in workbook.sheets}
        self.combos: list[QComboBox] = []
        self._sheet = workbook.sheets[0]

        intro = QLabel(
            "Check which information each column holds. Columns found by their name are plain; amber ones were "
            "guessed, so check them. Choose “— ignore —” for a column Giftbatch should not use. Your choices "
            "are remembered for workbooks with the same header row."
        )
        intro.setWordWrap(True)
        self.sheet_combo = QComboBox()
        self.sheet_combo.setAccessibleName("Sheet")
        self.sheet_combo.addItems([sheet.name for sheet in workbook.sheets])
        self.sheet_combo.currentIndexChanged.connect(self._sheet_chosen)
        sheet_label = QLabel("S&heet:")
        sheet_label.setBuddy(self.sheet_combo)
        sheet_row = QHBoxLayout()
        sheet_row.addWidget(sheet_label)
        sheet_row.addWidget(self.sheet_combo)
        sheet_row.addStretch(1)
        for widget in (sheet_label, self.sheet_combo):
            widget.setVisible(workbook.several_sheets)

        self.table = QTableWidget()
        self.table.setAccessibleName("Columns and the first rows")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(False)
        self.missing = MessageLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Use these columns")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(sheet_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.missing)
        layout.addWidget(self.buttons)
        self.resize(980, 560)
        self._show_sheet(self._sheet)

    # -- what the user chose -------------------------------------------------------------------------------

    def overrides(self) -> dict[str, Field | None]:
        """The columns to map as shown: every one the user changed, confirmed from a guess, or chose before.

        Columns found by their name and left as they are stay out, so they keep following the known names.
        """
        chosen: dict[str, Field | None] = {}
        for sheet in self.workbook.sheets:
            choices, touched = self._choices[sheet.name], self._touched[sheet.name]
            for match in sheet.mapping.columns:
                text, index = match.header.text, match.header.index
                if not text:
                    continue
                confirmed = (
                    match.confidence in (MatchConfidence.GUESSED, MatchConfidence.USER) or match.wanted
                )
                if index in touched or confirmed:
                    chosen[text] = choices[index]
        return chosen

    def field_of(self, header_text: str) -> Field | None:
        """The field the dialog now gives the column `header_text` of the sheet shown."""
        header = next(h for h in self._sheet.headers if h.text == header_text)
        return self._choices[self._sheet.name][header.index]

    def choose(self, header_text: str, fld: Field | None) -> None:
        """Set a column's field as the user would with its combo box."""
        position = next(i for i, h in enumerate(self._sheet.headers) if h.text == header_text)
        combo = self.combos[position]
        combo.setCurrentIndex(combo.findData(fld.value if fld else None))

    # -- layout --------------------------------------------------------------------------------------------

    def _sheet_chosen(self, position: int) -> None:
        if 0 <= position < len(self.workbook.sheets):
            self._show_sheet(self.workbook.sheets[position])

    def _show_sheet(self, sheet: SheetRead) -> None:
        self._sheet = sheet
        headers = sheet.headers
        preview = sheet.row_numbers[:PREVIEW_ROWS]
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setRowCount(_FIRST_PREVIEW_ROW + len(preview))
        self.table.setHorizontalHeaderLabels([f"{h.column}: {h.name}" for h in headers])
        self.table.setVerticalHeaderLabels(["Use as", "", *(str(n) for n in preview)])
        self.combos = []
        for position, header in enumerate(headers):
            combo = self._field_combo(header.text, header.column)
            self.table.setCellWidget(_CHOICE_ROW, position, combo)
            self.combos.append(combo)
            for row, number in enumerate(preview, start=_FIRST_PREVIEW_ROW):
                item = QTableWidgetItem(shown_value(sheet.value_at(number, header.index)))
                self.table.setItem(row, position, item)
        self._refresh()
        self.table.resizeColumnsToContents()
        for position in range(len(headers)):
            width = self.table.columnWidth(position)
            self.table.setColumnWidth(position, max(_COLUMN_WIDTH_MIN, min(width, _COLUMN_WIDTH_MAX)))

    def _field_combo(self, text: str, letter: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(f"Field of column {letter} “{text or 'no header'}”")
        combo.addItem(IGNORE, None)
        for fld in Field:
            combo.addItem(fld.label, fld.value)
        if not text:
            combo.setEnabled(False)
            combo.setToolTip("This column has no header. Give it one in the workbook to use it.")
        position = len(self.combos)
        combo.currentIndexChanged.connect(partial(self._combo_changed, position))
        return combo

    def _combo_changed(self, position: int, _index: int) -> None:
        sheet = self._sheet
        choices = self._choices[sheet.name]
        header = sheet.headers[position]
        value = self.combos[position].currentData()
        fld = Field(value) if value else None
        if choices[header.index] == fld:
            return
        if fld is not None:  # a field is held by one column: the one that had it lets it go
            for other, held in choices.items():
                if held is fld and other != header.index:
                    choices[other] = None
                    self._touched[sheet.name].add(other)
        choices[header.index] = fld
        self._touched[sheet.name].add(header.index)
        self._refresh()

    def _refresh(self) -> None:
        """Show each column's field and how it was found, and what is missing."""
        sheet = self._sheet
        choices, touched = self._choices[sheet.name], self._touched[sheet.name]
        for position, (combo, match) in enumerate(zip(self.combos, sheet.mapping.columns, strict=True)):
            fld = choices[match.header.index]
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(fld.value if fld else None))
            combo.blockSignals(False)
            state, fill = _state(match.confidence, fld, match.header.index in touched, match.wanted)
            item = QTableWidgetItem(state)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            if fill is not None:
                item.setBackground(QBrush(fill))
            self.table.setItem(_STATE_ROW, position, item)
        mapped = {fld for fld in choices.values() if fld is not None}
        needs = missing_needs(mapped, self.workbook.kinds(sheet))
        if needs:
            names = ", ".join(need.label for need in needs)
            self.missing.show_error(
                f"Missing: {names}. Choose the column that holds each, or add it to the sheet."
            )
        else:
            self.missing.show_info("Every column that sending these cards needs is there.")


def _state(
    confidence: MatchConfidence | None, fld: Field | None, touched: bool, wanted: Field | None
) -> tuple[str, QColor | None]:
    if touched:
        return ("Your choice", CHOSEN_FILL) if fld else ("Ignored (your choice)", None)
    if fld is None:
        return (f"Not used (also looks like {wanted.label})", GUESSED_FILL) if wanted else ("Not used", None)
    if confidence is MatchConfidence.GUESSED:
        return "Guessed — check it", GUESSED_FILL
    if confidence is MatchConfidence.USER:
        return "Your earlier choice", CHOSEN_FILL
    return "Found", None
