"""The Settings dialog saves what the user set through the settings store, and refuses what cannot work."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.config.paths import AppPaths
from app.config.settings import SettingsStore
from app.ui.session import Session
from app.ui.settings_dialog import SettingsDialog


def open_dialog(session: Session, qtbot: QtBot) -> SettingsDialog:
    dialog = SettingsDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_saved_settings_survive_a_restart_and_show_again(
    session: Session, qtbot: QtBot, app_paths: AppPaths
) -> None:
    changed: list[bool] = []
    session.settings_changed.connect(lambda: changed.append(True))
    dialog = open_dialog(session, qtbot)
    dialog.concurrency_spin.setValue(8)
    dialog.line_items_spin.setValue(50)
    assert dialog.limit_spin.value() == 5000  # the default: above it, the total is typed to confirm
    dialog.limit_spin.setValue(2500)
    dialog.region_combo.setCurrentIndex(dialog.region_combo.findData("CA"))
    qtbot.keyClicks(dialog.from_name_edit, "The People Team")
    qtbot.keyClicks(dialog.from_email_edit, "people@corp.example")
    qtbot.keyClicks(dialog.message_edit, "Thank you!")
    qtbot.mouseClick(dialog.webhook_check, Qt.MouseButton.LeftButton)
    dialog.port_spin.setValue(8765)
    qtbot.keyClicks(dialog.public_url_edit, "https://hooks.corp.example/gb")
    qtbot.keyClicks(dialog.export_dir_edit, "/srv/exports")

    qtbot.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert changed == [True]
    stored = SettingsStore(app_paths.settings_file).load()
    assert (stored.concurrency, stored.max_line_items_per_order, stored.default_phone_region) == (8, 50, "CA")
    assert stored.personalization.model_dump() == {
        "from_name": "The People Team",
        "from_email": "people@corp.example",
        "message": "Thank you!",
    }
    assert (stored.webhook.enabled, stored.webhook.port) == (True, 8765)
    assert stored.webhook.public_url == "https://hooks.corp.example/gb"
    assert stored.export_dir == "/srv/exports"
    assert stored.spending_limit == 2500

    again = open_dialog(
        Session(app_paths, SettingsStore(app_paths.settings_file), session.secrets, session.pool), qtbot
    )
    assert again.concurrency_spin.value() == 8
    assert again.region_combo.currentData() == "CA"
    assert again.message_edit.toPlainText() == "Thank you!"
    assert again.port_spin.isEnabled()


def test_saving_keeps_the_profiles_and_recent_files(session: Session, qtbot: QtBot) -> None:
    session.profiles.add_without_token("acme", "https://api.acme.example", "ops@acme.example")
    session.reload_settings()
    dialog = open_dialog(session, qtbot)
    dialog.concurrency_spin.setValue(2)

    dialog.save()

    assert [p.name for p in session.profiles.list()] == ["sandbox", "acme"]
    assert session.settings.concurrency == 2


def test_a_from_email_that_cannot_work_is_explained_and_nothing_is_saved(
    session: Session, qtbot: QtBot, app_paths: AppPaths
) -> None:
    dialog = open_dialog(session, qtbot)
    qtbot.keyClicks(dialog.from_email_edit, "people at corp")

    dialog.save()

    assert dialog.isVisible()
    assert "The From email “people at corp” cannot be used" in dialog.error.message()
    assert not app_paths.settings_file.exists()


def test_the_webhook_fields_open_only_with_the_listener(session: Session, qtbot: QtBot) -> None:
    dialog = open_dialog(session, qtbot)
    assert not dialog.port_spin.isEnabled()
    assert not dialog.public_url_edit.isEnabled()

    dialog.webhook_check.setChecked(True)

    assert dialog.port_spin.isEnabled()
    assert dialog.public_url_edit.isEnabled()


def test_restore_defaults_puts_the_defaults_back_in_the_form(session: Session, qtbot: QtBot) -> None:
    settings = session.settings
    settings.concurrency = 16
    session.save_settings(settings)
    dialog = open_dialog(session, qtbot)
    assert dialog.concurrency_spin.value() == 16

    dialog.show_settings(type(settings)())

    assert dialog.concurrency_spin.value() == 4


def test_line_items_per_order_cannot_be_set_above_what_the_vendor_takes(
    session: Session, qtbot: QtBot
) -> None:
    dialog = open_dialog(session, qtbot)

    dialog.line_items_spin.setValue(1000)

    assert dialog.line_items_spin.maximum() == 100
    assert dialog.line_items_spin.value() == 100
    dialog.reject()


def test_settings_say_where_the_claim_link_key_is_kept(
    session: Session, qtbot: QtBot, app_paths: AppPaths, no_keyring: None
) -> None:
    dialog = open_dialog(session, qtbot)
    note = dialog.key_note.message()
    assert "no OS keyring" in note and str(app_paths.journal_file) + ".keys" in note


def test_settings_say_the_claim_link_key_is_in_the_keyring_when_it_is(
    session: Session, qtbot: QtBot, memory_keyring: object
) -> None:
    dialog = open_dialog(session, qtbot)
    assert "the key is in the OS keyring" in dialog.key_note.message()
