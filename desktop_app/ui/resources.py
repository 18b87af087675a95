"""Finds the shipped resources (themes, icons) in a source tree or a frozen bundle, and applies themes."""

from __future__ import annotations

from PySide6 import QtCore  # QtCore.Qt at use: building that namespace of enums costs a first paint ~12 ms
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from desktop_app.services.shipped import resources_dir


def app_icon() -> QIcon:
    """The Sealpost icon in every size shipped (empty when the icons are not installed)."""
    icon = QIcon()
    for path in sorted((resources_dir() / "icons").glob("sealpost-*.png")):
        icon.addFile(str(path))
    return icon


def theme_stylesheet(name: str = "light") -> str:
    path = resources_dir() / "themes" / f"{name}.qss"
    return path.read_text("utf-8") if path.exists() else ""


def resolve_theme(choice: str) -> str:
    """``system`` follows the desktop's light/dark preference; anything else is taken as asked."""
    if choice in ("light", "dark"):
        return choice
    hints = QGuiApplication.styleHints()
    return "dark" if hints.colorScheme() == QtCore.Qt.ColorScheme.Dark else "light"


_DARK_PALETTE = {
    QPalette.ColorRole.Window: "#1f2329",
    QPalette.ColorRole.WindowText: "#e6e8eb",
    QPalette.ColorRole.Base: "#272c33",
    QPalette.ColorRole.AlternateBase: "#2c323a",
    QPalette.ColorRole.Text: "#e6e8eb",
    QPalette.ColorRole.Button: "#2c323a",
    QPalette.ColorRole.ButtonText: "#e6e8eb",
    QPalette.ColorRole.Highlight: "#2b5797",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.ToolTipBase: "#272c33",
    QPalette.ColorRole.ToolTipText: "#e6e8eb",
    QPalette.ColorRole.PlaceholderText: "#8b949e",
    QPalette.ColorRole.Link: "#6cb6ff",
}


_applied: dict[str, object] = {}


def apply_theme(app: QApplication, choice: str) -> str:
    """Set the palette and stylesheet for ``choice`` (only when it changes); returns the theme used."""
    name = resolve_theme(choice)
    if _applied.get("app") is app and _applied.get("name") == name:
        return name
    base = _applied.get("base") if _applied.get("app") is app else None
    if not isinstance(base, QPalette):
        base = QPalette(app.palette())  # the platform's own palette, captured before any theme
        _applied.update(app=app, base=base)
    palette = QPalette(base)
    if name == "dark":
        for role, colour in _DARK_PALETTE.items():
            palette.setColor(role, QColor(colour))
        disabled = QPalette.ColorGroup.Disabled  # else a disabled check box looks like an enabled one
        for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
            palette.setColor(disabled, role, QColor("#6b7380"))
        palette.setColor(disabled, QPalette.ColorRole.Base, QColor("#23282e"))
        palette.setColor(disabled, QPalette.ColorRole.Button, QColor("#23282e"))
    app.setPalette(palette)
    app.setStyleSheet(theme_stylesheet(name))
    _applied["name"] = name
    return name
