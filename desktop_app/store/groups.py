"""Recovery and request groups: what a previous owner left in ``sending``, and outcome-unknown messages
resolved together."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from desktop_app.core.outbox_state import OutboxState
from desktop_app.store.audit_log import AuditAnchor, AuditLog
from desktop_app.store.database import StoreError, transaction
from desktop_app.store.rows import (
    Change,
)


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


INTERRUPTED_TEXT = "Sealpost stopped while this message was being sent; it may or may not have reached Paubox."


NEVER_LEFT_TEXT = "returned to the queue: Sealpost stopped before this message was sent"


class GroupQueries(AuditLog):
    """Start-up recovery and the request groups a person resolves."""

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
                self._event(db, message_id, now, "queued", NEVER_LEFT_TEXT)
            for message_id in unknown:
                db.execute(
                    "UPDATE messages SET state = 'outcome_unknown', updated_at = ?, last_error = ?, "
                    "request_group = COALESCE(request_group, 'legacy-' || id) WHERE id = ?",
                    (now, INTERRUPTED_TEXT, message_id),
                )
                self._event(db, message_id, now, "outcome_unknown", INTERRUPTED_TEXT)
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
