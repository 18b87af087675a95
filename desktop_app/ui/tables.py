"""The one look of Sealpost's message lists (Status, Outbox, Drafts), set in one place."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


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
