"""Every time the app shows, in one format: local, ``HH:MM`` today, with the date on any other day.

Paubox reports times as RFC 2822 strings in UTC; they pass through :func:`api_time` so a receipt's
"Delivered" time reads like every other time on screen."""

from __future__ import annotations

import time

ISO_DATE = "%Y-%m-%d"
_DATE_PATTERN = [ISO_DATE]


def set_date_pattern(pattern: str) -> None:
    """How dates are written (strftime), set by the GUI from its locale (``%d/%m/%Y`` in Spanish)."""
    _DATE_PATTERN[0] = pattern


def shown_time(moment: float | None, now: float | None = None, *, seconds: bool = False) -> str:
    """``14:05`` today, ``2026-11-30 14:05`` on another day (local time); ``""`` for no time."""
    if moment is None:
        return ""
    local = time.localtime(moment)
    today = time.localtime(now if now is not None else time.time())
    clock = "%H:%M:%S" if seconds else "%H:%M"
    if local[:3] == today[:3]:
        return time.strftime(clock, local)
    return time.strftime(f"{_DATE_PATTERN[0]} {clock}", local)


def api_time(text: str) -> float | None:
    """A Paubox time (RFC 2822, or ISO 8601 as some endpoints write it) as a timestamp; None if unreadable."""
    text = text.strip()
    if not text:
        return None
    from email.utils import parsedate_to_datetime  # here: email.utils is not needed for the first paint

    try:
        return parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError):
        pass
    from datetime import datetime

    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def shown_api_time(text: str, now: float | None = None) -> str:
    """A Paubox time as :func:`shown_time` writes it; an unreadable one is shown as it came."""
    moment = api_time(text)
    return shown_time(moment, now) if moment is not None else text
