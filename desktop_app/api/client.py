"""The Paubox Email API client: one pooled HTTPS connection set, one rate limiter, typed results.

Sends are attempted exactly once per call: whether to try again is the outbox's decision, made
from the error class (see ``errors``) and persisted, so a crash never loses that knowledge.
Idempotent reads (receipts) retry here, with backoff, because repeating them is harmless.
"""

from __future__ import annotations

import json
import re
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import certifi
import httpx

from desktop_app import __version__
from desktop_app.api.activity import ActivityEvent, ActivityListener
from desktop_app.api.config import ApiConfig
from desktop_app.api.errors import (
    AmbiguousOutcome,
    ConnectionFailed,
    Forbidden,
    InvalidRequest,
    MalformedResponse,
    NotFound,
    NotSent,
    PauboxError,
    RateLimited,
    Rejected,
    ServiceUnavailable,
    TooLarge,
    Unauthorized,
    UnverifiedSender,
)
from desktop_app.api.models import (
    Receipt,
    SendResult,
    error_summary,
    message_payload,
    parse_bulk_results,
    parse_receipt,
    parse_send_result,
    send_payload,
)
from desktop_app.api.rate_limit import RateLimiter
from desktop_app.core.message import OutgoingMessage
from desktop_app.core.retry import BackoffPolicy, parse_retry_after

BULK_CHUNK_SIZE = 50
_TRACKING_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


def tls_context() -> ssl.SSLContext:
    """Certificate verification always on, TLS 1.2 or newer."""
    context = ssl.create_default_context(cafile=certifi.where())
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


@dataclass(frozen=True)
class _Response:
    status: int
    body: Any  # parsed JSON, or None when the body was not JSON
    headers: httpx.Headers
    reason: str


class PauboxClient:
    """Thread-safe: one instance serves the outbox and the status tracker together."""

    def __init__(
        self,
        config: ApiConfig,
        *,
        limiter: RateLimiter | None = None,
        on_activity: ActivityListener | None = None,
        backoff: BackoffPolicy | None = None,
        read_attempts: int = 3,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.config = config
        self.limiter = limiter or RateLimiter(config.requests_per_second)
        self._on_activity = on_activity
        self._backoff = backoff or BackoffPolicy(base_seconds=0.5, cap_seconds=8.0)
        self._read_attempts = read_attempts
        self._clock = clock
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=config.base_url + "/",
            verify=tls_context(),
            transport=transport,
            limits=httpx.Limits(
                max_connections=config.max_connections,
                max_keepalive_connections=config.max_connections,
            ),
            headers={
                "Accept": "application/json",
                "User-Agent": f"Sealpost/{__version__}",
            },
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PauboxClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PauboxClient(base_url={self.config.base_url!r}, auth={self.config.auth_style.value})"

    # ----------------------------------------------------------------------------- endpoints

    def send(self, message: OutgoingMessage, *, attempt: int = 1) -> SendResult:
        """POST messages once. Raises NotSent, AmbiguousOutcome or Rejected on failure."""
        response = self._call("POST", "messages", "messages", json_body=send_payload(message), attempt=attempt)
        try:
            result = parse_send_result(response.body)
        except MalformedResponse as error:
            self._emit_parse_failure("POST", "messages", response, attempt, error)
            raise
        return result

    def send_many(self, messages: Sequence[OutgoingMessage]) -> list[SendResult | PauboxError]:
        """Send through bulk_messages in chunks of 50; one outcome per message, in order.

        A chunk that fails as a whole gives every message in it the same error, so the caller
        applies the same ambiguity rules per message as for single sends.
        """
        outcomes: list[SendResult | PauboxError] = []
        for start in range(0, len(messages), BULK_CHUNK_SIZE):
            chunk = messages[start : start + BULK_CHUNK_SIZE]
            body = {"data": {"messages": [message_payload(m) for m in chunk]}}
            try:
                response = self._call("POST", "bulk_messages", "bulk_messages", json_body=body)
                outcomes.extend(parse_bulk_results(response.body, len(chunk)))
            except PauboxError as error:
                outcomes.extend([error] * len(chunk))
        return outcomes

    def receipt(self, tracking_id: str) -> Receipt:
        """GET message_receipt, retried with backoff on anything but a client error."""
        check_path_id(tracking_id)
        response = self._read("message_receipt", "message_receipt", params={"sourceTrackingId": tracking_id})
        return parse_receipt(response.body)

    def check_credentials(self) -> None:
        """Raise Unauthorized for a bad key; anything but 401 on GET messages means the key works.

        The same probe Paubox's own CLI uses: it sends nothing and costs nothing.
        """
        try:
            self._call("GET", "messages", "messages")
        except Unauthorized:
            raise
        except (Rejected, AmbiguousOutcome):
            return

    # ----------------------------------------------------------------------------- plumbing

    def _read(self, endpoint: str, path: str, *, params: dict[str, str] | None = None) -> _Response:
        attempt = 1
        while True:
            try:
                return self._call("GET", endpoint, path, params=params, attempt=attempt)
            except Rejected:
                raise
            except (NotSent, AmbiguousOutcome) as error:
                if attempt >= self._read_attempts:
                    raise
                retry_after = error.retry_after if isinstance(error, NotSent) else None
                self._sleep(self._backoff.delay(attempt, retry_after))
                attempt += 1

    def _call(
        self,
        method: str,
        endpoint: str,
        path: str,
        *,
        json_body: Any = None,
        params: dict[str, str] | None = None,
        attempt: int = 1,
    ) -> _Response:
        content = json.dumps(json_body, separators=(",", ":")).encode() if json_body is not None else None
        size = len(content) if content else 0
        timeout = httpx.Timeout(
            connect=self.config.connect_timeout,
            # Sized to the payload so a large attachment on a slow uplink is not cut off.
            write=10.0 + size / 100_000,
            read=self.config.read_timeout + size / 1_000_000,
            pool=30.0,
        )
        headers = {"Authorization": self.config.authorization()}
        if content is not None:
            headers["Content-Type"] = "application/json"
        self.limiter.acquire()
        started = time.perf_counter()
        try:
            raw = self._http.request(method, path, content=content, params=params, headers=headers, timeout=timeout)
        except httpx.HTTPError as error:
            failure = _transport_failure(error)
            self._emit(method, endpoint, None, started, attempt, failure)
            raise failure from None
        try:
            body: Any = raw.json() if raw.content else None
        except (ValueError, UnicodeDecodeError):
            body = None
        response = _Response(raw.status_code, body, raw.headers, raw.reason_phrase)
        if 200 <= raw.status_code < 300:
            if body is None and raw.content:
                failure = MalformedResponse(
                    "Paubox's reply could not be read; the request may have gone through.",
                    status=raw.status_code,
                )
                self._emit(method, endpoint, raw.status_code, started, attempt, failure)
                raise failure
            tracking = body.get("sourceTrackingId", "") if isinstance(body, dict) else ""
            self._emit(method, endpoint, raw.status_code, started, attempt, None, tracking)
            return response
        failure = self._status_failure(response)
        self._emit(method, endpoint, raw.status_code, started, attempt, failure)
        raise failure

    def _status_failure(self, response: _Response) -> PauboxError:
        status = response.status
        title, details = error_summary(response.body, response.reason or f"HTTP {status}")
        detail = f"{title}: {details}" if details else title
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None:
                self.limiter.pause_for(min(retry_after, self._backoff.retry_after_ceiling))
            retry_at = (
                datetime.fromtimestamp(self._clock(), UTC) + timedelta(seconds=retry_after)
                if retry_after is not None else None
            )  # fmt: skip
            return RateLimited("Paubox asked us to slow down; sending resumes shortly.",
                               retry_after=retry_after, retry_at=retry_at)  # fmt: skip
        if status in (503, 408):
            return ServiceUnavailable(
                "Paubox is temporarily unavailable; the message stays queued and will be retried.",
                status=status, detail=detail,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )  # fmt: skip
        if status >= 500:
            return AmbiguousOutcome(
                f"Paubox reported a server error ({status}); the message may or may not have been sent.",
                status=status, detail=detail,
            )  # fmt: skip
        kind, words = _REJECTIONS.get(status, (Rejected, "Paubox refused the request"))
        return kind(f"{words}: {detail}" if detail else words, status=status, detail=detail)

    def _emit(
        self, method: str, endpoint: str, status: int | None, started: float, attempt: int,
        failure: PauboxError | None, tracking_id: str = "",
    ) -> None:  # fmt: skip
        if self._on_activity is None:
            return
        self._on_activity(
            ActivityEvent(
                at=self._clock(),
                method=method,
                endpoint=endpoint,
                status=status,
                latency_ms=(time.perf_counter() - started) * 1000.0,
                attempt=attempt,
                outcome=outcome_name(failure),
                tracking_id=tracking_id if isinstance(tracking_id, str) else "",
                error=type(failure).__name__ if failure else "",
            )
        )

    def _emit_parse_failure(
        self, method: str, endpoint: str, response: _Response, attempt: int, error: PauboxError
    ) -> None:
        if self._on_activity is not None:
            self._on_activity(
                ActivityEvent(self._clock(), method, endpoint, response.status, 0.0, attempt,
                              outcome_name(error), error=type(error).__name__)
            )  # fmt: skip


_REJECTIONS: dict[int, tuple[type[Rejected], str]] = {
    400: (InvalidRequest, "Paubox refused the message"),
    401: (Unauthorized, "The API key was not accepted (missing, wrong or revoked); enter a new key in Settings"),
    403: (Forbidden, "This API key is not allowed to do that"),
    404: (NotFound, "Paubox does not know that item"),
    413: (TooLarge, "The message is larger than Paubox accepts; remove or shrink attachments"),
    422: (UnverifiedSender, "Paubox could not accept the message (often: the sender's domain is not verified)"),
}


def outcome_name(failure: PauboxError | None) -> str:
    if failure is None:
        return "ok"
    if isinstance(failure, MalformedResponse):
        return "malformed"
    if isinstance(failure, AmbiguousOutcome):
        return "ambiguous"
    if isinstance(failure, NotSent):
        return "not_sent"
    return "rejected"


def _transport_failure(error: httpx.HTTPError) -> PauboxError:
    """Classify a transport error by whether the request can have reached the server."""
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return ConnectionFailed("Cannot reach Paubox; check the network. Messages stay queued.")
    if isinstance(error, httpx.WriteTimeout | httpx.WriteError):
        # The body did not finish leaving this machine, so Paubox cannot have acted on it.
        return ConnectionFailed("The connection broke while sending; the message stays queued.")
    if isinstance(error, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return ConnectionFailed("The API address is not valid; check Settings.")
    return AmbiguousOutcome("No reply from Paubox after the message was sent; it may or may not have arrived.")


def check_path_id(value: str) -> str:
    """Refuse ids that could change the URL they are placed in (path traversal, query smuggling)."""
    if not _TRACKING_ID.match(value):
        raise InvalidRequest("That tracking id is not valid.")
    return value
