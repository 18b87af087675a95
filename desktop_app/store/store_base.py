"""What every part of the message store shares: the connection, its lock, change listeners, the transition primitive."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from desktop_app.core.outbox_state import OutboxState, TransitionError, check_transition
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
        self._apply_many(db, now, [change])

    def _apply_many(self, db: Connection, now: float, changes: Sequence[Change],
                    current: Mapping[int, str] | None = None) -> None:  # fmt: skip
        """Check the state machine and move several messages, inside the caller's transaction.

        One read of their states (unless the caller already holds them: ``current``, read in the
        same transaction), one statement per kind of change and one for their timeline entries: a
        bulk chunk's 50 outcomes cost a few statements, not 150. A message named twice is moved in
        order (the second change is checked against the state the first one left).
        """
        for index, part in enumerate(unique_runs(changes)):
            self._apply_run(db, now, part, current if index == 0 else None)

    def _apply_run(self, db: Connection, now: float, changes: Sequence[Change],
                   current: Mapping[int, str] | None) -> None:  # fmt: skip
        states = current if current is not None else self.states_in(db, [c.message_id for c in changes])
        updates: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        events: list[tuple[int, float, str, str]] = []
        for change in changes:
            names = tuple(change.fields)
            if not UPDATABLE_FIELDS.issuperset(names):
                raise ValueError(f"unknown fields: {set(names) - UPDATABLE_FIELDS}")
            message_id, target = change.message_id, change.target
            state = states.get(message_id)
            if state is None:
                raise StoreError(f"message {message_id} does not exist")
            present = OutboxState(state)
            if change.expected is not None and present not in set(change.expected):
                raise TransitionError(
                    f"Message {message_id} is {present.label.lower()} now: something else changed it "
                    "meanwhile (another Sealpost window or command), so nothing was done to it."
                )
            if present is not target:
                check_transition(present, target)
            updates.setdefault(names, []).append((message_id, target.value, now, *change.fields.values()))
            events.append((message_id, now, target.value, change.detail))
        for names, rows in updates.items():
            update_rows(db, ("state", "updated_at", *names), rows)
        self._events(db, events)

    @staticmethod
    def states_in(db: Connection, ids: Sequence[int]) -> dict[int, str]:
        """The current state of each of ``ids`` that exists."""
        found: dict[int, str] = {}
        for part, marks in id_slices(ids):
            found.update(db.execute(f"SELECT id, state FROM messages WHERE id IN ({marks})", part).fetchall())
        return found

    @staticmethod
    def _events(db: Connection, events: Sequence[tuple[int, float, str, str]]) -> None:
        """Timeline entries ``(message id, at, kind, detail)``, a few hundred per statement."""
        insert_rows(db, "status_events (message_id, at, kind, detail)", events)

    @staticmethod
    def _event(db: Connection, message_id: int, at: float, kind: str, detail: str) -> None:
        db.execute("INSERT INTO status_events (message_id, at, kind, detail) VALUES (?,?,?,?)",
                   (message_id, at, kind, detail))  # fmt: skip


def unique_runs(changes: Sequence[Change]) -> list[Sequence[Change]]:
    """``changes`` cut, in order, into runs that name each message at most once (usually one run)."""
    runs: list[Sequence[Change]] = []
    seen: set[int] = set()
    start = 0
    for index, change in enumerate(changes):
        if change.message_id in seen:
            runs.append(changes[start:index])
            seen, start = set(), index
        seen.add(change.message_id)
    if start < len(changes):
        runs.append(changes[start:])
    return runs


ROWS_PER_STATEMENT = 250
"""Rows one statement writes or names at most (well under SQLite's limit on bound values).

With ``cipher_memory_security`` every allocation SQLCipher makes is locked and unlocked in RAM
(two system calls), and each execution of a statement allocates and frees a cursor for the table
and for every index it touches. ``executemany`` runs the statement once per row; one statement
naming 50 rows does that work once. For a bulk chunk's claim, on-the-wire mark and outcomes that
is 3 to 5 times less store time per message (docs/benchmarks.md, scenario 9).
"""


def statement_slices(rows: Sequence[Sequence[Any]], width: int) -> Iterator[tuple[Sequence[Sequence[Any]], str]]:
    """``rows`` in slices for one multi-row ``VALUES`` each: ``(slice, "(?,?),(?,?)…")``."""
    mark = f"({','.join('?' * width)})"
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        part = rows[start : start + ROWS_PER_STATEMENT]
        yield part, ",".join([mark] * len(part))


def id_slices(ids: Sequence[int]) -> Iterator[tuple[tuple[int, ...], str]]:
    """``ids`` in slices for one ``IN (…)`` each: ``(ids, "?,?,…")``."""
    for start in range(0, len(ids), ROWS_PER_STATEMENT):
        part = tuple(ids[start : start + ROWS_PER_STATEMENT])
        yield part, ",".join("?" * len(part))


def insert_rows(db: Connection, into: str, rows: Sequence[Sequence[Any]]) -> None:
    """``INSERT INTO {into} VALUES (…), (…)`` for many rows of equal width, a slice per statement."""
    if rows:
        for part, marks in statement_slices(rows, len(rows[0])):
            db.execute(f"INSERT INTO {into} VALUES {marks}", [value for row in part for value in row])


def update_rows(db: Connection, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Set ``columns`` of many messages, each its own values: rows are ``(id, *values)``, one statement per slice."""
    assignments = ", ".join(f"{name} = v.column{n}" for n, name in enumerate(columns, start=2))
    for part, marks in statement_slices(rows, len(columns) + 1):
        db.execute(f"UPDATE messages SET {assignments} FROM (VALUES {marks}) AS v WHERE messages.id = v.column1",
                   [value for row in part for value in row])  # fmt: skip
