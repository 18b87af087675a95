"""The composer's delivery options (Options…): a tag, custom X- headers, secure notification, delivery
without TLS, the tracking overrides and the unsubscribe fields. Apart from the composer so each stays
readable; the composer keeps its old attribute names for every field here (``composer.tag``…)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QWidget

__all__ = ["ComposerOptions", "TrackingChoice", "_room_for_mnemonics"]


class TrackingChoice(QComboBox):
    """Three states for one Paubox tracking override: the account's default (nothing sent), on, off."""

    CHOICES: tuple[tuple[str, bool | None], ...] = ((str(QT_TRANSLATE_NOOP("TrackingChoice", "Account default")), None),
                                                    (str(QT_TRANSLATE_NOOP("TrackingChoice", "On")), True),
                                                    (str(QT_TRANSLATE_NOOP("TrackingChoice", "Off")), False))  # fmt: skip  # noqa: E501

    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for label, value in self.CHOICES:
            self.addItem(self.tr(label), value)
        self.setAccessibleName(what)
        self.setAccessibleDescription(
            self.tr(
                "{0}: account default sends nothing, so the Paubox account's setting applies; On or Off overrides it for this message (such a message is sent on its own, not in bulk)."  # noqa: E501
            ).format(what)
        )
        self.setToolTip(self.accessibleDescription())

    def value(self) -> bool | None:
        return self.CHOICES[max(0, self.currentIndex())][1]

    def set_value(self, value: bool | None) -> None:
        self.setCurrentIndex(next(i for i, (_label, v) in enumerate(self.CHOICES) if v is value))


def _room_for_mnemonics(form: QFormLayout) -> None:
    """Give each label of ``form`` a little more than its size hint.

    A label with a mnemonic draws its underlined letter apart from the rest, which loses the kerning
    its size hint counted on: "To" came out a few pixels wider than its box and was clipped to "Tc".
    """
    for row in range(form.rowCount()):
        item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        label = item.widget() if item is not None else None
        if isinstance(label, QLabel) and label.text():
            label.setMinimumWidth(label.sizeHint().width() + label.fontMetrics().horizontalAdvance("  "))


class ComposerOptions(QWidget):
    """The Options… panel, hidden until asked for."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headers = QPlainTextEdit(self)
        self.headers.setAccessibleName(self.tr("Custom X- headers"))
        self.headers.setPlaceholderText(self.tr("X-Clinic-Ref: 1234   (one per line)"))
        self.headers.setFixedHeight(42)
        self.headers_error = QLabel(self)
        self.headers_error.setObjectName("fieldError")
        self.headers_error.setWordWrap(True)
        self.headers_error.hide()
        self.tag = QLineEdit(self)
        self.tag.setAccessibleName(self.tr("Tag"))
        self.tag.setPlaceholderText(self.tr("optional, e.g. lab-results (for filtering history)"))
        self.secure_notification = QCheckBox(
            self.tr("Force secure notification (recipient picks the message up in a portal)")
        )
        self.open_tracking = TrackingChoice("Open tracking", self)
        self.link_tracking = TrackingChoice("Link tracking", self)
        self.allow_non_tls = QCheckBox(self.tr("Allow delivery without TLS"))
        self.allow_non_tls.setEnabled(False)
        self.allow_non_tls.setToolTip(self.tr("Your organisation's policy does not allow delivery without TLS."))
        for box in (self.secure_notification, self.allow_non_tls):
            box.setAccessibleName(box.text())  # the name holds the visible label (WCAG 2.5.3)
        self.list_unsubscribe = QLineEdit(self)
        self.list_unsubscribe.setAccessibleName(self.tr("List-Unsubscribe"))
        self.list_unsubscribe.setAccessibleDescription(
            self.tr(
                "Unsubscribe addresses for the List-Unsubscribe header, in angle brackets, comma-separated: "
                "mailto: or https:// only"
            )
        )
        self.list_unsubscribe.setPlaceholderText(
            self.tr("<mailto:unsubscribe@clinic.example>, <https://clinic.example/unsubscribe>")
        )
        self.one_click = QCheckBox(self.tr("One-click unsubscribe"))
        self.one_click.setAccessibleName(self.tr("One-click unsubscribe"))
        self.one_click.setToolTip(
            self.tr("Adds List-Unsubscribe-Post: List-Unsubscribe=One-Click (needs an https:// address).")
        )
        self.unsubscribe_url = QLineEdit(self)
        self.unsubscribe_url.setAccessibleName(self.tr("Paubox unsubscribe URL"))
        self.unsubscribe_url.setPlaceholderText(self.tr("optional https:// address for Paubox's unsubscribe_url"))
        self.unsubscribe_error = QLabel(self)
        self.unsubscribe_error.setObjectName("fieldError")
        self.unsubscribe_error.setAccessibleName(self.tr("Unsubscribe problem"))
        self.unsubscribe_error.setWordWrap(True)
        self.unsubscribe_error.hide()
        options_form = self.form = QFormLayout(self)
        options_form.setContentsMargins(0, 0, 0, 0)
        options_form.addRow(self.tr("Ta&g"), self.tag)
        options_form.addRow(self.tr("&X- headers"), self.headers)
        options_form.addRow("", self.headers_error)
        switches = QHBoxLayout()
        for box in (self.secure_notification, self.allow_non_tls):
            switches.addWidget(box)
        switches.addStretch(1)
        options_form.addRow(self.tr("Delivery"), switches)
        tracking = QHBoxLayout()
        for text, choice in ((self.tr("&Opens"), self.open_tracking), (self.tr("&Link clicks"), self.link_tracking)):
            label = QLabel(text, self)
            label.setBuddy(choice)
            tracking.addWidget(label)
            tracking.addWidget(choice)
        tracking.addStretch(1)
        options_form.addRow(self.tr("Tracking"), tracking)
        unsubscribe = QHBoxLayout()
        unsubscribe.addWidget(self.list_unsubscribe, 1)
        unsubscribe.addWidget(self.one_click)
        options_form.addRow(self.tr("&Unsubscribe"), unsubscribe)
        unsubscribe_label = options_form.labelForField(unsubscribe)
        if isinstance(unsubscribe_label, QLabel):  # a row holding a layout gets no buddy: "&" would show as is
            unsubscribe_label.setBuddy(self.list_unsubscribe)
        options_form.addRow(self.tr("Paubox u&nsubscribe URL"), self.unsubscribe_url)
        options_form.addRow("", self.unsubscribe_error)
