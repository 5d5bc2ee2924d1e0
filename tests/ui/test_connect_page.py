"""The Connect step against the real in-process sandbox: profiles, balance, catalog, errors shown inline."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.config.paths import AppPaths
from app.domain.catalog import LeftOut
from app.sandbox.catalog import PRODUCTS, SHIPPING_METHODS
from app.sandbox.constants import SANDBOX_ACCESS_TOKEN, SANDBOX_EMAIL
from app.sandbox.faults import OBSERVED
from app.sandbox.server import SandboxServer
from app.ui.main_window import CONNECT, MainWindow
from app.ui.profile_dialog import ProfileDialog
from tests.keyring_fakes import MemoryKeyring
from tests.ui.conftest import WORKER_DRAIN_MS


def open_add_dialog(window: MainWindow, qtbot: QtBot) -> ProfileDialog:
    qtbot.mouseClick(window.connect_page.add_button, Qt.MouseButton.LeftButton)
    dialog = window.connect_page.findChild(ProfileDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def fill(dialog: ProfileDialog, qtbot: QtBot, name: str, url: str, email: str, token: str = "") -> None:
    qtbot.keyClicks(dialog.name_edit, name)
    qtbot.keyClicks(dialog.url_edit, url)
    qtbot.keyClicks(dialog.email_edit, email)
    if token:
        qtbot.keyClicks(dialog.token_edit, token)


def test_the_window_opens_on_connect_with_the_sandbox_selected(window: MainWindow) -> None:
    assert window.current_step() == CONNECT
    assert window.connect_page.selected_profile().is_sandbox
    assert window.connect_page.available_label.text() == "—"
    assert not window.connect_page.edit_button.isEnabled()
    assert not window.connect_page.remove_button.isEnabled()


def test_connecting_to_the_sandbox_shows_its_balance_and_catalog(connected_window: MainWindow) -> None:
    page = connected_window.connect_page

    assert page.available_label.text() == "100,000.00 USD"
    assert page.pending_label.text() == "0.00 USD"
    assert page.products_label.text() == f"{len(PRODUCTS)} products, {len(SHIPPING_METHODS)} shipping methods"
    assert page.fetched_label.text().endswith("(just now)")
    assert page.error.message() == ""
    assert page.is_complete()
    assert connected_window.connection_label.text() == "sandbox · 100,000.00 USD available"


def test_refreshing_the_catalog_fetches_it_again(connected_window: MainWindow, qtbot: QtBot) -> None:
    session = connected_window.session
    before = session.catalog
    assert before is not None and before.fetched_at is not None

    qtbot.mouseClick(connected_window.connect_page.refresh_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: session.catalog is not before, timeout=WORKER_DRAIN_MS)
    after = session.catalog
    assert after is not None and after.fetched_at is not None and after.fetched_at >= before.fetched_at
    assert len(after.products) == len(PRODUCTS)


def test_a_profile_without_its_token_explains_inline_and_stays_disconnected(
    window: MainWindow, qtbot: QtBot, memory_keyring: MemoryKeyring
) -> None:
    window.session.profiles.add_without_token("acme", "https://api.acme.example", "ops@acme.example")
    window.session.reload_settings()
    window.connect_page.reload_profiles("acme")

    window.connect_page.connect_selected()

    qtbot.waitUntil(lambda: window.connect_page.error.message() != "", timeout=WORKER_DRAIN_MS)
    assert "No AccessToken is stored for profile 'acme'" in window.connect_page.error.message()
    assert window.session.account is None
    assert not window.step_enabled(CONNECT + 1)


def test_without_a_keyring_adding_a_profile_explains_why_and_stores_no_token(
    window: MainWindow, qtbot: QtBot, no_keyring: None, app_paths: AppPaths
) -> None:
    dialog = open_add_dialog(window, qtbot)

    assert not dialog.no_keyring_note.isHidden()
    assert "no password store" in dialog.no_keyring_note.message()
    assert "GIFTBATCH_ACCESS_TOKEN" in dialog.no_keyring_note.message()
    assert dialog.token_edit.isHidden()

    fill(dialog, qtbot, "acme", "https://api.acme.example", "ops@acme.example")
    qtbot.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(window.session.profiles.list()) == 2, timeout=WORKER_DRAIN_MS)

    assert [p.name for p in window.session.profiles.list()] == ["sandbox", "acme"]
    assert window.session.secrets.load("acme") is None
    stored = json.loads(app_paths.settings_file.read_text(encoding="utf-8"))
    assert stored["profiles"] == [
        {"name": "acme", "base_url": "https://api.acme.example", "email": "ops@acme.example"}
    ]
    # Selecting the new profile connects at once, and says where the token must come from.
    qtbot.waitUntil(
        lambda: "GIFTBATCH_ACCESS_TOKEN" in window.connect_page.error.message(), timeout=WORKER_DRAIN_MS
    )


def test_a_mistake_in_the_profile_dialog_is_shown_there_and_nothing_is_saved(
    window: MainWindow, qtbot: QtBot, memory_keyring: MemoryKeyring
) -> None:
    dialog = open_add_dialog(window, qtbot)
    fill(dialog, qtbot, "acme", "ftp://files.acme.example", "ops@acme.example", "tok-SECRET")

    qtbot.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: dialog.error.message() != "", timeout=WORKER_DRAIN_MS)
    assert "is not a web address" in dialog.error.message()
    assert dialog.isVisible()
    assert memory_keyring.passwords == {}
    dialog.reject()


def test_a_new_profile_keeps_its_token_in_the_keyring_and_connects(
    window: MainWindow, qtbot: QtBot, memory_keyring: MemoryKeyring, tmp_path: Path, app_paths: AppPaths
) -> None:
    vendor = SandboxServer(state_path=tmp_path / "vendor.sqlite3")
    base_url = vendor.start()
    try:
        dialog = open_add_dialog(window, qtbot)
        fill(dialog, qtbot, "staging", base_url, SANDBOX_EMAIL, SANDBOX_ACCESS_TOKEN)
        qtbot.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)

        qtbot.waitUntil(
            lambda: window.session.profile is not None and window.session.profile.name == "staging",
            timeout=WORKER_DRAIN_MS,
        )
        assert window.connect_page.available_label.text() == "100,000.00 USD"
        assert memory_keyring.passwords == {("Giftbatch", "profile:staging"): SANDBOX_ACCESS_TOKEN}
        assert SANDBOX_ACCESS_TOKEN not in app_paths.settings_file.read_text(encoding="utf-8")
        assert window.session.settings.active_profile == "staging"
        assert window.connect_page.edit_button.isEnabled()
    finally:
        window.session.close()
        vendor.stop()


def test_choosing_another_profile_drops_the_old_connection_at_once(
    connected_window: MainWindow, qtbot: QtBot, memory_keyring: MemoryKeyring
) -> None:
    session = connected_window.session
    session.profiles.add_without_token("acme", "https://api.acme.example", "ops@acme.example")
    session.reload_settings()
    page = connected_window.connect_page
    page.reload_profiles()

    page.profile_combo.setCurrentIndex(page.profile_combo.findText("acme", Qt.MatchFlag.MatchStartsWith))

    assert session.account is None  # never "connected" to the sandbox under acme's name
    qtbot.waitUntil(lambda: page.error.message() != "", timeout=WORKER_DRAIN_MS)
    assert not connected_window.step_enabled(CONNECT + 1)


def test_an_account_without_shipping_methods_or_balance_connects_and_says_what_it_lacks(
    window: MainWindow, qtbot: QtBot, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    faults = {**OBSERVED, "shipping_methods_status": 404}
    vendor = SandboxServer(state_path=tmp_path / "vendor.sqlite3", faults=faults)
    base_url = vendor.start()
    try:
        window.session.profiles.add("observed", base_url, SANDBOX_EMAIL, SANDBOX_ACCESS_TOKEN)
        window.session.reload_settings()
        page = window.connect_page
        page.reload_profiles("observed")
        page.connect_selected()
        qtbot.waitUntil(lambda: window.session.account is not None, timeout=WORKER_DRAIN_MS)

        assert page.products_label.text() == f"{len(PRODUCTS)} products, 0 shipping methods"
        assert "does not report the balance" in page.balance_note.message()
        note = page.catalog_note.message()
        assert (
            "offered no shipping methods (the vendor answered GET /v1/ShippingMethods with HTTP 404" in note
        )
        assert page.is_complete()  # digital and link cards can still be sent
    finally:
        window.session.close()
        vendor.stop()


def test_products_that_cannot_be_read_are_named_on_the_page_a_few_at_a_time(
    connected_window: MainWindow, qtbot: QtBot
) -> None:
    session = connected_window.session
    assert session.catalog is not None
    broken = tuple(
        LeftOut(f"BROKEN-{n}", "it lists no denominations, so no value can be checked.") for n in range(6)
    )

    session.update_catalog(replace(session.catalog, left_out=(*broken, LeftOut(None, "unreadable.", 9))))

    note = connected_window.connect_page.catalog_note.message().splitlines()
    assert note[:3] == [
        f"Product BROKEN-{n} is in the vendor's catalog but cannot be used: it lists no denominations, so no "
        "value can be checked."
        for n in range(3)
    ]
    assert note[3] == (
        "4 more products in the vendor's catalog cannot be used either: BROKEN-3, BROKEN-4, BROKEN-5, "
        "(no readable id)."
    )
    assert len(note) == 4
