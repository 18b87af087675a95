"""Connectivity watch: while Paubox cannot be reached, probe it on a slowing schedule instead of
spending queued messages' retries, and say when sending may resume.

The probe is ``GET messages`` (what Paubox's own CLI uses to test a key): it sends nothing and
costs nothing, so probing can never duplicate a message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum

from desktop_app.api.errors import AmbiguousOutcome, NotSent, Unauthorized


class OfflinePolicy(StrEnum):
    ALWAYS = "always"  # queued mail goes out as soon as Paubox is reachable again
    ASK = "ask"  # queued mail waits until the user says "send now" (Thunderbird's ask setting)


class ProbeResult(StrEnum):
    REACHABLE = "reachable"
    UNREACHABLE = "unreachable"
    KEY_REJECTED = "key_rejected"


class ConnectivityWatch:
    """Holds the probe schedule; the outbox engine asks it when (and whether) to try the network."""

    def __init__(
        self,
        probe: Callable[[], None],
        *,
        first_interval: float = 2.0,
        max_interval: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._probe = probe
        self._first = first_interval
        self._max = max_interval
        self._clock = clock
        self._interval = first_interval
        self.next_probe_at: float | None = None  # None while online

    @property
    def offline(self) -> bool:
        return self.next_probe_at is not None

    def went_offline(self) -> float:
        """Note a failed connection; returns when the first probe is due. Repeats do not reset it."""
        if self.next_probe_at is None:
            self._interval = self._first
            self.next_probe_at = self._clock() + self._interval
        return self.next_probe_at

    def probe_now(self) -> ProbeResult:
        """Try the network once; while still unreachable the next probe waits twice as long (capped)."""
        try:
            self._probe()
        except Unauthorized:
            self.next_probe_at = None
            return ProbeResult.KEY_REJECTED
        except (NotSent, AmbiguousOutcome):
            self._interval = min(self._max, self._interval * 2.0)
            self.next_probe_at = self._clock() + self._interval
            return ProbeResult.UNREACHABLE
        self.next_probe_at = None
        return ProbeResult.REACHABLE
