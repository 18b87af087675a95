"""Fault injection: seeded, repeatable misbehaviour on the Paubox API routes.

Clients must survive the failures that make email sending hard (5xx before acting, a lost
response after acting, 429s, garbled bodies, revoked keys). Every decision comes from one
``random.Random(seed)`` so a test that replays the same request sequence sees the same faults.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import formatdate

ACCEPT_THEN_FAIL_MODES = ("drop", "timeout", "502", "mixed")
FAIL_STATUSES = (500, 502, 503, 504)
RETRY_AFTER_KEYWORDS = ("none", "http-date", "garbage")
GARBAGE_RETRY_AFTER = "soon-ish, maybe"
_MAX_BUCKETS = 10_000


@dataclass(frozen=True)
class FaultConfig:
    """Which faults to inject; names match the CLI flags and the ``/_sandbox/faults`` JSON."""

    latency_ms: int = 0
    fail_rate: float = 0.0
    accept_then_fail_rate: float = 0.0
    accept_then_fail_mode: str = "mixed"
    rate_limit: float = 0.0  # requests per second per key; 0 = unlimited
    retry_after: str = "none"  # whole seconds, "none", "http-date" or "garbage"
    malformed_rate: float = 0.0
    revoke_key_after: int | None = None
    seed: int | None = None
    hang_seconds: float = 600.0  # how long the "timeout" mode holds a response back

    def __post_init__(self) -> None:
        for name in ("fail_rate", "accept_then_fail_rate", "malformed_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.latency_ms < 0 or self.rate_limit < 0 or self.hang_seconds < 0:
            raise ValueError("latency_ms, rate_limit and hang_seconds must not be negative")
        if self.revoke_key_after is not None and self.revoke_key_after < 0:
            raise ValueError("revoke_key_after must not be negative")
        if self.accept_then_fail_mode not in ACCEPT_THEN_FAIL_MODES:
            raise ValueError(f"accept_then_fail_mode must be one of {', '.join(ACCEPT_THEN_FAIL_MODES)}")
        if self.retry_after not in RETRY_AFTER_KEYWORDS and not self.retry_after.isdigit():
            raise ValueError("retry_after must be whole seconds, 'none', 'http-date' or 'garbage'")

    def to_json(self) -> dict[str, object]:
        return dataclasses.asdict(self)

    def updated(self, changes: Mapping[str, object]) -> FaultConfig:
        """Return a copy with ``changes`` applied, type-checked as JSON values (ValueError if wrong)."""
        values = self.to_json()
        for name, value in changes.items():
            if name not in values:
                raise ValueError(f"unknown fault {name!r}")
            values[name] = _coerce(name, value)
        return FaultConfig(**values)  # type: ignore[arg-type]


_INT_FIELDS = frozenset({"latency_ms"})
_OPTIONAL_INT_FIELDS = frozenset({"revoke_key_after", "seed"})
_STR_FIELDS = frozenset({"accept_then_fail_mode", "retry_after"})


def _coerce(name: str, value: object) -> object:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number or string, not a boolean")
    if name in _OPTIONAL_INT_FIELDS and value is None:
        return None
    if name in _INT_FIELDS or name in _OPTIONAL_INT_FIELDS:
        if not isinstance(value, int):
            raise ValueError(f"{name} must be an integer")
        return value
    if name in _STR_FIELDS:
        if isinstance(value, int):  # retry_after given as a number of seconds
            value = str(value)
        if not isinstance(value, str):
            raise ValueError(f"{name} must be a string")
        return value
    if not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number")
    return float(value)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The random part of one request's fate, drawn before the handler runs."""

    fail_status: int | None = None
    accept_then_fail: str | None = None  # "drop", "timeout" or "502"
    malformed: bool = False


NO_FAULT = Verdict()


class FaultInjector:
    """Decides, per API request, which fault (if any) to inject. Lives on the server's loop thread."""

    def __init__(self, config: FaultConfig) -> None:
        self.configure(config)

    def configure(self, config: FaultConfig) -> None:
        """Install a new configuration; reseeds the generator and restarts the request counters."""
        self.config = config
        self._rng = random.Random(config.seed)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._authorised_requests = 0
        self._random = config.fail_rate > 0 or config.accept_then_fail_rate > 0 or config.malformed_rate > 0

    def reset_counters(self) -> None:
        self.configure(self.config)

    @property
    def latency_seconds(self) -> float:
        return self.config.latency_ms / 1000.0

    def allow_rate(self, key: str) -> bool:
        """Token bucket per presented key: burst and refill both equal ``rate_limit`` per second."""
        rate = self.config.rate_limit
        if rate <= 0:
            return True
        now = time.monotonic()
        capacity = max(rate, 1.0)
        tokens, last = self._buckets.get(key, (capacity, now))
        tokens = min(capacity, tokens + (now - last) * rate)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        if len(self._buckets) >= _MAX_BUCKETS and key not in self._buckets:
            self._buckets.clear()  # bounded memory against clients that invent keys
        self._buckets[key] = (tokens, now)
        return allowed

    def retry_after_header(self) -> str | None:
        mode = self.config.retry_after
        if mode == "none":
            return None
        if mode == "http-date":
            return formatdate(time.time() + 2, usegmt=True)
        if mode == "garbage":
            return GARBAGE_RETRY_AFTER
        return mode

    def key_revoked(self) -> bool:
        """Count one authorised request; True once more than ``revoke_key_after`` have been seen."""
        limit = self.config.revoke_key_after
        if limit is None:
            return False
        self._authorised_requests += 1
        return self._authorised_requests > limit

    def roll(self) -> Verdict:
        """Draw this request's random faults; always the same number of draws, so runs repeat."""
        if not self._random:
            return NO_FAULT
        rng, config = self._rng, self.config
        fail, fail_status = rng.random(), rng.choice(FAIL_STATUSES)
        accept_fail, mode = rng.random(), rng.choice(ACCEPT_THEN_FAIL_MODES[:3])
        malformed = rng.random()
        if fail < config.fail_rate:
            return Verdict(fail_status=fail_status)
        if accept_fail < config.accept_then_fail_rate:
            chosen = mode if config.accept_then_fail_mode == "mixed" else config.accept_then_fail_mode
            return Verdict(accept_then_fail=chosen)
        return Verdict(malformed=malformed < config.malformed_rate)
