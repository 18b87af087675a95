"""How many messages one bulk request carries, adapted to how the server is behaving.

An ambiguous reply (a timeout, a 5xx, a garbled 200) makes every message of its request
``outcome_unknown``: a decision a person must take by hand. So the chunk shrinks after each
ambiguous reply, down to single messages, and grows back gradually while requests succeed: a
sick server costs a few messages at a time instead of fifty. Pure rules, no I/O, thread-safe.
"""

from __future__ import annotations

import threading


class AdaptiveChunkSize:
    """Halve on an ambiguous outcome; after ``grow_after`` clean requests in a row, grow by a quarter."""

    def __init__(self, maximum: int, *, grow_after: int = 2) -> None:
        if maximum < 1 or grow_after < 1:
            raise ValueError("the maximum and grow_after must be at least 1")
        self.maximum = maximum
        self._grow_after = grow_after
        self._size = maximum
        self._clean = 0
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        with self._lock:
            return self._size

    def ambiguous(self) -> None:
        """A request's outcome could not be known: the next ones carry half as many messages."""
        with self._lock:
            self._size = max(1, self._size // 2)
            self._clean = 0

    def succeeded(self) -> None:
        """A request got a clear answer (accepted or refused): after a few, carry more again."""
        with self._lock:
            self._clean += 1
            if self._size < self.maximum and self._clean >= self._grow_after:
                self._size = min(self.maximum, self._size + max(1, self._size // 4))
                self._clean = 0
