"""A view follows a lone change at once and a stream of changes at a steady pace (ui/pacing.py)."""

from __future__ import annotations

import itertools

from desktop_app.ui.pacing import Pace


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_lone_change_is_followed_quickly_and_a_stream_at_the_busy_pace() -> None:
    clock = Clock()
    pace = Pace(150, 400, clock)
    assert pace.delay_ms() == 150  # nothing ran yet
    pace.ran()
    assert pace.delay_ms() == 400  # a change right after a follow-up waits for the busy pace
    clock.now += 0.1
    assert pace.delay_ms() == 300  # the pace counts from when the last follow-up ran
    clock.now += 0.2
    assert pace.delay_ms() == 150  # never sooner than a lone change
    clock.now += 5.0
    assert pace.delay_ms() == 150  # after a quiet spell: at once again


def test_a_stream_of_changes_is_followed_no_more_often_than_the_busy_pace() -> None:
    """Changes every 10 ms for two seconds, each follow-up run when its delay has passed."""
    clock = Clock()
    pace = Pace(150, 400, clock)
    runs: list[float] = []
    due: float | None = None
    for _ in range(200):
        if due is not None and clock.now >= due:
            pace.ran()
            runs.append(clock.now)
            due = None
        if due is None:  # a change arrives, and no follow-up is waiting: one is scheduled
            due = clock.now + pace.delay_ms() / 1000
        clock.now += 0.01
    gaps = [round(b - a, 3) for a, b in itertools.pairwise(runs)]
    assert len(runs) >= 4  # still several times over two seconds
    assert runs[0] - 100.0 <= 0.16  # the first change showed within the quick delay
    assert min(gaps) >= 0.4  # then every 400 ms, not every 150
