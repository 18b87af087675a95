"""The Address book in the window, driven like a user: add a contact, verify it, and the composer
asking "Did you mean …?" for a look-alike, and naming the rule for a date of birth in the subject."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.store.contacts import ContactStore
from desktop_app.ui.address_book import ContactDialog
from desktop_app.ui.features.contacts import ContactsFeature
from desktop_app.ui.main_window import MainWindow
from tests.gui.conftest import WindowFactory, answer, click


def contacts(window: MainWindow) -> ContactsFeature:
    feature = window.features["contacts"]
    assert isinstance(feature, ContactsFeature)
    return feature


def book_of(window: MainWindow) -> ContactStore:
    assert window.runtime is not None
    assert window.runtime.store is not None
    return ContactStore(window.runtime.store)


def press(qtbot: QtBot, window: MainWindow, label: str) -> None:
    """Click ``label`` in the question the address book feature is showing."""
    qtbot.waitUntil(lambda: isinstance(contacts(window).question, QMessageBox)
                    and contacts(window).question.isVisible(), timeout=5_000)  # fmt: skip
    box = contacts(window).question
    assert isinstance(box, QMessageBox)
    (button,) = [b for b in box.buttons() if b.text() == label]
    click(qtbot, button)


def add_and_verify_jane(qtbot: QtBot, window: MainWindow) -> None:
    window.views.show("contacts")
    view = contacts(window).view
    click(qtbot, view.add_button)
    dialog = view.dialog
    assert isinstance(dialog, ContactDialog)
    qtbot.keyClicks(dialog.name, "Jane Doe")
    qtbot.keyClicks(dialog.addresses, "jane.doe@gmail.com")
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    click(qtbot, box.button(QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=5_000)
    assert view.table.item(0, 2).text() == "not verified"
    view.table.selectRow(0)
    click(qtbot, view.verify_button)
    verify = view.dialog
    assert verify is not None
    verify.accept()  # "By phone" is the first choice
    qtbot.waitUntil(lambda: view.table.rowCount() == 1 and view.table.item(0, 2).text().startswith("by phone"),
                    timeout=5_000)  # fmt: skip
    qtbot.waitUntil(lambda: contacts(window).checks is not None
                    and contacts(window).checks[0].get("jane.doe@gmail.com") is not None, timeout=5_000)  # fmt: skip


def compose(qtbot: QtBot, window: MainWindow, to: str, subject: str) -> None:
    window.views.show("compose")
    composer = window.composer
    composer.to_field.edit.setText(to)
    composer.subject.setText(subject)
    qtbot.keyClicks(composer.body, "See the portal.")
    click(qtbot, composer.send_button)


def test_the_address_book_adds_verifies_and_is_audited(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    add_and_verify_jane(qtbot, window)
    (contact,) = book_of(window).contacts()
    assert contact.addresses[0].verified_how.value == "phone"
    assert window.runtime is not None
    assert window.runtime.store is not None
    actions = [e.action for e in window.runtime.store.audit_entries()]
    assert actions[-2:] == ["contact_add", "contact_verify"]


def test_a_look_alike_asks_did_you_mean_and_the_suggestion_is_used(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    add_and_verify_jane(qtbot, window)
    compose(qtbot, window, "Jane <jane.doe@gmial.com>", "Hello")
    press(qtbot, window, "Use jane.doe@gmail.com")
    assert window.composer.to_field.edit.text() == "Jane <jane.doe@gmail.com>"
    answer(qtbot, window, "Send anyway")  # the window's own first-message-to-a-new-domain question
    status_model = window.status_view.model
    qtbot.waitUntil(lambda: status_model.rowCount() == 1, timeout=15_000)
    message = status_model.message_at(0)
    assert message is not None
    assert [a.email for a in message.message.to] == ["jane.doe@gmail.com"]


def test_sending_to_what_was_typed_asks_a_reason_and_audits_it(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    add_and_verify_jane(qtbot, window)
    compose(qtbot, window, "jane.doe@gmаil.com", "Hello")  # a Cyrillic а
    question = contacts(window).question
    assert isinstance(question, QMessageBox)
    assert question.text() == "Did you mean jane.doe@gmail.com?"
    assert "cyrillic small letter a" in question.informativeText()
    press(qtbot, window, "Send to what I typed…")
    qtbot.waitUntil(lambda: isinstance(contacts(window).question, QInputDialog), timeout=5_000)
    reason = contacts(window).question
    assert isinstance(reason, QInputDialog)
    reason.setTextValue("The patient spelled it out twice")
    reason.accept()
    answer(qtbot, window, "Send anyway")  # the window's own first-message-to-a-new-domain question
    assert window.runtime is not None
    assert window.runtime.store is not None
    store = window.runtime.store

    def audited() -> list[str]:
        return [e.detail for e in store.audit_entries() if e.action == "recipient_confirmed"]

    qtbot.waitUntil(lambda: bool(audited()), timeout=15_000)
    assert audited() == ["confusable; suggestion declined; reason: The patient spelled it out twice"]


def test_a_date_of_birth_in_the_subject_is_highlighted_and_named(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    add_and_verify_jane(qtbot, window)
    compose(qtbot, window, "jane.doe@gmail.com", "Lab results DOB 03/14/1962")
    question = contacts(window).question
    assert isinstance(question, QMessageBox)
    assert question.text() == "Rule “date-of-birth” matched “03/14/1962”."
    press(qtbot, window, "Edit the subject")
    assert window.composer.subject.selectedText() == "03/14/1962"
    assert window.status_view.model.rowCount() == 0  # nothing was queued
