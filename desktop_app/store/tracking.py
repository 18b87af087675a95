"""Delivery tracking: which accepted messages are due a status poll, receipts, per-recipient statuses and timelines."""

from __future__ import annotations

from collections.abc import Sequence

from desktop_app.core.records import RecipientDelivery
from desktop_app.store.database import transaction
from desktop_app.store.rows import (
    MESSAGE_COLUMNS,
    StatusEvent,
    StoredMessage,
    row_to_message,
)
from desktop_app.store.store_base import StoreBase

POLLABLE = "state = 'accepted' AND final_delivery = 0 AND tracking_id IS NOT NULL"
"""Exactly the ``messages_due_poll`` index's condition. The tracker's queries name that index
(``INDEXED BY``, an error if it ever stopped applying): without statistics SQLite prefers the
equality on ``state`` and would sort every accepted row instead."""


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


class TrackingQueries(StoreBase):
    """What the status tracker polls and records."""

    def due_polls(self, now: float, limit: int) -> list[StoredMessage]:
        """Accepted messages whose receipt should be checked now: most overdue first, then oldest.

        Ordering by due time (not only by age) means a tight budget still reaches every message
        instead of re-polling the oldest one forever. A range scan of the ``messages_due_poll``
        partial index: a tracked message's poll time is never NULL (0 means now).
        """
        with self._lock:
            rows = self._db.execute(
                f"SELECT {MESSAGE_COLUMNS} FROM messages INDEXED BY messages_due_poll "
                f"WHERE {POLLABLE} AND next_poll_at <= ? "
                "ORDER BY next_poll_at, accepted_at, id LIMIT ?",
                (now, limit),
            ).fetchall()
        return [row_to_message(r) for r in rows]

    def next_poll_time(self) -> float | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT MIN(next_poll_at) FROM messages INDEXED BY messages_due_poll WHERE {POLLABLE}"
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
                    self._event(db, message_id, now, d.delivery_status, d.recipient)  # a timeline per recipient
                if d.opened_status == "opened" and (old is None or old[1] != "opened"):
                    self._event(db, message_id, now, "opened", d.recipient)
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
