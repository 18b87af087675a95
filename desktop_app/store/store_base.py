"""What every part of the message store shares: the connection, its lock, change listeners, the transition primitive."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence

from desktop_app.core.outbox_state import OutboxState, check_transition
from desktop_app.store.database import Connection, StoreError, close_database
from desktop_app.store.rows import (
    MESSAGE_COLUMNS,
    UPDATABLE_FIELDS,
    Change,
    StoredMessage,
    row_to_message,
)


class StoreBase:
    """The connection, its lock, the change listeners and the primitives every part of the store uses."""

    def __init__(self, connection: Connection, *, clock: Callable[[], float] = time.time) -> None:
        self._db = connection
        self._lock = threading.RLock()
        self._clock = clock
        self._listeners: list[Callable[[int], None]] = []

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

    def get_many(self, ids: Sequence[int]) -> list[StoredMessage]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        with self._lock:
            rows = self._db.execute(
                f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE id IN ({marks})", tuple(ids)
            ).fetchall()
        by_id = {row[0]: row_to_message(row) for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    def _apply(self, db: Connection, now: float, change: Change) -> None:
        """Check the state machine and move one message, inside the caller's transaction."""
        allowed = {c: change.fields[c] for c in change.fields if c in UPDATABLE_FIELDS}
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

    @staticmethod
    def _event(db: Connection, message_id: int, at: float, kind: str, detail: str) -> None:
        db.execute("INSERT INTO status_events (message_id, at, kind, detail) VALUES (?,?,?,?)",
                   (message_id, at, kind, detail))  # fmt: skip
