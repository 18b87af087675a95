"""Row types of the message store and how a ``messages`` row becomes one."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from desktop_app.core.message import OutgoingMessage, message_from_dict
from desktop_app.core.outbox_state import OutboxState


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

    @cached_property
    def message(self) -> OutgoingMessage:
        """The stored letter, decoded once: a send reads it three times (bulk check, request, domains)."""
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
class StatusEvent:
    at: float
    kind: str
    detail: str


PAYLOAD = "COALESCE((SELECT payload FROM message_payloads WHERE message_id = messages.id), messages.payload)"
"""A message's letter: in ``message_payloads`` (schema 2000), or inline for a row stored before it."""

MESSAGE_COLUMNS = (
    "id, uid, state, created_at, updated_at, attempts, next_attempt_at, send_at, last_error, "
    f"tracking_id, accepted_at, subject, recipients, tag, delivery_summary, final_delivery, batch_id, {PAYLOAD}, "
    "claimed_by, on_wire_at, request_group"
)


def row_to_message(row: Sequence[Any]) -> StoredMessage:
    return StoredMessage(
        id=row[0], uid=row[1], state=OutboxState(row[2]), created_at=row[3], updated_at=row[4],
        attempts=row[5], next_attempt_at=row[6], send_at=row[7], last_error=row[8], tracking_id=row[9],
        accepted_at=row[10], subject=row[11], recipients=row[12], tag=row[13], delivery_summary=row[14],
        final_delivery=bool(row[15]), batch_id=row[16], payload=row[17], claimed_by=row[18], on_wire_at=row[19],
        request_group=row[20],
    )  # fmt: skip


UPDATABLE_FIELDS = frozenset(
    {"next_attempt_at", "last_error", "tracking_id", "accepted_at", "send_at", "next_poll_at",
     "subject", "recipients", "attempts"}
)  # fmt: skip


def recipients_text(message: OutgoingMessage) -> str:
    return ", ".join(a.formatted() for a in message.all_recipients)
