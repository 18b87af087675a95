"""The audit log: an append-only hash chain of who did what, checkable against an anchor kept outside the database."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from desktop_app.store.database import Connection, transaction
from desktop_app.store.store_base import StoreBase

GENESIS_HASH = "0" * 64


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


def audit_hash(prev: str, at: float, actor: str, action: str, message_id: int | None, detail: str) -> str:
    record = json.dumps([prev, repr(at), actor, action, message_id, detail], ensure_ascii=False)
    return hashlib.sha256(record.encode("utf-8")).hexdigest()


class AuditLog(StoreBase):
    """Append-only audit entries, each hashing the one before."""

    def __init__(self, connection: Connection, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__(connection, clock=clock)
        self._audit_listeners: list[Callable[[AuditAnchor], None]] = []

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
        prev = row[0] if row else GENESIS_HASH
        digest = audit_hash(prev, now, actor, action, message_id, detail)
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
        prev = GENESIS_HASH
        anchored = anchor is None
        for entry in self.audit_entries():
            expected = audit_hash(prev, entry.at, entry.actor, entry.action, entry.message_id, entry.detail)
            if entry.prev_hash != prev or entry.hash != expected:
                return entry.id
            if anchor is not None and entry.id == anchor.entry_id:
                if entry.hash != anchor.hash:
                    return entry.id
                anchored = True
            prev = entry.hash
        return None if anchored or anchor is None else anchor.entry_id
