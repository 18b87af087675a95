"""The GUI driven like a user (keys and clicks) against the real sandbox: compose, guards, undo,
attachments, outbox decisions, history filters, lock, settings and profiles, log panel, help."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QMessageBox, QPushButton, QTableWidget
from pytestqt.qtbot import QtBot

from desktop_app.core.addresses import parse_address
from desktop_app.core.message import OutgoingMessage
from desktop_app.core.outbox_state import OutboxState
from desktop_app.sandbox.server import SandboxServer
from desktop_app.store.messages import HistoryFilter
from desktop_app.ui.dialogs import SHORTCUTS, HelpDialog
from desktop_app.ui.main_window import MainWindow
from tests.conftest import sandbox_control
from tests.gui.conftest import WindowFactory, activate, answer, click, send, type_message


def delivered_rows(window: MainWindow) -> list[str]:
    model = window.status_view.model
    return [m.delivery_summary for r in range(model.rowCount()) if (m := model.message_at(r)) is not None]


def test_invalid_then_valid_address_then_send_until_delivered(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window(undo_seconds=30)
    composer = window.composer
    qtbot.keyClicks(composer.to_field.edit, "jane@clinic.example, not-an-address")
    send(qtbot, window)
    assert composer.to_field.error.isVisibleTo(window)
    assert "“not-an-address” is not a valid address" in composer.to_field.error.text()
    assert "Correct the highlighted address" in composer.feedback.text()

    composer.to_field.edit.selectAll()
    qtbot.keyClicks(composer.to_field.edit, "Dr Jane Doe <jane@clinic.example>")
    qtbot.keyClicks(composer.subject, "Appointment reminder")
    qtbot.keyClicks(composer.body, "Your appointment is on Tuesday.")
    send(qtbot, window)
    assert not composer.to_field.error.isVisibleTo(window)
    answer(qtbot, window, "Send anyway")  # first message to clinic.example

    qtbot.waitUntil(window.toast.isVisible, timeout=10_000)
    assert "Sending to 1 recipient" in window.toast.text.text()
    click(qtbot, window.toast.now_button)

    status = window.status_view
    qtbot.waitUntil(lambda: delivered_rows(window) == ["delivered"], timeout=15_000)
    qtbot.waitUntil(lambda: window.outbox_view.model.rowCount() == 0, timeout=5_000)

    window.views.show("status")
    status.table.selectRow(0)
    qtbot.waitUntil(lambda: bool(status.tracking.text()), timeout=5_000)
    assert "jane@clinic.example" in status.detail.toPlainText()
    assert "Timeline" in status.detail.toPlainText()
    click(qtbot, status.copy_tracking)
    assert QGuiApplication.clipboard().text() == status.tracking.text()

    # A second message to the same domain asks nothing: the domain is known now.
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    type_message(qtbot, window, "bob@clinic.example", "Follow-up", "See you soon.")
    send(qtbot, window)
    qtbot.waitUntil(window.toast.isVisible, timeout=10_000)
    assert not [box for box in window.findChildren(QMessageBox) if box.isVisible()]


def test_undo_send_brings_the_message_back(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window(undo_seconds=30)
    type_message(qtbot, window, "ann@lab.example", "Results", "Normal.")
    send(qtbot, window)
    answer(qtbot, window, "Send anyway")
    qtbot.waitUntil(window.toast.isVisible, timeout=10_000)
    assert window.composer.subject.text() == ""
    click(qtbot, window.toast.undo_button)
    qtbot.waitUntil(lambda: window.composer.subject.text() == "Results", timeout=5_000)
    assert window.composer.to_field.edit.text() == "ann@lab.example"
    assert window.composer.draft_id is not None
    assert window.runtime.store is not None
    assert window.runtime.store.get(window.composer.draft_id).state is OutboxState.DRAFT


def test_empty_subject_and_many_recipients_are_guarded(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window(recipient_guard=2, undo_seconds=30)
    composer = window.composer
    qtbot.keyClicks(composer.to_field.edit, "a@x.example, b@x.example, c@x.example")
    qtbot.keyClicks(composer.body, "Hello")
    send(qtbot, window)
    assert "Add a subject" in composer.feedback.text()
    qtbot.keyClicks(composer.subject, "Team update")
    send(qtbot, window)
    qtbot.waitUntil(lambda: window._last_question is not None and window._last_question.isVisible(), timeout=5_000)
    assert "It goes to 3 people" in window._last_question.text()
    answer(qtbot, window, "Go back")
    assert "Not sent" in composer.feedback.text()
    assert composer.to_field.edit.text()  # nothing was lost


def test_oversized_attachment_is_refused(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    window = make_window(attachment_limit_mb=1.0)
    panel = window.composer.attachments
    big = tmp_path / "scan.pdf"
    big.write_bytes(b"\0" * 900_000)  # 1.2 MB once base64-encoded
    small = tmp_path / "note.txt"
    small.write_bytes(b"results attached")

    def drop(path: Path) -> None:
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(path))])
        event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                           Qt.KeyboardModifier.NoModifier)  # fmt: skip
        window.composer.event(event)  # what Qt delivers when a file is dropped (no real drag offscreen)

    drop(big)
    assert panel.problem.isVisibleTo(window)
    assert "“scan.pdf” was not attached" in panel.problem.text()
    assert "over the 1.0 MB limit" in panel.problem.text()
    assert panel.attachments == []

    drop(small)
    qtbot.waitUntil(lambda: len(panel.attachments) == 1, timeout=5_000)
    assert panel.attachments[0].file_name == "note.txt"
    assert "of 1.0 MB (encoded)" in panel.budget.format()
    panel.list.setCurrentRow(0)
    click(qtbot, panel.remove_button)
    assert panel.attachments == []


def test_preview_is_sanitised_and_loads_nothing(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    composer = window.composer
    composer.body.setHtml('<p>Hi <b>there</b><img src="https://tracker.example/p.png"></p><script>alert(1)</script>')
    click(qtbot, composer.tabs.tabBar())  # focus the tab bar, then move with the keyboard like a user
    composer.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: "there" in composer.preview.toPlainText(), timeout=5_000)
    assert "alert" not in composer.preview.toHtml()
    assert all(not r.startswith("file:") for r in composer.preview.requested_resources)
    composer.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: "Hi there" in composer.plain.toPlainText(), timeout=5_000)


def _fault(sandbox: SandboxServer, **faults: object) -> None:
    with sandbox_control(sandbox) as control:
        control.post("/faults", json=faults).raise_for_status()


def test_outcome_unknown_resend_or_mark_sent(qtbot: QtBot, make_window: WindowFactory, sandbox: SandboxServer) -> None:
    window = make_window(undo_seconds=0)
    _fault(sandbox, accept_then_fail_rate=1.0, accept_then_fail_mode="502")
    for subject in ("First", "Second"):
        window.composer.to_field.edit.clear()
        type_message(qtbot, window, "kim@ward.example", subject, "Discharge summary.")
        send(qtbot, window)
        if subject == "First":
            answer(qtbot, window, "Send anyway")
        qtbot.waitUntil(lambda: window.composer.subject.text() == "", timeout=5_000)

    outbox = window.outbox_view
    window.views.show("outbox")

    def unknown_rows() -> int:
        model = outbox.model
        rows = [model.message_at(r) for r in range(model.rowCount())]
        return sum(1 for m in rows if m is not None and m.state is OutboxState.OUTCOME_UNKNOWN)

    qtbot.waitUntil(lambda: unknown_rows() == 2, timeout=15_000)
    _fault(sandbox, accept_then_fail_rate=0.0)

    outbox.table.selectRow(0)
    qtbot.waitUntil(outbox.explanation.isVisible, timeout=2_000)
    assert "may or may not have received" in outbox.explanation.text()
    assert outbox.mark_sent_button.isEnabled()
    assert outbox.resend_button.isEnabled()
    assert not outbox.retry_button.isEnabled()
    click(qtbot, outbox.mark_sent_button)
    answer(qtbot, window, "Mark as sent")
    qtbot.waitUntil(lambda: unknown_rows() == 1, timeout=5_000)

    outbox.table.selectRow(0)
    click(qtbot, outbox.resend_button)
    assert "duplicate" in window._last_question.text()
    answer(qtbot, window, "Resend anyway")
    qtbot.waitUntil(lambda: outbox.model.rowCount() == 0, timeout=15_000)
    qtbot.waitUntil(lambda: sorted(delivered_rows(window)).count("delivered") == 1, timeout=15_000)
    store = window.runtime.store
    assert store is not None
    assert {e.action for e in store.audit_entries()} >= {"mark_sent", "resend"}


def _queue(window: MainWindow, to: str, subject: str, tag: str) -> None:
    message = OutgoingMessage(sender="staff@clinic.example", to=(parse_address(to),), subject=subject,
                              html=f"<p>{subject}</p>", tag=tag)  # fmt: skip
    window.runtime.queue(message)


def test_history_filters(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    _queue(window, "pat@one.example", "Lab results ready", "lab")
    _queue(window, "sam@two.example", "Appointment moved", "appointments")
    _queue(window, "lee@one.example", "Invoice", "billing")
    status = window.status_view
    qtbot.waitUntil(lambda: delivered_rows(window).count("delivered") == 3, timeout=15_000)

    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.views.current() == "status"
    qtbot.keyClicks(status.search, "appointment")
    qtbot.waitUntil(lambda: status.model.rowCount() == 1, timeout=5_000)
    status.search.clear()
    qtbot.keyClicks(status.recipient, "one.example")
    qtbot.waitUntil(lambda: status.model.rowCount() == 2, timeout=5_000)
    qtbot.keyClicks(status.tag, "billing")
    qtbot.waitUntil(lambda: status.model.rowCount() == 1, timeout=5_000)
    assert status.count.text() == "1 message"
    status.tag.clear()
    status.recipient.clear()
    status.status_filter.setCurrentIndex(status.status_filter.findText("hard bounced"))
    qtbot.waitUntil(lambda: status.model.rowCount() == 0, timeout=5_000)
    status.status_filter.setCurrentIndex(0)
    status.date_range.setCurrentIndex(status.date_range.findText("Today"))
    qtbot.waitUntil(lambda: status.model.rowCount() == 3, timeout=5_000)
    qtbot.waitUntil(lambda: "sent 3" in status.chart.accessibleDescription(), timeout=5_000)


def test_lock_and_unlock(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    assert window.passphrase_notice.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = window.settings_dialog  # no passphrase yet: Settings opens on Privacy to set one
    qtbot.waitUntil(dialog.isVisible, timeout=2_000)
    qtbot.keyClicks(dialog.passphrase, "correct horse")
    qtbot.keyClicks(dialog.passphrase_again, "correct horse")
    click(qtbot, dialog.passphrase_button)
    qtbot.waitUntil(lambda: "press Save" in dialog.passphrase_feedback.text(), timeout=5_000)
    assert not window.runtime.profile.settings.passphrase_hash  # nothing is kept before Save
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: bool(window.runtime.profile.settings.passphrase_hash), timeout=5_000)
    activate(qtbot, window)
    qtbot.waitUntil(lambda: not window.passphrase_notice.isVisible(), timeout=2_000)

    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.shell.currentWidget() is window.lock_screen
    assert not window.pages.isVisible()
    assert not window.log_panel.isVisible()
    screen = window.lock_screen
    qtbot.keyClicks(screen.passphrase, "wrong guess")
    qtbot.keyClick(screen.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "not right" in screen.feedback.text(), timeout=5_000)
    assert window.shell.currentWidget() is screen
    qtbot.keyClicks(screen.passphrase, "correct horse")
    click(qtbot, screen.unlock_button)
    qtbot.waitUntil(lambda: window.shell.currentIndex() == 0, timeout=5_000)
    assert window.pages.isVisible()
    store = window.runtime.store
    assert store is not None
    assert [e.action for e in store.audit_entries() if e.action.startswith("unlock")] == ["unlock_failed", "unlock"]


def test_idle_lock_closes_open_dialogs(qtbot: QtBot, make_window: WindowFactory) -> None:
    from desktop_app.services.autolock import IdleLock, hash_passphrase

    window = make_window(passphrase_hash=hash_passphrase("correct horse"), autolock_minutes=5)
    now = [0.0]
    window.locking.idle = IdleLock(5, clock=lambda: now[0])
    window.idle_timer.setInterval(20)
    settings = window.open_settings()  # left open when the user walked away
    qtbot.waitExposed(settings)
    now[0] += 4 * 60
    qtbot.wait(100)
    assert window.shell.currentIndex() == 0
    now[0] += 61
    qtbot.waitUntil(lambda: window.shell.currentWidget() is window.lock_screen, timeout=2_000)
    assert not [dialog for dialog in window.findChildren(QDialog) if dialog.isVisible()]


def test_settings_add_and_switch_profile(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    assert window.profile_label.text() == "Profile: Sandbox"
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    dialog = window.settings_dialog
    qtbot.waitUntil(lambda: dialog.profile_list.count() == 1, timeout=5_000)
    qtbot.keyClicks(dialog.new_profile_name, "Clinic B")
    click(qtbot, dialog.add_profile_button)
    qtbot.waitUntil(lambda: dialog.profile_list.count() == 2, timeout=5_000)
    row = next(r for r in range(2) if "Clinic B" in dialog.profile_list.item(r).text())
    dialog.profile_list.setCurrentRow(row)
    assert dialog.switch_button.isEnabled()
    with qtbot.waitSignal(window.ready, timeout=15_000):
        click(qtbot, dialog.switch_button)
    assert window.profile_label.text() == "Profile: Clinic B"
    assert window.runtime.profile.directory.name == "clinic-b"


def test_settings_test_connection_and_theme(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    dialog = window.open_settings(tab=1)
    qtbot.waitExposed(dialog)
    click(qtbot, dialog.test_button)
    qtbot.waitUntil(lambda: "Your key works with" in dialog.test_result.text(), timeout=15_000)
    dialog.tabs.setCurrentIndex(4)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: window.runtime.profile.settings.theme == "dark", timeout=5_000)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    qtbot.waitUntil(lambda: "#1f2329" in app.styleSheet(), timeout=5_000)


def test_log_panel_filters_pause_and_export(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    window = make_window()
    _queue(window, "pat@one.example", "Private subject", "lab")
    panel = window.log_panel
    qtbot.waitUntil(lambda: panel.endpoint.findText("message_receipt") >= 0, timeout=15_000)
    qtbot.keyClicks(panel.search, "messages")
    qtbot.waitUntil(lambda: panel.filter.rowCount() >= 1, timeout=2_000)
    panel.search.clear()
    panel.endpoint.setCurrentIndex(panel.endpoint.findText("message_receipt"))
    assert all(panel.filter.index(r, 4).data() == "message_receipt" for r in range(panel.filter.rowCount()))

    click(qtbot, panel.pause)
    before = panel.model.rowCount()
    _queue(window, "pat@one.example", "Another", "lab")
    qtbot.waitUntil(lambda: "Paused" in panel.summary.text(), timeout=10_000)
    assert panel.model.rowCount() == before
    click(qtbot, panel.pause)
    assert panel.model.rowCount() > before

    target = tmp_path / "log.csv"
    monkeypatch.setattr("desktop_app.ui.log_panel.QFileDialog.getSaveFileName", lambda *a, **k: (str(target), ""))
    click(qtbot, panel.export)
    qtbot.waitUntil(lambda: "Exported" in panel.summary.text(), timeout=5_000)
    text = target.read_text("utf-8")
    assert "message_receipt" in text
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3},", text.splitlines()[1])  # exported times carry the date
    assert panel.export_confirmation.isVisible()
    assert str(target) in panel.export_confirmation.text()
    assert "Private subject" not in text
    assert "pat@" not in text
    assert "p50" in panel.chart.accessibleDescription()
    store = window.runtime.store if window.runtime else None
    assert store is not None
    qtbot.waitUntil(lambda: "export" in [e.action for e in store.audit_entries()], timeout=5_000)


def test_help_lists_shortcuts_and_ctrl_l_toggles_log(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    help_dialog = window.findChild(HelpDialog)
    assert help_dialog is not None
    assert help_dialog.findChild(QTableWidget).rowCount() == len(SHORTCUTS)
    help_dialog.reject()
    activate(qtbot, window)
    shown = window.log_panel.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.log_panel.isVisible() is not shown
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.views.current() == "compose"


def test_every_control_has_an_accessible_name(make_window: WindowFactory) -> None:
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QAbstractSpinBox,
        QComboBox,
        QDockWidget,
        QLineEdit,
        QPlainTextEdit,
        QTextEdit,
    )

    # Parts Qt builds inside composite widgets (clear buttons, spin-box editors, table corners).
    QT_INTERNALS = (QLineEdit, QAbstractItemView, QAbstractSpinBox, QComboBox, QDockWidget)

    window = make_window()
    window.open_settings()
    nameless = []
    for kind in (QAbstractButton, QLineEdit, QComboBox, QTextEdit, QPlainTextEdit):
        for widget in window.findChildren(kind):
            labelled = bool(widget.accessibleName()) or (isinstance(widget, QAbstractButton) and bool(widget.text()))
            if (
                not labelled
                and not isinstance(widget.parent(), QT_INTERNALS)
                and not widget.objectName().startswith("qt_")
            ):
                nameless.append(f"{type(widget).__name__} in {type(widget.parent()).__name__}")
    assert not nameless


def test_crash_report_is_copyable_and_has_no_phi(qtbot: QtBot) -> None:
    from desktop_app.ui.dialogs import CrashDialog, crash_report

    patient, topic = "jane@clinic.example", "HIV results"  # runtime data, unlike the code lines in the report
    try:
        raise ValueError(f"could not send to {patient} about her {topic}")
    except ValueError as error:
        report = crash_report(type(error), error, error.__traceback__)
    assert "builtins.ValueError" in report
    assert "test_views.py" in report
    assert "jane" not in report
    assert "HIV" not in report
    dialog = CrashDialog(report)
    qtbot.addWidget(dialog)
    copy = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Copy report")
    click(qtbot, copy)
    assert QGuiApplication.clipboard().text() == report


def test_offline_notice_and_resume_after_reconnect(qtbot: QtBot, make_window: WindowFactory) -> None:
    from desktop_app.services.outbox import Connectivity, EngineStatus

    window = make_window()
    outbox = window.outbox_view
    window.bridge.engine_status.emit(EngineStatus(Connectivity.OFFLINE, "Paubox cannot be reached."))
    assert "kept safely here" in outbox.notice.text()
    assert window.connection_label.text().startswith("○ Offline")
    assert not outbox.resume_button.isVisibleTo(window)
    assert window.runtime.outbox is not None
    window.runtime.outbox.hold(True)  # what the engine does on reconnect under the "ask" policy
    window.views.show("outbox")
    qtbot.waitUntil(outbox.resume_button.isVisible, timeout=5_000)
    click(qtbot, outbox.resume_button)
    qtbot.waitUntil(lambda: not outbox.notice.isVisible(), timeout=5_000)
    assert window.connection_label.text() == "● Online"


def test_send_with_a_paubox_template(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window(undo_seconds=0)
    client = window.runtime.client
    assert client is not None
    client.create_template("appointment-reminder", "<p>Dear {{first_name}}, see you {{when}}.</p><script>x()</script>")
    panel = window.composer.template_panel
    click(qtbot, panel.refresh)
    qtbot.waitUntil(lambda: panel.choice.findText("appointment-reminder") > 0, timeout=10_000)
    panel.choice.setFocus()
    while panel.choice.currentText() != "appointment-reminder":
        qtbot.keyClick(panel.choice, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: set(panel.fields) == {"first_name", "when"}, timeout=10_000)
    assert not window.composer.tabs.isTabEnabled(1)  # no separate plain text: the template is the body
    qtbot.keyClicks(panel.fields["first_name"], "Ann")
    qtbot.keyClicks(panel.fields["when"], "on Tuesday")
    window.composer.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: "Dear Ann, see you on Tuesday." in window.composer.preview.toPlainText(), timeout=5_000)
    assert "x()" not in window.composer.preview.toHtml()

    qtbot.keyClicks(window.composer.to_field.edit, "ann@patients.example")
    qtbot.keyClicks(window.composer.subject, "Your appointment")
    send(qtbot, window)
    answer(qtbot, window, "Send anyway")
    qtbot.waitUntil(lambda: delivered_rows(window) == ["delivered"], timeout=15_000)
    store = window.runtime.store
    assert store is not None
    sent = store.get_many(store.list_ids(HistoryFilter(states=(OutboxState.ACCEPTED,))))[0].message
    assert sent.meta["template"] == "appointment-reminder"
    assert json.loads(sent.meta["template_values"]) == {"first_name": "Ann", "when": "on Tuesday"}
    assert not panel.active  # the composer is clear for the next message


def test_api_key_goes_to_the_keyring_and_is_never_shown_again(qtbot: QtBot, make_window: WindowFactory) -> None:
    from desktop_app.store import keys

    window = make_window()
    dialog = window.open_settings(tab=1)
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.api_key, "pbx-secret-key-123")
    assert dialog.api_key.echoMode() is QLineEdit.EchoMode.Password
    click(qtbot, dialog.store_key_button)
    assert dialog.api_key.text() == ""
    qtbot.waitUntil(lambda: "will not be shown again" in dialog.key_state.text(), timeout=5_000)
    assert keys.load_api_key(window.runtime.profile.settings.profile_id) == "pbx-secret-key-123"
    store = window.runtime.store
    assert store is not None
    assert "api_key_changed" in [e.action for e in store.audit_entries()]
    assert all("pbx-secret" not in e.detail for e in store.audit_entries())
    assert "pbx-secret" not in (window.runtime.profile.directory / "settings.json").read_text("utf-8")


def test_the_audit_trail_shows_user_actions_and_says_when_it_was_tampered_with(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    from desktop_app.ui.audit_dialog import AuditDialog

    window = make_window()
    assert window.runtime is not None
    assert window.runtime.store is not None
    window.runtime.store.audit("settings_change", detail="theme")
    window.runtime.store.audit("export", detail="log panel")
    menu_action = next(a for a in window.view_menu.actions() if a.text() == "&Audit trail…")
    menu_action.trigger()
    dialog = window.findChild(AuditDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: "intact" in dialog.verdict.text(), timeout=5000)
    assert dialog.table.item(0, 2).text() == "export"  # newest first
    dialog.reject()

    store = window.runtime.store
    store._db.execute("DROP TRIGGER audit_log_no_delete")  # an attacker holding the database key
    store._db.execute("DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)")
    tampered = window.show_audit_trail()
    assert isinstance(tampered, AuditDialog)
    qtbot.waitUntil(lambda: "changed or removed" in tampered.verdict.text(), timeout=5000)
    tampered.reject()


def test_the_history_chart_counts_today_once_the_view_settles(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    _queue(window, "pat@one.example", "Lab results ready", "lab")
    _queue(window, "lee@two.example", "Invoice", "billing")
    window.views.show("status")
    qtbot.waitUntil(lambda: delivered_rows(window) == ["delivered", "delivered"], timeout=15_000)

    def today(name: str) -> float:
        series = {s.name: s for s in window.status_view.chart.series}
        return series[name].values[-1] if name in series else 0.0

    qtbot.waitUntil(lambda: today("sent") == 2 and today("delivered") == 2, timeout=10_000)
    assert today("bounced") == 0
