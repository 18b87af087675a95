"""Spell checking in the composer, on a real window with the real dictionaries (hunspell via pyenchant)
and the real encrypted store for the personal dictionary."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from desktop_app.sandbox.server import SandboxServer
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Overrides, Runtime, SetupError
from desktop_app.services.spelling import SpellChecker
from desktop_app.ui.composer import ComposerView
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.spelling import CHECK_OFF_THREAD_ABOVE, ComposerSpelling
from tests.gui.conftest import WindowFactory, sandbox_runtime


def spelling_of(qtbot: QtBot, window: MainWindow) -> ComposerSpelling:
    spelling = window.composer.spelling
    assert spelling is not None
    qtbot.waitUntil(lambda: spelling.checker is not None, timeout=10_000)
    return spelling


def underlined(composer: ComposerView) -> list[str]:
    """The words the body's highlighter underlines as misspelt, read from the laid-out formats."""
    found = []
    block = composer.body.document().begin()
    while block.isValid():
        for fmt in block.layout().formats():
            if fmt.format.underlineStyle() == QTextCharFormat.UnderlineStyle.SpellCheckUnderline:
                found.append(block.text()[fmt.start : fmt.start + fmt.length])
        block = block.next()
    return found


def point_at(composer: ComposerView, word: str) -> QPoint:
    cursor = QTextCursor(composer.body.document())
    cursor.setPosition(composer.body.toPlainText().index(word) + 1)
    return composer.body.cursorRect(cursor).center()


def action(menu: QMenu, text: str) -> None:
    matches = [a for a in menu.actions() if a.text() == text]
    assert matches, [a.text() for a in menu.actions()]
    matches[0].trigger()


def test_a_misspelt_word_is_underlined_and_a_suggestion_replaces_it(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    spelling = spelling_of(qtbot, window)
    composer = window.composer
    qtbot.keyClicks(composer.subject, "Medicaton review")
    qtbot.keyClicks(composer.body, "The dosage is corect for MRI 12mg.")
    assert underlined(composer) == ["corect"]  # not MRI (an acronym), not 12mg (digits)
    assert spelling.subject.misspelt == [(0, 9)]

    action(spelling.body.menu_at(point_at(composer, "corect")), "correct")
    assert composer.body.toPlainText() == "The dosage is correct for MRI 12mg."
    assert underlined(composer) == []
    menu = spelling.subject.menu_at(composer.subject.cursorRect().center() - QPoint(200, 0))
    action(menu, "Medication")
    assert composer.subject.text() == "Medication review"
    assert spelling.subject.misspelt == []


def test_ignore_lasts_for_the_session_and_add_to_dictionary_persists(
    qtbot: QtBot, make_window: WindowFactory, profile: Profile, sandbox: SandboxServer
) -> None:
    window = make_window()
    spelling = spelling_of(qtbot, window)
    composer = window.composer
    qtbot.keyClicks(composer.body, "Dear Quixlebottom, your Zorbitol dose.")
    assert underlined(composer) == ["Quixlebottom", "Zorbitol"]
    action(spelling.body.menu_at(point_at(composer, "Zorbitol")), "Ignore “Zorbitol”")
    action(spelling.body.menu_at(point_at(composer, "Quixlebottom")), "Add “Quixlebottom” to dictionary")
    assert underlined(composer) == []
    store = window.runtime.store
    assert store is not None
    qtbot.waitUntil(lambda: store.personal_words() == {"Quixlebottom"}, timeout=10_000)
    window.close()

    reopened = Runtime(profile, Overrides(api_base_url=sandbox.base_url, api_key=sandbox.api_key))
    reopened.open(start_engines=False)
    try:
        assert reopened.store is not None
        assert reopened.store.personal_words() == {"Quixlebottom"}  # kept in the encrypted store
    finally:
        reopened.close()
    again = make_window()
    spelling_of(qtbot, again)
    qtbot.keyClicks(again.composer.body, "Dear Quixlebottom, your Zorbitol dose.")
    # The dictionary may open before the profile's store does: the added word stops being underlined
    # once the personal words are loaded; "Ignore" was for that session only.
    qtbot.waitUntil(lambda: underlined(again.composer) == ["Zorbitol"], timeout=10_000)


def test_spanish(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window(spell_language="es")
    spelling = spelling_of(qtbot, window)
    window.composer.body.insertPlainText("La receta del medicamennto está lista.")  # typed: keyClicks has no á
    assert underlined(window.composer) == ["medicamennto"]
    assert spelling.checker is not None
    assert "medicamento" in spelling.checker.suggest("medicamennto")


def test_a_long_body_is_checked_off_the_gui_thread(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    spelling = spelling_of(qtbot, window)
    paragraph = "The patient is stable and the results are normal. " * 20
    paragraphs = [paragraph] * (CHECK_OFF_THREAD_ABOVE // len(paragraph) + 2) + ["Please call the clinc."]
    window.composer.body.setPlainText("\n".join(paragraphs))
    last = window.composer.body.document().lastBlock().text()
    assert spelling.body.highlighter.misspelt_in(last) is None  # not looked up while the GUI waited
    qtbot.waitUntil(lambda: underlined(window.composer) == ["clinc"], timeout=10_000)


def test_the_dictionaries_are_local_hunspell_ones() -> None:
    checker = SpellChecker("en_US")
    assert checker._dictionary.provider.name == "hunspell"  # files on this machine; no service is asked
    assert not checker.check("medicaton")
    assert checker.check("medication")


def test_underlining_is_no_edit(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    spelling = spelling_of(qtbot, window)
    qtbot.keyClicks(window.composer.body, "Helo")
    with qtbot.assertNotEmitted(window.composer.draft_changed, wait=200):
        spelling.body.highlighter.forget()
        spelling.subject.refresh()
    assert underlined(window.composer) == ["Helo"]


def test_the_dictionary_opens_once_the_store_is_open_with_its_personal_words(
    qtbot: QtBot, profile: Profile, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opened before the store, it competed with the runtime's start and was opened again at attach."""
    asked: list[bool] = []
    real = ComposerSpelling.configure

    def recording(self: ComposerSpelling, language: str, store: object) -> None:
        asked.append(store is not None)
        real(self, language, store)  # type: ignore[arg-type]

    monkeypatch.setattr(ComposerSpelling, "configure", recording)
    window = MainWindow(profile, sandbox_runtime(sandbox))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.ready, timeout=10_000):
        window.start()
    assert asked == [True]
    spelling_of(qtbot, window)
    window.close()


def test_a_window_whose_runtime_cannot_start_still_checks_spelling(qtbot: QtBot, profile: Profile) -> None:
    def refused(_profile: Profile) -> Runtime:
        raise SetupError("The system keyring is locked; unlock it and try again.")

    window = MainWindow(profile, refused)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.setup_failed, timeout=10_000):
        window.start()
    assert spelling_of(qtbot, window).checker is not None
    window.close()


def test_a_dictionary_cancelled_before_it_opened_is_opened_when_asked_again(qtbot: QtBot) -> None:
    """Opening a dictionary is work done ahead of need: a profile switch cancels it, and one cancelled
    before it started never runs. The composer must not take that for an answer, or the same
    language asked again would find it "already configured" and never check spelling."""
    import threading

    from PySide6.QtWidgets import QLineEdit, QTextEdit, QWidget

    from desktop_app.ui.jobs import JobRunner

    owner = QWidget()
    runner = JobRunner()
    spelling = ComposerSpelling(QLineEdit(owner), QTextEdit(owner), runner, owner)
    release = threading.Event()
    runner.submit(lambda _token: release.wait(10), name="busy", preparing=True)  # the lane is taken
    spelling.configure("en_US", None)  # waits behind it
    runner.cancel_preparing()  # the profile it was for is going
    release.set()
    qtbot.waitUntil(lambda: runner.active == 0, timeout=10_000)
    assert spelling.checker is None  # it never ran
    spelling.configure("en_US", None)
    qtbot.waitUntil(lambda: spelling.checker is not None, timeout=10_000)
    assert runner.shutdown(5_000)
