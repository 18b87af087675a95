"""How the window follows changes while another process sends (issue 19): a burst of changes is one
GUI event, a list reads again only the rows that changed, on a worker, and moves by inserted and
removed rows so what the user selected stays selected; another process's commits show in the Outbox;
and the garbage collector no longer walks what start-up built."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Sequence
from typing import Any

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.core.outbox_state import OutboxState
from desktop_app.sandbox.server import SandboxServer
from desktop_app.services.drafts import delete_draft
from desktop_app.services.profile import Profile
from desktop_app.services.runtime import Runtime, SetupError
from desktop_app.store.messages import HistoryFilter, MessageStore, StoredMessage
from desktop_app.store.unlock import open_profile_database
from desktop_app.ui.app import GIL_SWITCH_SECONDS, main_window
from desktop_app.ui.bridge import ServiceBridge
from desktop_app.ui.jobs import JobRunner
from desktop_app.ui.message_model import MessageTableModel, read_rows_on_screen
from desktop_app.ui.outbox_view import OUTBOX_COLUMNS
from desktop_app.ui.tables import MessageTable
from tests.gui.conftest import WindowFactory, sandbox_runtime
from tests.helpers.messages import make_message

DRAFTS = HistoryFilter(states=(OutboxState.DRAFT,))


def test_a_burst_of_changes_from_another_thread_reaches_the_views_as_one_set(qtbot: QtBot, runtime: Runtime) -> None:
    assert runtime.store is not None
    store = runtime.store
    bridge = ServiceBridge()
    bridge.attach(runtime)
    received: list[frozenset[int]] = []
    bridge.messages_changed.connect(received.append)
    # What the runtime does when another process committed 300 changes: one listener call per message.
    worker = threading.Thread(target=store.notify_changed, args=(range(1, 301),))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(received), timeout=5_000)
    qtbot.wait(50)  # nothing more follows: the 300 were one event
    assert received == [frozenset(range(1, 301))]
    store.notify_changed([7])  # from the GUI thread too: gathered, delivered on the next turn
    assert len(received) == 1
    qtbot.waitUntil(lambda: len(received) == 2, timeout=5_000)
    assert received[1] == {7}


def _listed_drafts(
    qtbot: QtBot, store: MessageStore, count: int, jobs: JobRunner
) -> tuple[list[int], MessageTableModel]:
    """``count`` drafts ("Draft 0" the oldest), listed by an Outbox model with no table."""
    ids = [store.add(make_message(f"Draft {n}"), state=OutboxState.DRAFT).id for n in range(count)]
    model = MessageTableModel(OUTBOX_COLUMNS, jobs)
    with qtbot.waitSignal(model.modelReset, timeout=5_000):
        model.set_store(store, DRAFTS)
    return ids, model


def test_a_list_reads_only_changed_rows_on_a_worker_and_keeps_the_selected_row(
    qtbot: QtBot, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runtime.store is not None
    store = runtime.store
    jobs = JobRunner()
    ids, model = _listed_drafts(qtbot, store, 30, jobs)
    assert model.rowCount() == 30
    selected = QPersistentModelIndex(model.index(10, 0))  # what a view's selection holds on to
    chosen = model.message_at(10)
    assert chosen is not None
    reads: list[tuple[list[int], threading.Thread]] = []
    real_get_many = store.get_many

    def recording(message_ids: Sequence[int]) -> list[StoredMessage]:
        reads.append((list(message_ids), threading.current_thread()))
        return real_get_many(message_ids)

    monkeypatch.setattr(store, "get_many", recording)
    resets: list[object] = []
    model.modelReset.connect(lambda: resets.append(None))
    for draft_id in ids[:3]:  # the oldest three go (the bottom rows, as a send takes them)
        delete_draft(store, draft_id)
    added = [store.add(make_message(f"New {n}"), state=OutboxState.DRAFT).id for n in range(2)]  # on top
    with qtbot.waitSignal(model.listed, timeout=5_000):
        model.messages_changed({*ids[:3], *added})
    assert [model.data(model.index(r, 0), Qt.ItemDataRole.UserRole) for r in range(model.rowCount())] == store.list_ids(
        DRAFTS
    )
    assert not resets
    assert selected.isValid()
    assert model.message_at(selected.row()) == chosen
    assert selected.row() == 12  # two rows were inserted above it
    assert reads
    assert {i for batch, _ in reads for i in batch} == set(added)  # the 27 unchanged rows are not read again
    assert threading.main_thread() not in {thread for _, thread in reads}
    assert _shown_subjects(model) == [f"New {n}" for n in (1, 0)] + [f"Draft {n}" for n in range(29, 2, -1)]
    assert jobs.shutdown()


def _shown_subjects(model: MessageTableModel) -> list[str]:
    return [model.index(row, 2).data() for row in range(model.rowCount())]


def test_a_list_relisted_in_one_step_still_shows_the_rows_it_had_read(qtbot: QtBot, runtime: Runtime) -> None:
    """Many scattered changes relist the same filter in one reset, which empties Qt's cells: the
    rows read before and unchanged are not read again, and their words are written again."""
    assert runtime.store is not None
    store = runtime.store
    jobs = JobRunner()
    ids, model = _listed_drafts(qtbot, store, 24, jobs)
    qtbot.waitUntil(lambda: _shown_subjects(model) == [f"Draft {n}" for n in range(23, -1, -1)], timeout=5_000)
    gone = ids[::2]  # twelve runs of one row: more steps than a reset
    for draft_id in gone:
        delete_draft(store, draft_id)
    with qtbot.waitSignal(model.modelReset, timeout=5_000):
        model.messages_changed(gone)
    assert _shown_subjects(model) == [f"Draft {n}" for n in range(23, 0, -2)]
    assert jobs.shutdown()


@pytest.mark.keyring  # the second connection finds the profile's database key where the window put it
def test_the_outbox_shows_what_another_process_commits(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window()
    runtime = window.runtime
    assert runtime is not None
    profile = runtime.profile
    window.views.show("outbox")
    other = MessageStore(open_profile_database(profile.database_path, profile.settings.profile_id))
    try:
        first = other.add(make_message("From the other process"), state=OutboxState.DRAFT).id
        outbox = window.outbox_view
        qtbot.waitUntil(lambda: outbox.model.row_of(first) == 0, timeout=10_000)
        outbox.table.selectRow(0)
        second = other.add(make_message("And another"), state=OutboxState.DRAFT).id
        qtbot.waitUntil(lambda: outbox.model.row_of(second) == 0, timeout=10_000)
        selected = outbox.selected()
        assert selected is not None
        assert selected.id == first  # the user's selection followed the row down
        qtbot.waitUntil(lambda: window.views.view("drafts").item.text().endswith("(2)"), timeout=10_000)
    finally:
        other.close()


def test_the_window_as_the_app_opens_it_sets_its_start_up_objects_aside_from_the_collector(
    qtbot: QtBot, profile: Profile, sandbox: SandboxServer
) -> None:
    """And from then on, Python's lock changes hands every millisecond (not during start-up, when
    three threads run Python at once and switching that often slowed it)."""
    gc.unfreeze()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    window = main_window(profile, sandbox_runtime(sandbox))
    qtbot.addWidget(window)
    try:
        window.show()
        assert gc.get_freeze_count() == 0  # not before it is ready: the start-up is still building
        assert not gc.isenabled()  # nor does the collector walk what it builds meanwhile
        assert sys.getswitchinterval() == pytest.approx(0.005)
        with qtbot.waitSignal(window.ready, timeout=10_000):
            window.start()
        assert gc.get_freeze_count() > 10_000  # modules, classes, widgets: no full collection walks them
        assert gc.isenabled()
        assert sys.getswitchinterval() == pytest.approx(GIL_SWITCH_SECONDS)
    finally:
        window.close()
        gc.unfreeze()
        gc.enable()
        sys.setswitchinterval(interval)


def test_the_collector_runs_again_when_the_start_fails(qtbot: QtBot, profile: Profile) -> None:
    def refused(_profile: Profile) -> Runtime:
        raise SetupError("The system keyring is locked; unlock it and try again.")

    window = main_window(profile, refused)
    qtbot.addWidget(window)
    try:
        assert not gc.isenabled()
        window.show()
        with qtbot.waitSignal(window.setup_failed, timeout=10_000):
            window.start()
        assert gc.isenabled()
    finally:
        window.close()
        gc.enable()


def test_the_collector_runs_again_if_the_start_never_ends(
    qtbot: QtBot, profile: Profile, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A start waiting on something that never comes (a keyring prompt left open) does not keep the
    collector off while the user works in the window."""
    from desktop_app.ui import app as gui

    monkeypatch.setattr(gui, "GC_PAUSE_LIMIT_MS", 50)
    window = main_window(profile, sandbox_runtime(sandbox))
    qtbot.addWidget(window)
    try:
        assert not gc.isenabled()
        window.show()  # and never started
        qtbot.waitUntil(gc.isenabled, timeout=5_000)
    finally:
        window.close()
        gc.enable()


def _python_calls_while(action: Any) -> list[str]:
    """The Python functions that ran (called from Qt or from each other) while ``action()`` ran."""
    called: list[str] = []

    def note(frame: Any, event: str, _arg: object) -> None:
        if event == "call":
            called.append(f"{frame.f_code.co_filename}:{frame.f_code.co_name}")

    sys.setprofile(note)
    try:
        action()
    finally:
        sys.setprofile(None)
    return called


def test_painting_a_list_runs_no_python(qtbot: QtBot, runtime: Runtime) -> None:
    """Every call from Qt into Python waits for Python's lock while a worker (or a batch followed from
    another process) keeps it: a repaint of the list reads its cells from Qt alone, and a delegate
    paints what the cells say (and nothing more: no font, colour or icon of the model's)."""
    assert runtime.store is not None
    for n in range(5):
        runtime.store.add(make_message(f"Draft {n}"), state=OutboxState.DRAFT)
    jobs = JobRunner()
    model = MessageTableModel(OUTBOX_COLUMNS, jobs)
    with qtbot.waitSignal(model.modelReset, timeout=5_000):
        model.set_store(runtime.store, DRAFTS)
    qtbot.waitUntil(lambda: model.index(4, 2).data() == "Draft 0", timeout=5_000)  # newest first
    window = QWidget()  # a list is a child in a window, as in the app
    qtbot.addWidget(window)
    table = MessageTable(window)
    table.setModel(model)
    read_rows_on_screen(table, model)
    window.resize(900, 300)
    table.setGeometry(0, 0, 900, 300)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(20)  # the view's own first layout and the rows-on-screen check have run
    assert _python_calls_while(table.viewport().repaint) == []
    assert _python_calls_while(model.rowCount) == []
    assert _python_calls_while(model.canFetchMore) != []  # the check sees a Python method
    delegate = QStyledItemDelegate()
    for row in range(5):
        for column in range(len(OUTBOX_COLUMNS)):
            option = QStyleOptionViewItem()
            delegate.initStyleOption(option, model.index(row, column))  # the roles a delegate paints by
            message = model.message_at(row)
            assert message is not None
            assert option.text == OUTBOX_COLUMNS[column].value(message)
            assert not option.features & QStyleOptionViewItem.ViewItemFeature.HasDecoration
            assert option.backgroundBrush.style() == Qt.BrushStyle.NoBrush
            assert not model.flags(model.index(row, column)) & Qt.ItemFlag.ItemIsEditable
    assert model.index(0, 2).data() == model.message_at(0).subject  # type: ignore[union-attr]
    assert model.index(0, 0).data(Qt.ItemDataRole.UserRole) == model.message_at(0).id  # type: ignore[union-attr]
    assert jobs.shutdown()
