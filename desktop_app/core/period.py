"""Reporting periods (``--from``/``--to``): dates or ISO times, always read as UTC.

Audit evidence is compared across machines and time zones, so a period means the same instants
wherever it is typed. A bare date as the end of a period includes that whole day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desktop_app.core.errors import KnownError

DAY = 86400.0


class PeriodError(KnownError, ValueError):
    """A --from/--to value that is not a date or time, or a period that ends before it starts."""


@dataclass(frozen=True)
class Period:
    start: float  # seconds since the epoch, included
    end: float  # excluded

    def contains(self, at: float) -> bool:
        return self.start <= at < self.end

    def describe(self) -> str:
        return f"{iso_utc(self.start)} to {iso_utc(self.end)}"


def iso_utc(at: float) -> str:
    """An instant as ISO 8601 UTC to the second (``2026-12-01T22:30:00Z``)."""
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(text: str, *, end_of_day: bool = False) -> float:
    """``YYYY-MM-DD`` (its start, or with ``end_of_day`` the start of the next day) or an ISO time."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
            return moment.timestamp() + (DAY if end_of_day else 0.0)
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise PeriodError(f"{text!r} is not a date (YYYY-MM-DD) or an ISO time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def parse_period(start: str | None, end: str | None, *, now: float) -> Period:
    """No start: from the beginning; no end: up to ``now`` (included)."""
    period = Period(
        parse_instant(start) if start else 0.0,
        parse_instant(end, end_of_day=True) if end else now + 1e-6,
    )
    if period.end <= period.start:
        raise PeriodError(f"the period ends ({end}) before it starts ({start})")
    return period
