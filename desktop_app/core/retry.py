"""Retry timing: exponential backoff with full jitter, honouring Retry-After.

Clock and randomness are injected so tests check the distribution without sleeping.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_MAX_EXPONENT = 60  # 2**60 dwarfs any cap; stops 2.0**n overflowing for absurd attempt counts


@dataclass(frozen=True)
class BackoffPolicy:
    """``delay(n)`` is uniform in [0, min(cap, base * 2**(n-1))] (AWS "full jitter").

    Full jitter spreads retries from many clients so a recovering service is not hit by a
    synchronised wave; the cap keeps a long outage from pushing the next try hours away.
    """

    base_seconds: float = 1.0
    cap_seconds: float = 300.0
    retry_after_ceiling: float = 3600.0
    rng: Callable[[], float] = field(default=random.random, compare=False)

    def ceiling(self, attempt: int) -> float:
        exponent = min(_MAX_EXPONENT, max(0, attempt - 1))
        return min(self.cap_seconds, self.base_seconds * 2.0**exponent)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before attempt ``attempt + 1``; a server's Retry-After wins (clamped)."""
        if retry_after is not None:
            return self.clamp_retry_after(retry_after)
        return float(self.rng()) * self.ceiling(attempt)

    def clamp_retry_after(self, seconds: float) -> float:
        """A server may ask for a pause, but not for a negative one nor one longer than the ceiling."""
        return min(max(0.0, seconds), self.retry_after_ceiling)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date); None when absent or garbage.

    A date in the past means "now" (0 s). Anything else unreadable is ignored rather than trusted,
    so the caller falls back to its own backoff.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    try:
        return max(0.0, (when - current).total_seconds())
    except OverflowError:
        return None
