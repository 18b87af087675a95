"""A lazy table model over the message store, shared by the Outbox and Status views.

It lists the first ids matching the current filter (more as the view scrolls to the end), counts
the matches apart, and fetches rows a page at a time, all on background jobs, so a history of a
million messages opens as fast as one of ten and the GUI thread never waits on the database.

The cells' words are kept by Qt (a ``QStandardItemModel``), written when a row is read or changes:
a repaint of the list then runs no Python, so it never waits for Python's lock while a worker (or
another process's batch followed here) keeps it busy. Painting a list through a Python model waited
for the lock at every cell: 75 to 120 ms for 40 rows beside two busy threads, against 20 to 35 ms here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from email.header import decode_header, make_header
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QWidget

from desktop_app.core.times import shown_time
from desktop_app.ui.jobs import CancelToken, JobRunner
from desktop_app.ui.pacing import Pace
from desktop_app.ui.tables import MessageTable

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
TICK_MS = 1_000
"""How often a list with a column of times to come ("in 5 s") writes them again while it shows."""
ModelIndex = QModelIndex | QPersistentModelIndex
DISPLAY, TOOLTIP, MESSAGE_ID = (int(r) for r in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                                                 Qt.ItemDataRole.UserRole))  # fmt: skip
CELL_FLAGS = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled


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
    ticking: bool = False  # its words change with the clock alone ("in 5 s"): written again every TICK_MS


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


class _RowsOnScreen(QObject):
    """Tells a model which rows a table shows: at once on a scroll (before the scrolled view paints),
    once per turn of the event loop when they may have moved otherwise (a new size; rows listed,
    removed, read)."""

    def __init__(self, table: MessageTable, model: MessageTableModel) -> None:
        super().__init__(table)
        self._table, self._model = table, model
        self._soon = QTimer(self, singleShot=True, interval=0)
        self._soon.timeout.connect(self._tell)
        bar = table.verticalScrollBar()
        bar.valueChanged.connect(self._tell)
        for signal in (bar.rangeChanged, model.modelReset, model.rowsInserted, model.rowsRemoved, model.dataChanged):
            signal.connect(self._schedule)
        table.resized.connect(self._schedule)
        model.on_screen = self.shown
        table.destroyed.connect(model.forget_screen)

    def _schedule(self, *_what: object) -> None:
        self._soon.start()

    def shown(self) -> tuple[int, int]:
        """Rows are one line each: as many as the viewport's height holds, from the top one."""
        table = self._table
        fits = -(-table.viewport().height() // max(1, table.verticalHeader().defaultSectionSize()))
        first = max(0, table.rowAt(0))
        return first, min(self._model.rowCount() - 1, first + max(1, fits) - 1)

    def _tell(self, *_what: object) -> None:
        self._model.show_rows()


def read_rows_on_screen(table: MessageTable, model: MessageTableModel) -> None:
    """The rows ``table`` shows (and half a screen around them) are read from the store and their
    words written into Qt's cells as they come into view; the first ``PAGE`` of a list are read with
    it. A model no table tells writes every row it reads."""
    _RowsOnScreen(table, model)


class MessageTableModel(QStandardItemModel):
    """Empty until :meth:`set_store` gives it a store and the filter to list.

    ``_ids`` are the listed rows, in order; ``_rows`` the messages read of them; ``_written`` the
    words each read row's cells hold, so a change writes only the cells whose words changed. Words
    are written for the rows around those :attr:`on_screen` (every row when no table tells), and
    kept current for the rows written once: a send that reads 200 new rows writes the 30 on screen."""

    total_changed = Signal()  # :attr:`total` was counted, or is being counted again (None)
    listed = Signal()  # the listed ids changed (a reset, or rows inserted and removed)
    rows_read = Signal(object)  # set[int]: these messages were read again (their words may be the same)

    def __init__(self, columns: Sequence[Column], jobs: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(0, len(columns), parent)
        self.columns = list(columns)
        cell = QStandardItem()
        cell.setFlags(CELL_FLAGS)  # read-only: the cells Qt makes as words are written are copies of it
        self.setItemPrototype(cell)
        self.setHorizontalHeaderLabels([QCoreApplication.translate("columns", c.title) for c in self.columns])
        self._written: dict[int, list[str]] = {}
        self.on_screen: Callable[[], tuple[int, int]] | None = None  # the first and last row a table shows
        self._unwritten = False  # rows read or changed while the list was hidden
        self._tick = QTimer(self, interval=TICK_MS)
        self._tick.timeout.connect(lambda: self.write_cells(ticking_only=True))
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
        """Another profile's store numbers its messages from 1 too: nothing read from the last one
        is kept, even under the same filter."""
        if store is not self._store:
            self._rows, self._dirty, self._listed_filter = {}, set(), None
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
        if active and self._unwritten:
            self._unwritten = False
            self.write_cells()  # what changed while hidden, the times to come too
        if active and any(c.ticking for c in self.columns):
            self._tick.start()
        else:
            self._tick.stop()

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
            if generation != self._generation:  # a later refresh took over: it may count these as read
                self._changed_again(dirty)
                return
            self._loaded_generation = generation
            ids, after, fetched = result
            self._after, self._listed_filter = after, flt
            for message_id in dirty:
                self._rows.pop(message_id, None)
            for message in fetched:
                self._rows[message.id] = message
            if ids != self._ids or not same:
                self._relist(ids, reset=not same)
                self.listed.emit()
            read = {m.id for m in fetched} | dirty
            self.write_cells(read)
            self.rows_read.emit(read)
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
            self._changed_again(dirty)
            log.error("could not list messages", exc_info=(type(error), error, error.__traceback__))

        self._jobs.submit(load, name="load messages", on_result=apply, on_error=failed)

    def _changed_again(self, message_ids: set[int]) -> None:
        """Changes a refresh took and never applied are changes still: the next refresh reads them."""
        if message_ids and self._store is not None:
            self.messages_changed(message_ids)

    def _relist(self, ids: list[int], *, reset: bool) -> None:
        """Show ``ids`` instead of the listed ones. The same filter's list moves by removing and
        inserting runs of rows when the ones kept stay in order and that takes few steps (a send
        moves a run at either end); a new filter's list, or a reordered one, replaces it (a reset)."""
        listed, before = set(ids), set(self._ids)  # once: with 100,000 ids, a set per row froze the window
        kept = [i for i in self._ids if i in listed]
        removed = _runs([n for n, i in enumerate(self._ids) if i not in listed])
        added = _runs([n for n, i in enumerate(ids) if i not in before])
        self._rows = {i: m for i, m in self._rows.items() if i in listed}
        self._pending_pages.clear()  # pages are counted from the top, which may have moved
        if reset or [i for i in ids if i in before] != kept or len(removed) + len(added) > MOST_STEPS:
            self.beginResetModel()
            self.blockSignals(True)  # the reset says it all; rows removed and inserted inside it, not
            try:
                self.setRowCount(0)
                self.setRowCount(len(ids))
            finally:
                self.blockSignals(False)
            self._ids, self._written = ids, {}
            self.endResetModel()
            self.write_cells()  # the rows read before that are listed still
            return
        for first, last in reversed(removed):
            for message_id in self._ids[first : last + 1]:
                self._written.pop(message_id, None)
            del self._ids[first : last + 1]
            self.removeRows(first, last - first + 1)
        for first, last in added:
            self._ids[first:first] = ids[first : last + 1]
            self.insertRows(first, last - first + 1)

    def write_cells(self, message_ids: Collection[int] | None = None, *, ticking_only: bool = False) -> None:
        """Write the words of the listed rows among ``message_ids`` (all of them: None) into their
        cells, only those that changed, then one ``dataChanged`` over the rows written (none
        written: no repaint at all). A row no longer read is blanked, to be read again if it shows.

        Qt's own ``dataChanged`` per cell is held back meanwhile: a page is a thousand cells, and
        each signal would call every Python slot connected to it."""
        wanted = None if message_ids is None else set(message_ids)
        if wanted is not None and not wanted:
            return
        if not self._active:  # nobody sees the cells: written when the list shows
            self._unwritten = True
            return
        columns = [n for n, c in enumerate(self.columns) if c.ticking or not ticking_only]
        first = last = -1
        self.blockSignals(True)
        try:
            near = self._near()
            for row, message_id in enumerate(self._ids):
                if wanted is not None and message_id not in wanted:
                    continue
                if not near[0] <= row <= near[1] and message_id not in self._written:
                    continue  # written if it comes into view
                if self._write_row(row, message_id, columns):
                    first, last = (row if first < 0 else first), row
        finally:
            self.blockSignals(False)
        if first >= 0:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.columns) - 1))

    def _write_row(self, row: int, message_id: int, columns: list[int]) -> bool:
        message = self._rows.get(message_id)
        before = self._written.get(message_id)
        if message is None:
            if before is None:
                return False
            del self._written[message_id]
            for column in range(len(self.columns)):  # not clearItemData: it clears the cell's flags too
                self.setItemData(self.index(row, column), {DISPLAY: None, TOOLTIP: None, MESSAGE_ID: None})
            return True
        words = before[:] if before is not None else [""] * len(self.columns)
        wrote = False
        for column in columns if before is not None else range(len(self.columns)):
            text = self.columns[column].value(message)
            if before is None or text != words[column]:
                words[column], wrote = text, True
                cell: dict[int, object] = {DISPLAY: text, TOOLTIP: text}
                if column == 0:
                    cell[MESSAGE_ID] = message_id
                self.setItemData(self.index(row, column), cell)
        self._written[message_id] = words
        return wrote

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
        if parent.isValid() or store is None or flt is None or after is None or self._fetching_more or self.loading:
            return  # while a list is loading, ``after`` belongs to the one it replaces
        self._fetching_more = True

        def apply(result: tuple[list[int], PageKey | None]) -> None:
            self._fetching_more = False
            if generation != self._generation:
                return
            listed = set(self._ids)
            ids = [i for i in result[0] if i not in listed]
            self._after = result[1]
            if ids:
                self._ids.extend(ids)
                self.insertRows(self.rowCount(), len(ids))

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
            if generation != self._generation:  # read before the list moved: ask again for what shows
                self.show_rows()
                return
            for message in rows:
                self._rows[message.id] = message
            read = {m.id for m in rows}
            self.write_cells(read)
            self.rows_read.emit(read)

        def failed(error: BaseException) -> None:
            self._pending_pages.discard(page)  # asked again when what shows moves
            log.error("could not read a page of messages: %s", type(error).__name__)

        self._jobs.submit(lambda _token: store.get_many(ids), name="load page", on_result=apply, on_error=failed)

    def forget_screen(self) -> None:
        """The table that told what shows is gone: write every row read, as a model no table tells."""
        self.on_screen = None

    def _near(self) -> tuple[int, int]:
        """The rows on screen and half a screen around them; every row when no table tells."""
        if self.on_screen is None:
            return 0, len(self._ids) - 1
        first, last = self.on_screen()
        margin = (last - first + 1) // 2
        return max(0, first - margin), min(len(self._ids) - 1, last + margin)

    def show_rows(self) -> None:
        """What a table shows may have moved (see :func:`read_rows_on_screen`): write the words
        of the rows read around it, and read the pages of those that are not."""
        first, last = self._near()
        around = self._ids[first : last + 1]
        self.write_cells([i for i in around if i in self._rows and i not in self._written])
        for page in range(first // PAGE, last // PAGE + 1):
            rows = self._ids[max(first, page * PAGE) : min(last + 1, (page + 1) * PAGE)]
            if any(i not in self._rows for i in rows):
                self._fetch_page(page)

    def message_at(self, row: int) -> StoredMessage | None:
        if 0 <= row < len(self._ids):
            return self._rows.get(self._ids[row])
        return None

    def row_of(self, message_id: int) -> int:
        try:
            return self._ids.index(message_id)
        except ValueError:
            return -1
