"""Keyboard only: in every window and dialog (the scenes of tests/a11y/scenes.py) Tab visits every
control in reading order and comes back round (no trap), each stop shows that it has the focus in
both themes, and no two mnemonics (Alt+letter) of one window clash."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QGroupBox,
    QLabel,
    QMainWindow,
    QTabBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow
from tests.a11y import scenes
from tests.gui.conftest import WindowFactory

SECTIONS = 4
MNEMONIC = re.compile(r"(?<!&)&([^&\s])")


def focus_stops(top: QWidget) -> list[QWidget]:
    """What Tab should reach in ``top``: shown, enabled, tab-focusable widgets (not proxies)."""
    stops = []
    for widget in top.findChildren(QWidget):
        if (widget.window() is top and widget.isVisible() and widget.isEnabled() and widget.focusProxy() is None
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus == Qt.FocusPolicy.TabFocus):  # fmt: skip
            stops.append(widget)
    return stops


def describe(widget: QWidget | None) -> str:
    if widget is None:
        return "nothing"
    name = widget.accessibleName() or (widget.text() if isinstance(widget, (QAbstractButton, QLabel)) else "")
    return f"{type(widget).__name__} {name or widget.objectName()!r}"


def top_of(widget: QWidget, top: QWidget) -> QPoint:
    return widget.mapTo(top, QPoint(0, 0))


def tab_cycle(qtbot: QtBot, top: QWidget) -> list[QWidget]:
    """Press Tab from the first stop until the focus comes back to it; fail on a trap or no return."""
    stops = focus_stops(top)
    assert stops, f"nothing in {describe(top)} takes the keyboard focus"
    top.activateWindow()
    qtbot.waitUntil(top.isActiveWindow, timeout=5_000)
    first = min(stops, key=lambda w: (top_of(w, top).y(), top_of(w, top).x()))
    first.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first, timeout=5_000)
    seen = [first]
    if len(stops) == 1:  # nowhere else to go: staying is no trap
        return seen
    for _ in range(2 * len(stops) + 10):
        current = QApplication.focusWidget()
        assert current is not None
        for _press in range(SECTIONS):  # a date field's Tab walks its day, month and year first
            qtbot.keyClick(current, Qt.Key.Key_Tab)
            if QApplication.focusWidget() is not current:
                break
        following = QApplication.focusWidget()
        assert following is not current, f"Tab does not leave {describe(current)} (a keyboard trap)"
        if following is first:
            return seen
        assert following is not None, f"Tab from {describe(current)} left the focus nowhere"
        assert following.window() is top, f"Tab from {describe(current)} left the window for {describe(following)}"
        seen.append(following)
    raise AssertionError("Tab never came back to the first control: " + ", ".join(map(describe, seen)))


def order_problems(top: QWidget, cycle: list[QWidget]) -> list[str]:
    """Among siblings, the next stop must not be wholly above the previous one (reading order)."""
    problems = []
    for before, after in itertools.pairwise(cycle):
        if before.parentWidget() is not after.parentWidget():
            continue
        if top_of(after, top).y() + after.height() <= top_of(before, top).y():
            problems.append(f"Tab goes up from {describe(before)} to {describe(after)}")
    return problems


def windows(window: MainWindow) -> list[QWidget]:
    return scenes.windows_to_check(window)


@pytest.fixture
def window(make_window: WindowFactory) -> MainWindow:
    from desktop_app.services.autolock import hash_passphrase

    return make_window(passphrase_hash=hash_passphrase("keyboard test"))


def test_tab_reaches_every_control_in_reading_order_and_comes_back(qtbot: QtBot, window: MainWindow) -> None:
    problems: list[str] = []
    visited = 0
    for scene in scenes.scenes(window):
        scenes.reset(window)
        scene.enter()
        scenes.settle(0.1)
        for top in windows(window):
            stops = focus_stops(top)
            try:
                cycle = tab_cycle(qtbot, top)
            except AssertionError as error:
                problems.append(f"{scene.name}: {error}")
                continue
            visited += len(cycle)
            missed = [describe(w) for w in stops if w not in cycle]
            if missed:
                problems.append(f"{scene.name}: Tab never reaches {', '.join(missed)}")
            problems.extend(f"{scene.name}: {p}" for p in order_problems(top, cycle))
    scenes.reset(window)
    assert visited > 50, visited
    assert not problems, "\n".join(problems)


def mnemonics(top: QWidget) -> dict[str, list[str]]:
    """Alt+letter → what it belongs to, for what is on screen in ``top`` (menu titles included)."""
    found: dict[str, list[str]] = defaultdict(list)

    def add(text: str, owner: str) -> None:
        for letter in MNEMONIC.findall(text):
            found[letter.casefold()].append(f"{owner} {text!r}")

    for widget in top.findChildren(QWidget):
        if widget.window() is not top or not widget.isVisible():
            continue
        if isinstance(widget, QAbstractButton):
            add(widget.text(), type(widget).__name__)
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            add(widget.text(), "label")
        elif isinstance(widget, QGroupBox):
            add(widget.title(), "group")
        elif isinstance(widget, QTabBar):
            for index in range(widget.count()):
                add(widget.tabText(index), "tab")
    if isinstance(top, QMainWindow):
        for action in top.menuBar().actions():
            add(action.text(), "menu")
    return found


@pytest.mark.parametrize("language", ["en", "es"])
def test_mnemonics_are_unique_in_each_window(qapp: QApplication, make_window: WindowFactory, language: str) -> None:
    from desktop_app.services.autolock import hash_passphrase
    from desktop_app.ui.i18n import install_translations

    install_translations(qapp, language)
    try:
        window = make_window(passphrase_hash=hash_passphrase("keyboard test"), language=language)
        check_mnemonics(window)
    finally:
        install_translations(qapp, "system")


def check_mnemonics(window: MainWindow) -> None:
    clashes = []
    counted = 0
    for scene in scenes.scenes(window):
        scenes.reset(window)
        scene.enter()
        scenes.settle(0.1)
        for top in windows(window):
            keys = mnemonics(top)
            counted += len(keys)
            clashes += [f"{scene.name}: Alt+{k.upper()} is {' and '.join(v)}" for k, v in keys.items() if len(v) > 1]
    scenes.reset(window)
    assert counted > 20, counted
    assert not clashes, "\n".join(clashes)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_focused_control_looks_focused_in_both_themes(qtbot: QtBot, make_window: WindowFactory,
                                                          theme: str) -> None:  # fmt: skip
    window = make_window(theme=theme)
    unchanged = []
    checked = 0
    for scene in scenes.scenes(window):
        if scene.name in ("lock screen",):
            continue
        scenes.reset(window)
        scene.enter()
        scenes.settle(0.1)
        for top in windows(window):
            top.activateWindow()
            qtbot.waitUntil(top.isActiveWindow, timeout=5_000)
            stops = focus_stops(top)
            for widget in stops:
                other = (
                    next(w for w in stops if w is not widget and not widget.isAncestorOf(w)) if len(stops) > 1 else None
                )
                if other is None:
                    continue
                other.setFocus(Qt.FocusReason.TabFocusReason)
                scenes.settle(0.02)
                plain = widget.grab().toImage()
                widget.setFocus(Qt.FocusReason.TabFocusReason)
                scenes.settle(0.02)
                focused = widget.grab().toImage()
                checked += 1
                if plain == focused:
                    unchanged.append(f"{scene.name}: {describe(widget)}")
    scenes.reset(window)
    assert checked > 30, checked
    assert not unchanged, (
        f"{len(unchanged)} controls look the same with and without the focus ({theme}):\n"
        + "\n".join(sorted(set(unchanged)))
    )


def test_every_button_is_named_by_its_visible_label(window: MainWindow) -> None:
    """WCAG 2.5.3: a speech user says what they see ("click Store key"); the accessible name must hold it."""
    mismatched = set()
    checked = 0
    for scene in scenes.scenes(window):
        scenes.reset(window)
        scene.enter()
        scenes.settle(0.05)
        for top in windows(window):
            for button in top.findChildren(QAbstractButton):
                shown = button.text().replace("&", "").rstrip("….").strip()
                if not button.isVisible() or not shown or not button.accessibleName():
                    continue
                checked += 1
                if shown.casefold() not in button.accessibleName().casefold():
                    mismatched.add(
                        f"{scene.name}: {type(button).__name__} {shown!r} is named {button.accessibleName()!r}"
                    )
    scenes.reset(window)
    assert checked > 40, checked
    assert not mismatched, "\n".join(sorted(mismatched))
