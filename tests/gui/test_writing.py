"""The signature in new messages, the organisation footer in the preview and in what is sent,
and both edited in Settings ▸ Writing (a real window on a real runtime against the sandbox)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.outbox_state import OutboxState
from desktop_app.services.drafts import load_sent
from desktop_app.store.messages import HistoryFilter
from tests.gui.conftest import WindowFactory, answer, send, type_message

SIGNATURE = "<p>Dr. Ana Ruiz<br>North Clinic<script>alert(1)</script></p>"
FOOTER = "<p><i>Confidential:</i> for the addressee only.</p>"


def test_a_new_message_starts_with_the_signature_and_a_removed_one_stays_removed(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window(signature=SIGNATURE)
    composer = window.composer
    qtbot.waitUntil(lambda: "Dr. Ana Ruiz" in composer.body.toPlainText(), timeout=10_000)
    assert "alert" not in composer.body.toHtml()  # sanitised like a body
    assert composer.body.textCursor().position() == 0  # writing starts above it
    assert composer.is_empty()  # a signature alone is not a message: Ctrl+N keeps no draft of it

    composer.body.selectAll()
    qtbot.keyClick(composer.body, Qt.Key.Key_Delete)
    type_message(qtbot, window, "pat@example.org", "Without signature", "Call us.")
    qtbot.keyClick(composer.subject, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert "Dr. Ana Ruiz" in composer.body.toPlainText()  # the next new message has it again
    store = window.runtime.store
    assert store is not None
    drafts = HistoryFilter(states=(OutboxState.DRAFT,))
    qtbot.waitUntil(lambda: len(store.list_ids(drafts)) == 1, timeout=10_000)
    (draft_id,) = store.list_ids(drafts)
    window.edit_message(draft_id)
    qtbot.waitUntil(lambda: composer.draft_id == draft_id, timeout=10_000)
    assert composer.body.toPlainText().strip() == "Call us."  # not added back to a message being edited


def test_the_footer_shows_in_the_preview_and_is_sent_once(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window(message_footer=FOOTER, undo_seconds=0)
    composer = window.composer
    qtbot.waitUntil(lambda: composer.footer is not None, timeout=10_000)
    type_message(qtbot, window, "pat@example.org", "Results", "All normal.")
    composer.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: "for the addressee only" in composer.preview.toPlainText(), timeout=10_000)
    assert composer.preview.toPlainText().index("All normal.") < composer.preview.toPlainText().index("Confidential")
    assert "Confidential" not in composer.plain.toPlainText()  # added when sent, never edited by hand

    composer.tabs.setCurrentIndex(0)
    send(qtbot, window)
    answer(qtbot, window, "Send anyway")  # first message to example.org
    store = window.runtime.store
    assert store is not None
    qtbot.waitUntil(lambda: bool(store.list_ids(HistoryFilter(states=(OutboxState.ACCEPTED,)))), timeout=15_000)
    (sent_id,) = store.list_ids(HistoryFilter(states=(OutboxState.ACCEPTED,)))
    message = store.get(sent_id).message
    assert message.html.count("for the addressee only") == 1
    assert message.text.endswith("-- \nConfidential: for the addressee only.")

    window.everyday.forward_as_new(load_sent(store, sent_id))  # a new message made from the sent one
    qtbot.waitUntil(lambda: composer.subject.text() == "Fwd: Results", timeout=10_000)
    assert "All normal." in composer.body.toPlainText()
    assert "Confidential" not in composer.body.toPlainText()  # sending it adds the footer once, again


def test_signature_footer_and_language_are_edited_in_settings(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    dialog = window.open_settings()
    writing = dialog.writing
    dialog.tabs.setCurrentWidget(writing)
    qtbot.keyClicks(writing.signature.editor, "Sam Roe, RN")
    qtbot.keyClicks(writing.footer.editor, "Confidential notice")
    writing.spell_language.setCurrentIndex(writing.spell_language.findData("es"))
    assert set(dialog.changes()) == {"signature", "message_footer", "spell_language"}
    dialog.save_button.click()
    qtbot.waitUntil(lambda: window.profile.settings.spell_language == "es", timeout=10_000)
    assert "Sam Roe, RN" in window.profile.settings.signature
    assert "Confidential notice" in window.profile.settings.message_footer
    qtbot.waitUntil(lambda: "Sam Roe, RN" in window.composer.body.toPlainText(), timeout=10_000)
