"""Unlocking a profile's database with the key in the keyring, and rotating that key safely.

Rotation never leaves a moment where the only copy of the working key is gone:
1. the new key is stored in the keyring as *pending* (read back to be sure it stuck);
2. ``PRAGMA rekey`` re-encrypts every page in one transaction (old key or new, never a mix);
3. the new key replaces the main entry and the pending entry is deleted.
A crash anywhere leaves the database readable by the main key or by the pending one; opening
tries both and finishes (or forgets) the interrupted rotation.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from desktop_app.store import keys
from desktop_app.store.crashpoint import crash_point
from desktop_app.store.database import Connection, IntegrityWatch, StoreError, WrongKey, open_database, rekey

log = logging.getLogger(__name__)


class KeyMissing(StoreError):
    """The database exists but the keyring has no key for it (keyring reset or another machine)."""


def open_profile_database(path: Path, profile_id: str, *, watch: IntegrityWatch | None = None) -> Connection:
    """Open (or create) the profile's database with its keyring key; raise StoreError/KeyringUnavailable.

    ``watch`` hears from an integrity check deferred to the background (see store.database).
    """
    key = keys.load_database_key(profile_id)
    pending = keys.load_pending_database_key(profile_id)
    if key is None and pending is None:
        if path.exists():
            raise KeyMissing(
                "The key for this profile's message database is missing from the system keyring, so "
                "its history cannot be read. Move sealpost.db out of the profile folder to start afresh."
            )
        return open_database(path, keys.create_database_key(profile_id))
    if key is not None:
        try:
            connection = open_database(path, key, watch=watch)
        except WrongKey:
            if pending is None:
                raise
        else:
            if pending is not None:
                log.info("a key rotation was interrupted before re-encrypting; keeping the old key")
                keys.delete_pending_database_key(profile_id)
            return connection
    assert pending is not None
    connection = open_database(path, pending, watch=watch)
    log.info("a key rotation was interrupted after re-encrypting; finishing it")
    keys.store_database_key(profile_id, pending)
    keys.delete_pending_database_key(profile_id)
    return connection


def rotate_database_key(connection: Connection, profile_id: str) -> None:
    """Re-encrypt the open database with a fresh random key (caller holds the connection's lock)."""
    new_key = secrets.token_bytes(keys.DATABASE_KEY_BYTES)
    keys.store_pending_database_key(profile_id, new_key)
    crash_point("during_rekey")
    rekey(connection, new_key)
    crash_point("during_rekey")
    keys.store_database_key(profile_id, new_key)
    keys.delete_pending_database_key(profile_id)
