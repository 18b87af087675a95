"""The Drafts list: Ctrl+N keeps the message being written there; it opens back into the composer,
follows autosave and deletes only after asking."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.core.outbox_state import OutboxState
from desktop_app.store.messages import HistoryFilter
from tests.gui.conftest import WindowFactory, click, type_message


def _titles(window: object) -> list[str]:
    view = window.everyday.drafts_view  # type: ignore[attr-defined]
    return [view.table.item(row, 2).text() for row in range(view.table.rowCount())]


def test_ctrl_n_keeps_the_message_in_drafts_and_opening_it_restores_it(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window()
    type_message(qtbot, window, "Pat Doe <pat@example.org>", "Results for Pat", "Your results are normal.")
    qtbot.keyClick(window.composer.subject, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.composer.to_field.edit.text() == ""
    assert window.composer.subject.text() == ""
    qtbot.keyClick(window.composer.subject, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    view = window.everyday.drafts_view
    assert window.pages.currentWidget() is view
    qtbot.waitUntil(lambda: _titles(window) == ["Results for Pat"], timeout=10_000)
    assert view.table.item(0, 1).text() == "Pat Doe <pat@example.org>"
    assert ":" in view.table.item(0, 0).text()  # the time it was last edited
    assert window.views.view("drafts").item.text() == "Drafts  (1)"

    qtbot.keyClick(view.table, Qt.Key.Key_Return)  # Enter opens the selected draft
    qtbot.waitUntil(lambda: window.composer.subject.text() == "Results for Pat", timeout=10_000)
    assert window.pages.currentWidget() is window.composer
    assert "Pat Doe <pat@example.org>" in window.composer.to_field.edit.text()
    assert "normal" in window.composer.body.toPlainText()
    draft_id = window.composer.draft_id
    assert draft_id is not None
    # Autosave of the opened draft updates that draft, not a new one.
    qtbot.keyClicks(window.composer.subject, " (2)")
    qtbot.waitUntil(lambda: _titles(window) == ["Results for Pat (2)"], timeout=10_000)
    store = window.runtime.store
    assert store is not None
    assert store.list_ids(HistoryFilter(states=(OutboxState.DRAFT,))) == [draft_id]


def test_opening_a_draft_keeps_what_was_being_written(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    type_message(qtbot, window, "pat@example.org", "First patient", "One.")
    window.compose.new_message()
    view = window.everyday.drafts_view
    qtbot.waitUntil(lambda: len(view.drafts) == 1, timeout=10_000)
    first = view.drafts[0].id
    type_message(qtbot, window, "sam@example.org", "Second patient", "Two.")
    window.everyday.open_draft(first)
    qtbot.waitUntil(lambda: window.composer.subject.text() == "First patient", timeout=10_000)
    qtbot.waitUntil(lambda: sorted(d.subject for d in view.drafts) == ["First patient", "Second patient"],
                    timeout=10_000)  # fmt: skip


def test_deleting_a_draft_asks_first(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    type_message(qtbot, window, "pat@example.org", "Throw me away", "Body.")
    window.compose.new_message()
    window.views.show("drafts")
    view = window.everyday.drafts_view
    qtbot.waitUntil(lambda: _titles(window) == ["Throw me away"], timeout=10_000)
    view.table.selectRow(0)
    click(qtbot, view.delete_button)
    box = view.last_question
    assert isinstance(box, QMessageBox)
    assert "Throw me away" in box.text()
    go_back = next(b for b in box.buttons() if b.text() == "Go back")
    click(qtbot, go_back)
    qtbot.wait(300)
    assert len(view.drafts) == 1
    click(qtbot, view.delete_button)
    box = view.last_question
    assert isinstance(box, QMessageBox)
    click(qtbot, next(b for b in box.buttons() if b.text() == "Delete draft"))
    qtbot.waitUntil(lambda: view.empty.isVisible(), timeout=10_000)
    store = window.runtime.store
    assert store is not None
    assert store.list_ids(HistoryFilter(states=(OutboxState.DRAFT,))) == []
    assert any(e.action == "delete_draft" for e in store.audit_entries())
    assert window.views.view("drafts").item.text() == "Drafts"


def test_ctrl_q_asks_first_when_quitting_deletes_the_session(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    runtime = window.runtime
    assert runtime is not None
    runtime.ephemeral_key = True  # as without a keyring: the database goes with the process
    qtbot.keyClick(window.composer.subject, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    box = window.everyday.last_question
    assert isinstance(box, QMessageBox)
    assert "deleted when Sealpost closes" in box.text()
    click(qtbot, next(b for b in box.buttons() if b.text() == "Go back"))
    assert window.isVisible()
    qtbot.keyClick(window.composer.subject, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    box = window.everyday.last_question
    assert isinstance(box, QMessageBox)
    click(qtbot, next(b for b in box.buttons() if b.text() == "Quit and delete"))
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5_000)


def test_enter_on_a_draft_in_the_outbox_opens_it_for_writing(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    type_message(qtbot, window, "pat@example.org", "Half written", "Body.")
    window.new_message()
    window.views.show("outbox")
    outbox = window.outbox_view
    qtbot.waitUntil(lambda: outbox.model.rowCount() == 1 and outbox.model.message_at(0) is not None, timeout=10_000)
    outbox.table.selectRow(0)
    outbox.table.setFocus()
    qtbot.keyClick(outbox.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.composer.subject.text() == "Half written", timeout=10_000)
    assert window.views.current() == "compose"
    assert window.everyday.message_view is None
