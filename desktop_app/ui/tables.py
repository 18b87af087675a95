"""The one look of Sealpost's message lists (Status, Outbox, Drafts), set in one place."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


class MessageTable(QTableView):
    """A message list's table, which says when its size changes: the rows it shows may be new.

    A signal from the one override, not an event filter: a filter on the table is called for each of
    its events, a paint of its frame with every repaint of its cells among them."""

    resized = Signal()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resized.emit()


def message_list(table: QTableView, name: str, widths: tuple[int, ...]) -> QHeaderView:
    """Whole rows, one selected at a time, one line a row cut with "…" (the tooltip has it all),
    columns the user can resize from ``widths``. Returns the header for a view's own adjustments."""
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)  # a list to read and act on
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for column, width in enumerate(widths):
        table.setColumnWidth(column, width)
    return header
