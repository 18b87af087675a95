"""Finds the shipped resources (themes, icons) in a source tree or a frozen bundle, and applies themes."""

from __future__ import annotations

import copy

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


def resolve_theme(choice: str, *, system: str | None = None) -> str:
    """``system`` follows the desktop's light/dark preference (or ``system``, when the caller knows
    it already: asking builds PySide's Qt namespace, ~30 ms); anything else is taken as asked."""
    if choice in ("light", "dark"):
        return choice
    if system in ("light", "dark"):
        return system
    hints = QGuiApplication.styleHints()
    return "dark" if hints.colorScheme() == QtCore.Qt.ColorScheme.Dark else "light"


R, G = QPalette.ColorRole, QPalette.ColorGroup
# Both themes set every colour they rely on, so tests/unit/test_contrast.py can check each pair
# against WCAG 2.1 AA (text 4.5:1, controls 3:1) whatever the platform's own palette is.
THEME_PALETTES: dict[str, dict[QPalette.ColorGroup, dict[QPalette.ColorRole, str]]] = {
    "light": {
        G.Active: {
            R.Window: "#f6f7f9",
            R.WindowText: "#1f2933",
            R.Base: "#ffffff",
            R.AlternateBase: "#f8f9fb",
            R.Text: "#1f2933",
            R.Button: "#ffffff",
            R.ButtonText: "#1f2933",
            R.Highlight: "#0f6cbd",
            R.HighlightedText: "#ffffff",
            R.ToolTipBase: "#1f2933",
            R.ToolTipText: "#ffffff",
            R.PlaceholderText: "#6b7280",
            R.Link: "#0b5cad",
            R.BrightText: "#ffffff",
        },
        G.Disabled: {
            R.Window: "#f6f7f9",
            R.WindowText: "#6b7280",
            R.Base: "#f3f4f6",
            R.Text: "#6b7280",
            R.Button: "#f3f4f6",
            R.ButtonText: "#6b7280",
        },
    },
    "dark": {
        G.Active: {
            R.Window: "#1f2329",
            R.WindowText: "#e6e8eb",
            R.Base: "#272c33",
            R.AlternateBase: "#2c323a",
            R.Text: "#e6e8eb",
            R.Button: "#2c323a",
            R.ButtonText: "#e6e8eb",
            R.Highlight: "#2b5797",
            R.HighlightedText: "#ffffff",
            R.ToolTipBase: "#272c33",
            R.ToolTipText: "#e6e8eb",
            R.PlaceholderText: "#959ea9",
            R.Link: "#6cb6ff",
            R.BrightText: "#ffffff",
        },
        G.Disabled: {
            R.Window: "#1f2329",
            R.WindowText: "#8b949e",
            R.Base: "#23282e",
            R.Text: "#8b949e",
            R.Button: "#23282e",
            R.ButtonText: "#8b949e",
        },
    },
}


_applied: dict[str, object] = {}


def platform_theme_guess(app: QGuiApplication) -> str:
    """The desktop's light/dark preference as the platform's own palette shows it, without asking
    (asking builds the Qt namespace, ~30 ms): what a profile's first start paints with, before the
    desktop is asked just after the paint."""
    window = _platform_palette(app).color(QPalette.ColorGroup.Active, QPalette.ColorRole.Window)
    return "dark" if window.lightness() < DARK_LIGHTNESS else "light"


DARK_LIGHTNESS = 128
"""A platform palette whose window colour is darker than this (0-255) is taken for a dark desktop."""


def _platform_palette(app: QGuiApplication) -> QPalette:
    """The platform's own palette, captured the first time it is needed, before any theme replaces it."""
    base = _applied.get("base") if _applied.get("app") is app else None
    if not isinstance(base, QPalette):
        base = copy.copy(app.palette())
        _applied.clear()
        _applied.update(app=app, base=base)
    return base


def apply_theme(app: QApplication, choice: str, *, system: str | None = None) -> str:
    """Set the palette and stylesheet for ``choice`` (only when it changes); returns the theme used."""
    name = resolve_theme(choice, system=system)
    if _applied.get("app") is app and _applied.get("name") == name:
        return name
    base = _platform_palette(app)
    # copy.copy, not QPalette(base): choosing among QPalette's constructors (one takes a Qt.GlobalColor)
    # builds PySide's whole Qt namespace, ~30 ms before the first paint.
    palette = copy.copy(base)
    for group, colours in THEME_PALETTES[name].items():
        for role, colour in colours.items():
            if group is G.Active:  # the active colours hold for inactive windows too (disabled: its own, dimmed)
                palette.setColor(G.Active, role, QColor(colour))
                palette.setColor(G.Inactive, role, QColor(colour))
            else:
                palette.setColor(group, role, QColor(colour))
    app.setPalette(palette)
    app.setStyleSheet(theme_stylesheet(name))
    _applied["name"] = name
    return name
