"""The walking skeleton in the GUI: type a message, press Ctrl+Enter, watch it become delivered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.sandbox.server import SandboxServer
from desktop_app.services.profile import Profile
from desktop_app.ui.main_window import MainWindow
from tests.gui.conftest import answer, sandbox_runtime


@pytest.fixture
def window(qtbot: QtBot, profile: Profile, sandbox: SandboxServer) -> Iterator[MainWindow]:
    main = MainWindow(profile, sandbox_runtime(sandbox))
    qtbot.addWidget(main)
    main.show()
    with qtbot.waitSignal(main.ready, timeout=10_000):
        main.start()
    yield main
    main.close()


def test_compose_send_and_see_delivered(qtbot: QtBot, window: MainWindow) -> None:
    composer = window.composer
    qtbot.keyClicks(composer.to_field.edit, "not-an-address")
    qtbot.keyClick(composer.subject, Qt.Key.Key_Tab)
    composer.to_field.validate()
    assert composer.to_field.error.isVisibleTo(window)
    assert "not a valid address" in composer.to_field.error.text()

    composer.to_field.edit.clear()
    qtbot.keyClicks(composer.to_field.edit, "Dr Jane Doe <jane@clinic.example>")
    qtbot.keyClicks(composer.subject, "Lab results")
    qtbot.keyClicks(composer.body, "Your results are ready.")
    qtbot.keyClick(composer.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    answer(qtbot, window, "Send anyway")  # the first message to clinic.example is a pre-send guard

    status_model = window.status_view.model
    qtbot.waitUntil(lambda: status_model.rowCount() == 1, timeout=15_000)

    def delivered() -> bool:
        message = status_model.message_at(0)
        return message is not None and message.delivery_summary == "delivered"

    qtbot.waitUntil(delivered, timeout=15_000)
    assert not composer.to_field.edit.text()  # the composer was cleared once queued
    window.log_panel.flush()
    rows = window.log_panel.model.rowCount()
    assert rows >= 2  # the send and at least one receipt poll
    cells = [window.log_panel.model.index(r, c).data() for r in range(rows) for c in range(8)]
    assert not [c for c in cells if c and ("jane@" in c or "Lab results" in c or "Your results" in c)]
