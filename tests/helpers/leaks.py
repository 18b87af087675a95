"""What a test must not leave behind: threads, running parentless timers, open top-level windows.

``tests/conftest.py`` checks threads after every test; ``tests/gui/conftest.py`` adds timers and
windows. Each check compares against what existed before the test's setup, so long-lived
session fixtures (the shared sandbox) are not blamed, and waits a moment for what is already
stopping (an engine thread finishing its last loop) before calling it a leak.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Iterable
from typing import Any

GRACE_SECONDS = 3.0
# Threads a library names itself, daemon, which end with the interpreter (never the app's own).
LIBRARY_DAEMONS = ("Thread-", "Dummy-", "pydevd.", "QDBusConnection")
SESSION_THREADS = ("sealpost-sandbox",)  # the session's shared sandbox (tests/conftest.py)


def is_app_thread(thread: threading.Thread) -> bool:
    """A thread that matters when it outlives its test: any non-daemon thread, or one the app named."""
    if isinstance(thread, threading._DummyThread) or thread.name.startswith(SESSION_THREADS):  # Qt's pool
        return False
    return not thread.daemon or not thread.name.startswith(LIBRARY_DAEMONS)


def leaked_threads(before: Iterable[threading.Thread], grace: float = GRACE_SECONDS) -> list[str]:
    """Threads started since ``before`` that are still alive after ``grace`` seconds."""
    known = set(before)

    def alive() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t not in known and t.is_alive() and is_app_thread(t)]

    return [f"{t.name} (daemon={t.daemon})" for t in _settle(alive, grace)]


def _settle(find: Callable[[], list[Any]], grace: float, pump: Callable[[], None] | None = None) -> list[Any]:
    deadline = time.monotonic() + grace
    found = find()
    while found and time.monotonic() < deadline:
        if pump is not None:
            pump()
        time.sleep(0.02)
        found = find()
    return found


class TimerWatch:
    """Remembers every QTimer started from Python (weakly), to find those left running with no parent."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self._timers: weakref.WeakSet[QTimer] = weakref.WeakSet()
        self._original = QTimer.start
        watch = self

        def start(timer: QTimer, *args: Any) -> None:
            watch._timers.add(timer)
            watch._original(timer, *args)

        self._patched = start

    def __enter__(self) -> TimerWatch:
        from PySide6.QtCore import QTimer

        QTimer.start = self._patched  # type: ignore[method-assign]
        return self

    def __exit__(self, *_exc: object) -> None:
        from PySide6.QtCore import QTimer

        QTimer.start = self._original  # type: ignore[method-assign]

    def running_orphans(self, grace: float = 0.0) -> list[str]:
        from shiboken6 import Shiboken

        def orphans() -> list[Any]:
            return [t for t in list(self._timers) if Shiboken.isValid(t) and t.isActive() and t.parent() is None]

        return [f"QTimer(interval={t.interval()} ms)" for t in _settle(orphans, grace, _process_events)]


def open_windows(before: Iterable[object], grace: float = 0.0) -> list[str]:
    """Top-level widgets shown since ``before`` and still visible."""
    from PySide6.QtWidgets import QApplication

    known = {id(w) for w in before}

    def visible() -> list[Any]:
        return [w for w in QApplication.topLevelWidgets() if id(w) not in known and w.isVisible()]

    return [f"{type(w).__name__} {w.windowTitle()!r}" for w in _settle(visible, grace, _process_events)]


def _process_events() -> None:
    from PySide6.QtCore import QCoreApplication

    QCoreApplication.processEvents()
