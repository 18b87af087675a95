"""Sealpost in Spanish: the catalogue is complete and current, the window follows the chosen
language (menus, navigation, Settings), every text it shows comes from the catalogue, and dates
and numbers are written the Spanish way."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QTabBar,
    QTableView,
    QTextEdit,
    QWidget,
)

from desktop_app.core.times import shown_time
from desktop_app.ui import i18n
from desktop_app.ui.main_window import MainWindow
from tests.a11y import scenes
from tests.gui.conftest import WindowFactory

ROOT = Path(__file__).resolve().parents[2]
SHORTCUT = re.compile(r" \((?:Ctrl|Alt|Shift|F\d)[^)]*\)$")
CATALOGUE = ROOT / "resources" / "i18n" / "sealpost_es.ts"
LUPDATE = Path(sys.executable).with_name("pyside6-lupdate")
# What the window shows that is data, not words of the interface.
DATA = re.compile(
    r"^$|^[\W\d_]+$|@|^https?://|^Sealpost\b|^English|^Español|^Sandbox$|^Paubox$|^Lab results$"
)  # the last: the message tests/a11y/scenes.py opens


def catalogue() -> dict[tuple[str, str], str]:
    found = {}
    for context in ET.parse(CATALOGUE).getroot().iter("context"):
        for message in context.iter("message"):
            translation = message.find("translation")
            text = (translation.text or "") if translation is not None else ""
            if translation is not None and translation.get("type") == "unfinished":
                text = ""
            found[(context.findtext("name", ""), message.findtext("source", ""))] = text
    return found


def test_every_string_in_the_catalogue_is_translated() -> None:
    messages = catalogue()
    assert len(messages) > 300
    missing = [f"[{c}] {s}" for (c, s), t in messages.items() if not t.strip()]
    assert not missing, "untranslated (scripts/update-translations.sh lists them):\n" + "\n".join(missing)
    placeholders = [f"[{c}] {s} → {t}" for (c, s), t in messages.items()
                    if sorted(re.findall(r"\{[^}]*\}", s)) != sorted(re.findall(r"\{[^}]*\}", t))]  # fmt: skip
    assert not placeholders, "a translation lost or renamed a placeholder:\n" + "\n".join(placeholders)


def test_the_catalogue_has_every_string_of_the_gui(tmp_path: Path) -> None:
    """A new self.tr()/translate() string (or a setting) not yet in the .ts fails here."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import translations

    strings = ROOT / "desktop_app" / "ui" / "settings_strings.py"
    assert strings.read_text("utf-8") == translations.strings_module(), "run scripts/update-translations.sh"
    fresh = tmp_path / "fresh_es.ts"
    sources = sorted(str(p) for p in (ROOT / "desktop_app" / "ui").rglob("*.py"))
    subprocess.run([str(LUPDATE), "-silent", "-locations", "none", *sources, "-ts", str(fresh)], check=True,
                   timeout=120)  # fmt: skip
    shutil.copy(fresh, tmp_path / "copy.ts")
    wanted = set()
    for context in ET.parse(fresh).getroot().iter("context"):
        for message in context.iter("message"):
            wanted.add((context.findtext("name", ""), message.findtext("source", "")))
    missing = sorted(wanted - set(catalogue()))
    assert not missing, "not in the catalogue (run scripts/update-translations.sh):\n" + "\n".join(map(str, missing))


def test_every_state_and_delivery_status_has_words() -> None:
    """A new outbox state or Paubox status must be added to ui/i18n.STATE_WORDS (and so translated)."""
    from desktop_app.core.delivery_status import DELIVERY_STATUSES
    from desktop_app.core.outbox_state import OutboxState

    listed = {str(w) for w in i18n.STATE_WORDS}
    missing = [w for w in (*(s.label for s in OutboxState), *DELIVERY_STATUSES) if w not in listed]
    assert not missing, missing


def test_the_compiled_catalogue_is_built() -> None:
    compiled = CATALOGUE.with_suffix(".qm")
    assert compiled.exists(), "run scripts/build-translations.sh (make does)"
    assert compiled.stat().st_mtime >= CATALOGUE.stat().st_mtime - 1, "the .qm is older than the .ts: rebuild it"


@pytest.fixture
def spanish(qapp: QApplication) -> Iterator[None]:
    i18n.install_translations(qapp, "es")
    yield
    i18n.install_translations(qapp, "system")


def test_dates_and_numbers_follow_the_locale(spanish: None) -> None:
    assert QLocale().language() == QLocale.Language.Spanish
    day = time.mktime((2026, 3, 9, 14, 5, 0, 0, 0, -1))
    assert shown_time(day, now=day + 5 * 86400).startswith("09/03/2026")
    assert i18n.number(1234.5, 1) in ("1234,5", "1.234,5")


def test_the_window_speaks_spanish(spanish: None, make_window: WindowFactory) -> None:
    window = make_window(language="es")
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles[:3] == ["Archivo", "Ver", "Ayuda"], titles
    views = [scenes.navigation(window).item(r).text() for r in range(scenes.navigation(window).count())]
    for word in ("Redactar", "Bandeja de salida", "Estado"):
        assert any(v.startswith(word) for v in views), views


def shown_texts(top: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for every piece of interface text visible in ``top``."""
    for widget in [top, *top.findChildren(QWidget)]:
        if widget.window() is not top or not widget.isVisible():
            continue
        kind = type(widget).__name__
        if widget.toolTip():
            yield f"{kind} tooltip", widget.toolTip()
        if (
            isinstance(widget, QLabel) and widget.textFormat() != Qt.TextFormat.RichText and "<" not in widget.text()
        ) or isinstance(widget, QAbstractButton):
            yield kind, widget.text()
        elif isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit):
            yield f"{kind} placeholder", widget.placeholderText()
        elif isinstance(widget, QComboBox):
            yield kind, widget.currentText()
        elif isinstance(widget, QGroupBox):
            yield kind, widget.title()
        elif isinstance(widget, QTabBar):
            yield from ((kind, widget.tabText(i)) for i in range(widget.count()))
        elif isinstance(widget, QListWidget) and widget.objectName() == "navigation":
            yield from ((kind, widget.item(i).text()) for i in range(widget.count()))
        elif isinstance(widget, QTableView) and widget.model() is not None:
            model = widget.model()
            yield from ((f"{kind} header", str(model.headerData(c, Qt.Orientation.Horizontal) or ""))
                        for c in range(model.columnCount()))  # fmt: skip
    if isinstance(top, QMainWindow):
        for action in top.menuBar().actions():
            yield "menu", action.text()
            menu = action.menu()
            if isinstance(menu, QMenu):
                yield from (("menu item", a.text()) for a in menu.actions() if a.text())
    if top.windowTitle():
        yield "title", top.windowTitle()


def from_catalogue(translations: set[str]) -> re.Pattern[str]:
    """Matches a text that is a translation, its placeholders filled in."""
    parts = sorted(translations, key=len, reverse=True)
    patterns = [re.sub(r"\\\{[^}]*\\\}", ".*", re.escape(t.replace("&", ""))) for t in parts if t]
    return re.compile("^(?:" + "|".join(patterns) + ")$", re.S)


def test_every_text_the_window_shows_comes_from_the_catalogue(spanish: None, make_window: WindowFactory) -> None:
    window: MainWindow = make_window(language="es")
    qt_words = set()  # Qt's own catalogue translates the standard buttons
    for standard in (QDialogButtonBox.StandardButton.Save, QDialogButtonBox.StandardButton.Cancel,
                     QDialogButtonBox.StandardButton.Close, QDialogButtonBox.StandardButton.Ok):  # fmt: skip
        box = QDialogButtonBox(standard)
        qt_words.add(box.buttons()[0].text())
        box.deleteLater()
    known = from_catalogue(set(catalogue().values()) | qt_words)
    strays: set[str] = set()
    walked = 0
    for scene in scenes.scenes(window):
        scenes.reset(window)
        scene.enter()
        scenes.settle(0.1)
        for top in scenes.windows_to_check(window):
            for where, text in shown_texts(top):
                walked += 1
                plain = text.replace("&", "").strip()
                bare = SHORTCUT.sub("", plain)  # a tooltip adds the action's shortcut
                if DATA.search(plain) or any(known.match(t) for t in (plain, bare, plain + "…", bare + "…")):
                    continue
                strays.add(f"{where}: {plain!r}")
    scenes.reset(window)
    assert walked > 150, walked
    assert not strays, f"{len(strays)} texts are not from the Spanish catalogue:\n" + "\n".join(sorted(strays))
