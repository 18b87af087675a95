"""One format for every time on screen: local, the date only when it is not today."""

from __future__ import annotations

import time

from desktop_app.core.times import api_time, shown_api_time, shown_time


def test_today_shows_the_clock_and_another_day_the_date_too() -> None:
    now = time.mktime((2026, 12, 1, 15, 0, 0, 0, 0, -1))
    assert shown_time(now - 3600, now) == "14:00"
    assert shown_time(now - 86400, now) == "2026-11-30 15:00"
    assert shown_time(now - 3600, now, seconds=True) == "14:00:00"
    assert shown_time(None, now) == ""


def test_paubox_times_in_utc_are_shown_in_local_time() -> None:
    moment = api_time("Tue, 01 Dec 2026 14:05:00 -0000")
    assert moment is not None
    assert shown_api_time("Tue, 01 Dec 2026 14:05:00 -0000", moment) == time.strftime("%H:%M", time.localtime(moment))
    assert api_time("2026-12-01T14:05:00Z") == moment
    assert shown_api_time("not a time") == "not a time"
    assert api_time("") is None
