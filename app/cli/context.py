"""What every command is handed: the app's folders, its output streams and the services built from them."""

from __future__ import annotations

import logging
import os
import sys
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import cached_property
from typing import TextIO

from app.config.connection import Connection, open_connection
from app.config.logging_setup import configure_logging, log_is_failing
from app.config.paths import AppPaths, keep_new_files_private
from app.config.profiles import ProfileStore
from app.config.secrets import SecretStore
from app.config.settings import Settings, SettingsStore
from app.domain.errors import DiskFull, UserInputError, disk_full
from app.engine.journal import SubmissionJournal

log = logging.getLogger(__name__)


@dataclass
class CliContext:
    """Built once per command by `app.cli.main`; commands take their collaborators from here."""

    paths: AppPaths
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    resources: ExitStack = field(default_factory=ExitStack)

    @classmethod
    def create(cls, home: str | None = None) -> CliContext:
        keep_new_files_private()
        paths = AppPaths.from_environment(home).ensure()
        configure_logging(paths.log_file)
        return cls(paths=paths)

    @cached_property
    def settings_store(self) -> SettingsStore:
        return SettingsStore(self.paths.settings_file)

    @property
    def settings(self) -> Settings:
        return self.settings_store.load()

    @cached_property
    def secrets(self) -> SecretStore:
        return SecretStore()

    @cached_property
    def profiles(self) -> ProfileStore:
        return ProfileStore(self.settings_store, self.secrets)

    def connect(self, profile_name: str | None = None) -> Connection:
        """Open the named (or active) profile's connection; it is closed when the command ends."""
        connection = open_connection(self.profiles.get(profile_name), self.paths, self.secrets)
        self.resources.callback(connection.close)
        return connection

    def journal(self) -> SubmissionJournal:
        """The submission journal (created on first use); closed when the command ends."""
        journal = SubmissionJournal(self.paths.journal_file)
        self.resources.callback(journal.close)
        return journal

    def print(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def fail(self, message: str) -> None:
        print(f"giftbatch: {message}", file=self.err, flush=True)

    def log_unexpected(self) -> None:
        """An error we did not foresee: the details go to the log file, the user gets one line pointing there
        (or saying why there is nothing to point at)."""
        log.exception("Unexpected error")
        where = (
            "the log could not be written either"
            if log_is_failing()
            else f"the details are in {self.paths.log_file}"
        )
        self.fail(f"Something went wrong that we did not expect. Nothing was lost; {where}.")

    def disk_full(self, error: BaseException) -> DiskFull | None:
        """DiskFull when `error` comes from a disk with no space left (else None)."""
        return disk_full(error, f"Giftbatch's records in {self.paths.data_dir}")

    def close(self) -> None:
        self.resources.close()


def password_from_env(variable: str | None) -> str | None:
    """The password held in the environment variable named by `--password-from-env` (None: none asked for)."""
    if not variable:
        return None
    password = os.environ.get(variable)
    if not password:
        raise UserInputError(
            f"The environment variable {variable} is not set. Put the workbook's password in it, or leave "
            "out --password-from-env."
        )
    return password
