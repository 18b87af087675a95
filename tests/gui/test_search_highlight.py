"""The words a history search matched are marked: in the Status list (painted by a delegate, read
back from the pixels) and in the message opened from it (extra selections)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QRect
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from desktop_app.core.search_terms import match_spans, query_terms
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.search_highlight import MATCH_BACKGROUND
from tests.gui.conftest import WindowFactory
from tests.services.test_outbox import make_message


def test_matching_follows_the_store_search() -> None:
    terms = query_terms("RESUL josé")
    assert terms == ["resul", "jose"]
    text = "Lab results for José; unresolved"
    assert [text[a:b] for a, b in match_spans(text, terms)] == ["resul", "José"]  # word prefixes only
    assert match_spans(text, []) == []


def marked_pixels(image: QImage, area: QRect) -> int:
    wanted = MATCH_BACKGROUND.rgb()
    return sum(
        1
        for x in range(area.left(), min(area.right(), image.width() - 1), 2)
        for y in range(area.top(), min(area.bottom(), image.height() - 1), 2)
        if image.pixel(x, y) == wanted
    )


def sent_and_searched(qtbot: QtBot, window: MainWindow, query: str) -> int:
    runtime = window.runtime
    assert runtime is not None
    message = replace(make_message("Lab results for José"), text="Your results are in. Call us about the results.")
    stored = runtime.queue(message)
    runtime.queue(make_message("Appointment"))
    window.views.show("status")
    view = window.status_view
    qtbot.waitUntil(lambda: view.model.rowCount() == 2, timeout=15_000)
    qtbot.keyClicks(view.search, query)
    view.apply_filters()
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=10_000)
    return stored.id


def test_the_status_list_marks_the_matched_words(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    view = window.status_view
    sent_and_searched(qtbot, window, "resul")
    subject = [c.title for c in view.model.columns].index("Subject")
    sent = [c.title for c in view.model.columns].index("Sent")
    qtbot.waitUntil(lambda: view.model.index(0, subject).data() == "Lab results for José", timeout=10_000)
    image = view.table.viewport().grab().toImage()
    assert marked_pixels(image, view.table.visualRect(view.model.index(0, subject))) > 20
    assert marked_pixels(image, view.table.visualRect(view.model.index(0, sent))) == 0

    view.search.clear()
    view.apply_filters()
    qtbot.waitUntil(lambda: view.model.rowCount() == 2, timeout=10_000)
    row = view.model.row_of(view.model.message_at(0).id)
    image = view.table.viewport().grab().toImage()
    assert marked_pixels(image, view.table.visualRect(view.model.index(row, subject))) == 0


def test_the_opened_message_marks_them_too(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    message_id = sent_and_searched(qtbot, window, "results")
    view = window.everyday.open_message(message_id)
    assert view is not None
    qtbot.waitUntil(lambda: view.sent is not None, timeout=10_000)
    marked = [s.cursor.selectedText() for s in view.body.extraSelections()]
    assert marked == ["results", "results"]
    assert view.body.toPlainText() == "Your results are in. Call us about the results."  # the text is unchanged
