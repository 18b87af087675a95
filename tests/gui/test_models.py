"""The custom models pass pytest-qt's model tester (with data in them, and while rows arrive)."""

from __future__ import annotations

import logging
import time

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktop_app.api.activity import ActivityEvent
from desktop_app.core.addresses import parse_address
from desktop_app.core.message import OutgoingMessage
from desktop_app.core.outbox_state import OutboxState
from desktop_app.services.runtime import Runtime
from desktop_app.store.messages import HistoryFilter
from desktop_app.ui import message_model
from desktop_app.ui.jobs import JobRunner
from desktop_app.ui.log_panel import LogFilter, LogModel, LogRow, row_from_event, row_from_record
from desktop_app.ui.message_model import MessageTableModel
from desktop_app.ui.outbox_view import OUTBOX_COLUMNS
from desktop_app.ui.status_view import HISTORY_COLUMNS


def test_message_model(qtbot: QtBot, qtmodeltester: ModelTester, runtime: Runtime) -> None:
    assert runtime.store is not None
    for n in range(5):
        message = OutgoingMessage(sender="staff@clinic.example", to=(parse_address(f"p{n}@clinic.example"),),
                                  subject=f"Message {n}", html="<p>hi</p>")  # fmt: skip
        runtime.store.add(message, state=OutboxState.DRAFT)
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
        message = OutgoingMessage(sender="staff@clinic.example", to=(parse_address(f"p{n}@clinic.example"),),
                                  subject=f"Message {n}", html="<p>hi</p>")  # fmt: skip
        runtime.store.add(message, state=OutboxState.DRAFT)
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
    for r in range(8):
        model.data(model.index(r, 0), Qt.ItemDataRole.DisplayRole)  # as the view does: fetches their pages
    qtbot.waitUntil(lambda: all(model.message_at(r) is not None for r in range(8)), timeout=5_000)
    assert [m.id for r in range(8) if (m := model.message_at(r))] == runtime.store.list_ids(flt)
    qtmodeltester.check(model, force_py=True)
    assert jobs.shutdown()
