"""The outbox state machine (DESIGN §3): which transitions exist and what each state means.

Paubox has no idempotency key, so the states distinguish "certainly not sent" (queued, failed)
from "maybe sent" (outcome_unknown), and only a person may resend a maybe-sent message.
"""

from __future__ import annotations

from enum import StrEnum

from desktop_app.core.errors import KnownError


class OutboxState(StrEnum):
    DRAFT = "draft"
    QUEUED = "queued"  # waiting to go; may carry a next-attempt time (waiting to retry)
    SCHEDULED = "scheduled"  # held until a chosen time (send later / undo-send window)
    SENDING = "sending"  # a request is (or may be) on the wire
    ACCEPTED = "accepted"  # Paubox returned a sourceTrackingId
    OUTCOME_UNKNOWN = "outcome_unknown"  # the request may have reached Paubox; a person decides
    FAILED = "failed"  # Paubox refused it; never retried automatically
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in (OutboxState.ACCEPTED, OutboxState.FAILED, OutboxState.CANCELLED)

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    OutboxState.DRAFT: "Draft",
    OutboxState.QUEUED: "Queued",
    OutboxState.SCHEDULED: "Scheduled",
    OutboxState.SENDING: "Sending",
    OutboxState.ACCEPTED: "Sent",
    OutboxState.OUTCOME_UNKNOWN: "Outcome unknown",
    OutboxState.FAILED: "Failed",
    OutboxState.CANCELLED: "Cancelled",
}

S = OutboxState
ALLOWED_TRANSITIONS: dict[OutboxState, frozenset[OutboxState]] = {
    S.DRAFT: frozenset({S.QUEUED, S.SCHEDULED, S.CANCELLED}),
    S.QUEUED: frozenset({S.SENDING, S.CANCELLED, S.DRAFT, S.SCHEDULED}),
    S.SCHEDULED: frozenset({S.QUEUED, S.CANCELLED, S.DRAFT}),
    S.SENDING: frozenset({S.ACCEPTED, S.QUEUED, S.OUTCOME_UNKNOWN, S.FAILED}),
    S.OUTCOME_UNKNOWN: frozenset({S.QUEUED, S.ACCEPTED, S.CANCELLED}),  # resend / mark sent
    S.FAILED: frozenset({S.QUEUED, S.DRAFT, S.CANCELLED}),  # after the user fixed it
    S.ACCEPTED: frozenset(),
    S.CANCELLED: frozenset({S.DRAFT}),
}


class TransitionError(KnownError, RuntimeError):
    """A transition the state machine forbids: a bug, or a stale view acting on old state."""


def check_transition(current: OutboxState, target: OutboxState) -> None:
    if target not in ALLOWED_TRANSITIONS[current]:
        raise TransitionError(f"cannot move a message from {current.value} to {target.value}")
