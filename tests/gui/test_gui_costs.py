"""What keeps the GUI thread light (issues 6 and 8): drafts are sanitised on a worker, the Outbox
progress bar follows only the current burst of sending, and the history chart draws per-day bars."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop_app.core import sanitize
from desktop_app.core.addresses import parse_address
from desktop_app.core.message import OutgoingMessage
from desktop_app.core.outbox_state import OutboxState
from desktop_app.ui.charts import BarChart, Series
from desktop_app.ui.outbox_view import SendBurst
from tests.gui.conftest import WindowFactory

S = OutboxState


def test_editing_a_draft_sanitises_it_on_a_worker(
    qtbot: QtBot, make_window: WindowFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window()
    assert window.runtime is not None
    assert window.runtime.store is not None
    draft = OutgoingMessage(sender="staff@clinic.example", to=(parse_address("ann@lab.example"),), subject="Results",
                            html='<p onclick="steal()">Normal.</p><script>steal()</script>')  # fmt: skip
    draft_id = window.runtime.save_draft(draft)
    threads: list[threading.Thread] = []
    real = sanitize.sanitize_html

    def recording(html: str) -> str:
        threads.append(threading.current_thread())
        return real(html)

    monkeypatch.setattr(sanitize, "sanitize_html", recording)
    window.edit_message(draft_id)
    qtbot.waitUntil(lambda: window.composer.subject.text() == "Results", timeout=5_000)
    assert threads
    assert threading.main_thread() not in threads
    body = window.composer.body.toHtml()
    assert "Normal." in body
    assert "steal" not in body
    assert window.composer.draft_id == draft_id


def test_progress_counts_only_the_current_burst() -> None:
    burst = SendBurst()
    # The screenshot's case: a draft and a message scheduled for later, nothing going out.
    assert burst.update({S.DRAFT: 1, S.SCHEDULED: 1, S.ACCEPTED: 8, S.OUTCOME_UNKNOWN: 1}) == (0, 0)
    assert burst.update({S.QUEUED: 3, S.ACCEPTED: 8}) == (0, 3)
    assert burst.update({S.QUEUED: 1, S.SENDING: 1, S.ACCEPTED: 9}) == (1, 3)
    assert burst.update({S.QUEUED: 2, S.SENDING: 1, S.ACCEPTED: 9, S.FAILED: 1}) == (2, 5)  # more joined
    assert burst.update({S.ACCEPTED: 12, S.FAILED: 1, S.SCHEDULED: 1}) == (0, 0)  # idle: hidden
    assert burst.update({S.QUEUED: 2, S.ACCEPTED: 12, S.FAILED: 1}) == (0, 2)  # a new burst starts at zero


def test_outbox_progress_bar_hides_when_idle(make_window: WindowFactory) -> None:
    outbox = make_window().outbox_view
    outbox.show_counts({S.QUEUED: 2, S.ACCEPTED: 1})
    outbox.show_counts({S.QUEUED: 1, S.ACCEPTED: 2})
    assert outbox.progress.isVisibleTo(outbox)
    assert outbox.progress.text() == "Sending: 1 of 2 done"
    outbox.show_counts({S.DRAFT: 1, S.SCHEDULED: 1, S.ACCEPTED: 3})
    assert not outbox.progress.isVisibleTo(outbox)
    outbox.show_counts({S.QUEUED: 2, S.ACCEPTED: 3})  # two waiting for a retry: nothing is being sent yet
    assert not outbox.progress.isVisibleTo(outbox)
    outbox.show_counts({S.QUEUED: 1, S.SENDING: 1, S.ACCEPTED: 3})
    assert outbox.progress.text() == "Sending: 0 of 2 done"


def test_outbox_progress_follows_another_process_sending_but_not_a_held_queue(make_window: WindowFactory) -> None:
    """Scenario 12: a `sealpost batch` sends for the profile while the window is open."""
    outbox = make_window().outbox_view
    outbox.set_notice("Another process is sending for this profile.", connectivity="delegated")
    outbox.show_counts({S.QUEUED: 50, S.ACCEPTED: 1})
    outbox.show_counts({S.QUEUED: 30, S.SENDING: 10, S.ACCEPTED: 11})
    assert outbox.progress.isVisibleTo(outbox)
    assert outbox.progress.text() == "Sending: 10 of 50 done"
    outbox.set_notice("Offline.", connectivity="offline")
    assert not outbox.progress.isVisibleTo(outbox)
    outbox.show_counts({S.QUEUED: 30, S.SENDING: 10, S.ACCEPTED: 11})
    assert not outbox.progress.isVisibleTo(outbox)


def _columns_with(image: QImage, colour: str, below: int) -> list[int]:
    """The x of every column that has a pixel of ``colour`` below the title and legend rows."""
    wanted = QColor(colour).rgb()
    rows = range(below, image.height())
    return [x for x in range(image.width()) if any(image.pixel(x, y) == wanted for y in rows)]


def test_history_chart_draws_a_busy_day_as_bars_and_empty_days_as_nothing(qtbot: QtBot) -> None:
    chart = BarChart("Last 14 days")
    qtbot.addWidget(chart)
    chart.resize(560, 220)
    sent = [0.0] * 14
    sent[9] = 6.0
    delivered = [0.0] * 14
    delivered[9] = 5.0
    series = [Series("sent", "#0f6cbd", tuple(sent)), Series("delivered", "#107c10", tuple(delivered))]
    chart.set_data([f"{d:02d} Nov" for d in range(1, 15)], series)
    image = chart.grab().toImage()
    plot_top = 2 * chart.fontMetrics().height() + 12  # under the legend (see Chart.paintEvent)
    sent_columns = _columns_with(image, "#0f6cbd", plot_top)
    delivered_columns = _columns_with(image, "#107c10", plot_top)
    assert sent_columns
    assert delivered_columns
    slot = (chart.width() - 52) / 14  # the plot's width over its days (see Chart.paintEvent)
    for columns in (sent_columns, delivered_columns):
        assert {int((x - 40) // slot) for x in columns} == {9}  # only the busy day, side by side
    assert max(sent_columns) < min(delivered_columns)
    assert "sent 0" in chart.accessibleDescription()


def test_a_damaged_database_found_after_start_up_is_shown(qtbot: QtBot, make_window: WindowFactory) -> None:
    """The store checks large databases on a background thread; what it finds reaches the window."""
    window = make_window()
    text = "The message database is damaged. Restore it from a backup."
    threading.Thread(target=window.bridge.integrity_problem.emit, args=(text,)).start()  # as the check does
    qtbot.waitUntil(lambda: window.problem.isVisibleTo(window), timeout=5_000)
    assert window.problem.text() == text


def test_input_in_the_window_or_a_dialog_keeps_the_idle_lock_away(qtbot: QtBot, make_window: WindowFactory) -> None:
    from desktop_app.services.autolock import IdleLock, hash_passphrase

    window = make_window(passphrase_hash=hash_passphrase("correct horse"), autolock_minutes=5)
    now = [0.0]
    idle = window.locking.idle = IdleLock(5, clock=lambda: now[0])
    handle = window.windowHandle()
    assert handle is not None
    now[0] = 240.0
    QTest.keyClick(handle, Qt.Key.Key_Shift)  # as the platform delivers a key press: to the window first
    now[0] = 420.0  # 7 minutes from the start, 3 since the key press
    assert not idle.due()
    settings = window.open_settings()
    qtbot.waitExposed(settings)
    dialog = settings.windowHandle()
    assert dialog is not None
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is dialog, timeout=5_000)
    now[0] = 700.0
    QTest.mouseClick(dialog, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    now[0] = 900.0  # over 5 minutes after the key press, not after the click in the dialog
    assert not idle.due()
    now[0] = 1_001.0
    assert idle.due()
    settings.reject()
