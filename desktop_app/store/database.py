"""Opening the encrypted SQLCipher database and keeping its schema current.

The database is opened with a raw 256-bit key (no passphrase derivation: the key is random and
lives in the keyring, so PBKDF2 would only add 150 ms to every open). WAL with synchronous=FULL
makes each outbox transition durable before the next network call.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TypeAlias, cast

import sqlcipher3
from sqlcipher3 import dbapi2

SCHEMA_VERSION = 1
"""``PRAGMA user_version``: major * 1000 + minor. A newer major version is refused."""

DatabaseError = dbapi2.DatabaseError
# sqlcipher3 mirrors the sqlite3 module's API exactly; type it as such so mypy checks our calls.
Connection: TypeAlias = sqlite3.Connection


class StoreError(RuntimeError):
    """The database cannot be used; the message says why and what to do."""


class WrongKey(StoreError):
    pass


class DiskFull(StoreError):
    pass


MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL,
        send_at REAL,
        last_error TEXT NOT NULL DEFAULT '',
        tracking_id TEXT,
        accepted_at REAL,
        subject TEXT NOT NULL,
        recipients TEXT NOT NULL,
        payload TEXT NOT NULL,
        batch_id TEXT,
        batch_row INTEGER,
        tag TEXT NOT NULL DEFAULT '',
        delivery_summary TEXT NOT NULL DEFAULT '',
        final_delivery INTEGER NOT NULL DEFAULT 0,
        next_poll_at REAL,
        resend_of INTEGER REFERENCES messages(id)
    );
    CREATE INDEX messages_state ON messages(state, next_attempt_at);
    CREATE INDEX messages_created ON messages(created_at);
    CREATE INDEX messages_poll ON messages(final_delivery, next_poll_at) WHERE tracking_id IS NOT NULL;
    CREATE UNIQUE INDEX messages_batch_row ON messages(batch_id, batch_row) WHERE batch_id IS NOT NULL;
    CREATE VIRTUAL TABLE messages_fts USING fts5(subject, body, recipients, tokenize='unicode61');

    CREATE TABLE recipient_status (
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        recipient TEXT NOT NULL,
        delivery_status TEXT NOT NULL,
        delivery_time TEXT NOT NULL DEFAULT '',
        opened_status TEXT NOT NULL DEFAULT '',
        opened_time TEXT NOT NULL DEFAULT '',
        updated_at REAL NOT NULL,
        PRIMARY KEY (message_id, recipient)
    );
    CREATE TABLE status_events (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        at REAL NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX status_events_message ON status_events(message_id, at);
    CREATE TABLE activity (
        id INTEGER PRIMARY KEY,
        at REAL NOT NULL,
        method TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        status INTEGER,
        latency_ms REAL NOT NULL,
        attempt INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        tracking_id TEXT NOT NULL DEFAULT '',
        error TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at REAL NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        message_id INTEGER,
        detail TEXT NOT NULL DEFAULT '',
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TABLE known_domains (domain TEXT PRIMARY KEY, first_sent_at REAL NOT NULL);
    """,
}


def _key_pragma(key: bytes) -> str:
    if len(key) != 32:
        raise ValueError("the database key must be 32 bytes")
    return f"PRAGMA key = \"x'{key.hex()}'\""


def open_database(path: Path, key: bytes) -> Connection:
    """Open (creating if needed) and migrate; raise StoreError with plain words on any problem."""
    path.parent.mkdir(parents=True, exist_ok=True)
    creating = not path.exists()
    try:
        connection = cast(Connection, sqlcipher3.connect(str(path), check_same_thread=False, isolation_level=None))
    except DatabaseError as error:
        raise StoreError(f"The message database could not be opened: {error}") from None
    try:
        connection.execute(_key_pragma(key))
        connection.execute("PRAGMA cipher_memory_security = ON")
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except DatabaseError:
            raise WrongKey(
                "The message database cannot be decrypted with the key in the system keyring. "
                "If the keyring was reset, the old history cannot be read; move the profile's "
                "sealpost.db aside to start afresh."
            ) from None
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA foreign_keys = ON")
        # Purged history is overwritten, not merely unlinked from the page tree.
        connection.execute("PRAGMA secure_delete = ON")
        connection.execute("PRAGMA temp_store = MEMORY")  # sorts and indexes never spill to /tmp
        connection.execute("PRAGMA busy_timeout = 5000")
        if not creating:
            check_integrity(connection)
        migrate(connection)
        if creating:
            os.chmod(path, 0o600)
    except BaseException:
        connection.close()
        raise
    return connection


def check_integrity(connection: Connection) -> None:
    result = connection.execute("PRAGMA integrity_check").fetchone()
    if not result or result[0] != "ok":
        raise StoreError(
            "The message database is damaged (integrity check failed). Close Sealpost and restore "
            "the profile from a backup, or contact support."
        )


def migrate(connection: Connection) -> None:
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    major = version // 1000 if version >= 1000 else version
    if major > SCHEMA_VERSION:
        raise StoreError(
            "This message database was written by a newer version of Sealpost; update Sealpost to open it."
        )
    for target in range(major + 1, SCHEMA_VERSION + 1):
        with transaction(connection):
            for statement in _statements(MIGRATIONS[target]):
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {target}")


def _statements(script: str) -> Iterator[str]:
    """Split a migration into statements, keeping trigger bodies (which contain ';') whole."""
    buffer: list[str] = []
    for line in script.strip().splitlines():
        buffer.append(line)
        joined = "\n".join(buffer).strip()
        if joined.endswith(";") and (not joined.upper().startswith("CREATE TRIGGER") or joined.endswith("END;")):
            yield joined
            buffer = []
    rest = "\n".join(buffer).strip()
    if rest:
        yield rest


@contextlib.contextmanager
def transaction(connection: Connection) -> Iterator[Connection]:
    """One atomic unit: BEGIN IMMEDIATE … COMMIT, rolled back on any exception."""
    try:
        connection.execute("BEGIN IMMEDIATE")
    except DatabaseError as error:
        raise _translate(error) from None
    try:
        yield connection
        connection.execute("COMMIT")
    except DatabaseError as error:
        _rollback(connection)
        raise _translate(error) from None
    except BaseException:
        _rollback(connection)
        raise


def _rollback(connection: Connection) -> None:
    """Roll back if a transaction is still open: SQLite may already have ended it itself (disk full,
    I/O error), and a failing ROLLBACK must not hide the error that caused it."""
    if connection.in_transaction:
        connection.execute("ROLLBACK")


def _translate(error: Exception) -> Exception:
    text = str(error).lower()
    if "full" in text:
        return DiskFull(
            "The disk is full, so Sealpost could not save. Nothing was lost; free some space and try again."
        )
    return error


def rekey(connection: Connection, new_key: bytes) -> None:
    """Re-encrypt the whole database with ``new_key`` (the caller stores the key first)."""
    connection.execute(_key_pragma(new_key).replace("PRAGMA key", "PRAGMA rekey"))


__all__ = ["Connection", "DiskFull", "StoreError", "WrongKey", "open_database", "rekey", "transaction"]
