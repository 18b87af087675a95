"""A lazy table model over the message store, shared by the Outbox and Status views.

It lists the first ids matching the current filter (more as the view scrolls to the end), counts
the matches apart, and fetches rows a page at a time, all on background jobs, so a history of a
million messages opens as fast as one of ten and the GUI thread never waits on the database.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from email.header import decode_header, make_header
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import QWidget

from desktop_app.core.times import shown_time
from desktop_app.ui.jobs import CancelToken, JobRunner
from desktop_app.ui.pacing import Pace

if TYPE_CHECKING:  # the store (SQLCipher, keyring) loads on the worker that opens it, after the first paint
    from desktop_app.services.history import History
    from desktop_app.store.history_pages import PageKey
    from desktop_app.store.messages import HistoryFilter, StoredMessage

log = logging.getLogger(__name__)

PAGE = 200
LISTED = 500
"""Ids listed at first (and then per scroll to the end): a filter matching 2 % of a million messages
walks about 25,000 index entries to find its first 500 (100,000 for 2,000)."""
COUNT_DELAY_MS = 400
"""The count of a new filter waits until the user has seen its first rows and stopped typing."""
RECOUNT_MS = 2_000
"""While messages change, the count is asked again at most this often (it reads every match)."""
REFRESH_MS = 150
"""A burst of changes is listed again this long after its first change."""
BUSY_REFRESH_MS = 400
"""While changes keep coming (another process's batch), a showing list follows them this often."""
HIDDEN_REFRESH_MS = 1_000
"""The same for a list that is not showing (its badge, its count stay current within a second):
while another process sends, it reads about 7 times less."""
MOST_STEPS = 8
"""Runs of rows inserted or removed in one refresh before a reset is cheaper for the view."""
ModelIndex = QModelIndex | QPersistentModelIndex
PAINTED_ROLES, PAINTED_TEXT_AT = 7, 5
"""What ``QStyledItemDelegate.initStyleOption`` asks in one ``multiData``: seven roles, the text sixth."""
DISPLAY_ROLE = int(Qt.ItemDataRole.DisplayRole)


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    """``[2, 3, 4, 9]`` → ``[(2, 4), (9, 9)]``: ascending positions as runs of neighbours."""
    runs: list[tuple[int, int]] = []
    for n in positions:
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


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


class _FollowShown(QObject):
    """Tells a model whether the widget that shows it is on screen (see :meth:`MessageTableModel.set_active`)."""

    def __init__(self, widget: QWidget, model: MessageTableModel) -> None:
        super().__init__(widget)
        self._model = model
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Show, QEvent.Type.Hide):
            self._model.set_active(event.type() == QEvent.Type.Show)
        return False


def follow_shown(widget: QWidget, model: MessageTableModel) -> None:
    """``model`` follows changes at once while ``widget`` shows, at a slower pace while it is hidden."""
    model.set_active(widget.isVisible())
    _FollowShown(widget, model)


class MessageTableModel(QAbstractTableModel):
    """Empty until :meth:`set_store` gives it a store and the filter to list."""

    total_changed = Signal()  # :attr:`total` was counted, or is being counted again (None)
    listed = Signal()  # the listed ids changed (a reset, or rows inserted and removed)

    def __init__(self, columns: Sequence[Column], jobs: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._jobs = jobs
        self._store: History | None = None
        self._filter: HistoryFilter | None = None
        self._ids: list[int] = []
        self._rows: dict[int, StoredMessage] = {}
        self._pending_pages: set[int] = set()
        self._generation = 0
        self._loaded_generation = 0
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._pace = Pace(REFRESH_MS, BUSY_REFRESH_MS)
        self._dirty: set[int] = set()
        self._active = True
        self._listed_filter: HistoryFilter | None = None
        self._after: PageKey | None = None  # where the next ids start; None once all are listed
        self._fetching_more = False
        self.total: int | None = None  # how many match, once counted (the list holds the first ones)
        self._count_timer = QTimer(self, singleShot=True)
        self._count_timer.timeout.connect(self._count)

    # ------------------------------------------------------------------ data source

    def set_store(self, store: History, flt: HistoryFilter) -> None:
        self._store = store
        self.set_filter(flt)

    def set_filter(self, flt: HistoryFilter) -> None:
        self._filter = flt
        self.refresh()

    def messages_changed(self, message_ids: Collection[int]) -> None:
        """Coalesce bursts of changes into one refresh (sending 1,000 messages is 3,000 changes),
        at a steady pace while they keep coming (see ui/pacing.py); a list that is not showing
        follows them at a slower pace, and catches up when it shows."""
        self._dirty.update(message_ids)
        if not self._refresh_timer.isActive():
            self._refresh_timer.start(self._pace.delay_ms() if self._active else HIDDEN_REFRESH_MS)

    def set_active(self, active: bool) -> None:
        """Whether the list is on screen (see :func:`follow_shown`)."""
        self._active = active
        if active and self._refresh_timer.isActive() and self._refresh_timer.remainingTime() > REFRESH_MS:
            self._refresh_timer.start(REFRESH_MS)

    def refresh(self) -> None:
        """List the ids again and read only the rows that changed or were never read; the rows on
        screen move by inserts and removals, so the selection and the scroll position stay."""
        store, flt = self._store, self._filter
        if store is None or flt is None:
            return
        self._refresh_timer.stop()
        self._pace.ran()
        self._generation += 1
        generation = self._generation
        dirty, self._dirty = self._dirty, set()
        same = flt == self._listed_filter  # a change to what is listed: keep as many rows as were shown
        limit = max(LISTED, len(self._ids)) if same else LISTED
        cached = set(self._rows) if same else set()
        stale = cached & dirty
        known = cached - dirty

        def load(_token: CancelToken) -> tuple[list[int], PageKey | None, list[StoredMessage]]:
            ids, after = store.page(flt, limit=limit)
            wanted = [i for n, i in enumerate(ids) if i in stale or (n < PAGE and i not in known)]
            return ids, after, store.get_many(wanted)

        def apply(result: tuple[list[int], PageKey | None, list[StoredMessage]]) -> None:
            if generation != self._generation:
                return
            self._loaded_generation = generation
            ids, after, fetched = result
            self._after, self._listed_filter = after, flt
            for message_id in dirty:
                self._rows.pop(message_id, None)
            for message in fetched:
                self._rows[message.id] = message
            if ids != self._ids or not same:
                in_place = ({m.id for m in fetched} | dirty) & set(self._ids)
                self._relist(ids, reset=not same)
                self.listed.emit()
            else:
                in_place = {m.id for m in fetched} | dirty
            self._rows_changed(in_place)
            if after is None:  # everything is listed: that is the count
                self._count_timer.stop()
                self._set_total(len(ids))
            elif not same or self.total is None:
                self._set_total(None)
                self._count_timer.start(COUNT_DELAY_MS)
            elif not self._count_timer.isActive():  # changes while listed: recount now and then
                self._count_timer.start(RECOUNT_MS)

        def failed(error: BaseException) -> None:
            if generation == self._generation:
                self._loaded_generation = generation
            log.error("could not list messages", exc_info=(type(error), error, error.__traceback__))

        self._jobs.submit(load, name="load messages", on_result=apply, on_error=failed)

    def _relist(self, ids: list[int], *, reset: bool) -> None:
        """Show ``ids`` instead of the listed ones. The same filter's list moves by removing and
        inserting runs of rows when the ones kept stay in order and that takes few steps (a send
        moves a run at either end); a new filter's list, or a reordered one, replaces it (a reset)."""
        listed, before = set(ids), set(self._ids)  # once: with 100,000 ids, a set per row froze the window
        kept = [i for i in self._ids if i in listed]
        removed = _runs([n for n, i in enumerate(self._ids) if i not in listed])
        added = _runs([n for n, i in enumerate(ids) if i not in before])
        self._rows = {i: m for i, m in self._rows.items() if i in listed}
        if reset or [i for i in ids if i in before] != kept or len(removed) + len(added) > MOST_STEPS:
            self.beginResetModel()
            self._ids = ids
            self._pending_pages.clear()
            self.endResetModel()
            return
        for first, last in reversed(removed):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._ids[first : last + 1]
            self.endRemoveRows()
        for first, last in added:
            self.beginInsertRows(QModelIndex(), first, last)
            self._ids[first:first] = ids[first : last + 1]
            self.endInsertRows()
        self._pending_pages.clear()  # pages are counted from the top, which has moved

    def _rows_changed(self, message_ids: set[int]) -> None:
        """One ``dataChanged`` over the listed rows among ``message_ids`` (none: no repaint at all)."""
        rows = [n for n, i in enumerate(self._ids) if i in message_ids] if message_ids else []
        if rows:
            self.dataChanged.emit(self.index(rows[0], 0), self.index(rows[-1], len(self.columns) - 1))

    def _set_total(self, total: int | None) -> None:
        if total != self.total:
            self.total = total
            self.total_changed.emit()

    def _count(self) -> None:
        store, flt, generation = self._store, self._listed_filter, self._generation
        if store is None or flt is None:
            return

        def counted(total: int) -> None:
            if generation == self._generation:
                self._set_total(total)

        self._jobs.submit(lambda _token: store.count_matching(flt), name="count messages", on_result=counted,
                          on_error=lambda e: log.error("could not count messages: %s", type(e).__name__))  # fmt: skip

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._after is not None

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        """The view scrolled to the last listed row: list the next ids (keyset paging, never OFFSET)."""
        store, flt, after, generation = self._store, self._listed_filter, self._after, self._generation
        if parent.isValid() or store is None or flt is None or after is None or self._fetching_more:
            return
        self._fetching_more = True

        def apply(result: tuple[list[int], PageKey | None]) -> None:
            self._fetching_more = False
            if generation != self._generation:
                return
            listed = set(self._ids)
            ids = [i for i in result[0] if i not in listed]
            self._after = result[1]
            if ids:
                self.beginInsertRows(QModelIndex(), len(self._ids), len(self._ids) + len(ids) - 1)
                self._ids.extend(ids)
                self.endInsertRows()

        def failed(error: BaseException) -> None:
            self._fetching_more = False
            log.error("could not list more messages", exc_info=(type(error), error, error.__traceback__))

        self._jobs.submit(lambda _token: store.page(flt, limit=LISTED, after=after), name="list more messages",
                          on_result=apply, on_error=failed)  # fmt: skip

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
            return QCoreApplication.translate("columns", str(self.columns[section].title))  # QT_TRANSLATE_NOOP'd
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

    def multiData(self, index: ModelIndex, roleDataSpan: QModelRoleDataSpan | QModelRoleData) -> None:
        """Every role a delegate asks of one cell, in one call into Python instead of seven: each such
        call waits for Python's lock when a worker runs, and a repaint of the list is a hundred cells.

        A painting delegate asks seven roles (font, alignment, colours, check state, icon, text,
        background) of which a list answers only the text: that one is set alone. The others keep the
        empty value the delegate made them with, which is what this model answers for them; every
        cross into the binding (a role, a value) cost as much as the cell's own words."""
        # The span has len() and [n] at run time; its type stub declares neither.
        cells = (
            [roleDataSpan] if isinstance(roleDataSpan, QModelRoleData) else cast(Sequence[QModelRoleData], roleDataSpan)
        )
        row = index.row()
        message = self._rows.get(self._ids[row]) if 0 <= row < len(self._ids) else None
        if message is not None and len(cells) == PAINTED_ROLES:
            text = cells[PAINTED_TEXT_AT]
            if text.role() == DISPLAY_ROLE:
                text.setData(self.columns[index.column()].value(message))
                return
        for n in range(len(cells)):
            cells[n].setData(self.data(index, cells[n].role()))

    def message_at(self, row: int) -> StoredMessage | None:
        if 0 <= row < len(self._ids):
            return self._rows.get(self._ids[row])
        return None

    def row_of(self, message_id: int) -> int:
        try:
            return self._ids.index(message_id)
        except ValueError:
            return -1
