"""How one call to Paubox is made: the pooled connections, limits in size and time, retries of
reads, the mapping of every failure to an error class, and one activity event per request.

``PauboxClient`` (``client.py``) adds the Paubox endpoints on top.
"""

from __future__ import annotations

import dataclasses
import json
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Self, TypeVar

import certifi
import httpx

from desktop_app import __version__
from desktop_app.api.activity import ActivityEvent, ActivityListener
from desktop_app.api.bounded import MAX_RESPONSE_BYTES, BoundedTransport, Deadline, RequestGuard
from desktop_app.api.config import ApiConfig, AuthStyle, Secret
from desktop_app.api.errors import (
    AmbiguousOutcome,
    CertificateUnverified,
    ClientClosed,
    ConnectionFailed,
    Forbidden,
    InvalidRequest,
    MalformedResponse,
    NotFound,
    NoTimelyReply,
    NotSent,
    NotServed,
    PauboxError,
    RateLimited,
    ReadTimedOut,
    Rejected,
    ServiceUnavailable,
    TooLarge,
    Unauthorized,
    UnverifiedSender,
)
from desktop_app.api.models import (
    SERVER_TEXT_LIMIT,
    bounded_text,
    error_summary,
)
from desktop_app.api.rate_limit import RateLimiter
from desktop_app.core.redact import redact
from desktop_app.core.retry import BackoffPolicy, parse_retry_after

T = TypeVar("T")


def tls_context(ca_bundle: str | None = None) -> ssl.SSLContext:
    """Certificate verification always on, TLS 1.2 or newer; ``ca_bundle`` adds trust, never removes it."""
    context = ssl.create_default_context(cafile=certifi.where())
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def endpoint_tls_context(base_url: str, ca_bundle: str | None = None) -> ssl.SSLContext:
    """:func:`tls_context` for an ``https`` endpoint. A plain-``http`` one is on loopback only
    (``config.check_base_url``, the sandbox), where nothing is encrypted, so no trust store is
    loaded for it (~30 ms of every start): its context trusts no certificate at all, so a TLS
    connection made with it could only fail verification."""
    if base_url.lower().startswith("https:"):
        return tls_context(ca_bundle)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies hostnames and certificates: none trusted
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


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


@dataclass(frozen=True)
class _Response:
    status: int
    body: Any  # parsed JSON, or None when the body was empty or not JSON
    raw_size: int
    headers: httpx.Headers
    reason: str  # the server's reason phrase, cut to SERVER_TEXT_LIMIT
    cut_off: bool = False  # the body was larger than MAX_RESPONSE_BYTES: only its start was read


def _accept_any(body: Any) -> Any:
    return body


OnWire = Callable[[], None]


def _wire_trace(on_wire: OnWire) -> Callable[[str, Mapping[str, Any]], None]:
    """An httpcore ``trace`` callback that calls ``on_wire`` once, as the request headers start.

    httpcore names each phase (``connection.connect_tcp``, ``connection.start_tls``, then
    ``http11.send_request_headers`` or ``http2.send_request_headers``); nothing of the request
    has been written before the headers phase starts, so a failure before it proves "not sent".
    """
    fired = False

    def trace(event: str, _info: Mapping[str, Any]) -> None:
        nonlocal fired
        if not fired and event.endswith("send_request_headers.started"):
            fired = True
            on_wire()

    return trace


def _read_response(raw: httpx.Response, deadline: Deadline) -> _Response:
    """Read at most MAX_RESPONSE_BYTES of the body and parse it as JSON if it is JSON.

    HTML pages, empty bodies, hostile nesting and cut-off bodies read as None. A body that says
    (Content-Length) or proves (by running past the cap) it is too large is not read further.
    """
    declared = raw.headers.get("Content-Length", "")
    content = bytearray()
    cut_off = declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES
    if not cut_off:
        for chunk in raw.iter_bytes():
            if deadline.expired:  # Sealpost's transport enforces it in every read; this covers any other
                raise httpx.ReadTimeout("request deadline passed", request=raw.request)
            if len(content) + len(chunk) > MAX_RESPONSE_BYTES:
                cut_off = True
                break
            content += chunk
    body: Any = None
    if content and not cut_off:
        try:
            body = json.loads(bytes(content))
        except (ValueError, RecursionError):
            body = None
    return _Response(raw.status_code, body, len(content), raw.headers, bounded_text(raw.reason_phrase), cut_off)


class _WireState:
    """Whether the request's first byte has been written; calls the caller's ``on_wire`` at that moment."""

    def __init__(self, on_wire: OnWire | None) -> None:
        self._on_wire = on_wire
        self.fired = False

    def started(self) -> None:
        self.fired = True
        if self._on_wire is not None:
            self._on_wire()


def _transport_failure(
    error: httpx.HTTPError, *, deadline: Deadline | None = None, on_wire: bool = True, idempotent: bool = False
) -> PauboxError:
    """Classify a transport error by whether the request can have reached the server.

    ``on_wire`` says whether the request had started to be written; ``deadline`` whether the
    request was ended by its overall deadline or by ``close()`` rather than by the server.
    """
    ended_by = deadline.ended_by if deadline is not None else ""
    if ended_by == "closed":
        return _closed_failure(on_wire=on_wire, idempotent=idempotent)
    write_failed = isinstance(error, httpx.WriteTimeout | httpx.WriteError)
    if deadline is not None and (ended_by == "deadline" or deadline.expired):
        within = f"within {deadline.seconds:.0f} s"
        if not on_wire or write_failed:
            return ConnectionFailed(f"Paubox did not take the request {within}, so it was not sent; "
                                    "the message stays queued.")  # fmt: skip
        if idempotent:
            return ReadTimedOut(f"No complete reply from Paubox {within}; Sealpost will ask again later.")
        return NoTimelyReply(f"No complete reply from Paubox {within}; it may or may not have arrived.")
    tls = _tls_failure(error) if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout) else None
    if tls is not None:  # the handshake is part of connecting: nothing was sent
        return tls
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return ConnectionFailed("Cannot reach Paubox; check the network. Messages stay queued.")
    if write_failed:
        # The body did not finish leaving this machine, so Paubox cannot have acted on it.
        return ConnectionFailed("The connection broke while sending; the message stays queued.")
    if isinstance(error, httpx.UnsupportedProtocol | httpx.InvalidURL | httpx.LocalProtocolError):
        return ConnectionFailed("The request could not be made; check the API address in Settings.")
    return AmbiguousOutcome("No reply from Paubox after the message was sent; it may or may not have arrived.")


def _closed_failure(*, on_wire: bool, idempotent: bool) -> PauboxError:
    """The client was closed (shutdown) before or while this request ran."""
    if not on_wire:
        return ClientClosed("Sealpost was shutting down, so the request was not sent; the message stays queued.")
    if idempotent:
        return ClientClosed("Sealpost was shutting down, so it stopped waiting for Paubox's answer; it will ask again.")
    return NoTimelyReply("Sealpost shut down while waiting for Paubox's reply; the message may or may not have "
                         "arrived.")  # fmt: skip


_VERIFY_REASONS = {
    9: "it is not valid yet",
    10: "it has expired",
    18: "it is self-signed",
    19: "it was issued by an authority this computer does not trust",
    20: "it was issued by an authority this computer does not trust",
    21: "it was issued by an authority this computer does not trust",
    62: "it is for a different host name",
    64: "it is for a different address",
}


def _tls_failure(error: BaseException) -> PauboxError | None:
    """The words for a failed TLS handshake (an ``ssl`` error somewhere in the cause chain), else None."""
    cause: BaseException | None = error
    seen: set[int] = set()
    while cause is not None and not isinstance(cause, ssl.SSLError) and id(cause) not in seen:
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    if not isinstance(cause, ssl.SSLError):
        return None
    host = _host_of(error)
    if isinstance(cause, ssl.SSLCertVerificationError):
        reason = _VERIFY_REASONS.get(cause.verify_code) or redact(bounded_text(str(cause.verify_message), 120))
        return CertificateUnverified(
            f"The certificate of {host} could not be verified ({reason}), so Sealpost did not connect and "
            "nothing was sent. If your network inspects TLS, add its CA file in Settings; otherwise someone "
            "may be intercepting the connection."
        )
    code = str(getattr(cause, "reason", "") or "")
    if "VERSION" in code or "PROTOCOL" in code:
        reason = "it does not offer TLS 1.2 or newer" if "WRONG_VERSION" not in code else "it does not speak TLS there"
    else:
        reason = "the TLS handshake failed" + (f": {code.lower().replace('_', ' ')}" if code.isupper() else "")
    return ConnectionFailed(f"A secure connection to {host} could not be set up ({reason}), so nothing was sent. "
                            "Messages stay queued.")  # fmt: skip


def _host_of(error: BaseException) -> str:
    try:
        request = error.request if isinstance(error, httpx.RequestError) else None
    except RuntimeError:  # an httpx error raised without its request
        request = None
    return request.url.host if request is not None and request.url.host else "the server"


class ApiCalls:
    """The call machinery every endpoint of :class:`PauboxClient` goes through (thread-safe)."""

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
        self.limiter = limiter or RateLimiter(config.requests_per_second, sleep=sleep)
        self._on_activity = on_activity
        self._backoff = backoff or BackoffPolicy(base_seconds=0.5, cap_seconds=8.0)
        self._read_attempts = read_attempts
        self._clock = clock
        self._sleep = sleep
        self._transport = transport
        self._guard = RequestGuard()
        self._closed = False
        self._close_lock = threading.Lock()
        context = endpoint_tls_context(config.base_url, config.ca_bundle)
        limits = httpx.Limits(max_connections=config.max_connections, max_keepalive_connections=config.max_connections)
        self._http = httpx.Client(
            base_url=config.base_url + "/",
            verify=context,
            # An injected transport (tests) is used as given; only Sealpost's own carries the deadline
            # into every socket operation (the body-reading loop checks it with any transport).
            transport=transport or BoundedTransport(self._guard, ssl_context=context, limits=limits),
            limits=limits,
            headers={
                "Accept": "application/json",
                # JSON answers are small; asking for no compression keeps the size cap a cap on
                # what is held in memory (a compressed reply is still decoded within the cap).
                "Accept-Encoding": "identity",
                "User-Agent": f"Sealpost/{__version__}",
            },
            follow_redirects=False,
            trust_env=False,  # no proxy or .netrc from the environment may see the key
        )

    def close(self) -> None:
        """Close the connections; a request stuck in flight on another thread ends within moments.

        Never blocks on such a request: its sockets are shut down (its thread wakes, reads the end
        of the connection and raises a classified PauboxError), and the connection pool itself is
        closed by the last request to leave, so no thread ever reads a descriptor closed under it.
        New requests are refused with ClientClosed (nothing is sent).
        """
        self._guard.close()
        self._close_pool_if_idle()

    def _close_pool_if_idle(self) -> None:
        with self._close_lock:
            if self._closed or not self._guard.closing or self._guard.in_flight:
                return
            self._closed = True
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def replace_key(self, api_key: Secret) -> None:
        """Use a new key from the next request on (the user replaced a revoked key)."""
        self.config = dataclasses.replace(self.config, api_key=api_key)

    def replace_endpoint(self, base_url: str, auth_style: AuthStyle) -> None:
        """Use another API generation and auth style from the next request on, keeping the connection pool."""
        self.config = dataclasses.replace(self.config, base_url=base_url, auth_style=auth_style)
        self._http.base_url = httpx.URL(base_url + "/")

    def __repr__(self) -> str:
        return f"PauboxClient(base_url={self.config.base_url!r}, auth={self.config.auth_style.value})"

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    def _read(
        self, endpoint: str, path: str, parse: Callable[[Any], T], *,
        params: dict[str, str] | None = None, tracking_id: str = "",
    ) -> T:  # fmt: skip
        """A GET, retried on NotSent and AmbiguousOutcome (repeating a read is harmless).

        A Retry-After longer than the backoff cap is not slept out here: the caller (tracker,
        UI) gets the RateLimited and reschedules instead of a thread stuck for an hour.
        """
        attempt = 1
        while True:
            try:
                return self._call("GET", endpoint, path, parse, params=params, attempt=attempt, tracking_id=tracking_id)
            except (Rejected, ClientClosed, ReadTimedOut):
                raise  # a read that got no reply within its deadline is not worth another wait now
            except (NotSent, AmbiguousOutcome) as error:
                if self._guard.closing:
                    raise
                retry_after = error.retry_after if isinstance(error, NotSent) else None
                delay = self._backoff.delay(attempt, retry_after)
                if attempt >= self._read_attempts or delay > self._backoff.cap_seconds:
                    raise
                self._sleep(delay)
                attempt += 1

    def _call(
        self,
        method: str,
        endpoint: str,
        path: str,
        parse: Callable[[Any], T],
        *,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        params: dict[str, str] | None = None,
        attempt: int = 1,
        tracking_id: str = "",
        on_wire: OnWire | None = None,
    ) -> T:
        """One request, one activity event; returns ``parse(body)`` or raises a classified PauboxError.

        The request runs under one deadline (``_deadline_for``) over connect, send, headers and
        body, and at most MAX_RESPONSE_BYTES of the reply are read.
        """
        request = self._build(method, path, json_body=json_body, form=form, files=files, params=params)
        wire = _WireState(on_wire)
        request.extensions["trace"] = _wire_trace(wire.started)
        self.limiter.acquire()
        started = time.perf_counter()
        seconds = self._deadline_for(request)
        failure: PauboxError | None = None
        response: _Response | None = None
        idempotent = method == "GET"
        try:
            with self._guard.request(seconds) as deadline:
                if deadline.ended_by:  # the client was closed: nothing new leaves it
                    failure = _closed_failure(on_wire=False, idempotent=idempotent)
                else:
                    try:
                        response = self._exchange(request, deadline)
                    except httpx.HTTPError as error:
                        failure = _transport_failure(
                            error, deadline=deadline, on_wire=wire.fired, idempotent=idempotent
                        )
        finally:
            self._close_pool_if_idle()
        if failure is not None or response is None:  # raised outside the except block: no httpx text in __context__
            failure = failure or _closed_failure(on_wire=wire.fired, idempotent=idempotent)  # (never None here)
            self._emit(method, endpoint, None, started, attempt, failure, tracking_id)
            raise failure
        result: T | None = None
        if 200 <= response.status < 300:
            if response.cut_off:
                failure = MalformedResponse(
                    f"Paubox's reply was larger than {MAX_RESPONSE_BYTES // (1024 * 1024)} MB, so Sealpost stopped "
                    "reading it; the request may have gone through.", status=response.status,
                )  # fmt: skip
            elif response.body is None and response.raw_size:
                failure = MalformedResponse(
                    "Paubox's reply could not be read; the request may have gone through.", status=response.status
                )
            else:
                try:
                    result = parse(response.body)
                except MalformedResponse as error:
                    failure = error
                    failure.status = response.status
        else:
            failure = self._status_failure(response)
        tracking = getattr(result, "tracking_id", "") or tracking_id
        self._emit(method, endpoint, response.status, started, attempt, failure, tracking)
        if failure is not None:
            raise failure
        return result  # type: ignore[return-value]  # parse() succeeded, so result holds its value

    def _exchange(self, request: httpx.Request, deadline: Deadline) -> _Response:
        """Send ``request`` and read at most MAX_RESPONSE_BYTES of the reply, all before ``deadline``.

        The pool is never closed while this runs (``close()`` leaves that to the last request out).
        """
        raw = self._http.send(request, stream=True)
        try:
            return _read_response(raw, deadline)
        finally:
            raw.close()  # an unread rest is not drained: httpcore drops that connection

    def _deadline_for(self, request: httpx.Request) -> float:
        """The request's overall deadline: ``request_deadline``, grown with the payload like the write timeout."""
        size = int(request.headers.get("Content-Length", "0") or 0)
        return self.config.request_deadline + size / 100_000

    def _build(
        self, method: str, path: str, *, json_body: Any, form: dict[str, str] | None,
        files: dict[str, tuple[str, bytes, str]] | None, params: dict[str, str] | None,
    ) -> httpx.Request:  # fmt: skip
        headers = {"Authorization": self.config.authorization()}
        content: bytes | None = None
        if json_body is not None:
            content = json.dumps(json_body, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        request = self._http.build_request(
            method, path, content=content, data=form or None, files=files or None, params=params, headers=headers
        )
        size = int(request.headers.get("Content-Length", "0") or 0)
        request.extensions["timeout"] = httpx.Timeout(
            connect=self.config.connect_timeout,
            # Sized to the payload so a large attachment on a slow uplink is not cut off.
            write=10.0 + size / 100_000,
            read=self.config.read_timeout + size / 1_000_000,
            pool=min(30.0, self.config.request_deadline),
        ).as_dict()
        return request

    def _status_failure(self, response: _Response) -> PauboxError:
        status = response.status
        reason = response.reason or f"HTTP {status}"
        if response.cut_off:
            reason += " (the rest of its reply was too large to read)"
        title, details = error_summary(response.body, reason)
        detail = self._scrub(f"{title}: {details}" if details else title)
        retry_header = response.headers.get("Retry-After")
        if retry_header is not None and len(retry_header) > 200:  # server text: no real Retry-After is that long
            retry_header = None
        retry_after = parse_retry_after(retry_header, self._now())
        if status == 429:
            if retry_after is not None:
                self.limiter.pause_for(self._backoff.clamp_retry_after(retry_after))
            retry_at = self._now() + timedelta(seconds=self._backoff.clamp_retry_after(retry_after)) \
                if retry_after is not None else None  # fmt: skip
            return RateLimited("Paubox asked us to slow down; sending resumes shortly.",
                               retry_after=retry_after, retry_at=retry_at)  # fmt: skip
        if status in (503, 408):
            return ServiceUnavailable(
                "Paubox is temporarily unavailable; the message stays queued and will be retried.",
                status=status, detail=detail, retry_after=retry_after,
            )  # fmt: skip
        if status >= 500:
            return AmbiguousOutcome(
                f"Paubox reported a server error ({status}); the message may or may not have been sent.",
                status=status, detail=detail,
            )  # fmt: skip
        if status == 404 and not isinstance(response.body, dict | list):
            return NotServed(
                "That API address does not serve the Paubox API (the gateway answered 404); "
                "check the base URL preset in Settings.", status=status, detail=detail,
            )  # fmt: skip
        if 300 <= status < 400:
            return Rejected(f"Paubox answered with a redirect ({status}); check the base URL preset in Settings.",
                            status=status)  # fmt: skip
        kind, words = _REJECTIONS.get(status, (Rejected, "Paubox refused the request"))
        return kind(f"{words}: {detail}" if detail else words, status=status, detail=detail)

    def _scrub(self, text: str) -> str:
        """Error details come from the server: drop addresses (PHI) and, paranoid, the key itself.

        Cut to SERVER_TEXT_LIMIT first (what a hostile server wrote may be megabytes), then to 300.
        """
        text = text[:SERVER_TEXT_LIMIT]
        key = self.config.api_key.reveal()
        if key:
            text = text.replace(key, "[redacted]")
        return redact(text)[:300]

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
