"""Settings widgets generated from the schema (services/settings_schema.py): one editor per
setting, by type (choices → combo box, bool → check box, int/float → spin box, text → line or
text edit), with the schema's label, help (tooltip), range, suffix and "no limit" text.

A setting a managed policy sets is shown disabled with "Managed by your organisation"; a managed
maximum or minimum narrows the spin box and says so.
"""

from __future__ import annotations

from dataclasses import Field
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from desktop_app.services.policies import Origin
from desktop_app.services.settings_schema import Mode, Spec, kind

MANAGED = str(QT_TRANSLATE_NOOP("settings", "Managed by your organisation"))


def tr_setting(text: str) -> str:
    """A word of the settings schema in the user's language (ui/settings_strings.py lists them all
    for the catalogue); a leading space (a suffix's) is kept."""
    if not text.strip():
        return text
    lead = text[: len(text) - len(text.lstrip())]
    return lead + QCoreApplication.translate("settings", text.strip())


class Editor:
    """One setting's widget: shows the effective value, gives back the chosen one."""

    def __init__(self, f: Field[Any], spec: Spec, value: Any, origin: Origin | None, parent: QWidget) -> None:
        self.name, self.spec, self.kind = f.name, spec, kind(f)
        self.locked = origin is not None and origin.locked
        self.widget = self._make(value, origin, parent)
        label, help_text, managed = tr_setting(spec.label), tr_setting(spec.help), tr_setting(MANAGED)
        self.widget.setAccessibleName(label)
        self.widget.setToolTip(managed if self.locked else help_text)
        self.widget.setAccessibleDescription(f"{help_text} {managed}." if self.locked else help_text)
        self.widget.setEnabled(not self.locked)
        self.note = QLabel(self._note(origin), parent)
        self.note.setObjectName("policyNote")
        self.note.setVisible(bool(self.note.text()))

    def _make(self, value: Any, origin: Origin | None, parent: QWidget) -> QWidget:
        spec = self.spec
        if spec.choices:
            combo = QComboBox(parent)
            for data, title in spec.choices:
                combo.addItem(tr_setting(title), data)
            combo.setCurrentIndex(max(0, combo.findData(str(value))))
            return combo
        if self.kind == "bool":
            box = QCheckBox(parent)
            box.setChecked(bool(value))
            return box
        if self.kind in ("int", "float"):
            low = spec.low if spec.low is not None else 0
            high = spec.high if spec.high is not None else 10**6
            if origin is not None and origin.high is not None:
                low, high = max(low, 1), min(high, origin.high)  # "no limit" (0) is above any maximum
            spin: QSpinBox | QDoubleSpinBox
            if self.kind == "float" and low != int(low):
                spin = QDoubleSpinBox(parent)
                spin.setRange(low, high)
            else:
                spin = QSpinBox(parent)
                spin.setRange(int(low), int(high))
            spin.setValue(value)
            spin.setSuffix(tr_setting(spec.suffix))
            if spec.zero and low == 0:
                spin.setSpecialValueText(tr_setting(spec.zero))
            return spin
        return QLineEdit(str(value), parent)

    def _note(self, origin: Origin | None) -> str:
        if origin is None:
            return ""
        if origin.locked:
            return tr_setting(MANAGED)
        suffix = tr_setting(self.spec.suffix)
        low = QCoreApplication.translate("settings", "at least {0}").format(f"{origin.low}{suffix}")
        high = QCoreApplication.translate("settings", "at most {0}").format(f"{origin.high}{suffix}")
        if origin.low is not None and origin.high is not None:
            return QCoreApplication.translate("settings", "Between {0} and {1}: set by your organisation").format(
                f"{origin.low}{suffix}", f"{origin.high}{suffix}"
            )
        if origin.low is not None or origin.high is not None:
            bound = low if origin.low is not None else high
            return QCoreApplication.translate("settings", "{0}: set by your organisation").format(bound.capitalize())
        return ""

    def value(self) -> Any:
        w = self.widget
        if isinstance(w, QComboBox):
            data = str(w.currentData())
            return Mode(data) if self.kind == "Mode" else data
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QSpinBox | QDoubleSpinBox):
            return float(w.value()) if self.kind == "float" else int(w.value())
        assert isinstance(w, QLineEdit)
        return w.text().strip()

    def add_to(self, form: QFormLayout, used: set[str]) -> None:
        """Add the row, its label with a mnemonic letter not yet ``used`` on this tab."""
        text = tr_setting(self.spec.label)
        free = next((i for i, c in enumerate(text) if c.isalpha() and c.lower() not in used), None)
        if free is not None:
            used.add(text[free].lower())
            text = f"{text[:free]}&{text[free:]}"
        label = QLabel(text, self.widget.parentWidget())
        label.setBuddy(self.widget)
        row = QHBoxLayout()
        row.addWidget(self.widget, 1)
        row.addWidget(self.note)
        form.addRow(label, row)
