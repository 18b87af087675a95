"""Unlocking a profile's database with the key in the keyring, and rotating that key safely.

Rotation never leaves a moment where the only copy of the working key is gone:
1. the new key is stored in the keyring as *pending* (read back to be sure it stuck);
2. ``PRAGMA rekey`` re-encrypts every page in one transaction (old key or new, never a mix);
3. the new key replaces the main entry and the pending entry is deleted.
A crash anywhere leaves the database readable by the main key or by the pending one; opening
tries both and finishes (or forgets) the interrupted rotation.

Only a database file that does not exist is new. An empty or cut-short file is damaged whether or
not the keyring has a key for it (no key would make it readable), and a key is never created or
replaced to get past a file that exists. The profile's id is copied to its own file before the
first key is made under it (``store.identity``), so a damaged settings file cannot orphan it.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from desktop_app.store import identity, keys
from desktop_app.store.crashpoint import crash_point
from desktop_app.store.database import (
    Connection,
    DamagedDatabase,
    IntegrityWatch,
    StoreError,
    WrongKey,
    check_file_shape,
    open_database,
    rekey,
)

log = logging.getLogger(__name__)


class KeyMissing(StoreError):
    """The database exists but the keyring has no key for it (keyring reset or another machine)."""


def open_profile_database(path: Path, profile_id: str, *, watch: IntegrityWatch | None = None) -> Connection:
    """Open (or create) the profile's database with its keyring key; raise StoreError/KeyringUnavailable.

    ``watch`` hears from an integrity check deferred to the background (see store.database).
    Raises DamagedDatabase for an empty or cut-short file before asking the keyring anything.
    """
    check_file_shape(path)
    key = keys.load_database_key(profile_id)
    exists = path.exists()
    # A rotation's pending key matters only to a database that exists (a new one gets a new key).
    pending = keys.load_pending_database_key(profile_id) if exists else None
    if key is not None or pending is not None or exists:
        _keep_identity(path.parent, profile_id)  # a profile made before the identity file existed
    if key is None and pending is None:
        if exists:
            if keys.search_every_keyring():  # the key may be where keyring's full search looks
                return open_profile_database(path, profile_id, watch=watch)
            raise KeyMissing(
                "The key for this profile's message database is missing from the system keyring, so "
                "its history cannot be read. Move sealpost.db out of the profile folder to start afresh."
            )
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _keep_identity(path.parent, profile_id)
        return open_database(path, keys.create_database_key(profile_id))
    refused: StoreError | None = None
    if key is not None:
        try:
            connection = open_database(path, key, watch=watch)
        except (WrongKey, DamagedDatabase) as error:
            # A rotation killed after its commit leaves new-key pages in the WAL over old-key pages
            # in the file: to the old key that looks like damage (some pages pass, page 1 fails).
            if pending is None:
                raise
            refused = error
        else:
            if pending is not None:
                log.info("a key rotation was interrupted before re-encrypting; keeping the old key")
                keys.delete_pending_database_key(profile_id)
            return connection
    assert pending is not None
    try:
        connection = open_database(path, pending, watch=watch)
    except WrongKey:
        if refused is not None:
            raise refused from None  # the pending key fits no better: the main key's verdict stands
        raise
    log.info("a key rotation was interrupted after re-encrypting; finishing it")
    keys.store_database_key(profile_id, pending)
    keys.delete_pending_database_key(profile_id)
    return connection


def _keep_identity(directory: Path, profile_id: str) -> None:
    """Write the folder's identity file if it has none; one that exists is never touched here (the
    profile loader sets a damaged one aside and names it)."""
    try:
        recorded = identity.read_identity(directory)
    except ValueError:
        return
    if recorded is None and identity.is_valid_profile_id(profile_id):
        identity.record_identity(directory, profile_id)
    elif recorded is not None and recorded != profile_id:
        log.warning("the profile folder's identity file names another profile id; left as it is")


def rotate_database_key(connection: Connection, profile_id: str) -> None:
    """Re-encrypt the open database with a fresh random key (caller holds the connection's lock)."""
    new_key = secrets.token_bytes(keys.DATABASE_KEY_BYTES)
    keys.store_pending_database_key(profile_id, new_key)
    crash_point("during_rekey")
    rekey(connection, new_key)
    crash_point("during_rekey")
    keys.store_database_key(profile_id, new_key)
    keys.delete_pending_database_key(profile_id)
