"""The loop an engine runs on its own thread (the outbox and the status tracker share it).

A round of work answers how long to sleep; the loop then sleeps until that time, a wake-up, an
earlier deadline announced meanwhile, or stop, whichever comes first. A wake-up or deadline that
arrives while a round runs is kept, so the loop never sleeps through it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class EngineLoop:
    """One engine thread. ``lock`` is also the engine's condition for state its other threads share."""

    def __init__(
        self,
        name: str,
        work_round: Callable[[], float],
        *,
        error_wait: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.lock = threading.Condition()
        self._name = name
        self._round = work_round
        self._error_wait = error_wait
        self._clock = clock
        self._stopping = False
        self._woken = False
        self._sleep_until: float | None = None  # while sleeping: when the sleep ends (on ``clock``)
        self._earliest: float | None = None  # a deadline announced during a round, for the next sleep
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def stopping(self) -> bool:
        return self._stopping

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        with self.lock:
            self._stopping = True
            self.lock.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        """Run a round now (or as soon as the current one ends)."""
        with self.lock:
            self._woken = True
            self.lock.notify_all()

    def wake_by(self, at: float) -> None:
        """Run a round no later than ``at`` (on ``clock``); a later deadline than the current sleep's changes nothing.

        Cheaper than :meth:`wake` when work is announced often: the loop is woken only if it would
        otherwise sleep past ``at``.
        """
        with self.lock:
            if self._sleep_until is None:
                self._earliest = at if self._earliest is None else min(self._earliest, at)
            elif at < self._sleep_until:
                self._sleep_until = at
                self.lock.notify_all()

    def _run(self) -> None:
        while True:
            with self.lock:
                if self._stopping:
                    return
                self._woken = False
            try:
                wait = self._round()
            except Exception:
                if self._stopping:  # a round answered after shutdown: the store may be closed already
                    return
                log.exception("%s error; retrying shortly", self._name)
                wait = self._error_wait
            self._sleep(wait)

    def _sleep(self, seconds: float) -> None:
        with self.lock:
            until = self._clock() + seconds
            if self._earliest is not None:
                until, self._earliest = min(until, self._earliest), None
            self._sleep_until = until
            while not (self._stopping or self._woken):
                remaining = self._sleep_until - self._clock()
                if remaining <= 0:
                    break
                self.lock.wait(timeout=remaining)
            self._sleep_until = None
