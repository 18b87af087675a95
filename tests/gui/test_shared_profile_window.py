"""The window and headless commands on one profile, and one decision for a whole ambiguous request."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core.outbox_state import OutboxState
from desktop_app.sandbox.server import SandboxServer
from desktop_app.services.profile import Profile
from desktop_app.store.messages import HistoryFilter
from desktop_app.ui.main_window import MainWindow
from tests.conftest import sandbox_control
from tests.gui.conftest import WindowFactory, answer, click, sandbox_runtime
from tests.services.test_outbox import make_message
from tests.services.test_shared_profile import finish, latency, sandbox_record, start, write_csv


@pytest.mark.keyring  # the commands find the profile's database key where the window put it
def test_window_three_batches_and_ten_sends_on_one_profile(
    qtbot: QtBot, make_window: WindowFactory, sandbox: SandboxServer, tmp_path: Path
) -> None:
    window = make_window(undo_seconds=0)
    runtime = window.runtime
    assert runtime is not None
    assert runtime.is_sending_owner
    latency(sandbox, 50)
    profile_dir = runtime.profile.directory
    processes = [start(sandbox, profile_dir, "batch", str(write_csv(tmp_path / f"l{n}.csv", 40, f"B{n}")))
                 for n in range(3)]  # fmt: skip
    processes += [start(sandbox, profile_dir, "send", "--to", f"s{n}@example.org", "--subject", f"Single {n}",
                        "--text", "x") for n in range(10)]  # fmt: skip
    for n in range(5):
        runtime.queue(make_message(f"Window {n}"))
    results = [finish(process, timeout=120) for process in processes]
    assert [code for code, _, _ in results] == [0] * len(processes), [err for _, _, err in results]
    store = runtime.store
    assert store is not None

    def all_accepted() -> bool:
        return Counter(store.counts_by_state()) == {OutboxState.ACCEPTED: 135}

    qtbot.waitUntil(all_accepted, timeout=30_000)
    subjects = Counter(m["subject"] for m in sandbox_record(sandbox))
    assert len(subjects) == 135
    assert set(subjects.values()) == {1}
    window.views.show("outbox")
    qtbot.waitUntil(lambda: window.outbox_view.model.rowCount() == 0, timeout=10_000)


def test_one_decision_for_every_message_of_an_ambiguous_request(
    qtbot: QtBot, make_window: WindowFactory, sandbox: SandboxServer
) -> None:
    window = make_window(undo_seconds=0)
    runtime = window.runtime
    assert runtime is not None
    assert runtime.outbox is not None
    with sandbox_control(sandbox) as control:
        control.post("/faults", json={"accept_then_fail_rate": 1.0, "accept_then_fail_mode": "502"})
    runtime.outbox.hold(True)
    ids = [runtime.queue(make_message(f"Reminder {n}", f"p{n}@example.org")).id for n in range(20)]
    runtime.send_queued_now()  # a backlog of 20: one bulk request, answered 502
    store = runtime.store
    assert store is not None
    qtbot.waitUntil(lambda: len(store.list_ids(HistoryFilter(states=(OutboxState.OUTCOME_UNKNOWN,)))) == 20,
                    timeout=15_000)  # fmt: skip
    with sandbox_control(sandbox) as control:
        control.post("/faults", json={"accept_then_fail_rate": 0.0})
    outbox = window.outbox_view
    window.views.show("outbox")
    qtbot.waitUntil(lambda: outbox.model.rowCount() == 20, timeout=10_000)
    outbox.table.selectRow(3)
    qtbot.waitUntil(outbox.group_facts.isVisible, timeout=5_000)
    assert "These 20 messages went to Paubox together at " in outbox.group_facts.text()
    assert outbox.resend_group_button.text() == "Resend all 20…"
    click(qtbot, outbox.resend_group_button)
    question = window._last_question
    assert question is not None
    assert "These 20 messages went to Paubox together" in question.text()
    assert "duplicates" in question.text()
    answer(qtbot, window, "Resend all 20")
    qtbot.waitUntil(lambda: all(store.get(i).state is OutboxState.ACCEPTED for i in ids), timeout=15_000)
    resends = [e for e in store.audit_entries() if e.action == "resend"]
    assert sorted(e.message_id for e in resends) == ids
    assert len({e.detail for e in resends}) == 1
    assert resends[0].detail.startswith("request r")
    assert Counter(m["subject"] for m in sandbox_record(sandbox)) == {f"Reminder {n}": 2 for n in range(20)}


def test_a_damaged_settings_file_is_named_in_the_window(qtbot: QtBot, tmp_path: Path, sandbox: SandboxServer) -> None:
    directory = tmp_path / "profile"
    Profile(directory)
    (directory / "settings.json").write_text('{"name": "Front desk", "requests_per_second": "fast"')
    window = MainWindow(Profile(directory), sandbox_runtime(sandbox))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.ready, timeout=10_000):
        window.start()
    try:
        assert window.problem.isVisible()
        assert "damaged" in window.problem.text()
        assert "settings.json.damaged-" in window.problem.text()
    finally:
        window.close()
