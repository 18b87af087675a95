"""Schema 2000: each letter in ``message_payloads``, written once, never rewritten by a move of its message.

The seams: a database of schema 1009 whose letters sit in ``messages`` migrates and still reads
and sends them; a new row's letter is only in the new table; and a letter leaves with its message
(a deleted draft, a purged message) instead of lingering as patient data nobody can see.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import sqlcipher3

from desktop_app.core.message import message_to_dict
from desktop_app.core.outbox_state import OutboxState
from desktop_app.store import database
from desktop_app.store.database import MIGRATIONS, open_database, transaction
from desktop_app.store.messages import MessageStore
from tests.helpers.messages import make_message

KEY = secrets.token_bytes(32)


def create_version_1009(path: Path, letter: str) -> None:
    """A database as schema 1009 left it, with a queued message whose letter is in ``messages.payload``."""
    connection = sqlcipher3.connect(str(path), isolation_level=None)
    connection.execute(f"PRAGMA key = \"x'{KEY.hex()}'\"")
    with transaction(connection) as db:
        for version in sorted(v for v in MIGRATIONS if v <= 1009):
            for statement in database._statements(MIGRATIONS[version]):
                db.execute(statement)
        db.execute("PRAGMA user_version = 1009")
        db.execute(
            "INSERT INTO messages (uid, created_at, updated_at, state, subject, recipients, payload) "
            "VALUES ('u1', 1.0, 1.0, 'queued', 'Lab results', 'Pat <pat@example.org>', ?)",
            (letter,),
        )
    connection.close()


def test_a_letter_stored_inline_by_schema_1009_is_read_and_claimed_after_the_migration(tmp_path: Path) -> None:
    original = make_message(text="Your results are ready.", html="<p>Your results are ready.</p>")
    create_version_1009(tmp_path / "old.db", json.dumps(message_to_dict(original)))
    store = MessageStore(open_database(tmp_path / "old.db", KEY))
    try:
        assert store._db.execute("PRAGMA user_version").fetchone()[0] == 2000
        [stored] = store.claim_due(now=2.0, limit=10, owner="me")
        assert stored.message == original
        assert store.get(stored.id).message == original
    finally:
        store.close()


def test_a_new_letter_is_kept_once_in_its_own_table_and_survives_every_move(tmp_path: Path) -> None:
    store = MessageStore(open_database(tmp_path / "s.db", KEY))
    try:
        message = make_message(html="<p>" + "Dear patient, " * 700 + "</p>")  # ≈ 10 KB: overflow pages
        stored = store.add(message)
        ids = store.add_batch("batch-1", [(1, make_message(subject="Reminder"))])
        inline = dict(store._db.execute("SELECT id, payload FROM messages"))
        assert inline == {stored.id: "", ids[0]: ""}
        kept = dict(store._db.execute("SELECT message_id, payload FROM message_payloads"))
        assert json.loads(kept[stored.id]) == message_to_dict(message)
        [claimed] = [m for m in store.claim_due(now=stored.created_at + 1, limit=5, owner="me") if m.id == stored.id]
        store.mark_on_wire("me", [([stored.id], "r1", claimed.created_at)])
        assert store.get(stored.id).state is OutboxState.SENDING
        assert store.get(stored.id).message == message
        edited = make_message(subject="Lab results (corrected)")
        draft = store.save_draft(make_message(subject="draft"))
        store.save_draft(edited, draft)
        assert store.get(draft).message == edited
        rows = store._db.execute("SELECT COUNT(*) FROM message_payloads WHERE message_id = ?", (draft,)).fetchone()
        assert rows[0] == 1
    finally:
        store.close()


def test_a_deleted_draft_or_purged_message_leaves_no_letter_behind(tmp_path: Path) -> None:
    store = MessageStore(open_database(tmp_path / "s.db", KEY))
    try:
        draft = store.save_draft(make_message(subject="draft about Pat"))
        sent = store.add(make_message(subject="sent long ago"))
        store.claim_due(now=sent.created_at + 1, limit=5, owner="me")
        store.transition(sent.id, OutboxState.ACCEPTED, expected=(OutboxState.SENDING,), tracking_id="t")
        store.delete_draft(draft)
        assert store.purge_older_than(sent.created_at + 10) == 1
        assert store._db.execute("SELECT COUNT(*) FROM message_payloads").fetchone()[0] == 0
    finally:
        store.close()
