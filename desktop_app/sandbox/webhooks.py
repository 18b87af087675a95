"""Outgoing webhooks: POST the documented API-Mail-Log events when a delivery status changes.

Timers exist only while some endpoint is active, so plain sending stays timer-free. Like Paubox,
a failed POST is not retried unless ``webhook_retries`` asks for it (useful in tests).
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import deque
from typing import TYPE_CHECKING

import httpx

from .delivery import EVENT_OPENED, event_for, iso_millis
from .messages import bare_address

if TYPE_CHECKING:
    from .state import SandboxState, StoredMessage

_LOG_SIZE = 1000
_RETRY_BASE_SECONDS = 0.1


class WebhookDispatcher:
    """Fires webhook events on the server loop; owns its HTTP client and pending timers/tasks."""

    def __init__(self, state: SandboxState, *, retries: int, timeout: float) -> None:
        self._state = state
        self._retries = retries
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None
        self._timers: set[asyncio.TimerHandle] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._event_id = 0
        self.log: deque[dict[str, object]] = deque(maxlen=_LOG_SIZE)

    def schedule(self, stored: StoredMessage) -> None:
        """Arm one timer per future event of ``stored`` (nothing if no endpoint is active)."""
        if not any(e.active for e in self._state.webhook_endpoints.values()):
            return
        loop = asyncio.get_running_loop()
        now = time.time()
        timeline = stored.timeline
        for address, outcome in zip(stored.envelope, stored.outcomes, strict=True):
            event = event_for(outcome.status)
            if event is not None:
                self._arm(loop, timeline.final_at - now, event, stored, address, timeline.final_at)
            if outcome.opened and outcome.status is not None:
                self._arm(loop, timeline.opened_at - now, EVENT_OPENED, stored, address, timeline.opened_at)

    def _arm(
        self,
        loop: asyncio.AbstractEventLoop,
        delay: float,
        event: str,
        stored: StoredMessage,
        address: str,
        at: float,
    ) -> None:
        handle: asyncio.TimerHandle

        def fire() -> None:
            self._timers.discard(handle)
            self.fire(event, stored, address, at)

        handle = loop.call_later(max(delay, 0.0), fire)
        self._timers.add(handle)

    def fire(self, event: str, stored: StoredMessage, address: str, at: float) -> None:
        """POST ``event`` to every active endpoint subscribed to it."""
        targets = [e.target_url for e in self._state.webhook_endpoints.values() if e.active and event in e.events]
        if not targets:
            return
        self._event_id += 1
        message = stored.message
        body: dict[str, object] = {
            "event_name": event,
            "payload": {
                "id": self._event_id,
                "subject": message.subject,
                "header_message_id": stored.message_id,
                "source_tracking_id": stored.tracking_id,
                "outbound_queue_id": secrets.token_hex(5).upper(),
                "time": iso_millis(at),
                "from": bare_address(message.sender),
                "to": address,
                "custom_headers": message.custom_headers,
            },
        }
        for url in targets:
            task = asyncio.get_running_loop().create_task(self._post(url, body))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _post(self, url: str, body: dict[str, object]) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout)
        for attempt in range(1, self._retries + 2):
            entry: dict[str, object] = {"event_name": body["event_name"], "target_url": url}
            entry["attempt"] = attempt
            try:
                response = await self._client.post(url, json=body)
            except httpx.HTTPError as error:
                entry.update(status=None, error=type(error).__name__)
            else:
                entry.update(status=response.status_code, error=None)
                if response.is_success:
                    self.log.append(entry)
                    return
            self.log.append(entry)
            if attempt <= self._retries:
                await asyncio.sleep(_RETRY_BASE_SECONDS * 2 ** (attempt - 1))

    def reset(self) -> None:
        """Forget the delivery log and drop pending events (``POST /_sandbox/reset``)."""
        self.cancel_pending()
        self.log.clear()

    def cancel_pending(self) -> None:
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
        for task in self._tasks:
            task.cancel()

    async def close(self) -> None:
        self.cancel_pending()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None
