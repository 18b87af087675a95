"""Small helpers that give screen readers what sighted users get from the layout."""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)


def label_field(field: QWidget, text: str) -> QLabel:
    """A label for a field whose visible label is a placeholder, a tab or a composite's caption.

    Qt reports the labelled-by relation (which Orca reads) only for a QLabel that is the field's
    sibling with the field as its buddy; this one is such a label, kept out of sight."""
    parent = field.parentWidget()
    label = QLabel(text, parent)
    label.setBuddy(field)
    label.hide()
    return label


def buddy_form_row(form: QFormLayout, row: QLayout | QWidget, field: QWidget) -> None:
    """A form row that holds a layout gets no buddy from Qt; give its label ``field`` (and so the
    mnemonic, which would otherwise show its "&")."""
    label = form.labelForField(row)
    if isinstance(label, QLabel):
        label.setBuddy(field)


FIELDS = (QComboBox, QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox)


def make_accessible(root: QWidget) -> None:
    """What every view and dialog calls once built: labels for screen readers, no keyboard traps."""
    label_unlabelled(root)
    free_the_tab_key(root)


def free_the_tab_key(root: QWidget) -> None:
    """Tab moves to the next control everywhere (WCAG 2.1.2): a text box would type a tab
    character and a table would walk its cells, trapping the keyboard. Arrows move within them."""
    for widget in root.findChildren(QWidget):
        if isinstance(widget, (QTextEdit, QPlainTextEdit)):
            widget.setTabChangesFocus(True)
        elif isinstance(widget, QAbstractItemView):
            widget.setTabKeyNavigation(False)


def label_unlabelled(root: QWidget) -> None:
    """Give every field under ``root`` that no QLabel names a hidden label with its accessible name.

    On Linux Qt names a combo box by its current value and reads a field's label only through the
    labelled-by relation, so a field labelled by a placeholder or its position needs one. Call it
    once the layouts are built (a label must stay the field's sibling)."""
    for field in root.findChildren(QWidget):
        if not isinstance(field, FIELDS) or not field.accessibleName():
            continue
        parent = field.parentWidget()
        if parent is None or isinstance(parent, FIELDS):  # a combo box's own line edit
            continue
        siblings = parent.findChildren(QLabel, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if not any(label.buddy() is field for label in siblings):
            label_field(field, field.accessibleName())


def announce(widget: QWidget, text: str, *, urgent: bool = False) -> None:
    """Say ``text`` to screen readers: a change a sighted user sees at a glance (a colour, a badge,
    a count in the status bar) that no focus move would reveal.

    The widget's description becomes the text (a description-changed event, for readers that
    watch the status bar) and an announcement is posted (AT-SPI's Announcement signal)."""
    if not text:
        return
    widget.setAccessibleDescription(text)
    event = QAccessibleAnnouncementEvent(widget, text)
    politeness = QAccessible.AnnouncementPoliteness
    event.setPoliteness(politeness.Assertive if urgent else politeness.Polite)
    QAccessible.updateAccessibility(event)


def tab_chain(*widgets: QWidget) -> None:
    """Tab visits ``widgets`` in this order (reading order, whatever order they were made in)."""
    for before, after in itertools.pairwise(widgets):
        QWidget.setTabOrder(before, after)


def current_follows_selection(view: QAbstractItemView) -> None:
    """Enter acts on the current row, but a screen reader picks a row by selecting it (AT-SPI
    Selection, a cell's "Toggle" action), which leaves the current row behind: Enter would then
    open another message than the one selected and read aloud. Move the current row along."""
    model = view.selectionModel()

    def follow() -> None:
        rows = model.selectedRows()
        if len(rows) == 1 and view.currentIndex().row() != rows[0].row():
            model.setCurrentIndex(rows[0], model.SelectionFlag.NoUpdate)

    model.selectionChanged.connect(follow)
