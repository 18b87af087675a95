"""Checking the signature on a webhook delivery from the webhooks service: pure, no I/O.

The scheme (header ``Paubox-Signature: t=<unix seconds>,v1=<hex>``, the hex being
HMAC-SHA256 keyed with the endpoint's signing secret over ``"<t>." + raw body``) is what the
Sealpost sandbox sends. Paubox documents no header name or algorithm for its signing secrets
(docs/sandbox.md says what is confirmed and what is inferred), so a receiver for real Paubox
deliveries must confirm the scheme before relying on this.

Several ``v1=`` entries may appear (a sender rotating secrets); any one matching is enough.
Comparison is constant-time, and a timestamp outside ``tolerance`` seconds of ``now`` is refused
so a captured delivery cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from desktop_app.core.errors import KnownError

SIGNATURE_HEADER = "Paubox-Signature"
DEFAULT_TOLERANCE_SECONDS = 300
_MAX_HEADER = 4096


class SignatureError(KnownError, ValueError):
    """The delivery's signature is missing, malformed, stale or does not match (``str`` says which)."""


@dataclass(frozen=True)
class ParsedSignature:
    timestamp: int
    signatures: tuple[str, ...]  # lower-case hex digests


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The header value a sender puts on ``body`` at ``timestamp`` (for tests and senders)."""
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def parse_signature(header: str) -> ParsedSignature:
    """Split ``t=…,v1=…[,v1=…]``; unknown keys (a future ``v2``) are ignored."""
    if not isinstance(header, str) or not header or len(header) > _MAX_HEADER:
        raise SignatureError("The delivery has no usable signature header.")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureError("The signature header is malformed.")
        if name == "t":
            if not value.isascii() or not value.isdigit() or len(value) > 12:
                raise SignatureError("The signature header's timestamp is malformed.")
            timestamp = int(value)
        elif name == "v1":
            if len(value) != 64 or not all(c in "0123456789abcdefABCDEF" for c in value):
                raise SignatureError("The signature header's v1 value is malformed.")
            signatures.append(value.lower())
    if timestamp is None or not signatures:
        raise SignatureError("The signature header lacks a timestamp or a v1 signature.")
    return ParsedSignature(timestamp, tuple(signatures))


def verify(secret: str, body: bytes, header: str, *, now: float, tolerance: float = DEFAULT_TOLERANCE_SECONDS) -> int:
    """Return the signed timestamp if ``header`` signs ``body`` with ``secret``; raise SignatureError if not.

    ``body`` must be the raw bytes received (not re-serialised JSON). The secret never appears in
    an error message.
    """
    if not secret:
        raise SignatureError("No signing secret is stored for this endpoint.")
    parsed = parse_signature(header)
    if abs(now - parsed.timestamp) > tolerance:
        raise SignatureError("The delivery's timestamp is too far from now (a replay, or a wrong clock).")
    expected = _digest(secret, parsed.timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in parsed.signatures):
        raise SignatureError("The delivery's signature does not match its body and the endpoint's secret.")
    return parsed.timestamp


def is_valid(
    secret: str, body: bytes, header: str, *, now: float, tolerance: float = DEFAULT_TOLERANCE_SECONDS
) -> bool:
    """:func:`verify` as a yes/no answer."""
    try:
        verify(secret, body, header, now=now, tolerance=tolerance)
    except SignatureError:
        return False
    return True


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
