"""Paubox dynamic templates in the composer: pick one, fill its variables in a form, send templated.

The panel only shows and collects; listing and fetching templates are jobs the main window runs
against the API, and the preview is rendered (and sanitised) on a worker by the composer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

if TYPE_CHECKING:  # templates arrive from the API client, which loads after the window has painted
    from desktop_app.api.templates import DynamicTemplate, TemplateSummary

NO_TEMPLATE = str(QT_TRANSLATE_NOOP("TemplatePanel", "No template — write the message"))


class TemplatePanel(QWidget):
    templates_wanted = Signal()  # the user asked for the list (or it is needed for a draft)
    template_wanted = Signal(int)  # fetch this template's source
    mode_changed = Signal(bool)  # True while a template is the body
    changed = Signal()  # a value was edited

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = ""
        self.source = ""
        self.fields: dict[str, QLineEdit] = {}
        self._pending: tuple[str, dict[str, str]] | None = None
        self.header = QWidget(parent)
        self.choice = QComboBox(self.header)
        self.choice.setAccessibleName(self.tr("Template"))
        self.choice.setMinimumContentsLength(24)
        self.choice.addItem(self.tr(str(NO_TEMPLATE)), None)
        self.choice.activated.connect(self._chosen)
        self.refresh = QPushButton(self.tr("Load templates"), self.header)
        self.refresh.setAccessibleName(self.tr("Load templates from Paubox"))
        self.refresh.clicked.connect(self.templates_wanted.emit)
        row = QHBoxLayout(self.header)
        row.setContentsMargins(0, 0, 0, 2)
        row.addWidget(QLabel(self.tr("Template"), self.header))
        row.addWidget(self.choice)
        row.addWidget(self.refresh)
        self.status = QLabel(self)
        self.status.setObjectName("hint")
        self.status.setAccessibleName(self.tr("Template status"))
        self.status.setWordWrap(True)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(self.form)
        layout.addStretch(1)

    @property
    def active(self) -> bool:
        return bool(self.name)

    def values(self) -> dict[str, str]:
        return {name: edit.text() for name, edit in self.fields.items()}

    def set_templates(self, templates: Sequence[TemplateSummary]) -> None:
        current = self.name
        self.choice.clear()
        self.choice.addItem(self.tr(str(NO_TEMPLATE)), None)
        for template in templates:
            self.choice.addItem(template.name, template.id)
        self.refresh.setText(self.tr("Reload templates"))
        if current:
            self.choice.setCurrentIndex(max(0, self.choice.findText(current)))
        if self._pending is not None:
            index = self.choice.findText(self._pending[0])
            if index > 0:
                self.choice.setCurrentIndex(index)
                self._chosen(index)
            else:
                self.status.setText(
                    self.tr("The template “{0}” is no longer in your Paubox account.").format(self._pending[0])
                )
                self._pending = None

    def failed(self, text: str) -> None:
        self.status.setText(text)

    def _chosen(self, index: int) -> None:
        template_id = self.choice.itemData(index)
        if template_id is None:
            self.clear()
            return
        self.status.setText(self.tr("Loading the template…"))
        self.template_wanted.emit(int(template_id))

    def show_template(self, template: DynamicTemplate) -> None:
        """Build one field per variable, keeping what was typed (or restored from a draft)."""
        from desktop_app.services.template_preview import template_variables  # loaded with the client

        keep = self.values() | (self._pending[1] if self._pending else {})
        self._pending = None
        self._clear_fields()
        self.name, self.source = template.name, template.body
        names = template_variables(template.body)
        for name in names:
            edit = QLineEdit(keep.get(name, ""), self)
            edit.setAccessibleName(self.tr("Template value {0}").format(name))
            edit.textChanged.connect(lambda _text: self.changed.emit())
            self.fields[name] = edit
            self.form.addRow(name, edit)
        self.status.setText(
            f"“{template.name}” is the message body. Fill in its values; Preview shows the result."
            if names else f"“{template.name}” has no values to fill in; Preview shows it."
        )  # fmt: skip
        self.mode_changed.emit(True)
        self.changed.emit()

    def restore(self, name: str, values: Mapping[str, str]) -> None:
        """A draft sent with a template: select it again once the list and the source are here."""
        self._pending = (name, dict(values))
        self.templates_wanted.emit()

    def clear(self) -> None:
        was_active = self.active
        self._pending = None
        self._clear_fields()
        self.name = self.source = ""
        self.choice.setCurrentIndex(0)
        self.status.setText("")
        if was_active:
            self.mode_changed.emit(False)
            self.changed.emit()

    def _clear_fields(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields.clear()
