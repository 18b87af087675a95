"""Everything the sandbox remembers. Owned by the server's event-loop thread; never locked.

Messages are kept newest-last in insertion order and the oldest are forgotten beyond the
retention cap, so memory stays bounded however many messages pass through.
"""

from __future__ import annotations

import asyncio
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .delivery import Outcome, Timeline
from .messages import OutgoingMessage, SendOptions

if TYPE_CHECKING:
    from .webhooks_service import ServiceEndpoint


@dataclass(slots=True)
class StoredMessage:
    """An accepted message: what receipts, webhooks and introspection need, never the body."""

    tracking_id: str
    kind: str  # the endpoint that accepted it: messages, bulk_messages, templated_messages, schedule
    message: OutgoingMessage
    message_id: str
    timeline: Timeline
    envelope: tuple[str, ...]
    outcomes: tuple[Outcome, ...]
    links: tuple[str, ...]
    digest: bytes
    options: SendOptions = field(
        default_factory=SendOptions
    )  # the overrides and unsubscribe_url as sent (None: not sent)
    open_tracking: bool = True  # in effect for this message: the override, else the account default
    link_tracking: bool = True
    unsubscribed: set[str] = field(default_factory=set)  # recipients who used the one-click link

    @property
    def single(self) -> bool:
        return len(self.envelope) == 1


@dataclass(slots=True)
class DynamicTemplate:
    id: int
    name: str
    body: str
    created_at: str
    updated_at: str


@dataclass(slots=True)
class WebhookEndpoint:
    id: int
    target_url: str
    events: list[str]
    active: bool
    signing_key: str | None
    api_key: str | None
    created_at: str
    updated_at: str

    def to_json(self, api_customer_id: int) -> dict[str, object]:
        return {
            "id": self.id,
            "target_url": self.target_url,
            "events": list(self.events),
            "active": self.active,
            "signing_key": self.signing_key,
            "api_key": self.api_key,
            "api_customer_id": api_customer_id,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(slots=True)
class ScheduledMessage:
    tracking_id: str
    message: OutgoingMessage
    scheduled_at: float
    state: str = "pending"  # pending → sent | cancelled
    message_id: str | None = None
    sent_at: float | None = None
    cancelled_at: float | None = None
    timer: asyncio.TimerHandle | None = field(default=None, repr=False)


class SandboxState:
    """Messages, templates, webhook endpoints, schedules and request statistics."""

    def __init__(self, retention: int) -> None:
        self.retention = retention
        self._reset()

    def _reset(self) -> None:
        self.messages: OrderedDict[str, StoredMessage] = OrderedDict()
        self.duplicates: Counter[bytes] = Counter()
        self.templates: dict[int, DynamicTemplate] = {}
        self.webhook_endpoints: dict[int, WebhookEndpoint] = {}
        self.service_endpoints: dict[str, ServiceEndpoint] = {}  # the webhooks service, by UUID
        self.schedules: OrderedDict[str, ScheduledMessage] = OrderedDict()
        self.stats: Counter[tuple[str, str]] = Counter()
        self.accepted_total = 0
        self._next_id = 1

    def next_id(self) -> int:
        """Numeric ids for templates and webhook endpoints, as Paubox uses."""
        self._next_id += 1
        return self._next_id - 1

    def add_message(self, stored: StoredMessage) -> None:
        self.messages[stored.tracking_id] = stored
        self.duplicates[stored.digest] += 1
        self.accepted_total += 1
        while len(self.messages) > self.retention:
            _, evicted = self.messages.popitem(last=False)
            self.duplicates[evicted.digest] -= 1
            if self.duplicates[evicted.digest] <= 0:
                del self.duplicates[evicted.digest]

    def add_schedule(self, scheduled: ScheduledMessage) -> None:
        self.schedules[scheduled.tracking_id] = scheduled
        while len(self.schedules) > self.retention:
            _, evicted = self.schedules.popitem(last=False)
            if evicted.timer is not None:
                evicted.timer.cancel()

    def template_named(self, name: str) -> DynamicTemplate | None:
        return next((t for t in self.templates.values() if t.name == name), None)

    def clear(self) -> None:
        """Forget everything (``POST /_sandbox/reset``); pending schedules never fire."""
        for scheduled in self.schedules.values():
            if scheduled.timer is not None:
                scheduled.timer.cancel()
        self._reset()
