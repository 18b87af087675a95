"""Structured activity events: one per HTTP request, for the log viewer and the metrics.

An event holds only what is safe to show anyone: the endpoint *template* (never a URL with ids
or a username in it), the status, timings, the attempt number and the tracking id.
"""

from __future__ import annotations

import threading
from collections import deque
from statistics import quantiles

from desktop_app.core.records import ActivityEvent, ActivityListener

__all__ = ["ActivityEvent", "ActivityHub", "ActivityListener", "LatencyWindow"]


class ActivityHub:
    """Fans events out to listeners (store, log viewer, metrics); thread-safe, never raises."""

    def __init__(self) -> None:
        self._listeners: list[ActivityListener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: ActivityListener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def unsubscribe(self, listener: ActivityListener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def publish(self, event: ActivityEvent) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(event)


class LatencyWindow:
    """Rolling latency percentiles and error rate over the last ``size`` requests."""

    def __init__(self, size: int = 500) -> None:
        self._events: deque[ActivityEvent] = deque(maxlen=size)
        self._lock = threading.Lock()

    def add(self, event: ActivityEvent) -> None:
        with self._lock:
            self._events.append(event)

    def snapshot(self) -> tuple[float, float, float, int]:
        """(p50 ms, p95 ms, error rate 0..1, sample count)."""
        with self._lock:
            events = list(self._events)
        if not events:
            return 0.0, 0.0, 0.0, 0
        latencies = sorted(e.latency_ms for e in events)
        if len(latencies) == 1:
            p50 = p95 = latencies[0]
        else:
            cuts = quantiles(latencies, n=100, method="inclusive")
            p50, p95 = cuts[49], cuts[94]
        errors = sum(1 for e in events if e.outcome != "ok")
        return p50, p95, errors / len(events), len(events)
