"""Mail-merge batches: written in large statements, summarised and followed by their batch id."""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from desktop_app.core.message import OutgoingMessage, message_to_dict
from desktop_app.core.outbox_state import OutboxState
from desktop_app.store.crashpoint import crash_point
from desktop_app.store.database import transaction
from desktop_app.store.rows import (
    MESSAGE_COLUMNS,
    PAYLOAD,
    StoredMessage,
    recipients_text,
    row_to_message,
)
from desktop_app.store.store_base import StoreBase, insert_rows

BATCH_WRITE_ROWS = 500
"""Mail-merge rows rendered and written per statement by :meth:`MessageStore.add_batch`."""


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


class BatchQueries(StoreBase):
    """Mail-merge batches: bulk insert and per-batch reads."""

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
                messages, payloads, search, events = [], [], [], []
                for row, message in chunk:
                    recipients = recipients_text(message)
                    messages.append(
                        (
                            next_id,
                            str(uuid.uuid4()),
                            now,
                            now,
                            OutboxState.QUEUED.value,
                            message.subject,
                            recipients,
                            "",
                            batch_id,
                            row,
                            message.tag,
                        )
                    )
                    payloads.append((next_id, json.dumps(message_to_dict(message))))
                    search.append((next_id, message.subject, message.text or message.html, recipients))
                    events.append((next_id, now, OutboxState.QUEUED.value, ""))
                    ids.append(next_id)
                    next_id += 1
                # Multi-row statements, not executemany: see store_base.ROWS_PER_STATEMENT.
                insert_rows(db, "messages (id, uid, created_at, updated_at, state, subject, recipients, payload, "
                            "batch_id, batch_row, tag)", messages)  # fmt: skip
                insert_rows(db, "message_payloads (message_id, payload)", payloads)
                insert_rows(db, "messages_fts (rowid, subject, body, recipients)", search)
                self._events(db, events)
            crash_point("after_insert_before_commit")
        self.notify_changed(ids)
        return ids

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
            rows = self._db.execute(
                "SELECT id, state FROM messages WHERE batch_id = ? AND batch_id IS NOT NULL", (batch_id,)
            ).fetchall()  # the partial index messages_batch_states alone (schema 1009)
        return {int(r[0]): OutboxState(r[1]) for r in rows}

    def batch_states_of(self, batch_id: str, ids: Iterable[int]) -> dict[int, OutboxState]:
        """The current state of each of ``ids`` in a batch, read from the batch index alone: what a
        waiting command reads on every look (a message's own row is a page of its letter)."""
        return self._states_where("batch_id = ? AND batch_id IS NOT NULL AND ", (batch_id,), ids)

    def states(self, ids: Iterable[int]) -> dict[int, OutboxState]:
        """The current state of each of ``ids`` that exists (primary-key lookups: costs what is asked)."""
        return self._states_where("", (), ids)

    def _states_where(self, condition: str, params: tuple[object, ...], ids: Iterable[int]) -> dict[int, OutboxState]:
        wanted = list(ids)
        found: dict[int, OutboxState] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            with self._lock:
                rows = self._db.execute(
                    f"SELECT id, state FROM messages WHERE {condition}id IN ({','.join('?' * len(chunk))})",
                    (*params, *chunk),
                ).fetchall()
            found.update((int(r[0]), OutboxState(r[1])) for r in rows)
        return found

    def batch_payloads(self, batch_id: str) -> dict[int, str]:
        """Each stored row's payload by row number (to tell whether an old batch id sent the same thing)."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT batch_row, {PAYLOAD} FROM messages WHERE batch_id = ?", (batch_id,)
            ).fetchall()
        return {int(r[0]): str(r[1]) for r in rows}

    def batch_rows(self, batch_id: str) -> dict[int, StoredMessage]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT batch_row, {MESSAGE_COLUMNS} FROM messages WHERE batch_id = ?", (batch_id,)
            ).fetchall()
        return {row[0]: row_to_message(row[1:]) for row in rows}
