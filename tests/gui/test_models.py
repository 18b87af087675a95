"""The custom models pass pytest-qt's model tester (with data in them, and while rows arrive)."""

from __future__ import annotations

import dataclasses
import logging
import time
from pathlib import Path

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktop_app.api.activity import ActivityEvent
from desktop_app.core.addresses import parse_address
from desktop_app.core.message import OutgoingMessage
from desktop_app.core.outbox_state import OutboxState
from desktop_app.sandbox.server import SandboxServer
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Overrides, Runtime
from desktop_app.store.messages import HistoryFilter
from desktop_app.ui import message_model
from desktop_app.ui.jobs import JobRunner
from desktop_app.ui.log_panel import LogFilter, LogModel, LogRow, row_from_event, row_from_record
from desktop_app.ui.message_model import MessageTableModel
from desktop_app.ui.outbox_view import OUTBOX_COLUMNS, OutboxView
from desktop_app.ui.status_view import HISTORY_COLUMNS
from desktop_app.ui.tables import MessageTable

DRAFTS = HistoryFilter(states=(OutboxState.DRAFT,))


def make_draft(n: int) -> OutgoingMessage:
    return OutgoingMessage(sender="staff@clinic.example", to=(parse_address(f"p{n}@clinic.example"),),
                           subject=f"Message {n}", html="<p>hi</p>")  # fmt: skip


def test_message_model(qtbot: QtBot, qtmodeltester: ModelTester, runtime: Runtime) -> None:
    assert runtime.store is not None
    for n in range(5):
        runtime.store.add(make_draft(n), state=OutboxState.DRAFT)
    jobs = JobRunner()
    for columns in (OUTBOX_COLUMNS, HISTORY_COLUMNS):
        model = MessageTableModel(columns, jobs)
        with qtbot.waitSignal(model.modelReset, timeout=5_000):
            model.set_store(runtime.store, HistoryFilter(states=(OutboxState.DRAFT,)))
        assert model.rowCount() == 5
        qtmodeltester.check(model, force_py=True)
    assert jobs.shutdown()


def _event(n: int) -> ActivityEvent:
    return ActivityEvent(time.time(), "GET", "message_receipt", 200 if n % 3 else 500, 10.0 + n, 1,
                         "ok" if n % 3 else "ambiguous")  # fmt: skip


def test_log_model_and_filter(qtmodeltester: ModelTester) -> None:
    model = LogModel(capacity=10)
    model.append_batch([row_from_event(_event(n)) for n in range(6)])
    record = logging.LogRecord("desktop_app.x", logging.WARNING, __file__, 1, "disk %s", ("slow",), None)
    model.append_batch([row_from_record(record), LogRow(time.time(), "INFO", "app", "hello")])
    qtmodeltester.check(model, force_py=True)
    model.append_batch([row_from_event(_event(n)) for n in range(8)])  # overflows the ring: oldest drop off
    assert model.rowCount() == 10
    proxy = LogFilter()
    proxy.setSourceModel(model)
    proxy.update(min_level="WARNING", endpoint="", status_class="Any status", text="")
    qtmodeltester.check(proxy, force_py=True)
    assert proxy.rowCount() == sum(1 for r in model.rows() if r.level in ("WARNING", "ERROR"))
    proxy.update(min_level="DEBUG", endpoint="message_receipt", status_class="5xx", text="ambiguous")
    assert all(proxy.index(r, 5).data() == "500" for r in range(proxy.rowCount()))


def test_message_model_lists_the_first_rows_then_more_as_the_view_scrolls(
    qtbot: QtBot, qtmodeltester: ModelTester, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runtime.store is not None
    monkeypatch.setattr(message_model, "LISTED", 3)
    monkeypatch.setattr(message_model, "COUNT_DELAY_MS", 0)
    for n in range(8):
        runtime.store.add(make_draft(n), state=OutboxState.DRAFT)
    jobs = JobRunner()
    model = MessageTableModel(HISTORY_COLUMNS, jobs)
    flt = HistoryFilter(states=(OutboxState.DRAFT,))
    with qtbot.waitSignal(model.modelReset, timeout=5_000):
        model.set_store(runtime.store, flt)
    assert model.rowCount() == 3
    assert model.canFetchMore()
    qtbot.waitUntil(lambda: model.total == 8, timeout=5_000)  # counted apart from the listed rows
    while model.canFetchMore():
        with qtbot.waitSignal(model.rowsInserted, timeout=5_000):
            model.fetchMore()
    model.show_rows()  # as a table does when what it shows moves
    qtbot.waitUntil(lambda: all(model.message_at(r) is not None for r in range(8)), timeout=5_000)
    assert [m.id for r in range(8) if (m := model.message_at(r))] == runtime.store.list_ids(flt)
    qtmodeltester.check(model, force_py=True)
    assert jobs.shutdown()


def _drafts_in_a_table_eight_rows_high(
    qtbot: QtBot, runtime: Runtime, jobs: JobRunner
) -> tuple[MessageTableModel, MessageTable]:
    """The drafts listed in a shown table that tells the model what it shows, as the views do."""
    assert runtime.store is not None
    model = MessageTableModel(HISTORY_COLUMNS, jobs)
    table = MessageTable()
    qtbot.addWidget(table)
    table.setModel(model)
    message_model.read_rows_on_screen(table, model)
    table.resize(600, 8 * table.verticalHeader().defaultSectionSize())
    table.show()
    qtbot.waitExposed(table)
    with qtbot.waitSignal(model.modelReset, timeout=5_000):
        model.set_store(runtime.store, DRAFTS)
    return model, table


def test_rows_are_read_as_they_scroll_into_view_and_shown_blank_until_then(
    qtbot: QtBot, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cells are Qt's (a repaint runs no Python), so nothing asks for a row as it is painted:
    the table tells the model which rows it shows, and only their pages are read."""
    assert runtime.store is not None
    monkeypatch.setattr(message_model, "PAGE", 4)
    for n in range(40):
        runtime.store.add(make_draft(n), state=OutboxState.DRAFT)
    jobs = JobRunner()
    model, table = _drafts_in_a_table_eight_rows_high(qtbot, runtime, jobs)
    shown = table.rowAt(table.viewport().height() - 1)
    assert 3 < shown < 20
    qtbot.waitUntil(lambda: all(model.message_at(r) is not None for r in range(shown + 1)), timeout=5_000)
    assert model.message_at(39) is None  # not read...
    assert model.index(39, 2).data() is None  # ...and blank
    table.scrollToBottom()
    qtbot.waitUntil(lambda: model.index(39, 2).data() == "Message 0", timeout=5_000)  # the oldest, at the end
    assert model.message_at(20) is None  # the rows scrolled past were never read
    assert jobs.shutdown()


def test_a_read_row_gets_its_words_when_it_comes_into_view(qtbot: QtBot, runtime: Runtime) -> None:
    """A list reads its first 200 rows at once, but writes words only around the rows on screen: a
    send that lists 200 new rows in the Outbox does not fill 1,400 cells on the GUI thread."""
    assert runtime.store is not None
    for n in range(60):
        runtime.store.add(make_draft(n), state=OutboxState.DRAFT)
    jobs = JobRunner()
    model, table = _drafts_in_a_table_eight_rows_high(qtbot, runtime, jobs)
    qtbot.waitUntil(lambda: model.index(0, 2).data() == "Message 59", timeout=5_000)
    assert model.message_at(59) is not None  # read with the list...
    assert model.index(59, 2).data() is None  # ...but not on screen: no words yet
    table.scrollToBottom()
    assert model.index(59, 2).data() == "Message 0"  # written at the scroll, before the view paints: not read again
    assert model.index(0, 2).data() == "Message 59"  # and kept
    assert jobs.shutdown()


def test_a_time_to_come_counts_down_while_the_list_shows(qtbot: QtBot, runtime: Runtime) -> None:
    """The Outbox's Next try says "in 3 s" and then "in 2 s" with nothing else changing: the cells
    hold words, so the words that move with the clock are written again while the list shows."""
    assert runtime.store is not None
    runtime.store.add(make_draft(0), state=OutboxState.SCHEDULED, send_at=time.time() + 4.5)
    jobs = JobRunner()
    view = OutboxView(jobs)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.set_store(runtime.store)
    next_try = [c.title for c in view.model.columns].index("Next try")
    qtbot.waitUntil(lambda: view.model.index(0, next_try).data() in ("in 4 s", "in 3 s"), timeout=5_000)
    first = view.model.index(0, next_try).data()
    qtbot.waitUntil(lambda: view.model.index(0, next_try).data() not in (first, None), timeout=5_000)
    assert view.model.index(0, next_try).data() in ("in 3 s", "in 2 s")
    view.hide()  # hidden: the clock writes nothing (the words are written again when it shows)
    assert not view.model._tick.isActive()
    assert jobs.shutdown()


def test_another_profiles_list_shows_none_of_the_last_ones_words(
    qtbot: QtBot, runtime: Runtime, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """Both stores number their messages from 1, and the Outbox's filter is the same for both: a
    switch of profile reads everything again, and no row keeps the other profile's words."""
    other = Runtime(Profile(tmp_path / "other"), Overrides(api_base_url=sandbox.base_url, api_key=sandbox.api_key))
    other.open()
    try:
        assert runtime.store is not None
        assert other.store is not None
        for n in range(3):
            runtime.store.add(make_draft(n), state=OutboxState.DRAFT)
            other.store.add(dataclasses.replace(make_draft(n), subject=f"Other {n}"), state=OutboxState.DRAFT)
        assert runtime.store.list_ids(DRAFTS) == other.store.list_ids(DRAFTS)  # the same ids
        jobs = JobRunner()
        model = MessageTableModel(HISTORY_COLUMNS, jobs)
        with qtbot.waitSignal(model.modelReset, timeout=5_000):
            model.set_store(runtime.store, DRAFTS)
        qtbot.waitUntil(lambda: model.index(0, 2).data() == "Message 2", timeout=5_000)
        with qtbot.waitSignal(model.rows_read, timeout=5_000):
            model.set_store(other.store, DRAFTS)
        assert [model.index(r, 2).data() for r in range(3)] == ["Other 2", "Other 1", "Other 0"]
        assert [m.subject for r in range(3) if (m := model.message_at(r))] == ["Other 2", "Other 1", "Other 0"]
        assert jobs.shutdown()
    finally:
        other.close()


def test_changes_taken_by_a_refresh_that_was_overtaken_are_read_by_the_next(qtbot: QtBot, runtime: Runtime) -> None:
    """A refresh started while another is loading drops the first one's result; the changes that
    one took are changes still, not rows counted as read."""
    assert runtime.store is not None
    store = runtime.store
    ids = [store.add(make_draft(n), state=OutboxState.DRAFT).id for n in range(3)]
    jobs = JobRunner()
    model = MessageTableModel(HISTORY_COLUMNS, jobs)
    with qtbot.waitSignal(model.modelReset, timeout=5_000):
        model.set_store(store, DRAFTS)
    qtbot.waitUntil(lambda: model.index(2, 2).data() == "Message 0", timeout=5_000)
    store.save_draft(dataclasses.replace(make_draft(0), subject="Changed"), ids[0])
    model.messages_changed({ids[0]})
    model.refresh()  # takes the change...
    model.refresh()  # ...and is overtaken before its result is applied
    qtbot.waitUntil(lambda: model.index(2, 2).data() == "Changed", timeout=5_000)
    assert jobs.shutdown()


def test_a_page_read_while_the_list_moved_is_asked_for_again(
    qtbot: QtBot, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page read under a list that then moved is dropped (its rows may have changed meanwhile): the
    rows on screen are asked for again, not left blank until the user scrolls."""
    assert runtime.store is not None
    monkeypatch.setattr(message_model, "PAGE", 4)
    for n in range(12):
        runtime.store.add(make_draft(n), state=OutboxState.DRAFT)
    jobs = JobRunner()
    model = MessageTableModel(HISTORY_COLUMNS, jobs)
    with qtbot.waitSignal(model.modelReset, timeout=5_000):
        model.set_store(runtime.store, DRAFTS)
    qtbot.waitUntil(lambda: model.message_at(3) is not None, timeout=5_000)
    model.show_rows()  # no table: every row is on screen; pages 1 and 2 are asked for...
    model.refresh()  # ...and the list moves (nothing changed in it) before they arrive
    qtbot.waitUntil(lambda: model.index(11, 2).data() == "Message 0", timeout=5_000)
    assert all(model.index(r, 2).data() == f"Message {11 - r}" for r in range(12))
    assert jobs.shutdown()
