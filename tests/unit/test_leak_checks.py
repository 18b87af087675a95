"""The leak checks themselves see what they are for (negative controls for tests/helpers/leaks.py)."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from tests.helpers.leaks import TimerWatch, leaked_threads, open_windows


def test_a_thread_left_running_is_found_and_a_finished_one_is_not() -> None:
    before = threading.enumerate()
    stop = threading.Event()
    lingering = threading.Thread(target=stop.wait, name="outbox-9", daemon=True)
    lingering.start()
    try:
        assert leaked_threads(before, grace=0.1) == ["outbox-9 (daemon=True)"]
    finally:
        stop.set()
        lingering.join(5)
    assert leaked_threads(before, grace=0.1) == []


def test_a_running_timer_with_no_parent_is_found(qtbot: QtBot) -> None:
    from PySide6.QtCore import QObject, QTimer

    with TimerWatch() as watch:
        owner = QObject()
        parented = QTimer(owner, interval=10_000)
        parented.start()
        orphan = QTimer(interval=10_000)
        orphan.start()
        assert watch.running_orphans() == ["QTimer(interval=10000 ms)"]
        orphan.stop()
        assert watch.running_orphans() == []
        parented.stop()


def test_a_window_left_open_is_found(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QApplication, QWidget

    before = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    window = QWidget()
    window.setWindowTitle("Forgotten")
    window.show()
    assert open_windows(before) == ["QWidget 'Forgotten'"]
    window.close()
    assert open_windows(before) == []
