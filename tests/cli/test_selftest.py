"""`giftbatch --self-test` proves a build works end to end, and says which step failed when it does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main, selftest


def test_self_test_passes_every_step(capsys: pytest.CaptureFixture[str], giftbatch_home: Path) -> None:
    code = main(["--self-test"])

    out = capsys.readouterr().out
    assert code == 0, out
    steps = [line.split()[1] for line in out.splitlines() if line.startswith("ok ")]
    assert steps == ["template", "validate", "send", "track", "ledger", "export"]
    assert "Self-test passed" in out
    assert not (giftbatch_home / "data" / "journal.sqlite3").exists(), (
        "the self-test must not touch user data"
    )


def test_a_failing_step_is_named_and_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selftest, "samples_dir", lambda: tmp_path / "nowhere")
    lines: list[str] = []

    code = selftest.run_self_test(main, lines.append)

    assert code == 1
    assert lines[0].startswith("ok    template")
    assert lines[-1].startswith("FAIL  validate")
    assert "Traceback" not in "\n".join(lines)
