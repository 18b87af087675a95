"""Small dialogs shared by the views: a non-blocking question, the Help and crash dialogs
(``ui.app.install_crash_handler`` opens the crash dialog).

Questions are opened with ``open()`` rather than ``exec()``: the event loop keeps running (the
outbox keeps draining, the log keeps tailing) while the user reads, and tests answer them by
clicking their buttons like a user would.
"""

from __future__ import annotations

import platform
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app import APP_NAME, __version__
from desktop_app.core.redact import redact
from desktop_app.ui.a11y import make_accessible


def ask(
    parent: QWidget,
    title: str,
    text: str,
    *,
    confirm: str,
    on_confirm: Callable[[], None],
    cancel: str = "Go back",
    warning: bool = True,
    on_cancel: Callable[[], None] | None = None,
) -> QMessageBox:
    """Open a window-modal question whose buttons say what they do; returns it (for tests)."""
    box = QMessageBox(QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Question, title, text, parent=parent)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    yes = box.addButton(confirm, QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton(cancel, QMessageBox.ButtonRole.RejectRole)
    for button in (yes, no):
        button.setAccessibleName(button.text())
    box.setDefaultButton(no)
    box.setEscapeButton(no)

    def done(_result: int) -> None:
        if box.clickedButton() is yes:
            on_confirm()
        elif on_cancel is not None:
            on_cancel()
        box.deleteLater()

    box.finished.connect(done)
    box.open()
    return box


SHORTCUTS: tuple[tuple[str, str], ...] = (
    (str(QT_TRANSLATE_NOOP("HelpDialog", "Ctrl+N")), str(QT_TRANSLATE_NOOP("HelpDialog", "New message"))),
    (
        str(QT_TRANSLATE_NOOP("HelpDialog", "Ctrl+Enter")),
        str(QT_TRANSLATE_NOOP("HelpDialog", "Send the message in the composer")),
    ),
    (str(QT_TRANSLATE_NOOP("HelpDialog", "Ctrl+F")), str(QT_TRANSLATE_NOOP("HelpDialog", "Search the history"))),
    (
        str(QT_TRANSLATE_NOOP("HelpDialog", "Ctrl+L")),
        str(QT_TRANSLATE_NOOP("HelpDialog", "Show or hide the log panel")),
    ),
    (
        str(QT_TRANSLATE_NOOP("HelpDialog", "Ctrl+1 / Ctrl+2 / Ctrl+3 / Ctrl+4")),
        str(QT_TRANSLATE_NOOP("HelpDialog", "Go to Compose, Outbox, Status, Drafts")),
    ),
    (
        str(QT_TRANSLATE_NOOP("HelpDialog", "Enter (in Status or the Outbox)")),
        str(QT_TRANSLATE_NOOP("HelpDialog", "Open the selected message")),
    ),
    (
        str(QT_TRANSLATE_NOOP("HelpDialog", "Delete (in Drafts)")),
        str(QT_TRANSLATE_NOOP("HelpDialog", "Delete the selected draft (asks first)")),
    ),
    (
        str(QT_TRANSLATE_NOOP("HelpDialog", "Ctrl+B / Ctrl+I / Ctrl+K")),
        str(QT_TRANSLATE_NOOP("HelpDialog", "Bold, italic, insert link (in the message body)")),
    ),
    (str(QT_TRANSLATE_NOOP("HelpDialog", "Ctrl+Shift+L")), str(QT_TRANSLATE_NOOP("HelpDialog", "Lock Sealpost now"))),
    (str(QT_TRANSLATE_NOOP("HelpDialog", "Ctrl+,")), str(QT_TRANSLATE_NOOP("HelpDialog", "Settings"))),
    ("F1", str(QT_TRANSLATE_NOOP("HelpDialog", "This list"))),
    (str(QT_TRANSLATE_NOOP("HelpDialog", "Ctrl+Q")), str(QT_TRANSLATE_NOOP("HelpDialog", "Quit"))),
)


class HelpDialog(QDialog):
    """Lists every keyboard shortcut, so nothing depends on remembering them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("{0} — keyboard shortcuts").format(APP_NAME))
        self.setAccessibleName(self.tr("Keyboard shortcuts"))
        table = QTableWidget(len(SHORTCUTS), 2, self)
        table.setAccessibleName(self.tr("Shortcut list"))
        table.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("Action")])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (keys, action) in enumerate(SHORTCUTS):
            table.setItem(row, 0, QTableWidgetItem(self.tr(keys)))
            table.setItem(row, 1, QTableWidgetItem(self.tr(action)))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(self.tr("{0} {1}. Every keyboard shortcut, and what it does:").format(APP_NAME, __version__), self)
        )
        layout.addWidget(table)
        layout.addWidget(buttons)
        make_accessible(self)
        self.resize(520, 420)


def crash_report(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> str:
    """A report a user can paste to support: where it broke, never what they were writing.

    The exception's own text is left out (it could quote an address or a subject); the type and
    the stack of code locations are enough to find the bug.
    """
    frames = traceback.format_list(traceback.extract_tb(tb))
    return redact(
        f"{APP_NAME} {__version__} on Python {platform.python_version()}, {platform.platform()}\n"
        f"Error: {kind.__module__}.{kind.__qualname__}\n\nWhere:\n{''.join(frames)}"
    )


class CrashDialog(QDialog):
    """Shown for bugs (not for offline or refused requests, which are shown where they happen)."""

    def __init__(self, report: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("{0} hit a bug").format(APP_NAME))
        intro = QLabel(
            self.tr(
                "Something went wrong inside Sealpost. Your messages are safe in the outbox. Copy the report "
                "below and send it to your IT team; it contains no message content, addresses or keys."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.report = QPlainTextEdit(report, self)
        self.report.setReadOnly(True)
        self.report.setAccessibleName(self.tr("Crash report"))
        copy = QPushButton(self.tr("Copy report"), self)
        copy.setAccessibleName(self.tr("Copy report"))
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(report))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.report, 1)
        layout.addWidget(buttons)
        make_accessible(self)
        self.resize(640, 420)
