"""A token bucket shared by every request the app makes (sends and status polls alike).

Paubox publishes no numeric limit, so the app keeps itself under a configured rate instead of
discovering the limit through 429 storms. A 429 also pauses the bucket until Retry-After.

Running at exactly the server's rate still draws the odd 429: requests leave evenly spaced but
arrive with jitter, and a server bucket emptied by a burst has no slack left for it. So the
limiter runs ``HEADROOM`` under the configured rate and, by default, bursts at most
``BURST_SECONDS`` of it, which leaves a server bucket that allows a full second's burst (as the
sandbox's does) at least half full.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

HEADROOM = 0.02
"""Fraction of a server's rate limit left unused (10 requests/s → 9.8/s): enough for the long-run rate
to stay under the limit; the burst, not this, absorbs arrival jitter (tests/api/test_rate_headroom.py)."""

BURST_SECONDS = 0.5
"""Default burst, in seconds of the (reduced) rate; never below one request (1 at ≤ 2 requests/s)."""


class RateLimiter:
    def __init__(
        self,
        rate_per_second: float,
        burst: float | None = None,
        *,
        headroom: float = HEADROOM,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """``rate_per_second`` is the limit to stay under; ``headroom=0`` for a budget of the app's own."""
        if rate_per_second <= 0:
            raise ValueError("rate must be positive")
        if not 0 <= headroom < 1:
            raise ValueError("headroom must be at least 0 and below 1")
        self.rate = rate_per_second * (1.0 - headroom)
        self.capacity = burst if burst is not None else max(1.0, self.rate * BURST_SECONDS)
        self._tokens = self.capacity
        self._clock = clock
        self._sleep = sleep
        self._updated = clock()
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def _refill(self, now: float) -> None:
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def reserve(self) -> float:
        """Take a token now and return how many seconds the caller must wait before using it."""
        with self._lock:
            now = self._clock()
            self._refill(now)
            self._tokens -= 1.0
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self.rate
            return max(wait, self._paused_until - now)

    def idle_wait(self) -> float:
        """Seconds until the bucket is full again, taking nothing: what background requests (status
        polls) wait for, so they use only the rate that sends leave unused. While a mail merge sends
        flat out the bucket never fills and polls wait; the moment it pauses, they go at full rate."""
        with self._lock:
            now = self._clock()
            self._refill(now)
            return max(0.0, (self.capacity - self._tokens) / self.rate, self._paused_until - now)

    def acquire(self) -> None:
        wait = self.reserve()
        if wait > 0:
            self._sleep(wait)

    def pause_for(self, seconds: float) -> None:
        """Hold every caller back (after a 429) without forgetting the tokens already earned."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    @property
    def paused_for(self) -> float:
        with self._lock:
            return max(0.0, self._paused_until - self._clock())
