"""Pieces of the window's chrome kept out of the shell: the passphrase notice bar, the theme, and where
the window keeps its geometry, dock layout and the desktop's last seen light/dark preference
(``window.ini`` in the profile folder, never content)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QMainWindow, QPushButton, QWidget

from desktop_app.services.profile import make_private
from desktop_app.ui.resources import apply_theme, platform_theme_guess

SYSTEM_THEME_KEY = "system_theme"  # the desktop's light/dark preference when last asked


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


def apply_profile_theme(directory: Path, choice: str, *, first_paint: bool = False) -> None:
    """The profile's theme on the application. For the first paint, "system" is the desktop's
    preference as it was last seen here (``window.ini``), or on a profile's first start as the
    platform's palette shows it: asking the desktop builds PySide's whole Qt namespace of enums,
    ~30 ms that the paint need not wait for. Every other call asks, and keeps the answer; if the
    desktop says otherwise, the window is restyled just after its first paint."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    stored = window_settings(directory)
    seen = stored.value(SYSTEM_THEME_KEY)
    if first_paint:
        apply_theme(app, choice, system=seen if isinstance(seen, str) else platform_theme_guess(app))
        return
    name = apply_theme(app, choice)
    if choice == "system" and name != seen:
        stored.setValue(SYSTEM_THEME_KEY, name)
        stored.sync()
        make_private(Path(stored.fileName()))


def save_window_state(window: QMainWindow, directory: Path, *, with_layout: bool) -> None:
    """Geometry, and the dock layout once it exists; 0600 like every profile file (QSettings
    writes with the default mode)."""
    stored = window_settings(directory)
    stored.setValue("geometry", window.saveGeometry())
    if with_layout:
        stored.setValue("state", window.saveState())
    stored.sync()
    make_private(Path(stored.fileName()))
