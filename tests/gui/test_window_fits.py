"""The window fits common screens: 1280x720 and 1366x768 with the Log dock open, and Options open
in the composer (at 2x scaling a 2560x1440 screen is 1280x720 of these units)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.gui.conftest import WindowFactory

SMALLEST = (1280, 720)


@pytest.mark.parametrize("view", ["compose", "drafts", "outbox", "status"])
def test_the_minimum_size_fits_1280_by_720_with_the_log_dock_open(
    qtbot: QtBot, make_window: WindowFactory, view: str
) -> None:
    window = make_window()
    window.log_panel.show()
    window.composer.options_toggle.setChecked(True)  # the tallest the composer gets
    window.composer.show_more.setChecked(True)
    window.views.show(view)
    QApplication.processEvents()
    hint = window.minimumSizeHint()
    assert hint.width() <= SMALLEST[0], hint
    assert hint.height() <= SMALLEST[1], hint
    window.resize(*SMALLEST)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == SMALLEST, timeout=5_000)
    assert window.log_panel.isVisible()


def test_opening_options_never_makes_the_window_taller(qtbot: QtBot, make_window: WindowFactory) -> None:
    """At 2x on 2560x1440 the window has 1280x720 to live in: Options must scroll, not grow it."""
    window = make_window()
    window.log_panel.show()
    window.resize(*SMALLEST)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == SMALLEST, timeout=5_000)
    before = window.minimumSizeHint()
    window.composer.options_toggle.setChecked(True)
    QApplication.processEvents()
    assert window.minimumSizeHint() == before
    assert (window.width(), window.height()) == SMALLEST
    send = window.composer.send_button
    assert send.isVisible()
    assert window.rect().contains(send.mapTo(window, send.rect().bottomRight()))  # Send is still in sight
