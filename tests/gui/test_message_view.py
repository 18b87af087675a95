"""A sent message opens read-only (body loading nothing, attachments, recipients, timeline) and new
messages are made from it: Resend (warned when delivered), Forward, Correct the bounced address."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.core.addresses import Address
from desktop_app.core.message import Attachment, OutgoingMessage
from desktop_app.core.outbox_state import OutboxState
from desktop_app.services.runtime import Runtime
from desktop_app.store.messages import HistoryFilter, MessageStore
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.message_view import MessageView, SafeBody
from tests.gui.conftest import WindowFactory, activate, answer, click, send
from tests.services.test_outbox import make_message


@pytest.fixture
def pixel_server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server that records every request (a tracking pixel's host)."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/gif")
            self.end_headers()
            self.wfile.write(b"GIF89a")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_the_body_loads_nothing_remote_or_local(qtbot: QtBot, pixel_server: tuple[str, list[str]]) -> None:
    base, hits = pixel_server
    body = SafeBody()
    qtbot.addWidget(body)
    body.setHtml(f'<p>Hello</p><img src="{base}/pixel.gif"><img src="file:///etc/hostname"><img src="x.png">')
    body.show()
    qtbot.wait(300)
    assert hits == []
    assert f"{base}/pixel.gif" in body.refused
    assert any("hostname" in name for name in body.refused)
    assert "Hello" in body.toPlainText()


def _started(make_window: WindowFactory) -> tuple[MainWindow, Runtime, MessageStore]:
    """A window sending at once (no undo wait), its runtime and store."""
    window = make_window(undo_seconds=0)
    runtime = window.runtime
    assert runtime is not None
    assert runtime.store is not None
    return window, runtime, runtime.store


def _open_from_status(qtbot: QtBot, window: MainWindow, message_id: int) -> MessageView:
    window.views.show("status")
    status = window.status_view
    qtbot.waitUntil(lambda: status.model.row_of(message_id) >= 0, timeout=10_000)
    status.table.selectRow(status.model.row_of(message_id))
    status.table.setFocus()
    qtbot.keyClick(status.table, Qt.Key.Key_Return)
    view = window.everyday.message_view
    assert view is not None
    qtbot.waitUntil(lambda: view.sent is not None and view.sent.stored.id == message_id, timeout=10_000)
    return view


def test_a_sent_message_opens_and_is_resent_as_a_new_message(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    window, runtime, store = _started(make_window)
    report = Attachment.from_bytes("report.pdf", "application/pdf", b"%PDF-1.4 " + b"x" * 2000)
    message = OutgoingMessage(sender="staff@clinic.example", to=(Address("pat@example.org", "Pat"),),
                              subject="Lab results", html="<p>All <b>normal</b>.</p>", text="All normal.",
                              attachments=(report,))  # fmt: skip
    first = runtime.queue(message)
    qtbot.waitUntil(lambda: store.recipient_statuses(first.id) != [], timeout=20_000)
    qtbot.waitUntil(lambda: store.get(first.id).delivery_summary == "delivered", timeout=20_000)

    view = _open_from_status(qtbot, window, first.id)
    assert view.isVisible()
    assert view.subject.text() == "Lab results"
    assert "All normal." in view.body.toPlainText()
    assert view.attachments.item(0).text() == "report.pdf — 2 KB"
    assert "pat@example.org" in view.recipients.toPlainText()
    assert "delivered" in view.recipients.toPlainText()
    assert "Accepted by Paubox" in view.timeline.toPlainText()
    assert not view.correct_button.isVisible()
    click(qtbot, view.copy_tracking)
    assert QGuiApplication.clipboard().text() == store.get(first.id).tracking_id

    view.save_attachment(0, tmp_path / "copy.pdf")
    qtbot.waitUntil(lambda: "Saved to" in view.saved_note.text(), timeout=5_000)
    assert (tmp_path / "copy.pdf").read_bytes() == b"%PDF-1.4 " + b"x" * 2000

    click(qtbot, view.resend_button)
    box = window.everyday.last_question
    assert isinstance(box, QMessageBox)
    assert "delivered to pat@example.org" in box.text()
    click(qtbot, next(b for b in box.buttons() if b.text() == "Resend as new"))
    composer = window.composer
    qtbot.waitUntil(lambda: composer.subject.text() == "Lab results", timeout=10_000)
    assert window.views.current() == "compose"
    assert composer.draft_id is None  # a new message, not the sent one
    assert "pat@example.org" in composer.to_field.edit.text()
    assert composer.attachments.attachments[0].file_name == "report.pdf"
    assert not view.isVisible()  # out of the way of the composer
    activate(qtbot, window)
    send(qtbot, window)
    if window._last_question is not None:  # the first message to example.org from this profile's window
        answer(qtbot, window, "Send anyway")

    def accepted() -> list[int]:
        return store.list_ids(HistoryFilter(states=(OutboxState.ACCEPTED,), search="Lab results"))

    qtbot.waitUntil(lambda: len(accepted()) == 2, timeout=20_000)
    assert store.get(first.id).state is OutboxState.ACCEPTED  # the sent one is unchanged


def test_forward_as_new_keeps_the_body_and_asks_for_recipients(qtbot: QtBot, make_window: WindowFactory) -> None:
    window, runtime, store = _started(make_window)
    first = runtime.queue(make_message("Referral letter"))
    qtbot.waitUntil(lambda: store.get(first.id).state is OutboxState.ACCEPTED, timeout=20_000)
    view = window.everyday.open_message(first.id)
    assert view is not None
    qtbot.waitUntil(lambda: view.sent is not None, timeout=10_000)
    click(qtbot, view.forward_button)
    qtbot.waitUntil(lambda: window.composer.subject.text() == "Fwd: Referral letter", timeout=10_000)
    assert window.composer.to_field.edit.text() == ""


def test_a_bounced_message_offers_to_correct_the_address(qtbot: QtBot, make_window: WindowFactory) -> None:
    window, runtime, store = _started(make_window)
    bounced = "sam.reyes+hardbounce@old-isp.example"
    first = runtime.queue(make_message("Vaccination reminder", bounced))
    qtbot.waitUntil(lambda: store.get(first.id).delivery_summary == "bounced", timeout=20_000)
    view = _open_from_status(qtbot, window, first.id)
    assert view.correct_button.isVisible()
    recipients = view.recipients.toPlainText()
    assert "hard bounced" in recipients
    row = next(line for line in recipients.splitlines() if bounced in line)
    assert ":" not in row.replace(bounced, "")  # no delivered time for a bounced recipient
    click(qtbot, view.correct_button)
    edit = window.composer.to_field.edit
    qtbot.waitUntil(lambda: window.composer.subject.text() == "Vaccination reminder", timeout=10_000)
    assert edit.selectedText() == bounced
    assert edit.hasFocus() or window.focusWidget() is edit


def test_a_bounce_notice_stays_until_the_message_is_opened_or_dismissed(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window(undo_seconds=0)
    runtime = window.runtime
    assert runtime is not None
    notice = window.everyday.bounce_notice
    first = runtime.queue(make_message("Flu clinic", "ana+hardbounce@old-isp.example"))
    qtbot.waitUntil(notice.isVisible, timeout=20_000)
    assert "“Flu clinic” to ana+hardbounce@old-isp.example (hard bounced)" in notice.text.text()
    assert "Message 1" not in window.statusBar().currentMessage()
    qtbot.wait(200)
    assert notice.isVisible()  # no timeout takes it away
    # the lock hides it (it names a message) and unlocking brings it back
    window.locked_changed.emit(True)
    assert not notice.isVisible()
    window.locked_changed.emit(False)
    assert notice.isVisible()

    window.views.show("status")
    model = window.status_view.model
    qtbot.waitUntil(lambda: model.row_of(first.id) >= 0, timeout=10_000)
    delivery = [c.title for c in model.columns].index("Delivery")
    qtbot.waitUntil(lambda: model.index(model.row_of(first.id), delivery).data() == "⚠ bounced", timeout=10_000)

    click(qtbot, notice.open_button)
    view = window.everyday.message_view
    assert view is not None
    qtbot.waitUntil(lambda: view.sent is not None, timeout=10_000)
    assert not notice.isVisible()

    second = runtime.queue(make_message("Flu clinic 2", "bo+hardbounce@old-isp.example"))
    qtbot.waitUntil(notice.isVisible, timeout=20_000)
    click(qtbot, notice.dismiss_button)
    assert not notice.isVisible()
    assert second.id != first.id


def test_suggestions_offer_a_hard_bounced_address_last(qtbot: QtBot, make_window: WindowFactory) -> None:
    window, runtime, store = _started(make_window)
    good = runtime.queue(make_message("One", "sam.reyes@new-isp.example"))
    bad = runtime.queue(make_message("Two", "sam.reyes+hardbounce@old-isp.example"))  # the newest
    qtbot.waitUntil(lambda: store.get(bad.id).delivery_summary == "bounced", timeout=20_000)
    qtbot.waitUntil(lambda: store.get(good.id).state is OutboxState.ACCEPTED, timeout=20_000)
    window.compose.load_known_addresses()
    completions = window.composer.completions
    # A load the window started before the bounce was recorded may still land first: wait for this one's answer.
    qtbot.waitUntil(lambda: len(completions.stringList()) == 2 and "new-isp" in completions.stringList()[0],
                    timeout=10_000)  # fmt: skip
    assert "new-isp" in completions.stringList()[0]
    assert "hardbounce" in completions.stringList()[1]


def test_the_detail_pane_never_shows_a_message_the_search_left_out(qtbot: QtBot, make_window: WindowFactory) -> None:
    window, runtime, store = _started(make_window)
    first = runtime.queue(make_message("Blood test booked"))
    qtbot.waitUntil(lambda: store.get(first.id).state is OutboxState.ACCEPTED, timeout=20_000)
    window.views.show("status")
    status = window.status_view
    qtbot.waitUntil(lambda: status.model.row_of(first.id) >= 0, timeout=10_000)
    status.table.selectRow(status.model.row_of(first.id))
    qtbot.waitUntil(lambda: "Blood test booked" in status.detail.toPlainText(), timeout=10_000)
    qtbot.keyClicks(status.search, "vaccination")
    qtbot.waitUntil(lambda: status.model.rowCount() == 0, timeout=10_000)
    assert status.detail.toPlainText() == ""
    assert status.tracking.text() == ""
    header = status.table.horizontalHeader()
    titles = [c.title for c in status.model.columns]
    assert header.sectionSize(titles.index("Tracking id")) < header.sectionSize(titles.index("Subject"))


def test_switching_profile_leaves_nothing_of_the_previous_one_on_screen(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    from desktop_app.ui.notices import Bounce

    window = make_window()
    notice = window.everyday.bounce_notice
    notice.add(Bounce(1, "Flu clinic", "ana@old-isp.example", "hard bounced"))
    assert notice.isVisible()
    with qtbot.waitSignal(window.ready, timeout=15_000):
        window.switch_profile(tmp_path / "clinic-b")
    assert not notice.isVisible()
