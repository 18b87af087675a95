"""Help → Policies: every policy's effective value and where it came from, and what is wrong with
the policy files (the same report as ``sealpost policy``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from desktop_app.ui.a11y import make_accessible

if TYPE_CHECKING:
    from desktop_app.services.profile import Profile

SOURCES = {"managed": "Managed (mandatory)", "recommended": "Recommended", "user": "Your choice",
           "default": "Built-in default"}  # fmt: skip


class PoliciesDialog(QDialog):
    def __init__(self, profile: Profile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Policies"))
        self.setAccessibleName(self.tr("Policies"))
        report = profile.policies.report(profile.settings, profile.origins)
        rows = list(report["policies"].items())
        self.table = QTableWidget(len(rows), 4, self)
        self.table.setAccessibleName(self.tr("Effective policies"))
        self.table.setHorizontalHeaderLabels([self.tr("Policy"), self.tr("Value"), self.tr("Source"), self.tr("File")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move within it)
        for row, (name, entry) in enumerate(rows):
            value = "not set" if entry["value"] is None else json.dumps(entry["value"], ensure_ascii=False)
            cells = (name, value, SOURCES[entry["source"]], entry["file"] or "")
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        where = QLabel(self.tr("Read from: {0}").format(report["read_from"] or "nowhere (no policies)"), self)
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems = QLabel("\n".join(report["problems"] + [f"Note: {n}" for n in report["notes"]]), self)
        self.problems.setObjectName("setupProblem" if report["problems"] else "hint")
        self.problems.setAccessibleName(self.tr("Policy problems"))
        self.problems.setWordWrap(True)
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems.setVisible(bool(self.problems.text()))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(where)
        layout.addWidget(self.problems)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        make_accessible(self)
        self.resize(760, 520)


def open_policies(parent: QWidget, profile: Profile) -> PoliciesDialog:
    dialog = PoliciesDialog(profile, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
