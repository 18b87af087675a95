"""Views are addressed by name: a view added anywhere moves no shortcut, target or badge of another."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow
from tests.gui.conftest import WindowFactory, activate


def _targets(qtbot: QtBot, window: MainWindow) -> dict[str, tuple[str | None, object]]:
    """For each of Ctrl+1..Ctrl+3 pressed like a user: the view it shows, and the page on screen."""
    found: dict[str, tuple[str | None, object]] = {}
    for key, digit in ((Qt.Key.Key_1, "1"), (Qt.Key.Key_2, "2"), (Qt.Key.Key_3, "3")):
        window.views.show("compose")
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        found[f"Ctrl+{digit}"] = (window.views.current(), window.pages.currentWidget())
    return found


def test_a_view_inserted_before_status_changes_no_shortcut_or_target(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    activate(qtbot, window)
    before = _targets(qtbot, window)
    assert before == {
        "Ctrl+1": ("compose", window.composer),
        "Ctrl+2": ("outbox", window.outbox_view),
        "Ctrl+3": ("status", window.status_view),
    }
    view_texts = [a.text() for a in window.view_menu.actions()]

    dummy = QLabel("A view another feature adds")
    window.views.add("dummy", "Dummy", dummy, shortcut="Ctrl+9", before="status")

    assert window.views.names == ["compose", "drafts", "outbox", "dummy", "status", "contacts"]
    assert _targets(qtbot, window) == before  # same shortcut, same view, same page
    window.views.show("status")
    assert window.pages.currentWidget() is window.status_view
    qtbot.keyClick(window, Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier)
    assert (window.views.current(), window.pages.currentWidget()) == ("dummy", dummy)
    texts = [a.text() for a in window.view_menu.actions()]
    assert texts == [*view_texts[:3], "&Dummy", *view_texts[3:]]  # it joins the views' block in the menu

    # The bounce badge follows the Status view, wherever its row is now.
    window.status.unseen_bounces = 2
    window.status.show_badge()
    assert window.views.view("status").item.text() == "Status  ⚠ 2"
    assert window.navigation.item(3).text() == "Dummy"


def test_a_view_added_after_the_views_block_joins_it_and_names_are_unique(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    page = QLabel("Drafts")
    view = window.views.add("later", "Later", page, shortcut="Ctrl+8")
    assert view.action.shortcut() == QKeySequence("Ctrl+8")
    texts = [a.text() for a in window.view_menu.actions()]
    assert texts.index("&Later") == texts.index("&Address book") + 1  # before Search history, the log…
    with pytest.raises(ValueError, match="already registered"):
        window.views.add("later", "Again")
    window.views.show("later")
    assert window.pages.currentWidget() is page
