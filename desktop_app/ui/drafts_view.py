"""Drafts: every message being written and not sent, the one edited last first, to open or delete.

Autosave and Ctrl+N write drafts; the list follows every change the store reports (a burst of
changes is one reload), so it never shows a draft that was sent or deleted meanwhile."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.times import shown_time
from desktop_app.ui.jobs import CancelToken, JobRunner
from desktop_app.ui.message_model import HIDDEN_REFRESH_MS, readable_recipients
from desktop_app.ui.tables import message_list

if TYPE_CHECKING:  # the store loads on the worker that opens it, after the window has painted
    from desktop_app.services.history import History
    from desktop_app.store.messages import StoredMessage

RELOAD_DELAY_MS = 200


class DraftsView(QWidget):
    open_requested = Signal(int)  # a draft id, to load into the composer
    deleted = Signal(int)  # a draft id that no longer exists
    count_changed = Signal(int)

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._store: History | None = None
        self._delete_draft: Callable[[int], None] | None = None  # deletes and audits (services/drafts.py)
        self._drafts: list[StoredMessage] = []
        self._stale = True
        self.last_question: QMessageBox | None = None
        title = QLabel(self.tr("Drafts: messages you started and have not sent"), self)
        title.setObjectName("viewTitle")
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels([self.tr("Last edited"), self.tr("To"), self.tr("Subject")])
        header = message_list(self.table, self.tr("Drafts"), (140, 260))
        header.setStretchLastSection(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        title.setBuddy(self.table)
        self.empty = QLabel(self.tr("No drafts. What you write is kept here until you send or discard it."), self)
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.open_button = QPushButton(self.tr("&Open"), self)
        self.open_button.setAccessibleName(self.tr("Open draft"))
        self.delete_button = QPushButton(self.tr("&Delete…"), self)
        self.delete_button.setAccessibleName(self.tr("Delete draft"))
        self.open_button.clicked.connect(self.open_selected)
        self.delete_button.clicked.connect(self.confirm_delete)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        layout.addLayout(buttons)
        self._reload_timer = QTimer(self, singleShot=True, interval=RELOAD_DELAY_MS)
        self._reload_timer.timeout.connect(self.reload)
        self.table.itemSelectionChanged.connect(self._update_actions)
        self.table.itemActivated.connect(lambda _item: self.open_selected())
        self._show_rows()

    def set_store(self, store: History, delete_draft: Callable[[int], None]) -> None:
        self._store = store
        self._delete_draft = delete_draft
        self.reload()

    def messages_changed(self, _message_ids: Collection[int]) -> None:
        """Any change may be a draft saved, sent or deleted: reload once the burst has passed; while
        hidden (another process's batch is thousands of changes), only as often as the count needs."""
        self._stale = True
        if not self._reload_timer.isActive():
            self._reload_timer.start(RELOAD_DELAY_MS if self.isVisible() else HIDDEN_REFRESH_MS)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def reload(self) -> None:
        store = self._store
        if store is None:
            return
        self._stale = False

        def load(_token: CancelToken) -> list[StoredMessage]:
            from desktop_app.services.drafts import list_drafts  # loaded with the store

            return list_drafts(store)

        self._jobs.submit(load, name="list drafts", on_result=self._set_drafts, owner=self)

    def _set_drafts(self, drafts: list[StoredMessage]) -> None:
        selected = self.selected_id()
        self._drafts = drafts
        self.table.setRowCount(len(drafts))
        for row, draft in enumerate(drafts):
            subject = draft.subject or self.tr("(no subject)")
            for column, text in enumerate((shown_time(draft.updated_at), readable_recipients(draft.recipients),
                                           subject)):  # fmt: skip
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                item.setData(Qt.ItemDataRole.UserRole, draft.id)
                self.table.setItem(row, column, item)
            if draft.id == selected:
                self.table.selectRow(row)
        if self.table.currentRow() < 0 and drafts:
            self.table.selectRow(0)
        self._show_rows()
        self.count_changed.emit(len(drafts))

    def _show_rows(self) -> None:
        has_rows = bool(self._drafts)
        self.table.setVisible(has_rows)
        self.empty.setVisible(not has_rows)
        self._update_actions()

    def _update_actions(self) -> None:
        chosen = self.selected_id() is not None
        self.open_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    @property
    def drafts(self) -> list[StoredMessage]:
        return list(self._drafts)

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or not (0 <= rows[0].row() < len(self._drafts)):
            return None
        return self._drafts[rows[0].row()].id

    def select(self, draft_id: int) -> None:
        for row, draft in enumerate(self._drafts):
            if draft.id == draft_id:
                self.table.selectRow(row)

    def open_selected(self) -> None:
        draft_id = self.selected_id()
        if draft_id is not None:
            self.open_requested.emit(draft_id)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete:
            self.confirm_delete()
            return
        super().keyPressEvent(event)

    def confirm_delete(self) -> None:
        from desktop_app.ui.dialogs import ask

        draft_id = self.selected_id()
        if draft_id is None:
            return
        draft = next(d for d in self._drafts if d.id == draft_id)
        subject = draft.subject or self.tr("(no subject)")
        self.last_question = ask(
            self, self.tr("Delete this draft?"),
            self.tr("“{subject}” will be deleted for good. It was never sent.").format(subject=subject),
            confirm=self.tr("Delete draft"), on_confirm=lambda: self._delete(draft_id),
        )  # fmt: skip

    def _delete(self, draft_id: int) -> None:
        delete_draft = self._delete_draft
        if delete_draft is None:
            return

        def run(_token: CancelToken) -> None:
            delete_draft(draft_id)

        def done(_result: object) -> None:
            self.deleted.emit(draft_id)
            self.reload()

        self._jobs.submit(run, name="delete draft", on_result=done, on_error=lambda _e: self.reload(), owner=self)
