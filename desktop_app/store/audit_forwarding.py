"""How far each syslog collector has the audit trail: the forwarding ledger (schema 1005).

The events waiting to be forwarded are the audit entries themselves, already in the encrypted,
append-only ``audit_log``; nothing is copied. This table keeps, per collector, the id of the
newest entry it is known to have received (``confirmed_id``). Everything after it is the backlog:
it survives restarts and crashes, and is replayed in id order when the collector returns. The
ledger only ever moves forward, so an entry is marked forwarded at most once.
"""

from __future__ import annotations

from desktop_app.store.audit_log import AuditEntry
from desktop_app.store.database import transaction
from desktop_app.store.store_base import StoreBase


class ForwardingLedger:
    """Backlog and progress per collector, on the store's one connection (and under its lock)."""

    def __init__(self, store: StoreBase) -> None:
        self._db = store._db
        self._lock = store._lock

    def confirmed(self, target: str) -> int:
        with self._lock:
            row = self._db.execute("SELECT confirmed_id FROM audit_forwarding WHERE target = ?", (target,)).fetchone()
        return int(row[0]) if row else 0

    def pending(self, target: str, limit: int) -> list[AuditEntry]:
        """The oldest ``limit`` entries the collector is not known to have, in chain order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, at, actor, action, message_id, detail, prev_hash, hash FROM audit_log "
                "WHERE id > COALESCE((SELECT confirmed_id FROM audit_forwarding WHERE target = ?), 0) "
                "ORDER BY id LIMIT ?",
                (target, limit),
            ).fetchall()
        return [AuditEntry(*row) for row in rows]

    def backlog(self, target: str) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*) FROM audit_log "
                "WHERE id > COALESCE((SELECT confirmed_id FROM audit_forwarding WHERE target = ?), 0)",
                (target,),
            ).fetchone()
        return int(row[0])

    def confirm(self, target: str, entry_id: int, now: float) -> None:
        """The collector has every entry up to ``entry_id``; never moves the mark backwards."""
        with self._lock, transaction(self._db) as db:
            db.execute(
                "INSERT INTO audit_forwarding (target, confirmed_id, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(target) DO UPDATE SET confirmed_id = MAX(confirmed_id, excluded.confirmed_id), "
                "updated_at = excluded.updated_at",
                (target, entry_id, now),
            )
