"""The base of every error a user can cause or meet: each carries a plain-language message."""


class GiftbatchError(Exception):
    """An error with a message fit to show a user as it is.

    The command line prints `message` on one line and exits with `exit_code`; the GUI shows it in a dialog.
    The message never holds a secret (access token, bearer token, claim link).
    """

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UserInputError(GiftbatchError):
    """Something the user gave us (a file, a name, an option) cannot be used; the message says how to fix it."""

    exit_code = 2
