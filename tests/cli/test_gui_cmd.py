"""`giftbatch` with no command and `giftbatch gui [FILE]` open the desktop app; nothing else loads Qt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import app.main
from app.cli import desktop_app_request, main
from app.config.paths import AppPaths

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[tuple[AppPaths, Path | None]]:
    calls: list[tuple[AppPaths, Path | None]] = []

    def fake_run_gui(paths: AppPaths, workbook: Path | None = None) -> int:
        calls.append((paths, workbook))
        return 0

    monkeypatch.setattr(app.main, "run_gui", fake_run_gui)
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    return calls


def test_no_command_opens_the_desktop_app(
    opened: list[tuple[AppPaths, Path | None]], giftbatch_home: Path
) -> None:
    assert main([]) == 0

    assert [(paths.config_dir, workbook) for paths, workbook in opened] == [(giftbatch_home / "config", None)]


def test_gui_with_a_file_opens_it(
    opened: list[tuple[AppPaths, Path | None]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    assert main(["gui", "rewards.xlsx"]) == 0

    assert [workbook for _, workbook in opened] == [tmp_path / "rewards.xlsx"]


def test_without_a_display_the_user_is_told_what_to_do(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)

    assert main([]) == 2

    assert "There is no display here for the desktop app" in capsys.readouterr().err


def test_help_still_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])

    assert exit_info.value.code == 0
    assert "gui" in capsys.readouterr().out


def test_the_command_line_does_not_load_qt() -> None:
    script = (
        "import sys; from app.cli import main; main(['profile', 'list']); print('PySide6' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )

    assert result.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.parametrize(
    ("argv", "home", "file"),
    [
        ([], None, None),
        (["gui"], None, None),
        (["gui", "book.xlsx"], None, "book.xlsx"),
        (["--home", "/h", "gui", "book.xlsx"], "/h", "book.xlsx"),
        (["--home=/h"], "/h", None),
    ],
)
def test_what_opens_the_desktop_app_without_loading_every_command(
    argv: list[str], home: str | None, file: str | None
) -> None:
    request = desktop_app_request(argv)
    assert request is not None
    assert request.home == home
    assert request.file == (Path(file) if file else None)


@pytest.mark.parametrize(
    "argv", [["validate", "x.xlsx"], ["gui", "--help"], ["--version"], ["gui", "a", "b"]]
)
def test_everything_else_goes_through_the_full_command_line(argv: list[str]) -> None:
    assert desktop_app_request(argv) is None
