"""Everyday flows at a front desk: Ctrl+N between two patients starts empty and keeps the earlier message as a
draft; a message marked as sent says so instead of "processing" for ever."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop_app.core.outbox_state import OutboxState
from desktop_app.sandbox.server import SandboxServer
from desktop_app.store.messages import HistoryFilter
from tests.conftest import sandbox_control
from tests.gui.conftest import WindowFactory, type_message
from tests.services.test_outbox import make_message


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


def test_a_message_marked_as_sent_never_shows_processing(
    qtbot: QtBot, make_window: WindowFactory, sandbox: SandboxServer
) -> None:
    window = make_window(undo_seconds=0)
    runtime = window.runtime
    assert runtime is not None
    store = runtime.store
    assert store is not None
    with sandbox_control(sandbox) as control:
        control.post("/faults", json={"accept_then_fail_rate": 1.0, "accept_then_fail_mode": "502"})
    stored = runtime.queue(make_message("Discharge summary"))
    qtbot.waitUntil(lambda: store.get(stored.id).state is OutboxState.OUTCOME_UNKNOWN, timeout=15_000)
    runtime.mark_sent(stored.id)
    window.views.show("status")
    model = window.status_view.model
    qtbot.waitUntil(lambda: model.row_of(stored.id) >= 0, timeout=10_000)
    row = model.row_of(stored.id)
    delivery = [c.title for c in model.columns].index("Delivery")
    qtbot.waitUntil(lambda: model.index(row, delivery).data() == "sent (marked by you)", timeout=10_000)


def test_no_label_shows_its_mnemonic_marker_or_is_cut_short(make_window: WindowFactory) -> None:
    window = make_window()
    window.composer.options_toggle.setChecked(True)
    for label in window.findChildren(QLabel):
        text = label.text()
        if "&" in text.replace("&&", "") and label.textFormat() != Qt.TextFormat.RichText and "<" not in text:
            assert label.buddy() is not None, f"{text!r} would show its '&'"
    to_label = window.composer.form.labelForField(window.composer.to_field)
    assert isinstance(to_label, QLabel)
    assert to_label.minimumWidth() > to_label.fontMetrics().horizontalAdvance("To")


def test_a_bounce_raises_a_count_on_status_until_it_is_seen(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window(undo_seconds=0)
    runtime = window.runtime
    assert runtime is not None
    runtime.queue(make_message("Vaccination reminder", "sam.reyes+hardbounce@old-isp.example"))
    status_item = window.views.view("status").item
    qtbot.waitUntil(lambda: status_item.text() == "Status  ⚠ 1", timeout=20_000)
    assert "1 undelivered message not yet seen" in status_item.data(Qt.ItemDataRole.AccessibleTextRole)
    window.views.show("status")
    assert status_item.text() == "Status"
    assert window.status.unseen_bounces == 0
