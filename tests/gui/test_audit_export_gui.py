"""View → Audit trail → Export… writes an export that verifies, on a background job."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from desktop_app.services.audit_export import verify_export
from tests.gui.conftest import WindowFactory


def test_export_from_the_audit_trail_dialog_verifies(qtbot: QtBot, make_window: WindowFactory, tmp_path: Path) -> None:
    from desktop_app.ui.audit_dialog import AuditDialog

    window = make_window()
    assert window.runtime is not None
    assert window.runtime.store is not None
    window.runtime.store.audit("settings", detail="theme")
    next(a for a in window.view_menu.actions() if a.text() == "&Audit trail…").trigger()
    dialog = window.findChild(AuditDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: "intact" in dialog.verdict.text(), timeout=5000)
    dialog.period_to.setDate(QDate.currentDate().addDays(1))
    dialog.export_to(tmp_path / "evidence")
    assert not dialog.export_button.isEnabled()  # the job runs off the GUI thread
    qtbot.waitUntil(lambda: "exported to" in dialog.export_result.text(), timeout=10_000)
    assert dialog.export_result.text().startswith("1 entry exported")
    assert verify_export(tmp_path / "evidence").words() == "OK: 1 entries, chain and files intact"
    dialog.export_to(tmp_path / "evidence")  # the same folder again: refused in words, nothing lost
    qtbot.waitUntil(lambda: dialog.export_result.text().startswith("Not exported:"), timeout=10_000)
    assert "already exists" in dialog.export_result.text()
    assert verify_export(tmp_path / "evidence").ok
    dialog.reject()


def test_the_dialog_says_how_many_entries_wait_for_an_unreachable_collector(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    from desktop_app.ui.audit_dialog import AuditDialog
    from tests.services.syslog_collector import free_port

    window = make_window(audit_forwarding=f"tcp://127.0.0.1:{free_port()}")  # nothing listens there
    assert window.runtime is not None
    assert window.runtime.store is not None
    for n in range(2):
        window.runtime.store.audit("settings", detail=f"theme {n}")
    dialog = window.show_audit_trail()
    assert isinstance(dialog, AuditDialog)
    qtbot.waitUntil(lambda: "intact" in dialog.verdict.text(), timeout=5000)
    assert "Forwarded to tcp://127.0.0.1:" in dialog.verdict.text()
    assert "2 entries waiting until the collector can be reached" in dialog.verdict.text()
    dialog.reject()
