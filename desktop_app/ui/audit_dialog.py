"""The audit trail: who sent, resent, marked sent, cancelled, exported, changed settings, unlocked.

Entries and the chain check are loaded on a background job; the dialog says in words whether the
trail is intact or which entry was changed or removed. Export… writes a period of it as an
export anyone can verify (services/audit_export.py), also on a background job.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app import APP_NAME
from desktop_app.core.period import parse_period
from desktop_app.core.times import shown_time
from desktop_app.services.history import history
from desktop_app.services.runtime import Runtime
from desktop_app.store.messages import AuditEntry
from desktop_app.ui.a11y import make_accessible
from desktop_app.ui.jobs import CancelToken, JobRunner

COLUMNS = (str(QT_TRANSLATE_NOOP("columns", "Time")), str(QT_TRANSLATE_NOOP("columns", "Who")),
           str(QT_TRANSLATE_NOOP("columns", "Action")), str(QT_TRANSLATE_NOOP("columns", "Message")),
           str(QT_TRANSLATE_NOOP("columns", "Detail")))  # fmt: skip


class AuditDialog(QDialog):
    def __init__(self, runtime: Runtime, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("{0} — audit trail").format(APP_NAME))
        self.setAccessibleName(self.tr("Audit trail"))
        self.verdict = QLabel(self.tr("Checking the audit trail…"), self)
        self.verdict.setObjectName("auditVerdict")
        self.verdict.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setAccessibleName(self.tr("Audit entries"))
        self.table.setHorizontalHeaderLabels([QCoreApplication.translate("columns", c) for c in COLUMNS])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((150, 70, 150, 80)):
            self.table.setColumnWidth(column, width)
        self._runtime, self._jobs = runtime, jobs
        self.period_from, self.period_to = QDateEdit(self), QDateEdit(QDate.currentDate(), self)
        self.period_from.setDate(QDate.currentDate().addMonths(-1))
        for edit, name in ((self.period_from, "Export from"), (self.period_to, "Export to")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
        self.include_recipients = QCheckBox(self.tr("Include recipient addresses (PHI)"), self)
        if runtime.profile.settings.no_content_export:
            self.include_recipients.setEnabled(False)
            self.include_recipients.setToolTip(self.tr("Managed by your organisation (NoContentExport)"))
        self.export_button = QPushButton(self.tr("&Export…"), self)
        self.export_button.setAccessibleName(self.tr("Export the audit trail"))
        self.export_button.clicked.connect(self._choose_export_folder)
        self.export_result = QLabel("", self)
        self.export_result.setObjectName("auditExportResult")
        self.export_result.setWordWrap(True)
        export_row = QHBoxLayout()
        from_label, to_label = QLabel(self.tr("From"), self), QLabel(self.tr("to"), self)
        from_label.setBuddy(self.period_from)  # screen readers read the date fields by these labels
        to_label.setBuddy(self.period_to)
        for widget in (from_label, self.period_from, to_label, self.period_to,
                       self.include_recipients, self.export_button):  # fmt: skip
            export_row.addWidget(widget)
        export_row.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.verdict)
        layout.addWidget(self.table, 1)
        layout.addLayout(export_row)
        layout.addWidget(self.export_result)
        layout.addWidget(buttons)
        make_accessible(self)
        self.resize(760, 460)

        def load(_token: CancelToken) -> tuple[list[AuditEntry], int | None, str]:
            return history(runtime).audit_entries(), runtime.verify_audit(), forwarding_words(runtime)

        jobs.submit(load, name="load audit trail", on_result=self._show, on_error=self._failed, owner=self)

    def _choose_export_folder(self) -> None:
        parent = QFileDialog.getExistingDirectory(self, "Export the audit trail into…", str(Path.home()))
        if parent:
            self.export_to(Path(parent) / time.strftime("sealpost-audit-%Y%m%d-%H%M%S"))

    def export_to(self, folder: Path) -> None:
        """Write the chosen period to ``folder`` (new) on a background job; the result is shown here."""
        from desktop_app.services.audit_export import export_audit

        start, end = (d.date().toString("yyyy-MM-dd") for d in (self.period_from, self.period_to))
        include = self.include_recipients.isChecked()
        runtime = self._runtime
        self.export_button.setEnabled(False)
        self.export_result.setText(self.tr("Exporting…"))

        def run(_token: CancelToken) -> str:
            result = export_audit(runtime, parse_period(start, end, now=time.time()), folder,
                                  include_recipients=include)  # fmt: skip
            words = f"{_entries(result.count)} exported to {result.directory}."
            if result.chain_problem is not None:
                words += f" Warning: the trail was changed or cut at entry {result.chain_problem}."
            return words

        def done(words: str) -> None:
            self.export_button.setEnabled(True)
            self.export_result.setText(words)

        def failed(error: BaseException) -> None:
            self.export_button.setEnabled(True)
            self.export_result.setText(QCoreApplication.translate("audit_dialog", "Not exported: {0}").format(error))

        self._jobs.submit(run, name="export audit trail", on_result=done, on_error=failed, owner=self)

    def _failed(self, error: BaseException) -> None:
        self.verdict.setText(self.tr("The audit trail could not be read: {0}").format(error))

    def _show(self, result: tuple[list[AuditEntry], int | None, str]) -> None:
        entries, first_bad, forwarding = result
        if first_bad is None:
            self.verdict.setProperty("tone", "ok")
            self.verdict.setText(
                self.tr("{0}. The trail is intact: no entry was changed or removed.{1}").format(
                    _entries(len(entries)), forwarding
                )
            )
        else:
            self.verdict.setProperty("tone", "error")
            self.verdict.setText(
                self.tr(
                    "Entry {0} was changed or removed after it was written. Keep this profile as it is and tell your security officer."  # noqa: E501
                ).format(first_bad)
            )
        self.verdict.style().unpolish(self.verdict)
        self.verdict.style().polish(self.verdict)
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(reversed(entries)):  # newest first
            cells = (
                shown_time(entry.at, seconds=True),
                entry.actor,
                entry.action.replace("_", " "),
                "" if entry.message_id is None else str(entry.message_id),
                entry.detail,
            )
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))


def _entries(count: int) -> str:
    return "1 entry" if count == 1 else f"{count} entries"


def forwarding_words(runtime: Runtime) -> str:
    """Where the trail is forwarded and whether anything waits (runs on the loading job)."""
    forwarder = runtime.forwarder
    if forwarder is not None:
        waiting = forwarder.backlog()
        state = "all sent" if not waiting else f"{_entries(waiting)} waiting until the collector can be reached"
        return f" Forwarded to {forwarder.target.name}: {state}."
    if runtime.profile.settings.audit_forwarding:
        return " It is forwarded to syslog by the Sealpost process that sends for this profile."
    return ""
