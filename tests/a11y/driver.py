"""The real Sealpost window under Xvfb, put into one scene after another on request.

Run by tests/a11y as a subprocess: ``python -m tests.a11y.driver PROFILE_DIR``. It reads one
command per line on stdin (``list``, ``enter NAME``, ``quit``) and answers one JSON line on
stdout each, so the test can walk the accessibility tree (from another process: AT-SPI calls
back into this one, whose event loop must keep running) while the window shows that scene.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from desktop_app.core.addresses import parse_address
from desktop_app.core.message import OutgoingMessage
from desktop_app.sandbox.embedded import start_embedded_sandbox
from desktop_app.services.autolock import hash_passphrase
from desktop_app.services.profile import Profile
from desktop_app.ui.app import create_application, deferred_runtime
from desktop_app.ui.i18n import install_translations
from desktop_app.ui.main_window import MainWindow
from tests.a11y import scenes

PASSPHRASE = "accessibility test passphrase"


class Commands(QObject):
    """Lines from stdin, delivered on the GUI thread (the reader thread only emits)."""

    line = Signal(str)

    def start(self) -> None:
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for raw in sys.stdin:
            self.line.emit(raw.strip())
        self.line.emit("quit")


def reply(payload: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


def seed(window: MainWindow) -> None:
    """A few messages so the tables have rows and the chart has bars."""
    runtime = window.runtime
    assert runtime is not None
    for n in range(3):
        runtime.queue(OutgoingMessage(sender="front-desk@clinic.example",
                                      to=(parse_address(f"Patient {n} <patient{n}@mail.example>"),),
                                      subject=f"Appointment {n}", html="<p>See you soon.</p>"))  # fmt: skip


def act(window: MainWindow, what: str) -> None:
    """Changes a sighted user sees at a glance, made the way they happen."""
    runtime = window.runtime
    assert runtime is not None
    if what == "bounce":  # the sandbox bounces +hardbounce addresses; the Outbox empties first
        runtime.queue(OutgoingMessage(sender="front-desk@clinic.example",
                                      to=(parse_address("Sam <sam+hardbounce@old-isp.example>"),),
                                      subject="Reminder", html="<p>Reminder.</p>"))  # fmt: skip
    elif what == "paused":
        assert runtime.outbox is not None
        runtime.outbox.hold(True)
    elif what == "offline":  # what the engine reports when Paubox cannot be reached
        from desktop_app.services.outbox import Connectivity, EngineStatus

        window.bridge.engine_status.emit(EngineStatus(Connectivity.OFFLINE, "Paubox cannot be reached."))
    elif what == "lock":
        window.lock()  # type: ignore[attr-defined]
    else:
        raise ValueError(f"no such change: {what}")


def main(argv: list[str]) -> int:
    app = create_application()
    profile = Profile(Path(argv[1]))
    profile.update(sender="front-desk@clinic.example", undo_seconds=0, passphrase_hash=hash_passphrase(PASSPHRASE),
                   theme=os.environ.get("SEALPOST_TEST_THEME", "light"))  # fmt: skip
    install_translations(app, profile.settings.language)  # as ui/app.run_gui does: LANG decides
    window = MainWindow(profile, deferred_runtime(sandbox_delivery_delay=0.1, start_sandbox=start_embedded_sandbox))
    window.resize(1180, 760)
    window.show()
    ready: list[bool] = []
    window.ready.connect(lambda: ready.append(True))
    window.start()
    scenes.wait_until(lambda: bool(ready), 60, "the window to be ready")
    seed(window)
    scenes.settle(1.0)
    found = {scene.name: scene for scene in scenes.scenes(window)}
    commands = Commands()

    def handle(line: str) -> None:
        verb, _, name = line.partition(" ")
        try:
            if verb == "quit":
                scenes.reset(window)
                window.close()
                app.quit()
            elif verb == "list":
                reply({"pid": os.getpid(), "scenes": list(found)})
            elif verb == "enter":
                scenes.reset(window)
                found[name].enter()
                scenes.settle(0.5)
                shown = scenes.windows_to_check(window)
                reply({"scene": name, "windows": [scenes.bus_name(w) for w in shown]})
            elif verb == "do":
                act(window, name)
                reply({"done": name})
            else:
                reply({"error": f"unknown command {line!r}"})
        except Exception as error:  # the test prints it; the driver keeps serving
            reply({"error": f"{type(error).__name__}: {error}"})

    commands.line.connect(handle, Qt.ConnectionType.QueuedConnection)
    QTimer.singleShot(0, commands.start)
    reply({"ready": True, "pid": os.getpid(), "started": time.time()})
    app.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
