"""Prints what the security suite tried (inputs, fault rows, canaries) at the end of a run."""

from __future__ import annotations

import pytest

from tests.security.faults import fast_retries, make_runtime  # fixtures for the fault matrix
from tests.security.tally import COUNTS, LONG_RUN

__all__ = ["fast_retries", "make_runtime"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not COUNTS:
        return
    mode = "long exploratory run" if LONG_RUN else "fixed-seed CI run"
    terminalreporter.write_sep("-", f"security suite: what was tried ({mode})")
    for kind, amount in sorted(COUNTS.items()):
        terminalreporter.write_line(f"  {kind:<44} {amount:>8}")
