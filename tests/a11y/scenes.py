"""Every window state the accessibility tests visit, found from the running window where possible.

The views come from the navigation list, the dialogs from the menu actions that end in "…" (the
convention for "opens a window"), the tabs of any dialog from its ``QTabWidget``. A window that
none of these reach (a message view opened from a row, say) is added with one line to ``EXTRA``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QEventLoop
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QListWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabWidget,
    QWidget,
)

Opener = Callable[[QMainWindow], object]

# Windows reached another way than the navigation or a "…" menu action: name → what opens it.
EXTRA: dict[str, Opener] = {
    "lock screen": lambda window: window.lock(),  # type: ignore[attr-defined]
    "help": lambda window: window.show_help(),  # type: ignore[attr-defined]
    "log panel": lambda window: window.log_panel.show(),  # type: ignore[attr-defined]
    "sent message": lambda window: _open_sent_message(window),
    "bounce notice": lambda window: _show_bounce_notice(window),
    "composer, every field": lambda window: (
        window.composer.show_more.setChecked(True),  # type: ignore[attr-defined]
        window.composer.options_toggle.setChecked(True),
    ),  # type: ignore[attr-defined]
}
# What puts the window back after an EXTRA scene.
RESETS: list[Opener] = [
    lambda window: window.everyday.bounce_notice.dismiss(),  # type: ignore[attr-defined]
    lambda window: window.log_panel.hide(),  # type: ignore[attr-defined]
    lambda window: (
        window.composer.show_more.setChecked(False),  # type: ignore[attr-defined]
        window.composer.options_toggle.setChecked(False),
    ),  # type: ignore[attr-defined]
]
# Dialogs Qt itself provides (their accessibility is Qt's, not ours).
FOREIGN: tuple[type[QWidget], ...] = (QFileDialog,)


@dataclass(frozen=True)
class Scene:
    name: str
    enter: Callable[[], None]


def _open_sent_message(window: QMainWindow) -> None:
    """A sent message with an attachment, opened in its read-only view (as from a Status row)."""
    from desktop_app.core.addresses import Address
    from desktop_app.core.message import Attachment, OutgoingMessage
    from desktop_app.core.outbox_state import OutboxState

    report = Attachment.from_bytes("report.pdf", "application/pdf", b"%PDF-1.4 report")
    message = OutgoingMessage(sender="front-desk@clinic.example", to=(Address("pat@example.org", "Pat"),),
                              subject="Lab results", text="All normal.", attachments=(report,))  # fmt: skip
    stored = window.runtime.store.add(message, state=OutboxState.ACCEPTED)  # type: ignore[attr-defined]
    view = window.everyday.open_message(stored.id)  # type: ignore[attr-defined]
    wait_until(lambda: view.sent is not None, what="the sent message")


def _show_bounce_notice(window: QMainWindow) -> None:
    from desktop_app.ui.notices import Bounce

    window.everyday.bounce_notice.add(Bounce(1, "Flu clinic", "ana@old-isp.example", "hard bounced"))  # type: ignore[attr-defined]


def settle(seconds: float = 0.3) -> None:
    """Let Qt run: jobs deliver, layouts settle, the accessibility bridge sees the change."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.01)


def wait_until(condition: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.01)


def navigation(window: QMainWindow) -> QListWidget:
    found = window.findChild(QListWidget, "navigation")
    assert isinstance(found, QListWidget), "the main window has no QListWidget named 'navigation'"
    return found


def dialog_actions(window: QMainWindow) -> Iterator[QAction]:
    """Menu actions whose text ends in "…" (they open a window), in menu order, once each."""
    seen: set[int] = set()

    def walk(menu: QMenu) -> Iterator[QAction]:
        for action in menu.actions():
            sub = action.menu()
            if isinstance(sub, QMenu):
                yield from walk(sub)
            elif action.text().rstrip().endswith(("…", "...")) and id(action) not in seen:
                seen.add(id(action))
                yield action

    for top in window.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            yield from walk(menu)


def open_dialogs(window: QMainWindow) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not window and isinstance(w, QDialog)]


def close_dialogs(window: QMainWindow) -> None:
    for dialog in open_dialogs(window):
        dialog.reject()
    settle(0.1)


def reset(window: QMainWindow) -> None:
    """Back to the unlocked main window, first view, no dialog."""
    close_dialogs(window)
    lock_screen = getattr(window, "lock_screen", None)
    if lock_screen is not None and lock_screen.isVisible():
        window.locking._unlock_checked(True)
    for undo in RESETS:
        undo(window)
    navigation(window).setCurrentRow(0)
    window.activateWindow()
    settle(0.1)


def scenes(window: QMainWindow) -> list[Scene]:
    """Every state to visit, each entered from :func:`reset`."""
    found: list[Scene] = []
    nav = navigation(window)
    for row in range(nav.count()):
        found.append(Scene(f"view {nav.item(row).text()}", lambda row=row: nav.setCurrentRow(row)))
    for action in dialog_actions(window):
        label = action.text().replace("&", "").rstrip("….")
        found.extend(_dialog_scenes(window, label, action.trigger))
    for name, opener in EXTRA.items():
        found.extend(_dialog_scenes(window, name, lambda opener=opener: opener(window)))
    return found


def _dialog_scenes(window: QMainWindow, label: str, trigger: Callable[[], object]) -> list[Scene]:
    """One scene per tab of the window ``trigger`` opens (probed once), or one scene."""
    trigger()
    settle(0.2)
    dialogs = open_dialogs(window)
    tab_count = 0
    for dialog in dialogs:
        tabs = dialog.findChild(QTabWidget)
        if isinstance(tabs, QTabWidget) and tabs.window() is dialog:
            tab_count = tabs.count()
    reset(window)
    if tab_count <= 1:
        return [Scene(label, lambda: (trigger(), None)[1])]

    def enter_tab(index: int) -> None:
        trigger()
        settle(0.2)
        for dialog in open_dialogs(window):
            tabs = dialog.findChild(QTabWidget)
            if isinstance(tabs, QTabWidget):
                tabs.setCurrentIndex(index)

    return [Scene(f"{label}, tab {i + 1}", lambda i=i: enter_tab(i)) for i in range(tab_count)]


def windows_to_check(window: QMainWindow) -> list[QWidget]:
    """The visible top-level windows of this scene that are Sealpost's own (message boxes included)."""
    dialogs = [w for w in open_dialogs(window) if not isinstance(w, FOREIGN) or isinstance(w, QMessageBox)]
    return dialogs or [window]


def bus_name(window: QWidget) -> str:
    """The name a window has on the accessibility bus: its accessible name, else its title."""
    return window.accessibleName() or window.windowTitle()
