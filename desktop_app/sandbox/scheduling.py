"""Scheduled sends (``/schedule``): create, status, reschedule, cancel; at most 30 days ahead.

A pending schedule holds one loop timer; when it fires the message is accepted under the
schedule's tracking id, so ``message_receipt`` works with the id the client already has.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime

from aiohttp import web

from .bodies import read_data, read_json_object
from .messages import parse_message
from .responses import ApiError, bad_request, json_response
from .runtime import Runtime
from .sending import SERVICE_OK
from .state import ScheduledMessage

MAX_DAYS_AHEAD = 30
PENDING, SENT, CANCELLED = "pending", "sent", "cancelled"


def rfc3339(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _when(raw: object) -> float:
    if not isinstance(raw, str):
        raise bad_request("scheduled_at is required (RFC 3339, UTC).", "Invalid scheduled_at")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise bad_request("scheduled_at must be an RFC 3339 timestamp.", "Invalid scheduled_at") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    when, now = moment.timestamp(), time.time()
    if when <= now:
        raise bad_request("scheduled_at must be in the future.", "Invalid scheduled_at")
    if when > now + MAX_DAYS_AHEAD * 86400:
        raise bad_request(f"scheduled_at must be at most {MAX_DAYS_AHEAD} days ahead.", "Invalid scheduled_at")
    return when


def _arm(rt: Runtime, scheduled: ScheduledMessage) -> None:
    def fire() -> None:
        scheduled.timer = None
        stored = rt.accept(scheduled.message, "schedule", tracking_id=scheduled.tracking_id)
        scheduled.state, scheduled.sent_at = SENT, stored.timeline.accepted_at
        scheduled.message_id = stored.message_id

    delay = max(scheduled.scheduled_at - time.time(), 0.0)
    scheduled.timer = asyncio.get_running_loop().call_later(delay, fire)


def _find(rt: Runtime, tracking_id: str, *, pending: bool = False) -> ScheduledMessage:
    scheduled = rt.state.schedules.get(tracking_id)
    if scheduled is None:
        raise ApiError(
            404,
            "Scheduled message not found",
            "No scheduled message has this tracking id",
            extra={"sourceTrackingId": tracking_id},
        )
    if pending and scheduled.state != PENDING:
        raise ApiError(422, "Not pending", f"The scheduled message is already {scheduled.state}.")
    return scheduled


async def create_schedule(request: web.Request, rt: Runtime, params: dict[str, str]) -> web.StreamResponse:
    data = await read_data(request)
    message = parse_message(
        data.get("message"), verified_domains=rt.verified_domains, attachment_limit=rt.attachment_limit
    )
    scheduled = ScheduledMessage(str(uuid.uuid4()), message, _when(data.get("scheduled_at")))
    _arm(rt, scheduled)
    rt.state.add_schedule(scheduled)
    return json_response(
        {
            "sourceTrackingId": scheduled.tracking_id,
            "scheduledAt": rfc3339(scheduled.scheduled_at),
            "state": PENDING,
            "data": SERVICE_OK,
        }
    )


async def schedule_status(request: web.Request, rt: Runtime, params: dict[str, str]) -> web.StreamResponse:
    scheduled = _find(rt, params["id"])
    return json_response(
        {
            "sourceTrackingId": scheduled.tracking_id,
            "scheduledAt": rfc3339(scheduled.scheduled_at),
            "state": scheduled.state,
            "messageId": scheduled.message_id,
            "sentAt": rfc3339(scheduled.sent_at),
            "cancelledAt": rfc3339(scheduled.cancelled_at),
            "errorMessage": None,
        }
    )


async def reschedule(request: web.Request, rt: Runtime, params: dict[str, str]) -> web.StreamResponse:
    """Body ``{"scheduled_at": …}``; the ``data``-wrapped form is accepted too."""
    scheduled = _find(rt, params["id"], pending=True)
    body = await read_json_object(request)
    data = body.get("data")
    when = _when(data.get("scheduled_at") if isinstance(data, dict) else body.get("scheduled_at"))
    if scheduled.timer is not None:
        scheduled.timer.cancel()
    scheduled.scheduled_at = when
    _arm(rt, scheduled)
    return json_response(
        {"sourceTrackingId": scheduled.tracking_id, "scheduledAt": rfc3339(when), "data": "Rescheduled"}
    )


async def cancel_schedule(request: web.Request, rt: Runtime, params: dict[str, str]) -> web.StreamResponse:
    scheduled = _find(rt, params["id"], pending=True)
    if scheduled.timer is not None:
        scheduled.timer.cancel()
        scheduled.timer = None
    scheduled.state, scheduled.cancelled_at = CANCELLED, time.time()
    return json_response({"sourceTrackingId": scheduled.tracking_id, "state": CANCELLED, "data": "Cancelled"})
