"""Claim links and challenge answers encrypted in the journal (AES-GCM), the key in the OS keyring.

Whoever can read a claim link can spend the card, so the journal never holds one in clear: each line item's
claim data is sealed with AES-256-GCM before it is written, bound to its order and row (the associated data),
so a sealed value cannot be moved to another row either. The key is made on first use and kept in the OS
keyring; on a computer without one (headless Linux) it is kept in a file beside the journal that only the
user can read — and the app says so (`KeyPlace.note`), never silently. Sealed values name their key, so a
journal whose key moved (a keyring that came or went) still opens each value with the key it was sealed with.

Journals written before this kept claim data in clear: `seal_plain_claims` encrypts them when the journal is
opened, then rewrites the file and empties the WAL so that no clear copy is left on disk.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.errors
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.api.catalog_cache import write_atomically
from app.config.secrets import SERVICE, SecretStore
from app.domain.errors import GiftbatchError

log = logging.getLogger(__name__)

_PREFIX = "gb1:"  # format 1: gb1:<key id>:<base64 of nonce + ciphertext>
_NONCE_BYTES = 12
EMPTY_CLAIMS = "[]"  # a line item without claim data: nothing secret, stored as it is
_META = "CREATE TABLE IF NOT EXISTS journal_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
_KEY_ID = "claim_key_id"


class ClaimKeyMissing(GiftbatchError):
    """The key that sealed some claim data cannot be found here (another computer, a keyring not reachable)."""

    exit_code = 2


@dataclass(frozen=True)
class KeyPlace:
    """Where the journal's key is kept: the OS keyring, or a file (because there is no keyring)."""

    in_keyring: bool
    file: Path

    @property
    def note(self) -> str | None:
        """What to tell the user when the key is not in a keyring; None when it is."""
        if self.in_keyring:
            return None
        return (
            "This computer has no OS keyring, so the key that encrypts claim links in the journal is kept in "
            f"{self.file}, readable only by you. Anyone who can read both that file and the journal can read "
            "the claim links: keep them together, and back them up together."
        )


class ClaimSealer:
    """Seals and opens claim data for one journal. Thread-safe; the key is loaded (or made) on first use.

    `conn` gives a connection to the journal (its own, per thread): the current key's id lives in its
    `journal_meta` table, so every process that opens the journal uses the same key.
    """

    def __init__(self, journal_path: Path, secret_store: SecretStore | None = None) -> None:
        self.journal_path = journal_path
        self._store = secret_store or SecretStore()
        self._lock = threading.Lock()
        self._keys: dict[str, AESGCM] = {}
        self._current: str | None = None

    @property
    def key_file(self) -> Path:
        return self.journal_path.with_name(self.journal_path.name + ".keys")

    def place(self) -> KeyPlace:
        """Where the key is (or would be, when first needed) kept."""
        return KeyPlace(self._store.keyring_available(), self.key_file)

    # --- Sealing ---------------------------------------------------------------------------------------

    def seal(self, db: sqlite3.Connection, claims_json: str, po_number: str, row_key: str) -> str:
        """The claim data as stored: sealed, or `[]` as it is (nothing secret in it)."""
        if claims_json == EMPTY_CLAIMS:
            return claims_json
        key_id = self._current_key(db)
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._keys[key_id].encrypt(nonce, claims_json.encode(), _bound_to(po_number, row_key))
        return f"{_PREFIX}{key_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def open(self, stored: str, po_number: str, row_key: str) -> str:
        """The claim data's JSON from what is stored; ClaimKeyMissing when its key is not here."""
        if not stored.startswith(_PREFIX):
            return stored  # `[]`, or clear text not yet sealed
        key_id, _, payload = stored[len(_PREFIX) :].partition(":")
        cipher = self._key(key_id)
        try:
            raw = base64.b64decode(payload, validate=True)
            plain = cipher.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _bound_to(po_number, row_key))
        except (InvalidTag, binascii.Error, ValueError):
            raise ClaimKeyMissing(
                f"The claim data of order {po_number} in {self.journal_path} cannot be decrypted: it was "
                "changed, or sealed with another key of the same name."
            ) from None
        return plain.decode()

    # --- Keys ------------------------------------------------------------------------------------------

    def _current_key(self, db: sqlite3.Connection) -> str:
        """The id of the key new claim data is sealed with; made and recorded on first use."""
        with self._lock:
            if self._current is not None:
                return self._current
            found = db.execute("SELECT value FROM journal_meta WHERE key = ?", (_KEY_ID,)).fetchone()
            if found is not None:
                try:
                    self._key_locked(found[0])
                    self._current = found[0]
                    return self._current
                except ClaimKeyMissing:
                    # Its key is not reachable here (a keyring that is locked or gone): new data gets a new
                    # key; what the old one sealed stays sealed until it is back.
                    log.warning(
                        "The journal's claim key is not reachable; sealing new claim data with a new key"
                    )
            key_id = secrets.token_hex(8)
            key = AESGCM.generate_key(bit_length=256)
            self._save_key(key_id, key)
            db.execute(
                "INSERT INTO journal_meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (_KEY_ID, key_id),
            )
            self._keys[key_id] = AESGCM(key)
            self._current = key_id
            return key_id

    def _key(self, key_id: str) -> AESGCM:
        with self._lock:
            return self._key_locked(key_id)

    def _key_locked(self, key_id: str) -> AESGCM:
        cipher = self._keys.get(key_id)
        if cipher is not None:
            return cipher
        encoded = self._from_keyring(key_id) or _read_key_file(self.key_file).get(key_id)
        if encoded is None:
            where = "the OS keyring" if self._store.keyring_available() else f"{self.key_file}"
            raise ClaimKeyMissing(
                f"The key that encrypts the claim links in {self.journal_path} is not in {where}. It stays "
                "with the computer and user that sent the run (in the OS keyring, or in the file "
                f"{self.key_file.name} beside the journal): export the claim links there, or copy that file "
                "beside this journal."
            )
        cipher = AESGCM(base64.b64decode(encoded))
        self._keys[key_id] = cipher
        return cipher

    def _from_keyring(self, key_id: str) -> str | None:
        if not self._store.keyring_available():
            return None
        try:
            return keyring.get_password(SERVICE, _account(key_id))
        except keyring.errors.KeyringError:
            return None

    def _save_key(self, key_id: str, key: bytes) -> None:
        encoded = base64.b64encode(key).decode("ascii")
        if self._store.keyring_available():
            try:
                keyring.set_password(SERVICE, _account(key_id), encoded)
                return
            except keyring.errors.KeyringError as error:
                log.warning(
                    "The OS keyring refused the journal key (%s); keeping it in a file", type(error).__name__
                )
        keys = _read_key_file(self.key_file)
        keys[key_id] = encoded
        write_atomically(self.key_file, json.dumps({"format": 1, "keys": keys}))
        log.warning(
            "No OS keyring: the journal's claim key is kept in %s (readable only by this user)", self.key_file
        )


def ensure_meta(db: sqlite3.Connection) -> None:
    """The table that names the journal's current claim key (added beside any schema version)."""
    db.execute(_META)


def seal_plain_claims(db: sqlite3.Connection, sealer: ClaimSealer) -> int:
    """Encrypt claim data a journal holds in clear (written before encryption existed); how many rows.

    Runs in the caller's write transaction, with `secure_delete` on, so the clear text is overwritten with
    zeros in the pages it leaves; `scrub_file` then rewrites the file and empties the WAL.
    """
    plain = db.execute(
        "SELECT po_number, external_id, claim_data FROM line_results "
        "WHERE claim_data != ? AND claim_data NOT LIKE ?",
        (EMPTY_CLAIMS, _PREFIX + "%"),
    ).fetchall()
    if not plain:
        return 0
    db.execute("PRAGMA secure_delete = ON")
    db.executemany(
        "UPDATE line_results SET claim_data = ? WHERE po_number = ? AND external_id = ?",
        [(sealer.seal(db, data, po, key), po, key) for po, key, data in plain],
    )
    return len(plain)


def scrub_file(db: sqlite3.Connection) -> None:
    """Rewrite the whole database and empty its WAL, so no page that held clear text is left on disk."""
    try:
        db.execute("VACUUM")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError as error:  # another process has it open: the next open tries again
        log.warning("Could not compact the journal after encrypting its claim data: %s", error)


def _bound_to(po_number: str, row_key: str) -> bytes:
    return f"{po_number}\x00{row_key}".encode()


def _account(key_id: str) -> str:
    return f"journal-claims:{key_id}"


def _read_key_file(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        log.warning("Cannot read the journal key file %s: %s", path, error)
        return {}
    keys = data.get("keys") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in keys.items()} if isinstance(keys, dict) else {}
