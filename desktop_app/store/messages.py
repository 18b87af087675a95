"""The message store: outbox, history, per-recipient statuses, timeline, activity and audit log.

Every outbox transition is one transaction that checks the current state first, so two engines
(or a stale view) can never move a message along two paths. Methods are thread-safe: calls are
serialised on one connection, which keeps SQLite's single-writer rule trivially true.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from desktop_app.core.message import OutgoingMessage, message_from_dict, message_to_dict
from desktop_app.core.outbox_state import OutboxState, check_transition
from desktop_app.core.records import ActivityEvent, RecipientDelivery
from desktop_app.store.crashpoint import crash_point
from desktop_app.store.database import Connection, DatabaseError, StoreError, close_database, transaction
from desktop_app.store.unlock import rotate_database_key

"""How long "no single message is due" holds once a look found none (see :meth:`MessageStore.count_due`)."""

BATCH_WRITE_ROWS = 500
"""Mail-merge rows rendered and written per statement by :meth:`MessageStore.add_batch`."""

ACTIVITY_CAP = 50_000
"""Activity rows kept; older ones are trimmed so the log cannot grow without bound."""

_GENESIS = "0" * 64


@dataclass(frozen=True)
class StoredMessage:
    id: int
    uid: str
    state: OutboxState
    created_at: float
    updated_at: float
    attempts: int
    next_attempt_at: float | None
    send_at: float | None
    last_error: str
    tracking_id: str | None
    accepted_at: float | None
    subject: str
    recipients: str
    tag: str
    delivery_summary: str
    final_delivery: bool
    batch_id: str | None
    payload: str
    claimed_by: str | None = None  # the sending owner that moved it to 'sending' (services.ownership)
    on_wire_at: float | None = None  # when its request started writing; None: it never left this machine
    request_group: str | None = None  # the request it last went out in (shared by a bulk chunk)

    @property
    def decision_group(self) -> str:
        """The request group a person resolves this message by (``MessageStore.group_members`` takes it):
        its own request, or for an unknown message from before request groups, one of its own."""
        return self.request_group or f"legacy-{self.id}"

    @property
    def message(self) -> OutgoingMessage:
        return message_from_dict(json.loads(self.payload))


@dataclass(frozen=True)
class Change:
    """One message's move along the state machine, for :meth:`MessageStore.transition_many`."""

    message_id: int
    target: OutboxState
    expected: Iterable[OutboxState] | None = None
    detail: str = ""
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchSummary:
    batch_id: str
    counts: dict[OutboxState, int]
    queued_at: float
    last_accepted_at: float | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def settled(self) -> bool:
        """Every message reached a final state: nothing of this batch will go out again on its own."""
        return all(state.is_final for state in self.counts)

    def describe_counts(self) -> str:
        order = (OutboxState.ACCEPTED, OutboxState.FAILED, OutboxState.CANCELLED, OutboxState.OUTCOME_UNKNOWN)
        parts = [f"{self.counts[s]} {_COUNT_WORDS.get(s, s.value)}" for s in order if self.counts.get(s)]
        rest = sum(n for s, n in self.counts.items() if s not in order)
        return "; ".join(parts + ([f"{rest} still to send"] if rest else []))


_COUNT_WORDS = {OutboxState.OUTCOME_UNKNOWN: "outcome unknown"}


@dataclass(frozen=True)
class Recovery:
    """What start-up recovery did with rows a previous owner left in ``sending``."""

    requeued: list[int]  # never left the machine: queued again
    unknown: list[int]  # may have reached Paubox: a person decides


@dataclass(frozen=True)
class RequestGroup:
    """The outcome-unknown messages that went out in one request: resolved together."""

    name: str
    sent_at: float  # when the request started (or, for old rows, when the outcome was recorded)
    reason: str  # what happened to it, in the user's words
    message_ids: tuple[int, ...]


@dataclass(frozen=True)
class StatusEvent:
    at: float
    kind: str
    detail: str


@dataclass(frozen=True)
class AuditAnchor:
    """The head of the audit chain: the newest entry's id and hash."""

    entry_id: int
    hash: str

    def encode(self) -> str:
        return f"{self.entry_id}:{self.hash}"

    @classmethod
    def decode(cls, text: str) -> AuditAnchor | None:
        entry_id, _, digest = text.partition(":")
        return cls(int(entry_id), digest) if entry_id.isdigit() and len(digest) == 64 else None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: float
    actor: str
    action: str
    message_id: int | None
    detail: str
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class HistoryFilter:
    """What the history and outbox views ask for; every field narrows the result."""

    states: tuple[OutboxState, ...] = ()
    search: str = ""
    delivery_status: str = ""
    recipient: str = ""
    tag: str = ""
    since: float | None = None
    until: float | None = None


_COLUMNS = (
    "id, uid, state, created_at, updated_at, attempts, next_attempt_at, send_at, last_error, "
    "tracking_id, accepted_at, subject, recipients, tag, delivery_summary, final_delivery, batch_id, payload, "
    "claimed_by, on_wire_at, request_group"
)


def _row_to_message(row: Sequence[Any]) -> StoredMessage:
    return StoredMessage(
        id=row[0], uid=row[1], state=OutboxState(row[2]), created_at=row[3], updated_at=row[4],
        attempts=row[5], next_attempt_at=row[6], send_at=row[7], last_error=row[8], tracking_id=row[9],
        accepted_at=row[10], subject=row[11], recipients=row[12], tag=row[13], delivery_summary=row[14],
        final_delivery=bool(row[15]), batch_id=row[16], payload=row[17], claimed_by=row[18], on_wire_at=row[19],
        request_group=row[20],
    )  # fmt: skip


def fts_query(text: str) -> str:
    """Turn what a user typed into a safe FTS5 prefix query: every word must match, no operators."""
    words = [w.replace('"', '""') for w in text.split() if w.strip()]
    return " ".join(f'"{w}"*' for w in words)


class MessageStore:
    def __init__(self, connection: Connection, *, clock: Callable[[], float] = time.time) -> None:
        self._db = connection
        self._lock = threading.RLock()
        self._clock = clock
        self._listeners: list[Callable[[int], None]] = []
        self._audit_listeners: list[Callable[[AuditAnchor], None]] = []

    def close(self) -> None:
        with self._lock:
            close_database(self._db)

    def on_change(self, listener: Callable[[int], None]) -> None:
        """Call ``listener(message_id)`` after any committed change to a message (any thread)."""
        self._listeners.append(listener)

    def notify_changed(self, message_ids: Iterable[int]) -> None:
        """Tell this process's listeners about changes another process committed (see Runtime)."""
        for message_id in message_ids:
            self._changed(message_id)

    def _changed(self, message_id: int) -> None:
        for listener in list(self._listeners):
            listener(message_id)

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

    def add_batch(self, batch_id: str, rows: Iterable[tuple[int, OutgoingMessage]]) -> list[int]:
        """Queue a whole mail-merge batch in one transaction: every row or none (never half-queued).

        A batch id that is already stored is not queued again; its existing ids are returned, so
        re-running an interrupted import can never send a row twice (``rows`` is not even read).
        ``rows`` is consumed once, :data:`BATCH_WRITE_ROWS` at a time, each slice written with one
        statement per table, so a large batch need not be held in memory. Returns the new ids in
        the order of ``rows``.
        """
        now = self._clock()
        ids: list[int] = []
        with self._lock, transaction(self._db) as db:
            existing = db.execute(
                "SELECT id FROM messages WHERE batch_id = ? ORDER BY batch_row", (batch_id,)
            ).fetchall()
            if existing:
                return [r[0] for r in existing]
            # BEGIN IMMEDIATE holds the write lock: nobody else can take these ids meanwhile.
            next_id = int(db.execute("SELECT COALESCE(MAX(id), 0) FROM messages").fetchone()[0]) + 1
            iterator = iter(rows)
            while chunk := list(itertools.islice(iterator, BATCH_WRITE_ROWS)):
                messages, search, events = [], [], []
                for row, message in chunk:
                    recipients = _recipients_text(message)
                    messages.append(
                        (
                            next_id,
                            str(uuid.uuid4()),
                            now,
                            now,
                            OutboxState.QUEUED.value,
                            message.subject,
                            recipients,
                            json.dumps(message_to_dict(message)),
                            batch_id,
                            row,
                            message.tag,
                        )
                    )
                    search.append((next_id, message.subject, message.text or message.html, recipients))
                    events.append((next_id, now, OutboxState.QUEUED.value, ""))
                    ids.append(next_id)
                    next_id += 1
                db.executemany(
                    "INSERT INTO messages (id, uid, created_at, updated_at, state, subject, recipients, payload, "
                    "batch_id, batch_row, tag) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    messages,
                )
                db.executemany("INSERT INTO messages_fts (rowid, subject, body, recipients) VALUES (?,?,?,?)", search)
                db.executemany("INSERT INTO status_events (message_id, at, kind, detail) VALUES (?,?,?,?)", events)
            crash_point("after_insert_before_commit")
        self.notify_changed(ids)
        return ids

    def _insert(
        self, db: Connection, now: float, message: OutgoingMessage, state: OutboxState, send_at: float | None,
        batch: tuple[str, int] | None, resend_of: int | None,
    ) -> int:  # fmt: skip
        recipients = _recipients_text(message)
        cursor = db.execute(
            "INSERT INTO messages (uid, created_at, updated_at, state, send_at, subject, recipients, "
            "payload, batch_id, batch_row, tag, resend_of) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (str(uuid.uuid4()), now, now, state.value, send_at, message.subject, recipients,
             json.dumps(message_to_dict(message)), batch[0] if batch else None,
             batch[1] if batch else None, message.tag, resend_of),
        )  # fmt: skip
        message_id = int(cursor.lastrowid or 0)
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
        recipients = _recipients_text(message)
        with self._lock, transaction(self._db) as db:
            updated = db.execute(
                "UPDATE messages SET payload = ?, subject = ?, recipients = ?, tag = ?, updated_at = ? "
                "WHERE id = ? AND state = ?",
                (json.dumps(message_to_dict(message)), message.subject, recipients, message.tag, now,
                 message_id, expected.value),
            ).rowcount  # fmt: skip
            if updated != 1:
                raise StoreError(f"message {message_id} is no longer a {expected.value}")
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
        with self._lock:
            row = self._db.execute(f"SELECT {_COLUMNS} FROM messages WHERE id = ?", (message_id,)).fetchone()
        if row is None:
            raise StoreError(f"message {message_id} does not exist")
        return _row_to_message(row)

    def batch_summary(self, batch_id: str) -> BatchSummary | None:
        """How far a stored batch has got (counts by state, when it was queued and last sent), or None."""
        with self._lock:
            rows = self._db.execute(
                "SELECT state, COUNT(*), MIN(created_at), MAX(accepted_at) FROM messages "
                "WHERE batch_id = ? GROUP BY state",
                (batch_id,),
            ).fetchall()
        if not rows:
            return None
        accepted = [r[3] for r in rows if r[3] is not None]
        return BatchSummary(
            batch_id, {OutboxState(r[0]): int(r[1]) for r in rows}, min(r[2] for r in rows),
            max(accepted) if accepted else None,
        )  # fmt: skip

    def batch_states(self, batch_id: str) -> dict[int, OutboxState]:
        """Every message of a stored batch and its state (read once; then :meth:`states` for what changed)."""
        with self._lock:
            rows = self._db.execute("SELECT id, state FROM messages WHERE batch_id = ?", (batch_id,)).fetchall()
        return {int(r[0]): OutboxState(r[1]) for r in rows}

    def states(self, ids: Iterable[int]) -> dict[int, OutboxState]:
        """The current state of each of ``ids`` that exists (primary-key lookups: costs what is asked)."""
        wanted = list(ids)
        found: dict[int, OutboxState] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            with self._lock:
                rows = self._db.execute(
                    f"SELECT id, state FROM messages WHERE id IN ({','.join('?' * len(chunk))})", chunk
                ).fetchall()
            found.update((int(r[0]), OutboxState(r[1])) for r in rows)
        return found

    def batch_payloads(self, batch_id: str) -> dict[int, str]:
        """Each stored row's payload by row number (to tell whether an old batch id sent the same thing)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT batch_row, payload FROM messages WHERE batch_id = ?", (batch_id,)
            ).fetchall()
        return {int(r[0]): str(r[1]) for r in rows}

    def batch_rows(self, batch_id: str) -> dict[int, StoredMessage]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT batch_row, {_COLUMNS} FROM messages WHERE batch_id = ?", (batch_id,)
            ).fetchall()
        return {row[0]: _row_to_message(row[1:]) for row in rows}

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
            for change in changes:
                self._apply(db, now, change)
        for change in changes:
            self._changed(change.message_id)

    def _apply(self, db: Connection, now: float, change: Change) -> None:
        """Check the state machine and move one message, inside the caller's transaction."""
        allowed = {c: change.fields[c] for c in change.fields if c in _UPDATABLE}
        if len(allowed) != len(change.fields):
            raise ValueError(f"unknown fields: {set(change.fields) - set(allowed)}")
        message_id, target = change.message_id, change.target
        row = db.execute("SELECT state FROM messages WHERE id = ?", (message_id,)).fetchone()
        if row is None:
            raise StoreError(f"message {message_id} does not exist")
        current = OutboxState(row[0])
        if change.expected is not None and current not in set(change.expected):
            from desktop_app.core.outbox_state import TransitionError

            raise TransitionError(f"message is {current.value}, not {[e.value for e in change.expected]}")
        if current is not target:
            check_transition(current, target)
        assignments = ", ".join(f"{name} = ?" for name in allowed)
        db.execute(
            f"UPDATE messages SET state = ?, updated_at = ?{', ' if allowed else ''}{assignments} WHERE id = ?",
            (target.value, now, *allowed.values(), message_id),
        )
        self._event(db, message_id, now, target.value, change.detail)

    def claim_due(self, now: float, limit: int, *, bulk: bool | None = None, owner: str = "") -> list[StoredMessage]:
        """Atomically move due queued messages to ``sending`` for ``owner`` and return them, oldest first.

        ``bulk`` narrows the claim to mail-merge messages (True) or to single messages (False).
        The claim records its owner; only that owner (or a successor that proved it gone) settles it.
        """
        with self._lock, transaction(self._db) as db:
            rows = db.execute(
                f"SELECT id, attempts FROM messages{_due_index(bulk)} WHERE {_due_where(bulk)} "
                "ORDER BY created_at, id LIMIT ?",
                (now, limit),
            ).fetchall()
            for message_id, attempts in rows:
                db.execute(
                    "UPDATE messages SET state = 'sending', attempts = attempts + 1, updated_at = ?, "
                    "claimed_by = ?, on_wire_at = NULL, request_group = NULL WHERE id = ?",
                    (now, owner, message_id),
                )
                self._event(db, message_id, now, "sending", f"attempt {attempts + 1}")
        for row in rows:
            self._changed(row[0])
        return self.get_many([row[0] for row in rows])

    def mark_on_wire(self, owner: str, requests: Sequence[tuple[Sequence[int], str, float]]) -> None:
        """Record that each request ``(message ids, request group, at)`` is about to write its first byte.

        Until this is durable the request does not start, so a message without ``on_wire_at``
        provably never left the machine: recovery returns it to the queue instead of asking a person.
        """
        with self._lock, transaction(self._db) as db:
            for ids, group, at in requests:
                db.executemany(
                    "UPDATE messages SET on_wire_at = ?, request_group = ? "
                    "WHERE id = ? AND state = 'sending' AND claimed_by = ?",
                    [(at, group, message_id, owner) for message_id in ids],
                )

    def settle(self, owner: str, changes: Sequence[Change]) -> list[int]:
        """Apply the outcomes of ``owner``'s requests in one transaction; returns the ids it could not apply.

        A row still ``sending`` under this owner's claim moves as the change says. A row someone
        else moved meanwhile is left as it is, except that an acceptance is a fact about Paubox
        and is recorded as one (see :meth:`_late_acceptance`): never an error, never a rollback of
        the other messages' outcomes.
        """
        now = self._clock()
        stale: list[int] = []
        with self._lock, transaction(self._db) as db:
            for change in changes:
                row = db.execute("SELECT state, claimed_by FROM messages WHERE id = ?", (change.message_id,)).fetchone()
                if row is None:
                    stale.append(change.message_id)
                elif row[0] == OutboxState.SENDING.value and row[1] == owner:
                    self._apply(db, now, change)
                else:
                    stale.append(change.message_id)
                    if change.target is OutboxState.ACCEPTED:
                        self._late_acceptance(db, now, change, OutboxState(row[0]))
        for change in changes:
            self._changed(change.message_id)
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
        fields = {k: v for k, v in change.fields.items() if k in _UPDATABLE}
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

    def changed_since(self, since: float) -> list[tuple[int, float]]:
        """``(id, updated_at)`` of messages changed at or after ``since`` (by any process)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, updated_at FROM messages WHERE updated_at >= ? ORDER BY updated_at", (since,)
            ).fetchall()
        return [(int(r[0]), float(r[1])) for r in rows]

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
                f"SELECT COUNT(*) FROM (SELECT 1 FROM messages{_due_index(bulk)} WHERE {_due_where(bulk)} LIMIT ?)",
                (now, at_most),
            ).fetchone()
        return int(row[0])

    def release_scheduled(self, now: float) -> int:
        """Scheduled messages whose time has come join the queue; returns how many."""
        with self._lock, transaction(self._db) as db:
            ids = [r[0] for r in db.execute(
                "SELECT id FROM messages WHERE state = 'scheduled' AND COALESCE(send_at, 0) <= ?", (now,)
            ).fetchall()]  # fmt: skip
            for message_id in ids:
                db.execute("UPDATE messages SET state = 'queued', updated_at = ? WHERE id = ?", (now, message_id))
                self._event(db, message_id, now, "queued", "scheduled time reached")
        for message_id in ids:
            self._changed(message_id)
        return len(ids)

    def recover_interrupted(self) -> Recovery:
        """Settle what a previous sending owner left in ``sending``; call only after proving it gone.

        A message whose request never started writing (no ``on_wire_at``) provably never left the
        machine: it goes back to the queue, its attempt refunded. Anything that may have reached
        Paubox becomes outcome unknown, keeping the request group it went out in.
        """
        now = self._clock()
        with self._lock, transaction(self._db) as db:
            rows = db.execute("SELECT id, on_wire_at FROM messages WHERE state = 'sending'").fetchall()
            requeued = [r[0] for r in rows if r[1] is None]
            unknown = [r[0] for r in rows if r[1] is not None]
            for message_id in requeued:
                db.execute(
                    "UPDATE messages SET state = 'queued', updated_at = ?, attempts = MAX(attempts - 1, 0), "
                    "next_attempt_at = NULL, claimed_by = NULL WHERE id = ?",
                    (now, message_id),
                )
                self._event(db, message_id, now, "queued", _NEVER_LEFT)
            for message_id in unknown:
                db.execute(
                    "UPDATE messages SET state = 'outcome_unknown', updated_at = ?, last_error = ?, "
                    "request_group = COALESCE(request_group, 'legacy-' || id) WHERE id = ?",
                    (now, _INTERRUPTED, message_id),
                )
                self._event(db, message_id, now, "outcome_unknown", _INTERRUPTED)
        for message_id in requeued + unknown:
            self._changed(message_id)
        return Recovery(requeued, unknown)

    def resolve_group(self, group: str, *, resend: bool) -> list[int]:
        """The user's decision for every outcome-unknown message of one request, in one transaction.

        ``resend`` queues them again (the user accepts possible duplicates); otherwise they are
        marked sent. Each message gets its own audit entry naming the request, so the trail
        says who decided what for which message.
        """
        now = self._clock()
        members = self.group_members(group)
        if not members:
            raise StoreError(f"No message of request {group} is waiting for a decision.")
        target = OutboxState.QUEUED if resend else OutboxState.ACCEPTED
        fields: dict[str, Any] = {"last_error": ""} | ({"next_attempt_at": None} if resend else {})
        action, detail = ("resend", "resent by user") if resend else ("mark_sent", "marked sent by user")
        anchor: AuditAnchor | None = None
        with self._lock, transaction(self._db) as db:
            for message_id in members:
                self._apply(db, now, Change(message_id, target, (OutboxState.OUTCOME_UNKNOWN,), detail, fields))
                anchor = self._append_audit(db, now, "user", action, message_id, f"request {group}")
        if anchor is not None:
            self._audit_appended(anchor)
        self.notify_changed(members)
        return members

    def unknown_groups(self) -> list[RequestGroup]:
        """Outcome-unknown messages grouped by the request they went out in, newest request first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT request_group, id, on_wire_at, updated_at, last_error FROM messages "
                "WHERE state = 'outcome_unknown' ORDER BY id"
            ).fetchall()
        groups: dict[str, RequestGroup] = {}
        for group, message_id, on_wire_at, updated_at, last_error in rows:
            name = group or f"legacy-{message_id}"
            known = groups.get(name)
            if known is None:
                groups[name] = RequestGroup(name, on_wire_at or updated_at, last_error, (message_id,))
            else:
                groups[name] = replace(known, message_ids=(*known.message_ids, message_id))
        return sorted(groups.values(), key=lambda g: g.sent_at, reverse=True)

    def group_members(self, group: str) -> list[int]:
        """The outcome-unknown messages of one request group (see :meth:`unknown_groups`)."""
        params: tuple[object, ...] = (group,)
        where = "request_group = ?"
        if group.startswith("legacy-") and group[7:].isdigit():
            where, params = "id = ? AND (request_group IS NULL OR request_group = ?)", (int(group[7:]), group)
        with self._lock:
            rows = self._db.execute(
                f"SELECT id FROM messages WHERE state = 'outcome_unknown' AND {where} ORDER BY id", params
            ).fetchall()
        return [int(r[0]) for r in rows]

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

    def counts_by_state(self) -> dict[OutboxState, int]:
        with self._lock:
            rows = self._db.execute("SELECT state, COUNT(*) FROM messages GROUP BY state").fetchall()
        return {OutboxState(state): count for state, count in rows}

    # ------------------------------------------------------------------------------ tracking

    def due_polls(self, now: float, limit: int) -> list[StoredMessage]:
        """Accepted messages whose receipt should be checked now: most overdue first, then oldest.

        Ordering by due time (not only by age) means a tight budget still reaches every message
        instead of re-polling the oldest one forever. A range scan of the ``messages_due_poll``
        partial index: a tracked message's poll time is never NULL (0 means now).
        """
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM messages INDEXED BY messages_due_poll WHERE {_POLLABLE} AND next_poll_at <= ? "
                "ORDER BY next_poll_at, accepted_at, id LIMIT ?",
                (now, limit),
            ).fetchall()
        return [_row_to_message(r) for r in rows]

    def next_poll_time(self) -> float | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT MIN(next_poll_at) FROM messages INDEXED BY messages_due_poll WHERE {_POLLABLE}"
            ).fetchone()
        return row[0] if row and row[0] is not None else None

    def record_receipt(
        self, message_id: int, deliveries: Sequence[RecipientDelivery], *, final: bool, next_poll_at: float | None
    ) -> list[tuple[str, str]]:
        """Store the latest per-recipient statuses; returns the (recipient, status) pairs that changed."""
        now = self._clock()
        changed: list[tuple[str, str]] = []
        with self._lock, transaction(self._db) as db:
            for d in deliveries:
                old = db.execute(
                    "SELECT delivery_status, opened_status FROM recipient_status "
                    "WHERE message_id = ? AND recipient = ?",
                    (message_id, d.recipient),
                ).fetchone()
                if old is not None and (old[0], old[1]) == (d.delivery_status, d.opened_status):
                    continue
                db.execute(
                    "INSERT OR REPLACE INTO recipient_status (message_id, recipient, delivery_status, "
                    "delivery_time, opened_status, opened_time, updated_at) VALUES (?,?,?,?,?,?,?)",
                    (message_id, d.recipient, d.delivery_status, d.delivery_time, d.opened_status,
                     d.opened_time, now),
                )  # fmt: skip
                if old is None or old[0] != d.delivery_status:
                    changed.append((d.recipient, d.delivery_status))
                    self._event(db, message_id, now, d.delivery_status, "")
                if d.opened_status == "opened" and (old is None or old[1] != "opened"):
                    self._event(db, message_id, now, "opened", "")
            summary = summarise([d.delivery_status for d in deliveries])
            poll_at = None if final else (next_poll_at or 0.0)  # a tracked message's poll time is never NULL
            db.execute(
                "UPDATE messages SET delivery_summary = ?, final_delivery = ?, next_poll_at = ? WHERE id = ?",
                (summary, int(final), poll_at, message_id),
            )
        if changed:
            self._changed(message_id)
        return changed

    def reschedule_poll(self, message_id: int, next_poll_at: float) -> None:
        with self._lock:
            self._db.execute("UPDATE messages SET next_poll_at = ? WHERE id = ?", (next_poll_at, message_id))

    def recipient_statuses(self, message_id: int) -> list[RecipientDelivery]:
        with self._lock:
            rows = self._db.execute(
                "SELECT recipient, delivery_status, delivery_time, opened_status, opened_time "
                "FROM recipient_status WHERE message_id = ? ORDER BY recipient",
                (message_id,),
            ).fetchall()
        return [RecipientDelivery(*row) for row in rows]

    def timeline(self, message_id: int) -> list[StatusEvent]:
        with self._lock:
            rows = self._db.execute(
                "SELECT at, kind, detail FROM status_events WHERE message_id = ? ORDER BY at, id", (message_id,)
            ).fetchall()
        return [StatusEvent(*row) for row in rows]

    # ------------------------------------------------------------------------------ queries

    def list_ids(self, flt: HistoryFilter, *, newest_first: bool = True) -> list[int]:
        """Ids only: views fetch rows lazily as they scroll (Anki's approach for large tables)."""
        where, params = self._where(flt)
        order = "DESC" if newest_first else "ASC"
        with self._lock:
            rows = self._db.execute(
                f"SELECT id FROM messages {where} ORDER BY created_at {order}, id {order}", params
            ).fetchall()
        return [r[0] for r in rows]

    def daily_counts(self, start: float, days: int) -> dict[str, list[int]]:
        """Sent, delivered, bounced and opened messages per day from ``start`` (one query, for the chart).

        Counting in SQL over the (state, created_at) index keeps the chart cheap however large the
        history is; it never holds the store for long while the user searches.
        """
        counts = {name: [0] * days for name in ("sent", "delivered", "bounced", "opened")}
        with self._lock:
            rows = self._db.execute(
                "SELECT CAST((COALESCE(accepted_at, created_at) - ?) / 86400 AS INTEGER) AS day, COUNT(*), "
                "SUM(delivery_summary = 'delivered'), SUM(delivery_summary LIKE '%bounced%'), "
                "SUM(id IN (SELECT message_id FROM recipient_status WHERE opened_status = 'opened')) "
                "FROM messages WHERE state = 'accepted' AND created_at >= ? GROUP BY day",
                (start, start),
            ).fetchall()
        for day, sent, delivered, bounced, opened in rows:
            slot = min(days - 1, max(0, int(day)))
            for name, value in zip(counts, (sent, delivered, bounced, opened), strict=True):
                counts[name][slot] += int(value or 0)
        return counts

    def get_many(self, ids: Sequence[int]) -> list[StoredMessage]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM messages WHERE id IN ({marks})", tuple(ids)).fetchall()
        by_id = {row[0]: _row_to_message(row) for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    def _where(self, flt: HistoryFilter) -> tuple[str, tuple[Any, ...]]:
        clauses: list[str] = []
        params: list[Any] = []
        if flt.states:
            clauses.append(f"state IN ({','.join('?' * len(flt.states))})")
            params.extend(s.value for s in flt.states)
        if flt.search.strip():
            clauses.append("id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)")
            params.append(fts_query(flt.search))
        if flt.delivery_status:
            clauses.append("id IN (SELECT message_id FROM recipient_status WHERE delivery_status = ?)")
            params.append(flt.delivery_status)
        if flt.recipient.strip():
            clauses.append("recipients LIKE ? ESCAPE '\\'")
            params.append("%" + _like_escape(flt.recipient.strip()) + "%")
        if flt.tag:
            clauses.append("tag = ?")
            params.append(flt.tag)
        if flt.since is not None:
            clauses.append("created_at >= ?")
            params.append(flt.since)
        if flt.until is not None:
            clauses.append("created_at < ?")
            params.append(flt.until)
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)

    def purge_older_than(self, cutoff: float) -> int:
        """Retention: delete final messages (and API activity) from before ``cutoff``; the audit log is kept."""
        with self._lock, transaction(self._db) as db:
            ids = [r[0] for r in db.execute(
                "SELECT id FROM messages WHERE created_at < ? AND state IN ('accepted','failed','cancelled')",
                (cutoff,),
            ).fetchall()]  # fmt: skip
            for message_id in ids:
                db.execute("DELETE FROM messages_fts WHERE rowid = ?", (message_id,))
                db.execute("DELETE FROM messages WHERE id = ?", (message_id,))
            db.execute("DELETE FROM activity WHERE at < ?", (cutoff,))
        return len(ids)

    # ------------------------------------------------------------------------------ domains

    def unknown_domains(self, domains: Iterable[str]) -> list[str]:
        with self._lock:
            known = {r[0] for r in self._db.execute("SELECT domain FROM known_domains").fetchall()}
        return sorted({d for d in domains if d not in known})

    def remember_domains(self, domains: Iterable[str]) -> None:
        now = self._clock()
        with self._lock, transaction(self._db) as db:
            for domain in set(domains):
                db.execute("INSERT OR IGNORE INTO known_domains (domain, first_sent_at) VALUES (?, ?)", (domain, now))

    # ------------------------------------------------------------------------------ activity

    def add_activity(self, events: Sequence[ActivityEvent]) -> None:
        with self._lock, transaction(self._db) as db:
            db.executemany(
                "INSERT INTO activity (at, method, endpoint, status, latency_ms, attempt, outcome, tracking_id, "
                "error) VALUES (?,?,?,?,?,?,?,?,?)",
                [(e.at, e.method, e.endpoint, e.status, e.latency_ms, e.attempt, e.outcome, e.tracking_id, e.error)
                 for e in events],
            )  # fmt: skip
            db.execute("DELETE FROM activity WHERE id <= (SELECT MAX(id) FROM activity) - ?", (ACTIVITY_CAP,))

    def recent_activity(self, limit: int = 1000) -> list[ActivityEvent]:
        with self._lock:
            rows = self._db.execute(
                "SELECT at, method, endpoint, status, latency_ms, attempt, outcome, tracking_id, error "
                "FROM activity ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [ActivityEvent(*row) for row in reversed(rows)]

    # ------------------------------------------------------------------------------ audit

    def audit(self, action: str, *, actor: str = "user", message_id: int | None = None, detail: str = "") -> None:
        """Append one hash-chained entry: each hash covers the entry and the previous hash."""
        with self._lock, transaction(self._db) as db:
            anchor = self._append_audit(db, self._clock(), actor, action, message_id, detail)
        self._audit_appended(anchor)

    def on_audit(self, listener: Callable[[AuditAnchor], None]) -> None:
        """Call ``listener(anchor)`` after each committed audit entry, with the new head of the chain.

        The runtime keeps that head outside the database (in the keyring), which is what lets
        :meth:`verify_audit_chain` notice entries removed from the end of the chain.
        """
        self._audit_listeners.append(listener)

    def _audit_appended(self, anchor: AuditAnchor) -> None:
        for listener in list(self._audit_listeners):
            listener(anchor)

    @staticmethod
    def _append_audit(
        db: Connection, now: float, actor: str, action: str, message_id: int | None, detail: str
    ) -> AuditAnchor:
        row = db.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        prev = row[0] if row else _GENESIS
        digest = _audit_hash(prev, now, actor, action, message_id, detail)
        cursor = db.execute(
            "INSERT INTO audit_log (at, actor, action, message_id, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?)",
            (now, actor, action, message_id, detail, prev, digest),
        )
        return AuditAnchor(int(cursor.lastrowid or 0), digest)

    def audit_entries(self) -> list[AuditEntry]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, at, actor, action, message_id, detail, prev_hash, hash FROM audit_log ORDER BY id"
            ).fetchall()
        return [AuditEntry(*row) for row in rows]

    def verify_audit_chain(self, anchor: AuditAnchor | None = None) -> int | None:
        """Return the id of the first entry that does not fit the chain, or None if all is intact.

        With an ``anchor`` (a head recorded outside the database) the entry it names must still be
        there with the same hash; otherwise deleting the newest entries would leave a shorter chain
        that verifies. The anchor may lag the chain (a crash before it was written), never lead it.
        """
        prev = _GENESIS
        anchored = anchor is None
        for entry in self.audit_entries():
            expected = _audit_hash(prev, entry.at, entry.actor, entry.action, entry.message_id, entry.detail)
            if entry.prev_hash != prev or entry.hash != expected:
                return entry.id
            if anchor is not None and entry.id == anchor.entry_id:
                if entry.hash != anchor.hash:
                    return entry.id
                anchored = True
            prev = entry.hash
        return None if anchored or anchor is None else anchor.entry_id

    # ------------------------------------------------------------------------------ helpers

    @staticmethod
    def _event(db: Connection, message_id: int, at: float, kind: str, detail: str) -> None:
        db.execute("INSERT INTO status_events (message_id, at, kind, detail) VALUES (?,?,?,?)",
                   (message_id, at, kind, detail))  # fmt: skip


_UPDATABLE = frozenset(
    {"next_attempt_at", "last_error", "tracking_id", "accepted_at", "send_at", "next_poll_at", "payload",
     "subject", "recipients", "attempts"}
)  # fmt: skip
_POLLABLE = "state = 'accepted' AND final_delivery = 0 AND tracking_id IS NOT NULL"
"""Exactly the ``messages_due_poll`` index's condition. The tracker's queries name that index
(``INDEXED BY``, an error if it ever stopped applying): without statistics SQLite prefers the
equality on ``state`` and would sort every accepted row instead."""

_INTERRUPTED = "Sealpost stopped while this message was being sent; it may or may not have reached Paubox."
_NEVER_LEFT = "returned to the queue: Sealpost stopped before this message was sent"


def _due_index(bulk: bool | None) -> str:
    """The index a due query for single messages names (``INDEXED BY``: an error if it stopped applying).

    Without statistics SQLite would rather walk ``messages_state_created`` (every queued row,
    a large batch's included) than the ``messages_due_single`` partial index.
    """
    return " INDEXED BY messages_due_single" if bulk is False else ""


def _due_where(bulk: bool | None) -> str:
    """Queued and due (one ``?`` for now); ``bulk`` narrows to mail-merge (True) or single messages (False).

    Walked in ``messages_state_created`` order, so a claim reads only the rows it returns plus
    any not yet due, instead of sorting every queued row.
    """
    kind = {None: "", True: " AND batch_id IS NOT NULL", False: " AND batch_id IS NULL"}[bulk]
    return f"state = 'queued'{kind} AND COALESCE(next_attempt_at, 0) <= ?"


def _recipients_text(message: OutgoingMessage) -> str:
    return ", ".join(a.formatted() for a in message.all_recipients)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _audit_hash(prev: str, at: float, actor: str, action: str, message_id: int | None, detail: str) -> str:
    record = json.dumps([prev, repr(at), actor, action, message_id, detail], ensure_ascii=False)
    return hashlib.sha256(record.encode("utf-8")).hexdigest()


def summarise(statuses: Sequence[str]) -> str:
    """One word for a message's delivery across recipients, worst first (for lists and charts)."""
    if not statuses:
        return ""
    for word, members in _SUMMARY_ORDER:
        if any(s in members for s in statuses):
            if word == "delivered" and not all(s in members for s in statuses):
                continue
            return word
    return statuses[0]


_SUMMARY_ORDER: tuple[tuple[str, frozenset[str]], ...] = (
    ("bounced", frozenset({"hard bounced"})),
    ("soft bounced", frozenset({"soft bounced", "soft bounced - mailbox full"})),
    ("delivered", frozenset({"delivered", "delivered via secure portal"})),
    ("processing", frozenset({"processing", "TLS not offered, sending via Secure Portal",
                              "Internal error. Please check back later."})),
)  # fmt: skip

__all__ = [
    "BatchSummary", "Change", "DatabaseError", "HistoryFilter", "MessageStore", "Recovery", "RequestGroup",
    "StoredMessage",
]  # fmt: skip
