"""A lazy table model over the message store, shared by the Outbox and Status views.

It holds only the ids matching the current filter and fetches rows a page at a time on a
background job, so a history of 100,000 messages opens as fast as one of ten, and the GUI
thread never waits on the database.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.header import decode_header, make_header
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer

from desktop_app.core.times import shown_time
from desktop_app.ui.jobs import CancelToken, JobRunner

if TYPE_CHECKING:  # the store (SQLCipher, keyring) loads on the worker that opens it, after the first paint
    from desktop_app.store.messages import HistoryFilter, MessageStore, StoredMessage

log = logging.getLogger(__name__)

PAGE = 200
ModelIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    title: str
    value: Callable[[StoredMessage], str]


def relative_time(moment: float | None, now: float | None = None) -> str:
    if moment is None:
        return ""
    delta = moment - (now if now is not None else time.time())
    if abs(delta) < 1:
        return "now"
    amount = abs(delta)
    unit = "s"
    if amount >= 3600:
        amount, unit = amount / 3600, "h"
    elif amount >= 60:
        amount, unit = amount / 60, "min"
    text = f"{amount:.0f} {unit}"
    return f"in {text}" if delta > 0 else f"{text} ago"


def readable_recipients(text: str) -> str:
    """The store keeps RFC 2047-encoded display names (``=?utf-8?b?…?=``); show them as people wrote them."""
    if "=?" not in text:
        return text
    try:
        return str(make_header(decode_header(text)))
    except (ValueError, LookupError):
        return text


def clock_time(moment: float | None) -> str:
    """Local, ``HH:MM`` today and with the date on other days, like every time the app shows."""
    return shown_time(moment) if moment else ""


class MessageTableModel(QAbstractTableModel):
    """Empty until :meth:`set_store` gives it a store and the filter to list."""

    def __init__(self, columns: Sequence[Column], jobs: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._jobs = jobs
        self._store: MessageStore | None = None
        self._filter: HistoryFilter | None = None
        self._ids: list[int] = []
        self._rows: dict[int, StoredMessage] = {}
        self._pending_pages: set[int] = set()
        self._generation = 0
        self._loaded_generation = 0
        self._refresh_timer = QTimer(self, singleShot=True, interval=150)
        self._refresh_timer.timeout.connect(self.refresh)
        self._dirty: set[int] = set()

    # ------------------------------------------------------------------ data source

    def set_store(self, store: MessageStore, flt: HistoryFilter) -> None:
        self._store = store
        self.set_filter(flt)

    def set_filter(self, flt: HistoryFilter) -> None:
        self._filter = flt
        self.refresh()

    def message_changed(self, message_id: int) -> None:
        """Coalesce bursts of changes into one refresh (sending 1,000 messages is 3,000 changes)."""
        self._dirty.add(message_id)
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def refresh(self) -> None:
        store, flt = self._store, self._filter
        if store is None or flt is None:
            return
        self._generation += 1
        generation = self._generation
        dirty, self._dirty = self._dirty, set()

        def load(_token: CancelToken) -> tuple[list[int], list[StoredMessage]]:
            ids = store.list_ids(flt)
            return ids, store.get_many(ids[:PAGE])

        def apply(result: tuple[list[int], list[StoredMessage]]) -> None:
            if generation != self._generation:
                return
            self._loaded_generation = generation
            ids, first_page = result
            for message_id in dirty:
                self._rows.pop(message_id, None)
            if ids != self._ids:
                listed = set(ids)  # once: with 100,000 ids, building it per cached row froze the window
                self.beginResetModel()
                self._ids = ids
                self._rows = {i: m for i, m in self._rows.items() if i in listed} | {m.id: m for m in first_page}
                self._pending_pages.clear()
                self.endResetModel()
            else:
                for message in first_page:
                    self._rows[message.id] = message
                if self._ids:
                    self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(self.columns) - 1))

        def failed(error: BaseException) -> None:
            if generation == self._generation:
                self._loaded_generation = generation
            log.error("could not list messages", exc_info=(type(error), error, error.__traceback__))

        self._jobs.submit(load, name="load messages", on_result=apply, on_error=failed)

    @property
    def loading(self) -> bool:
        """A list for the current filter has been asked for and has not arrived yet."""
        return self._loaded_generation != self._generation

    def _fetch_page(self, page: int) -> None:
        store = self._store
        if store is None or page in self._pending_pages:
            return
        self._pending_pages.add(page)
        ids = self._ids[page * PAGE : (page + 1) * PAGE]
        generation = self._generation

        def apply(rows: list[StoredMessage]) -> None:
            self._pending_pages.discard(page)
            if generation != self._generation:
                return
            for message in rows:
                self._rows[message.id] = message
            first, last = page * PAGE, min(len(self._ids), (page + 1) * PAGE) - 1
            if last >= first:
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.columns) - 1))

        self._jobs.submit(lambda _token: store.get_many(ids), name="load page", on_result=apply)

    # ------------------------------------------------------------------ Qt model API

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal and 0 <= section < len(self.columns):
            return self.columns[section].title
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._ids)):
            return None
        message = self._rows.get(self._ids[index.row()])
        if message is None:
            if role == Qt.ItemDataRole.DisplayRole:
                self._fetch_page(index.row() // PAGE)
                return "…"
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.columns[index.column()].value(message)
        if role == Qt.ItemDataRole.UserRole:
            return message.id
        return None

    def message_at(self, row: int) -> StoredMessage | None:
        if 0 <= row < len(self._ids):
            return self._rows.get(self._ids[row])
        return None

    def row_of(self, message_id: int) -> int:
        try:
            return self._ids.index(message_id)
        except ValueError:
            return -1
