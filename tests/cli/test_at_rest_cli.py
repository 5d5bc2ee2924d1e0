"""What another user of the computer can find after a Links run, and a journal lost or damaged: checked from
outside, as separate `giftbatch` processes."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[2]
LINKS_BOOK = ROOT / "sample_workbooks" / "links.xlsx"
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="Windows keeps the profile private by ACL")


def giftbatch(home: Path, *args: str, umask: int = 0o022) -> subprocess.CompletedProcess[str]:
    """A separate process with a permissive umask, as a default login has: the app must not rely on it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    env.pop("GIFTBATCH_HOME", None)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import os, sys; os.umask({umask}); from app.cli import main; sys.exit(main())",
            "--home",
            str(home),
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        stdin=subprocess.DEVNULL,
        env=env,
    )


def claim_links(export: Path) -> list[str]:
    book = openpyxl.load_workbook(export, read_only=True)
    links = [
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str) and "/claim/" in cell
    ]
    book.close()
    return [link for text in links for link in text.split("\n")]


@pytest.fixture(scope="module")
def links_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[str]]:
    """A Links run sent through the built-in sandbox, and its claim links as the export gives them."""
    home = tmp_path_factory.mktemp("at-rest") / "home"
    sent = giftbatch(home, "submit", str(LINKS_BOOK), "--yes")
    assert sent.returncode == 0, sent.stderr
    assert "no OS keyring" in sent.stderr and "journal.sqlite3.keys" in sent.stderr  # said, not silent
    run_id = sent.stdout.split("Run ", 1)[1].split(":", 1)[0]
    export = tmp_path_factory.mktemp("out") / "links.xlsx"
    exported = giftbatch(home, "export", run_id, "--with-secrets", "--unprotected", "--out", str(export))
    assert exported.returncode == 0, exported.stderr
    links = claim_links(export)
    assert len(links) >= 12
    return home, run_id, links


def test_no_claim_link_is_in_any_file_the_app_keeps(links_run: tuple[Path, str, list[str]]) -> None:
    home, _, links = links_run
    files = [path for path in home.rglob("*") if path.is_file()]
    assert any(path.name == "journal.sqlite3" for path in files)
    assert any(path.parent.name == "backups" for path in files)
    for path in files:
        content = path.read_bytes()
        assert b"giftbatch.invalid/claim/" not in content, path
        assert not [link for link in links if link.rsplit("/", 1)[1].encode() in content], path


@posix_only
def test_no_file_or_folder_the_app_keeps_is_open_to_others(links_run: tuple[Path, str, list[str]]) -> None:
    home, _, _ = links_run
    for path in [home, *home.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert mode & 0o077 == 0, f"{path} is {oct(mode)}"


@posix_only
def test_folders_an_earlier_version_left_open_are_closed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "data" / "logs").mkdir(parents=True, mode=0o755)
    for folder in (home, home / "data", home / "data" / "logs"):
        folder.chmod(0o755)
    log = home / "data" / "logs" / "giftbatch.log"
    log.write_text("old lines\n")
    log.chmod(0o644)
    assert giftbatch(home, "runs").returncode == 0
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "data").stat().st_mode) == 0o700


def test_a_damaged_journal_is_named_validate_still_works_and_one_command_brings_it_back(
    links_run: tuple[Path, str, list[str]], tmp_path: Path
) -> None:
    source, run_id, _ = links_run
    home = tmp_path / "home"
    shutil.copytree(source, home)
    journal = home / "data" / "journal.sqlite3"
    journal.write_bytes(b"\x00garbage" * 4096)

    listed = giftbatch(home, "runs")
    assert listed.returncode == 2
    assert "is damaged" in listed.stderr and "giftbatch journal restore" in listed.stderr
    assert "did not expect" not in listed.stderr

    checked = giftbatch(home, "validate", str(LINKS_BOOK))
    assert checked.returncode == 0, checked.stderr
    assert "not checked against earlier runs" in checked.stderr

    restored = giftbatch(home, "journal", "restore")
    assert restored.returncode == 0, restored.stderr
    assert "Restored the journal from the backup of" in restored.stdout
    again = giftbatch(home, "runs")
    assert again.returncode == 0 and run_id in again.stdout
    assert any(path.name.startswith("journal.sqlite3.replaced-") for path in (home / "data").iterdir())
    status = giftbatch(home, "journal", "check")
    assert status.returncode == 0 and "sound" in status.stdout
