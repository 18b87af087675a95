"""Test-only crash points: ``SEALPOST_CRASH_POINT=name`` (or ``name@N`` for the N-th hit) makes
the process SIGKILL itself when the code reaches that point, so the crash harness can prove the
database and the outbox survive a power cut at the worst moments.

Unset (always, outside the crash tests) a crash point costs one comparison with an empty string.
Points: ``after_insert_before_commit``, ``after_http_200_before_store``, ``during_bulk_chunk``,
``during_settle`` (inside the transaction that stores a request's outcomes), ``during_rekey``.
"""

from __future__ import annotations

import os
import signal

ENV = "SEALPOST_CRASH_POINT"

_armed = ""
_remaining = 0


def arm_from_environment() -> None:
    """Read ``SEALPOST_CRASH_POINT`` again (a forked test child sets it after import)."""
    global _armed, _remaining
    name, _, count = os.environ.get(ENV, "").partition("@")
    _armed = name
    _remaining = int(count) if count else 1


def crash_point(name: str) -> None:
    global _remaining
    if _armed and _armed == name:
        _remaining -= 1
        if _remaining <= 0:
            os.kill(os.getpid(), signal.SIGKILL)


arm_from_environment()
