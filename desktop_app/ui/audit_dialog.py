"""The audit trail: who sent, resent, marked sent, cancelled, exported, changed settings, unlocked.

Entries and the chain check are loaded on a background job; the dialog says in words whether the
trail is intact or which entry was changed or removed.
"""

from __future__ import annotations

import time

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app import APP_NAME
from desktop_app.services.runtime import Runtime
from desktop_app.store.messages import AuditEntry
from desktop_app.ui.jobs import CancelToken, JobRunner

COLUMNS = ("Time", "Who", "Action", "Message", "Detail")


class AuditDialog(QDialog):
    def __init__(self, runtime: Runtime, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME} — audit trail")
        self.setAccessibleName("Audit trail")
        self.verdict = QLabel("Checking the audit trail…", self)
        self.verdict.setObjectName("auditVerdict")
        self.verdict.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setAccessibleName("Audit entries")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((150, 70, 150, 80)):
            self.table.setColumnWidth(column, width)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.verdict)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(760, 460)

        def load(_token: CancelToken) -> tuple[list[AuditEntry], int | None]:
            assert runtime.store is not None
            return runtime.store.audit_entries(), runtime.verify_audit()

        jobs.submit(load, name="load audit trail", on_result=self._show, on_error=self._failed)

    def _failed(self, error: BaseException) -> None:
        self.verdict.setText(f"The audit trail could not be read: {error}")

    def _show(self, result: tuple[list[AuditEntry], int | None]) -> None:
        entries, first_bad = result
        if first_bad is None:
            self.verdict.setProperty("tone", "ok")
            self.verdict.setText(f"{len(entries)} entries. The trail is intact: no entry was changed or removed.")
        else:
            self.verdict.setProperty("tone", "error")
            self.verdict.setText(
                f"Entry {first_bad} was changed or removed after it was written. Keep this profile as it is "
                "and tell your security officer."
            )
        self.verdict.style().unpolish(self.verdict)
        self.verdict.style().polish(self.verdict)
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(reversed(entries)):  # newest first
            cells = (
                time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.at)),
                entry.actor,
                entry.action.replace("_", " "),
                "" if entry.message_id is None else str(entry.message_id),
                entry.detail,
            )
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
