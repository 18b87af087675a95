"""Ctrl+N between two patients: the composer starts empty and the earlier message is kept as a draft."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.outbox_state import OutboxState
from desktop_app.store.messages import HistoryFilter
from tests.gui.conftest import WindowFactory, type_message


def test_ctrl_n_empties_the_composer_and_keeps_a_draft(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    type_message(qtbot, window, "Pat Doe <pat@example.org>", "Results for Pat", "Your results are normal.")
    qtbot.keyClick(window.composer.subject, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    composer = window.composer
    assert composer.subject.text() == ""
    assert composer.to_field.edit.text() == ""
    assert composer.body.toPlainText() == ""
    assert composer.draft_id is None
    store = window.runtime.store
    assert store is not None

    def drafts() -> list[str]:
        return [m.subject for m in store.get_many(store.list_ids(HistoryFilter(states=(OutboxState.DRAFT,))))]

    qtbot.waitUntil(lambda: drafts() == ["Results for Pat"], timeout=10_000)
    type_message(qtbot, window, "Sam Roe <sam@example.org>", "Results for Sam", "Please call us.")
    assert composer.subject.text() == "Results for Sam"  # nothing of Pat's message came along
    assert "normal" not in composer.body.toPlainText()


def test_ctrl_n_on_an_empty_composer_keeps_no_draft(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    qtbot.keyClick(window.composer.subject, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    store = window.runtime.store
    assert store is not None
    qtbot.wait(300)
    assert store.list_ids(HistoryFilter(states=(OutboxState.DRAFT,))) == []
