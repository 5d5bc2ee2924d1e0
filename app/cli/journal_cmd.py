"""`giftbatch journal check|backups|restore`: the journal's health, its backups, and the way back to one."""

from __future__ import annotations

import argparse
import sqlite3
from contextlib import closing
from pathlib import Path

from app.cli.context import CliContext
from app.cli.formatting import table
from app.domain.errors import UserInputError
from app.engine import journal_backup
from app.engine.journal_guard import JournalError
from app.engine.ownership import runs_in_progress
from app.engine.secrets_at_rest import ClaimSealer


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "journal",
        help="check the journal of runs, list its backups, or restore the last one",
        description="The journal records every run, order and answer; Giftbatch backs it up when a run starts "
        "and ends (the last 8 are kept). If it is damaged or lost, 'giftbatch journal restore' brings back "
        "the newest sound backup; then resume any run that was going.",
    )
    commands = parser.add_subparsers(dest="journal_command", metavar="ACTION", required=True)
    check = commands.add_parser("check", help="check the journal file and say where its claim-link key is")
    check.set_defaults(func=run_check)
    listing = commands.add_parser("backups", help="list the journal's backups, newest first")
    listing.set_defaults(func=run_backups)
    restore = commands.add_parser("restore", help="put the newest sound backup in the journal's place")
    restore.add_argument(
        "--from", dest="source", type=Path, metavar="FILE", help="restore this backup instead"
    )
    restore.set_defaults(func=run_restore)


def run_check(args: argparse.Namespace, ctx: CliContext) -> int:
    path = ctx.paths.journal_file
    if not path.exists():
        ctx.print(f"There is no journal yet at {path}: no run was sent from this computer and account.")
        return 0
    journal = ctx.journal()  # a damaged file stops here with the way back
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
    if verdict != "ok":
        raise JournalError(
            f"The journal {path} is damaged ({verdict}). Bring back the last backup with "
            "'giftbatch journal restore'."
        )
    ctx.print(f"Journal {path}: sound, {len(journal.runs())} runs.")
    place = journal.claims.place()
    ctx.print(
        "Claim links in it are encrypted; the key is in "
        + ("the OS keyring." if place.in_keyring else f"{place.file} (this computer has no OS keyring).")
    )
    _print_backups(ctx, path)
    return 0


def run_backups(args: argparse.Namespace, ctx: CliContext) -> int:
    _print_backups(ctx, ctx.paths.journal_file)
    return 0


def run_restore(args: argparse.Namespace, ctx: CliContext) -> int:
    path = ctx.paths.journal_file
    busy = runs_in_progress(path)
    if busy:
        raise UserInputError(
            f"Run {busy[0]} is being sent or tracked by a Giftbatch process right now. Stop it (or let it end) "
            "before restoring the journal."
        )
    used, kept = journal_backup.restore_newest(path, args.source)
    ctx.print(f"Restored the journal from the backup of {used.describe()} ({used.path.name}).")
    if kept is not None:
        ctx.print(f"The journal it replaced is kept as {kept}.")
    ctx.print(
        "Runs sent after that backup are not in it. Resume any run that was going ('giftbatch runs' lists "
        "them): orders already sent are recognised by their PONumbers and not paid twice."
    )
    key_file = ClaimSealer(path).key_file
    if key_file.exists():
        ctx.print(f"The key for its claim links stays in {key_file}; keep that file with it.")
    return 0


def _print_backups(ctx: CliContext, path: Path) -> None:
    found = journal_backup.backups(path)
    if not found:
        ctx.print(
            f"No backups yet in {journal_backup.backup_dir(path)} (one is taken when a run starts and ends)."
        )
        return
    rows = [(b.describe(), f"{b.path.stat().st_size / 1e6:.1f} MB", b.path.name) for b in found]
    ctx.print(f"Backups in {journal_backup.backup_dir(path)}:")
    ctx.print(table(["Taken", "Size", "File"], rows))
