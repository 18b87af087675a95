"""The log viewer dock: API activity and app log records, fed in batches from a ring buffer.

Events arrive one by one from worker threads; they wait in a thread-safe pending queue and the
model takes them in a batch every 200 ms, so a burst of thousands of requests costs the GUI a
handful of row insertions instead of thousands of repaints. Rows carry no key and no PHI: API
events hold only endpoints, statuses and ids, and app records pass the redaction filter first.
"""

from __future__ import annotations

import csv
import logging
import statistics
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.api.activity import ActivityEvent
from desktop_app.core.times import shown_time
from desktop_app.services.logging_setup import RedactingFilter
from desktop_app.ui.a11y import make_accessible
from desktop_app.ui.charts import SERIES_COLOURS, LineChart, Series
from desktop_app.ui.jobs import CancelToken, JobRunner

ModelIndex = QModelIndex | QPersistentModelIndex
HEADERS = (str(QT_TRANSLATE_NOOP("columns", "Time")), str(QT_TRANSLATE_NOOP("columns", "Level")),
           str(QT_TRANSLATE_NOOP("columns", "Source")), str(QT_TRANSLATE_NOOP("columns", "Method")),
           str(QT_TRANSLATE_NOOP("columns", "Endpoint")), str(QT_TRANSLATE_NOOP("columns", "Status")),
           str(QT_TRANSLATE_NOOP("columns", "Latency")), str(QT_TRANSLATE_NOOP("columns", "Attempt")),
           str(QT_TRANSLATE_NOOP("columns", "Details")), str(QT_TRANSLATE_NOOP("columns", "Tracking id")))  # fmt: skip
STATUS_CLASSES = (str(QT_TRANSLATE_NOOP("LogPanel", "Any status")), "2xx", "4xx", "5xx",
                  str(QT_TRANSLATE_NOOP("LogPanel", "No response")))  # fmt: skip
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
CHART_BUCKET_SECONDS = 10
CHART_BUCKETS = 30


@dataclass(frozen=True)
class LogRow:
    at: float
    level: str
    source: str
    text: str = ""
    method: str = ""
    endpoint: str = ""
    status: int | None = None
    latency_ms: float | None = None
    attempt: int | None = None
    tracking_id: str = ""

    @property
    def is_error(self) -> bool:
        return self.level in ("ERROR", "CRITICAL") or (self.latency_ms is not None and self.level == "WARNING")

    def cells(self) -> tuple[str, ...]:
        return (self.stamp(), *self.cells_after_time())

    def stamp(self, *, with_date: bool = False) -> str:
        """The panel shows today's time (the date on other days); an export always carries the date."""
        millis = f".{int(self.at * 1000) % 1000:03d}"
        if with_date:
            return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.at)) + millis
        return shown_time(self.at, seconds=True) + millis

    def exported_cells(self) -> tuple[str, ...]:
        return (self.stamp(with_date=True), *self.cells_after_time())

    def cells_after_time(self) -> tuple[str, ...]:
        return (
            self.level, self.source, self.method, self.endpoint,
            "" if self.status is None else str(self.status),
            "" if self.latency_ms is None else f"{self.latency_ms:.0f} ms",
            "" if self.attempt is None else str(self.attempt), self.text, self.tracking_id,
        )  # fmt: skip


def row_from_event(event: ActivityEvent) -> LogRow:
    text = event.outcome if not event.error else f"{event.outcome} ({event.error})"
    return LogRow(event.at, "INFO" if event.outcome == "ok" else "WARNING", "api", text, event.method,
                  event.endpoint, event.status, event.latency_ms, event.attempt, event.tracking_id)  # fmt: skip


def row_from_record(record: logging.LogRecord) -> LogRow:
    return LogRow(record.created, record.levelname, record.name, record.getMessage())


class PendingRows:
    """Thread-safe hand-over from any thread to the GUI's batch timer; bounded like the model."""

    def __init__(self, capacity: int) -> None:
        self._rows: deque[LogRow] = deque(maxlen=capacity)
        self._lock = threading.Lock()

    def put(self, row: LogRow) -> None:
        with self._lock:
            self._rows.append(row)

    def take(self) -> list[LogRow]:
        with self._lock:
            rows = list(self._rows)
            self._rows.clear()
        return rows

    def __len__(self) -> int:
        return len(self._rows)


class RecordFeed(logging.Handler):
    """A logging handler that hands redacted records to the panel (never formats on the GUI thread)."""

    def __init__(self, pending: PendingRows, level: int = logging.INFO) -> None:
        super().__init__(level)
        self.addFilter(RedactingFilter())
        self._pending = pending

    def emit(self, record: logging.LogRecord) -> None:
        self._pending.put(row_from_record(record))


class LogModel(QAbstractTableModel):
    """A table over a bounded ring buffer: old rows fall off the top as new ones arrive."""

    def __init__(self, capacity: int = 5000, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: deque[LogRow] = deque(maxlen=capacity)
        self._cells: deque[tuple[str, ...]] = deque(maxlen=capacity)

    @property
    def capacity(self) -> int:
        return self._rows.maxlen or 0

    def append_batch(self, rows: Sequence[LogRow]) -> None:
        rows = list(rows)[-self.capacity :]
        if not rows:
            return
        overflow = len(self._rows) + len(rows) - self.capacity
        if overflow > 0:
            self.beginRemoveRows(QModelIndex(), 0, overflow - 1)
            for _ in range(overflow):
                self._rows.popleft()
                self._cells.popleft()
            self.endRemoveRows()
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
        for row in rows:
            self._rows.append(row)
            self._cells.append(row.cells())
        self.endInsertRows()

    def rows(self) -> list[LogRow]:
        return list(self._rows)

    def row_at(self, row: int) -> LogRow:
        return self._rows[row]

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and section < len(HEADERS):
            return QCoreApplication.translate("columns", str(HEADERS[section]))
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)) or index.column() >= len(HEADERS):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._cells[index.row()][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (5, 6, 7):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class LogFilter(QSortFilterProxyModel):
    """Level, endpoint, status class and free text, applied without touching the buffer."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.min_level = "DEBUG"
        self.endpoint = ""
        self.status_class = STATUS_CLASSES[0]
        self.text = ""

    def update(self, *, min_level: str, endpoint: str, status_class: str, text: str) -> None:
        self.beginFilterChange()
        self.min_level, self.endpoint, self.status_class, self.text = min_level, endpoint, status_class, text.lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        model = self.sourceModel()
        if not isinstance(model, LogModel) or source_row >= model.rowCount():
            return False
        row = model.row_at(source_row)
        if row.level in LEVELS and LEVELS.index(row.level) < LEVELS.index(self.min_level):
            return False
        if self.endpoint and row.endpoint != self.endpoint:
            return False
        if self.status_class != STATUS_CLASSES[0] and _status_class(row) != self.status_class:
            return False
        return not self.text or any(self.text in cell.lower() for cell in row.cells())


def _status_class(row: LogRow) -> str:
    if row.latency_ms is None:
        return ""
    if row.status is None:
        return "No response"
    return f"{row.status // 100}xx"


def latency_series(rows: Sequence[LogRow], now: float) -> tuple[list[str], list[Series]]:
    """p50/p95 latency and error rate per 10-second bucket over the last five minutes."""
    start = now - CHART_BUCKET_SECONDS * CHART_BUCKETS
    buckets: list[list[LogRow]] = [[] for _ in range(CHART_BUCKETS)]
    for row in rows:
        if row.latency_ms is not None and row.at >= start:
            buckets[min(CHART_BUCKETS - 1, int((row.at - start) // CHART_BUCKET_SECONDS))].append(row)
    p50, p95, errors = [], [], []
    for bucket in buckets:
        latencies = sorted(r.latency_ms or 0.0 for r in bucket)
        p50.append(statistics.median(latencies) if latencies else 0.0)
        p95.append(latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))] if latencies else 0.0)
        errors.append(sum(r.is_error for r in bucket) / len(bucket) if bucket else 0.0)
    labels = [time.strftime("%H:%M:%S", time.localtime(start + i * CHART_BUCKET_SECONDS)) for i in range(CHART_BUCKETS)]
    return labels, [
        Series(QCoreApplication.translate("log_panel", "p50 ms"), SERIES_COLOURS["p50 ms"], tuple(p50)),
        Series(QCoreApplication.translate("log_panel", "p95 ms"), SERIES_COLOURS["p95 ms"], tuple(p95)),
        Series("errors", SERIES_COLOURS["errors"], tuple(errors), axis="right"),
    ]


class LogPanel(QDockWidget):
    exported = Signal(int)  # how many entries were written; the window records it in the audit log

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None, capacity: int = 5000) -> None:
        super().__init__("Log", parent)
        self.setObjectName("logPanel")
        self.setAccessibleName(self.tr("Log panel"))
        self._jobs = jobs
        self.pending = PendingRows(capacity)
        self.record_feed = RecordFeed(self.pending)
        self.model = LogModel(capacity, self)
        self.filter = LogFilter(self)
        self.filter.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setModel(self.filter)
        self.table.setAccessibleName(self.tr("Log entries"))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((96, 64, 70, 60, 120, 52, 66, 66, 220)):
            self.table.setColumnWidth(column, width)

        self.level = self._combo(
            self.tr("Minimum level"), (str(QT_TRANSLATE_NOOP("LogPanel", "All levels")), *LEVELS[1:])
        )
        self.endpoint = self._combo(self.tr("Endpoint"), (str(QT_TRANSLATE_NOOP("LogPanel", "All endpoints")),))
        self.status = self._combo(self.tr("HTTP status"), STATUS_CLASSES)
        self.search = QLineEdit(self)
        self.search.setAccessibleName(self.tr("Search log"))
        self.search.setPlaceholderText(self.tr("Search the log"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._apply_filter)
        self.pause = QPushButton(self.tr("Pause"), self)
        self.pause.setAccessibleName(self.tr("Pause live tail"))
        self.pause.setCheckable(True)
        self.pause.toggled.connect(self._paused)
        self.export = QPushButton(self.tr("Export…"), self)
        self.export.setAccessibleName(self.tr("Export log"))
        self.export.clicked.connect(self.choose_export)
        self.summary = QLabel(self.tr("No requests yet."), self)
        self.summary.setObjectName("logSummary")
        self.summary.setAccessibleName(self.tr("Log summary"))
        self.chart = LineChart(self.tr("Request latency and error rate (last 5 min)"), self, right_axis_label="errors")
        self.chart.setMinimumHeight(80)  # the dock can be made short on a 720 px screen

        body = QWidget(self)
        controls = QHBoxLayout()
        for widget in (self.level, self.endpoint, self.status):
            controls.addWidget(widget)
        controls.addWidget(self.search, 1)
        controls.addWidget(self.pause)
        controls.addWidget(self.export)
        splitter = QSplitter(Qt.Orientation.Horizontal, body)
        splitter.addWidget(self.table)
        splitter.addWidget(self.chart)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.addLayout(controls)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.summary)
        self.setWidget(body)
        make_accessible(self)
        self._endpoints: set[str] = set()
        self._last_chart = 0.0
        self._flush_timer = QTimer(self, interval=200)
        self._flush_timer.timeout.connect(self.flush)
        self._flush_timer.start()

    def _combo(self, name: str, items: Sequence[str]) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(name)
        for item in items:  # the English word is the filter's value; the user reads it translated
            combo.addItem(self.tr(item), item)
        combo.currentIndexChanged.connect(self._apply_filter)
        return combo

    def _apply_filter(self) -> None:
        level = self.level.currentData()
        self.filter.update(
            min_level=level if level in LEVELS else "DEBUG",
            endpoint=self.endpoint.currentData() if self.endpoint.currentIndex() > 0 else "",
            status_class=self.status.currentData(),
            text=self.search.text().strip(),
        )

    def add_event(self, event: ActivityEvent) -> None:
        self.pending.put(row_from_event(event))

    def attach_logging(self) -> None:
        logging.getLogger().addHandler(self.record_feed)

    def detach_logging(self) -> None:
        logging.getLogger().removeHandler(self.record_feed)
        self._flush_timer.stop()

    def _paused(self, paused: bool) -> None:
        self.pause.setText("Resume" if paused else "Pause")
        self.pause.setAccessibleName("Resume live tail" if paused else "Pause live tail")
        if not paused:
            self.flush()

    def flush(self) -> None:
        if self.pause.isChecked():
            if len(self.pending):
                self.summary.setText(
                    self.tr("Paused — {0} new entries waiting. Press Resume to see them.").format(len(self.pending))
                )
            return
        batch = self.pending.take()
        if batch:
            scrollbar = self.table.verticalScrollBar()
            at_bottom = scrollbar.value() >= scrollbar.maximum() - 2
            self.model.append_batch(batch)
            for endpoint in {r.endpoint for r in batch if r.endpoint} - self._endpoints:
                self._endpoints.add(endpoint)
                self.endpoint.addItem(endpoint, endpoint)
            if at_bottom:
                self.table.scrollToBottom()
        now = time.time()
        if batch or now - self._last_chart > 5:
            self._refresh_chart(now)

    def _refresh_chart(self, now: float) -> None:
        self._last_chart = now
        rows = self.model.rows()
        labels, series = latency_series(rows, now)
        self.chart.set_data(labels, series)
        requests = [r for r in rows if r.latency_ms is not None][-500:]
        if requests:
            latencies = sorted(r.latency_ms or 0.0 for r in requests)
            errors = sum(r.is_error for r in requests) / len(requests)
            self.summary.setText(
                self.tr("Last {0} requests — latency p50 {1:.0f} ms, p95 {2:.0f} ms, errors {3:.0%}").format(
                    len(requests),
                    statistics.median(latencies),
                    latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))],
                    errors,
                )
            )

    def choose_export(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, "Export log", "sealpost-log.csv", "CSV files (*.csv)")
        if path:
            self.export_to(Path(path))

    def _exported(self, count: int, path: Path) -> None:
        self.summary.setText(self.tr("Exported {count} entries to {path}.").format(count=count, path=path))
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Log exported"),
                          self.tr("{count} entries were written to {path}.").format(count=count, path=path),
                          QMessageBox.StandardButton.Ok, self)  # fmt: skip
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # a confirmation that does not stop the tail
        self.export_confirmation = box
        self.exported.emit(count)

    def export_to(self, path: Path) -> None:
        """Write the rows that pass the current filters, on a worker (the file may be on a slow disk)."""
        rows = [self.model.row_at(self.filter.mapToSource(self.filter.index(r, 0)).row())
                for r in range(self.filter.rowCount())]  # fmt: skip

        def write(_token: CancelToken) -> int:
            with path.open("w", newline="", encoding="utf-8") as stream:
                writer = csv.writer(stream)
                writer.writerow(HEADERS)
                writer.writerows(row.exported_cells() for row in rows)
            return len(rows)

        self._jobs.submit(write, name="export log",
                          on_result=lambda count: self._exported(count, path),
                          on_error=lambda e: self.summary.setText(self.tr("Could not export the log: {0}").format(e)))  # fmt: skip  # noqa: E501
