"""Pieces of the window's chrome kept out of the shell: the passphrase notice bar and where the
window keeps its geometry and dock layout (``window.ini`` in the profile folder, never content)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QPushButton, QWidget

from desktop_app.services.profile import make_private


def notice_bar(parent: QWidget, text: str, button_text: str, spoken: str) -> tuple[QWidget, QPushButton]:
    """A thin bar with a sentence and one button (the passphrase notice)."""
    bar = QWidget(parent)
    bar.setObjectName("noticeBar")
    words = QLabel(text, parent)
    words.setWordWrap(True)
    button = QPushButton(button_text, parent)
    button.setAccessibleName(spoken)
    row = QHBoxLayout(bar)
    row.setContentsMargins(12, 4, 12, 4)
    row.addWidget(words, 1)
    row.addWidget(button)
    return bar, button


def window_settings(directory: Path) -> QSettings:
    return QSettings(str(directory / "window.ini"), QSettings.Format.IniFormat)


def save_window_state(window: QMainWindow, directory: Path, *, with_layout: bool) -> None:
    """Geometry, and the dock layout once it exists; 0600 like every profile file (QSettings
    writes with the default mode)."""
    stored = window_settings(directory)
    stored.setValue("geometry", window.saveGeometry())
    if with_layout:
        stored.setValue("state", window.saveState())
    stored.sync()
    make_private(Path(stored.fileName()))
