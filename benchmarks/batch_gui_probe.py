"""Child process for scenario 12: the main window open on a profile while another process sends.

``python -m benchmarks.batch_gui_probe PROFILE_DIR BASE_URL`` (API key in ``PAUBOX_API_KEY``) opens
the real main window on the Outbox view, prints ``ready``, then records how late a precise 5 ms timer
fires and what the Outbox progress bar shows (every 250 ms) until a line arrives on stdin; then it
prints one JSON line of lag samples and progress readings. Another process (``sealpost batch``) owns
the sending: this window follows its commits (``PRAGMA data_version``), as a user's window would.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

from PySide6.QtCore import QTimer

from benchmarks.gui_lag_probe import LagProbe, _wait, open_ready_window
from desktop_app.services.profile import Profile
from desktop_app.ui.app import create_application, deferred_runtime

PROGRESS_EVERY_MS = 250


def main(profile_dir: Path, base_url: str) -> dict[str, object]:
    app = create_application(sys.argv[:1])
    profile = Profile(profile_dir)
    window = open_ready_window(profile, deferred_runtime(api_base_url=base_url), 180)
    window.views.show("outbox")  # the Outbox view and its progress bar
    started = time.perf_counter()
    progress: list[tuple[float, int, int, bool]] = []
    bar = window.outbox_view.progress

    def read_progress() -> None:
        progress.append((round(time.perf_counter() - started, 3), bar.value(), bar.maximum(), bar.isVisible()))

    sampler = QTimer(interval=PROGRESS_EVERY_MS)
    sampler.timeout.connect(read_progress)
    sampler.start()
    probe = LagProbe()
    probe.start()
    print("ready", flush=True)
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
    _wait(stop, 3600)
    probe.stop()
    sampler.stop()
    window.close()
    app.processEvents()
    return {"lag": probe.samples, "progress": progress, "seconds": time.perf_counter() - started}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), sys.argv[2])), flush=True)
