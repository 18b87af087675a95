"""Status tracking: polls message_receipt for accepted messages until their status is final.

Young messages are polled often and old ones rarely, oldest first, within a polling budget, and
only on the share of the request rate that sending leaves unused (``sending_limit``), so tracking
thousands of messages never slows a mail merge: its statuses follow once it pauses or ends.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from desktop_app.api.client import PauboxClient
from desktop_app.api.errors import NotFound, PauboxError, RateLimited, Unauthorized
from desktop_app.api.rate_limit import RateLimiter
from desktop_app.services.engine_loop import EngineLoop
from desktop_app.store.messages import MessageStore, StoredMessage

log = logging.getLogger(__name__)

MIN_INTERVAL = 2.0
MAX_INTERVAL = 3600.0
GIVE_UP_AFTER = 30 * 24 * 3600.0  # receipts are not documented to live longer; stop asking then

MIN_SENDING_WAIT = 0.1
"""While sends use the whole rate, the tracker looks again at most ten times a second."""

BounceListener = Callable[[StoredMessage, str, str], None]


def poll_interval(age_seconds: float) -> float:
    """A quarter of the message's age, between 2 s and an hour: fast at first, then rarely."""
    return min(MAX_INTERVAL, max(MIN_INTERVAL, age_seconds / 4.0))


class StatusTracker:
    def __init__(
        self,
        store: MessageStore,
        client: PauboxClient,
        *,
        polls_per_minute: int = 120,
        sending_limit: RateLimiter | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``sending_limit`` is the client's shared limiter: a poll waits until sends leave it full."""
        self._store = store
        self._sending_limit = sending_limit
        self._client = client
        self._clock = clock
        self._budget = RateLimiter(
            polls_per_minute / 60.0, burst=max(1.0, polls_per_minute / 6.0), headroom=0.0, clock=clock
        )  # the app's own budget, not a server's limit: no headroom
        self._loop = EngineLoop("status-tracker", self.poll_due, error_wait=5.0, clock=clock)
        self._bounce_listeners: list[BounceListener] = []
        self._budget_ready_at: float | None = None

    def on_bounce(self, listener: BounceListener) -> None:
        """``listener(message, recipient, status)`` when a recipient hard- or soft-bounces."""
        self._bounce_listeners.append(listener)

    def start(self) -> None:
        self._loop.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._loop.stop(timeout)

    def wake(self) -> None:
        """Look for due polls now."""
        self._loop.wake()

    def expect_poll(self, due_at: float) -> None:
        """A message was accepted and is due for its first poll at ``due_at``.

        The tracker is woken only if it would otherwise sleep past that time; waking it on every
        acceptance cost a ``due_polls`` query per message for nothing (docs/benchmarks.md,
        scenario 1). While it is busy polling, the time is kept for its next sleep.
        """
        self._loop.wake_by(due_at)

    def poll_due(self, limit: int = 20) -> float:
        """Poll what is due now (within budget); return seconds until the next poll is due."""
        now = self._clock()
        for stored in self._store.due_polls(now, limit):
            if self._loop.stopping:
                return 0.0
            if self._sending_limit is not None and (busy := self._sending_limit.idle_wait()) > 0:
                return max(busy, MIN_SENDING_WAIT)
            wait = self._take_budget()
            if wait > 0:
                return wait
            self._poll(stored)
        next_poll = self._store.next_poll_time()
        return 30.0 if next_poll is None else max(0.2, min(30.0, next_poll - self._clock()))

    def _take_budget(self) -> float:
        """Seconds until the next poll may go out. A token reserved on an earlier pass is kept for
        when it matures; reserving afresh on every pass would pile up debt and starve polling."""
        now = self._clock()
        if self._budget_ready_at is None:
            self._budget_ready_at = now + self._budget.reserve()
        wait = self._budget_ready_at - now
        if wait <= 0:
            self._budget_ready_at = None
        return max(0.0, wait)

    def _poll(self, stored: StoredMessage) -> None:
        now = self._clock()
        age = now - (stored.accepted_at or now)
        try:
            receipt = self._client.receipt(stored.tracking_id or "")
        except NotFound:
            # A receipt can lag the send by a moment; keep asking until it is clearly gone.
            self._reschedule(stored, now, age)
            return
        except RateLimited as error:
            self._store.reschedule_poll(stored.id, now + (error.retry_after or poll_interval(age)))
            return
        except Unauthorized:
            self._store.reschedule_poll(stored.id, now + 60.0)
            return
        except PauboxError:
            self._reschedule(stored, now, age)
            return
        final = receipt.is_final or age > GIVE_UP_AFTER
        changed = self._store.record_receipt(
            stored.id, receipt.deliveries, final=final, next_poll_at=None if final else now + poll_interval(age)
        )
        for recipient, status in changed:
            if "bounced" in status:
                for listener in list(self._bounce_listeners):
                    listener(stored, recipient, status)

    def _reschedule(self, stored: StoredMessage, now: float, age: float) -> None:
        if age > GIVE_UP_AFTER:
            self._store.record_receipt(stored.id, [], final=True, next_poll_at=None)
        else:
            self._store.reschedule_poll(stored.id, now + poll_interval(age))
