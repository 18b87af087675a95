"""The client's limiter against a server that limits at exactly the configured rate.

What keeps a client under a token-bucket server limit is its own burst (half a second), not how far
under the rate it runs: a server bucket of one second's capacity is left at least half full, which
absorbs requests arriving up to half a second late or early. The headroom only has to keep the
long-run rate below the limit, so that the server's bucket refills after a bunch of late arrivals.
"""

from __future__ import annotations

import random

import pytest

from desktop_app.api.rate_limit import HEADROOM, RateLimiter

RATE = 10.0  # the profile's default (requests/s)


def refusals(limiter: RateLimiter, clock: list[float], *, requests: int, jitter: float, seed: int) -> tuple[int, float]:
    """Send ``requests`` as fast as the limiter allows; each arrives after 20 ms plus up to ``jitter``
    seconds; a server bucket like the sandbox's (capacity and refill both RATE) judges them."""
    rng = random.Random(seed)
    arrivals = []
    for _ in range(requests):
        clock[0] += limiter.reserve()
        arrivals.append(clock[0] + 0.02 + rng.uniform(0.0, jitter))
    tokens, last, refused = RATE, 0.0, 0
    for at in sorted(arrivals):
        tokens = min(RATE, tokens + (at - last) * RATE)
        last = at
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            refused += 1
    return refused, requests / clock[0]


@pytest.mark.parametrize("seed", range(5))
def test_the_default_headroom_draws_no_429_from_a_server_at_exactly_the_rate(seed: int) -> None:
    clock = [0.0]
    limiter = RateLimiter(RATE, clock=lambda: clock[0], sleep=lambda _s: None)
    refused, achieved = refusals(limiter, clock, requests=3000, jitter=0.4, seed=seed)
    assert refused == 0
    assert achieved <= RATE * (1 - HEADROOM) * 1.01  # never above the limit, over 300 s
    assert HEADROOM <= 0.02  # a 50,000-row merge's 1,000 requests take ≤ 102 s, not 105 s


def test_a_burst_longer_than_the_server_allows_is_refused() -> None:
    """The control: the simulation does catch a client that would draw 429s."""
    clock = [0.0]
    limiter = RateLimiter(RATE, burst=RATE * 1.5, clock=lambda: clock[0], sleep=lambda _s: None)
    refused, _ = refusals(limiter, clock, requests=3000, jitter=0.4, seed=0)
    assert refused > 0
