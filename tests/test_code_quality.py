"""Lint, types and layer contracts are part of the test suite, so the README's one test command checks them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


def test_ruff_finds_nothing() -> None:
    result = _run(str(BIN / "ruff"), "check", "app", "tests", "bench", "packaging", "sample_workbooks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_kept() -> None:
    result = _run(str(BIN / "ruff"), "format", "--check", "app", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_layers_keep_their_contracts() -> None:
    result = _run(str(BIN / "lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_finds_no_type_errors() -> None:
    result = _run(str(BIN / "mypy"), "app")
    assert result.returncode == 0, result.stdout + result.stderr
