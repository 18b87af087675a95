"""Scheduled sends (``/schedule``, newest API generation): create, status, reschedule, cancel.

One result type serves all four replies because they are subsets of the same record; fields a
reply leaves out are "" and unknown ones are kept in ``extra``. Unknown ``state`` strings pass through.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from desktop_app.api.errors import InvalidInput, MalformedResponse
from desktop_app.api.models import extra_fields, require_mapping, text_field, tracking_id_field

MAX_DAYS_AHEAD = 30


@dataclass(frozen=True)
class ScheduledSend:
    tracking_id: str
    state: str = ""  # "pending", "sent", "cancelled" seen; anything else is shown verbatim
    scheduled_at: str = ""
    data: str = ""
    message_id: str = ""
    sent_at: str = ""
    cancelled_at: str = ""
    error_message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


_FIELDS = frozenset(
    {"sourceTrackingId", "state", "scheduledAt", "data", "messageId", "sentAt", "cancelledAt", "errorMessage"}
)


def parse_scheduled(body: Any) -> ScheduledSend:
    mapping = require_mapping(body, "reply about a scheduled message")
    tracking_id = tracking_id_field(mapping.get("sourceTrackingId"))
    if tracking_id is None:
        raise MalformedResponse("Paubox's reply about a scheduled message had no usable tracking id.")
    return ScheduledSend(
        tracking_id=tracking_id,
        state=text_field(mapping.get("state")),
        scheduled_at=text_field(mapping.get("scheduledAt")),
        data=text_field(mapping.get("data")),
        message_id=text_field(mapping.get("messageId")),
        sent_at=text_field(mapping.get("sentAt")),
        cancelled_at=text_field(mapping.get("cancelledAt")),
        error_message=text_field(mapping.get("errorMessage")),
        extra=extra_fields(mapping, _FIELDS),
    )


def scheduled_at_text(when: datetime, now: datetime) -> str:
    """UTC RFC 3339 (``2025-12-25T15:00:00Z``), refused here unless in the future and ≤ 30 days ahead."""
    if when.tzinfo is None:
        raise InvalidInput("The send time needs a time zone.")
    if when <= now:
        raise InvalidInput("Choose a send time in the future.")
    if when > now + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput(f"Paubox schedules at most {MAX_DAYS_AHEAD} days ahead; choose an earlier time.")
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
