"""Outgoing webhooks: POST the documented API-Mail-Log events when a delivery status changes.

Two kinds of subscriber get them: the older in-API ``webhook_endpoints`` (unsigned, as Paubox
documents) and the webhooks service's endpoints (``/v1/webhooks/endpoints``), whose deliveries are
signed with the endpoint's secret (see :func:`signature_header`; the scheme is the sandbox's own,
Paubox documents none).

Deliveries go to loopback targets only: a target whose host is not a loopback address (or
``localhost``) is never contacted, whatever the configuration; the attempt is logged as skipped.

Timers exist only while some endpoint is active, so plain sending stays timer-free. Like Paubox,
a failed POST is not retried unless ``webhook_retries`` asks for it (useful in tests).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import ssl
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .config import is_loopback
from .delivery import EVENT_OPENED, event_for, iso_millis
from .messages import bare_address

if TYPE_CHECKING:
    import httpx

    from .state import SandboxState, StoredMessage

_LOG_SIZE = 1000
_RETRY_BASE_SECONDS = 0.1
SIGNATURE_HEADER = "Paubox-Signature"
EVENT_ID_HEADER = "Paubox-Event-Id"
SKIPPED_NON_LOOPBACK = "skipped: not a loopback target"


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """``t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`` (kept in step with
    ``desktop_app.core.webhook_signature``, which receivers use to check it)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def loopback_target(url: str) -> bool:
    """Whether ``url`` names a loopback host literally (no DNS: a name could point anywhere)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    return is_loopback(host.strip("[]"))


@dataclass(frozen=True, slots=True)
class _Target:
    url: str
    source: str  # "webhook_endpoints" (older, unsigned) or "webhooks_service" (signed)
    endpoint_id: str
    secret: str | None = None


class WebhookDispatcher:
    """Fires webhook events on the server loop; owns its HTTP client and pending timers/tasks."""

    def __init__(self, state: SandboxState, *, retries: int, timeout: float, ca_file: str | None = None) -> None:
        self._state = state
        self._ca_file = ca_file
        self._retries = retries
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None
        self._timers: set[asyncio.TimerHandle] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._event_id = 0
        self.log: deque[dict[str, object]] = deque(maxlen=_LOG_SIZE)

    def schedule(self, stored: StoredMessage) -> None:
        """Arm one timer per future event of ``stored`` (nothing if no endpoint is active)."""
        state = self._state
        if not any(e.active for e in state.webhook_endpoints.values()) and not any(
            e.status == "active" for e in state.service_endpoints.values()
        ):
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
        state = self._state
        targets = [
            _Target(e.target_url, "webhook_endpoints", str(e.id))
            for e in state.webhook_endpoints.values()
            if e.active and event in e.events
        ] + [
            _Target(e.target_url, "webhooks_service", e.id, e.signing_secret)
            for e in state.service_endpoints.values()
            if e.status == "active" and event in e.events
        ]
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
        raw = json.dumps(body, separators=(",", ":")).encode()
        event_id = f"evt_{self._event_id}_{secrets.token_hex(4)}"
        for target in targets:
            if not loopback_target(target.url):  # never leave this machine
                self.log.append(self._entry(body, target, 1) | {"status": None, "error": SKIPPED_NON_LOOPBACK})
                continue
            task = asyncio.get_running_loop().create_task(self._post(target, body, raw, event_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    @staticmethod
    def _entry(body: dict[str, object], target: _Target, attempt: int) -> dict[str, object]:
        return {
            "event_name": body["event_name"],
            "target_url": target.url,
            "source": target.source,
            "endpoint_id": target.endpoint_id,
            "signed": target.secret is not None,
            "attempt": attempt,
        }

    async def _post(self, target: _Target, body: dict[str, object], raw: bytes, event_id: str) -> None:
        import httpx  # at the first delivery: most sandboxes never deliver one, and it costs ~20 ms of their start

        if self._client is None:
            # No redirects: a loopback target must not bounce a delivery somewhere else.
            verify: ssl.SSLContext | bool = True
            if self._ca_file:
                verify = ssl.create_default_context(cafile=self._ca_file)
            self._client = httpx.AsyncClient(
                timeout=self._timeout, follow_redirects=False, trust_env=False, verify=verify
            )
        for attempt in range(1, self._retries + 2):
            entry = self._entry(body, target, attempt)
            headers = {"Content-Type": "application/json"}
            if target.secret is not None:
                headers[SIGNATURE_HEADER] = signature_header(target.secret, int(time.time()), raw)
                headers[EVENT_ID_HEADER] = event_id
            try:
                response = await self._client.post(target.url, content=raw, headers=headers)
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
