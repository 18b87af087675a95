"""Schema 1.2 (user_version 1002: the indexes the outbox, tracker, views and chart rely on) and
where the integrity check runs."""

from __future__ import annotations

import secrets
import shutil
import threading
from pathlib import Path

import pytest
import sqlcipher3

from desktop_app.core.outbox_state import OutboxState
from desktop_app.store import database
from desktop_app.store.database import (
    IN_USE_SUFFIX,
    MIGRATIONS,
    IntegrityWatch,
    StoreError,
    close_database,
    open_database,
    transaction,
)
from desktop_app.store.messages import MessageStore
from tests.helpers.messages import make_message as message

KEY = secrets.token_bytes(32)


def plan(store: MessageStore, sql: str, *params: object) -> str:
    rows = store._db.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    return " | ".join(str(row[-1]) for row in rows)


def create_version_1(path: Path) -> None:
    """A database as the first schema (user_version 1) left it, with a tracked message whose poll time is NULL."""
    connection = sqlcipher3.connect(str(path), isolation_level=None)
    connection.execute(f"PRAGMA key = \"x'{KEY.hex()}'\"")
    with transaction(connection) as db:
        for statement in database._statements(MIGRATIONS[1000]):
            db.execute(statement)
        db.execute("PRAGMA user_version = 1")
        db.execute(
            "INSERT INTO messages (uid, created_at, updated_at, state, subject, recipients, payload, tracking_id, "
            "accepted_at) VALUES ('u1', 1.0, 1.0, 'accepted', 's', 'r', '{}', 'trk-1', 1.0)"
        )
    connection.close()


def test_a_first_schema_database_migrates_and_its_tracked_messages_stay_due(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    create_version_1(path)
    store = MessageStore(open_database(path, KEY))
    try:
        assert store._db.execute("PRAGMA user_version").fetchone()[0] == database.SCHEMA_VERSION == 2000
        indexes = {r[0] for r in store._db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        tables = {r[0] for r in store._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"contacts", "contact_addresses", "message_payloads"} <= tables  # 1007: the address book; 2000
        assert {
            "messages_state_created",
            "messages_due_poll",
            "messages_due_single",
            "recipient_status_delivery",
        } <= indexes
        assert "messages_poll" not in indexes
        assert store._db.execute("SELECT next_poll_at FROM messages").fetchone()[0] == 0
        assert [m.tracking_id for m in store.due_polls(now=2.0, limit=10)] == ["trk-1"]
        assert store.next_poll_time() == 0
    finally:
        store.close()


def test_an_older_sealpost_of_the_same_major_version_still_opens_a_migrated_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A minor version only adds what older code may ignore: code that knows only 2000 opens 2001 as it is."""
    path = tmp_path / "s.db"
    connection = open_database(path, KEY)
    connection.execute(f"PRAGMA user_version = {database.SCHEMA_VERSION + 1}")
    connection.close()
    connection = open_database(path, KEY)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == database.SCHEMA_VERSION + 1
    connection.close()


def test_a_sealpost_of_version_1_refuses_a_database_whose_letters_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version 1 code would read the letters of new rows as empty: it must refuse, in words."""
    path = tmp_path / "s.db"
    open_database(path, KEY).close()
    monkeypatch.setattr(database, "SCHEMA_VERSION", 1009)
    with pytest.raises(StoreError, match="newer version of Sealpost"):
        open_database(path, KEY)


def test_claims_and_polls_walk_indexes_instead_of_sorting_rows(tmp_path: Path) -> None:
    store = MessageStore(open_database(tmp_path / "s.db", KEY))
    try:
        claim = plan(store, "SELECT id FROM messages INDEXED BY messages_due_single WHERE state = 'queued' "
                     "AND batch_id IS NULL AND COALESCE(next_attempt_at, 0) <= ? ORDER BY created_at, id LIMIT 8",
                     1.0)  # fmt: skip
        assert "messages_due_single" in claim
        assert "TEMP B-TREE" not in claim
        any_claim = plan(store, "SELECT id FROM messages WHERE state = 'queued' "
                         "AND COALESCE(next_attempt_at, 0) <= ? ORDER BY created_at, id LIMIT 8", 1.0)  # fmt: skip
        assert "messages_state_created" in any_claim
        store.claim_due(1.0, 8, bulk=False)  # INDEXED BY raises if the index no longer fits the query
        store.count_due(1.0, 8, bulk=False)
        polls = plan(store, "SELECT id FROM messages INDEXED BY messages_due_poll WHERE state = 'accepted' "
                     "AND final_delivery = 0 AND tracking_id IS NOT NULL AND next_poll_at <= ? "
                     "ORDER BY next_poll_at, accepted_at, id LIMIT 20", 1.0)  # fmt: skip
        assert "messages_due_poll" in polls
        assert "TEMP B-TREE" not in polls
        store.due_polls(1.0, 20)  # INDEXED BY raises if the index no longer fits the query
        store.next_poll_time()
    finally:
        store.close()


def test_a_waiting_batch_reads_its_states_from_the_batch_index_alone(tmp_path: Path) -> None:
    """A waiting ``sealpost batch`` reads states on every look: from the index, never a row's pages."""
    store = MessageStore(open_database(tmp_path / "s.db", KEY))
    try:
        ids = store.add_batch("b1", [(n, message()) for n in range(3)])
        some = plan(store, "SELECT id, state FROM messages WHERE batch_id = ? AND batch_id IS NOT NULL "
                    "AND id IN (?, ?)", "b1", ids[0], ids[2])  # fmt: skip
        assert "COVERING INDEX messages_batch_states" in some
        whole = plan(store, "SELECT id, state FROM messages WHERE batch_id = ? AND batch_id IS NOT NULL", "b1")
        assert "COVERING INDEX messages_batch_states" in whole
        store.transition(ids[2], OutboxState.SENDING)
        assert store.batch_states_of("b1", [ids[2], ids[0], 999]) == {
            ids[2]: OutboxState.SENDING,
            ids[0]: OutboxState.QUEUED,
        }
        assert store.batch_states_of("other", ids) == {}
        assert store.batch_states("b1") == {ids[0]: OutboxState.QUEUED, ids[1]: OutboxState.QUEUED,
                                            ids[2]: OutboxState.SENDING}  # fmt: skip
    finally:
        store.close()


def test_a_tracked_message_is_always_due_for_a_poll(tmp_path: Path) -> None:
    """Accepted with a tracking id but no poll time (mark-as-sent paths, old code): polled at once."""
    store = MessageStore(open_database(tmp_path / "s.db", KEY), clock=lambda: 100.0)
    try:
        message_id = store.add(message()).id
        store.transition(message_id, OutboxState.SENDING)
        store.transition(message_id, OutboxState.ACCEPTED, tracking_id="trk-9")
        assert [m.id for m in store.due_polls(now=100.0, limit=5)] == [message_id]
        store.record_receipt(message_id, [], final=False, next_poll_at=None)
        assert store.next_poll_time() == 0
        store.record_receipt(message_id, [], final=True, next_poll_at=None)
        assert store.due_polls(now=1e12, limit=5) == []
        assert store.next_poll_time() is None
    finally:
        store.close()


def test_next_due_time_is_the_earliest_retry_or_schedule(tmp_path: Path) -> None:
    store = MessageStore(open_database(tmp_path / "s.db", KEY), clock=lambda: 100.0)
    try:
        assert store.next_due_time() is None
        store.add(message(), state=OutboxState.SCHEDULED, send_at=500.0)
        assert store.next_due_time() == 500.0
        retry = store.add(message()).id
        store.transition(retry, OutboxState.QUEUED, next_attempt_at=300.0)
        assert store.next_due_time() == 300.0
        store.add(message())
        assert store.next_due_time() == 0
        assert store.count_due(now=100.0, at_most=10) == 1
        assert store.count_due(now=400.0, at_most=10) == 2
        assert store.count_due(now=400.0, at_most=1) == 1
    finally:
        store.close()


# ------------------------------------------------------------------------------ integrity


def damaged_copy(tmp_path: Path, *, clean: bool) -> Path:
    """A small database with a few hundred messages, one data page flipped, closed cleanly or not."""
    original = tmp_path / "good.db"
    store = MessageStore(open_database(original, KEY))
    for n in range(300):
        store.add(message(f"Subject {n}"))
    if clean:
        store.close()
    else:
        store._db.close()  # as a crash would: the in-use marker stays
    copy = tmp_path / "damaged.db"
    shutil.copy(original, copy)
    if not clean:
        shutil.copy(original.with_name(original.name + IN_USE_SUFFIX), copy.with_name(copy.name + IN_USE_SUFFIX))
    data = bytearray(copy.read_bytes())
    assert len(data) > 8 * 4096
    data[5 * 4096 + 100 : 5 * 4096 + 116] = bytes(b ^ 0xFF for b in data[5 * 4096 + 100 : 5 * 4096 + 116])
    copy.write_bytes(bytes(data))
    return copy


def test_a_clean_close_removes_the_in_use_marker(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = MessageStore(open_database(path, KEY))
    marker = path.with_name(path.name + IN_USE_SUFFIX)
    assert marker.exists()
    assert marker.stat().st_size == 0
    store.close()
    assert not marker.exists()


def test_a_small_damaged_database_is_refused_on_open(tmp_path: Path) -> None:
    path = damaged_copy(tmp_path, clean=True)
    with pytest.raises(StoreError, match="damaged"):
        open_database(path, KEY)


def test_after_an_unclean_shutdown_even_a_large_database_is_checked_on_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = damaged_copy(tmp_path, clean=False)
    monkeypatch.setattr(database, "SYNC_CHECK_BELOW_BYTES", 1)  # every database counts as large
    watch = IntegrityWatch()
    with pytest.raises(StoreError, match="damaged"):
        open_database(path, KEY, watch=watch)
    assert not watch.running


def test_a_large_cleanly_closed_database_is_checked_in_the_background(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = damaged_copy(tmp_path, clean=True)
    monkeypatch.setattr(database, "SYNC_CHECK_BELOW_BYTES", 1)
    monkeypatch.setattr(database, "BACKGROUND_CHECK_DELAY", 0.0)
    watch = IntegrityWatch()
    reported = threading.Event()
    problems: list[str] = []

    def heard(problem: str) -> None:
        problems.append(problem)
        reported.set()

    watch.on_problem(heard)
    connection = open_database(path, KEY, watch=watch)  # returns before the whole file was read
    try:
        assert reported.wait(30)
        assert "damaged" in problems[0]
        late: list[str] = []
        watch.on_problem(late.append)  # a listener that subscribes afterwards still hears of it
        assert late == problems
    finally:
        watch.stop()
        close_database(connection)


def test_a_healthy_database_checked_in_the_background_reports_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.db"
    store = MessageStore(open_database(path, KEY))
    store.add(message())
    store.close()
    monkeypatch.setattr(database, "SYNC_CHECK_BELOW_BYTES", 1)
    monkeypatch.setattr(database, "BACKGROUND_CHECK_DELAY", 0.0)
    watch = IntegrityWatch()
    problems: list[str] = []
    watch.on_problem(problems.append)
    store = MessageStore(open_database(path, KEY, watch=watch))
    store.add(message())  # the writer is not held up by the reader
    watch.wait(30)
    assert not watch.running
    assert problems == []
    assert watch.problem is None
    store.close()


def test_the_history_chart_is_counted_from_indexes_alone(tmp_path: Path) -> None:
    store = MessageStore(open_database(tmp_path / "s.db", KEY))
    try:
        details = " ".join(
            row[3] for row in store._db.execute(
                "EXPLAIN QUERY PLAN SELECT COUNT(*), SUM(delivery_summary = 'delivered') FROM messages "
                "WHERE state = 'accepted' AND created_at >= ? AND accepted_at > 0", (0.0,),
            )
        )  # fmt: skip
        assert "COVERING INDEX messages_history_chart" in details
    finally:
        store.close()
