"""Starting the Qt application: the normal GUI and the ``--self-test`` run."""

from __future__ import annotations

import logging
import sys
import time

from PySide6.QtCore import QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from desktop_app import APP_NAME, __version__
from desktop_app.core.addresses import parse_address
from desktop_app.core.message import OutgoingMessage
from desktop_app.core.outbox_state import OutboxState
from desktop_app.services.runtime import Runtime
from desktop_app.ui.dialogs import install_crash_handler
from desktop_app.ui.jobs import CancelToken
from desktop_app.ui.main_window import MainWindow

qt_log = logging.getLogger("qt")

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


# Harmless notices Qt prints on some platforms; anything else it says is worth a look.
KNOWN_QT_NOISE = (
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)


def _route_qt_messages(kind: QtMsgType, _context: object, message: str) -> None:
    """Qt's own warnings go to the Python log (and the log panel), not to a console nobody reads."""
    level = _QT_LEVELS.get(kind, logging.WARNING)
    if message.startswith(KNOWN_QT_NOISE):
        level = logging.DEBUG
    qt_log.log(level, "%s", message)


def create_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName("sealpost")
    return app  # the window applies the profile's theme


def run_gui(runtime: Runtime) -> int:
    app = create_application()
    qInstallMessageHandler(_route_qt_messages)
    window = MainWindow(runtime)
    install_crash_handler(lambda: window)
    window.show()
    window.start()
    return int(app.exec())


SELF_TEST_TIMEOUT = 60.0


def run_self_test(runtime: Runtime) -> int:
    """Start the real window, send one message through the real outbox to the embedded sandbox,
    wait until it is reported delivered, print one line, and exit 0 (non-zero on any failure)."""
    app = create_application()
    qInstallMessageHandler(_route_qt_messages)
    window = MainWindow(runtime)
    window.show()
    outcome: dict[str, object] = {"code": 1, "line": "self-test: FAILED — did not finish"}
    started = time.monotonic()

    def exercise(_token: CancelToken) -> tuple[int, str]:
        message = OutgoingMessage(
            sender=runtime.profile.settings.sender,
            to=(parse_address("Self Test <selftest@sandbox.example>"),),
            subject="Sealpost self-test",
            html="<p>Self-test message from <b>Sealpost</b>.</p>",
        )
        stored = runtime.queue(message)
        accepted = runtime.wait_until(stored.id, {OutboxState.ACCEPTED, OutboxState.FAILED,
                                                  OutboxState.OUTCOME_UNKNOWN}, SELF_TEST_TIMEOUT)  # fmt: skip
        if accepted.state is not OutboxState.ACCEPTED:
            return 1, f"self-test: FAILED — message ended {accepted.state.value}: {accepted.last_error}"
        assert runtime.store is not None
        deadline = time.monotonic() + SELF_TEST_TIMEOUT
        while time.monotonic() < deadline:
            current = runtime.store.get(stored.id)
            if current.delivery_summary == "delivered":
                elapsed = time.monotonic() - started
                return 0, (f"self-test: OK — delivered via sandbox in {elapsed:.1f} s "
                           f"(tracking id {current.tracking_id})")  # fmt: skip
            time.sleep(0.1)
        return 1, "self-test: FAILED — accepted but never reported delivered"

    def finish(result: tuple[int, str]) -> None:
        outcome["code"], outcome["line"] = result
        window.close()

    def fail(error: BaseException) -> None:
        outcome["line"] = f"self-test: FAILED — {error}"
        window.close()

    window.ready.connect(lambda: window.jobs.submit(exercise, name="self-test", on_result=finish, on_error=fail))
    window.setup_failed.connect(lambda text: fail(RuntimeError(text)))
    QTimer.singleShot(int((SELF_TEST_TIMEOUT * 2 + 10) * 1000), lambda: fail(TimeoutError("timed out")))
    window.start()
    app.exec()
    print(outcome["line"], flush=True)
    code = outcome["code"]
    return code if isinstance(code, int) else 1
