"""Starting the Qt application: the normal GUI and the ``--self-test`` run."""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QWidget

from desktop_app import APP_NAME, __version__
from desktop_app.core.outbox_state import OutboxState
from desktop_app.services.history import history
from desktop_app.services.profile import Profile
from desktop_app.ui.i18n import install_translations
from desktop_app.ui.main_window import UNPAINTED_START_MS, MainWindow, RuntimeFactory

if TYPE_CHECKING:
    from desktop_app.services.runtime import Runtime
    from desktop_app.ui.single_window import WindowClaim

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


GC_PAUSE_LIMIT_MS = 5_000
"""The longest the collector stays paused for the window's start (see :func:`main_window`)."""

GIL_SWITCH_SECONDS = 0.0002
"""How long a thread may keep Python's lock while another waits for it (Python's default is 5 ms).
The GUI thread takes the lock for every call into Python (a model's ``data()``, a slot), and one
repaint makes hundreds: with a worker busy in Python meanwhile (building rows, parsing a history's
addresses), each call could wait the whole interval and the window froze for tenths of a second.
Measured on a 40-row list beside two threads busy in Python (two cores): a repaint took 35 ms
alone, 150-270 ms at 1 ms, 75-120 ms at 0.2 ms (a list whose cells live in C++ took 20-35 ms).
It is set once the window is ready: during start-up three threads run Python at once (the views,
the runtime's imports, the sandbox's) and switching more often cost ready ≈ 80 ms."""


def create_application(argv: list[str] | None = None) -> QApplication:
    """The application (the window applies the profile's theme)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName("sealpost")
    return app  # the window applies the profile's theme


def deferred_runtime(**overrides: Any) -> RuntimeFactory:
    """How the window builds its runtime (``overrides`` are ``services.runtime.Overrides`` fields).

    It runs on the worker that opens the runtime, so importing the engines (httpx, SQLCipher,
    keyring: most of the start-up time) happens after the first paint. It lets keyring choose its
    backend first: its D-Bus round trips (~40 ms, mostly waiting) then overlap the GUI thread's
    building of the views instead of coming after everything else."""

    def build(profile: Profile) -> Runtime:
        _choose_keyring_backend()
        from desktop_app.services.runtime import Overrides, Runtime

        return Runtime(profile, Overrides(**overrides), role="the Sealpost window")

    return build


def _choose_keyring_backend() -> None:
    from desktop_app.store.keys import choose_backend

    with contextlib.suppress(Exception):  # the runtime's own first read says what is wrong, in words
        choose_backend()


def install_crash_handler(parent_of: Callable[[], QWidget | None]) -> None:
    """Route uncaught exceptions (bugs) to the crash dialog, after logging them."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        from desktop_app.ui.dialogs import CrashDialog, crash_report  # not loaded before the first paint

        logging.getLogger("crash").error("uncaught %s", kind.__name__, exc_info=(kind, error, tb))
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, error, tb)
            return
        CrashDialog(crash_report(kind, error, tb), parent_of()).open()

    sys.excepthook = hook


def main_window(profile: Profile, make_runtime: RuntimeFactory) -> MainWindow:
    """The main window as the app opens it (the GUI benchmarks' probes open the same).

    Once it is ready, what start-up built (modules, classes, widgets: some 90,000 objects that live
    as long as the process) is set aside from the garbage collector: each full collection walked
    them all, 50-100 ms with the GUI thread stopped, every few seconds while another process sent.
    And Python's lock changes hands more often from then on (:data:`GIL_SWITCH_SECONDS`), and
    email-validator loads on a thread of its own (its Unicode tables are Python, which lets go of
    the lock), so an unusual address's first check finds it loaded. phonenumbers and rapidfuzz are
    not preloaded: loading them holds Python's lock in C for tens of milliseconds at a time, and
    after ready, with another process sending on two cores, that stalled the window for 113 ms
    (scenario 12); the first Send that needs them loads them instead (~35 ms, once).

    Until then the garbage collector is paused: building the views and importing the engines
    allocate those objects, which set off some 130 collections (~45 ms with everything stopped,
    one of them full) that found almost nothing; the few hundred objects of garbage left at ready
    are set aside with the rest. It collects again at ready, or when the start fails or the window
    goes, or after :data:`GC_PAUSE_LIMIT_MS` whatever happened (a start that waits on a locked
    keyring must not leave the collector off while the user works)."""
    gc.disable()
    window = MainWindow(profile, make_runtime)
    window.ready.connect(_settle_in)
    window.setup_failed.connect(_collect_again)
    window.destroyed.connect(_collect_again)
    QTimer.singleShot(GC_PAUSE_LIMIT_MS, window, _collect_again)  # dies with the window
    return window


def _collect_again(*_why: object) -> None:
    gc.enable()


def _settle_in() -> None:
    gc.freeze()
    gc.enable()
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    threading.Thread(target=_preload, name="preload", daemon=True).start()


def _preload() -> None:
    importlib.import_module("email_validator")


def run_gui(profile: Profile, make_runtime: RuntimeFactory, *, after_paint: Callable[[], None] | None = None) -> int:
    """The window until it closes; ``after_paint`` runs once it has first painted (the composition
    root starts the embedded sandbox's process then)."""
    from desktop_app.ui.single_window import WindowClaim, bring_to_front

    app = create_application()
    install_translations(app, profile.settings.language)
    qInstallMessageHandler(_route_qt_messages)
    claim = WindowClaim(profile.directory)
    if not claim.try_claim(listen=False):
        return _offer_open_window(app, claim)
    window = main_window(profile, make_runtime)
    claim.show_requested.connect(lambda: bring_to_front(window))
    window.first_painted.connect(claim.listen)  # not before: the paint does not need QtNetwork
    if after_paint is not None:
        window.first_painted.connect(after_paint)
    QTimer.singleShot(UNPAINTED_START_MS, claim.listen)  # a window never exposed listens all the same
    install_crash_handler(lambda: window)
    close_on_termination(window)
    window.show()
    window.start()
    try:
        return int(app.exec())
    finally:
        claim.release()


def close_on_termination(window: QWidget) -> None:
    from desktop_app.ui.termination import CloseOnTermination

    CloseOnTermination(window)  # owned by the window


def _offer_open_window(app: QApplication, claim: WindowClaim) -> int:
    """A window is already open on this profile: say so, and on request bring that one forward."""
    from desktop_app.ui.single_window import already_open_box

    box = already_open_box(claim)
    box.exec()
    if box.buttonRole(box.clickedButton()) is not box.ButtonRole.AcceptRole:
        return 0
    outcome = {"delivered": False}
    claim.delivered.connect(lambda ok: (outcome.update(delivered=ok), app.quit()))
    QTimer.singleShot(3000, app.quit)
    claim.ask_open_window_to_show()
    app.exec()
    if not outcome["delivered"]:
        print("sealpost: the open window did not answer; look for it on your screen", file=sys.stderr)
        return 1
    return 0


SELF_TEST_TIMEOUT = 60.0


def run_self_test(profile: Profile, make_runtime: RuntimeFactory) -> int:
    """Start the real window, send one message through the real outbox to the embedded sandbox,
    wait until it is reported delivered, print one line, and exit 0 (non-zero on any failure)."""
    app = create_application()
    install_translations(app, profile.settings.language)
    qInstallMessageHandler(_route_qt_messages)
    window = main_window(profile, make_runtime)
    window.show()
    outcome: dict[str, object] = {"code": 1, "line": "self-test: FAILED — did not finish"}
    started = time.monotonic()

    def exercise(runtime: Runtime) -> tuple[int, str]:
        from desktop_app.core.addresses import parse_address
        from desktop_app.core.message import OutgoingMessage

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
        reader = history(runtime)
        deadline = time.monotonic() + SELF_TEST_TIMEOUT
        while time.monotonic() < deadline:
            current = reader.get(stored.id)
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

    def begin() -> None:
        runtime = window.runtime
        assert runtime is not None  # ready: open and attached
        window.jobs.submit(lambda _token: exercise(runtime), name="self-test", on_result=finish, on_error=fail)

    window.ready.connect(begin)
    window.setup_failed.connect(lambda text: fail(RuntimeError(text)))
    QTimer.singleShot(int((SELF_TEST_TIMEOUT * 2 + 10) * 1000), lambda: fail(TimeoutError("timed out")))
    window.start()
    app.exec()
    print(outcome["line"], flush=True)
    code = outcome["code"]
    return code if isinstance(code, int) else 1
