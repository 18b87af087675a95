"""Child process for scenario 5: open a big history as the app does and time what the user sees.

``python -m benchmarks.history_probe PROFILE_DIR WORD`` prints one JSON line of milliseconds
(and ``rss_mb``). The clock starts after Qt and the app's modules are imported: this measures
the store and the view, not interpreter start-up (scenario 3 covers that).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from benchmarks.common import rss_mb
from desktop_app.core.outbox_state import OutboxState
from desktop_app.services.profile import Profile
from desktop_app.store.messages import HistoryFilter, MessageStore
from desktop_app.store.unlock import open_profile_database
from desktop_app.ui.jobs import JobRunner
from desktop_app.ui.status_view import StatusView

STEP_TIMEOUT_MS = 60_000


def _until_reset(view: StatusView, action: Callable[[], None]) -> float:
    """Run ``action`` and return the ms until the model resets and the table has painted its rows."""
    loop = QEventLoop()
    view.model.modelReset.connect(loop.quit)
    QTimer.singleShot(STEP_TIMEOUT_MS, loop.quit)
    started = time.perf_counter()
    action()
    loop.exec()
    view.table.viewport().repaint()
    elapsed = (time.perf_counter() - started) * 1000
    view.model.modelReset.disconnect(loop.quit)
    return elapsed


def main(profile_dir: Path, word: str) -> dict[str, float]:
    app = QApplication(sys.argv[:1])
    profile = Profile(profile_dir)
    jobs = JobRunner()
    view = StatusView(jobs)
    view.resize(1180, 760)
    view.show()
    app.processEvents()
    figures: dict[str, float] = {}
    holder: dict[str, MessageStore] = {}

    def open_and_attach() -> None:
        started = time.perf_counter()
        holder["store"] = MessageStore(open_profile_database(profile.database_path, profile.settings.profile_id))
        figures["open_db"] = (time.perf_counter() - started) * 1000
        view.set_store(holder["store"])

    figures["first_screen"] = _until_reset(view, open_and_attach)
    if view.model.rowCount() == 0 or view.model.message_at(0) is None:
        raise RuntimeError("the history view showed no rows")

    def search() -> None:
        view.search.setText(word)
        view.apply_filters()

    def filter_hard_bounces() -> None:
        view.status_filter.setCurrentIndex(view.status_filter.findData("hard bounced"))
        view.apply_filters()

    figures["search"] = _until_reset(view, search)
    view.search.clear()
    _until_reset(view, view.apply_filters)
    figures["filter"] = _until_reset(view, filter_hard_bounces)
    store = holder["store"]
    for key, flt in (
        # The same filters the view applied (sent history only), so "query alone" is comparable.
        ("query_search", HistoryFilter(states=(OutboxState.ACCEPTED,), search=word)),
        ("query_filter", HistoryFilter(states=(OutboxState.ACCEPTED,), delivery_status="hard bounced")),
    ):
        started = time.perf_counter()
        store.get_many(store.page(flt, limit=200)[0])
        figures[key] = (time.perf_counter() - started) * 1000
    figures["rss_mb"] = rss_mb()
    jobs.shutdown()
    store.close()
    return figures


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), sys.argv[2])), flush=True)
