"""Delivery simulation: a deterministic outcome per recipient address, status computed lazily.

Nothing runs per message: a receipt is derived from the accept time, the configured delay and
the outcome fixed at accept time, so a million messages cost only their retained records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

PROCESSING = "processing"
DELIVERED = "delivered"
DELIVERED_PORTAL = "delivered via secure portal"
TLS_NOT_OFFERED = "TLS not offered, sending via Secure Portal"
SOFT_BOUNCED = "soft bounced"
MAILBOX_FULL = "soft bounced - mailbox full"
HARD_BOUNCED = "hard bounced"
INTERNAL_ERROR = "Internal error. Please check back later."

OPENED = "opened"
NOT_OPENED = "not opened"

EVENT_DELIVERED = "api_mail_log_delivered"
EVENT_TEMPORARY_FAILURE = "api_mail_log_temporary_failure"
EVENT_PERMANENT_FAILURE = "api_mail_log_permanent_failure"
EVENT_OPENED = "api_mail_log_opened"
WEBHOOK_EVENTS = (EVENT_DELIVERED, EVENT_TEMPORARY_FAILURE, EVENT_PERMANENT_FAILURE, EVENT_OPENED)

_LINK = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_MAX_LINKS = 20


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where one recipient's delivery ends up (``status`` is None for "stays processing")."""

    status: str | None
    opened: bool = False
    clicked: bool = False


# First marker found in the local part (case-insensitive) wins. Documented in docs/sandbox.md.
OUTCOME_TABLE: tuple[tuple[str, Outcome], ...] = (
    ("hardbounce", Outcome(HARD_BOUNCED)),
    ("softbounce", Outcome(SOFT_BOUNCED)),
    ("mailboxfull", Outcome(MAILBOX_FULL)),
    ("internalerror", Outcome(INTERNAL_ERROR)),
    ("notls", Outcome(TLS_NOT_OFFERED)),
    ("portal", Outcome(DELIVERED_PORTAL)),
    ("stuck", Outcome(None)),
    ("clicked", Outcome(DELIVERED, opened=True, clicked=True)),
    ("opened", Outcome(DELIVERED, opened=True)),
)
_DEFAULT = Outcome(DELIVERED)

_EVENT_FOR_STATUS = {
    DELIVERED: EVENT_DELIVERED,
    DELIVERED_PORTAL: EVENT_DELIVERED,
    TLS_NOT_OFFERED: EVENT_DELIVERED,
    SOFT_BOUNCED: EVENT_TEMPORARY_FAILURE,
    MAILBOX_FULL: EVENT_TEMPORARY_FAILURE,
    HARD_BOUNCED: EVENT_PERMANENT_FAILURE,
}


def outcome_for(
    address: str,
    *,
    force_secure: bool,
    allow_non_tls: bool,
    single: bool,
    open_tracking: bool = True,
    link_tracking: bool = True,
) -> Outcome:
    """Deterministic fate of one recipient; opens and clicks exist only for single-recipient mail.

    The address marker says what the recipient does (opens, clicks); ``open_tracking`` and
    ``link_tracking`` (the account default or the send's override) say whether Paubox can see it:
    an open is reported only with open tracking on, clicks only with link tracking on.
    """
    local = address.rpartition("@")[0].lower()
    outcome = next((o for marker, o in OUTCOME_TABLE if marker in local), _DEFAULT)
    if outcome.status == TLS_NOT_OFFERED and allow_non_tls:
        outcome = Outcome(DELIVERED, outcome.opened, outcome.clicked)
    elif outcome.status == DELIVERED and force_secure:
        outcome = Outcome(DELIVERED_PORTAL, outcome.opened, outcome.clicked)
    if not single and (outcome.opened or outcome.clicked):
        outcome = Outcome(outcome.status)
    if (outcome.opened and not open_tracking) or (outcome.clicked and not link_tracking):
        outcome = Outcome(outcome.status, outcome.opened and open_tracking, outcome.clicked and link_tracking)
    return outcome


def event_for(status: str | None) -> str | None:
    """Webhook event fired when a recipient reaches ``status`` (none for processing/internal error)."""
    return _EVENT_FOR_STATUS.get(status) if status else None


def links_in(html: str | None) -> tuple[str, ...]:
    return tuple(_LINK.findall(html or ""))[:_MAX_LINKS]


def rfc2822(timestamp: float) -> str:
    """Receipt times look like ``Mon, 23 Apr 2018 13:27:34 +0000``."""
    return format_datetime(datetime.fromtimestamp(int(timestamp), UTC))


def iso_millis(timestamp: float) -> str:
    """Webhook times look like ``2024-05-01T12:00:00.123Z``."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Timeline:
    """When a delivery becomes final and when it is opened, relative to the accept time."""

    accepted_at: float
    delay: float

    @property
    def final_at(self) -> float:
        return self.accepted_at + self.delay

    @property
    def opened_at(self) -> float:
        return self.accepted_at + 2 * self.delay


def delivery_row(address: str, outcome: Outcome, timeline: Timeline, now: float, single: bool) -> dict[str, object]:
    """One ``message_deliveries`` entry as seen at ``now``."""
    status: dict[str, object]
    if outcome.status is None or now < timeline.final_at:
        status = {"deliveryStatus": PROCESSING}
    elif outcome.status == INTERNAL_ERROR:
        status = {"deliveryStatus": INTERNAL_ERROR}
    else:
        status = {"deliveryStatus": outcome.status, "deliveryTime": rfc2822(timeline.final_at)}
    if single:
        opened = outcome.opened and outcome.status is not None and now >= timeline.opened_at
        status["openedStatus"] = OPENED if opened else NOT_OPENED
        if opened:
            status["openedTime"] = rfc2822(timeline.opened_at)
    return {"recipient": address, "status": status}


def engagement(
    outcome: Outcome, timeline: Timeline, now: float, links: tuple[str, ...], *, unsubscribed: bool = False
) -> dict[str, object]:
    """The single-recipient-only receipt fields: opens, clicks (both at the open time), unsubscribe."""
    engaged = outcome.status is not None and now >= timeline.opened_at
    opened = outcome.opened and engaged
    clicks = [{"click_count": 1, "target_url": url} for url in links] if outcome.clicked and engaged else []
    return {
        "total_opens": 1 if opened else 0,
        "distinct_opens": 1 if opened else 0,
        "total_click_count": len(clicks),
        "clicks_per_link": clicks,
        "unsubscribed": unsubscribed,
    }
