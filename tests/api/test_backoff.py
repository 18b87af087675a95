"""Backoff as a distribution (injected rng, no sleeping) and Retry-After in every form."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.core.retry import BackoffPolicy, parse_retry_after

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)


def test_full_jitter_is_uniform_within_a_growing_capped_ceiling() -> None:
    policy = BackoffPolicy(base_seconds=1.0, cap_seconds=30.0, rng=random.Random(1234).random)
    previous_mean = 0.0
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 16.0), (6, 30.0), (9, 30.0)]:
        samples = [policy.delay(attempt) for _ in range(4000)]
        assert all(0.0 <= s <= ceiling for s in samples)
        mean = statistics.fmean(samples)
        assert mean == pytest.approx(ceiling / 2, rel=0.05)  # uniform on [0, ceiling]
        assert max(samples) > 0.95 * ceiling  # jitter spans the whole range...
        assert min(samples) < 0.05 * ceiling  # ...down to nearly zero
        quartiles = statistics.quantiles(samples, n=4)
        assert quartiles == pytest.approx([ceiling / 4, ceiling / 2, 3 * ceiling / 4], rel=0.08)
        assert mean >= previous_mean  # grows with attempts until the cap
        previous_mean = mean


def test_rng_edges_and_absurd_attempt_numbers() -> None:
    assert BackoffPolicy(base_seconds=2, cap_seconds=60, rng=lambda: 0.0).delay(5) == 0.0
    assert BackoffPolicy(base_seconds=2, cap_seconds=60, rng=lambda: 1.0).delay(5) == 32.0
    assert BackoffPolicy(cap_seconds=60, rng=lambda: 1.0).delay(10_000) == 60.0  # no overflow
    assert BackoffPolicy(rng=lambda: 1.0).delay(0) == 1.0
    assert BackoffPolicy(rng=lambda: 1.0).delay(-3) == 1.0


def test_retry_after_wins_over_jitter_and_is_clamped() -> None:
    policy = BackoffPolicy(retry_after_ceiling=600.0, rng=lambda: 0.9)
    assert policy.delay(1, 12.0) == 12.0
    assert policy.delay(1, 0.0) == 0.0
    assert policy.delay(1, -5.0) == 0.0
    assert policy.delay(1, 10**9) == 600.0


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        (format_datetime(NOW + timedelta(seconds=90), usegmt=True), 90.0),
        ("Sat, 28 Nov 2026 12:00:30 GMT", 30.0),
        ("Saturday, 28-Nov-26 12:01:00 GMT", 60.0),  # RFC 850, still legal in HTTP
        (format_datetime(NOW - timedelta(hours=1), usegmt=True), 0.0),  # in the past: go now
        ("Sat, 28 Nov 2026 12:00:10", 10.0),  # no zone: taken as GMT
    ],
)
def test_retry_after_seconds_and_http_dates(header: str, seconds: float) -> None:
    assert parse_retry_after(header, NOW) == seconds


@pytest.mark.parametrize(
    "header", [None, "", "   ", "soon-ish, maybe", "-5", "1.5", "²", "Fri, 99 Foo 2026", "9" * 400 + " GMT", "\x00"]
)
def test_retry_after_garbage_is_ignored(header: str | None) -> None:
    assert parse_retry_after(header, NOW) is None


@given(st.text(max_size=60))
def test_retry_after_never_crashes(header: str) -> None:
    value = parse_retry_after(header, NOW)
    assert value is None or value >= 0.0
