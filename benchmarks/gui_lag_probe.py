"""Child process for scenario 4: the GUI event loop's lateness while the app works hard.

``python -m benchmarks.gui_lag_probe PROFILE_DIR BASE_URL MESSAGES [PSTATS_FILE]`` (API key in
``PAUBOX_API_KEY``) opens the real main window with the Outbox view and the log panel showing,
then queues MESSAGES (1,000 in the benchmark) messages of 10 recipients each from a plain thread
and waits until every one is accepted and all their recipient statuses are final. A precise 5 ms timer records how late
it fires the whole time. Prints one JSON line; with PSTATS_FILE it also profiles the GUI thread.
"""

from __future__ import annotations

import cProfile
import json
import sys
import threading
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer

from benchmarks import stall_catcher
from benchmarks.common import UNLIMITED_RATE, make_message, most
from desktop_app.core.outbox_state import OutboxState
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Overrides, Runtime
from desktop_app.store.messages import HistoryFilter
from desktop_app.ui.app import create_application, main_window
from desktop_app.ui.main_window import MainWindow, RuntimeFactory

MESSAGES = 1000
RECIPIENTS = 10
INTERVAL_MS = 5
IDLE_SECONDS = 1.0
LOAD_TIMEOUT_S = 240.0


class LagProbe(QObject):
    """A single-shot precise timer re-armed at every firing; each sample is how late it fired (ms)."""

    def __init__(self) -> None:
        super().__init__()
        self.samples: list[float] = []
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._fire)
        self._expected = 0.0
        self._catcher = stall_catcher.from_environment()  # None unless SEALPOST_STALL_FILE is set

    def start(self) -> None:
        self._expected = time.perf_counter() + INTERVAL_MS / 1000
        self._timer.start(INTERVAL_MS)

    def stop(self) -> None:
        self._timer.stop()
        if self._catcher is not None:
            self._catcher.stop()

    def _fire(self) -> None:
        now = time.perf_counter()
        self.samples.append(max(0.0, (now - self._expected) * 1000))
        self._expected = now + INTERVAL_MS / 1000
        self._timer.start(INTERVAL_MS)
        if self._catcher is not None:
            self._catcher.beat()


def _wait(condition: threading.Event, timeout_s: float) -> None:
    """Run the event loop until ``condition`` is set (checked every 50 ms) or the timeout passes."""
    loop = QEventLoop()
    check = QTimer(interval=50)
    check.timeout.connect(lambda: loop.quit() if condition.is_set() else None)
    check.start()
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    check.stop()


def open_ready_window(profile: Profile, make_runtime: RuntimeFactory, timeout_s: float) -> MainWindow:
    """The main window as the app opens it, shown at the probes' size, once it is ready."""
    window = main_window(profile, make_runtime)
    window.resize(1180, 760)
    window.show()
    ready = threading.Event()
    window.ready.connect(ready.set)
    window.start()
    _wait(ready, timeout_s)
    if not ready.is_set():
        raise RuntimeError("the main window never became ready")
    return window


def _load(runtime: Runtime, messages: int, finished: threading.Event, outcome: dict[str, float]) -> None:
    """What a busy user does: queue the messages, then the engines send and track them."""
    assert runtime.store is not None
    store = runtime.store
    started = time.perf_counter()
    for index in range(messages):
        runtime.queue(make_message(index, recipients=RECIPIENTS))
    deadline = time.monotonic() + LOAD_TIMEOUT_S
    while time.monotonic() < deadline:
        accepted = store.counts_by_state().get(OutboxState.ACCEPTED, 0)
        if accepted >= messages and store.next_poll_time() is None:
            break
        time.sleep(0.1)
    outcome["load_seconds"] = time.perf_counter() - started
    finished.set()


def main(profile_dir: Path, base_url: str, messages: int, pstats_file: str | None) -> dict[str, object]:
    app = create_application(sys.argv[:1])
    profile = Profile(profile_dir)
    # "No rate limit": the engines go as fast as they can, which is the hardest case for the GUI.
    fastest = {"requests_per_second": UNLIMITED_RATE, "poll_budget_per_minute": most("poll_budget_per_minute")}
    settings = profile.update(**fastest, undo_seconds=0.0)
    if (settings.requests_per_second, settings.poll_budget_per_minute) != tuple(fastest.values()):
        raise RuntimeError("the profile refused the benchmark's limits")  # out of range: the defaults
    runtime = Runtime(profile, Overrides(api_base_url=base_url))
    window = open_ready_window(profile, lambda _profile: runtime, 60)
    window.views.show("outbox")  # the Outbox view, where 1,000 rows change state
    window.log_panel.show()
    probe = LagProbe()
    probe.start()
    idle_over = threading.Event()
    QTimer.singleShot(int(IDLE_SECONDS * 1000), idle_over.set)
    _wait(idle_over, IDLE_SECONDS + 5)
    idle = list(probe.samples)
    probe.samples.clear()
    outcome: dict[str, float] = {}
    finished = threading.Event()
    profiler = cProfile.Profile()
    if pstats_file:
        profiler.enable()
    worker = threading.Thread(target=_load, args=(runtime, messages, finished, outcome), daemon=True)
    worker.start()
    _wait(finished, LOAD_TIMEOUT_S + 10)
    if pstats_file:
        profiler.disable()
        profiler.dump_stats(pstats_file)
    probe.stop()
    loaded = list(probe.samples)
    store = runtime.store
    assert store is not None
    accepted_ids = store.list_ids(HistoryFilter(states=(OutboxState.ACCEPTED,)))
    statuses = sum(len(store.recipient_statuses(i)) for i in accepted_ids)
    window.close()
    app.processEvents()
    return {**outcome, "accepted": len(accepted_ids), "statuses_tracked": statuses, "idle": idle, "load": loaded}


if __name__ == "__main__":
    pstats = sys.argv[4] if len(sys.argv) > 4 else None
    print(json.dumps(main(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), pstats)), flush=True)
