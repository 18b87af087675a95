"""Status and history: sent messages, filters, per-recipient delivery, the timeline, a summary chart."""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDate, QDateTime, Qt, QTime, QTimer
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.delivery_status import DELIVERY_STATUSES, INTERNAL_ERROR
from desktop_app.core.outbox_state import OutboxState
from desktop_app.ui.a11y import make_accessible, tab_chain
from desktop_app.ui.charts import SERIES_COLOURS, BarChart, Series
from desktop_app.ui.i18n import words
from desktop_app.ui.jobs import CancelToken, JobRunner
from desktop_app.ui.message_model import (
    Column,
    MessageTableModel,
    clock_time,
    follow_shown,
    read_rows_on_screen,
    readable_recipients,
)
from desktop_app.ui.message_print import RecordButtons
from desktop_app.ui.search_highlight import SearchHighlightDelegate
from desktop_app.ui.tables import MessageTable, message_list

if TYPE_CHECKING:  # the store loads on the worker that opens it, after the window has painted
    from desktop_app.api.models import RecipientDelivery
    from desktop_app.services.history import History
    from desktop_app.store.messages import HistoryFilter, StatusEvent, StoredMessage


def delivery_text(message: StoredMessage) -> str:
    """What the Delivery column says. A message the user marked as sent has no tracking id, so
    Paubox is never asked about it: saying "processing" would wait for an answer that never comes."""
    if message.delivery_summary in ("bounced", "soft bounced"):
        return f"⚠ {words(message.delivery_summary)}"  # marked, for the eye and for a screen reader
    if message.delivery_summary:
        return words(message.delivery_summary)
    if message.tracking_id is None:
        return words("sent (marked by you)")
    return words("processing")


HISTORY_COLUMNS = (
    Column(str(QT_TRANSLATE_NOOP("columns", "Sent")), lambda m: clock_time(m.accepted_at or m.created_at)),
    Column(str(QT_TRANSLATE_NOOP("columns", "To")), lambda m: readable_recipients(m.recipients)),
    Column(str(QT_TRANSLATE_NOOP("columns", "Subject")), lambda m: m.subject),
    Column(str(QT_TRANSLATE_NOOP("columns", "Delivery")), delivery_text),
    Column(str(QT_TRANSLATE_NOOP("columns", "Tag")), lambda m: m.tag),
    Column(str(QT_TRANSLATE_NOOP("columns", "Tracking id")), lambda m: m.tracking_id or ""),
)

# Paubox's own words, offered as they are so a filter matches exactly (not the transient internal error).
FILTER_STATUSES = tuple(status for status in DELIVERY_STATUSES if status != INTERNAL_ERROR)
DATE_RANGES = (str(QT_TRANSLATE_NOOP("StatusView", "Any time")), str(QT_TRANSLATE_NOOP("StatusView", "Today")),
               str(QT_TRANSLATE_NOOP("StatusView", "Last 7 days")), str(QT_TRANSLATE_NOOP("StatusView", "Last 30 days")),  # noqa: E501
               str(QT_TRANSLATE_NOOP("StatusView", "Between…")))  # fmt: skip
CHART_DAYS = 14
CHART_SETTLE_MS = 400


@dataclass(frozen=True)
class MessageDetail:
    message: StoredMessage
    statuses: list[RecipientDelivery]
    events: list[StatusEvent]


def daily_summary(store: History, now: float) -> tuple[list[str], list[Series]]:
    """Sent, delivered, bounced and opened per day over the last two weeks (runs on a worker)."""
    today = time.localtime(now)
    midnight = time.mktime((today.tm_year, today.tm_mon, today.tm_mday, 0, 0, 0, 0, 0, -1))
    start = midnight - (CHART_DAYS - 1) * 86400
    counts = store.daily_counts(start, CHART_DAYS)
    labels = [time.strftime("%d %b", time.localtime(start + i * 86400 + 43200)) for i in range(CHART_DAYS)]
    return labels, [
        Series(name, SERIES_COLOURS[name], tuple(float(v) for v in values)) for name, values in counts.items()
    ]


class StatusView(QWidget):
    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._store: History | None = None
        self._chart_stale = True
        self.model = MessageTableModel(HISTORY_COLUMNS, jobs, self)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search subject, body and recipients (Ctrl+F)"))
        self.search.setAccessibleName(self.tr("Search history"))
        self.search.setClearButtonEnabled(True)
        self.status_filter = QComboBox(self)
        self.status_filter.setAccessibleName(self.tr("Delivery status filter"))
        self.status_filter.addItem(self.tr("Any status"), "")
        for status in FILTER_STATUSES:
            self.status_filter.addItem(words(status), status)
        self.recipient = QLineEdit(self)
        self.recipient.setAccessibleName(self.tr("Recipient filter"))
        self.recipient.setPlaceholderText(self.tr("Recipient"))
        self.recipient.setClearButtonEnabled(True)
        self.tag = QLineEdit(self)
        self.tag.setAccessibleName(self.tr("Tag filter"))
        self.tag.setPlaceholderText(self.tr("Tag"))
        self.tag.setClearButtonEnabled(True)
        self.date_range = QComboBox(self)
        self.date_range.setAccessibleName(self.tr("Date range"))
        for choice in DATE_RANGES:
            self.date_range.addItem(self.tr(str(choice)), choice)  # the English word is the choice's data
        self.date_from = QDateEdit(QDate.currentDate().addDays(-7), self)
        self.date_from.setAccessibleName(self.tr("From date"))
        self.date_to = QDateEdit(QDate.currentDate(), self)
        self.date_to.setAccessibleName(self.tr("To date"))
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.hide()
            edit.dateChanged.connect(self._schedule_filter)
        self.count = QLabel(self)
        self.count.setObjectName("hint")
        self.count.setAccessibleName(self.tr("Result count"))

        self.table = MessageTable(self)
        self.table.setModel(self.model)
        header = message_list(self.table, self.tr("Sent messages"), (125, 220, 240, 110, 90, 150))
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)  # spare width goes to the Subject,
        # not to the Tracking id (a copyable detail, in the pane below)
        self.matches = SearchHighlightDelegate(self.table)  # the searched words, marked in To and Subject
        for column, spec in enumerate(self.model.columns):
            if spec.title in ("To", "Subject"):
                self.table.setItemDelegateForColumn(column, self.matches)

        self.detail = QTextBrowser(self)
        self.detail.setAccessibleName(self.tr("Message details"))
        self.detail.setOpenLinks(False)
        self.detail.setPlaceholderText(self.tr("Select a message to see each recipient's status and its timeline."))
        self.tracking = QLineEdit(self)
        self.tracking.setReadOnly(True)
        self.tracking.setAccessibleName(self.tr("Tracking id"))
        self.tracking.setPlaceholderText(self.tr("Tracking id"))
        self.copy_tracking = QPushButton(self.tr("Copy"), self)
        self.copy_tracking.setAccessibleName(self.tr("Copy tracking id"))
        self.copy_tracking.setEnabled(False)
        self.copy_tracking.clicked.connect(self._copy_tracking_id)
        self.chart = BarChart(self.tr("Last {0} days").format(CHART_DAYS), self)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        for widget in (self.status_filter, self.recipient, self.tag, self.date_range, self.date_from, self.date_to):
            filters.addWidget(widget, 1)
        detail_pane = QWidget(self)
        detail_layout = QVBoxLayout(detail_pane)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        tracking_row = QHBoxLayout()
        tracking_label = QLabel(self.tr("Tracking id"), self)
        tracking_label.setBuddy(self.tracking)
        tracking_row.addWidget(tracking_label)
        tracking_row.addWidget(self.tracking, 1)
        tracking_row.addWidget(self.copy_tracking)
        self.record_buttons = RecordButtons(jobs, self._shown, self)
        tracking_row.addWidget(self.record_buttons)
        detail_layout.addLayout(tracking_row)
        detail_layout.addWidget(self.detail, 1)
        lower = QSplitter(Qt.Orientation.Horizontal, self)
        lower.addWidget(detail_pane)
        lower.addWidget(self.chart)
        lower.setSizes([600, 380])
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setSizes([380, 240])
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.count)
        layout.addWidget(splitter, 1)
        make_accessible(self)  # the filters' visible labels are placeholders
        tab_chain(self.table, self.tracking, self.copy_tracking, self.detail)  # the tracking row is above

        self._filter_timer = QTimer(self, singleShot=True, interval=250)
        self._filter_timer.timeout.connect(self.apply_filters)
        self._chart_timer = QTimer(self, singleShot=True, interval=2000)
        self._chart_timer.timeout.connect(self._chart_changed)
        for line in (self.search, self.recipient, self.tag):
            line.textChanged.connect(self._schedule_filter)
        self.status_filter.currentIndexChanged.connect(self._schedule_filter)
        self.date_range.currentIndexChanged.connect(self._date_range_changed)
        self.table.selectionModel().selectionChanged.connect(self.show_selected)
        self.model.rows_read.connect(self._refresh_detail_if_read)  # a new event may change no word in the list
        self.model.listed.connect(self._update_count)
        follow_shown(self, self.model)
        read_rows_on_screen(self.table, self.model)
        self.model.total_changed.connect(self._update_count)
        self.model.listed.connect(self._forget_detail_if_gone)
        # The chart is secondary to the table and to what the user types: it is summarised once the
        # view has been quiet for a moment, so its query never delays a search or a filter.
        self._chart_settle = QTimer(self, singleShot=True, interval=CHART_SETTLE_MS)
        self._chart_settle.timeout.connect(self._refresh_chart_if_stale)
        self.model.listed.connect(self._chart_settle.start)

    def set_store(self, store: History) -> None:
        """List the history at once; the chart follows once the first rows are shown (it reads more)."""
        self._store = store
        self._chart_stale = True
        self.model.set_store(store, self.current_filter())

    def messages_changed(self, message_ids: Collection[int]) -> None:
        self.model.messages_changed(message_ids)
        self._chart_timer.start()  # once changes pause: a busy send would otherwise redraw it constantly

    # ------------------------------------------------------------------ filters

    def _schedule_filter(self) -> None:
        self._filter_timer.start()

    def _date_range_changed(self) -> None:
        custom = self.date_range.currentData() == DATE_RANGES[-1]
        self.date_from.setVisible(custom)
        self.date_to.setVisible(custom)
        self._schedule_filter()

    def current_filter(self) -> HistoryFilter:
        from desktop_app.store.messages import HistoryFilter  # loaded with the store

        since, until = self._date_bounds()
        return HistoryFilter(
            states=(OutboxState.ACCEPTED,),
            search=self.search.text(),
            delivery_status=str(self.status_filter.currentData() or ""),
            recipient=self.recipient.text(),
            tag=self.tag.text().strip(),
            since=since,
            until=until,
        )

    def _date_bounds(self) -> tuple[float | None, float | None]:
        choice = self.date_range.currentData()
        today = QDate.currentDate()
        start = {"Today": today, "Last 7 days": today.addDays(-6), "Last 30 days": today.addDays(-29)}.get(choice)
        if start is not None:
            return float(QDateTime(start, QTime(0, 0)).toSecsSinceEpoch()), None
        if choice == DATE_RANGES[-1]:
            first, last = self.date_from.date(), self.date_to.date()
            return (float(QDateTime(first, QTime(0, 0)).toSecsSinceEpoch()),
                    float(QDateTime(last.addDays(1), QTime(0, 0)).toSecsSinceEpoch()))  # fmt: skip
        return None, None

    def apply_filters(self) -> None:
        self._filter_timer.stop()
        self.matches.set_query(self.search.text())
        self.model.set_filter(self.current_filter())
        self.table.viewport().update()

    def _update_count(self) -> None:
        total = self.model.total
        rows = self.model.rowCount() if total is None else total
        more = "+" if total is None and self.model.canFetchMore() else ""  # still being counted
        self.count.setText(self.tr("{0:,}{1} message{2}").format(rows, more, "s" if rows != 1 or more else ""))

    # ------------------------------------------------------------------ detail pane

    def _refresh_detail_if_read(self, message_ids: set[int]) -> None:
        message = self.selected()
        if message is not None and message.id in message_ids:
            self.show_selected()

    def _forget_detail_if_gone(self) -> None:
        """A search or filter that leaves the shown message out also clears the pane (never a stale message)."""
        if not self.table.selectionModel().selectedRows():
            self.detail.clear()
            self.tracking.clear()
            self.copy_tracking.setEnabled(False)
            self.record_buttons.setEnabled(False)

    def _shown(self) -> tuple[History, StoredMessage] | None:
        message = self.selected()
        return (self._store, message) if self._store is not None and message is not None else None

    def selected(self) -> StoredMessage | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.message_at(rows[0].row()) if rows else None

    def show_selected(self) -> None:
        message = self.selected()
        store = self._store
        if message is None or store is None:
            return

        def load(_token: CancelToken) -> MessageDetail:
            return MessageDetail(message, store.recipient_statuses(message.id), store.timeline(message.id))

        self._jobs.submit(load, name="load detail", on_result=self._render_detail)

    def _render_detail(self, detail: MessageDetail) -> None:
        current = self.selected()
        if current is None or current.id != detail.message.id:
            return
        message = detail.message
        self.tracking.setText(message.tracking_id or "")
        self.copy_tracking.setEnabled(bool(message.tracking_id))
        self.record_buttons.setEnabled(True)
        from desktop_app.ui.message_view import recipients_html, timeline_html

        parts = [f"<h3>{escape(message.subject)}</h3>",
                 recipients_html(detail.statuses, "Waiting for Paubox's first delivery report…"),
                 "<h4>Timeline</h4>", timeline_html(detail.events),
                 "<p><i>Double-click or press Enter to open the whole message.</i></p>"]  # fmt: skip
        self.detail.setHtml("".join(parts))

    def _copy_tracking_id(self) -> None:
        QGuiApplication.clipboard().setText(self.tracking.text())
        self.copy_tracking.setText(self.tr("Copied"))
        QTimer.singleShot(1500, self.copy_tracking, lambda: self.copy_tracking.setText(self.tr("Copy")))

    # ------------------------------------------------------------------ chart

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._refresh_chart_if_stale()

    def _chart_changed(self) -> None:
        self._chart_stale = True
        self._refresh_chart_if_stale()

    def _refresh_chart_if_stale(self) -> None:
        if self.model.loading:
            self._chart_settle.start()  # a list or search is on its way: let it have the store first
        elif self._chart_stale:
            self.refresh_chart()

    def refresh_chart(self) -> None:
        """Summarise the last days on a worker, only while the view is showing (else on showing)."""
        store = self._store
        if store is None or not self.isVisible():
            self._chart_stale = True
            return
        self._chart_stale = False
        now = time.time()
        self._jobs.submit(lambda _token: daily_summary(store, now), name="history chart",
                          on_result=lambda result: self.chart.set_data(*result))  # fmt: skip

    def status_text_for(self, message_id: int) -> str:
        row = self.model.row_of(message_id)
        message = self.model.message_at(row) if row >= 0 else None
        return message.delivery_summary if message else ""
