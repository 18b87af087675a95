"""Status and history: sent messages, their per-recipient delivery status and timeline."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.outbox_state import OutboxState
from desktop_app.store.messages import HistoryFilter, MessageStore, StoredMessage
from desktop_app.ui.jobs import CancelToken, JobRunner
from desktop_app.ui.message_model import Column, MessageTableModel, clock_time

HISTORY_COLUMNS = (
    Column("Sent", lambda m: clock_time(m.accepted_at or m.created_at)),
    Column("To", lambda m: m.recipients),
    Column("Subject", lambda m: m.subject),
    Column("Delivery", lambda m: m.delivery_summary or "processing"),
    Column("Tracking id", lambda m: m.tracking_id or ""),
)


class StatusView(QWidget):
    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._store: MessageStore | None = None
        self.model = MessageTableModel(HISTORY_COLUMNS, jobs, HistoryFilter(states=(OutboxState.ACCEPTED,)), self)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search subject, body and recipients (Ctrl+F)")
        self.search.setAccessibleName("Search history")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._search_changed)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Sent messages")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((130, 220, 260, 170)):
            self.table.setColumnWidth(column, width)
        self.detail = QTextBrowser(self)
        self.detail.setAccessibleName("Message details")
        self.detail.setOpenLinks(False)
        self.detail.setPlaceholderText("Select a message to see each recipient's status and its timeline.")
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setSizes([400, 200])
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(splitter, 1)
        self.table.selectionModel().selectionChanged.connect(self.show_selected)
        self.model.dataChanged.connect(self._refresh_detail_if_selected)
        self._search_timer_text = ""

    def set_store(self, store: MessageStore) -> None:
        self._store = store
        self.model.set_store(store)

    def _search_changed(self, text: str) -> None:
        current = self.model.current_filter
        self.model.set_filter(HistoryFilter(states=current.states, search=text))

    def _refresh_detail_if_selected(self) -> None:
        if self.table.selectionModel().selectedRows():
            self.show_selected()

    def show_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        message = self.model.message_at(rows[0].row()) if rows else None
        store = self._store
        if message is None or store is None:
            return

        def load(_token: CancelToken) -> tuple[StoredMessage, list[object], list[object]]:
            return message, list(store.recipient_statuses(message.id)), list(store.timeline(message.id))

        self._jobs.submit(load, name="load detail", on_result=self._render_detail)

    def _render_detail(self, result: tuple[StoredMessage, list, list]) -> None:  # type: ignore[type-arg]
        from html import escape

        message, statuses, events = result
        parts = [f"<h3>{escape(message.subject)}</h3>",
                 f"<p>Tracking id: <code>{escape(message.tracking_id or '')}</code></p>",
                 "<table cellpadding='4'><tr><th align='left'>Recipient</th><th align='left'>Status</th>"
                 "<th align='left'>Delivered</th><th align='left'>Opened</th></tr>"]  # fmt: skip
        for s in statuses:
            parts.append(
                f"<tr><td>{escape(s.recipient)}</td><td>{escape(s.delivery_status)}</td>"
                f"<td>{escape(s.delivery_time)}</td><td>{escape(s.opened_status)}</td></tr>"
            )
        parts.append("</table><h4>Timeline</h4><ul>")
        for e in events:
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e.at))
            detail = f" — {escape(e.detail)}" if e.detail else ""
            parts.append(f"<li>{stamp}: {escape(e.kind)}{detail}</li>")
        parts.append("</ul>")
        self.detail.setHtml("".join(parts))

    def status_text_for(self, message_id: int) -> str:
        row = self.model.row_of(message_id)
        message = self.model.message_at(row) if row >= 0 else None
        return message.delivery_summary if message else ""
