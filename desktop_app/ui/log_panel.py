"""The log viewer dock: API activity, newest at the bottom, fed in batches from a ring buffer.

Events arrive one by one from worker threads; they are appended to a pending list and the
model takes them in a batch every 200 ms, so a burst of thousands of requests costs the GUI a
handful of row insertions instead of thousands of repaints. Events carry no key and no PHI.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QDockWidget, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from desktop_app.api.activity import ActivityEvent, LatencyWindow

ModelIndex = QModelIndex | QPersistentModelIndex
HEADERS = ("Time", "Method", "Endpoint", "Status", "Latency", "Attempt", "Outcome", "Tracking id")


def _cells(event: ActivityEvent) -> tuple[str, ...]:
    return (
        time.strftime("%H:%M:%S", time.localtime(event.at)) + f".{int(event.at * 1000) % 1000:03d}",
        event.method,
        event.endpoint,
        "" if event.status is None else str(event.status),
        f"{event.latency_ms:.0f} ms",
        str(event.attempt),
        event.outcome if not event.error else f"{event.outcome} ({event.error})",
        event.tracking_id,
    )


class ActivityModel(QAbstractTableModel):
    def __init__(self, capacity: int = 5000, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: deque[tuple[str, ...]] = deque(maxlen=capacity)
        self._events: deque[ActivityEvent] = deque(maxlen=capacity)

    def append_batch(self, events: list[ActivityEvent]) -> None:
        if not events:
            return
        capacity = self._rows.maxlen or 0
        events = events[-capacity:]
        overflow = len(self._rows) + len(events) - capacity
        if overflow > 0:
            self.beginRemoveRows(QModelIndex(), 0, overflow - 1)
            for _ in range(overflow):
                self._rows.popleft()
                self._events.popleft()
            self.endRemoveRows()
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(events) - 1)
        for event in events:
            self._rows.append(_cells(event))
            self._events.append(event)
        self.endInsertRows()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and section < len(HEADERS):
            return HEADERS[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (3, 4, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def event_at(self, row: int) -> ActivityEvent:
        return self._events[row]


class LogPanel(QDockWidget):
    def __init__(self, metrics: LatencyWindow | None = None, parent: QWidget | None = None) -> None:
        super().__init__("API activity log", parent)
        self.setObjectName("logPanel")
        self.metrics = metrics
        self.model = ActivityModel(parent=self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("API activity")
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((100, 60, 140, 60, 75, 65, 200)):
            self.table.setColumnWidth(column, width)
        self.summary = QLabel("No requests yet.", self)
        self.summary.setObjectName("logSummary")
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        self.setWidget(body)
        self._pending: list[ActivityEvent] = []
        self._flush_timer = QTimer(self, interval=200)
        self._flush_timer.timeout.connect(self.flush)
        self._flush_timer.start()

    def add_event(self, event: ActivityEvent) -> None:
        self._pending.append(event)

    def flush(self) -> None:
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        scrollbar = self.table.verticalScrollBar()
        at_bottom = scrollbar.value() >= scrollbar.maximum() - 2
        self.model.append_batch(batch)
        if at_bottom:
            self.table.scrollToBottom()
        if self.metrics is not None:
            p50, p95, error_rate, count = self.metrics.snapshot()
            self.summary.setText(
                f"Last {count} requests — latency p50 {p50:.0f} ms, p95 {p95:.0f} ms, errors {error_rate:.0%}"
            )
