"""The message store: outbox, history, per-recipient statuses, timeline, activity and audit log.

Every outbox transition is one transaction that checks the current state first, so two engines
(or a stale view) can never move a message along two paths. Methods are thread-safe: calls are
serialised on one connection, which keeps SQLite's single-writer rule trivially true.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from desktop_app.core.message import OutgoingMessage, message_to_dict
from desktop_app.core.outbox_state import OutboxState
from desktop_app.store.audit_log import AuditAnchor, AuditEntry
from desktop_app.store.batches import BatchQueries, BatchSummary
from desktop_app.store.crashpoint import crash_point
from desktop_app.store.database import Connection, DatabaseError, StoreError, transaction
from desktop_app.store.dictionary import DictionaryQueries
from desktop_app.store.groups import GroupQueries, Recovery, RequestGroup
from desktop_app.store.history import HistoryFilter, fts_query
from desktop_app.store.history_pages import HistoryPages
from desktop_app.store.rows import (
    MESSAGE_COLUMNS,
    UPDATABLE_FIELDS,
    Change,
    StatusEvent,
    StoredMessage,
    recipients_text,
    row_to_message,
)
from desktop_app.store.store_base import id_slices, unique_runs
from desktop_app.store.tracking import TrackingQueries, summarise
from desktop_app.store.unlock import rotate_database_key


class MessageStore(GroupQueries, TrackingQueries, HistoryPages, BatchQueries, DictionaryQueries):
    """The whole store; this part holds the outbox itself (add, drafts, transitions, claims, settling).

    The other parts live beside it by concern (see ``store/`` and docs/store.md).
    """

    # ------------------------------------------------------------------------------ outbox

    def add(
        self,
        message: OutgoingMessage,
        *,
        state: OutboxState = OutboxState.QUEUED,
        send_at: float | None = None,
        batch: tuple[str, int] | None = None,
        resend_of: int | None = None,
    ) -> StoredMessage:
        """Write a new message durably; nothing touches the network before this returns."""
        now = self._clock()
        with self._lock, transaction(self._db) as db:
            message_id = self._insert(db, now, message, state, send_at, batch, resend_of)
            crash_point("after_insert_before_commit")
        self._changed(message_id)
        return self.get(message_id)

    def _insert(
        self, db: Connection, now: float, message: OutgoingMessage, state: OutboxState, send_at: float | None,
        batch: tuple[str, int] | None, resend_of: int | None,
    ) -> int:  # fmt: skip
        recipients = recipients_text(message)
        cursor = db.execute(
            "INSERT INTO messages (uid, created_at, updated_at, state, send_at, subject, recipients, "
            "payload, batch_id, batch_row, tag, resend_of) VALUES (?,?,?,?,?,?,?,'',?,?,?,?)",
            (str(uuid.uuid4()), now, now, state.value, send_at, message.subject, recipients,
             batch[0] if batch else None, batch[1] if batch else None, message.tag, resend_of),
        )  # fmt: skip
        message_id = int(cursor.lastrowid or 0)
        db.execute("INSERT INTO message_payloads (message_id, payload) VALUES (?, ?)",
                   (message_id, json.dumps(message_to_dict(message))))  # fmt: skip
        db.execute(
            "INSERT INTO messages_fts (rowid, subject, body, recipients) VALUES (?,?,?,?)",
            (message_id, message.subject, message.text or message.html, recipients),
        )
        self._event(db, message_id, now, state.value, "")
        return message_id

    # ------------------------------------------------------------------------------ drafts

    def save_draft(self, message: OutgoingMessage, draft_id: int | None = None) -> int:
        """Autosave: create a draft, or overwrite draft ``draft_id`` (which must still be a draft)."""
        if draft_id is None:
            return self.add(message, state=OutboxState.DRAFT).id
        self.replace_content(draft_id, message, expected=OutboxState.DRAFT)
        return draft_id

    def replace_content(self, message_id: int, message: OutgoingMessage, *, expected: OutboxState) -> None:
        """Overwrite what a not-yet-sent message says (and its search index) in one transaction."""
        now = self._clock()
        recipients = recipients_text(message)
        with self._lock, transaction(self._db) as db:
            updated = db.execute(
                "UPDATE messages SET payload = '', subject = ?, recipients = ?, tag = ?, updated_at = ? "
                "WHERE id = ? AND state = ?",
                (message.subject, recipients, message.tag, now, message_id, expected.value),
            ).rowcount  # fmt: skip
            if updated != 1:
                raise StoreError(f"message {message_id} is no longer a {expected.value}")
            db.execute(
                "INSERT INTO message_payloads (message_id, payload) VALUES (?, ?) "
                "ON CONFLICT (message_id) DO UPDATE SET payload = excluded.payload",
                (message_id, json.dumps(message_to_dict(message))),
            )
            db.execute("DELETE FROM messages_fts WHERE rowid = ?", (message_id,))
            db.execute(
                "INSERT INTO messages_fts (rowid, subject, body, recipients) VALUES (?,?,?,?)",
                (message_id, message.subject, message.text or message.html, recipients),
            )
        self._changed(message_id)

    def delete_draft(self, draft_id: int) -> None:
        """Discard a draft for good: it was never sent, so there is no history to keep."""
        with self._lock, transaction(self._db) as db:
            deleted = db.execute("DELETE FROM messages WHERE id = ? AND state = 'draft'", (draft_id,)).rowcount
            if deleted != 1:
                raise StoreError(f"message {draft_id} is not a draft")
            db.execute("DELETE FROM messages_fts WHERE rowid = ?", (draft_id,))
        self._changed(draft_id)

    # ------------------------------------------------------------------------------ keys

    def rotate_key(self, profile_id: str) -> None:
        """Re-encrypt the database with a new keyring key; other callers wait on the lock meanwhile."""
        with self._lock:
            rotate_database_key(self._db, profile_id)

    def get(self, message_id: int) -> StoredMessage:
        if not -(2**63) <= message_id < 2**63:  # past SQLite's INTEGER: no such row (not an OverflowError)
            raise StoreError(f"message {message_id} does not exist")
        with self._lock:
            row = self._db.execute(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,)).fetchone()
        if row is None:
            raise StoreError(f"message {message_id} does not exist")
        return row_to_message(row)

    def transition(
        self,
        message_id: int,
        target: OutboxState,
        *,
        expected: Iterable[OutboxState] | None = None,
        detail: str = "",
        audit: str = "",
        **fields: Any,
    ) -> StoredMessage:
        """Move one message to ``target`` in one transaction, checking the state machine.

        ``audit`` names a user action to record in the same transaction, so a crash can never
        leave (say) a resent message without the audit entry that explains its second copy.
        """
        now = self._clock()
        with self._lock, transaction(self._db) as db:
            self._apply(db, now, Change(message_id, target, expected, detail, fields))
            anchor = self._append_audit(db, now, "user", audit, message_id, "") if audit else None
        if anchor is not None:
            self._audit_appended(anchor)
        self._changed(message_id)
        return self.get(message_id)

    def transition_many(self, changes: Sequence[Change]) -> None:
        """Apply several transitions in one transaction: all or none, and one fsync instead of one each.

        The outbox records a bulk chunk's acceptances, or acceptances that parallel senders received
        at the same moment, this way; at ``synchronous=FULL`` the commit dominates a transition's cost.
        """
        now = self._clock()
        with self._lock, transaction(self._db) as db:
            self._apply_many(db, now, changes)
        for change in changes:
            self._changed(change.message_id)

    def claim_due(self, now: float, limit: int, *, bulk: bool | None = None, owner: str = "") -> list[StoredMessage]:
        """Atomically move due queued messages to ``sending`` for ``owner`` and return them, oldest first.

        ``bulk`` narrows the claim to mail-merge messages (True) or to single messages (False).
        The claim records its owner; only that owner (or a successor that proved it gone) settles it.
        """
        due = f"FROM messages{due_index(bulk)} WHERE {due_where(bulk)} ORDER BY created_at, id LIMIT ?"
        with self._lock:
            if self._db.execute(f"SELECT 1 {due}", (now, 1)).fetchone() is None:  # nothing due: no write lock
                return []
            with transaction(self._db) as db:
                rows = db.execute(f"SELECT {MESSAGE_COLUMNS} {due}", (now, limit)).fetchall()
                for part, marks in id_slices([row[0] for row in rows]):
                    db.execute(
                        "UPDATE messages SET state = 'sending', attempts = attempts + 1, updated_at = ?, "
                        f"claimed_by = ?, on_wire_at = NULL, request_group = NULL WHERE id IN ({marks})",
                        (now, owner, *part),
                    )
                self._events(db, [(row[0], now, "sending", f"attempt {row[5] + 1}") for row in rows])
        for row in rows:
            self._changed(row[0])
        # The rows as the claim left them (read in the same transaction, so no second read).
        return [row_to_message((*row[:2], "sending", row[3], now, row[5] + 1, *row[6:18], owner, None, None))
                for row in rows]  # fmt: skip

    def mark_on_wire(self, owner: str, requests: Sequence[tuple[Sequence[int], str, float]]) -> None:
        """Record that each request ``(message ids, request group, at)`` is about to write its first byte.

        Until this is durable the request does not start, so a message without ``on_wire_at``
        provably never left the machine: recovery returns it to the queue instead of asking a person.
        """
        with self._lock, transaction(self._db) as db:
            for ids, group, at in requests:
                for part, marks in id_slices(ids):
                    db.execute(
                        "UPDATE messages SET on_wire_at = ?, request_group = ? "
                        f"WHERE id IN ({marks}) AND state = 'sending' AND claimed_by = ?",
                        (at, group, *part, owner),
                    )

    def settle(self, owner: str, changes: Sequence[Change], *, domains: Iterable[str] = ()) -> list[int]:
        """Apply the outcomes of ``owner``'s requests in one transaction; returns the ids it could not apply.

        A row still ``sending`` under this owner's claim moves as the change says. A row someone
        else moved meanwhile is left as it is, except that an acceptance is a fact about Paubox
        and is recorded as one (see :meth:`_late_acceptance`): never an error, never a rollback of
        the other messages' outcomes. ``domains`` (of accepted messages) join the known domains in
        the same transaction. A chunk's outcomes are one read and a few statements (see
        :meth:`_apply_many`), and atomic: a kill leaves every row of the chunk as it was before.
        """
        now = self._clock()
        stale: list[int] = []
        with self._lock, transaction(self._db) as db:
            for run in unique_runs(changes):
                stale += self._settle_run(db, now, owner, run)
            if domains:
                self._remember_domains(db, now, domains)
            crash_point("during_settle")
        for change in changes:
            self._changed(change.message_id)
        return stale

    def _settle_run(self, db: Connection, now: float, owner: str, changes: Sequence[Change]) -> list[int]:
        """:meth:`settle` for changes naming each message once: one read of their claims, then one write each kind."""
        claims: dict[int, tuple[str, str | None]] = {}
        for part, marks in id_slices([change.message_id for change in changes]):
            for message_id, state, claimed_by in db.execute(
                f"SELECT id, state, claimed_by FROM messages WHERE id IN ({marks})", part
            ):
                claims[message_id] = (state, claimed_by)
        mine: list[Change] = []
        stale: list[int] = []
        for change in changes:
            claim = claims.get(change.message_id)
            if claim == (OutboxState.SENDING.value, owner):
                mine.append(change)
                continue
            stale.append(change.message_id)
            if claim is not None and change.target is OutboxState.ACCEPTED:
                self._late_acceptance(db, now, change, OutboxState(claim[0]))
        self._apply_many(db, now, mine, dict.fromkeys((c.message_id for c in mine), OutboxState.SENDING.value))
        return stale

    def _late_acceptance(self, db: Connection, now: float, change: Change, current: OutboxState) -> None:
        """Paubox accepted a message whose row had already been moved (recovered, resent, marked sent).

        The tracking id is kept and the message becomes ``accepted``, which also stops a resend
        that has not gone out yet from sending a second copy. A row another request is sending
        right now keeps its state; its timeline says that an earlier attempt was accepted too.
        """
        tracking_id = str(change.fields.get("tracking_id", ""))
        if current is OutboxState.SENDING:
            self._event(db, change.message_id, now, "accepted", f"an earlier attempt was accepted too (tracking id "
                        f"{tracking_id}); a second copy may follow")  # fmt: skip
            return
        fields = {k: v for k, v in change.fields.items() if k in UPDATABLE_FIELDS}
        if current is OutboxState.ACCEPTED:
            fields = {k: v for k, v in fields.items() if k in ("tracking_id", "accepted_at", "next_poll_at")}
            db.execute(
                "UPDATE messages SET tracking_id = COALESCE(tracking_id, ?), accepted_at = COALESCE(accepted_at, ?), "
                "next_poll_at = COALESCE(next_poll_at, ?), updated_at = ? WHERE id = ?",
                (fields.get("tracking_id"), fields.get("accepted_at"), fields.get("next_poll_at"), now,
                 change.message_id),
            )  # fmt: skip
        else:
            assignments = "".join(f", {name} = ?" for name in fields)
            db.execute(
                f"UPDATE messages SET state = 'accepted', updated_at = ?{assignments} WHERE id = ?",
                (now, *fields.values(), change.message_id),
            )
        detail = f"Paubox accepted it (tracking id {tracking_id}); the answer came after it was {current.value}"
        self._event(db, change.message_id, now, "accepted", detail)

    def changed_since(self, since: float, after_id: int | None = None) -> list[tuple[int, float]]:
        """``(id, updated_at)`` of messages changed at or after ``since`` (by any process), and of every
        message added after ``after_id`` however old its stamp: a change is stamped when its
        transaction starts, and a 50,000-row batch commits long after that."""
        added = "" if after_id is None else " UNION SELECT id, updated_at FROM messages WHERE id > ?"
        params = (since,) if after_id is None else (since, after_id)
        with self._lock:
            rows = self._db.execute(
                f"SELECT id, updated_at FROM messages WHERE updated_at >= ?{added} ORDER BY 2", params
            ).fetchall()
        return rows  # (INTEGER, REAL) rows already: no copy of thousands of them per look

    def last_id(self) -> int:
        """The highest message id so far (0 for none): where :meth:`changed_since` starts counting additions."""
        with self._lock:
            return int(self._db.execute("SELECT COALESCE(MAX(id), 0) FROM messages").fetchone()[0])

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version``: it changes when another connection (process) commits."""
        with self._lock:
            return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def count_due(self, now: float, at_most: int, *, bulk: bool | None = None) -> int:
        """How many queued messages are due now, counting no further than ``at_most`` (a cheap probe).

        Single messages (``bulk=False``) are counted from the ``messages_due_single`` partial
        index, so the rows of a large mail merge queued meanwhile are never read.
        """
        with self._lock:
            row = self._db.execute(
                f"SELECT COUNT(*) FROM (SELECT 1 FROM messages{due_index(bulk)} WHERE {due_where(bulk)} LIMIT ?)",
                (now, at_most),
            ).fetchone()
        return int(row[0])

    def release_scheduled(self, now: float) -> int:
        """Scheduled messages whose time has come join the queue; returns how many."""
        due = "SELECT id FROM messages WHERE state = 'scheduled' AND COALESCE(send_at, 0) <= ?"
        with self._lock:
            if self._db.execute(f"{due} LIMIT 1", (now,)).fetchone() is None:  # the usual case: no write
                return 0
            with transaction(self._db) as db:
                ids = [r[0] for r in db.execute(due, (now,)).fetchall()]
                for part, marks in id_slices(ids):
                    db.execute(f"UPDATE messages SET state = 'queued', updated_at = ? WHERE id IN ({marks})",
                               (now, *part))  # fmt: skip
                self._events(db, [(message_id, now, "queued", "scheduled time reached") for message_id in ids])
        for message_id in ids:
            self._changed(message_id)
        return len(ids)

    def next_due_time(self) -> float | None:
        """When the sender should next wake up for a queued or scheduled message."""
        # Two index lookups: the earliest retry (NULL, "now", sorts first) and the earliest schedule.
        with self._lock:
            queued, scheduled = self._db.execute(
                "SELECT (SELECT COALESCE(next_attempt_at, 0) FROM messages WHERE state = 'queued' "
                "ORDER BY next_attempt_at LIMIT 1), (SELECT MIN(send_at) FROM messages WHERE state = 'scheduled')"
            ).fetchone()
        times = [t for t in (queued, scheduled) if t is not None]
        return min(times) if times else None

    # ------------------------------------------------------------------------------ tracking

    # ------------------------------------------------------------------------------ queries

    # ------------------------------------------------------------------------------ domains

    # ------------------------------------------------------------------------------ activity

    # ------------------------------------------------------------------------------ audit

    # ------------------------------------------------------------------------------ helpers


def due_index(bulk: bool | None) -> str:
    """The index a due query for single messages names (``INDEXED BY``: an error if it stopped applying).

    Without statistics SQLite would rather walk ``messages_state_created`` (every queued row,
    a large batch's included) than the ``messages_due_single`` partial index.
    """
    return " INDEXED BY messages_due_single" if bulk is False else ""


def due_where(bulk: bool | None) -> str:
    """Queued and due (one ``?`` for now); ``bulk`` narrows to mail-merge (True) or single messages (False).

    Walked in ``messages_state_created`` order, so a claim reads only the rows it returns plus
    any not yet due, instead of sorting every queued row.
    """
    kind = {None: "", True: " AND batch_id IS NOT NULL", False: " AND batch_id IS NULL"}[bulk]
    return f"state = 'queued'{kind} AND COALESCE(next_attempt_at, 0) <= ?"


__all__ = [
    "AuditAnchor", "AuditEntry", "BatchSummary", "Change", "DatabaseError", "HistoryFilter", "MessageStore",
    "Recovery", "RequestGroup", "StatusEvent", "StoredMessage", "fts_query", "summarise",
]  # fmt: skip
