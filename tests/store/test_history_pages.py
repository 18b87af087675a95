"""Keyset paging of the history (scenario 11): pages follow one another without gaps or repeats,
even where many messages share a timestamp (a mail merge stamps all its rows alike), and the count
is that of every match, not of the page."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.outbox_state import OutboxState
from desktop_app.store.messages import HistoryFilter
from tests.helpers.messages import make_message as message
from tests.store.test_store import open_store


@pytest.mark.keyring
def test_pages_cover_every_match_once_in_the_views_order(tmp_path: Path) -> None:
    clock = [1000.0]
    store = open_store(tmp_path / "s.db")
    store._clock = lambda: clock[0]
    for n in range(23):
        if n % 5 == 0:
            clock[0] += 1  # runs of five messages share a created_at
        store.add(message(f"Visit {n}", to=f"p{n % 4}@example.org"), state=OutboxState.QUEUED)
    store.add_batch("merge", [(row, message(f"Merge {row}")) for row in range(7)])  # one timestamp for all
    searches = ("visit", "vi", "Merge 3", "visité", "follow-up")  # streamed, or (the last two) the full match
    for flt in (HistoryFilter(states=(OutboxState.QUEUED,)), HistoryFilter(recipient="p1@"),
                *(HistoryFilter(search=text) for text in searches)):  # fmt: skip
        for newest_first in (True, False):
            whole = store.list_ids(flt, newest_first=newest_first)
            paged: list[int] = []
            ids, after = store.page(flt, limit=4, newest_first=newest_first)
            paged += ids
            while after is not None:
                ids, after = store.page(flt, limit=4, after=after, newest_first=newest_first)
                paged += ids
            assert paged == whole
            assert store.count_matching(flt) == len(whole)
    assert store.count_matching(HistoryFilter(recipient="p1@")) == 6
    assert store.page(HistoryFilter(search="nothing-like-this"), limit=4) == ([], None)
    assert store.page(HistoryFilter(search="nothinglikethis"), limit=4) == ([], None)
    assert len(store.list_ids(HistoryFilter(search="vi"))) == 23
    store.close()
