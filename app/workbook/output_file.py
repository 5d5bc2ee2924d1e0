"""Writing an export safely: nothing replaced unasked, never half a file, secrets encrypted or by choice.

An export is built in a temporary file in the target's own folder and moved over the final name in one step
(`os.replace`), so a crash, a full disk or a cancel leaves either the old file or the new one, never a torn
one. With a password the workbook is built in memory and only its encrypted form touches the disk.
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


class OutputExists(UserInputError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"“{path}” already exists. Use --force to replace it (in the app: answer Replace), or choose "
            "another name."
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


@dataclass(frozen=True)
class ExportOptions:
    """How an export is written.

    `with_secrets`: include claim links and challenge answers. A careful payments tool does not put bearer
    secrets into a plain file by accident, so they need a `password` (the file is then encrypted as Excel's
    "Encrypt with password" does) or `unprotected_secrets_ok=True`, the user's explicit choice.
    `force`: replace an existing file of the same name.
    """

    with_secrets: bool = False
    password: str | None = None
    unprotected_secrets_ok: bool = False
    force: bool = False

    def check(self) -> None:
        if self.with_secrets and not self.password and not self.unprotected_secrets_ok:
            raise SecretsNeedProtection()

    @property
    def private(self) -> bool:
        """The file holds secrets: readable by its owner only."""
        return self.with_secrets


def write_atomically(target: Path, build: Builder, options: ExportOptions) -> Path:
    """Build a workbook and move it to `target` in one step; with `options.password`, encrypted."""
    options.check()
    target = target.expanduser().absolute()
    check_target(target, force=options.force)
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


def check_target(target: Path, *, force: bool) -> None:
    """Fail early, before any work, when the export could not be written under this name."""
    if target.is_dir():
        raise OutputNotWritable(target, "it is a folder")
    if not target.parent.is_dir():
        raise OutputNotWritable(target, f"the folder “{target.parent}” does not exist")
    if target.exists() and not force:
        raise OutputExists(target)


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
