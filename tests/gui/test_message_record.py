"""A sent message's record from the Status view: Save as PDF writes it (read back with pdftotext),
audits it, and the document behind PDF and print loads no resource at all."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument
from pytestqt.qtbot import QtBot

from desktop_app.core.outbox_state import OutboxState
from desktop_app.services.drafts import load_sent
from desktop_app.services.message_report import build_record
from desktop_app.ui.message_print import RecordButtons, record_document, suggested_name
from tests.gui.conftest import WindowFactory
from tests.services.test_outbox import make_message


def test_save_as_pdf_from_the_status_view(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    window = make_window()
    runtime = window.runtime
    assert runtime is not None
    store = runtime.store
    assert store is not None
    stored = runtime.queue(make_message("Discharge summary"))
    qtbot.waitUntil(lambda: store.get(stored.id).final_delivery, timeout=20_000)
    window.views.show("status")
    view = window.status_view
    qtbot.waitUntil(lambda: view.model.row_of(stored.id) >= 0, timeout=10_000)
    view.table.selectRow(view.model.row_of(stored.id))
    buttons = view.record_buttons
    qtbot.waitUntil(buttons.isEnabled, timeout=10_000)
    assert buttons.print_button.isVisibleTo(window)

    chart = tmp_path / "chart"
    chart.mkdir()
    target = chart / f"{suggested_name('Discharge summary', stored.id)}.pdf"
    buttons.record_actions.write_pdf(store, stored.id, target)  # what Save as PDF… does once a file is chosen
    qtbot.waitUntil(lambda: buttons.note.text() == "Saved as Discharge summary.pdf.", timeout=10_000)
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    assert "Discharge summary" in text
    assert "delivered" in text
    tracking_id = store.get(stored.id).tracking_id
    assert tracking_id
    assert tracking_id in text.replace("\n", "")
    assert [p.name for p in chart.iterdir()] == [target.name]
    assert [e.message_id for e in store.audit_entries() if e.action == "export_pdf"] == [stored.id]
    assert store.get(stored.id).state is OutboxState.ACCEPTED


def test_the_record_loads_nothing_and_escapes_what_it_shows(make_window: WindowFactory, tmp_path: Path) -> None:
    window = make_window()
    runtime = window.runtime
    assert runtime is not None
    store = runtime.store
    assert store is not None
    html = '<p>Hi</p><img src="https://tracker.example/p.gif"><img src="file:///etc/hostname">'
    stored = runtime.queue(replace(make_message("<b>1 < 2</b>"), html=html))
    sent = load_sent(store, stored.id)
    record = build_record(sent, produced_at=0.0)
    assert "&lt;b&gt;1 &lt; 2&lt;/b&gt;" in record.html  # the subject is text, never markup
    document = record_document(record)
    assert "Hi" in document.toPlainText()
    image = QTextDocument.ResourceType.ImageResource.value
    local = QUrl.fromLocalFile(str(tmp_path / "photo.png"))
    (tmp_path / "photo.png").write_bytes(b"\x89PNG not really")
    assert QTextDocument().loadResource(image, local) is not None  # what a plain document would read
    assert document.loadResource(image, local) is None
    assert document.loadResource(image, QUrl("https://tracker.example/p.gif")) is None


def test_the_sent_message_view_prints_and_saves_its_pdf(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    window = make_window()
    runtime = window.runtime
    assert runtime is not None
    store = runtime.store
    assert store is not None
    stored = runtime.queue(make_message("Referral letter"))
    qtbot.waitUntil(lambda: store.get(stored.id).final_delivery, timeout=20_000)
    view = window.everyday.open_message(stored.id)
    assert view is not None
    qtbot.waitUntil(lambda: view.sent is not None, timeout=10_000)
    (buttons,) = view.findChildren(RecordButtons)
    assert buttons.isEnabled()
    assert buttons.pdf_button.isVisibleTo(view)
    assert buttons.print_button.isVisibleTo(view)
    target = tmp_path / "referral.pdf"
    buttons.record_actions.write_pdf(store, stored.id, target)
    qtbot.waitUntil(lambda: buttons.note.text() == "Saved as referral.pdf.", timeout=10_000)
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    assert "Referral letter" in text
    assert "delivered" in text
