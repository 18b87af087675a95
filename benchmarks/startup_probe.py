"""Child process for scenario 3: show a window, print ``painted`` once its first paint is done, then exit.

Both windows are timed the same way, without an application-wide event filter (which would make
every widget and event cross into Python, a cost of the probe, not of the window): the bare one
watches its native window's first exposure and prints on the next turn of the event loop, once
that exposure's paint has reached the screen; Sealpost's window does the same itself and says so
with its ``first_painted`` signal.

``python -m benchmarks.startup_probe bare`` shows a plain QWidget of the main window's size;
``python -m benchmarks.startup_probe app PROFILE_DIR`` runs the ``sealpost`` command's own entry
(``cli.main``) and also prints ``ready`` when the runtime is open and the views are attached.
The parent times both from just before it spawns us. PySide6 is imported where each needs it, so
the app's modules load in the order the ``sealpost`` command loads them (its CLI before any Qt: a
module imported after PySide6 is scanned by PySide's import hook, one imported before is not).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import QObject

READY_TIMEOUT_MS = 60_000


def first_exposure(then: Callable[[], object]) -> QObject:
    """An event filter that prints ``painted`` once the first exposure of a shown window has been
    painted, then calls ``then``."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstExposure(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Expose:
                watched.removeEventFilter(self)
                QTimer.singleShot(0, self._painted)
            return False

        def _painted(self) -> None:
            print("painted", flush=True)
            then()

    return FirstExposure()


def bare() -> int:
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication(sys.argv[:1])
    window = QWidget()
    window.resize(1180, 760)
    probe = first_exposure(app.quit)
    window.show()
    handle = window.windowHandle()
    assert handle is not None
    handle.installEventFilter(probe)  # the exposure arrives from the event loop, after show() returns
    return int(app.exec())


def sealpost(profile_dir: Path) -> int:
    """The ``sealpost`` command itself (``cli.main``: options, policies, profile, logging, the
    single-window claim, the window), with the window it opens watched for its first paint and ready."""
    from desktop_app import cli
    from desktop_app.ui import app as gui  # PySide6 with it, as cli.main imports it

    # isort: split
    from PySide6.QtCore import QTimer

    if TYPE_CHECKING:
        from desktop_app.services.profile import Profile
        from desktop_app.ui.main_window import MainWindow, RuntimeFactory

    opened = gui.main_window
    outcome = {"code": 1}

    def watched(profile: Profile, make_runtime: RuntimeFactory) -> MainWindow:
        window = opened(profile, make_runtime)

        def ready() -> None:
            print("ready", flush=True)
            outcome["code"] = 0
            window.close()

        window.first_painted.connect(lambda: print("painted", flush=True))
        window.ready.connect(ready)
        window.setup_failed.connect(lambda text: (print(f"failed {text}", flush=True), window.close()))
        QTimer.singleShot(READY_TIMEOUT_MS, window.close)
        return window

    gui.main_window = watched
    cli.main(["--profile-dir", str(profile_dir)])
    return outcome["code"]


if __name__ == "__main__":
    sys.exit(bare() if sys.argv[1] == "bare" else sealpost(Path(sys.argv[2])))
