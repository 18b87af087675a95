"""One error hierarchy for everything the Paubox API can do to a request.

The classes answer the question the outbox must ask: *could this request have reached Paubox?*
``NotSent`` proves it did not (safe to retry), ``AmbiguousOutcome`` means it may have (never
resend automatically), ``Rejected`` means Paubox refused it (retrying would not help).
Messages carry codes and Paubox's own titles, never message content or the key.
"""

from __future__ import annotations

from datetime import datetime

from desktop_app.core.errors import KnownError


class PauboxError(KnownError):
    """Base class; ``user_message`` is what the UI shows, ``status`` the HTTP status if any."""

    def __init__(self, user_message: str, *, status: int | None = None, detail: str = "") -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.status = status
        self.detail = detail


class NotSent(PauboxError):
    """The request certainly did not reach Paubox (or Paubox refused to take it): retry later."""

    def __init__(
        self, user_message: str, *, status: int | None = None, detail: str = "",
        retry_after: float | None = None,
    ) -> None:  # fmt: skip
        super().__init__(user_message, status=status, detail=detail)
        self.retry_after = retry_after


class ConnectionFailed(NotSent):
    """No connection could be made: offline, DNS failure, refused, TLS handshake failure."""


class CertificateUnverified(ConnectionFailed):
    """The server's TLS certificate could not be verified, so no connection was made (nothing sent)."""


class ReadTimedOut(NotSent):
    """A read (GET) got no complete reply within its deadline; repeating a read is harmless: retry later."""


class ClientClosed(NotSent):
    """The client was closed (the app is shutting down) before the request left, or while a read
    (GET, harmless to repeat) waited for its answer."""


class RateLimited(NotSent):
    """HTTP 429: too many requests. ``retry_at`` is when the server said to come back, if it did."""

    def __init__(self, user_message: str, *, retry_after: float | None, retry_at: datetime | None) -> None:
        super().__init__(user_message, status=429, retry_after=retry_after)
        self.retry_at = retry_at


class ServiceUnavailable(NotSent):
    """HTTP 503 or 408: Paubox did not take the request."""


class AmbiguousOutcome(PauboxError):
    """The request may have reached Paubox: timeout after sending, reset, 500/502/504, garbled 200."""


class MalformedResponse(AmbiguousOutcome):
    """A 2xx whose body could not be understood (or was too large to read); for a send, Paubox
    probably accepted it."""


class NoTimelyReply(AmbiguousOutcome):
    """A request that had started on the wire got no complete reply within its deadline, or the
    client was closed while it waited: a send may or may not have been accepted."""


class Rejected(PauboxError):
    """Paubox refused the request; sending it again unchanged will fail the same way."""


class InvalidInput(Rejected):
    """Refused here, before any request: Paubox would reject it (bad address, id, size, header)."""


class InvalidRequest(Rejected):
    """HTTP 400: something in the message is wrong (detail says what)."""


class Unauthorized(Rejected):
    """HTTP 401: the key is missing, wrong or revoked."""


class Forbidden(Rejected):
    """HTTP 403: the key is valid but not allowed to do this."""


class NotFound(Rejected):
    """HTTP 404: unknown tracking id or template."""


class NotServed(NotFound):
    """A 404 that is not JSON: the gateway does not route this path, so the base URL preset is wrong."""


class TooLarge(Rejected):
    """HTTP 413: the message is larger than Paubox accepts."""


class UnverifiedSender(Rejected):
    """HTTP 422: typically the sender's domain is not verified for this key."""
