"""Writing an export safely: nothing replaced unasked, never an input, never half a file, secrets protected.

An export is built in a temporary file in the target's own folder and moved over the final name in one step
(`os.replace`), so a crash, a full disk or a cancel leaves either the old file or the new one, never a torn
one. With a password the workbook is built in memory and only its encrypted form touches the disk.

No output replaces the workbook it was made from, nor anything in the app's own folders (the journal that
remembers who was paid), whatever the name it is given: the same file reached by another spelling, through
a link or a hard link is the same file. `--force` (or answering Replace) does not change that.
"""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from msoffcrypto.format.ooxml import OOXMLFile

from app.domain.errors import UserInputError

# Builds the workbook into the path or the in-memory file it is given.
Builder = Callable[[str | BinaryIO], None]
# The shortest password that may protect claim links, in the desktop app's dialog and on the command line.
MIN_PASSWORD_LENGTH = 8


class OutputExists(UserInputError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"“{path}” already exists. Use --force to replace it (in the app: answer Replace), or choose "
            "another name."
        )
        self.path = path


class OutputIsInput(UserInputError):
    """The output would replace the workbook it is made from, or a file of the app's own."""

    def __init__(self, path: Path, kept: Path, *, app_file: bool) -> None:
        what = (
            "in Giftbatch's own folder (where it keeps the journal of what was sent)"
            if app_file
            else (f"your workbook “{kept.name}”, which this is made from")
        )
        super().__init__(
            f"“{path}” is {what}; Giftbatch never writes over it, even with --force. Choose another name."
        )
        self.path = path


class OutputNotWritable(UserInputError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"Could not write “{path}” ({reason}). If it is open in Excel or another program, close it "
            "there; otherwise choose a folder you can write to."
        )
        self.path = path


class SecretsNeedProtection(UserInputError):
    """Claim links and challenge answers asked for, with neither a password nor the user's explicit say-so."""

    def __init__(self) -> None:
        super().__init__(
            "Claim links and challenge answers can be spent by anyone who reads them. Protect the file with "
            "a password (--password-from-env VAR, with the password in environment variable VAR), or add "
            "--unprotected to write them into a file without a password."
        )


class PasswordTooShort(UserInputError):
    def __init__(self) -> None:
        super().__init__(
            f"A password that protects claim links must have at least {MIN_PASSWORD_LENGTH} characters; "
            "choose a longer one."
        )


@dataclass(frozen=True)
class ExportOptions:
    """How an export is written.

    `with_secrets`: include claim links and challenge answers. A careful payments tool does not put bearer
    secrets into a plain file by accident, so they need a `password` of at least MIN_PASSWORD_LENGTH
    characters (the file is then encrypted as Excel's "Encrypt with password" does) or
    `unprotected_secrets_ok=True`, the user's explicit choice. A file without secrets encrypted with the
    password of the workbook it comes from keeps that password, whatever its length.
    `force`: replace an existing file of the same name — never one of `inputs` (the workbooks the export
    is made from) nor a file in `app_folders` (the app's own folders, see `AppPaths.folders`).
    """

    with_secrets: bool = False
    password: str | None = None
    unprotected_secrets_ok: bool = False
    force: bool = False
    inputs: tuple[Path, ...] = ()
    app_folders: tuple[Path, ...] = ()

    def check(self) -> None:
        if self.with_secrets and not self.password and not self.unprotected_secrets_ok:
            raise SecretsNeedProtection()
        if self.with_secrets and self.password and len(self.password) < MIN_PASSWORD_LENGTH:
            raise PasswordTooShort()

    @property
    def private(self) -> bool:
        """The file holds secrets: readable by its owner only."""
        return self.with_secrets


def write_atomically(target: Path, build: Builder, options: ExportOptions) -> Path:
    """Build a workbook and move it to `target` in one step; with `options.password`, encrypted."""
    options.check()
    target = target.expanduser().absolute()
    check_target(target, options)
    temp = _reserve_temp(target, private=options.private)
    try:
        if options.password:
            _build_encrypted(temp, build, options.password)
        else:
            build(str(temp))
        os.replace(temp, target)
    except OSError as error:  # a full disk, a vanished folder: the user's to fix, not a crash
        temp.unlink(missing_ok=True)
        raise OutputNotWritable(target, error.strerror or type(error).__name__) from error
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target


def check_target(target: Path, options: ExportOptions) -> None:
    """Fail early, before any work, when the export could not or must not be written under this name."""
    refuse_inputs(target, options)
    if target.is_dir():
        raise OutputNotWritable(target, "it is a folder")
    if not target.parent.is_dir():
        raise OutputNotWritable(target, f"the folder “{target.parent}” does not exist")
    if target.exists() and not options.force:
        raise OutputExists(target)


def refuse_inputs(target: Path, options: ExportOptions) -> None:
    """OutputIsInput when `target` is one of the export's inputs or lies in one of the app's folders."""
    for kept in options.inputs:
        if same_file(target, kept):
            raise OutputIsInput(target, kept, app_file=False)
    where = _resolved(target)
    for folder in options.app_folders:
        if where.is_relative_to(_resolved(folder)):
            raise OutputIsInput(target, folder, app_file=True)


def same_file(path: Path, other: Path) -> bool:
    """One file, however it is named: the same device and inode (through links and other spellings), or,
    when either does not exist, the same absolute path once links are followed."""
    try:
        return os.path.samefile(path, other)
    except OSError:
        return _resolved(path) == _resolved(other)


def _resolved(path: Path) -> Path:
    try:
        return path.expanduser().resolve()
    except (OSError, RuntimeError):  # a loop of links, a folder we may not look into
        return path.expanduser().absolute()


def _reserve_temp(target: Path, *, private: bool) -> Path:
    """An empty, exclusively created file beside the target: same disk, so the final move is atomic."""
    temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    mode = 0o600 if private else 0o666
    try:
        os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
    except OSError as error:
        raise OutputNotWritable(target, error.strerror or type(error).__name__) from error
    return temp


def _build_encrypted(temp: Path, build: Builder, password: str) -> None:
    plain = io.BytesIO()
    build(plain)
    plain.seek(0)
    with temp.open("wb") as out:
        OOXMLFile(plain).encrypt(password, out)
