"""How soon a view follows a change: at once after a quiet spell, at a steady pace while changes stream in.

Another process's mail merge changes hundreds of messages a second for minutes. A list that re-read
and repainted 150 ms after each burst did so five times a second, and the Outbox counted its 50,000
rows as often: each repaint is a burst of GUI-thread work, and each count a worker's scan, that the
two cores share with the batch itself. A first change still shows within ``quick_ms``; while they
keep coming, a view follows them every ``busy_ms``, which is still several times a second.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class Pace:
    """The delay before the next follow-up of a change, from when the last one ran."""

    def __init__(self, quick_ms: int, busy_ms: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.quick_ms = quick_ms
        self.busy_ms = busy_ms
        self._clock = clock
        self._last: float | None = None

    def ran(self) -> None:
        """The follow-up ran now (a list was read, the counts were asked)."""
        self._last = self._clock()

    def delay_ms(self) -> int:
        """``quick_ms`` after a quiet spell; while follow-ups come closer together, what makes them
        ``busy_ms`` apart."""
        if self._last is None:
            return self.quick_ms
        since_ms = (self._clock() - self._last) * 1000
        return max(self.quick_ms, round(self.busy_ms - since_ms))
