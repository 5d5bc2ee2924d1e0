"""Connection profiles: the built-in sandbox plus the user's vendor accounts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.api.base_url import check_base_url
from app.config.secrets import SecretStore
from app.config.settings import ProfileConfig, SettingsStore
from app.domain.errors import UserInputError

SANDBOX_PROFILE = "sandbox"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


@dataclass(frozen=True)
class Profile:
    """A profile as the app uses it. The built-in sandbox has no base URL: it is started on demand."""

    name: str
    base_url: str = ""
    email: str = ""

    @property
    def is_sandbox(self) -> bool:
        return self.name == SANDBOX_PROFILE

    def describe(self) -> str:
        if self.is_sandbox:
            return "built-in sandbox (no account needed, no real money)"
        return f"{self.base_url} as {self.email}"


SANDBOX = Profile(SANDBOX_PROFILE)


class ProfileStore:
    """Adds, finds and removes profiles; settings hold name, URL and Email, the keyring holds the AccessToken."""

    def __init__(self, settings: SettingsStore, secrets: SecretStore) -> None:
        self.settings = settings
        self.secrets = secrets

    def list(self) -> list[Profile]:
        configured = [Profile(p.name, p.base_url, p.email) for p in self.settings.load().profiles]
        return [SANDBOX, *configured]

    def get(self, name: str | None = None) -> Profile:
        """The named profile, or the active one when no name is given."""
        wanted = name or self.settings.load().active_profile
        found = next((p for p in self.list() if p.name == wanted), None)
        if found is None:
            known = ", ".join(p.name for p in self.list())
            raise UserInputError(
                f"There is no profile named '{wanted}'. Known profiles: {known}. "
                "Add one with 'giftbatch profile add NAME --base-url URL --email EMAIL'."
            )
        return found

    def add(self, name: str, base_url: str, email: str, access_token: str | None) -> Profile:
        """Check and store a profile; the token (if any) goes to the keyring first, so a failure leaves nothing."""
        _check_name(name)
        base_url = check_base_url(base_url)
        _check_email(email)
        settings = self.settings.load()
        if settings.profile(name) is not None:
            raise UserInputError(
                f"A profile named '{name}' exists already. Remove it first or pick another name."
            )
        if access_token is not None:
            if not access_token.strip():
                raise UserInputError(
                    "The AccessToken is empty. Copy it from the vendor's portal and try again."
                )
            self.secrets.save(name, access_token.strip())
        settings.profiles.append(ProfileConfig(name=name, base_url=base_url, email=email.strip()))
        self.settings.save(settings)
        return Profile(name, base_url, email.strip())

    def add_without_token(self, name: str, base_url: str, email: str) -> Profile:
        """Store a profile with no AccessToken (no keyring here): GIFTBATCH_ACCESS_TOKEN then supplies it."""
        return self.add(name, base_url, email, None)

    def update(self, name: str, base_url: str, email: str, access_token: str | None = None) -> Profile:
        """Change a profile's URL and Email; a new AccessToken (when given) replaces the stored one first."""
        if name == SANDBOX_PROFILE:
            raise UserInputError("The built-in sandbox profile cannot be changed.")
        base_url = check_base_url(base_url)
        _check_email(email)
        settings = self.settings.load()
        stored = settings.profile(name)
        if stored is None:
            raise UserInputError(f"There is no profile named '{name}' to change.")
        if access_token is not None and access_token.strip():
            self.secrets.save(name, access_token.strip())
        stored.base_url, stored.email = base_url, email.strip()
        self.settings.save(settings)
        return Profile(name, base_url, email.strip())

    def remove(self, name: str) -> None:
        if name == SANDBOX_PROFILE:
            raise UserInputError("The built-in sandbox profile cannot be removed.")
        settings = self.settings.load()
        if settings.profile(name) is None:
            self.get(name)  # raises the unknown-profile message
        settings.profiles = [p for p in settings.profiles if p.name != name]
        if settings.active_profile == name:
            settings.active_profile = SANDBOX_PROFILE
        self.settings.save(settings)
        self.secrets.delete(name)

    def set_active(self, name: str) -> None:
        self.get(name)
        settings = self.settings.load()
        settings.active_profile = name
        self.settings.save(settings)


def _check_name(name: str) -> None:
    if name == SANDBOX_PROFILE:
        raise UserInputError("'sandbox' is the built-in sandbox profile; pick another name.")
    if not _NAME.match(name):
        raise UserInputError(
            f"'{name}' cannot be a profile name: use 1 to 40 letters, digits, '-', '_' or '.', starting with a "
            "letter or digit."
        )


def _check_email(email: str) -> None:
    if "@" not in email.strip() or " " in email.strip():
        raise UserInputError(
            f"'{email}' is not an email address. Give the Email the vendor issued the AccessToken for."
        )
