"""Child process for scenario 3: show a window, print ``painted`` at its first paint, then exit.

``python -m benchmarks.startup_probe bare`` shows a plain QWidget of the main window's size;
``python -m benchmarks.startup_probe app PROFILE_DIR`` starts Sealpost's real main window the way
``sealpost`` does (logging, profile, runtime, window, start) and also prints ``ready`` when the
runtime is open and the views are attached. The parent times both from just before it spawns us.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

READY_TIMEOUT_MS = 60_000


class FirstPaint(QObject):
    """Prints ``painted`` the first time any widget of ``window`` paints, then calls ``then``."""

    def __init__(self, window: QWidget, then: Callable[[], object]) -> None:
        super().__init__()
        self._window = window
        self._then = then
        self._seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (not self._seen and event.type() == QEvent.Type.Paint and isinstance(watched, QWidget)
                and watched.window() is self._window):  # fmt: skip
            self._seen = True
            print("painted", flush=True)
            QTimer.singleShot(0, self._then)
        return False


def bare() -> int:
    app = QApplication(sys.argv[:1])
    window = QWidget()
    window.resize(1180, 760)
    probe = FirstPaint(window, app.quit)
    app.installEventFilter(probe)
    window.show()
    return int(app.exec())


def sealpost(profile_dir: Path) -> int:
    from desktop_app.services.logging_setup import configure_logging
    from desktop_app.services.profile import Profile
    from desktop_app.ui.app import create_application, deferred_runtime
    from desktop_app.ui.main_window import MainWindow

    if TYPE_CHECKING:
        from desktop_app.services.runtime import EmbeddedSandbox

    profile = Profile(profile_dir)
    configure_logging(profile.log_dir, verbose=False, console=False)
    app = create_application(sys.argv[:1])

    def start_sandbox(delay: float, limit_mb: float) -> EmbeddedSandbox:  # loaded on the worker, after the paint
        from desktop_app.sandbox.embedded import start_embedded_sandbox

        return start_embedded_sandbox(delay, limit_mb)

    window = MainWindow(profile, deferred_runtime(start_sandbox=start_sandbox))
    outcome = {"code": 1}

    def ready() -> None:
        print("ready", flush=True)
        outcome["code"] = 0
        window.close()

    probe = FirstPaint(window, lambda: None)
    app.installEventFilter(probe)
    window.ready.connect(ready)
    window.setup_failed.connect(lambda text: (print(f"failed {text}", flush=True), window.close()))
    QTimer.singleShot(READY_TIMEOUT_MS, window.close)
    window.show()
    window.start()
    app.exec()
    app.removeEventFilter(probe)
    return outcome["code"]


if __name__ == "__main__":
    sys.exit(bare() if sys.argv[1] == "bare" else sealpost(Path(sys.argv[2])))
