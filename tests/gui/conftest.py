"""GUI fixtures: a real main window on a real runtime against the shared sandbox, and user-like helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.sandbox.server import SandboxServer
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Overrides, Runtime
from desktop_app.ui.main_window import MainWindow
from tests.helpers.leaks import TimerWatch, open_windows

WindowFactory = Callable[..., MainWindow]

# The offscreen platform cannot raise windows or grab the keyboard, which popups (the address
# completer) ask for; it says so as a warning. Only these two notices are tolerated.
OFFSCREEN_NOTICES = ("This plugin does not support raise", "This plugin does not support grabbing the keyboard")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.parent.name == "gui":
            item.add_marker(pytest.mark.qt_log_ignore(*OFFSCREEN_NOTICES))


WATCH = pytest.StashKey[TimerWatch]()
WINDOWS_BEFORE = pytest.StashKey[list[QWidget]]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    watch = TimerWatch().__enter__()
    item.stash[WATCH] = watch
    item.stash[WINDOWS_BEFORE] = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """A GUI test fails if, once its fixtures are torn down, a parentless QTimer still runs or a
    top-level window it opened is still on screen."""
    yield
    watch = item.stash.get(WATCH, None)
    if watch is None:
        return
    watch.__exit__()
    problems = [f"a running timer with no parent: {t}" for t in watch.running_orphans(grace=1.0)]
    problems += [f"a window left open: {w}" for w in open_windows(item.stash[WINDOWS_BEFORE], grace=1.0)]
    if problems:
        pytest.fail(f"{item.nodeid} left behind " + "; ".join(problems), pytrace=False)


@pytest.fixture
def make_window(qtbot: QtBot, profile: Profile, sandbox: SandboxServer) -> Iterator[WindowFactory]:
    """Build a started window; settings changes (``undo_seconds=1`` …) are applied to the profile first."""
    windows: list[MainWindow] = []

    def build(**settings: object) -> MainWindow:
        if settings:
            profile.update(**settings)
        window = MainWindow(profile, sandbox_runtime(sandbox))
        qtbot.addWidget(window)
        window.show()
        with qtbot.waitSignal(window.ready, timeout=10_000):
            window.start()
        windows.append(window)
        return window

    yield build
    for window in windows:
        window.close()


def sandbox_runtime(sandbox: SandboxServer) -> Callable[[Profile], Runtime]:
    """The window's runtime factory, pointed at the shared sandbox (for every profile it opens)."""
    return lambda profile: Runtime(profile, Overrides(api_base_url=sandbox.base_url, api_key=sandbox.api_key))


def click(qtbot: QtBot, button: QAbstractButton | QWidget) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def answer(qtbot: QtBot, window: MainWindow, choice: str) -> None:
    """Click the button labelled ``choice`` in the question the window is showing."""

    def asking() -> bool:
        box = window._last_question
        return isinstance(box, QMessageBox) and box.isVisible()

    qtbot.waitUntil(asking, timeout=10_000)
    box = window._last_question
    assert isinstance(box, QMessageBox)
    buttons = [b for b in box.buttons() if b.text() == choice]
    assert buttons, f"no {choice!r} button in: {[b.text() for b in box.buttons()]}"
    click(qtbot, buttons[0])
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=5_000)
    activate(qtbot, window)


def activate(qtbot: QtBot, window: QWidget) -> None:
    """Give the window focus back after a dialog closed (a window manager does this; offscreen does not)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)


def type_message(qtbot: QtBot, window: MainWindow, to: str, subject: str, body: str) -> None:
    composer = window.composer
    qtbot.keyClicks(composer.to_field.edit, to)
    qtbot.keyClicks(composer.subject, subject)
    qtbot.keyClicks(composer.body, body)


def send(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window.composer.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
