"""The journal on disk: claim links only ever encrypted, files and folders private, a lost or damaged file
named with the way back, and backups that bring a run back whole."""

from __future__ import annotations

import json
import sqlite3
import stat
import sys
import threading
from pathlib import Path

import pytest

from app.api import wire
from app.api.client import VendorClient
from app.domain.catalog import Catalog
from app.engine import journal_backup
from app.engine.journal import SubmissionJournal
from app.engine.journal_guard import JournalDamaged, JournalGone
from app.engine.runner import SubmissionRunner
from app.engine.secrets_at_rest import ClaimKeyMissing
from app.engine.states import OrderState, RowStatus
from tests.engine.helpers import (
    assert_exactly_once,
    digital_row,
    links_row,
    make_plan,
    sandbox_catalog,
    store,
)
from tests.keyring_fakes import MemoryKeyring

CATALOG = sandbox_catalog()
CLAIM = "https://vendor.example/claim/SECRET-LINK-7Q2"
ANSWER = "CHALLENGE-ANSWER-42"
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="Windows keeps files private by profile ACLs")


def links_order(po: str, keys: list[str]) -> wire.Order:
    lines = [
        {
            "Id": f"LI-{i}",
            "ExternalId": key,
            "ProductId": "CVS",
            "Value": 10,
            "Quantity": 1,
            "Status": "Completed",
            "ClaimData": [{"Id": f"C{i}", "ClaimLink": f"{CLAIM}-{i}", "ClaimLinkChallengeAnswer": ANSWER}],
        }
        for i, key in enumerate(keys)
    ]
    return wire.Order.model_validate(
        {"Id": f"ORD-{po}", "PONumber": po, "Status": "Completed", "LineItems": lines}
    )


def journal_with_links(path: Path, rows: int = 3) -> tuple[SubmissionJournal, str]:
    journal = SubmissionJournal(path)
    plan = make_plan([links_row(i) for i in range(1, rows + 1)], CATALOG)
    run_id = store(journal, plan)
    order = plan.orders[0]
    journal.mark_sending(order.po_number)
    journal.record_order(order.po_number, links_order(order.po_number, [r.key for r in order.rows]))
    return journal, run_id


def bytes_on_disk(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("keyring_fixture", ["memory_keyring", "no_keyring"])
def test_claim_links_and_answers_never_reach_the_disk_in_clear(
    tmp_path: Path, keyring_fixture: str, request: pytest.FixtureRequest
) -> None:
    request.getfixturevalue(keyring_fixture)
    journal, run_id = journal_with_links(tmp_path / "data" / "journal.sqlite3")
    assert (tmp_path / "data" / "journal.sqlite3-wal").exists()  # checked while the WAL is there
    on_disk = bytes_on_disk(tmp_path)
    assert CLAIM.encode() not in on_disk and ANSWER.encode() not in on_disk
    links = [c["ClaimLink"] for line in journal.line_results(run_id) for c in line.claim_data]
    assert links == [f"{CLAIM}-{i}" for i in range(3)]
    journal.close()
    assert CLAIM.encode() not in bytes_on_disk(tmp_path)


def test_the_key_lives_in_the_os_keyring_when_there_is_one(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    journal, _ = journal_with_links(tmp_path / "journal.sqlite3")
    assert [account for _, account in memory_keyring.passwords] == [
        account for _, account in memory_keyring.passwords if account.startswith("journal-claims:")
    ]
    assert len(memory_keyring.passwords) == 1
    assert not journal.claims.key_file.exists()
    assert journal.key_note() is None
    journal.close()


@posix_only
def test_without_a_keyring_the_key_is_in_a_private_file_and_the_app_says_so(
    tmp_path: Path, no_keyring: None
) -> None:
    journal, _ = journal_with_links(tmp_path / "journal.sqlite3")
    key_file = journal.claims.key_file
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    note = journal.key_note()
    assert note is not None and "no OS keyring" in note and str(key_file) in note
    journal.close()


def test_a_journal_written_in_clear_is_encrypted_when_opened_and_no_clear_copy_is_left(
    tmp_path: Path, no_keyring: None
) -> None:
    path = tmp_path / "journal.sqlite3"
    journal, run_id = journal_with_links(path)
    journal.close()
    with sqlite3.connect(path) as db:  # as an earlier version stored them
        clear = json.dumps([{"Id": "C0", "ClaimLink": f"{CLAIM}-0", "ClaimLinkChallengeAnswer": ANSWER}])
        db.execute("UPDATE line_results SET claim_data = ?", (clear,))
    db.close()
    assert CLAIM.encode() in bytes_on_disk(tmp_path)

    reopened = SubmissionJournal(path)
    assert CLAIM.encode() not in bytes_on_disk(tmp_path)
    assert ANSWER.encode() not in bytes_on_disk(tmp_path)
    links = [c["ClaimLink"] for line in reopened.line_results(run_id) for c in line.claim_data]
    assert links == [f"{CLAIM}-0"] * 3
    reopened.close()


def test_results_without_secrets_need_no_key_and_with_them_a_missing_key_is_named(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    path = tmp_path / "journal.sqlite3"
    journal, run_id = journal_with_links(path)
    journal.close()
    memory_keyring.passwords.clear()  # another computer, or a keyring that was reset
    reopened = SubmissionJournal(path)
    assert [line.claim_data for line in reopened.line_results(run_id, with_secrets=False)] == [(), (), ()]
    with pytest.raises(ClaimKeyMissing, match="key that encrypts the claim links"):
        reopened.line_results(run_id)
    reopened.close()


def test_sealed_claim_data_moved_to_another_row_does_not_open(tmp_path: Path, no_keyring: None) -> None:
    path = tmp_path / "journal.sqlite3"
    journal, run_id = journal_with_links(path, rows=2)
    with sqlite3.connect(path) as db:
        first, second = db.execute("SELECT external_id, claim_data FROM line_results ORDER BY 1").fetchall()
        db.execute("UPDATE line_results SET claim_data = ? WHERE external_id = ?", (second[1], first[0]))
    db.close()
    with pytest.raises(ClaimKeyMissing, match="cannot be decrypted"):
        journal.line_results(run_id)
    journal.close()


@posix_only
def test_the_journal_its_wal_and_its_folder_are_private_even_when_they_were_not(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    path = folder / "journal.sqlite3"
    path.touch(mode=0o644)
    path.chmod(0o644)
    journal, _ = journal_with_links(path)
    for made in (path, folder / "journal.sqlite3-wal", folder / "journal.sqlite3-shm"):
        assert stat.S_IMODE(made.stat().st_mode) == 0o600, made
    assert journal.backup() is not None
    for made in (folder / "backups", *(folder / "backups").iterdir()):
        assert stat.S_IMODE(made.stat().st_mode) & 0o077 == 0, made
    journal.close()


def test_a_journal_deleted_while_open_refuses_every_write(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    journal, run_id = journal_with_links(path)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink()
    with pytest.raises(
        JournalGone, match=r"was deleted while Giftbatch was using it.*giftbatch journal restore"
    ):
        journal.add_event(run_id, "note", {})
    journal.close()


def test_a_journal_replaced_while_open_refuses_every_write(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    journal, run_id = journal_with_links(path)
    other = SubmissionJournal(tmp_path / "other.sqlite3")
    other.close()
    (tmp_path / "other.sqlite3").replace(path)
    with pytest.raises(JournalGone, match="replaced by another file"):
        journal.set_run_status(run_id, journal.run(run_id).status)
    journal.close()


@pytest.mark.parametrize("content", [b"this is not a database" * 100, b""])
def test_a_damaged_journal_is_named_with_the_way_back(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "journal.sqlite3"
    journal, _ = journal_with_links(path)
    taken = journal.backup()
    journal.close()
    assert taken is not None
    path.write_bytes(content or b"SQLite format 3\x00" + b"\xff" * 4000)
    with pytest.raises(JournalDamaged, match=r"is damaged .*giftbatch journal restore") as caught:
        SubmissionJournal(path)
    assert taken.describe() in caught.value.message


def test_restoring_brings_back_the_newest_sound_backup_and_keeps_the_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    journal, run_id = journal_with_links(path)
    assert journal.backup() is not None
    journal.close()
    path.write_bytes(b"garbage" * 500)
    used, kept = journal_backup.restore_newest(path)
    assert kept is not None and kept.read_bytes().startswith(b"garbage")
    restored = SubmissionJournal(path)
    assert restored.run(run_id).id == run_id
    assert len(restored.line_results(run_id)) == 3
    restored.close()
    assert used.path.exists()


def test_only_a_few_generations_of_backups_are_kept(tmp_path: Path) -> None:
    journal = SubmissionJournal(tmp_path / "journal.sqlite3")
    for _ in range(journal_backup.KEEP + 3):
        assert journal.backup() is not None
    assert len(journal_backup.backups(journal.path)) == journal_backup.KEEP
    journal.close()


def test_a_journal_deleted_during_a_run_stops_it_and_restore_then_resume_pays_each_row_once(
    sandbox: str, client: VendorClient, catalog: Catalog, tmp_path: Path
) -> None:
    path = tmp_path / "data" / "journal.sqlite3"
    journal = SubmissionJournal(path)
    run_id = store(journal, make_plan([digital_row(i) for i in range(1, 41)], catalog, max_line_items=5))
    runner = SubmissionRunner(journal, client, concurrency=2)
    seen = 0
    with pytest.raises(JournalGone):
        for event in runner.run(run_id, cancel=threading.Event()):
            seen += event.kind == "order_accepted"
            if seen == 2:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
    journal.close()
    assert not path.exists()  # nothing pretended the run completed into a file nobody can read

    journal_backup.restore_newest(path)
    restored = SubmissionJournal(path)
    assert (
        restored.order_counts(run_id).get(OrderState.ACCEPTED, 0)
        + restored.order_counts(run_id).get(OrderState.COMPLETED, 0)
        >= 2
    )  # the last state before the loss was saved from the open file
    list(SubmissionRunner(restored, client, concurrency=2).run(run_id, cancel=threading.Event()))
    assert set(restored.row_counts(run_id)) == {RowStatus.COMPLETED}
    assert_exactly_once(sandbox, restored, run_id)
    restored.close()
