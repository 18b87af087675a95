"""Opening the encrypted SQLCipher database and keeping its schema current.

The database is opened with a raw 256-bit key (no passphrase derivation: the key is random and
lives in the keyring, so PBKDF2 would only add 150 ms to every open). WAL with synchronous=FULL
makes each outbox transition durable before the next network call.

The full ``PRAGMA integrity_check`` reads every page, ≈ 2 s for a 230 MB history, so it runs
before the open returns only when it matters most or costs little: after a session that did not
close cleanly (an "in use" marker file next to the database, created on open and removed by
:func:`close_database`; it holds no PHI) or for a database under ``SYNC_CHECK_BELOW_BYTES``.
Otherwise it runs after start-up on its own read-only connection in a background thread (WAL lets
it read beside the writer) and reports a failure through an :class:`IntegrityWatch`. Every page
read on any path is still authenticated by SQLCipher's per-page HMAC.

Damage is never mistaken for a new database or for a wrong key (see :func:`open_database`), and
nothing is ever deleted or replaced to get past it: the user is told what to do. Every file the
database uses (the file itself, ``-wal``, ``-shm``, the in-use marker) is 0600 in a 0700 folder.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import logging
import os
import secrets
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeAlias, cast

import sqlcipher3
from sqlcipher3 import dbapi2

from desktop_app.core.errors import KnownError
from desktop_app.store.identity import fsync_directory, move_into_place

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2000
"""``PRAGMA user_version``: major * 1000 + minor (the first schema wrote plain 1, meaning 1000).

A newer major version is refused. A minor version only adds what older code may ignore (indexes,
triggers), so an older Sealpost still opens the database after a minor migration. Version 2 moved
the letters out of ``messages`` (see the migration): code of version 1 would read them as empty,
so it must refuse such a database, and does.
"""

DatabaseError = dbapi2.DatabaseError
# sqlcipher3 mirrors the sqlite3 module's API exactly; type it as such so mypy checks our calls.
Connection: TypeAlias = sqlite3.Connection


class StoreError(KnownError, RuntimeError):
    """The database cannot be used; the message says why and what to do."""


class WrongKey(StoreError):
    pass


class DamagedDatabase(StoreError):
    """The file exists but is not a whole, readable database: empty, cut short or with damaged pages."""


class DiskFull(StoreError):
    pass


MIGRATIONS: dict[int, str] = {
    1000: """
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
    # Listing, claiming and tracking without scanning the table (docs/benchmarks.md, scenarios 1 and 5):
    # the outbox claims and the views list by (state, created_at); a tracked, not yet final message
    # always has a poll time (0 = now, never NULL), so the tracker's queries are range scans of a
    # small partial index instead of sorting decrypted rows.
    1001: """
    CREATE INDEX messages_state_created ON messages(state, created_at, id);
    UPDATE messages SET next_poll_at = 0
        WHERE next_poll_at IS NULL AND tracking_id IS NOT NULL AND final_delivery = 0;
    DROP INDEX messages_poll;
    CREATE INDEX messages_due_poll ON messages(next_poll_at, accepted_at, id)
        WHERE state = 'accepted' AND final_delivery = 0 AND tracking_id IS NOT NULL;
    CREATE TRIGGER messages_poll_new_tracking AFTER UPDATE OF tracking_id ON messages
        WHEN NEW.tracking_id IS NOT NULL AND NEW.final_delivery = 0 AND NEW.next_poll_at IS NULL
        BEGIN UPDATE messages SET next_poll_at = 0 WHERE id = NEW.id; END;
    """,
    # The history chart counts sent/delivered/bounced/opened per day from index entries alone:
    # reading 15,000 full rows of a large history took 150-230 ms and held the store meanwhile.
    1002: """
    CREATE INDEX messages_history_chart ON messages(state, created_at, accepted_at, delivery_summary);
    CREATE INDEX recipient_status_opened ON recipient_status(message_id) WHERE opened_status = 'opened';
    """,
    # Claims belong to someone (services/ownership.py): ``claimed_by`` names the sending owner that
    # moved a row to 'sending'; ``on_wire_at`` is when its request started writing (before that
    # instant the message provably never left this machine); ``request_group`` names the request a
    # message went out in, so the user can resolve an ambiguous request's messages together.
    # ``updated_at`` is indexed so a process can find what another process changed.
    1003: """
    ALTER TABLE messages ADD COLUMN claimed_by TEXT;
    ALTER TABLE messages ADD COLUMN on_wire_at REAL;
    ALTER TABLE messages ADD COLUMN request_group TEXT;
    CREATE INDEX messages_updated ON messages(updated_at);
    CREATE INDEX messages_request_group ON messages(request_group) WHERE request_group IS NOT NULL;
    UPDATE messages SET request_group = 'legacy-' || id WHERE state = 'outcome_unknown';
    """,
    # Single messages waiting to be sent, apart from mail-merge rows: the outbox's claims and due
    # counts for singles (``bulk=False``) read only these entries, never the rows of a large batch
    # queued at the same time (docs/benchmarks.md, scenario 9). Only an index: a minor version.
    1004: """
    CREATE INDEX messages_due_single ON messages(created_at, id, next_attempt_at)
        WHERE state = 'queued' AND batch_id IS NULL;
    """,
    # Syslog forwarding of the audit trail (store/audit_forwarding.py): per collector, the newest
    # audit entry it is known to have; the backlog is the audit entries after it. A table older
    # code ignores: a minor version.
    1005: """
    CREATE TABLE audit_forwarding (
        target TEXT PRIMARY KEY,
        confirmed_id INTEGER NOT NULL,
        updated_at REAL NOT NULL
    );
    """,
    # The spell checker's personal dictionary (store/dictionary.py): words can be patients' names,
    # so they are kept encrypted here. A new table beside the others: a minor version.
    1006: """
    CREATE TABLE personal_words (
        word TEXT PRIMARY KEY,
        added_at REAL NOT NULL
    );
    """,
    # The address book (store/contacts.py): contacts, and their addresses with how each was verified,
    # by whom, when, "do not email" and bounces. New tables an older Sealpost ignores: a minor version.
    1007: """
    CREATE TABLE contacts (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL DEFAULT 'person',
        display_name TEXT NOT NULL,
        organisation TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE contact_addresses (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        email TEXT NOT NULL,
        email_key TEXT NOT NULL UNIQUE,
        verified_how TEXT NOT NULL DEFAULT '',
        verified_by TEXT NOT NULL DEFAULT '',
        verified_at REAL,
        do_not_email INTEGER NOT NULL DEFAULT 0,
        bounced_at REAL,
        source TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX contact_addresses_contact ON contact_addresses(contact_id);
""",
    # The history's delivery-status filter reads the messages with that status from an index, not
    # every recipient status (docs/benchmarks.md, scenario 11: a million messages). Only an index.
    1008: """
    CREATE INDEX recipient_status_delivery ON recipient_status(delivery_status, message_id);
    """,
    1009: """
    CREATE INDEX messages_batch_states ON messages(batch_id, id, state) WHERE batch_id IS NOT NULL;
    """,
    # Each letter in a table of its own, written once. SQLite rewrites a whole row, overflow pages and
    # all, on any change to it: with the letter in ``messages``, each of a message's three moves while
    # sending (claimed, on the wire, accepted) re-encrypted its whole letter, 0.14 to 0.22 ms a message a
    # move for a 10 KB one, all of it under the store's lock (docs/benchmarks.md, issue 19). Rows stored before
    # keep their letter in ``messages.payload``; new rows leave it empty (see rows.PAYLOAD).
    2000: """
    CREATE TABLE message_payloads (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        payload TEXT NOT NULL
    );
    """,
}

SYNC_CHECK_BELOW_BYTES = 32 * 2**20
"""Below this size the full integrity check runs before the open returns (≈ 0.3 s at most here);
above it, only after an unclean shutdown, else in the background after start-up."""

IN_USE_SUFFIX = ".in-use"
"""Marker next to the database while a session has it open; left behind by a crash. Empty: no PHI."""

PAGE_SIZE = 4096
"""SQLCipher 4's page size, which Sealpost never changes: a whole database file is a multiple of it."""

CREATING_SUFFIX = ".creating"
"""A new database is built under its name plus this (and a unique tail), moved into place when complete."""

_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26


def damaged_words(path: Path | str, what: str) -> str:
    """The message for a damaged database: what is wrong, that nothing was deleted, what to do."""
    name = Path(path).name
    return (
        f"The message database {name} is damaged ({what}). Nothing has been deleted. Close Sealpost, "
        f"then restore {name} from a backup, or move it aside (with any {name}-wal and {name}-shm next "
        f"to it) and Sealpost will start a new, empty history."
    )


_DAMAGED = damaged_words("sealpost.db", "the integrity check failed")


WAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024
"""What the write-ahead log is cut back to once a checkpoint has emptied it. SQLite reuses the file
from its start but never shrinks it otherwise: a 50,000-row mail merge sent beside an open window
(whose reads hold back checkpoints) left 157 MB of encrypted pages on disk for as long as any
process kept the profile open."""


def _key_pragma(key: bytes) -> str:
    if len(key) != 32:
        raise ValueError("the database key must be 32 bytes")
    return f"PRAGMA key = \"x'{key.hex()}'\""


BACKGROUND_CHECK_DELAY = 20.0
"""Seconds after opening before a deferred full check starts: reading a large file competes with
the first screen and the first searches for disk and CPU, which matter more in those seconds."""


class IntegrityWatch:
    """Runs the deferred full integrity check and tells its listeners if the database is damaged.

    A listener registered after the check failed is told at once, so the GUI may subscribe
    whenever it is ready. Listeners are called on the checking thread with a message for the user.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: list[Callable[[str], None]] = []
        self._problem: str | None = None
        self._thread: threading.Thread | None = None
        self._connection: Connection | None = None
        self._stopping = False
        self._stopped = threading.Event()

    @property
    def problem(self) -> str | None:
        """The message for the user if a check found damage, else None."""
        with self._lock:
            return self._problem

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def on_problem(self, listener: Callable[[str], None]) -> None:
        with self._lock:
            self._listeners.append(listener)
            problem = self._problem
        if problem is not None:
            listener(problem)

    def start(self, path: Path, key: bytes) -> None:
        """Check ``path`` on a new read-only connection in a daemon thread.

        A process that exits without :meth:`stop` still stops it first (atexit): a check left
        running while the interpreter and OpenSSL shut down crashes the process.
        """
        self._thread = threading.Thread(target=self._run, args=(path, key), name="integrity-check", daemon=True)
        atexit.register(self.stop)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Interrupt a running check (the app is closing) and wait for its thread."""
        atexit.unregister(self.stop)
        self._stopped.set()
        with self._lock:
            self._stopping = True
            if self._connection is not None:
                self._connection.interrupt()
        self.wait(timeout)

    def _run(self, path: Path, key: bytes) -> None:
        if self._stopped.wait(BACKGROUND_CHECK_DELAY):
            return
        try:
            connection = _connect(path, key, read_only=True)
        except DamagedDatabase as error:
            self._report(str(error))
            return
        except StoreError:
            log.exception("could not open the database for its background integrity check")
            return
        with self._lock:
            if self._stopping:
                connection.close()
                return
            self._connection = connection
        try:
            check_integrity(connection)
        except StoreError as error:
            self._report(str(error))
        except DatabaseError:
            with self._lock:
                stopping = self._stopping
            if not stopping:
                log.warning("the background integrity check could not finish", exc_info=True)
        finally:
            with self._lock:
                self._connection = None
            connection.close()

    def _report(self, problem: str) -> None:
        log.error("background integrity check failed: the message database is damaged")
        with self._lock:
            self._problem = problem
            listeners = list(self._listeners)
        for listener in listeners:
            listener(problem)


_wipe_freed_memory = False


def wipe_freed_memory() -> None:
    """Have SQLCipher lock its memory out of swap and wipe every block it frees, for the rest of the
    process (SQLCipher cannot turn it off again once a connection turns it on).

    Off by default, as in SQLCipher since 4.5: the key is wiped either way (SQLCipher frees key
    material with its wiping free), and the plaintext a session reads lives on in Python's and Qt's
    own memory, which nothing wipes, so it adds little; it costs a lock and an unlock of memory
    per allocation, about half of queueing a mail merge (docs/security.md). A site whose risk
    analysis asks for it sets the ``WipeDatabaseMemory`` policy."""
    global _wipe_freed_memory
    _wipe_freed_memory = True


def _connect(path: Path, key: bytes, *, read_only: bool = False) -> Connection:
    """Connect and unlock; WrongKey when the key does not decrypt the database, DamagedDatabase
    when it does but the file is not whole (see :func:`_unreadable`)."""
    target = f"file:{urllib.parse.quote(path.as_posix())}?mode=ro" if read_only else str(path)
    try:
        connection = cast(
            Connection, sqlcipher3.connect(target, uri=read_only, check_same_thread=False, isolation_level=None)
        )
    except DatabaseError as error:
        raise StoreError(f"The message database could not be opened: {error}") from None
    try:
        # SQLCipher's own log (process-wide) writes a line to stderr per page failing its HMAC: a damaged
        # file printed dozens before the one line that names the damage. Every failure it logs also
        # raises, and is named in words here, so the log says nothing a user needs.
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(_key_pragma(key))
        if _wipe_freed_memory:
            connection.execute("PRAGMA cipher_memory_security = ON")
        connection.execute("PRAGMA busy_timeout = 5000")
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except DatabaseError as error:
            raise _unreadable(path, key, error) from None
    except BaseException:
        connection.close()
        raise
    return connection


def in_use_marker(path: Path) -> Path:
    return path.with_name(path.name + IN_USE_SUFFIX)


def _wrong_key() -> WrongKey:
    return WrongKey(
        "The message database cannot be decrypted with the key in the system keyring. "
        "If the keyring was reset, the old history cannot be read; move the profile's "
        "sealpost.db aside to start afresh."
    )


def _error_code(error: BaseException) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _unreadable(path: Path, key: bytes, error: BaseException) -> StoreError:
    """Why the first read of a database failed: a wrong key, or damage.

    The rule, from what SQLCipher lets us check (each page carries its own HMAC, keyed from the
    key and the salt at the start of the file):

    * ``SQLITE_CORRUPT`` ("malformed") on the first read: page 1 decrypted and authenticated, so
      the key is right and the file is not whole (e.g. cut short: the header counts more pages
      than the file holds). Damage.
    * ``SQLITE_NOTADB`` ("file is not a database"): page 1 failed its HMAC, which a wrong key and a
      damaged page 1 both cause. ``PRAGMA cipher_integrity_check`` then checks every page's HMAC
      with this key: if any page passes, the key is right and page 1 is damaged (damage);
      if none passes, it is a wrong key. A file of random bytes of a whole number of pages is
      indistinguishable from one encrypted with another key and is reported as a wrong key.
      The check reads the file, not the WAL: after a key rotation killed between its commit and
      the checkpoint, page 1 comes from the WAL under the new key while the file's pages pass
      with the old one, so the old key sees "damage"; ``store.unlock`` then tries the pending key.
    * anything else (locked, I/O error) says nothing about the file: reported as it is.

    Empty and cut-short files never get here: :func:`check_file_shape` names them first.
    """
    code = _error_code(error)
    text = str(error).lower()
    if code == _SQLITE_CORRUPT or (code is None and "malformed" in text):
        return DamagedDatabase(damaged_words(path, "its pages do not add up; it may have been cut short"))
    if code == _SQLITE_NOTADB or (code is None and "not a database" in text):
        if _some_page_authenticates(path, key):
            return DamagedDatabase(damaged_words(path, "its first page is unreadable"))
        return _wrong_key()
    return StoreError(f"The message database could not be read: {error}")


def _some_page_authenticates(path: Path, key: bytes) -> bool:
    """True if at least one page of ``path`` passes its HMAC with ``key`` (reads the whole file;
    only on the error path). A file of one page cannot show it: page 1 already failed."""
    pages = path.stat().st_size // PAGE_SIZE
    if pages < 2:
        return False
    probe = cast(Connection, sqlcipher3.connect(str(path), isolation_level=None))
    try:
        probe.execute("PRAGMA cipher_log_level = NONE")  # one stderr line per failing page otherwise
        probe.execute(_key_pragma(key))
        rows = probe.execute("PRAGMA cipher_integrity_check").fetchall()
        failures = [row for row in rows if "hmac" in str(row[0]).lower()]
    except DatabaseError:
        return False
    finally:
        probe.close()
    return len(failures) < pages


def check_file_shape(path: Path) -> None:
    """Raise DamagedDatabase if ``path`` exists but cannot be a whole database: empty (SQLite would
    take a 0-byte file for a new, empty database) or not a whole number of pages (cut short).
    Needs no key; a missing file is fine (it is created)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    if size == 0:
        raise DamagedDatabase(damaged_words(path, "the file is empty, 0 bytes"))
    if size % PAGE_SIZE:
        raise DamagedDatabase(
            damaged_words(path, f"the file is cut short: {size} bytes is not a whole number of pages")
        )


def database_files(path: Path) -> list[Path]:
    """The database and the files SQLite and Sealpost keep next to it."""
    return [path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal", IN_USE_SUFFIX))]


def _make_private(path: Path) -> None:
    """0600 for a file that exists (one written by an older version may be 0644)."""
    with contextlib.suppress(FileNotFoundError):
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)


def _make_private_dir(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if directory.stat().st_mode & 0o077:
        os.chmod(directory, 0o700)


def _create(path: Path, key: bytes) -> None:
    """Build a new, migrated database beside ``path`` and move it into place only when complete.

    A crash part-way leaves only a ``.creating-…`` file (encrypted, no history; removed by a later
    creation), never a 0-byte or half-made ``path``, which would later read as damaged, or worse,
    as empty. The file is made 0600 before SQLite opens it, so its ``-wal`` and ``-shm`` (which
    copy its mode) are 0600 from the start. A ``path`` made meanwhile by another process is
    never replaced.
    """
    temp = path.with_name(f"{path.name}{CREATING_SUFFIX}-{os.getpid()}-{secrets.token_hex(4)}")
    os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        connection = _connect(temp, key)
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = FULL")
            migrate(connection)
        finally:
            connection.close()  # checkpoints the WAL into the file and removes it
        fd = os.open(temp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        move_into_place(temp, path)
        fsync_directory(path.parent)
    finally:
        for leftover in database_files(temp):
            leftover.unlink(missing_ok=True)
    cutoff = time.time() - 600  # a creation that crashed (none runs for minutes)
    for stale in path.parent.glob(f"{glob.escape(path.name)}{CREATING_SUFFIX}-*"):
        with contextlib.suppress(OSError):
            if stale.stat().st_mtime < cutoff:
                stale.unlink()


def open_database(path: Path, key: bytes, *, watch: IntegrityWatch | None = None) -> Connection:
    """Open (creating if needed) and migrate; raise StoreError with plain words on any problem.

    Only a missing file is new. An existing file that is empty, cut short or has damaged pages
    raises DamagedDatabase and is left exactly as it is; a key that decrypts no page raises
    WrongKey (the rule is in :func:`_unreadable`).

    A deferred integrity check reports to ``watch`` (by default one that only logs); close the
    connection with :func:`close_database` so the next open knows the session ended cleanly.
    """
    _make_private_dir(path.parent)
    creating = not path.exists()
    if creating:
        _create(path, key)
    check_file_shape(path)
    for companion in database_files(path):
        _make_private(companion)
    marker = in_use_marker(path)
    connection = _connect(path, key)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA foreign_keys = ON")
        # Purged history is overwritten, not merely unlinked from the page tree.
        connection.execute("PRAGMA secure_delete = ON")
        connection.execute("PRAGMA temp_store = MEMORY")  # sorts and indexes never spill to /tmp
        connection.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES}")
        check_later = False
        if not creating:
            if marker.exists() or path.stat().st_size < SYNC_CHECK_BELOW_BYTES:
                check_integrity(connection)
            else:
                check_later = True
        marker.touch(mode=0o600)
        migrate(connection)
    except DatabaseError as error:
        connection.close()
        raise _translate(error) from None
    except BaseException:
        connection.close()
        raise
    if check_later:
        (watch or IntegrityWatch()).start(path, key)
    return connection


def close_database(connection: Connection) -> None:
    """Close, and remove the in-use marker: the next open need not check the whole file first."""
    row = connection.execute("SELECT file FROM pragma_database_list WHERE name = 'main'").fetchone()
    connection.close()
    if row and row[0]:
        in_use_marker(Path(row[0])).unlink(missing_ok=True)


def check_integrity(connection: Connection) -> None:
    """Raise StoreError unless SQLite's full check passes. A page that fails SQLCipher's HMAC makes
    the check itself fail (SQLITE_CORRUPT): the same verdict in the same words. An operational
    error (interrupted, busy) says nothing about the file and propagates as it is."""
    try:
        result = connection.execute("PRAGMA integrity_check").fetchone()
    except dbapi2.OperationalError:
        raise
    except DatabaseError:
        raise DamagedDatabase(_DAMAGED) from None
    if not result or result[0] != "ok":
        raise DamagedDatabase(_DAMAGED)


def _schema_version(connection: Connection) -> int:
    version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    return version * 1000 if 0 < version < 1000 else version


def migrate(connection: Connection) -> None:
    """Bring the schema up to ``SCHEMA_VERSION``, one transaction per step.

    Each step re-reads the version inside its write transaction: two processes opening the same
    profile at once (the GUI and a batch) must not both apply it.
    """
    if _schema_version(connection) // 1000 > SCHEMA_VERSION // 1000:
        raise StoreError(
            "This message database was written by a newer version of Sealpost; update Sealpost to open it."
        )
    for target in sorted(v for v in MIGRATIONS if v <= SCHEMA_VERSION):
        with transaction(connection):
            if _schema_version(connection) >= target:
                continue
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
    code = _error_code(error)
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or "malformed" in text or "not a database" in text:
        return DamagedDatabase(damaged_words("sealpost.db", "a page could not be read"))
    return error


def rekey(connection: Connection, new_key: bytes) -> None:
    """Re-encrypt the whole database with ``new_key`` (the caller stores the key first)."""
    connection.execute(_key_pragma(new_key).replace("PRAGMA key", "PRAGMA rekey"))


__all__ = [
    "PAGE_SIZE", "Connection", "DamagedDatabase", "DiskFull", "IntegrityWatch", "StoreError", "WrongKey",
    "check_file_shape", "close_database", "open_database", "rekey", "transaction",
]  # fmt: skip
