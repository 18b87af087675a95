"""Shared by the security tests: the Hypothesis settings they run under and the counts they report.

CI runs derandomized (a fixed seed), so a failure reproduces exactly. The longer exploratory run,
``SEALPOST_HYPOTHESIS=long``, uses fresh random seeds and 20x the examples (docs/security.md).
Settings are applied per test, never loaded globally, so other suites' Hypothesis tests keep theirs.
"""

from __future__ import annotations

import os
from collections import Counter

from hypothesis import HealthCheck, settings

LONG_RUN = os.environ.get("SEALPOST_HYPOTHESIS") == "long"

fuzz = settings(
    derandomize=not LONG_RUN,
    max_examples=3000 if LONG_RUN else 150,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
"""Decorator for every property test in the suite."""

COUNTS: Counter[str] = Counter()
"""What the suite tried, by kind (``sanitiser inputs checked``, ``fault rows`` …), printed at the end."""


def count(kind: str, amount: int = 1) -> None:
    COUNTS[kind] += amount
