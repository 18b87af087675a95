"""Child process for scenario 3: show a window, print ``painted`` once its first paint is done, then exit.

Both windows are timed the same way, without an application-wide event filter (which would make
every widget and event cross into Python, a cost of the probe, not of the window): the bare one
watches its native window's first exposure and prints on the next turn of the event loop, once
that exposure's paint has reached the screen; Sealpost's window does the same itself and says so
with its ``first_painted`` signal.

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


class FirstExposure(QObject):
    """Prints ``painted`` once the first exposure of a shown window has been painted, then calls ``then``."""

    def __init__(self, then: Callable[[], object]) -> None:
        super().__init__()
        self._then = then

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Expose:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._painted)
        return False

    def _painted(self) -> None:
        print("painted", flush=True)
        self._then()


def bare() -> int:
    app = QApplication(sys.argv[:1])
    window = QWidget()
    window.resize(1180, 760)
    probe = FirstExposure(app.quit)
    window.show()
    handle = window.windowHandle()
    assert handle is not None
    handle.installEventFilter(probe)  # the exposure arrives from the event loop, after show() returns
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

    window.first_painted.connect(lambda: print("painted", flush=True))
    window.ready.connect(ready)
    window.setup_failed.connect(lambda text: (print(f"failed {text}", flush=True), window.close()))
    QTimer.singleShot(READY_TIMEOUT_MS, window.close)
    window.show()
    window.start()
    app.exec()
    return outcome["code"]


if __name__ == "__main__":
    sys.exit(bare() if sys.argv[1] == "bare" else sealpost(Path(sys.argv[2])))
