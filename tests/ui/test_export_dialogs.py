"""The dialog that protects claim links asks for the same shortest password as the command line."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.ui.export_dialogs import ProtectDialog
from app.workbook.output_file import MIN_PASSWORD_LENGTH, ExportOptions


def test_a_password_shorter_than_the_minimum_is_refused_in_the_dialog(qtbot: QtBot) -> None:
    dialog = ProtectDialog("results workbook")
    qtbot.addWidget(dialog)
    short = "x" * (MIN_PASSWORD_LENGTH - 1)
    dialog.password_edit.setText(short)
    dialog.repeat_edit.setText(short)
    dialog.protect_button.click()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert f"at least {MIN_PASSWORD_LENGTH} characters" in dialog.problem.message()

    enough = "x" * MIN_PASSWORD_LENGTH
    dialog.password_edit.setText(enough)
    dialog.repeat_edit.setText(enough)
    dialog.protect_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.password == enough
    ExportOptions(with_secrets=True, password=dialog.password).check()  # the same rule the export applies
