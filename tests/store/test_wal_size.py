"""The write-ahead log shrinks back once a checkpoint has emptied it (store/database.py).

A reader that stays on an old snapshot while another connection writes keeps every checkpoint from
starting the log over, so it grows (a window reading while a mail merge sends). SQLite then reuses
the file from its start but never shrinks it by itself: without a size limit the encrypted pages of
the whole run stay on disk for as long as the profile is open.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from desktop_app.store.database import WAL_SIZE_LIMIT_BYTES, close_database, open_database

KEY = b"k" * 32


def test_the_log_is_cut_back_once_a_reader_lets_go(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    writer = open_database(path, KEY)
    reader = open_database(path, KEY)
    wal = path.with_name(path.name + "-wal")
    try:
        writer.execute("CREATE TABLE filler (body BLOB)")
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # holds its snapshot from here
        while wal.stat().st_size <= 2 * WAL_SIZE_LIMIT_BYTES:
            with writer:
                writer.executemany("INSERT INTO filler VALUES (?)", [(secrets.token_bytes(4000),)] * 200)
        grown = wal.stat().st_size
        reader.execute("COMMIT")  # lets go: the next checkpoint can empty the log
        writer.execute("PRAGMA wal_checkpoint(PASSIVE)")
        with writer:
            writer.execute("DELETE FROM filler WHERE rowid = 1")  # the next write starts the log over
        writer.execute("PRAGMA wal_checkpoint(PASSIVE)")
        assert grown > 2 * WAL_SIZE_LIMIT_BYTES
        assert wal.stat().st_size <= WAL_SIZE_LIMIT_BYTES
    finally:
        close_database(reader)
        close_database(writer)
