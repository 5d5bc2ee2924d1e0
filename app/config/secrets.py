"""AccessTokens in the OS keyring; where there is none, the environment — never a file of ours."""

from __future__ import annotations

import os

import keyring
import keyring.errors
from keyring.backends import fail

from app.domain.errors import GiftbatchError

SERVICE = "Giftbatch"
TOKEN_ENV = "GIFTBATCH_ACCESS_TOKEN"  # noqa: S105 (the name of a variable, not a secret)

NO_KEYRING_HELP = (
    "This computer has no password store that Giftbatch can use (no OS keyring), so the AccessToken "
    "cannot be saved. Either start or install one (Windows Credential Manager and macOS Keychain are "
    "built in; on Linux, GNOME Keyring or KWallet in a desktop session), or give the AccessToken in the "
    f"environment variable {TOKEN_ENV} each time Giftbatch runs. Giftbatch never stores it in a plain file."
)


class NoKeyringError(GiftbatchError):
    """There is no keyring backend on this machine."""

    exit_code = 2


class MissingSecretError(GiftbatchError):
    exit_code = 2


class SecretStore:
    """Reads and writes AccessTokens by profile name; `GIFTBATCH_ACCESS_TOKEN`, when set, wins for every profile."""

    def keyring_available(self) -> bool:
        backend = keyring.get_keyring()
        return not isinstance(backend, fail.Keyring) and backend.priority > 0

    def save(self, profile: str, access_token: str) -> None:
        if not self.keyring_available():
            raise NoKeyringError(NO_KEYRING_HELP)
        try:
            keyring.set_password(SERVICE, _account(profile), access_token)
        except keyring.errors.KeyringError as error:
            raise NoKeyringError(
                f"The OS keyring refused to store the AccessToken ({type(error).__name__}). "
                + NO_KEYRING_HELP
            ) from None

    def load(self, profile: str) -> str | None:
        from_env = os.environ.get(TOKEN_ENV)
        if from_env:
            return from_env
        if not self.keyring_available():
            return None
        try:
            return keyring.get_password(SERVICE, _account(profile))
        except keyring.errors.KeyringError:
            return None

    def require(self, profile: str) -> str:
        token = self.load(profile)
        if token:
            return token
        where = "in the OS keyring" if self.keyring_available() else "(this computer has no OS keyring)"
        raise MissingSecretError(
            f"No AccessToken is stored for profile '{profile}' {where}. Add it again with "
            f"'giftbatch profile add {profile} …', or set {TOKEN_ENV}."
        )

    def delete(self, profile: str) -> None:
        if not self.keyring_available():
            return
        try:
            keyring.delete_password(SERVICE, _account(profile))
        except keyring.errors.PasswordDeleteError:
            pass  # nothing stored: removing it is already done
        except keyring.errors.KeyringError:
            pass


def _account(profile: str) -> str:
    return f"profile:{profile}"
