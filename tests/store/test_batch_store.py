"""Mail-merge batches in the store: written in slices, searchable, timed, counted without scans."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.addresses import Address
from desktop_app.core.message import OutgoingMessage
from desktop_app.core.outbox_state import OutboxState
from desktop_app.store import batches as batch_module
from desktop_app.store import messages as store_module
from desktop_app.store.messages import Change, HistoryFilter, MessageStore
from desktop_app.store.unlock import open_profile_database
from tests.helpers.messages import make_message


def row(n: int) -> tuple[int, OutgoingMessage]:
    to = (Address(f"p{n}@example.org", f"Pat {n}"),)
    body = {"html": f"<p>Dear Pat {n}</p>", "text": f"Dear Pat {n}"}
    return n + 2, OutgoingMessage(sender="staff@clinic.example", to=to, subject=f"Flu shot {n}", **body)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[MessageStore]:
    opened = MessageStore(open_profile_database(tmp_path / "s.db", "p1"))
    yield opened
    opened.close()


def test_a_batch_is_written_in_slices_and_searchable(store: MessageStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_module, "BATCH_WRITE_ROWS", 7)
    single = store.add(row(99)[1]).id
    heard: list[int] = []
    store.on_change(heard.append)
    ids = store.add_batch("b1", (row(n) for n in range(30)))
    assert ids == list(range(single + 1, single + 31))
    assert heard == ids
    stored = store.batch_rows("b1")
    assert sorted(stored) == [n + 2 for n in range(30)]
    assert [stored[n + 2].subject for n in range(30)] == [f"Flu shot {n}" for n in range(30)]
    assert stored[2].message == row(0)[1]
    assert store.list_ids(HistoryFilter(search="Pat 17")) == [ids[17]]
    assert [e.kind for e in store.timeline(ids[5])] == ["queued"]
    assert store.batch_states("b1") == dict.fromkeys(ids, OutboxState.QUEUED)
    assert store.states([ids[0], ids[-1], 10**9]) == {ids[0]: OutboxState.QUEUED, ids[-1]: OutboxState.QUEUED}


def test_a_stored_batch_id_returns_its_rows_without_reading_the_new_ones(store: MessageStore) -> None:
    first = store.add_batch("b2", [row(n) for n in range(3)])

    def never() -> Iterator[tuple[int, OutgoingMessage]]:
        raise AssertionError("rows of a stored batch must not be read")
        yield row(0)

    assert store.add_batch("b2", never()) == first


def test_a_failing_row_leaves_nothing_of_the_batch(store: MessageStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_module, "BATCH_WRITE_ROWS", 4)

    def failing() -> Iterator[tuple[int, OutgoingMessage]]:
        for n in range(10):
            if n == 9:
                raise ValueError("rendering failed")
            yield row(n)

    with pytest.raises(ValueError, match="rendering failed"):
        store.add_batch("b3", failing())
    assert store.batch_summary("b3") is None
    assert store.list_ids(HistoryFilter()) == []
    assert store.add_batch("b3", [row(0)])  # the id is free again


def test_claims_of_a_large_batch_walk_an_index(store: MessageStore) -> None:
    store.add_batch("b4", (row(n) for n in range(200)))
    where = store_module.due_where(True)
    plan = store._db.execute(
        f"EXPLAIN QUERY PLAN SELECT id, attempts FROM messages WHERE {where} ORDER BY created_at, id LIMIT 50", (1e12,)
    ).fetchall()
    details = " ".join(str(r[-1]) for r in plan)
    assert "USING INDEX messages_state_created" in details
    assert "TEMP B-TREE" not in details  # no sort of every queued row
    claimed = store.claim_due(1e12, 50, bulk=True, owner="o")
    assert [m.batch_id for m in claimed] == ["b4"] * 50


def test_single_claims_read_only_the_singles_index(store: MessageStore) -> None:
    store.add_batch("b5", (row(n) for n in range(60)))
    for sql in (
        f"SELECT id, attempts FROM messages{store_module.due_index(False)} WHERE {store_module.due_where(False)} "
        "ORDER BY created_at, id LIMIT 5",
        f"SELECT COUNT(*) FROM (SELECT 1 FROM messages{store_module.due_index(False)} "
        f"WHERE {store_module.due_where(False)} LIMIT 20)",
    ):
        details = " ".join(str(r[-1]) for r in store._db.execute("EXPLAIN QUERY PLAN " + sql, (1e12,)).fetchall())
        assert "USING INDEX messages_due_single" in details, details
        assert "messages_state_created" not in details
        assert "TEMP B-TREE" not in details
    entries = store._db.execute("SELECT COUNT(*) FROM messages INDEXED BY messages_due_single "
                                "WHERE state = 'queued' AND batch_id IS NULL").fetchone()[0]  # fmt: skip
    assert entries == 0  # the batch's 60 queued rows are not in it


def test_a_single_message_due_is_claimed_at_once_beside_a_batch(store: MessageStore, tmp_path: Path) -> None:
    store.add_batch("b6", (row(n) for n in range(60)))
    assert store.count_due(1e12, 20, bulk=False) == 0
    assert store.claim_due(1e12, 5, bulk=False, owner="o") == []
    added = store.add(make_message("Now", "solo@example.org"))
    assert store.count_due(1e12, 20, bulk=False) == 1
    [claimed] = store.claim_due(1e12, 5, bulk=False, owner="o")
    assert claimed.id == added.id
    assert store.count_due(1e12, 20, bulk=False) == 0
    store.settle("o", [Change(added.id, OutboxState.QUEUED, (OutboxState.SENDING,), "not sent",
                              {"next_attempt_at": 50.0})])  # fmt: skip
    assert store.count_due(49.0, 20, bulk=False) == 0  # a retry not yet due
    assert store.count_due(50.0, 20, bulk=False) == 1  # ... seen the moment its time comes, no memo
    assert [m.id for m in store.claim_due(50.0, 5, bulk=False, owner="o")] == [added.id]
    other = MessageStore(open_profile_database(tmp_path / "s.db", "p1"))  # another process's connection
    try:
        other.add(make_message("From elsewhere", "solo@example.org"))
    finally:
        other.close()
    assert store.count_due(1e12, 20, bulk=False) == 1
    assert len(store.claim_due(1e12, 5, bulk=True, owner="o")) == 5  # batch claims unchanged
